package bigcommerce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// fleetLimiter is a countingLimiter that also says how many processes
// share the store through it.
type fleetLimiter struct {
	*countingLimiter
	size atomic.Int32
}

func (l *fleetLimiter) FleetSize(string) int { return int(l.size.Load()) }

func downFleet(size int) *fleetLimiter {
	l := &fleetLimiter{countingLimiter: &countingLimiter{unavailable: true}}
	l.size.Store(int32(size))
	return l
}

// honestStore answers 200 with the rate headers of a store whose quota of
// quota requests per 30 s window is spent by these requests alone.
func honestStore(quota int) httpmock.Responder {
	var hits atomic.Int32
	return func(req *http.Request) (*http.Response, error) {
		left := max(quota-int(hits.Add(1)), 0)
		resp := httpmock.NewStringResponse(200, `{"id":5,"name":"g"}`)
		resp.Header.Set(headerQuota, strconv.Itoa(quota))
		resp.Header.Set(headerLeft, strconv.Itoa(left))
		resp.Header.Set(headerResetMs, "30000")
		resp.Header.Set(headerWindowMs, "30000")
		return resp, nil
	}
}

// sentInOneWindow makes calls Gets one after another against a store with
// a quota of 40 per window, refusing any wait for the quota, and returns
// how many requests reached the store.
func sentInOneWindow(t *testing.T, calls int, opts ...Option) int {
	t.Helper()
	c, mt, rec := setup(t, opts...)
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", honestStore(40))
	for range calls {
		_, _, err := c.CustomerGroups.Get(context.Background(), 5)
		var throttled *ThrottleError
		if err != nil && !errors.As(err, &throttled) {
			t.Fatalf("err = %v, want success or the throttle's refusal", err)
		}
	}
	return rec.count()
}

// TestPacingAloneKeepsToAFairShareOfTheQuota: while the shared limiter is
// down, each of N processes that share the store through it sends about
// quota/N a window, not the whole quota, which N of them would overrun N
// times over.
func TestPacingAloneKeepsToAFairShareOfTheQuota(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		want int
	}{
		{"fleet of 4: a quarter of the quota", []Option{WithRateLimiter(downFleet(4))}, 10},
		{"fleet of 40: at least one", []Option{WithRateLimiter(downFleet(40))}, 1},
		{"fleet of 1: the whole quota", []Option{WithRateLimiter(downFleet(1))}, 25},
		{"a limiter that does not say: the whole quota", []Option{WithRateLimiter(&countingLimiter{unavailable: true})}, 25},
		{"no shared limiter: the whole quota", nil, 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sentInOneWindow(t, 25, tc.opts...); got != tc.want {
				t.Errorf("%d requests reached the store in one window, want %d", got, tc.want)
			}
		})
	}
}

// TestPacingAloneKeepsToAFairShareOfTheSlots: of the store's 40 requests
// in flight, a process in a fleet of 4 takes 10 while it paces alone.
func TestPacingAloneKeepsToAFairShareOfTheSlots(t *testing.T) {
	t.Parallel()
	shared := downFleet(4)
	c, mt, _ := setup(t, WithRateLimiter(shared))
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	ok := honestStore(1000)
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", func(req *http.Request) (*http.Response, error) {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		inFlight.Add(-1)
		return ok(req)
	})
	// The first answer teaches the quota; until then one request probes.
	close(release)
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	release = make(chan struct{})
	most.Store(0)

	const calls = 30
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, waiting := c.pacer.local.alone.counts()
		if n := inFlight.Load(); n > 10 {
			t.Errorf("%d requests in flight, want at most 10", n)
			break
		}
		if held == 10 && waiting == calls-10 && inFlight.Load() == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after 10s: %d slots held, %d waiting, %d in flight; want 10, %d, 10", held, waiting, inFlight.Load(), calls-10)
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m > 10 {
		t.Errorf("at most %d requests were in flight, want 10", m)
	}
	if held, waiting := c.pacer.local.alone.counts(); held != 0 || waiting != 0 || len(c.pacer.local.slots) != 0 {
		t.Errorf("after every call: %d slots held, %d waiting, %d of the throttle's own held", held, waiting, len(c.pacer.local.slots))
	}
}

// quotaHeader reports a quota per 1 s window, left of it, and a reset in a
// second.
func quotaHeader(quota, left int) http.Header {
	return rateHeaderOf(quota, left, time.Second, time.Second)
}

