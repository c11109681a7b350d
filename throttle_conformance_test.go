package bigcommerce_test

import (
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/ratelimittest"
)

// TestThrottleConformance holds the Client's in-process throttle to the
// contract every RateLimiter keeps.
func TestThrottleConformance(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
		return bigcommerce.NewThrottle(cfg.MaxInFlight)
	})
}
