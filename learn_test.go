package bigcommerce

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// The targets for processes pacing alone on one store, with the
// proof's fleets: at most 5% of requests answered 429, no failed call, at
// most 40 in flight, and at most 1.3 times the ideal windows plus one.
const (
	aloneMostRefused            = 0.05
	aloneWindowFactor, aloneAdd = 1.3, 1
)

// TestPacingAloneKeepsAFleetWithinTheStore runs the proof's fleets of 4, 8
// and 16 processes, each pacing alone with what it learns from the
// headers (rules P11 to P14), on an idle machine and on one that runs
// goroutines 10 ms late on average. Before the learning, 8 processes had
// 53% of their requests answered 429 and 16 lost 180 of 960 calls.
func TestPacingAloneKeepsAFleetWithinTheStore(t *testing.T) {
	t.Parallel()
	for _, procs := range []int{4, 8, 16} {
		for _, jitter := range []time.Duration{500 * time.Microsecond, 10 * time.Millisecond} {
			for seed := range uint64(3) {
				t.Run(fmt.Sprintf("%d processes, %v late, seed %d", procs, jitter, seed), func(t *testing.T) {
					t.Parallel()
					res := simFleet{procs: procs, goroutines: 16, calls: 60, jitter: jitter, seed: seed}.run()
					t.Log(res)
					ideal := float64(procs - 1) // 60 calls a process, 60 a window
					if share := res.refusedShare(); share > aloneMostRefused {
						t.Errorf("%.1f%% of requests answered 429, want at most %.0f%%", 100*share, 100*aloneMostRefused)
					}
					for i, p := range res.procs {
						if p.failed > 0 {
							t.Errorf("process %d: %d calls failed", i, p.failed)
						}
					}
					if res.store.mostInFlight > 40 {
						t.Errorf("%d requests in flight at once, want at most 40", res.store.mostInFlight)
					}
					if most := aloneWindowFactor*ideal + aloneAdd; res.windows > most {
						t.Errorf("the calls took %.2f windows, want at most %.1f", res.windows, most)
					}
				})
			}
		}
	}
}

// TestSiblingsConvergeToEqualShares: a process that joins a fleet that has
// the store to itself grows to its equal share, and the others give way,
// without 429s (rule P13's weights).
func TestSiblingsConvergeToEqualShares(t *testing.T) {
	t.Parallel()
	for _, procs := range []int{2, 4, 8} {
		t.Run(fmt.Sprintf("%d processes", procs), func(t *testing.T) {
			t.Parallel()
			starts := make([]time.Duration, procs)
			starts[procs-1] = 3 * time.Second // the last joins in the fourth window
			res := simFleet{procs: procs, goroutines: 16, calls: 1 << 30, starts: starts, until: 17 * time.Second, jitter: time.Millisecond, seed: 1}.run()
			t.Log(res)
			fair := 1 / float64(procs)
			for w := 14; w < 17; w++ {
				for i, s := range res.shares(w) {
					if s < 0.7*fair || s > 1.4*fair {
						t.Errorf("window %d, ten after the join: process %d had %.2f of the requests, want about %.2f: %.2f", w, i, s, fair, res.shares(w))
					}
				}
			}
			// The one that joins learns the quota with a request, which
			// may find the window spent.
			if share := res.refusedShare(); share > 0.01 {
				t.Errorf("%.1f%% of requests answered 429, want at most 1%%", 100*share)
			}
		})
	}
}

// TestAnAppThatDoesNotPaceIsLeftWhatItTakes: beside a process of another
// app that sends as fast as it can and only retries its 429s, the
// processes pacing alone lose no call: they take what it leaves.
func TestAnAppThatDoesNotPaceIsLeftWhatItTakes(t *testing.T) {
	t.Parallel()
	for _, procs := range []int{1, 4, 8} {
		res := simFleet{procs: procs, loud: 1, goroutines: 16, calls: 60, jitter: time.Millisecond, seed: 1}.run()
		t.Log(res)
		for i, p := range res.procs[:procs] {
			if p.failed > 0 || p.refused > 1 {
				t.Errorf("%d processes: process %d got %d 429s and lost %d calls, want none lost and at most one 429", procs, i, p.refused, p.failed)
			}
		}
		if took := res.shares(0)[procs]; took < 0.5 {
			t.Errorf("%d processes: the other app had %.2f of the first window, want most of it: it starts first and does not wait", procs, took)
		}
	}
}

