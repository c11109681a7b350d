package redisquota

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/faultproxy"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// watchedLimiter counts what the Limiter answered the Client.
type watchedLimiter struct {
	*Limiter
	step                        time.Duration
	granted, unavailable, other atomic.Int64
	// early counts the times the Limiter gave up on Redis before its
	// step timeout had run out.
	early atomic.Int64
}

func (w *watchedLimiter) Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (bigcommerce.Permit, error) {
	start := time.Now()
	p, err := w.Limiter.Acquire(ctx, apiRoot, maxWait)
	switch {
	case err == nil:
		w.granted.Add(1)
	case errors.Is(err, bigcommerce.ErrLimiterUnavailable):
		w.unavailable.Add(1)
		if time.Since(start) < w.step {
			w.early.Add(1)
		}
	default:
		w.other.Add(1)
	}
	return p, err
}

// faultRig is a Client pacing through a Limiter whose Redis sits behind a
// fault proxy.
type faultRig struct {
	srv    *redistest.Server
	proxy  *faultproxy.Proxy
	lim    *watchedLimiter
	api    *bigcommercetest.Server
	client *bigcommerce.Client
}

func newFaultRig(t *testing.T, step time.Duration, ctxTimeout bool) *faultRig {
	t.Helper()
	srv := redistest.Start(t)
	proxy := faultproxy.Start(t, srv.Addr())
	rdb := redis.NewClient(&redis.Options{Addr: proxy.Addr(), ContextTimeoutEnabled: ctxTimeout})
	t.Cleanup(func() { _ = rdb.Close() })
	// A Redis that has been answering is waited for up to the longest step;
	// three steps keep a stall's detection within the tests' bounds.
	lim := &watchedLimiter{Limiter: newLimiter(t, rdb, WithStepTimeout(step), WithMaxStepTimeout(3*step)), step: step}
	api := bigcommercetest.NewServer(bigcommercetest.WithRateLimit(100000, time.Second))
	t.Cleanup(api.Close)
	return &faultRig{srv: srv, proxy: proxy, lim: lim, api: api, client: api.Client(bigcommerce.WithRateLimiter(lim))}
}

// calls makes n calls from a few goroutines and counts those that failed.
func (r *faultRig) calls(t *testing.T, n int) int {
	t.Helper()
	var failed atomic.Int64
	var wg sync.WaitGroup
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	for range 4 {
		wg.Go(func() {
			for range next {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, _, err := r.client.CustomerGroups.Count(ctx, nil)
				cancel()
				if err != nil {
					failed.Add(1)
					t.Errorf("a call failed: %v", err)
				}
			}
		})
	}
	wg.Wait()
	return int(failed.Load())
}

// callUntil makes calls until cond holds, failing the test if a call
// fails or cond does not hold within 10 s. The Client asks a Limiter that
// failed again only after a hold-off, so how many calls it takes to reach
// the Limiter depends on the clock; the calls are counted, not timed.
func (r *faultRig) callUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		if failed := r.calls(t, 4); failed != 0 {
			t.Fatalf("%s: %d of 4 calls failed", what, failed)
		}
	}
}

// paced reports whether the Limiter has paced a request since it had
// paced n.
func (r *faultRig) paced(n int64) func() bool {
	return func() bool { return r.lim.granted.Load() > n }
}

// TestLatencyUnderTheStepTimeoutIsNoOutage: Redis answering late, but
// within the step timeout, is slow, not down.
func TestLatencyUnderTheStepTimeoutIsNoOutage(t *testing.T) {
	t.Parallel()
	const step, latency = time.Second, 25 * time.Millisecond
	// A machine so busy that a step outlasts its timeout makes the
	// Limiter give up, rightly; such a try proves nothing, and is made
	// again. Giving up before the timeout is a failure on any try.
	for range 3 {
		r := newFaultRig(t, step, true)
		r.proxy.SetLatency(latency)
		const n = 24
		if failed := r.calls(t, n); failed != 0 {
			t.Fatalf("%d of %d calls failed", failed, n)
		}
		if r.proxy.Delayed() == 0 {
			t.Fatal("no answer from Redis was delayed: the latency was not in force")
		}
		if e := r.lim.early.Load(); e != 0 {
			t.Fatalf("the Limiter reported itself unavailable %d times before its step timeout of %s ran out, with each answer %s late", e, step, latency)
		}
		if n := r.lim.other.Load(); n != 0 {
			t.Fatalf("the Limiter answered %d times with neither a permit nor ErrLimiterUnavailable", n)
		}
		if r.lim.unavailable.Load() != 0 {
			continue // every outage outlasted the step timeout: the machine was too slow
		}
		if g, sent := r.lim.granted.Load(), r.api.Stats().Requests; g != int64(sent) {
			t.Errorf("the Limiter paced %d of %d requests, want all", g, sent)
		}
		return
	}
	t.Fatal("on each of 3 tries a step outlasted its timeout: the machine is too busy to judge")
}

// TestFaultsOnTheWayToRedisFailNoCall puts each fault between the Limiter
// and Redis: Acquire says the Limiter is unavailable within a bound, the
// Client paces alone meanwhile and fails no call, and once the fault is
// gone the Limiter paces again.
func TestFaultsOnTheWayToRedisFailNoCall(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name       string
		ctxTimeout bool
		start      func(*faultRig)
		end        func(*faultRig)
	}{
		{"Stall", true, func(r *faultRig) { r.proxy.Stall() }, func(r *faultRig) { r.proxy.Heal() }},
		{"StallWithAClientIgnoringDeadlines", false, func(r *faultRig) { r.proxy.Stall() }, func(r *faultRig) { r.proxy.Heal() }},
		{"ConnectionsReset", true, func(r *faultRig) { r.proxy.Reset() }, func(r *faultRig) { r.proxy.Heal() }},
		{"ServerKilledBehindTheProxy", true, func(r *faultRig) { r.srv.Kill() }, func(r *faultRig) { r.srv.Restart() }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			const step = 100 * time.Millisecond
			r := newFaultRig(t, step, f.ctxTimeout)
			r.callUntil(t, "the Limiter paced a request before the fault", r.paced(0))
			f.start(r)

			// The fault lasts until the test ends it, so only the step
			// timeout can bring Acquire back: the longest step (three) for
			// a Redis that was answering; the bound is twenty of them.
			res := make(chan error, 1)
			go func() {
				_, err := r.lim.Limiter.Acquire(context.Background(), r.api.OAuthBaseURL(), time.Minute)
				res <- err
			}()
			select {
			case err := <-res:
				if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
					t.Fatalf("Acquire during the fault = %v, want ErrLimiterUnavailable", err)
				}
			case <-time.After(20 * step):
				t.Fatalf("Acquire had not returned %s into the fault, with a step timeout of %s", 20*step, step)
			}

			granted, unavailable := r.lim.granted.Load(), r.lim.unavailable.Load()
			if failed := r.calls(t, 16); failed != 0 {
				t.Fatalf("%d of 16 calls failed during the fault", failed)
			}
			r.callUntil(t, "the Client found the Limiter unavailable during the fault", func() bool {
				return r.lim.unavailable.Load() > unavailable
			})
			if g := r.lim.granted.Load(); g != granted {
				t.Errorf("the Limiter granted %d requests while Redis was out of reach", g-granted)
			}

			f.end(r)
			r.callUntil(t, "the Limiter paced a request after the fault", r.paced(granted))
			if n := r.lim.other.Load(); n != 0 {
				t.Errorf("the Limiter answered %d times with neither a permit nor ErrLimiterUnavailable", n)
			}
		})
	}
}
