package proof

import (
	"github.com/redis/go-redis/v9"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota"
)

// sharedLimiter is what a process that shares its store's quota sets up:
// a Redis client and redisquota's limiter on it, with their defaults.
func sharedLimiter(addr string) (bigcommerce.RateLimiter, func()) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	return redisquota.MustNew(rdb), func() { _ = rdb.Close() }
}