// TestALoneProcessTakesAllThatIsLeft: a process that has never seen another
// sends at once all that the window has left (rule P12), as fast as its
// slots allow once the first answers came (rule P6).
func TestALoneProcessTakesAllThatIsLeft(t *testing.T) {
	t.Parallel()
	res := simFleet{procs: 1, goroutines: 16, calls: 60, seed: 1}.run()
	if res.store.requests != 60 || res.windows > 0.05 {
		t.Errorf("one process: %s; want its 60 calls in 60 requests within 50 ms of a 1 s window", res)
	}
}

// answerAt has the throttle hear, at now, an answer of the proof's store
// (60 requests per 1 s window) to a request of its current window.
func answerAt(l *throttle, status, left int, reset time.Duration, now time.Time) {
	st := simStore{quota: 60, window: time.Second}
	h := st.headers(left, reset)
	l.mu.Lock()
	epoch := l.epoch
	l.mu.Unlock()
	l.observe(epoch, status, h, now, true)
}

// TestTheStoreDoesNotCountA429: a request answered 429 is not one of the
// process's requests in the store's count (rule P3), or a process that got
// one would take another's request for its own.
func TestTheStoreDoesNotCountA429(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	take(l, t0)
	answerAt(l, http.StatusOK, 59, time.Second, t0)
	take(l, t0)
	answerAt(l, http.StatusTooManyRequests, 0, 900*time.Millisecond, t0.Add(100*time.Millisecond))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.sent != 1 || l.w.others != 59 {
		t.Errorf("after one request counted and one refused with none left: sent %d, others %d; want 1 and 59", l.w.sent, l.w.others)
	}
}

// TestRequestsInFlightAtTheEdgeMayCountInTheNextWindow (rule P4): a
// request sent just before the window's end that the store counts in the
// next window is this process's, not another's; one answered from the old
// window counts nowhere.
func TestRequestsInFlightAtTheEdgeMayCountInTheNextWindow(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	take(l, t0)
	answerAt(l, http.StatusOK, 59, time.Second, t0)
	var early, late aloneRequest
	l.mu.Lock()
	early.epoch, late.epoch = l.sendLocked(t0.Add(990*time.Millisecond)), l.sendLocked(t0.Add(995*time.Millisecond))
	l.mu.Unlock()
	take(l, t0.Add(time.Second+resetMargin)) // the window ends: a new one is guessed
	// The store counted the later request in the new window, with the one
	// just sent: 58 left.
	l.observe(late.epoch, http.StatusOK, simStore{quota: 60, window: time.Second}.headers(58, time.Second), t0.Add(time.Second+10*time.Millisecond), true)
	// The earlier one's answer comes from the old window.
	l.observe(early.epoch, http.StatusOK, simStore{quota: 60, window: time.Second}.headers(57, 0), t0.Add(time.Second+11*time.Millisecond), true)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.sent != 2 || l.w.others != 0 || l.carried != 0 {
		t.Errorf("sent %d, others %d, carried %d; want 2 of this process's in the new window, none of others', none left to carry", l.w.sent, l.w.others, l.carried)
	}
}

// TestRequestsInFlightGrowWithTheFirstAnswers (rule P6): before a process
// has learnt its share, its requests in flight grow by two for each
// answer, so that processes started together see each other before one
// has spent the window.
func TestRequestsInFlightGrowWithTheFirstAnswers(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	var reqs []*aloneRequest
	goes := func() int {
		n := 0
		for {
			r := &aloneRequest{}
			if ok, _, _, _ := l.next(r); !ok {
				return n
			}
			reqs = append(reqs, r)
			n++
		}
	}
	if n := goes(); n != 1 {
		t.Fatalf("%d requests went before the first answer, want 1", n)
	}
	(&alonePermit{l: l, epoch: reqs[0].epoch, prober: true}).Report(http.StatusOK, simStore{quota: 60, window: time.Second}.headers(59, time.Second))
	if n := goes(); n != 2 {
		t.Errorf("%d more requests went after one answer, with one in flight, want 2", n)
	}
}

// TestEveryProcessMaySendOneRequestAsTheWindowOpens (rule P13): however
// small its share, a process sends one request as a window opens, so that
// the others see it in their answers; a process that is never counted
// would never be given way to.
func TestEveryProcessMaySendOneRequestAsTheWindowOpens(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	take(l, t0)
	answerAt(l, http.StatusOK, 0, time.Second, t0) // the others took 59
	take(l, t0.Add(500*time.Millisecond))          // it waits: the window is spent
	l.mu.Lock()
	l.w.hungry = true
	l.mu.Unlock()
	next := t0.Add(time.Second + resetMargin)
	if w := take(l, next); w != 0 {
		t.Fatalf("the first request of the next window waits %v, want none", w)
	}
	if w := take(l, next); w == 0 {
		t.Errorf("a second request went at once with a share of %.3f, want it spread over the window", l.shareNow())
	}
}

