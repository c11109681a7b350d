package redisquota

import (
	"context"
	"errors"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// TestRedisBackIsHeardAtOnceHoweverLongItWasDown is rule F7's own dial:
// go-redis's pool counts its failed dials and, once they reach its size,
// fails every command at once until a dial it makes in the background,
// once a second, succeeds. Asking whether Redis is back with commands ran
// that count up, and processes paced alone for up to a second after
// Redis had returned.
func TestRedisBackIsHeardAtOnceHoweverLongItWasDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// One try a dial, so that each failed dial counts at once.
	const poolSize = 2
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: poolSize, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	l := MustNew(rdb)
	root := rootOf(t, "")
	acquire(t, l, root).Release()

	srv.Kill()
	for i := range 4 * poolSize {
		_, err := l.Acquire(context.Background(), root, time.Second)
		if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
			t.Fatalf("Acquire %d with Redis down: %v, want ErrLimiterUnavailable", i, err)
		}
	}
	srv.Restart()
	if _, err := l.Acquire(context.Background(), root, time.Second); err != nil {
		t.Fatalf("Acquire with Redis back: %v, want a permit at once", err)
	}
}
