package bigcommerce

import "time"

// NewThrottle builds the in-process throttle for the tests in package
// bigcommerce_test, which can import ratelimittest: a test in package
// bigcommerce cannot, since ratelimittest imports bigcommerce. It paces as
// a Client built with WithMaxConcurrentRequests(maxInFlight) does.
func NewThrottle(maxInFlight int) RateLimiter {
	return newThrottle(maxInFlight, true, time.Minute)
}
