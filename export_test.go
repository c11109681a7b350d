package bigcommerce

import (
	"context"
	"time"
)

// NewThrottle builds the Client's own pacing, as a RateLimiter, for the
// tests in package bigcommerce_test, which can import ratelimittest: a
// test in package bigcommerce cannot, since ratelimittest imports
// bigcommerce. It paces as a Client built with
// WithMaxConcurrentRequests(maxInFlight) and no shared limiter does.
func NewThrottle(maxInFlight int) RateLimiter {
	s := defaultSettings()
	s.maxConcurrent = maxInFlight
	return pacerLimiter{newPacer(&s, "")}
}

// pacerLimiter is a pacer seen as a RateLimiter.
type pacerLimiter struct{ p *pacer }

func (l pacerLimiter) Acquire(ctx context.Context, _ string, maxWait time.Duration) (Permit, error) {
	return l.p.acquire(ctx, maxWait)
}

func (l pacerLimiter) Rate(string) Rate { return l.p.rate() }
