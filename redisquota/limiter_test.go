package redisquota

import (
	"context"
	"errors"
	"github.com/redis/go-redis/v9"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

func TestAProbeWithoutAnAnswerLetsTheNextRequestProbe(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := MustNew(srv.Client()), MustNew(srv.Client())
	root := rootOf(t, "")
	acquire(t, a, root).Release() // the request failed: no Report
	p := acquire(t, b, root)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Acquire(ctx, root, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the second probe did not go alone: %v", err)
	}
	p.Release()
}

func TestTheConcurrencyCapIsSharedAndLeasesOfDeadProcessesExpire(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	const ttl = 300 * time.Millisecond
	dead := MustNew(srv.Client(), WithMaxConcurrentRequests(2), WithLeaseTTL(ttl))
	alive := MustNew(srv.Client(), WithMaxConcurrentRequests(2), WithLeaseTTL(ttl))
	root := rootOf(t, "")
	teach(t, alive, root, 100, time.Minute)
	// The dead process took both slots and will never release them.
	acquire(t, dead, root)
	start := time.Now()
	acquire(t, dead, root)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := alive.Acquire(ctx, root, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third request went with two in flight and a cap of 2: %v", err)
	}
	p := acquire(t, alive, root)
	if elapsed := time.Since(start); elapsed < ttl-20*time.Millisecond {
		t.Errorf("a slot came free after %s, before the lease TTL of %s", elapsed, ttl)
	}
	p.Release()
}

func TestAProbeOfADeadProcessExpires(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	const ttl = 200 * time.Millisecond
	dead, alive := MustNew(srv.Client(), WithLeaseTTL(ttl)), MustNew(srv.Client(), WithLeaseTTL(ttl))
	root := rootOf(t, "")
	start := time.Now()
	acquire(t, dead, root)
	p := acquire(t, alive, root)
	if elapsed := time.Since(start); elapsed < ttl-20*time.Millisecond {
		t.Errorf("the next probe went after %s, before the dead probe's lease of %s ran out", elapsed, ttl)
	}
	p.Release()
}

func TestManyStoresOnOneRedisKeepSeparateQuotas(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	l := MustNew(rdb, WithKeyPrefix("test:quota"), WithStepTimeout(5*time.Second))
	small, large := rootOf(t, "-small"), rootOf(t, "-large")
	teach(t, l, small, 3, time.Minute)
	teach(t, l, large, 20, time.Minute)
	if got := grab(t, []*Limiter{l}, small, 10); got != 2 {
		t.Errorf("%d granted on the small store, want 2", got)
	}
	if got := grab(t, []*Limiter{l}, large, 30); got != 19 {
		t.Errorf("%d granted on the large store, want 19: the small store's spent quota leaked into it", got)
	}
	keys, err := rdb.Keys(context.Background(), "test:quota:*:state").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Errorf("state keys %q, want one per store", keys)
	}
}

func TestRedisRestartingEmptyRebuildsTheState(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := MustNew(srv.Client(), WithStepTimeout(200*time.Millisecond))
	root := rootOf(t, "")
	teach(t, l, root, 5, time.Minute)
	srv.Restart()
	// The scripts and the state are gone; the next request probes again
	// and its answer teaches the quota anew.
	p := acquire(t, l, root)
	p.Report(http.StatusOK, rateHeader(5, 1, time.Minute, time.Minute))
	p.Release()
	if got := grab(t, []*Limiter{l}, root, 5); got != 1 {
		t.Errorf("%d granted after the restart, want the 1 the answer said was left", got)
	}
}

// failedDials counts the dials to Redis that failed, as go-redis makes
// them.
type failedDials struct{ n atomic.Int64 }

func (f *failedDials) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			f.n.Add(1)
		}
		return conn, err
	}
}

func (f *failedDials) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (f *failedDials) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestRedisDownMakesAcquireUnavailableAtOnce: with Redis killed, Acquire
// and Release give up at the first refused dial (rule F7), not after
// go-redis's retries of the dial (five) or the patience a slow Redis gets
// (two seconds). Counted in dials, which a loaded machine cannot skew: one
// for the step, and perhaps one for the background step that gives back
// what a failed Acquire may have been granted.
func TestRedisDownMakesAcquireUnavailableAtOnce(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	dials := &failedDials{}
	rdb := srv.Client()
	rdb.AddHook(dials)
	l := MustNew(rdb)
	root := rootOf(t, "")
	teach(t, l, root, 5, time.Minute)
	held := acquire(t, l, root)
	srv.Kill()
	_, err := l.Acquire(context.Background(), root, time.Minute)
	if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire with Redis down = %v, want ErrLimiterUnavailable", err)
	}
	if n := dials.n.Load(); n > 2 {
		t.Errorf("Acquire returned after %d failed dials, want it to give up at the first", n)
	}
	before := dials.n.Load()
	held.Release()
	if n := dials.n.Load() - before; n > 2 {
		t.Errorf("Release returned after %d failed dials, want it to give up at the first", n)
	}
}

func TestACanceledContextIsNotReportedAsUnavailable(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := MustNew(srv.Client())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Acquire(ctx, rootOf(t, ""), time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire = %v, want context.Canceled", err)
	}
}