// TestAWindowWithMuchToSpareIsNotContestedYet (rule P13): a process whose
// first answer shows others at work, in a window with far more left than
// it could have in flight, sends without waiting; in a window with little
// to spare it spreads its requests from the start.
func TestAWindowWithMuchToSpareIsNotContestedYet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		quota, left int
		waits       bool
	}{
		{10000, 9989, false}, // another client took 10 of 10,000
		{60, 49, true},       // another process took 10 of 60
	} {
		l := throttleFor(40, time.Minute, false)
		t0 := time.Now()
		take(l, t0)
		observeResp(l, statusResp(http.StatusOK, headerQuota, fmt.Sprint(tc.quota), headerLeft, fmt.Sprint(tc.left), headerResetMs, "30000", headerWindowMs, "30000"), t0)
		waited := false
		for range 5 {
			if take(l, t0.Add(time.Millisecond)) > 0 {
				waited = true
			}
		}
		if waited != tc.waits {
			t.Errorf("%d left of %d, others at work: five requests waited %v, want %v", tc.left, tc.quota, waited, tc.waits)
		}
	}
}

// TestThePartOfATokenLeftAtTheWindowsEndGoesByChance (rule P13): in a
// fleet whose shared limiter is away, a request whose token would come
// after the window's end, or that finds less than one request left as
// rule P14 reckons it, goes at once, once a window, with the chance of
// what its bucket holds and its share of what is left; else it waits for
// the next window, as it always does in a process given no shared
// limiter. Without the draw, every process of the fleet ended the window
// with part of a token, and together those parts left requests of the
// store unspent.
func TestThePartOfATokenLeftAtTheWindowsEndGoesByChance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shared      bool
		draw        float64
		left        int
		reset, asks time.Duration
		goes        bool
	}{
		// The others took 56 of 60; 90 ms to the window's end.
		{true, 0, 3, 100 * time.Millisecond, 10 * time.Millisecond, true},
		{true, 0.99, 3, 100 * time.Millisecond, 10 * time.Millisecond, false},
		{false, 0, 3, 100 * time.Millisecond, 10 * time.Millisecond, false},
		// The others took 58; half the window later, the others have
		// taken the last one by rule P14's reckoning, and the process
		// still draws for it.
		{true, 0, 1, 900 * time.Millisecond, 500 * time.Millisecond, true},
		{false, 0, 1, 900 * time.Millisecond, 500 * time.Millisecond, false},
		// Its share is 2/60 and that reckoning leaves 0.46 of a request:
		// the chance is 0.46 x 2/60 = 0.015 and one more share, 0.048.
		{true, 0.04, 1, 900 * time.Millisecond, 500 * time.Millisecond, true},
		{true, 0.05, 1, 900 * time.Millisecond, 500 * time.Millisecond, false},
	} {
		l := throttleFor(40, time.Minute, false)
		if tc.shared {
			l.s.limiter = &lineLimiter{}
		}
		l.chance = func() float64 { return tc.draw }
		t0 := time.Now()
		take(l, t0)
		answerAt(l, http.StatusOK, tc.left, tc.reset, t0)
		now := t0.Add(tc.asks)
		if w := take(l, now); (w == 0) != tc.goes {
			t.Errorf("shared limiter %v, draw %v, %d left and %v to the window's end: the request waits %v, want it to go %v", tc.shared, tc.draw, tc.left, tc.reset-tc.asks, w, tc.goes)
		}
		if w := take(l, now); w == 0 {
			t.Errorf("shared limiter %v, draw %v: a second request went at once, want one draw a window", tc.shared, tc.draw)
		}
	}
}

