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

// observeResp feeds an answer to the throttle as a Permit's Report does.
func observeResp(l *throttle, r *http.Response, now time.Time) {
	l.mu.Lock()
	epoch := l.epoch
	l.mu.Unlock()
	l.observe(epoch, r.StatusCode, r.Header, now, true)
}

// throttleFor is the process's own view, paced as a Client with the
// given cap and longest rate-limit wait.
func throttleFor(maxInFlight int, rateWait time.Duration, noThrottle bool) *throttle {
	return newThrottle(&settings{maxConcurrent: maxInFlight, rateWait: rateWait, noThrottle: noThrottle})
}

// take asks l at now, as a request paced alone does once it holds its
// slot, and counts the request when it may go: it returns how long the
// request waits, 0 when it goes.
func take(l *throttle, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now) + resetMargin
	}
	w := l.reserveLocked(now)
	if w == 0 {
		l.sendLocked(now)
	}
	return w
}

func rateResp(status, left int, resetMs int, extra ...string) *http.Response {
	r := statusResp(status, append([]string{
		headerQuota, "10", headerLeft, strconv.Itoa(left), headerResetMs, strconv.Itoa(resetMs), headerWindowMs, "1000",
	}, extra...)...)
	return r
}

// acquireAlone takes a permit from a pacer without a shared limiter.
func acquireAlone(t *testing.T, p *pacer, wait time.Duration) (Permit, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return p.acquire(ctx, time.Minute)
}

func TestLimiterCapsConcurrency(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.maxConcurrent, s.noThrottle = 2, true
	p := newPacer(&s, "")
	r1, _ := acquireAlone(t, p, time.Second)
	r2, _ := acquireAlone(t, p, time.Second)
	if _, err := acquireAlone(t, p, 20*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third concurrent request: err = %v, want it held", err)
	}
	r1.Release()
	r3, err := acquireAlone(t, p, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r2.Release()
	r3.Release()
}

func TestWithoutThrottlingSendsAtOnce(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.noThrottle = true
	p := newPacer(&s, "")
	observeResp(p.view, rateResp(200, 0, 60000), time.Now())
	permit, err := acquireAlone(t, p, time.Second)
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	permit.Release()
	if r := p.view.Rate(); r.Remaining != 0 || r.Quota != 10 {
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
	v := c.pacer.view
	v.mu.Lock()
	sent, others, quota, flight, held := v.w.sent, v.w.others, v.last.Quota, v.w.flight, v.held
	v.mu.Unlock()
	if sent != workers*each || others != 0 || quota != 100000 || flight != 0 || held != 0 {
		t.Errorf("rate state after the run: sent %d, others %d, quota %d, in flight %d, slots held %d; want %d, 0, 100000, 0, 0", sent, others, quota, flight, held, workers*each)
	}
}

func TestLimiterDoesNotTrustAZeroQuota(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	// Requests-Left without a usable Quota must not make every later
	// request wait for a window that never refills.
	observeResp(l, statusResp(200, headerLeft, "5", headerResetMs, "1000"), t0)
	for i := range 3 {
		if w := take(l, t0.Add(time.Duration(i)*time.Second)); w != 0 {
			t.Fatalf("request %d waits %s after an answer with no quota", i, w)
		}
	}
}

func TestLimiterFindsTheServersWindowAgainAfterAGuess(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	take(l, t0)
	observeResp(l, statusResp(200, headerQuota, "20", headerLeft, "19", headerResetMs, "1000", headerWindowMs, "1000"), t0)
	// Idle until the window ends: the Client guesses a new one from now.
	take(l, t0.Add(1000*time.Millisecond))
	// Another app opened the server's window earlier and used 15 of it;
	// the answer says so, with a reset sooner than the guess.
	observeResp(l, statusResp(200, headerQuota, "20", headerLeft, "4", headerResetMs, "600", headerWindowMs, "1000"), t0.Add(1010*time.Millisecond))
	if got := l.leftLocked(); got != 4 {
		t.Fatalf("left %d, want the 4 the server reported", got)
	}
	if got := l.resetAt; !got.Equal(t0.Add(1610 * time.Millisecond)) {
		t.Fatalf("resetAt is %s after t0, want the server's 1.61s", got.Sub(t0))
	}
}

func TestLimiterBoundsAnAbsurdPause(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, 2*time.Second, false)
	t0 := time.Now()
	observeResp(l, statusResp(429, "X-Retry-After", "999999"), t0)
	if w := take(l, t0); w > 2*time.Second+resetMargin || w <= 0 {
		t.Fatalf("wait %s after X-Retry-After 999999, want at most the 2s max wait", w)
	}
	if w := take(l, t0.Add(2*time.Second)); w != 0 {
		t.Fatalf("wait %s once the bounded pause is over, want 0: the server must be asked again", w)
	}
	// The same for a reset time days away.
	observeResp(l, statusResp(200, headerQuota, "10", headerLeft, "0", headerResetMs, "999999999", headerWindowMs, "1000"), t0.Add(3*time.Second))
	if w := take(l, t0.Add(3*time.Second)); w > 2*time.Second+resetMargin {
		t.Fatalf("wait %s for a reset days away, want at most 2s", w)
	}
}

func TestA429WhoseWaitPassesTheDeadlineComesBackAtOnce(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t, WithMaxRateLimitWait(time.Minute))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", respond(429, "", "X-Retry-After", "5"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _, err := c.CustomerGroups.Get(ctx, 5)
	if d, ok := RetryAfter(err); !ok || d != 5*time.Second || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited with RetryAfter 5s", err)
	}
	if ctx.Err() != nil || rec.count() != 1 {
		t.Errorf("%d requests, context %v: want one request and an answer before the deadline", rec.count(), ctx.Err())
	}
}

