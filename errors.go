package bigcommerce

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors for errors.Is. An *APIError matches the one for its
// status code; validation errors match ErrInvalidRequest.
var (
	// ErrNotFound means the group does not exist (404).
	ErrNotFound = errors.New("bigcommerce: not found")
	// ErrUnauthorized means the credentials are missing or wrong (401).
	ErrUnauthorized = errors.New("bigcommerce: unauthorized")
	// ErrForbidden means the credentials lack the scope, e.g. a read-only
	// token writing (403).
	ErrForbidden = errors.New("bigcommerce: forbidden")
	// ErrConflict means the write conflicts with the store, e.g. a
	// duplicate group name (409).
	ErrConflict = errors.New("bigcommerce: conflict")
	// ErrBadRequest means the store refused the request as malformed or
	// breaking one of its rules (400, 422). The SDK checks what it can
	// before sending (ErrInvalidRequest), so this is a rule it could not
	// know, such as a category id the store does not have.
	ErrBadRequest = errors.New("bigcommerce: bad request")
	// ErrRateLimited means the store's quota is spent: the server answered
	// 429 (or 509, the legacy Basic-auth hourly limit), an *APIError, or
	// the Client's rate limiter refused to send the request because the
	// wait was too long, a *ThrottleError. Both carry RetryAfter; use
	// RetryAfter(err) to read it from either.
	ErrRateLimited = errors.New("bigcommerce: rate limited")
	// ErrPartialSuccess means the group was created or updated, but the
	// store's sitewide discount update failed (207). Repeating the same update is
	// safe; repeating a create would make a second group, so look the group
	// up by name first.
	ErrPartialSuccess = errors.New("bigcommerce: saved, but the sitewide discount update failed")
	// ErrServer means the server failed (5xx).
	ErrServer = errors.New("bigcommerce: server error")
	// ErrInvalidRequest means the SDK refused to send the request because
	// an argument breaks one of the API's rules. Nothing was sent.
	ErrInvalidRequest = errors.New("bigcommerce: invalid request")
	// ErrLimiterUnavailable is what a RateLimiter's Acquire returns, wrapped
	// or not, when it cannot decide, for instance because its backend is
	// down. The Client then paces the request itself; callers never see it.
	ErrLimiterUnavailable = errors.New("bigcommerce: rate limiter unavailable")
)

// The statuses with no sentinel of their own still match one or are
// documented here: 405, 406, 413 and 415 mean the SDK sent something the
// API does not take, which its checks exist to prevent, so they match no
// sentinel and the *APIError says which; 507 (the store is out of space)
// and 502, 503, 504 match ErrServer like every 5xx.

// ErrorDetail is one entry of a BigCommerce error body.
type ErrorDetail struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// APIError is returned for every answer that is not a success: any status
// outside 2xx, and 207. Use errors.As to reach it and errors.Is with the
// sentinels (ErrNotFound, ErrRateLimited, ...) to classify it.
type APIError struct {
	// StatusCode is the HTTP status the server answered with.
	StatusCode int
	// Method and URL identify the request. URL carries no credentials.
	Method, URL string
	// Errors holds the entries of the error body, however it was shaped
	// (v2 array, v3 object or plain text).
	Errors []ErrorDetail
	// RetryAfter is how long the server asked to wait, for 429s.
	RetryAfter time.Duration

	err error // the cause when the body could not be read
}

// Error reads well in a log line: method, path, status and first message.
func (e *APIError) Error() string {
	var b strings.Builder
	writeCall(&b, e.Method, e.URL)
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := statusText(e.StatusCode); text != "" {
		b.WriteByte(' ')
		b.WriteString(text)
	}
	if msg := e.Message(); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// statusText adds the legacy Basic-auth hourly limit, which net/http has
// no name for.
func statusText(code int) string {
	if code == 509 {
		return "Bandwidth Limit Exceeded"
	}
	return http.StatusText(code)
}

// Message is the first message of the error body, or "".
func (e *APIError) Message() string {
	for _, d := range e.Errors {
		if d.Message != "" {
			return d.Message
		}
	}
	return ""
}

// Is matches the sentinel for the error's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		// 509 is the legacy Basic-auth hourly limit.
		return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == 509
	case ErrPartialSuccess:
		return e.StatusCode == http.StatusMultiStatus
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode != 509
	}
	return false
}

// Unwrap returns what stopped the body from being read, if anything.
func (e *APIError) Unwrap() error { return e.err }

// redact replaces the given credentials wherever a server echoed them
// into the error's messages or details.
func (e *APIError) redact(secrets []string) {
	if len(secrets) == 0 {
		return
	}
	clean := func(s string) string {
		for _, secret := range secrets {
			s = strings.ReplaceAll(s, secret, "(redacted)")
		}
		return s
	}
	for i := range e.Errors {
		e.Errors[i].Message = clean(e.Errors[i].Message)
		for k, v := range e.Errors[i].Details {
			if s, ok := v.(string); ok {
				e.Errors[i].Details[k] = clean(s)
			}
		}
	}
}

// credentialValues lists the secrets an Authenticator put on a request:
// the token, the whole Authorization value, and a Basic password.
func credentialValues(h http.Header) []string {
	var out []string
	for _, v := range []string{h.Get("X-Auth-Token"), h.Get("Authorization")} {
		if len(v) >= 4 {
			out = append(out, v)
		}
	}
	if scheme, cred, ok := strings.Cut(h.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Basic") {
		out = append(out, cred)
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, pass, ok := strings.Cut(string(raw), ":"); ok && len(pass) >= 4 {
				out = append(out, pass)
			}
		}
	}
	return out
}

