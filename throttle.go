package bigcommerce

import (
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// throttle is one process's view of its store's quota, built from every
// answer it hears and every request it sends, and the share of the store
// it learnt from them: rules P1 to P14 of docs/pacing.md. The pacer asks
// it, for each request paced alone, what to wait for next.
type throttle struct {
	s   *settings
	now func() time.Time // time.Now; a virtual clock in simulations
	// chance draws from [0, 1) (rule P13).
	chance func() float64

	mu      sync.Mutex
	last    Rate
	known   bool      // an answer has reported the quota
	resetAt time.Time // when the current window ends
	// guessedFrom is the end of the window that ran out while resetAt is
	// only a guess (rule P4).
	guessedFrom time.Time
	// epoch counts the windows; carried counts the requests of earlier
	// windows not yet answered, which the store may count in this one
	// (rule P4).
	epoch, carried int
	// pausedUntil is set by a 429 that said how long to wait (rule P7).
	pausedUntil time.Time
	// probing and probed follow the first request (rule P6); probe is
	// closed once it is answered or ends; answers counts the answers heard
	// before a share is learnt.
	probing, probed bool
	probe           chan struct{}
	answers         int
	// held counts the slots taken (rule P10); freed is closed, and
	// dropped, when one is given back, to wake the waiters.
	held  int
	freed chan struct{}
	// share is the part of the store this process learnt it may use, 0
	// until it has learnt one (rule P11); power is how what is left of a
	// window falls with the time left, learnt from answers to requests
	// paced alone, the last of which arrived at seenAt (rule P14).
	share, power float64
	seenAt       time.Time
	// w is what the process knows of the current window alone, begun anew
	// at its edge.
	w windowCount
	// probeWaiting and slotWaiting count the requests waiting for the
	// first answer and for a slot, for tests to see.
	probeWaiting, slotWaiting int
}

// windowCount is what a throttle counts and learns in one window.
type windowCount struct {
	// sent counts this process's requests in the window, others the least
	// that everyone else must have used of it (rule P3); flight counts the
	// window's requests not yet answered.
	sent, others, flight int
	// hungry says that a request waited in the window (rule P11);
	// spentShared that the shared limiter made one wait, so the fleet spent
	// the window whole (rule F5).
	hungry, spentShared bool
	// tokens and tokensAt are the window's bucket (rule P13).
	tokens   float64
	tokensAt time.Time
	// refAt and refLeft are an earlier answer of the window paced alone
	// and what was left of the window then by this process's count;
	// learnt says the power was learnt again in the window (rule P14).
	refAt   time.Time
	refLeft int
	learnt  bool
	// rolled says that a request drew its chance at the window's last
	// token (rule P13).
	rolled bool
	// openedLate says that the process opened the window later than the
	// tolerance of rule P2 after the last one ended: the store may have
	// opened it earlier (rule P4). (An answer is late, in observe, when it
	// belongs to an older window.)
	openedLate bool
}

func newThrottle(s *settings) *throttle {
	return &throttle{s: s, now: time.Now, chance: rand.Float64, probe: make(chan struct{}), power: 1}
}

// Rule P5: waking a hair late costs nothing, waking early costs a 429.
const resetMargin = 5 * time.Millisecond

const (
	// burstPart is the part of its share of a window that a process that
	// learnt one may send as the window opens (rule P13).
	burstPart = 0.25
	// weightPower makes the weight of a process in the window its share to
	// this power (rule P13): below 1, so that a smaller share fills faster
	// and siblings converge to equal shares.
	weightPower = 0.75
)

// aloneRequest is what one request paced alone holds while it waits.
type aloneRequest struct {
	slot, prober bool
	epoch        int // the window it went in
}

// next takes, for a request paced alone, what it needs in the order of
// rule P9: the end of a 429's pause, the first answer, a slot, then the
// window's share. It returns ok when the request may go; otherwise when to
// ask again, or a channel to wait on, and why.
func (l *throttle) next(r *aloneRequest) (ok bool, until time.Time, ch <-chan struct{}, cause WaitCause) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// The clock is read under the lock: read before, it could predate an
	// answer observed meanwhile and make a pause that has ended look as if
	// it had not begun.
	now := l.now()
	pace := !l.s.noThrottle
	switch {
	case pace && now.Before(l.pausedUntil):
		until, cause = l.pausedUntil.Add(resetMargin), WaitPause
	case pace && !l.probed && !r.prober && l.probing:
		ch, cause = l.probe, WaitProbe
	case !r.slot && l.held >= l.slotsLocked():
		if l.freed == nil {
			l.freed = make(chan struct{})
		}
		ch, cause = l.freed, WaitSlot
	}
	if cause != "" {
		l.w.hungry = true
		return false, until, ch, cause
	}
	if pace && !l.probed && !r.prober {
		l.probing, r.prober = true, true
	}
	if !r.slot {
		l.held++
		r.slot = true
	}
	if pace {
		if wait := l.reserveLocked(now); wait > 0 {
			l.w.hungry = true
			return false, now.Add(wait), nil, WaitQuota
		}
	}
	r.epoch = l.sendLocked(now)
	return true, time.Time{}, nil, ""
}

