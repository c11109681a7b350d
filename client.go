package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// Version is the version of this library, sent in the User-Agent header.
const Version = "0.2.0"

const (
	defaultUserAgent        = "bigcommerce-customergroups-go/" + Version
	defaultRetryMax         = 3
	defaultRetryWaitMin     = 500 * time.Millisecond
	defaultRetryWaitMax     = 30 * time.Second
	defaultTimeout          = 2 * time.Minute
	defaultMaxResponseBytes = 4 << 20
	// defaultMaxConcurrent follows BigCommerce's stated limit of 40 concurrent
	// requests for the customer-group endpoints.
	defaultMaxConcurrent = 40
)

// Client talks to the v2 customer groups API of one BigCommerce store. It is
// safe for concurrent use; share one Client per store so that all goroutines
// see the same rate-limit state.
type Client struct {
	// CustomerGroups reads and writes the store's customer groups.
	CustomerGroups *CustomerGroupsService

	baseURL   string // API root without a trailing slash
	auth      Authenticator
	userAgent string
	logger    *slog.Logger
	timeout   time.Duration
	maxBody   int64
	retryMax  int
	waitMin   time.Duration
	waitMax   time.Duration
	http      *http.Client
	retry     *retryablehttp.Client
	limiter   *limiter
}

type settings struct {
	baseURL       string
	httpClient    *http.Client
	retryMax      int
	waitMin       time.Duration
	waitMax       time.Duration
	logger        *slog.Logger
	userAgent     string
	timeout       time.Duration
	maxBody       int64
	maxConcurrent int
	throttle      bool
}

// Option configures a Client built by NewClient.
type Option func(*settings) error

// WithBaseURL replaces, whole, the API root that the Authenticator chose, for
// instance "http://127.0.0.1:8080/stores/abc123/v2" to reach a local fake or a
// proxy. Plain http is accepted only for loopback addresses.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error {
		s.baseURL = rawURL
		return nil
	}
}

// WithHTTPClient makes the Client send its requests through hc, for custom
// transports, proxies or TLS settings. The Client works on a copy: it wraps
// hc's transport with its rate-limit accounting and replaces its redirect
// policy with one that never lets credentials follow a redirect to another
// host. hc.Timeout still bounds each attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return invalidf("WithHTTPClient", "must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRetryMax sets how many times a failed request may be retried (0 turns
// retries off). The default is 3.
func WithRetryMax(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return invalidf("WithRetryMax", "must not be negative, got %d", n)
		}
		s.retryMax = n
		return nil
	}
}

// WithRetryWait sets the shortest and the longest wait between two attempts.
// Backoff grows exponentially from min with jitter and never exceeds max;
// when a 429 asks for a longer wait than max, the rate-limit error is
// returned at once instead. The defaults are 500ms and 30s, one BigCommerce
// rate-limit window. WithRetryWait(0, 0) retries without waiting, which is
// what tests want.
func WithRetryWait(min, max time.Duration) Option {
	return func(s *settings) error {
		if min < 0 || max < 0 {
			return invalidf("WithRetryWait", "waits must not be negative")
		}
		if min > max {
			return invalidf("WithRetryWait", "min (%s) must not exceed max (%s)", min, max)
		}
		s.waitMin, s.waitMax = min, max
		return nil
	}
}

// WithLogger makes the Client log each attempt (debug) and each retry
// (info) to l. Log records carry method, path, status and timings, never
// credentials. Without it the Client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithUserAgent puts ua in front of this library's own User-Agent, so the
// store's logs name the application as well as the library.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		s.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithTimeout bounds each call, all of its retries and waits included. The
// default is two minutes; 0 leaves only the caller's context.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return invalidf("WithTimeout", "must not be negative, got %s", d)
		}
		s.timeout = d
		return nil
	}
}

// WithMaxResponseBytes sets the largest response body the Client will read;
// a larger one fails with an error instead of filling memory. The default,
// 4 MiB, is several times a full page of 250 groups.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return invalidf("WithMaxResponseBytes", "must be positive, got %d", n)
		}
		s.maxBody = n
		return nil
	}
}

// WithMaxConcurrentRequests caps how many requests the Client has in flight
// at once. The default is 40, BigCommerce's limit for these endpoints.
func WithMaxConcurrentRequests(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return invalidf("WithMaxConcurrentRequests", "must be at least 1, got %d", n)
		}
		s.maxConcurrent = n
		return nil
	}
}

// WithoutThrottling stops the Client from holding requests back when the
// store's quota is spent. Requests then go out at once and any 429 is
// handled by the retry policy alone.
func WithoutThrottling() Option {
	return func(s *settings) error {
		s.throttle = false
		return nil
	}
}

