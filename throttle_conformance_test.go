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
	},
		// Both deviations are reported to the throttle's owner (issue 15);
		// drop each Skip with its fix.
		ratelimittest.Skip("ASecondReleaseIsANoOp",
			"known bug: throttlePermit.Release has no guard, so a second call takes another request's slot, or blocks when none is held"),
		ratelimittest.Skip("ACanceledWaiterDoesNotEndTheFirstRequestsHold",
			"known bug: every permit released without an answer ends the probe, including the one Acquire releases when a waiter's context ends"),
	)
}