// giveUp returns what a request that waited alone holds, when it goes to
// the shared limiter instead or gives up.
func (l *throttle) giveUp(r *aloneRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.slot {
		l.releaseSlotLocked()
	}
	if r.prober && !l.probed {
		// Rule P6: the next request paced alone learns the quota instead.
		l.probing = false
	}
	*r = aloneRequest{}
}

func (l *throttle) releaseSlotLocked() {
	l.held--
	if l.freed != nil {
		close(l.freed)
		l.freed = nil
	}
}

// waitOn counts a request waiting on a channel that next returned, until
// done is called.
func (l *throttle) waitOn(cause WaitCause) (done func()) {
	n := &l.slotWaiting
	if cause == WaitProbe {
		n = &l.probeWaiting
	}
	l.mu.Lock()
	*n++
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		*n--
		l.mu.Unlock()
	}
}

// slotsLocked is rule P10: the process's share of the cap on requests in
// flight, at least one; and, until a share is learnt, one more than twice
// the answers heard (rule P6).
func (l *throttle) slotsLocked() int {
	c := l.s.maxConcurrent
	if s := l.shareLocked(); s < 1 {
		c = max(1, int(float64(c)*s))
	}
	if l.share == 0 && !l.s.noThrottle {
		c = min(c, 1+2*l.answers)
	}
	return c
}

// shareLocked is the share the window is paced with (rules P11 and P12):
// this process's part of what the window has used so far, weighed with
// the share learnt from earlier windows as if that had been seen over a
// quarter of the quota; 1 while no one else has been seen.
func (l *throttle) shareLocked() float64 {
	if l.w.others == 0 && (l.share == 0 || l.share == 1) {
		return 1
	}
	// The request about to go counts: a process that has sent nothing
	// would otherwise never send.
	mine, seen := float64(l.w.sent+1), float64(l.w.sent+1+l.w.others)
	if l.share > 0 && l.share < 1 {
		prior := max(1, float64(l.last.Quota)/4)
		mine, seen = mine+prior*l.share, seen+prior
	}
	return mine / seen
}

