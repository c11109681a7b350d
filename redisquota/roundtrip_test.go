package redisquota

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// commandCounter counts the commands a go-redis client sends, pipelined
// ones included, and keeps the names of the first few.
type commandCounter struct {
	n     atomic.Int64
	mu    sync.Mutex
	names []string
}

func (c *commandCounter) saw(cmd redis.Cmder) {
	c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) < 10 {
		c.names = append(c.names, cmd.Name())
	}
}

func (c *commandCounter) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.names)
}

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.saw(cmd)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.saw(cmd)
		}
		return next(ctx, cmds)
	}
}

// TestOneRoundTripBeforeARequestAndOneAfter: a request that need not wait
// costs one command to Redis before it goes out and one after its answer,
// once the scripts are loaded: each script, prelude and all, is one
// EVALSHA.
func TestOneRoundTripBeforeARequestAndOneAfter(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	l := MustNew(rdb)
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
	if names := counter.seen(); !slices.Equal(names, []string{"evalsha", "evalsha"}) {
		t.Errorf("the commands were %q, want one EVALSHA for each step", names)
	}
}

// TestTheSharedStateIsDecodedOnce: the scripts' shared start is written
// once, in prelude.lua, and each script Redis runs begins with it.
func TestTheSharedStateIsDecodedOnce(t *testing.T) {
	t.Parallel()
	for _, script := range []struct{ name, own, source string }{
		{"acquire.lua", acquireLua, acquireSource},
		{"release.lua", releaseLua, releaseSource},
	} {
		for _, shared := range []string{"redis.call('HMGET'", "redis.call('TIME')", "local function reply("} {
			if strings.Contains(script.own, shared) {
				t.Errorf("%s repeats the prelude's %s", script.name, shared)
			}
			if n := strings.Count(script.source, shared); n != 1 {
				t.Errorf("the script run for %s holds %s %d times, want once", script.name, shared, n)
			}
		}
		if !strings.HasPrefix(script.source, preludeLua) {
			t.Errorf("the script run for %s does not begin with the prelude", script.name)
		}
	}
}