// rateHeaderOf is an answer's rate-limit headers.
func rateHeaderOf(quota, left int, reset, window time.Duration) http.Header {
	return http.Header{
		headerQuota:    {strconv.Itoa(quota)},
		headerLeft:     {strconv.Itoa(left)},
		headerResetMs:  {strconv.FormatInt(reset.Milliseconds(), 10)},
		headerWindowMs: {strconv.FormatInt(window.Milliseconds(), 10)},
	}
}

// TestTheShareFollowsTheFleetSize: the fleet's size is read at every
// request paced alone, so processes that join or leave during an outage
// change every process's share from the next window.
func TestTheShareFollowsTheFleetSize(t *testing.T) {
	t.Parallel()
	l := newThrottle(40, true, time.Minute)
	t0 := time.Now()
	l.observe(200, quotaHeader(60, 60), t0)
	let := func(now time.Time, share int) int {
		n := 0
		for l.reserveShare(at(now), share) == 0 {
			n++
		}
		return n
	}
	if n := let(t0, 4); n != 15 {
		t.Errorf("a fleet of 4 got %d of a window of 60, want 15", n)
	}
	if n := let(t0.Add(1100*time.Millisecond), 2); n != 30 {
		t.Errorf("a fleet of 2 got %d of the next window, want 30", n)
	}
	if n := let(t0.Add(2200*time.Millisecond), 1); n != 60 {
		t.Errorf("alone, the process got %d of the window after, want 60", n)
	}
}

// TestAShareOfWhatIsLeftWhenTheOutageBegins: a process that falls back in
// the middle of a window takes its part of what the store says is left of
// it, not of the whole quota, which the fleet has partly spent already.
func TestAShareOfWhatIsLeftWhenTheOutageBegins(t *testing.T) {
	t.Parallel()
	l := newThrottle(40, true, time.Minute)
	t0 := time.Now()
	l.observe(200, quotaHeader(60, 20), t0)
	n := 0
	for l.reserveShare(at(t0), 4) == 0 {
		n++
	}
	if n != 5 {
		t.Errorf("a fleet of 4 with 20 left got %d, want 5", n)
	}
}