// reserveLocked says how long a request waits for the window's quota or
// the process's share of it (rules P3, P4 and P12 to P14), or 0 when it
// may go.
func (l *throttle) reserveLocked(now time.Time) time.Duration {
	if !l.known {
		return 0 // Rule P6: the first answer tells the quota.
	}
	if !now.Before(l.resetAt) {
		l.nextWindowLocked(now)
	}
	toEnd := l.resetAt.Sub(now) + resetMargin
	left := l.leftLocked()
	if left <= 0 {
		return toEnd
	}
	s := l.shareLocked()
	if s >= 1 {
		return 0 // Rule P12: alone, all that is left may go.
	}
	// Rule P14: what the last answer left, less what the others went on
	// taking since, as the learnt power says.
	pending := float64(left)
	if rs, rn := l.resetAt.Sub(l.seenAt), l.resetAt.Sub(now); rn < rs && rs < l.last.Window {
		pending *= math.Pow(rn.Seconds()/rs.Seconds(), l.power*(1-s))
	}
	wait := toEnd
	if pending >= 1 {
		// Rule P13: the bucket fills with the process's weight of that
		// over the time left, and holds at most the part of its share that
		// may go at once.
		rate := pending / max(l.resetAt.Sub(now).Seconds(), 1e-3) * math.Pow(s, weightPower)
		capacity := max(1, burstPart*pending*s)
		switch {
		case !l.w.tokensAt.IsZero():
			l.w.tokens = min(l.w.tokens+rate*now.Sub(l.w.tokensAt).Seconds(), capacity)
		case capacity >= float64(l.s.maxConcurrent):
			// The first window starts empty, unless it has so much to
			// spare that the process could not spend its part of it
			// within a round trip: then it is not contested yet.
			l.w.tokens = capacity
		}
		l.w.tokensAt = now
		if l.w.tokens >= 1 {
			l.w.tokens--
			return 0
		}
		wait = time.Duration((1 - l.w.tokens) / rate * float64(time.Second))
	}
	// A token that would come after the window's end, or none at all
	// since less than one is left by the reckoning of rule P14, waits for
	// the next window instead, which brings new ones. But a fleet whose
	// shared limiter is away draws for it once a window, with the chance
	// of what the bucket holds and the process's share of what is left and
	// of one request more (rule P13): every process ends the window with
	// part of a token, and together those parts are requests the store had
	// left unspent.
	if l.s.limiter != nil && wait >= toEnd && !l.w.rolled {
		l.w.rolled = true
		if l.chance() < l.w.tokens+(pending+1)*s {
			l.w.tokens = 0
			return 0
		}
	}
	return min(wait, toEnd)
}

// nextWindowLocked starts the window that follows the one that ran out,
// after learning the share from it (rules P4, P11 and P13).
func (l *throttle) nextWindowLocked(now time.Time) {
	first := l.share == 0
	switch {
	case l.w.openedLate, !l.w.spentShared && 2*(l.w.sent+l.w.others) < l.last.Quota:
		// A window opened late may have begun well before its count did
		// (rule P4), and one whose answers saw less than half its quota
		// counted saw too little of the others: it teaches no share.
	case l.w.others == 0 && l.w.sent > 0:
		l.share = 1
	case l.w.others > 0 && l.w.hungry:
		// As in shareLocked, the request that waited counts. A window in
		// which the shared limiter made a request wait was spent whole,
		// though this process's answers, which all came early in it, saw
		// only part of what the others took (rule F5).
		seen := float64(l.w.sent+1) / float64(l.w.sent+1+l.w.others)
		if l.w.spentShared && l.last.Quota > 0 {
			seen = min(1, float64(max(l.w.sent, 1))/float64(l.last.Quota))
		}
		if l.share > 0 && l.share < 1 {
			seen = (l.share + 3*seen) / 4
		}
		l.share = seen
	}
	l.epoch, l.carried = l.epoch+1, l.carried+l.w.flight
	window := l.last.Window
	if window <= 0 {
		window = time.Second
	}
	openedLate := now.After(l.resetAt.Add(tolerance(window)))
	l.guessedFrom, l.resetAt = l.resetAt, now.Add(window)
	// Rule P14: a power not learnt again in the window fades, so that a
	// fall the others no longer make does not hold the process back for
	// good; one learnt before any share was, in the start-up's burst, is
	// forgotten.
	switch {
	case first:
		l.power = 1
	case !l.w.learnt:
		l.power = 1 + (l.power-1)/2
	}
	// Each process may send one request as the window opens, so that it
	// shows in the others' answers however small its share; and a quarter
	// of its share, unless it opens the window late: the store may have
	// opened it earlier, with another's request, and only an answer can
	// say when it ends (rule P4).
	tokens := 1.0
	if s := l.share; s > 0 && s < 1 && !openedLate {
		tokens = max(1, burstPart*float64(l.last.Quota)*s)
	}
	l.w = windowCount{tokens: tokens, tokensAt: now, openedLate: openedLate}
}