// TestAWindowOpenedLateSendsOneRequestUntilAnAnswer (rule P4): a process
// that asks more than the tolerance of rule P2 after its window ended
// cannot know when the store opened the next one, since another's request
// may have opened it long before: it sends one request, not the quarter of
// its share it sends at a window's edge. And that window teaches no share:
// it may be the tail of one whose start the process never saw, whose
// answers show it spent by others.
func TestAWindowOpenedLateSendsOneRequestUntilAnAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		after  time.Duration
		second bool
	}{
		{"at the window's edge", resetMargin, true},
		{"a window after its edge", time.Second + resetMargin, false},
	} {
		l := throttleFor(40, time.Minute, false)
		t0 := time.Now()
		take(l, t0)
		answerAt(l, http.StatusOK, 40, time.Second, t0) // the others took 19
		l.mu.Lock()
		l.share = 0.25
		l.mu.Unlock()
		at := t0.Add(time.Second + tc.after)
		if w := take(l, at); w != 0 {
			t.Fatalf("%s: the first request waits %v, want none", tc.name, w)
		}
		if w := take(l, at); (w == 0) != tc.second {
			t.Errorf("%s: a second request waits %v; want it to go at once: %v", tc.name, w, tc.second)
		}
	}

	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	take(l, t0)
	answerAt(l, http.StatusOK, 40, time.Second, t0)
	l.mu.Lock()
	l.share = 0.25
	l.mu.Unlock()
	late := t0.Add(2*time.Second + resetMargin)
	take(l, late)
	// The store's window was spent, and ends 10 ms later; a request
	// waited for it.
	answerAt(l, http.StatusTooManyRequests, 0, 10*time.Millisecond, late)
	l.mu.Lock()
	l.w.hungry = true
	l.mu.Unlock()
	if w := take(l, late.Add(10*time.Millisecond+2*resetMargin)); w != 0 {
		t.Fatalf("the first request after the store's window ended waits %v, want none", w)
	}
	if s := l.shareNow(); l.share != 0.25 {
		t.Errorf("after a window opened late in which it got nothing, the process learnt a share of %.3f (pacing with %.3f), want it to keep 0.25", l.share, s)
	}
}

// TestAnAnswerFromTheNextWindowBeginsItsCount (rule P4): on a busy
// machine an answer read late puts the window's end late, and a request
// sent between the store's end and that one opens the store's next
// window. Its answer must begin that window's count: the process kept the
// last window's, spent, and sent nothing for a whole window.
func TestAnAnswerFromTheNextWindowBeginsItsCount(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	for range 59 {
		take(l, t0)
	}
	// Read 40 ms late: the process puts the end at 1,040 ms, the store's
	// is at 1,000.
	answerAt(l, http.StatusOK, 1, 995*time.Millisecond, t0.Add(45*time.Millisecond))
	// An answer of the same window read 100 ms late begins no count.
	answerAt(l, http.StatusOK, 1, 895*time.Millisecond, t0.Add(205*time.Millisecond))
	if left := l.Rate().Remaining; left != 1 {
		t.Fatalf("after an answer of the same window read late, the process counts %d left, want 1", left)
	}
	at := t0.Add(1010 * time.Millisecond)
	if w := take(l, at); w != 0 {
		t.Fatalf("the last request of the window waits %v, want none", w)
	}
	answerAt(l, http.StatusOK, 59, 995*time.Millisecond, at.Add(5*time.Millisecond))
	if left := l.Rate().Remaining; left != 59 {
		t.Errorf("after the first answer of the store's next window, the process counts %d left, want 59", left)
	}
	if w := take(l, at.Add(10*time.Millisecond)); w != 0 {
		t.Errorf("a request after the first answer of the store's next window waits %v, want none", w)
	}
}

// TestAProcessThatBeginsToPaceAloneLeavesTheFleetsWindow (rule F5): a
// process whose request waited in the shared limiter's line in this window
// takes the window as spent whole when the limiter fails, though its own
// answers, which came early, showed part of it left; one whose requests
// never waited paces alone with what its answers left.
func TestAProcessThatBeginsToPaceAloneLeavesTheFleetsWindow(t *testing.T) {
	t.Parallel()
	for _, waited := range []bool{true, false} {
		l := throttleFor(40, time.Minute, false)
		t0 := time.Now()
		epoch := l.sentShared(waited, Rate{})
		l.observe(epoch, http.StatusOK, simStore{quota: 60, window: time.Second}.headers(40, time.Second), t0, false)
		l.startAlone()
		went := false
		for _, at := range []time.Duration{10, 400, 900} {
			if take(l, t0.Add(at*time.Millisecond)) == 0 {
				went = true
			}
		}
		if went == waited {
			t.Errorf("a request waited in the shared line: %v; a request paced alone went before the window's end: %v, want %v", waited, went, !waited)
		}
		if w := take(l, t0.Add(time.Second+resetMargin)); w != 0 {
			t.Errorf("a request waited in the shared line: %v; the first request of the next window waits %v, want none", waited, w)
		}
	}
}