// NewClient returns a Client that authenticates with auth. It checks the
// credentials' shape and the API root before anything is sent, and refuses
// to send credentials over plain http to anything but a loopback address.
func NewClient(auth Authenticator, opts ...Option) (*Client, error) {
	if auth == nil {
		return nil, invalidf("auth", "an Authenticator is required")
	}
	if v, ok := auth.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	s := settings{
		retryMax:      defaultRetryMax,
		waitMin:       defaultRetryWaitMin,
		waitMax:       defaultRetryWaitMax,
		timeout:       defaultTimeout,
		maxBody:       defaultMaxResponseBytes,
		maxConcurrent: defaultMaxConcurrent,
		throttle:      true,
	}
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	root := s.baseURL
	if root == "" {
		root = auth.BaseURL()
	}
	root, err := checkBaseURL(root)
	if err != nil {
		return nil, err
	}

	ua := defaultUserAgent
	if s.userAgent != "" {
		ua = s.userAgent + " " + defaultUserAgent
	}
	c := &Client{
		baseURL:   root,
		auth:      auth,
		userAgent: ua,
		logger:    s.logger,
		timeout:   s.timeout,
		maxBody:   s.maxBody,
		retryMax:  s.retryMax,
		waitMin:   s.waitMin,
		waitMax:   s.waitMax,
		limiter:   newLimiter(s.maxConcurrent, s.throttle, s.waitMax),
	}
	c.http = c.wrapHTTPClient(s.httpClient, s.maxConcurrent)
	c.retry = &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     s.retryMax,
		RetryWaitMin: s.waitMin,
		RetryWaitMax: s.waitMax,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		// The passthrough handler hands back the last response or error
		// instead of go-retryablehttp's "giving up" message, so the caller
		// sees the typed error of what actually happened.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	c.CustomerGroups = &CustomerGroupsService{client: c}
	return c, nil
}

// BaseURL returns the API root the Client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL }

// Rate returns the store's rate-limit state as of the latest response, for
// applications that schedule their own work. It is the zero Rate before the
// first response that carried rate-limit headers.
func (c *Client) Rate() Rate { return c.limiter.rate() }

func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", invalidf("base URL", "must be an absolute http or https URL, got %q", sanitizeURL(raw))
	}
	if u.User != nil {
		return "", invalidf("base URL", "must not carry credentials; give them to the Authenticator")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", invalidf("base URL", "must not have a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", invalidf("base URL", "plain http would expose the credentials on the network; use https (http is allowed only for loopback addresses), got %q", u.Host)
		}
	default:
		return "", invalidf("base URL", "scheme must be http or https, got %q", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wrapHTTPClient returns the http.Client the Client really uses: a copy of
// the caller's, or a fresh one whose idle pool is as large as the
// concurrency cap, so that concurrent callers reuse connections instead of
// opening a new one each time a small pool overflows.
func (c *Client) wrapHTTPClient(hc *http.Client, maxConcurrent int) *http.Client {
	var out http.Client
	var base http.RoundTripper
	if hc != nil {
		out = *hc
		base = hc.Transport
	}
	if base == nil {
		if hc != nil {
			base = http.DefaultTransport
		} else {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = maxConcurrent
			// No more connections than requests can be in flight: left
			// uncapped, net/http dials for a request that waits, keeps
			// the connection when another one frees up first and serves
			// the request, and so opens more than it ever uses at once.
			t.MaxConnsPerHost = maxConcurrent
			t.ResponseHeaderTimeout = time.Minute
			base = t
		}
	}
	out.Transport = &transport{base: base, client: c}
	out.CheckRedirect = checkRedirect
	return &out
}

// checkRedirect lets a redirect through only to the same scheme and host:
// the credential headers are copied onto redirected requests, and
// net/http strips only Authorization and Cookie, not X-Auth-Token.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &redirectError{reason: "stopped after 5 redirects"}
	}
	orig := via[0].URL
	if req.URL.Host != orig.Host || req.URL.Scheme != orig.Scheme {
		return &redirectError{reason: fmt.Sprintf("refusing redirect from %s://%s to %s://%s: the credentials would follow it",
			orig.Scheme, orig.Host, req.URL.Scheme, req.URL.Host)}
	}
	return nil
}

type redirectError struct{ reason string }

func (e *redirectError) Error() string { return "bigcommerce: " + e.reason }

// transport is the innermost layer under go-retryablehttp: every attempt,
// retries included, passes the throttle and reports its rate headers here.
type transport struct {
	base   http.RoundTripper
	client *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	release, err := c.limiter.acquire(req.Context())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		c.limiter.abort()
		release()
		if c.logger != nil {
			c.logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request failed",
				slog.String("method", req.Method), slog.String("path", req.URL.Path),
				slog.Duration("elapsed", time.Since(start)), slog.String("error", err.Error()))
		}
		return nil, err
	}
	c.limiter.observe(resp)
	if resp.Body == nil {
		// RoundTrippers may leave the body nil; net/http fills it in only
		// above this layer.
		resp.Body = http.NoBody
	}
	resp.Body = &releaseOnClose{ReadCloser: resp.Body, release: release}
	if c.logger != nil {
		c.logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
	return resp, nil
}

// releaseOnClose frees the request's concurrency slot once its body is
// closed, so a slow reader still counts as a request in flight.
type releaseOnClose struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.release)
	return err
}

// Response is the HTTP response to a call. Its body has already been read
// and closed; Rate holds the rate-limit headers it carried.
type Response struct {
	*http.Response

	// Rate is the store's rate-limit state reported by this response.
	Rate Rate
}