// TestFallingBackLogsTheShare: the operator learns from the log which part
// of the store each process keeps to while the shared limiter is down.
func TestFallingBackLogsTheShare(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	shared := downFleet(4)
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	c, mt, _ := setup(t, WithRateLimiter(shared), WithLogger(logger))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", honestStore(60))
	// An answer through the shared limiter teaches the quota.
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	shared.set(func(l *countingLimiter) { l.unavailable = true })
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	for _, want := range []string{"is unavailable", "fleet_size=4", "max_in_flight=10", "requests_per_window=15"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

// TestAProcessComesBackToTheSharedLimiterAtTheWindowsEdge: after the
// shared limiter failed, a process paces alone until the store's window
// ends, when that comes before maxRejoinDelay, so that the whole fleet
// comes back to a fresh window together instead of a shared count and
// processes still alone both spending what is left of one.
func TestAProcessComesBackToTheSharedLimiterAtTheWindowsEdge(t *testing.T) {
	t.Parallel()
	now := time.Now()
	local := newThrottle(40, true, time.Minute)
	p := &pacer{local: local, holdOff: sharedHoldOff}
	if got := p.holdUntilAfterFailure(now); !got.Equal(now.Add(sharedHoldOff)) {
		t.Fatalf("with no window known: ask again at %v, want after the hold-off", got.Sub(now))
	}
	h := rateHeaderOf(60, 30, 700*time.Millisecond, time.Second)
	local.observe(200, h, now)
	if got := p.holdUntilAfterFailure(now); !got.Equal(now.Add(700 * time.Millisecond)) {
		t.Errorf("window ends in 700ms: ask again after %v, want at its end", got.Sub(now))
	}
	if got := p.holdUntilAfterFailure(now.Add(600 * time.Millisecond)); !got.Equal(now.Add(600*time.Millisecond + sharedHoldOff)) {
		t.Errorf("window ends before the hold-off: ask again after %v, want the hold-off", got.Sub(now.Add(600*time.Millisecond)))
	}
	h.Set(headerWindowMs, "30000")
	h.Set(headerResetMs, "29000")
	local.observe(200, h, now.Add(time.Millisecond))
	if got := p.holdUntilAfterFailure(now); !got.Equal(now.Add(sharedHoldOff)) {
		t.Errorf("window ends in 29s: ask again after %v, want the hold-off rather than %s alone", got.Sub(now), maxRejoinDelay)
	}
	p.holdOff = 0
	if got := p.holdUntilAfterFailure(now); !got.Equal(now) {
		t.Errorf("a zero hold-off asks again after %v, want at once", got.Sub(now))
	}
}

// TestAFailureOlderThanAnAnswerIsNoOutage: a Redis that just came back
// fails the commands sent on the connections it dropped while it answers
// the others. A failure of a request that asked before the last answer
// starts no hold-off, and an answer ends one.
func TestAFailureOlderThanAnAnswerIsNoOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := &pacer{shared: &countingLimiter{}, local: newThrottle(40, true, time.Minute), holdOff: time.Hour}
	down := fmt.Errorf("dropped: %w", ErrLimiterUnavailable)
	asked := time.Now()
	p.sharedAnswered(ctx, "root")
	p.sharedFailed(ctx, "root", down, asked)
	if !p.tryShared() {
		t.Fatal("a failure of a request that asked before the last answer held the shared limiter off")
	}
	p.sharedFailed(ctx, "root", down, time.Now())
	if p.tryShared() {
		t.Fatal("a failure after the last answer started no hold-off")
	}
	p.sharedAnswered(ctx, "root")
	if !p.tryShared() {
		t.Fatal("an answer did not end the hold-off")
	}
}

// acquireAlone takes a permit that the pacer must give from its throttle,
// its shared limiter being down.
func acquireAlone(t *testing.T, p *pacer) Permit {
	t.Helper()
	permit, err := p.acquire(context.Background(), "root", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := permit.(*throttlePermit); !ok {
		t.Fatalf("request paced by %T, want the throttle while the shared limiter is down", permit)
	}
	return permit
}

// TestARequestWaitingAloneGoesBackToTheSharedLimiter: a request parked in
// the throttle while its process paced alone asks the shared limiter when
// its wait ends and the hold-off is over, rather than spend a share of a
// window that the shared count does not know of.
func TestARequestWaitingAloneGoesBackToTheSharedLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := downFleet(4)
	local := newThrottle(40, true, time.Minute)
	p := &pacer{shared: shared, local: local, holdOff: time.Millisecond}
	h := rateHeaderOf(4, 4, 200*time.Millisecond, 200*time.Millisecond)
	local.observe(200, h, time.Now())

	// The shared limiter is down: the first request takes this process's
	// share of the window, 1 of 4.
	first := acquireAlone(t, p)
	first.Release()
	// The second waits alone for the next window; the shared limiter
	// answers again meanwhile.
	got := make(chan Permit, 1)
	go func() {
		pm, err := p.acquire(ctx, "root", time.Minute)
		if err != nil {
			t.Error(err)
		}
		got <- pm
	}()
	// It is held off until the window ends, 200ms from now, so it waits
	// alone whenever it starts.
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	second := <-got
	if _, ok := second.(*sharedPermit); !ok {
		t.Fatalf("the request that waited alone was paced by %T, want the shared limiter once it answers", second)
	}
	second.Release()
}

// rejoiningLimiter is a countingLimiter that also takes the requests a
// process sent alone, and records what it was handed.
type rejoiningLimiter struct {
	*countingLimiter
	handed []int
}

func (l *rejoiningLimiter) AcquireRejoining(ctx context.Context, root string, maxWait time.Duration, sentAlone int) (Permit, error) {
	p, err := l.Acquire(ctx, root, maxWait)
	if err == nil {
		l.mu.Lock()
		l.handed = append(l.handed, sentAlone)
		l.mu.Unlock()
	}
	return p, err
}

// TestComingBackHandsOverTheRequestsSentAlone: the first request through
// the shared limiter after pacing alone tells a Rejoiner how many
// requests went out alone in the window, once.
func TestComingBackHandsOverTheRequestsSentAlone(t *testing.T) {
	t.Parallel()
	shared := &rejoiningLimiter{countingLimiter: &countingLimiter{unavailable: true}}
	c, mt, _ := setup(t, WithRateLimiter(shared))
	c.pacer.holdOff = 0 // ask the shared limiter on every request
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", honestStore(100))
	get := func() {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		get()
	}
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	get()
	get()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if fmt.Sprint(shared.handed) != "[3]" || shared.acquired != 2 {
		t.Fatalf("handed %v over %d shared permits, want the 3 sent alone handed once, with the first of 2", shared.handed, shared.acquired)
	}
}

// TestARequestWaitingForASlotAloneGoesBackToTheSharedLimiter: a request
// that waited for one of its process's slots while the process paced alone
// asks the shared limiter once it has the slot, when the hold-off ended
// meanwhile. At a window's edge the requests parked for the quota leave
// their slots to go back; the ones waiting for those slots must follow
// them rather than spend the process's share of the new window alone.
func TestARequestWaitingForASlotAloneGoesBackToTheSharedLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A fleet of 4 on a cap of 4 in flight: one slot for this process.
	shared := downFleet(4)
	local := newThrottle(4, true, time.Minute)
	p := &pacer{shared: shared, local: local, holdOff: time.Hour}
	h := rateHeaderOf(100, 100, time.Minute, time.Minute)
	local.observe(200, h, time.Now())

	first := acquireAlone(t, p)
	got := make(chan Permit, 1)
	go func() {
		pm, err := p.acquire(ctx, "root", time.Minute)
		if err != nil {
			t.Error(err)
		}
		got <- pm
	}()
	// The second waits for the process's one slot; the quota has room.
	for {
		if _, waiting := local.alone.counts(); waiting == 1 {
			break
		}
		runtime.Gosched()
	}
	// Meanwhile the shared limiter answers again and the hold-off ends.
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	p.mu.Lock()
	p.holdUntil = time.Now()
	p.mu.Unlock()
	first.Release()
	second := <-got
	if _, ok := second.(*sharedPermit); !ok {
		t.Fatalf("the request that waited for a slot alone was paced by %T, want the shared limiter once the hold-off is over", second)
	}
	second.Release()
	if held, _ := local.alone.counts(); held != 0 {
		t.Errorf("%d slots of the share still held, want the one the request gave back to go back", held)
	}
}