func newAPIError(r *http.Response, method, rawURL string, body []byte) *APIError {
	e := &APIError{StatusCode: r.StatusCode, Method: method, URL: sanitizeURL(rawURL), Errors: parseErrorBody(body)}
	if r.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter, _ = RateLimitWait(r.Header)
	}
	return e
}

// ValidationError says which field of a request breaks which rule. It
// matches ErrInvalidRequest; a request that fails validation is not sent.
type ValidationError struct {
	Field string
	Rule  string
}

// Error names the field and the rule it breaks.
func (e *ValidationError) Error() string {
	return "bigcommerce: invalid request: " + e.Field + ": " + e.Rule
}

// Is makes errors.Is(err, ErrInvalidRequest) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

func invalidf(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// DecodeError is returned when a successful answer's body is not what the
// API documents; the *Response is returned beside it.
type DecodeError struct {
	// Method and URL identify the request. URL carries no credentials.
	Method, URL string
	StatusCode  int
	Err         error
}

// Error names the call and what could not be decoded.
func (e *DecodeError) Error() string {
	var b strings.Builder
	writeCall(&b, e.Method, e.URL)
	fmt.Fprintf(&b, "%d: decoding response: %v", e.StatusCode, e.Err)
	return b.String()
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// RequestError is returned when no answer came back: the connection failed,
// the context ended or the Client's timeout passed.
type RequestError struct {
	// Method and URL identify the request. URL carries no credentials.
	Method, URL string
	Err         error
}

// Error names the call and why no answer came back.
func (e *RequestError) Error() string {
	var b strings.Builder
	writeCall(&b, e.Method, e.URL)
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *RequestError) Unwrap() error { return e.Err }

// OfflineError is the interface of an error that an http.RoundTripper
// returns when it answers from something other than the network, such as
// a recording (see bigcommercetest/recording), and has no answer for a
// request. Asking again would get the same answer, so the Client does not
// retry a request that failed with one. No server was contacted, so the
// RequestError it becomes holds it without the *url.Error that net/http
// wraps around a transport's error, whose message names the URL's host.
type OfflineError interface {
	error
	// Offline reports whether the request was answered without a network.
	Offline() bool
}

// isOffline reports whether err is, or wraps, an OfflineError that says so.
func isOffline(err error) bool {
	var off OfflineError
	return errors.As(err, &off) && off.Offline()
}

// ThrottleError is returned when the Client's rate limiter refused to send
// a request: by its count the store's quota stays spent for longer than
// the longest rate-limit wait (WithMaxRateLimitWait) or past the call's
// deadline. Nothing was sent. It matches ErrRateLimited, as a 429 from the
// server does; errors.As tells the two apart.
type ThrottleError struct {
	// Method and URL identify the request. URL carries no credentials.
	Method, URL string
	// RetryAfter is how long the limiter expects the quota to stay spent.
	RetryAfter time.Duration
	// Reason says why the limiter did not wait.
	Reason string
}

// Error names the call, says that it was not sent, and why.
func (e *ThrottleError) Error() string {
	var b strings.Builder
	writeCall(&b, e.Method, e.URL)
	b.WriteString("not sent, throttled locally")
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Millisecond))
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *ThrottleError) Is(target error) bool { return target == ErrRateLimited }

// RetryAfter returns how long a rate-limited call asks to wait, from a 429
// the server answered or from the Client's own rate limiter, and false for
// any other error.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && errors.Is(apiErr, ErrRateLimited) {
		return apiErr.RetryAfter, true
	}
	var throttled *ThrottleError
	if errors.As(err, &throttled) {
		return throttled.RetryAfter, true
	}
	return 0, false
}

// writeCall starts every error message of this package the same way:
// "bigcommerce: GET /stores/abc123/v2/customer_groups/1: ".
func writeCall(b *strings.Builder, method, rawURL string) {
	b.WriteString("bigcommerce: ")
	if method != "" {
		b.WriteString(method)
		b.WriteByte(' ')
	}
	if rawURL != "" {
		path := rawURL
		if u, err := url.Parse(rawURL); err == nil {
			path = u.EscapedPath()
		}
		b.WriteString(path)
		b.WriteString(": ")
	}
}

// BodyTooLargeError is returned when a response body is larger than the
// Client reads (see WithMaxResponseBytes).
type BodyTooLargeError struct{ Limit int64 }

// Error states the limit that was exceeded.
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("bigcommerce: response body larger than the %d-byte limit", e.Limit)
}

// sanitizeURL drops user information from a URL before it goes into an
// error or a log line.
func sanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "(redacted)" + raw[i+1:]
		}
		return raw
	}
	if u.User != nil {
		u.User = nil
	}
	return u.String()
}

// NameNotFoundError is FindByName's answer when the store has no group of
// that name, ignoring case. The store answered the search; it sent no 404,
// so this is not an *APIError. It matches ErrNotFound.
type NameNotFoundError struct {
	// Name is the name searched for.
	Name string
}

func (e *NameNotFoundError) Error() string {
	return fmt.Sprintf("bigcommerce: no customer group is named %q, ignoring case", e.Name)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NameNotFoundError) Is(target error) bool { return target == ErrNotFound }