func newResponse(r *http.Response) *Response {
	rate, _ := parseRate(r.Header)
	return &Response{Response: r, Rate: rate}
}

// call describes one API call: what to send and how it may be retried.
type call struct {
	method string
	path   string // relative to the API root, starting with "/"
	query  any    // struct encoded with go-querystring, or nil
	body   any    // encoded to JSON once, or nil
	policy retryPolicy
	out    any // decoded from a 2xx body when non-nil
	// emptyOK: a 204 or an empty body is a valid answer (an empty list);
	// otherwise an empty body where out expects one is a DecodeError.
	emptyOK bool
	// goneOK: a 404 after a retry that followed a 5xx or a broken
	// connection means that earlier attempt did the work (a delete that was
	// applied before its answer was lost). After a 429 it means nothing:
	// the server had refused that attempt unprocessed.
	goneOK bool
}

var errEmptyBody = errors.New("the body is empty")

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// do runs a call and decodes the answer. Every non-2xx answer, and a 207,
// becomes an *APIError; the returned *Response is non-nil whenever the
// server answered.
func (c *Client) do(ctx context.Context, cl call) (*Response, error) {
	if ctx == nil {
		return nil, invalidf("ctx", "must not be nil")
	}
	u := c.baseURL + cl.path
	if cl.query != nil {
		v, err := query.Values(cl.query)
		if err != nil {
			return nil, fmt.Errorf("bigcommerce: encoding query: %w", err)
		}
		if q := v.Encode(); q != "" {
			u += "?" + q
		}
	}
	var body any
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("bigcommerce: encoding request body: %w", err)
		}
		body = b
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	state := &attemptState{policy: cl.policy, method: cl.method, path: cl.path}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, attemptKey{}, state), cl.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("bigcommerce: building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.auth.Authenticate(req.Request); err != nil {
		return nil, err
	}

	httpResp, err := c.retry.Do(req)
	if err != nil {
		if httpResp != nil {
			drainClose(httpResp.Body)
		}
		return nil, c.transportError(ctx, cl, err)
	}
	defer drainClose(httpResp.Body)
	resp := newResponse(httpResp)
	decodeErr := func(err error) error {
		return &DecodeError{Method: cl.method, URL: sanitizeURL(u), StatusCode: httpResp.StatusCode, Err: err}
	}

	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := c.readBody(buf, httpResp); err != nil {
		if ctx.Err() != nil {
			// The caller's context or the Client's timeout ended the
			// call while the body was still arriving.
			return resp, c.transportError(ctx, cl, err)
		}
		if httpResp.StatusCode >= 200 && httpResp.StatusCode <= 299 && httpResp.StatusCode != http.StatusMultiStatus {
			// A success whose body could not be read whole (cut short,
			// badly encoded, over the limit) is not an API error.
			return resp, decodeErr(err)
		}
		return resp, &APIError{StatusCode: httpResp.StatusCode, Method: cl.method, URL: sanitizeURL(u), Errors: []ErrorDetail{{Message: err.Error()}}, err: err}
	}
	if cl.goneOK && httpResp.StatusCode == http.StatusNotFound && state.mayHaveApplied {
		return resp, nil
	}
	if httpResp.StatusCode == http.StatusMultiStatus || httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		apiErr := newAPIError(httpResp, cl.method, u, buf.Bytes())
		apiErr.redact(credentialValues(req.Header))
		return resp, apiErr
	}
	if cl.out == nil {
		return resp, nil
	}
	if httpResp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(buf.Bytes())) == 0 {
		if cl.emptyOK {
			return resp, nil
		}
		return resp, decodeErr(errEmptyBody)
	}
	if err := decodeBody(buf.Bytes(), cl.out); err != nil {
		return resp, decodeErr(err)
	}
	return resp, nil
}

func putBuffer(b *bytes.Buffer) {
	// A buffer grown by an unusually large body is left to the collector
	// rather than pinned in the pool.
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// readBody reads at most maxBody bytes. A larger body is refused rather than
// read: a hostile or broken server must not be able to fill memory.
func (c *Client) readBody(buf *bytes.Buffer, r *http.Response) error {
	if r.ContentLength > c.maxBody {
		return &BodyTooLargeError{Limit: c.maxBody}
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, c.maxBody+1))
	if err != nil {
		return fmt.Errorf("bigcommerce: reading response body: %w", err)
	}
	if n > c.maxBody {
		return &BodyTooLargeError{Limit: c.maxBody}
	}
	return nil
}

// drainClose reads what is left of a small body before closing it, so that
// the connection goes back to the pool; a body with more left than that is
// closed at once, which costs the connection but not the memory.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}

// transportError turns what go-retryablehttp returned when no response
// came back into the error the caller should see.
func (c *Client) transportError(ctx context.Context, cl call, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		// The throttle refused to wait; say which call it was.
		apiErr.Method, apiErr.URL = cl.method, sanitizeURL(c.baseURL+cl.path)
		return apiErr
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return &RequestError{Method: cl.method, Path: cl.path, Err: err}
}
