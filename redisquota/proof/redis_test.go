package proof

import (
	"github.com/redis/go-redis/v9"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota"
)

// sharedLimiter is what a process that shares its store's quota sets up:
// a Redis client and redisquota's limiter on it, with their defaults. A
// fleetSize above 0 is told to the Client through toldFleet when the
// limiter does not report the fleet's size itself.
func sharedLimiter(addr string, fleetSize int) (bigcommerce.RateLimiter, func()) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	var rl bigcommerce.RateLimiter = redisquota.MustNew(rdb)
	return rl, func() { _ = rdb.Close() }
}

// toldFleet is a stand-in for a limiter that knows how many processes
// share the store: the proof knows how many it started. It measures the
// Client's fair share while Redis is away, apart from how well the limiter
// learns the fleet's size.
type toldFleet struct {
	bigcommerce.RateLimiter
	size int
}

func (f toldFleet) FleetSize(string) int { return f.size }
