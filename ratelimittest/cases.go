package ratelimittest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// cases are the checks of the contract, each run as a subtest of its name,
// with the rules of docs/pacing.md (in the bigcommerce module) it checks.
var cases = []struct {
	name, rules string
	run         func(s *suite, t *testing.T)
}{
	{"QuotaIsGrantedExactlyOnce", "P3", (*suite).quotaExactly},
	{"RequestsInFlightStayWithinTheCap", "P10, F1", (*suite).inFlightCap},
	{"FirstRequestToAnUnknownStoreGoesAlone", "P6, F3", (*suite).probeAlone},
	{"FirstRequestWithoutAnAnswerFreesTheOthers", "P6, F3", (*suite).probeWithoutAnswer},
	{"AnOvertakenAnswerDoesNotRaiseTheCount", "P2, P3", (*suite).overtaken},
	{"TheWindowRefillsAndItsLateAnswersDoNotSpendTheNext", "P2, P4", (*suite).windowEdge},
	{"OtherAppsUseLowersWhatIsGranted", "P3, P13, F4", (*suite).otherApps},
	{"A429WithAWaitPausesEveryone", "P7", (*suite).pausing429},
	{"A429WithoutAWaitPausesNobody", "P7", (*suite).unpaused429},
	{"ASecondReleaseIsANoOp", "P10", (*suite).releaseTwice},
	{"CancelingAWaitReturnsAtOnceAndHoldsNoSlot", "P9", (*suite).cancelWaits},
	{"ACanceledWaiterDoesNotEndTheFirstRequestsHold", "P6", (*suite).probeOutlivesACanceledWaiter},
	{"AWaitLongerThanMaxWaitIsRefusedAtOnce", "P9", (*suite).maxWait},
	{"ARefusedRequestHoldsNoSlot", "P9, P10", (*suite).refusalHoldsNoSlot},
}

// Many goroutines ask for more than the window has; exactly what the
// server said was left is granted.
func (s *suite) quotaExactly(t *testing.T) {
	st := s.start(t, 1000)
	const quota = 40
	st.teach(quota, longWindow)
	if got := st.grant(200); got != quota-1 {
		t.Errorf("200 goroutines were granted %d requests, want the %d the first answer said were left", got, quota-1)
	}
	if got := st.grant(10); got != 0 {
		t.Errorf("%d requests granted once the window was spent, want 0", got)
	}
}

func (s *suite) inFlightCap(t *testing.T) {
	const maxInFlight = 3
	st := s.start(t, maxInFlight)
	st.teach(1000, longWindow)
	var held []bigcommerce.Permit
	for i := range maxInFlight {
		held = append(held, st.acquire(i, time.Second))
	}
	if !st.heldBack(maxInFlight) {
		t.Fatalf("a request went with %d in flight and a cap of %d", maxInFlight, maxInFlight)
	}
	held[0].Release()
	held[0] = st.acquire(maxInFlight+1, time.Second)
	for _, p := range held {
		p.Release()
	}

	// Many goroutines at once, each holding its permit for a moment.
	const n = 24
	var inFlight, most atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), patient)
			defer cancel()
			p, err := st.on(i).Acquire(ctx, st.root, time.Second)
			if err != nil {
				t.Errorf("Acquire under the cap = %v", err)
				return
			}
			now := inFlight.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			runtime.Gosched()
			// Counted out before the slot is freed, or the next holder
			// could be counted in first.
			inFlight.Add(-1)
			p.Release()
		})
	}
	wg.Wait()
	if m := most.Load(); m > maxInFlight {
		t.Errorf("%d requests were in flight at once, want at most the cap of %d", m, maxInFlight)
	}
}