func (l *throttle) leftLocked() int { return l.last.Quota - l.w.sent - l.w.others }

// sendLocked counts a request that goes now, paced by the shared limiter
// or alone (rules P3 and F5), and returns its window.
func (l *throttle) sendLocked(now time.Time) (epoch int) {
	if l.known && !now.Before(l.resetAt) {
		l.nextWindowLocked(now)
	}
	l.w.sent++
	l.w.flight++
	return l.epoch
}

// sentShared counts a request that the shared limiter let go, after it
// waited when waited is set, and takes the others' use of the window from
// the shared count r, where it is of the same window (rule F5): this
// process's own answers show only what was counted before them.
func (l *throttle) sentShared(waited bool, r Rate) (epoch int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	epoch = l.sendLocked(now)
	l.w.hungry = l.w.hungry || waited
	l.w.spentShared = l.w.spentShared || waited
	if end := now.Add(r.ResetIn); l.known && r.Quota == l.last.Quota && end.Sub(l.resetAt).Abs() <= tolerance(l.last.Window) {
		l.w.others = max(l.w.others, r.Quota-r.Remaining-l.w.sent)
	}
	return epoch
}

// endLocked counts out a request of window epoch that is answered or
// ended without an answer; counted reports that the store counted it in
// the current window (rule P4).
func (l *throttle) endLocked(epoch int, counted bool) {
	if epoch == l.epoch {
		l.w.flight = max(l.w.flight-1, 0)
		return
	}
	l.carried = max(l.carried-1, 0)
	if counted {
		l.w.sent++
	}
}

// longestPause bounds how long one answer can hold the process back
// (rule P2): past it, a request goes out and the store says again where
// things stand.
func (l *throttle) longestPause(window time.Duration) time.Duration {
	return max(window, l.s.rateWait)
}

// observe records what the answer to a request of window epoch, arrived
// at now, says of the store (rules P1 to P4, P7 and P14), and ends the
// wait for the first answer. Only the answers to requests paced alone
// teach how a window paced alone falls (rule P14).
func (l *throttle) observe(epoch, status int, h http.Header, now time.Time, alone bool) {
	r, ok := ParseRate(h)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.probeDoneLocked()
	l.answers++
	late := true
	// Rule P1: a quota of zero would hold every request for ever.
	if ok && r.Quota > 0 {
		resetAt := now.Add(min(r.ResetIn, l.longestPause(r.Window)))
		tol := tolerance(r.Window)
		switch {
		case !l.known:
			late = false
		case !l.guessedFrom.IsZero():
			late = !resetAt.After(l.guessedFrom.Add(tol))
		default:
			late = resetAt.Before(l.resetAt.Add(-tol))
		}
		if !late {
			// Rule P4: an answer from a window that opened before the end
			// an earlier answer told ran out (an answer read late puts
			// that end late) begins that window's count; one read late
			// in the same window is not half a window out.
			if l.known && l.guessedFrom.IsZero() && resetAt.After(l.resetAt.Add(r.Window/2)) {
				l.nextWindowLocked(now)
			}
			l.last, l.known, l.resetAt, l.guessedFrom = r, true, resetAt, time.Time{}
		}
	}
	// Rule P3: the store does not count a request it refused.
	refused := status == http.StatusTooManyRequests
	l.endLocked(epoch, !late && !refused)
	if refused && epoch == l.epoch {
		l.w.sent = max(l.w.sent-1, 0)
	}
	if !late {
		// Requests of earlier windows still unanswered may be the store's
		// count of this one (rule P4).
		l.w.others = max(l.w.others, r.Quota-r.Remaining-l.w.sent-l.carried)
		if alone {
			l.learnPowerLocked(now)
		}
	}
	if d, ok := PauseAfter(status, h, l.longestPause(l.last.Window)); ok {
		l.pausedUntil = maxTime(l.pausedUntil, now.Add(d))
	}
}

