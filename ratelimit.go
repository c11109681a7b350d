package bigcommerce

import (
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a store's API quota as BigCommerce reports it on every OAuth
// response. The quota is shared by every app installed on the store.
type Rate struct {
	// Quota is how many requests the store may make per window.
	Quota int
	// Remaining is how many of them are left in the current window.
	Remaining int
	// ResetIn is how long until the window ends and the quota refills.
	ResetIn time.Duration
	// Window is the length of one window.
	Window time.Duration
}

const (
	headerQuota      = "X-Rate-Limit-Requests-Quota"
	headerLeft       = "X-Rate-Limit-Requests-Left"
	headerResetMs    = "X-Rate-Limit-Time-Reset-Ms"
	headerWindowMs   = "X-Rate-Limit-Time-Window-Ms"
	headerRetryAfter = "X-Retry-After"
)

// ParseRate reads BigCommerce's rate-limit headers from an answer, by rule
// P1 of docs/pacing.md. It is exported for RateLimiter implementations, so
// that they read the headers by the same rules as the Client's own
// pacing. It reports false when the
// answer carried no usable X-Rate-Limit-Requests-Left, which the throttle
// keys on; values that are negative or not numbers are ignored rather than
// trusted.
func ParseRate(h http.Header) (Rate, bool) {
	left, ok := headerInt(h, headerLeft)
	if !ok {
		return Rate{}, false
	}
	r := Rate{Remaining: left}
	r.Quota, _ = headerInt(h, headerQuota)
	if ms, ok := headerInt(h, headerResetMs); ok {
		r.ResetIn = msDuration(ms)
	}
	if ms, ok := headerInt(h, headerWindowMs); ok {
		r.Window = msDuration(ms)
	}
	return r, true
}

// headerInt parses a non-negative integer header; huge values saturate.
// Fractions are accepted and rounded up, since some proxies rewrite
// integral headers as decimals.
func headerInt(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(f) || f < 0 {
			return 0, false
		}
		if f > math.MaxInt32 {
			return math.MaxInt32, true
		}
		return int(math.Ceil(f)), true
	}
	if n < 0 {
		return 0, false
	}
	if n > math.MaxInt32 {
		return math.MaxInt32, true
	}
	return int(n), true
}

func msDuration(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// RateLimitWait is how long a 429 asks every client of the store to wait,
// by rule P7 of docs/pacing.md: X-Retry-After (BigCommerce's own header),
// which counts whole seconds, or the time until the window resets when
// that falls within the last of those seconds; else the time until the
// window resets; else a standard Retry-After in seconds from a proxy in
// between. It reports false for a 429 that asks for no wait: one without
// X-Retry-After that reports requests left in the window (the store's cap
// on requests in flight) or that carries none of these headers (load
// shedding), which the retry backoff handles.
func RateLimitWait(h http.Header) (time.Duration, bool) {
	reset, hasReset := headerInt(h, headerResetMs)
	if s, ok := headerInt(h, headerRetryAfter); ok {
		wait := time.Duration(s) * time.Second
		if r := msDuration(reset); hasReset && r > wait-time.Second && r < wait {
			return r, true
		}
		return wait, true
	}
	if left, ok := headerInt(h, headerLeft); ok && left > 0 {
		return 0, false
	}
	if hasReset {
		return msDuration(reset), true
	}
	if s, ok := headerInt(h, "Retry-After"); ok {
		return time.Duration(s) * time.Second, true
	}
	return 0, false
}

// PauseAfter is how long an answer pauses every request to its store, by
// rule P7 of docs/pacing.md: a 429's RateLimitWait, at most longest, so
// that an absurd X-Retry-After cannot stop a Client for days. It reports
// false for any other answer, and for a 429 that asks for no wait. It is
// the one place that says how long a 429 holds requests back: the Client's
// retries, its own pacing and a shared RateLimiter (such as redisquota's)
// all use it.
func PauseAfter(status int, h http.Header, longest time.Duration) (time.Duration, bool) {
	if status != http.StatusTooManyRequests {
		return 0, false
	}
	if d, ok := RateLimitWait(h); ok && d > 0 {
		return min(d, longest), true
	}
	return 0, false
}

// RateLimiter paces requests to a store's quota and to its cap on requests
// in flight; docs/pacing.md holds the rules. Every attempt a Client makes,
// retries included, first waits on Acquire, then reports its answer to the
// Permit it got, and releases the Permit when it is over.
//
// Without one, each Client paces alone, learning from the answers what
// share of the store the other processes and apps take. Processes that
// share one store's quota can share one limiter instead through
// WithRateLimiter, for example the Redis-backed one in the redisquota
// module. One RateLimiter may serve the Clients of many stores: each call
// names the store by the Client's API root.
type RateLimiter interface {
	// Acquire waits until one request to the store at apiRoot may be sent
	// and returns its Permit. It returns at once with a *ThrottleError when
	// the request could not go within maxWait, or before ctx's deadline; with
	// ctx's error when ctx ends while it waits; and with an error matching
	// ErrLimiterUnavailable when it cannot decide (its backend is down or
	// slow), in which case the Client paces the request alone (rule F6). A
	// maxWait of 0 asks for a Permit only if one is free now: the Client
	// asks so whether a limiter that failed answers again (rule F8).
	Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error)
	// Rate returns the limiter's view of the quota of the store at apiRoot,
	// with ResetIn counted from now, or the zero Rate when it has none.
	Rate(apiRoot string) Rate
}

// Permit is one request's leave to go out, given by a RateLimiter.
type Permit interface {
	// Report passes on the answer's status and headers as soon as they
	// arrive. It is called at most once, and not at all when the request
	// got no answer.
	Report(status int, header http.Header)
	// Release ends the request once its body is closed or it failed. The
	// Client calls it once, after Report; a second call must do nothing,
	// so that a stray one cannot free another request's slot. It must not
	// block for long.
	Release()
}

// releaseOnClose releases the request's permit once its body is closed, so
// a slow reader still counts as a request in flight (rule P10).
type releaseOnClose struct {
	io.ReadCloser
	permit Permit
	once   sync.Once
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.permit.Release)
	return err
}
