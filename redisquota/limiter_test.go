package redisquota

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

func TestProcessesNeverBothSpendTheLastRequestOfAWindow(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// Each Limiter has a go-redis client, and so a connection pool, of its
	// own, as separate processes would.
	var limiters []*Limiter
	for range 4 {
		// Hundreds of goroutines queue for a few pooled connections under
		// the race detector; this test is about counting, not latency.
		limiters = append(limiters, MustNew(srv.Client(), WithMaxConcurrentRequests(1000), WithStepTimeout(5*time.Second)))
	}
	root := rootOf(t, "")
	const quota = 37
	teach(t, limiters[0], root, quota, time.Minute)
	if got := grab(t, limiters, root, 200); got != quota-1 {
		t.Fatalf("%d requests granted after the probe, want exactly %d", got, quota-1)
	}
	var te *bigcommerce.ThrottleError
	_, err := limiters[1].Acquire(context.Background(), root, time.Second)
	if !errors.As(err, &te) || te.RetryAfter < 50*time.Second {
		t.Fatalf("Acquire on a spent window = %v, want a ThrottleError with about a minute to wait", err)
	}
}

func TestFirstRequestOfAnUnknownStoreProbesAlone(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := MustNew(srv.Client()), MustNew(srv.Client())
	root := rootOf(t, "")
	probe := acquire(t, a, root)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := b.Acquire(ctx, root, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second request went while the probe was out: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		p, err := b.Acquire(ctx, root, time.Minute)
		if err == nil {
			p.Release()
		}
		done <- err
	}()
	probe.Report(http.StatusOK, rateHeader(10, 9, time.Minute, time.Minute))
	probe.Release()
	if err := <-done; err != nil {
		t.Fatalf("the waiter did not go after the probe's answer: %v", err)
	}
	if r := b.Rate(root); r.Quota != 10 {
		t.Errorf("the waiter's Rate = %+v, want the probe's quota", r)
	}
}

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

func TestHeadersFromOtherAppsLowerTheSharedCount(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a := MustNew(srv.Client(), WithMaxConcurrentRequests(1000), WithStepTimeout(5*time.Second))
	b := MustNew(srv.Client(), WithMaxConcurrentRequests(1000), WithStepTimeout(5*time.Second))
	root := rootOf(t, "")
	teach(t, a, root, 100, time.Minute)
	// Two requests went through Redis; the server says 50 are left, so
	// other apps used 48.
	p := acquire(t, b, root)
	p.Report(http.StatusOK, rateHeader(100, 50, a.Rate(root).ResetIn, time.Minute))
	p.Release()
	if r := b.Rate(root); r.Remaining != 50 {
		t.Errorf("Rate after the answer = %+v, want 50 left", r)
	}
	if got := grab(t, []*Limiter{a, b}, root, 80); got != 50 {
		t.Errorf("%d requests granted, want the 50 the server said were left", got)
	}
}

func TestAnAnswerThatOvertookNewerOnesDoesNotRaiseTheCount(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := MustNew(srv.Client())
	root := rootOf(t, "")
	teach(t, l, root, 100, time.Minute)
	old := acquire(t, l, root)
	fresh := acquire(t, l, root)
	reset := l.Rate(root).ResetIn
	fresh.Report(http.StatusOK, rateHeader(100, 40, reset, time.Minute))
	fresh.Release()
	// Sent before the others, it left 90, and says so late.
	old.Report(http.StatusOK, rateHeader(100, 90, reset, time.Minute))
	old.Release()
	if r := l.Rate(root); r.Remaining != 40 {
		t.Errorf("Rate = %+v, want 40 left: a late answer must not raise the count", r)
	}
}

func TestTheQuotaRefillsAtTheWindowsEdge(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := MustNew(srv.Client())
	root := rootOf(t, "")
	const window = 300 * time.Millisecond
	start := time.Now()
	teach(t, l, root, 3, window)
	p1, p2 := acquire(t, l, root), acquire(t, l, root)
	var te *bigcommerce.ThrottleError
	_, err := l.Acquire(context.Background(), root, 0)
	if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > window+10*time.Millisecond {
		t.Fatalf("Acquire on a spent window with no wait allowed = %v, want a ThrottleError within the window", err)
	}
	// A deadline before the window's end is refused at once.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, root, time.Minute); !errors.As(err, &te) {
		t.Fatalf("Acquire with a deadline before the edge = %v, want a ThrottleError", err)
	}
	p, err := l.Acquire(context.Background(), root, time.Second)
	if err != nil {
		t.Fatalf("Acquire waiting for the edge: %v", err)
	}
	if elapsed := time.Since(start); elapsed < window {
		t.Errorf("granted %s after the window began, before its edge at %s", elapsed, window)
	}
	// p1 was sent in the old window; its answer, which says that window
	// is spent and about to end, must not spend the new one.
	p1.Report(http.StatusOK, rateHeader(3, 0, 5*time.Millisecond, window))
	p1.Release()
	p2.Release()
	if r := l.Rate(root); r.Remaining != 2 {
		t.Errorf("Rate after a late answer from the old window = %+v, want 2 left in the new one", r)
	}
	p.Release()
}

func TestA429PausesEveryProcess(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := MustNew(srv.Client()), MustNew(srv.Client())
	root := rootOf(t, "")
	teach(t, a, root, 100, time.Minute)
	p := acquire(t, a, root)
	h := rateHeader(100, 0, 40*time.Second, time.Minute)
	h.Set("X-Retry-After", "2")
	p.Report(http.StatusTooManyRequests, h)
	p.Release()
	var te *bigcommerce.ThrottleError
	_, err := b.Acquire(context.Background(), root, time.Second)
	if !errors.As(err, &te) || te.RetryAfter < 1900*time.Millisecond || te.RetryAfter > 2100*time.Millisecond {
		t.Fatalf("Acquire in another process after a 429 = %v, want a ThrottleError of about 2s", err)
	}
}

// TestA429WithQuotaLeftPausesNobody: the store's cap on requests in flight
// answers 429 with requests left in the window and no X-Retry-After; that
// is no reason to hold every process until the window resets.
func TestA429WithQuotaLeftPausesNobody(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := MustNew(srv.Client()), MustNew(srv.Client())
	root := rootOf(t, "")
	teach(t, a, root, 100, time.Minute)
	p := acquire(t, a, root)
	p.Report(http.StatusTooManyRequests, rateHeader(100, 60, 40*time.Second, time.Minute))
	p.Release()
	q, err := b.Acquire(context.Background(), root, 0)
	if err != nil {
		t.Fatalf("Acquire in another process after a concurrency 429 = %v, want it granted at once", err)
	}
	q.Release()
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

func TestRedisDownMakesAcquireUnavailableAtOnce(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := MustNew(srv.Client())
	root := rootOf(t, "")
	teach(t, l, root, 5, time.Minute)
	held := acquire(t, l, root)
	srv.Kill()
	// go-redis retries the dial; the step timeout cuts that short.
	const slack = 50 * time.Millisecond
	start := time.Now()
	_, err := l.Acquire(context.Background(), root, time.Minute)
	if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire with Redis down = %v, want ErrLimiterUnavailable", err)
	}
	if elapsed := time.Since(start); elapsed > DefaultStepTimeout+slack {
		t.Errorf("Acquire took %s with Redis down, want at most the step timeout of %s", elapsed, DefaultStepTimeout)
	}
	start = time.Now()
	held.Release()
	if elapsed := time.Since(start); elapsed > DefaultStepTimeout+slack {
		t.Errorf("Release took %s with Redis down, want at most the step timeout of %s", elapsed, DefaultStepTimeout)
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
