package redisquota

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// The headers are read with the same lenient rules as the core's
// in-process throttle, which does not export its parser.
const (
	headerQuota      = "X-Rate-Limit-Requests-Quota"
	headerLeft       = "X-Rate-Limit-Requests-Left"
	headerResetMs    = "X-Rate-Limit-Time-Reset-Ms"
	headerWindowMs   = "X-Rate-Limit-Time-Window-Ms"
	headerRetryAfter = "X-Retry-After"
)

// parseRate reports false without a usable X-Rate-Limit-Requests-Left, the
// header the count is corrected from.
func parseRate(h http.Header) (bigcommerce.Rate, bool) {
	left, ok := headerInt(h, headerLeft)
	if !ok {
		return bigcommerce.Rate{}, false
	}
	r := bigcommerce.Rate{Remaining: left}
	r.Quota, _ = headerInt(h, headerQuota)
	if ms, ok := headerInt(h, headerResetMs); ok {
		r.ResetIn = time.Duration(ms) * time.Millisecond
	}
	if ms, ok := headerInt(h, headerWindowMs); ok {
		r.Window = time.Duration(ms) * time.Millisecond
	}
	return r, true
}

// headerInt parses a non-negative integer, saturating huge values and
// rounding fractions up (some proxies rewrite integers as decimals);
// anything else is ignored rather than trusted.
func headerInt(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f > math.MaxInt32 {
		return math.MaxInt32, true
	}
	return int(math.Ceil(f)), true
}

// serverWait is how long a 429 asks every process to wait: BigCommerce's
// X-Retry-After in seconds, else the time until the window resets, else a
// proxy's Retry-After in seconds.
func serverWait(h http.Header) (time.Duration, bool) {
	if s, ok := headerInt(h, headerRetryAfter); ok {
		return time.Duration(s) * time.Second, true
	}
	if ms, ok := headerInt(h, headerResetMs); ok {
		return time.Duration(ms) * time.Millisecond, true
	}
	if s, ok := headerInt(h, "Retry-After"); ok {
		return time.Duration(s) * time.Second, true
	}
	return 0, false
}