// aloneAfterAnOldWindow is a pacer whose shared limiter, of a fleet of 4,
// is down and last said view of the store, and whose throttle last heard of
// a window that ended a second ago: the case of a process whose requests
// all waited in the shared line through the store's current window.
func aloneAfterAnOldWindow(view Rate) (*pacer, *throttle) {
	shared := downFleet(4)
	shared.set(func(l *countingLimiter) { l.rate = view })
	local := newThrottle(40, true, time.Minute)
	local.observe(200, rateHeaderOf(60, 30, time.Second, time.Second), time.Now().Add(-2*time.Second))
	return &pacer{shared: shared, local: local, holdOff: time.Hour}, local
}

// TestPacingAloneStartsFromTheSharedView: a process whose requests all
// waited in the shared line heard no answer in the store's current window.
// When the shared limiter fails, its throttle paces alone from the shared
// limiter's view of the window, which the store has spent, rather than
// from its own older one, which ended and would look like a fresh window.
func TestPacingAloneStartsFromTheSharedView(t *testing.T) {
	t.Parallel()
	p, _ := aloneAfterAnOldWindow(Rate{Quota: 60, Remaining: 0, ResetIn: 800 * time.Millisecond, Window: time.Second})

	_, err := p.acquire(context.Background(), "root", 100*time.Millisecond)
	var throttled *ThrottleError
	if !errors.As(err, &throttled) {
		t.Fatalf("err = %v, want a *ThrottleError: the store's window is spent for 800ms, longer than the request may wait", err)
	}
	if throttled.RetryAfter < 700*time.Millisecond {
		t.Errorf("RetryAfter = %s, want about the 800ms left in the shared view of the window", throttled.RetryAfter)
	}
}

// TestTheSharedViewOfTheSameWindowCounts: the shared view is taken only
// when it is more recent than the throttle's own. Of the same window, it
// adds what the fleet spent; of an older window, or a spent or empty view,
// it changes nothing.
func TestTheSharedViewOfTheSameWindowCounts(t *testing.T) {
	t.Parallel()
	local := newThrottle(40, true, time.Minute)
	h := rateHeaderOf(60, 30, 900*time.Millisecond, time.Second)
	now := time.Now()
	local.observe(200, h, now)
	before := local.Rate("")
	for _, older := range []Rate{
		{Quota: 60, Remaining: 0, ResetIn: 500 * time.Millisecond, Window: time.Second},
		{Quota: 60, Remaining: 0, ResetIn: 0, Window: time.Second},
		{},
	} {
		local.adopt(older, now)
		if after := local.Rate(""); after.Remaining != before.Remaining {
			t.Errorf("after the shared view %+v, %d left, want the throttle's own %d", older, after.Remaining, before.Remaining)
		}
	}
	// The same window, as the fleet spent it since this process's answer.
	local.adopt(Rate{Quota: 60, Remaining: 10, ResetIn: 880 * time.Millisecond, Window: time.Second}, now)
	if after := local.Rate(""); after.Remaining != 10 {
		t.Errorf("after the shared view of the same window with 10 left, %d left, want 10", after.Remaining)
	}
}