func TestWithTimeoutBoundsA429sWaitToo(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t, WithMaxRateLimitWait(time.Minute), WithTimeout(time.Second))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", respond(429, "", "X-Retry-After", "5"))
	_, _, err := c.CustomerGroups.Get(context.Background(), 5)
	if !errors.Is(err, ErrRateLimited) || rec.count() != 1 {
		t.Fatalf("err = %v after %d requests, want ErrRateLimited after one", err, rec.count())
	}
}

// TestRateLimitWaitOfA429WithQuotaLeftIsNone: a 429 that still reports
// requests left (the store refusing for concurrency, not for quota) asks
// for no wait of its own, so it is retried after the backoff, not after
// the window's reset. That it pauses no limiter is the conformance suite's
// case A429WithoutAWaitPausesNobody.
// TestRateLimitWaitTakesTheResetWithinTheLastSecond: X-Retry-After counts
// whole seconds; a window that resets within the last of them is waited
// for to its reset, a whole second sooner at most (rule P7). With a store
// whose window is a second long, waiting out the rounding would cost a
// window.
func TestRateLimitWaitTakesTheResetWithinTheLastSecond(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		retryAfter, resetMs string
		want                time.Duration
	}{
		{"1", "20", 20 * time.Millisecond},
		{"2", "1500", 1500 * time.Millisecond},
		{"2", "900", 2 * time.Second}, // sooner than the last second: the store's word
		{"1", "0", time.Second},
		{"1", "", time.Second},
	} {
		h := http.Header{headerRetryAfter: {tc.retryAfter}}
		if tc.resetMs != "" {
			h.Set(headerResetMs, tc.resetMs)
		}
		if got, ok := RateLimitWait(h); !ok || got != tc.want {
			t.Errorf("X-Retry-After %s with a reset in %sms: RateLimitWait = %v, %v; want %v", tc.retryAfter, tc.resetMs, got, ok, tc.want)
		}
	}
}

func TestRateLimitWaitOfA429WithQuotaLeftIsNone(t *testing.T) {
	t.Parallel()
	if w, ok := RateLimitWait(rateResp(429, 30, 25000).Header); ok || w != 0 {
		t.Errorf("RateLimitWait = %s, %v; want no wait of its own", w, ok)
	}
	if w, ok := RateLimitWait(rateResp(429, 0, 25000).Header); !ok || w != 25*time.Second {
		t.Errorf("RateLimitWait of a spent quota = %s, %v; want the 25s reset", w, ok)
	}
}