func (s *suite) probeAlone(t *testing.T) {
	st := s.start(t, 1000)
	for i := range st.limiters {
		if r := st.on(i).Rate(st.root); r != (bigcommerce.Rate{}) {
			t.Errorf("Rate of a store limiter %d never saw = %+v, want the zero Rate", i, r)
		}
	}
	probe := st.acquire(0, time.Second)
	const waiters = 4
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := range waiters {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), patient)
			defer cancel()
			p, err := st.on(i+1).Acquire(ctx, st.root, time.Second)
			if err != nil {
				t.Errorf("Acquire after the first answer = %v, want a permit", err)
				return
			}
			granted.Add(1)
			p.Release()
		})
	}
	time.Sleep(watch) // no waiter may go while the first request is out
	if n := granted.Load(); n != 0 {
		t.Errorf("%d requests went while the first one, which learns the quota, was out", n)
	}
	answer(probe, http.StatusOK, open(10, longWindow).header(9))
	wg.Wait()
	if n := granted.Load(); n != waiters {
		t.Errorf("%d of the %d waiting requests went after the first answer", n, waiters)
	}
}

func (s *suite) probeWithoutAnswer(t *testing.T) {
	st := s.start(t, 1000)
	probe := st.acquire(0, time.Second)
	res := st.acquireAsync(context.Background(), 1, time.Second)
	probe.Release() // the request failed: no answer to report
	r := await(t, res, patient, "after the first request ended without an answer")
	if r.err != nil {
		t.Fatalf("Acquire after the first request got no answer = %v, want a permit", r.err)
	}
	r.permit.Release()
}

// Answers overtake each other; one that left the server before a newer
// one, and says more requests were left, changes nothing.
func (s *suite) overtaken(t *testing.T) {
	st := s.start(t, 1000)
	w := st.teach(100, longWindow)
	older, newer := st.acquire(1, time.Second), st.acquire(2, time.Second)
	answer(newer, http.StatusOK, w.header(97))
	answer(older, http.StatusOK, w.header(98))
	// The limiter that passed on the last answer has seen everything.
	if r := st.on(1).Rate(st.root); r.Remaining != 97 {
		t.Errorf("Rate after an overtaken answer said 98 were left = %+v, want the 97 the newer one said", r)
	}
	if got := st.grant(200); got != 97 {
		t.Errorf("%d requests granted after an overtaken answer said 98 were left, want the 97 the newer one said", got)
	}
}

// lateBy is how soon after a window's end the suite delivers an answer
// from that window. A limiter can tell such an answer from one that shows
// the server's window to end earlier than it guessed only by a tolerance:
// the throttle and redisquota allow 50 ms.
const lateBy = 25 * time.Millisecond

func (s *suite) windowEdge(t *testing.T) {
	// Long enough for a dozen round trips to a busy backend on each side
	// of the edge, which is all the case waits for.
	const length = time.Second
	s.clocked(t, func(t *testing.T) error {
		st := s.start(t, 1000)
		const quota = 3
		w := st.teach(quota, length)
		p1, p2 := st.acquire(1, 0), st.acquire(2, 0)
		_, err := st.tryAcquire(0)
		if took := time.Since(w.start); took > length/2 {
			return slow("spending the window", took)
		}
		var te *bigcommerce.ThrottleError
		if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > length+watch {
			return fmt.Errorf("an Acquire with the window spent and no wait allowed = %v, want a ThrottleError with RetryAfter up to the window's end", err)
		}
		next := st.acquire(1, patient) // waits for the edge
		// An answer to p1 that left the server just before the edge, saying
		// the old window was spent, arrives now.
		late := time.Since(w.end())
		answer(p1, http.StatusOK, rateHeader(quota, 0, 5*time.Millisecond, length))
		p2.Release()
		// Two bursts, apart by more than the late answer's 5 ms: a limiter
		// that took that answer for the new window's would refill between
		// them.
		granted := 0
		for burst := range 2 {
			if burst == 1 {
				time.Sleep(watch / 4)
			}
			for i := range quota {
				if p, err := st.tryAcquire(i); err == nil {
					granted++
					defer p.Release()
				}
			}
		}
		next.Release()
		if late > lateBy {
			return slow("the wait for the edge", late)
		}
		if took := time.Since(w.end()); took > length/2 {
			return slow("counting in the new window", took)
		}
		if granted != quota-1 {
			return fmt.Errorf("%d requests granted in the new window besides the one that waited for it, want %d: the window did not refill, or the old window's late answer spent it", granted, quota-1)
		}
		return nil
	})
}

