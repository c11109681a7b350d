package redisquota

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// commandCounter counts the commands a go-redis client sends, pipelined
// ones included.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestOneRoundTripBeforeARequestAndOneAfter: a request that need not wait
// costs one command to Redis before it goes out and one after its answer,
// once the scripts are loaded.
func TestOneRoundTripBeforeARequestAndOneAfter(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	l := New(rdb)
	root := rootOf(t, "")
	teach(t, l, root, 100, time.Minute)
	counter := &commandCounter{}
	rdb.AddHook(counter)
	p := acquire(t, l, root)
	if n := counter.n.Load(); n != 1 {
		t.Errorf("Acquire sent %d commands to Redis, want 1", n)
	}
	p.Report(http.StatusOK, rateHeader(100, 97, time.Minute, time.Minute))
	if n := counter.n.Load(); n != 1 {
		t.Errorf("Report sent %d commands to Redis, want none", n-1)
	}
	p.Release()
	if n := counter.n.Load(); n != 2 {
		t.Errorf("Acquire, Report and Release sent %d commands to Redis, want 2", n)
	}
}
