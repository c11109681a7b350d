package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func rateResp(status, left int, resetMs int, extra ...string) *http.Response {
	r := statusResp(status, append([]string{
		headerQuota, "10", headerLeft, strconv.Itoa(left), headerResetMs, strconv.Itoa(resetMs), headerWindowMs, "1000",
	}, extra...)...)
	return r
}

func TestLimiterWaitsForTheWindowWhenTheQuotaIsSpent(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	t0 := time.Now()
	if w := l.reserve(t0); w != 0 {
		t.Fatalf("unknown quota: wait %s, want 0", w)
	}
	l.observeAt(rateResp(200, 2, 800), t0)
	for i := range 2 {
		if w := l.reserve(t0); w != 0 {
			t.Fatalf("request %d of the 2 left: wait %s", i, w)
		}
	}
	if w := l.reserve(t0.Add(100 * time.Millisecond)); w != 700*time.Millisecond+resetMargin {
		t.Fatalf("quota spent: wait %s, want 700ms + margin", w)
	}
	if w := l.reserve(t0.Add(800 * time.Millisecond)); w != 0 {
		t.Fatalf("after the reset: wait %s, want 0", w)
	}
	if got := l.remaining; got != 9 {
		t.Errorf("after the reset the whole quota is assumed: remaining %d, want 9", got)
	}
}

func TestLimiterCountsRequestsInFlight(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	t0 := time.Now()
	l.observeAt(rateResp(200, 9, 1000), t0)
	for range 3 {
		l.reserve(t0)
	}
	// The answer to one of the three says 5 left; the two still in flight
	// will take two of those.
	l.observeAt(rateResp(200, 5, 900), t0)
	if l.remaining != 3 || l.inflight != 2 {
		t.Fatalf("remaining %d, inflight %d; want 3 and 2", l.remaining, l.inflight)
	}
}

func TestLimiterPausesEveryoneAfterA429(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	t0 := time.Now()
	l.observeAt(statusResp(429, "X-Retry-After", "3"), t0)
	if w := l.reserve(t0); w != 3*time.Second+resetMargin {
		t.Fatalf("wait %s, want 3s + margin", w)
	}
	if w := l.reserve(t0.Add(3 * time.Second)); w != 0 {
		t.Fatalf("after the pause: wait %s, want 0", w)
	}
}

func TestLimiterRefusesWaitsLongerThanTheMaxWait(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Second)
	l.awaitProbe(context.Background())
	l.observe(rateResp(200, 0, 5000))
	release, err := l.acquire(context.Background())
	var apiErr *APIError
	if release != nil || !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter < 4*time.Second {
		t.Fatalf("err = %v, want a local ErrRateLimited with RetryAfter about 5s", err)
	}
	if len(l.slots) != 0 {
		t.Error("the refused request kept its concurrency slot")
	}
}

func TestLimiterLetsOneRequestProbeFirst(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	first, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second request before the first answer: err = %v, want it held", err)
	}
	l.observe(rateResp(200, 5, 1000))
	first()
	second, err := l.acquire(context.Background())
	if err != nil {
		t.Fatalf("after the first answer: %v", err)
	}
	second()
}

func TestLimiterProbeEndsWhenTheFirstRequestFails(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	if _, err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.abort()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.acquire(ctx); err != nil {
		t.Fatalf("after a failed first request: %v", err)
	}
}

func TestLimiterCapsConcurrency(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, false, time.Minute)
	r1, _ := l.acquire(context.Background())
	r2, _ := l.acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third concurrent request: err = %v, want it held", err)
	}
	r1()
	r3, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r2()
	r3()
}

func TestWithoutThrottlingSendsAtOnce(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, false, time.Minute)
	l.observe(rateResp(200, 0, 60000))
	release, err := l.acquire(context.Background())
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	release()
	if r := l.rate(); r.Remaining != 0 || r.Quota != 10 {
		t.Errorf("rate = %+v: state must still be tracked", r)
	}
}

// TestOneClientFromManyGoroutines runs 64 goroutines through one Client
// against a server that reports its quota, and checks that every request
// succeeds, none is lost or doubled, and the shared rate state ends
// consistent: nothing in flight, the last reported quota kept.
func TestOneClientFromManyGoroutines(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		w.Header().Set(headerQuota, "100000")
		w.Header().Set(headerLeft, strconv.FormatInt(100000-n, 10))
		w.Header().Set(headerResetMs, "30000")
		w.Header().Set(headerWindowMs, "30000")
		fmt.Fprintf(w, `{"id":%s,"name":"g"}`, r.URL.Path[len("/stores/abc123/v2/customer_groups/"):])
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(NewOAuth("abc123", "t"), WithBaseURL(srv.URL+"/stores/abc123/v2"))
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 64, 20
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := w*each + i + 1
				g, _, err := c.CustomerGroups.Get(context.Background(), id)
				if err != nil || g.ID != id {
					failed.Add(1)
				}
				_ = c.Rate()
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d calls failed", failed.Load())
	}
	if got := served.Load(); got != workers*each {
		t.Fatalf("server saw %d requests, want %d", got, workers*each)
	}
	c.limiter.mu.Lock()
	inflight, remaining, quota := c.limiter.inflight, c.limiter.remaining, c.limiter.last.Quota
	c.limiter.mu.Unlock()
	// Answers still on their way make the estimate err low by at most one
	// request per goroutine, which only ever errs on the side of waiting.
	if inflight != 0 || quota != 100000 || remaining < 100000-workers*each-workers || remaining >= 100000 {
		t.Errorf("rate state after the run: inflight %d, remaining %d, quota %d", inflight, remaining, quota)
	}
	if len(c.limiter.slots) != 0 {
		t.Errorf("%d concurrency slots still held", len(c.limiter.slots))
	}
}

func TestLimiterIgnoresStaleAnswers(t *testing.T) {
	t.Parallel()
	l := newLimiter(40, true, time.Minute)
	t0 := time.Now()
	l.observeAt(rateResp(200, 3, 1000), t0)
	// An answer sent earlier in the same window arrives late with more left.
	l.observeAt(rateResp(200, 7, 990), t0.Add(10*time.Millisecond))
	if l.remaining != 3 {
		t.Fatalf("remaining %d after a stale answer, want 3", l.remaining)
	}
	// The next window may raise it.
	l.observeAt(rateResp(200, 9, 1000), t0.Add(1100*time.Millisecond))
	if l.remaining != 9 {
		t.Fatalf("remaining %d in a new window, want 9", l.remaining)
	}
}
