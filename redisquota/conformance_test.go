package redisquota

import (
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/ratelimittest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// newLimiter builds a Limiter or fails the test; the constructors' names
// change in one place.
func newLimiter(t testing.TB, rdb redis.UniversalClient, opts ...Option) *Limiter {
	t.Helper()
	l, err := New(rdb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLimiterConformance holds the Limiter to the contract every
// RateLimiter keeps, with each case's limiters standing for processes that
// share one Redis: through a go-redis client that honours deadlines, as
// the README advises, and through one that does not, for which the
// Limiter runs each step in a goroutine of its own.
func TestLimiterConformance(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	for _, c := range []struct {
		name       string
		ctxTimeout bool
		opts       []ratelimittest.Option
	}{
		{"ClientHonouringDeadlines", true, nil},
		{"ClientIgnoringDeadlines", false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
				// Each limiter has a connection pool of its own, as a
				// process would.
				rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: c.ctxTimeout})
				t.Cleanup(func() { _ = rdb.Close() })
				// The step timeout is generous: the suite is about
				// counting, and under the race detector on a busy machine
				// a step can take far longer than in production.
				return newLimiter(t, rdb,
					WithKeyPrefix("conformance:"+cfg.Namespace),
					WithMaxConcurrentRequests(cfg.MaxInFlight),
					WithStepTimeout(5*time.Second))
			}, append(c.opts, ratelimittest.Shared())...)
		})
	}
}
