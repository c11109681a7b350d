package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-querystring/query"
)

// Version is the version of this library, sent in the User-Agent header.
const Version = "0.2.0"

const defaultUserAgent = "bigcommerce-customergroups-go/" + Version

// Client talks to the v2 customer groups API of one BigCommerce store. It is
// safe for concurrent use; share one Client per store so that all goroutines
// see the same rate-limit state.
type Client struct {
	// CustomerGroups reads and writes the store's customer groups.
	CustomerGroups *CustomerGroupsService

	baseURL   string // API root without a trailing slash
	auth      Authenticator
	userAgent string
	timeout   time.Duration
	maxBody   int64
	attempts  *retrier
	pacer     *pacer
	// cfg holds the settings, built once; the retrier and the pacer read
	// them from here.
	cfg *settings
}

// NewClient returns a Client that authenticates with auth. It checks the
// credentials (see Validator) and the API root before anything is sent, and
// refuses to send credentials over plain http to anything but a loopback
// address.
func NewClient(auth Authenticator, opts ...Option) (*Client, error) {
	if auth == nil {
		return nil, invalidf("auth", "an Authenticator is required")
	}
	if v, ok := auth.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	s := defaultSettings()
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	if s.limiter != nil && s.noThrottle {
		return nil, invalidf("WithoutThrottling", "cannot be combined with WithRateLimiter: the limiter given decides the pacing")
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
	p := newPacer(&s, root)
	c := &Client{
		baseURL:   root,
		auth:      auth,
		userAgent: ua,
		timeout:   s.timeout,
		maxBody:   s.maxBody,
		pacer:     p,
		cfg:       &s,
		attempts:  &retrier{s: &s, pacer: p, http: newHTTPClient(s.httpClient, s.maxConcurrent, &transport{pacer: p})},
	}
	c.CustomerGroups = &CustomerGroupsService{client: c}
	return c, nil
}

// CloseIdleConnections closes the connections the Client keeps open for
// reuse that no request is using, for a program that stops using the
// Client or wants fresh connections. Nothing else closes them: a call that
// fails or is cancelled leaves the other calls' connections in the pool.
func (c *Client) CloseIdleConnections() { c.attempts.http.CloseIdleConnections() }

// BaseURL returns the API root the Client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL }

// Rate returns the store's rate-limit state as the Client's rate limiter
// sees it, for applications that schedule their own work. It is the zero
// Rate before the first response that carried rate-limit headers.
func (c *Client) Rate() Rate { return c.pacer.rate() }

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

// Response is the HTTP response to a call. Its body has already been read
// and closed; Rate holds the rate-limit headers it carried.
type Response struct {
	*http.Response

	// Rate is the store's rate-limit state reported by this response.
	Rate Rate
}

func newResponse(r *http.Response) *Response {
	rate, _ := ParseRate(r.Header)
	return &Response{Response: r, Rate: rate}
}

// call describes one API call: what to send and how it may be retried.
type call struct {
	op string // the method called, as "CustomerGroups.List", for a Tracer
	// invalid is the error of the arguments' check: the call ends with it
	// before anything is sent.
	invalid error
	method  string
	path    string // relative to the API root, starting with "/"
	query   any    // struct encoded with go-querystring, or nil
	body    any    // encoded to JSON once, or nil
	policy  retryPolicy
	out     any // decoded from a 2xx body when non-nil
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

// bufPool holds the buffers response bodies are read into. It pays: read
// into a fresh buffer instead, decoding the 250-group page allocated 0.92x
// the floor's bytes instead of 0.45x, and Get 1.11x instead of 0.92x
// (BENCHMARKS.md, "What each special piece buys").
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// do runs a call and decodes the answer. Every non-2xx answer, and a 207,
// becomes an *APIError; the returned *Response is non-nil whenever the
// server answered.
func (c *Client) do(ctx context.Context, cl call) (*Response, error) {
	if ctx == nil {
		return nil, invalidf("ctx", "must not be nil")
	}
	tr := c.cfg.tracer
	if tr == nil {
		resp, _, err := c.send(ctx, cl)
		return resp, err
	}
	ctx = tr.TraceCallStart(ctx, TraceCallStartData{Operation: cl.op, Method: cl.method, APIRoot: c.baseURL})
	resp, attempts, err := c.send(ctx, cl)
	end := TraceCallEndData{Operation: cl.op, Attempts: attempts, Err: err}
	if resp != nil {
		end.StatusCode = resp.StatusCode
	}
	tr.TraceCallEnd(ctx, end)
	return resp, err
}

// send is do without the tracer: it also returns how many attempts it
// made.
func (c *Client) send(ctx context.Context, cl call) (*Response, int, error) {
	if cl.invalid != nil {
		return nil, 0, cl.invalid
	}
	u := c.baseURL + cl.path
	if cl.query != nil {
		v, err := query.Values(cl.query)
		if err != nil {
			return nil, 0, fmt.Errorf("bigcommerce: encoding query: %w", err)
		}
		if q := v.Encode(); q != "" {
			u += "?" + q
		}
	}
	var body []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, 0, fmt.Errorf("bigcommerce: encoding request body: %w", err)
		}
		body = b
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, cl.method, u, bytes.NewReader(body))
	} else {
		req, err = http.NewRequestWithContext(ctx, cl.method, u, nil)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("bigcommerce: building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.auth.Authenticate(req); err != nil {
		return nil, 0, err
	}

	httpResp, tries, err := c.attempts.run(ctx, req, cl.policy)
	if err != nil {
		if httpResp != nil {
			drainClose(httpResp.Body)
		}
		return nil, tries.attempts, transportError(ctx, cl.method, u, err)
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
			return resp, tries.attempts, transportError(ctx, cl.method, u, err)
		}
		if httpResp.StatusCode >= 200 && httpResp.StatusCode <= 299 && httpResp.StatusCode != http.StatusMultiStatus {
			// A success whose body could not be read whole (cut short,
			// badly encoded, over the limit) is not an API error.
			return resp, tries.attempts, decodeErr(err)
		}
		// The message is the cause's own, without its "bigcommerce:"
		// prefix, which the APIError's message already has.
		msg := strings.TrimPrefix(err.Error(), "bigcommerce: ")
		return resp, tries.attempts, &APIError{StatusCode: httpResp.StatusCode, Method: cl.method, URL: sanitizeURL(u), Errors: []ErrorDetail{{Message: msg}}, err: err}
	}
	if cl.goneOK && httpResp.StatusCode == http.StatusNotFound && tries.mayHaveApplied {
		return resp, tries.attempts, nil
	}
	if httpResp.StatusCode == http.StatusMultiStatus || httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		apiErr := newAPIError(httpResp, cl.method, u, buf.Bytes())
		apiErr.redact(credentialValues(req.Header))
		return resp, tries.attempts, apiErr
	}
	if cl.out == nil {
		return resp, tries.attempts, nil
	}
	if httpResp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(buf.Bytes())) == 0 {
		if cl.emptyOK {
			return resp, tries.attempts, nil
		}
		return resp, tries.attempts, decodeErr(errEmptyBody)
	}
	if err := decodeBody(buf.Bytes(), cl.out); err != nil {
		return resp, tries.attempts, decodeErr(err)
	}
	return resp, tries.attempts, nil
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
		return fmt.Errorf("reading the response body: %w", err)
	}
	if n > c.maxBody {
		return &BodyTooLargeError{Limit: c.maxBody}
	}
	return nil
}

// transportError turns what the attempts returned when no response
// came back into the error the caller should see.
func transportError(ctx context.Context, method, rawURL string, err error) error {
	var throttled *ThrottleError
	if errors.As(err, &throttled) {
		// The rate limiter refused to wait; say which call it was.
		throttled.Method, throttled.URL = method, sanitizeURL(rawURL)
		return throttled
	}
	var urlErr *url.Error
	if isOffline(err) && errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return &RequestError{Method: method, URL: sanitizeURL(rawURL), Err: err}
}