// learnPowerLocked is rule P14: how what is left of the window falls with
// the time left, as a power, from an earlier answer of the window and this
// one, arrived at now.
func (l *throttle) learnPowerLocked(now time.Time) {
	l.seenAt = now
	left := max(l.leftLocked(), 0)
	if l.w.refAt.IsZero() {
		l.w.refAt, l.w.refLeft = now, left
		return
	}
	r1, r2 := l.resetAt.Sub(l.w.refAt).Seconds(), l.resetAt.Sub(now).Seconds()
	// Answers close together tell a fall from noise only when half of
	// what was left or more went at once, and a quarter of the quota.
	near := r2 > 0.95*r1
	burst := 2*left <= l.w.refLeft && 4*(l.w.refLeft-left) >= l.last.Quota
	if l.w.refLeft == 0 || r2 <= 0 || (near && !burst) {
		return
	}
	l.w.learnt = true
	p := math.Log(max(float64(left), 0.5)/float64(l.w.refLeft)) / math.Log(r2/r1)
	// A store spent all at once by a fleet granted together falls with a
	// power of twenty and more; the bound keeps one odd pair in check.
	l.power = (l.power + min(max(p, 0.5), 32)) / 2
	l.w.refAt, l.w.refLeft = now, left
}

// tolerance is how far apart two answers' ends of the window may be and
// still be of one window (rule P2).
func tolerance(window time.Duration) time.Duration { return min(50*time.Millisecond, window/4) }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// failed counts out a request of window epoch that ended without an
// answer.
func (l *throttle) failed(epoch int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.endLocked(epoch, false)
}

// probeDoneLocked ends the wait for the first answer (rule P6).
func (l *throttle) probeDoneLocked() {
	if !l.probed {
		l.probed = true
		close(l.probe)
	}
}

// Rate is the quota as the process sees it now: the latest quota and
// window reported, what is left by its own count (answers arriving out of
// order make the latest Remaining header jump), and ResetIn from now.
func (l *throttle) Rate() Rate {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known {
		return Rate{}
	}
	r := l.last
	if !l.s.noThrottle {
		r.Remaining = max(l.leftLocked(), 0)
	}
	r.ResetIn = max(l.resetAt.Sub(l.now()), 0)
	return r
}

// shareNow is the share the process paces with now, for logs and tracers.
func (l *throttle) shareNow() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.shareLocked()
}

// startAlone is rule F6: a process that begins to pace alone learns anew
// how a window paced alone falls; the fleet's, granted at the window's
// start, fell all at once.
func (l *throttle) startAlone() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.power, l.w.refAt, l.seenAt = 1, time.Time{}, time.Time{}
	// Rule F5: a window in which the shared limiter made a request wait
	// was spent whole, though this process's answers saw only part of it.
	if l.w.spentShared {
		l.w.others = max(l.w.others, l.last.Quota-l.w.sent)
	}
}

// alonePermit is a request's hold on the process's own pacing.
type alonePermit struct {
	l        *throttle
	epoch    int
	prober   bool
	reported bool
	released atomic.Bool
}

func (p *alonePermit) Report(status int, h http.Header) {
	p.reported = true
	p.l.observe(p.epoch, status, h, p.l.now(), true)
}

func (p *alonePermit) Release() {
	// A second Release must not free another request's slot.
	if p.released.Swap(true) {
		return
	}
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	if !p.reported {
		p.l.endLocked(p.epoch, false)
		if p.prober {
			// Rule P6: the first request got no answer; whoever waits on
			// it goes. Only its own permit may end the wait.
			p.l.probeDoneLocked()
		}
	}
	p.l.releaseSlotLocked()
}