// TestProcessesStartingApartLoseNoWindowToTheStartUp (rules P6 and P14):
// four processes that start a few milliseconds apart, as a deployment
// starts its replicas, often spend the first window in a burst (the first
// to start sees no one else in its answers while its own requests in
// flight hide the others') and have requests answered 429 in it. The fall
// of that window is the start-up's: a process that carried its power into
// the next window reckoned the others would take all that was left at
// once, sent one request in the whole of it, and the calls took a window
// more (48 of these 200 runs over the target before the power learnt in
// the first window was forgotten at its end).
func TestProcessesStartingApartLoseNoWindowToTheStartUp(t *testing.T) {
	t.Parallel()
	for gap := 1; gap <= 20; gap++ {
		for _, jitter := range []time.Duration{500 * time.Microsecond, 10 * time.Millisecond} {
			for seed := range uint64(5) {
				starts := make([]time.Duration, 4)
				for i := range starts {
					starts[i] = time.Duration(i*gap) * time.Millisecond
				}
				res := simFleet{procs: 4, goroutines: 16, calls: 60, starts: starts, jitter: jitter, seed: seed}.run()
				most := aloneWindowFactor*3 + aloneAdd // ideal 3: 240 calls, 60 a window
				if res.windows > most || res.refusedShare() > aloneMostRefused {
					t.Errorf("4 processes started %d ms apart, %v late, seed %d: %s; want at most %.1f windows and %.0f%% answered 429", gap, jitter, seed, res, most, 100*aloneMostRefused)
				}
			}
		}
	}
}

// TestABurstOfTheOthersIsLearntAtOnce (rule P14): a process pacing alone
// whose answers, a few milliseconds apart, show that the others took half
// of what was left or more at once learns that fall, though the answers are too
// close for a fall of a few requests to tell from noise. Beside a fleet
// granted its window at once, the other app's process took its last
// answer's count for what the window still held and sent into it, to be
// answered 429, in 7 of 8 runs.
func TestABurstOfTheOthersIsLearntAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		left  int // what the answer 6 ms after the one that showed 40 shows
		waits bool
	}{
		{9, true},   // the others took 31 of the 40 at once
		{30, false}, // they took 10: a fall as likely noise as not
	} {
		l := throttleFor(40, time.Minute, false)
		t0 := time.Now()
		for i := range 20 {
			take(l, t0)
			answerAt(l, http.StatusOK, 59-i, time.Second-time.Duration(i)*time.Millisecond, t0.Add(time.Duration(i)*time.Millisecond))
		}
		answerAt(l, http.StatusOK, tc.left, 975*time.Millisecond, t0.Add(25*time.Millisecond))
		waited := false
		for ms := 100; ms < 900; ms += 50 {
			if w := take(l, t0.Add(time.Duration(ms)*time.Millisecond)); w == 0 {
				break
			}
			if ms == 850 {
				waited = true
			}
		}
		if waited != tc.waits {
			t.Errorf("%d left 6 ms after 40: waited for the next window %v, want %v", tc.left, waited, tc.waits)
		}
	}
}

// TestAWindowSeenOnlyAtItsStartTeachesNoShare (rule P11): a process whose
// only answer of a window came as it opened, before the others' requests
// were counted, learns no share from it. Beside a fleet granted its window
// at once, the other app's process sent one request at a window's start,
// saw 3 others where there were 56, and learnt a share six times its own:
// it opened the next window with four requests at once, into the fleet's.
func TestAWindowSeenOnlyAtItsStartTeachesNoShare(t *testing.T) {
	t.Parallel()
	l := throttleFor(40, time.Minute, false)
	t0 := time.Now()
	hungry := func() {
		l.mu.Lock()
		l.w.hungry = true
		l.mu.Unlock()
	}
	take(l, t0)
	answerAt(l, http.StatusOK, 0, time.Second, t0) // the others took 59
	hungry()
	w1 := t0.Add(time.Second + resetMargin)
	take(l, w1)
	answerAt(l, http.StatusOK, 56, time.Second, w1.Add(5*time.Millisecond)) // 3 others so far
	hungry()
	learnt := l.shareNow()
	w2 := w1.Add(time.Second + resetMargin)
	went := 0
	for take(l, w2) == 0 {
		went++
	}
	if went != 1 {
		t.Errorf("%d requests went as the next window opened, with a share of %.3f after %.3f; want 1", went, l.shareNow(), learnt)
	}
}
