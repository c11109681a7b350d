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
	// ErrRateLimited means the store's quota is spent (429, or 509 for
	// legacy Basic-auth accounts), or the Client's throttle would have had
	// to wait longer than its longest retry wait. The *APIError's
	// RetryAfter says how long to wait.
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
)

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

	local bool  // made by the Client's throttle, not answered by the server
	err   error // the cause when the body could not be read
}

// Error reads well in a log line: method, path, status and first message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("bigcommerce: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
	}
	if e.URL != "" {
		if u, err := url.Parse(e.URL); err == nil {
			b.WriteString(u.Path)
		}
		b.WriteString(": ")
	}
	if e.local {
		b.WriteString("throttled locally")
	} else {
		b.WriteString(strconv.Itoa(e.StatusCode))
		if text := statusText(e.StatusCode); text != "" {
			b.WriteByte(' ')
			b.WriteString(text)
		}
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
		e.RetryAfter, _ = serverWait(r.Header)
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
	Method, URL string
	StatusCode  int
	Err         error
}

// Error names the call and what could not be decoded.
func (e *DecodeError) Error() string {
	path := e.URL
	if u, err := url.Parse(e.URL); err == nil {
		path = u.Path
	}
	return fmt.Sprintf("bigcommerce: %s %s: %d: decoding response: %v", e.Method, path, e.StatusCode, e.Err)
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// RequestError is returned when no answer came back: the connection failed,
// the context ended or the Client's timeout passed.
type RequestError struct {
	Method, Path string
	Err          error
}

// Error names the call and why no answer came back.
func (e *RequestError) Error() string {
	return fmt.Sprintf("bigcommerce: %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *RequestError) Unwrap() error { return e.Err }

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