// The server counts every app's requests; what it says is left bounds what
// the limiter grants, even when the limiter's own count says more. A
// limiter shared by a fleet grants all of it; one process's own pacing,
// which now knows that others use the store, may keep to its share.
func (s *suite) otherApps(t *testing.T) {
	st := s.start(t, 1000)
	w := st.teach(100, longWindow)
	answer(st.acquire(1, time.Second), http.StatusOK, w.header(50))
	got := st.grant(80)
	if got > 50 || (s.instances > 1 && got != 50) {
		t.Errorf("%d requests granted, want the 50 the server said were left after other apps' use", got)
	}
}

func (s *suite) pausing429(t *testing.T) {
	s.clocked(t, func(t *testing.T) error {
		st := s.start(t, 1000)
		w := st.teach(100, longWindow)
		h := w.header(99) // the store counts no refused request
		h.Set("X-Retry-After", "1")
		answer(st.acquire(1, time.Second), http.StatusTooManyRequests, h)
		paused := time.Now()
		_, err := st.tryAcquire(2)
		refused := st.grant(12)
		if took := time.Since(paused); took > time.Second/2 {
			return slow("counting during the pause", took)
		}
		var te *bigcommerce.ThrottleError
		if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > time.Second+watch {
			return fmt.Errorf("an Acquire after a 429 asking for 1s = %v, want a ThrottleError with RetryAfter up to 1s", err)
		}
		if refused != 0 {
			return fmt.Errorf("%d requests granted during a 429's pause, want 0", refused)
		}
		answer(st.acquire(0, patient), http.StatusOK, w.header(98))
		if got := st.grant(10); got != 10 {
			return fmt.Errorf("%d of 10 requests granted after the pause, want all", got)
		}
		return nil
	})
}

// A 429 from the store's cap on requests in flight reports requests left
// and no X-Retry-After: the quota is not spent. Nor is it by a 429 that
// asks for no wait, or says nothing at all (load shed on the way), which
// the Client's retry backoff handles. None of them is counted.
func (s *suite) unpaused429(t *testing.T) {
	st := s.start(t, 1000)
	w := st.teach(100, longWindow)
	answer(st.acquire(1, time.Second), http.StatusTooManyRequests, w.header(99))
	answer(st.acquire(2, time.Second), http.StatusTooManyRequests, http.Header{"X-Retry-After": {"0"}})
	answer(st.acquire(0, time.Second), http.StatusTooManyRequests, http.Header{})
	// The first 429 said 99 were left, with the teaching request counted;
	// the store counted none of the three refused.
	if got := st.grant(120); got != 99 {
		t.Errorf("%d requests granted after 429s that asked for no wait, with 99 requests left, want 99", got)
	}
}

func (s *suite) releaseTwice(t *testing.T) {
	const maxInFlight = 2
	st := s.start(t, maxInFlight)
	st.teach(1000, longWindow)
	a, b := st.acquire(0, time.Second), st.acquire(1, time.Second)
	a.Release()
	released := make(chan struct{})
	go func() {
		a.Release()
		close(released)
	}()
	select {
	case <-released:
	case <-time.After(patient):
		t.Fatal("a second Release of one permit blocked")
	}
	c := st.acquire(2, time.Second)
	if !st.heldBack(0) {
		t.Errorf("a request went with %d in flight and a cap of %d: the second Release freed another request's slot", maxInFlight, maxInFlight)
		return
	}
	b.Release()
	c.Release()
}

