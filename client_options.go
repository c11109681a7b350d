package bigcommerce

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

const (
	defaultRetryMax         = 3
	defaultRetryWaitMin     = 500 * time.Millisecond
	defaultRetryWaitMax     = 30 * time.Second
	defaultRateLimitWait    = 30 * time.Second
	defaultTimeout          = 2 * time.Minute
	defaultMaxResponseBytes = 4 << 20
	// defaultMaxConcurrent follows BigCommerce's stated limit of 40 concurrent
	// requests for the customer-group endpoints.
	defaultMaxConcurrent = 40
)

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
	noThrottle    bool // WithoutThrottling
	rateWait      time.Duration
	limiter       RateLimiter
	tracer        Tracer
}

func defaultSettings() settings {
	return settings{
		retryMax:      defaultRetryMax,
		waitMin:       defaultRetryWaitMin,
		waitMax:       defaultRetryWaitMax,
		timeout:       defaultTimeout,
		maxBody:       defaultMaxResponseBytes,
		maxConcurrent: defaultMaxConcurrent,
		rateWait:      defaultRateLimitWait,
	}
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

// WithRetryMax sets how many times a call may be retried after its first
// request (0 turns retries off). The default is 3. Every retry counts, those
// after a 429 included, so a store that keeps answering 429 costs a call at
// most n+1 requests; the call then ends with the last 429 as an error
// matching ErrRateLimited, whose RetryAfter says how long the store asked
// to wait.
func WithRetryMax(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return invalidf("WithRetryMax", "must not be negative, got %d", n)
		}
		s.retryMax = n
		return nil
	}
}

// WithRetryWait sets the shortest and the longest backoff between two
// attempts after a failure: it grows exponentially from min with jitter and
// never exceeds max. The defaults are 500ms and 30s. After a 429 the wait is
// what the store asked for or the backoff, whichever is longer, so a 429
// that keeps coming back is retried later each time. WithRetryWait(0, 0)
// retries failures at once, which is what tests want; it does not change
// how long a request may wait for the rate limit (see
// WithMaxRateLimitWait).
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

// WithMaxRateLimitWait sets the longest a request may wait for the store's
// quota: for the rate limiter to let it go, or for one 429's X-Retry-After
// before it is retried. A longer wait is not taken, and neither is one that
// would run past the call's deadline: the rate-limit error comes back at
// once with its RetryAfter, and the caller decides. It bounds each wait; how
// many times a 429 is retried is WithRetryMax's to say. The default is 30s,
// one BigCommerce rate-limit window; 0 never waits for the quota.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return invalidf("WithMaxRateLimitWait", "must not be negative, got %s", d)
		}
		s.rateWait = d
		return nil
	}
}

// WithRateLimiter paces the Client's requests with rl, for processes that
// share one store's quota (see the redisquota module). While rl reports
// itself unavailable, requests pace alone with the share of the store the
// Client learnt from its answers, so a failing limiter never fails a call
// (rules F5 and F6 of docs/pacing.md).
func WithRateLimiter(rl RateLimiter) Option {
	return func(s *settings) error {
		if rl == nil {
			return invalidf("WithRateLimiter", "must not be nil")
		}
		s.limiter = rl
		return nil
	}
}

// WithoutThrottling stops the Client from holding requests back for the
// store's quota. Requests then go out at once, within the cap on requests
// in flight, and any 429 is handled by the retry policy alone.
func WithoutThrottling() Option {
	return func(s *settings) error {
		s.noThrottle = true
		return nil
	}
}
