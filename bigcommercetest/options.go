package bigcommercetest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// DateFormatReference is the date layout shown in BigCommerce's own API
// reference examples ("2023-07-17 06:30:41"). Pass it to WithDateFormat to
// check that a client copes with it as well as with the default RFC 1123 form.
const DateFormatReference = "2006-01-02 15:04:05"

// Option configures a Server created by NewServer or Listen.
type Option func(*config)

type config struct {
	createStatus        int
	quota               int
	window              time.Duration
	seed                int
	dateFormat          string
	allowDuplicateNames bool
	latency             time.Duration
	storeHash           string
	accessToken         string
	requestLog          io.Writer
	concurrency         int // 0: no limit
}

func newConfig(opts []Option) config {
	c := config{
		createStatus: 201,
		// High enough that ordinary tests never meet the limit, yet the
		// rate-limit headers still appear on every response.
		quota:      10000,
		window:     30 * time.Second,
		dateFormat: time.RFC1123Z,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithCreateStatus sets the status of a successful create. BigCommerce's
// documents disagree between 201 (the default here) and 200, so clients
// should be tested against both.
func WithCreateStatus(code int) Option {
	if code != 200 && code != 201 {
		panic(fmt.Sprintf("bigcommercetest: WithCreateStatus(%d): a create answers 200 or 201", code))
	}
	return func(c *config) { c.createStatus = code }
}

// WithRateLimit sets the request quota per fixed window. The default is
// 10000 per 30s; a real store allows 150 (450 on Pro) per 30s.
func WithRateLimit(quota int, window time.Duration) Option {
	checkRateLimit(quota, window)
	return func(c *config) { c.quota, c.window = quota, window }
}

func checkRateLimit(quota int, window time.Duration) {
	if quota < 1 || window <= 0 {
		panic(fmt.Sprintf("bigcommercetest: rate limit needs a quota >= 1 and a positive window, got %d per %v", quota, window))
	}
}

// WithSeed stores n sample groups before the server answers its first
// request, as Server.Seed does.
func WithSeed(n int) Option {
	return func(c *config) { c.seed = n }
}

// WithDateFormat sets the time layout of date_created and date_modified in
// responses. The default is time.RFC1123Z, the form other v2 resources use.
func WithDateFormat(layout string) Option {
	return func(c *config) { c.dateFormat = layout }
}

// WithAllowDuplicateNames lets two groups share a name. By default a create
// or update that would duplicate a name (ignoring case) is answered 409, as
// the control panel refuses duplicates.
func WithAllowDuplicateNames() Option {
	return func(c *config) { c.allowDuplicateNames = true }
}

// WithLatency delays every answer by d, which makes client timeouts and
// cancellation testable. A request whose context ends first gets no answer.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithStoreHash fixes the store hash, which is otherwise random per
// server, so that scripts and other programs can be configured once. A
// store hash is lowercase letters and digits.
func WithStoreHash(hash string) Option {
	if hash == "" || strings.Trim(hash, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		panic(fmt.Sprintf("bigcommercetest: WithStoreHash(%q): a store hash is lowercase letters and digits", hash))
	}
	return func(c *config) { c.storeHash = hash }
}

// WithAccessToken fixes the read-and-write OAuth token, which is otherwise
// random per server.
func WithAccessToken(token string) Option {
	if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		panic(fmt.Sprintf("bigcommercetest: WithAccessToken(%q): a token must be non-empty, without spaces or control characters", token))
	}
	return func(c *config) { c.accessToken = token }
}

// WithRequestLog writes one line per request to w: the time, method, path
// and query, status and how long the answer took. Credentials are not
// logged.
func WithRequestLog(w io.Writer) Option {
	return func(c *config) { c.requestLog = w }
}

// WithConcurrencyLimit refuses requests beyond n in flight at once, as the
// real customer-group endpoints do beyond 40. A request is in flight from
// the moment the server starts reading it until its answer is written, its
// latency (WithLatency) included. One that would make more than n is
// answered at once, without the latency, with 429, the usual rate-limit
// headers and a v2 error whose message names the limit; it does not use up
// quota and carries no X-Retry-After, since the quota is not spent:
// X-Rate-Limit-Requests-Left above 0 is what tells it from a spent quota.
// Stats counts such answers in ConcurrencyLimited, apart from RateLimited.
// By default there is no limit.
func WithConcurrencyLimit(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("bigcommercetest: WithConcurrencyLimit(%d): the limit must be at least 1", n))
	}
	return func(c *config) { c.concurrency = n }
}