// flakyLimiter fails its first Acquire after another request was granted
// meanwhile, as a Redis that came back fails a command sent on a dropped
// connection while it answers the others, and grants the ones after.
type flakyLimiter struct {
	*countingLimiter
	calls     atomic.Int32
	failures  int32 // how many Acquires fail
	meanwhile func()
}

func (l *flakyLimiter) Acquire(ctx context.Context, root string, maxWait time.Duration) (Permit, error) {
	if n := l.calls.Add(1); n <= l.failures {
		l.meanwhile()
		return nil, fmt.Errorf("dropped: %w", ErrLimiterUnavailable)
	}
	return l.countingLimiter.Acquire(ctx, root, maxWait)
}

// TestARequestWhoseFailureIsOlderThanAnAnswerAsksAgain: a failure that is
// no outage, since the limiter granted another request after this one
// asked, sends the request back to the shared limiter, not to pace alone
// on the process's own view of the store, which may be a window old.
func TestARequestWhoseFailureIsOlderThanAnAnswerAsksAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := &flakyLimiter{countingLimiter: &countingLimiter{}, failures: 1}
	p := &pacer{shared: shared, local: newThrottle(40, true, time.Minute), holdOff: time.Hour}
	shared.meanwhile = func() { p.sharedAnswered(ctx, "root") }
	permit, err := p.acquire(ctx, "root", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer permit.Release()
	if _, ok := permit.(*sharedPermit); !ok {
		t.Fatalf("paced by %T, want the shared limiter asked again", permit)
	}
	if n := shared.calls.Load(); n != 2 {
		t.Errorf("the shared limiter was asked %d times, want 2", n)
	}
}

// TestPacingAloneOnAnEndedWindowSendsOneRequestFirst: when a process
// begins to pace alone knowing no window that has not ended, neither from
// its own answers nor from the shared limiter (whose window may be a guess
// that ran out before the store's did), one request goes first and the
// others wait for what its answer says, rather than each spend a share of
// what may still be the store's spent window.
func TestPacingAloneOnAnEndedWindowSendsOneRequestFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, local := aloneAfterAnOldWindow(Rate{Quota: 60, Remaining: 0, ResetIn: 0, Window: time.Second})

	first, err := p.acquire(ctx, "root", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		pm, err := p.acquire(ctx, "root", 50*time.Millisecond)
		if err == nil {
			pm.Release()
		}
		second <- err
	}()
	for {
		local.mu.Lock()
		waiting := local.probeWaiting
		local.mu.Unlock()
		if waiting == 1 {
			break
		}
		select {
		case err := <-second:
			t.Fatalf("the second request went before the first one's answer (err = %v), want it to wait for that answer", err)
		default:
			runtime.Gosched()
		}
	}
	// The store's window was still spent: the first request's answer says
	// so, and the second, which waited for it, may not wait 200ms.
	spent := rateHeaderOf(60, 0, 200*time.Millisecond, time.Second)
	first.Report(http.StatusTooManyRequests, spent)
	first.Release()
	var throttled *ThrottleError
	if err := <-second; !errors.As(err, &throttled) {
		t.Fatalf("the second request: err = %v, want a *ThrottleError from the first one's answer, which it waited for", err)
	}
}

// TestARequestAsksAgainOnlyOnce: a limiter that answers other requests but
// keeps failing this one gets asked twice, and the request then paces
// alone, rather than loop on round trips until its context ends.
func TestARequestAsksAgainOnlyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := &flakyLimiter{countingLimiter: &countingLimiter{}, failures: 1 << 30}
	p := &pacer{shared: shared, local: newThrottle(40, true, time.Minute), holdOff: time.Hour}
	shared.meanwhile = func() { p.sharedAnswered(ctx, "root") }
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	permit, err := p.acquire(ctx, "root", time.Minute)
	if err != nil {
		t.Fatalf("acquire = %v, want a permit from the throttle after asking twice", err)
	}
	defer permit.Release()
	if _, ok := permit.(*throttlePermit); !ok {
		t.Errorf("paced by %T, want the throttle", permit)
	}
	if n := shared.calls.Load(); n != 2 {
		t.Errorf("the shared limiter was asked %d times, want 2", n)
	}
}