func (s *suite) cancelWaits(t *testing.T) {
	t.Run("ForASlot", func(t *testing.T) {
		t.Parallel()
		st := s.start(t, 1)
		st.teach(1000, longWindow)
		held := st.acquire(0, time.Second)
		cancelWhileWaiting(t, st, 1)
		held.Release()
		st.acquire(2, time.Second).Release()
	})
	t.Run("ForTheFirstAnswer", func(t *testing.T) {
		t.Parallel()
		st := s.start(t, 2)
		probe := st.acquire(0, time.Second)
		cancelWhileWaiting(t, st, 1)
		answer(probe, http.StatusOK, open(1000, longWindow).header(999))
		a, b := st.acquire(1, time.Second), st.acquire(2, time.Second)
		a.Release()
		b.Release()
	})
	t.Run("ForTheQuota", func(t *testing.T) {
		t.Parallel()
		const length = time.Second
		s.clocked(t, func(t *testing.T) error {
			st := s.start(t, 1)
			w := st.teach(2, length)
			answer(st.acquire(1, 0), http.StatusOK, w.header(0))
			cancelWhileWaiting(t, st, 2)
			if took := time.Since(w.start); took > length/2 {
				return slow("canceling the wait", took)
			}
			// With a cap of one, the next window's request goes only if
			// the canceled one left its slot.
			st.acquire(0, patient).Release()
			return nil
		})
	})
}

// cancelWhileWaiting has a request through limiter i wait, cancels its
// context, and checks that Acquire returns the context's error at once.
func cancelWhileWaiting(t *testing.T, st *store, i int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	res := st.acquireAsync(ctx, i, time.Minute)
	time.Sleep(watch / 4) // let the request start waiting
	cancel()
	r := await(t, res, 2*time.Second, "after its context was canceled")
	if !errors.Is(r.err, context.Canceled) || r.permit != nil {
		t.Fatalf("Acquire whose context was canceled while it waited = %v, %v; want no permit and context.Canceled", r.permit, r.err)
	}
}

// A request that gives up waiting for the first answer must not end the
// first request's hold on the store: only that request's answer, or its
// end without one, may.
func (s *suite) probeOutlivesACanceledWaiter(t *testing.T) {
	st := s.start(t, 1000)
	probe := st.acquire(0, time.Second)
	cancelWhileWaiting(t, st, 1)
	if !st.heldBack(2) {
		t.Fatal("a request went before the first answer, once another that waited for it was canceled")
	}
	answer(probe, http.StatusOK, open(1000, longWindow).header(999))
	st.acquire(2, time.Second).Release()
}

func (s *suite) maxWait(t *testing.T) {
	st := s.start(t, 1000)
	w := st.teach(5, longWindow)
	answer(st.acquire(1, time.Second), http.StatusOK, w.header(0))
	// The wait for the window is about a minute. Were the limiter to sleep
	// out maxWait or the deadline before refusing, await would give up.
	const maxWait = 20 * time.Second
	r := await(t, st.acquireAsync(context.Background(), 2, maxWait), maxWait/4, "with the quota spent for longer than maxWait")
	var te *bigcommerce.ThrottleError
	if !errors.As(r.err, &te) || !errors.Is(r.err, bigcommerce.ErrRateLimited) || te.RetryAfter <= maxWait || r.permit != nil {
		t.Errorf("Acquire with the quota spent for a minute and maxWait %s = %v, %v; want a *ThrottleError matching ErrRateLimited with RetryAfter over maxWait", maxWait, r.permit, r.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), maxWait)
	defer cancel()
	r = await(t, st.acquireAsync(ctx, 0, time.Hour), maxWait/4, "with the quota spent past the deadline")
	if !errors.As(r.err, &te) || !errors.Is(r.err, bigcommerce.ErrRateLimited) || r.permit != nil {
		t.Errorf("Acquire with the quota spent past the context's deadline = %v, %v; want a *ThrottleError at once, not the deadline", r.permit, r.err)
	}
}

// A refused request holds no slot: with a cap of one, the request after
// it goes once the window refills.
func (s *suite) refusalHoldsNoSlot(t *testing.T) {
	const length = time.Second
	s.clocked(t, func(t *testing.T) error {
		st := s.start(t, 1)
		w := st.teach(2, length)
		answer(st.acquire(1, 0), http.StatusOK, w.header(0))
		_, err := st.on(2).Acquire(context.Background(), st.root, length/10)
		if took := time.Since(w.start); took > length/2 {
			return slow("spending the window", took)
		}
		if !throttled(err) {
			return fmt.Errorf("an Acquire with maxWait %s and about %s to the window's end = %v, want a *ThrottleError", length/10, length, err)
		}
		st.acquire(0, patient).Release()
		return nil
	})
}
