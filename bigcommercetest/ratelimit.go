package bigcommercetest

import (
	"net/http"
	"strconv"
	"time"
)

// limiter counts requests in fixed windows, the way BigCommerce's headers
// describe them: a window opens with the first request after the previous
// one ended, and its quota refills all at once when it ends.
type limiter struct {
	quota  int
	window time.Duration
	start  time.Time
	used   int
}

// take counts one request at t unless the quota is spent, and returns the
// requests left and the time until the window ends.
func (l *limiter) take(t time.Time) (ok bool, left int, reset time.Duration) {
	if l.start.IsZero() || t.Sub(l.start) >= l.window {
		l.start, l.used = t, 0
	}
	reset = l.start.Add(l.window).Sub(t)
	if l.used >= l.quota {
		return false, 0, reset
	}
	l.used++
	return true, l.quota - l.used, reset
}

// peek is what take would report at t, without counting a request.
func (l *limiter) peek(t time.Time) (left int, reset time.Duration) {
	if l.start.IsZero() || t.Sub(l.start) >= l.window {
		return l.quota, l.window
	}
	return l.quota - l.used, l.start.Add(l.window).Sub(t)
}

func (l *limiter) setHeaders(h http.Header, left int, reset time.Duration) {
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(l.quota))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(left))
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(l.window.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(ceilDiv(reset, time.Millisecond), 10))
}

// retryAfter is the X-Retry-After value: whole seconds, rounded up so that a
// client waiting that long always finds a fresh window.
func retryAfter(reset time.Duration) string {
	return strconv.FormatInt(max(1, ceilDiv(reset, time.Second)), 10)
}

func ceilDiv(d, unit time.Duration) int64 {
	return int64((d + unit - 1) / unit)
}

// SetRateLimit changes the quota and window and starts a fresh window.
func (s *Server) SetRateLimit(quota int, window time.Duration) {
	checkRateLimit(quota, window)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limiter = limiter{quota: quota, window: window}
}
