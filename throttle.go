package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// throttle is the in-process RateLimiter, shared by every request of one
// Client. It caps concurrency and, when throttling is on, holds requests
// back while the store's quota is spent, so that callers wait for the
// window to refill instead of spending requests on 429s.
//
// It counts its own requests in the current window rather than trusting
// the latest X-Rate-Limit-Requests-Left alone: answers overtake each other,
// and an answer cannot say which of the requests still in flight the
// server had already counted. The headers serve to learn the quota and the
// window, and to notice other apps using the same store's quota.
type throttle struct {
	slots chan struct{}
	// pace is false under WithoutThrottling: only the concurrency cap holds.
	pace bool
	// maxPause bounds how long one answer can hold requests back; see
	// longestPause.
	maxPause time.Duration

	mu      sync.Mutex
	last    Rate
	known   bool      // a response has reported the quota
	resetAt time.Time // when the current window refills
	// sent counts this Client's requests let through in the current
	// window; others is the least that other apps must have used in it.
	sent, others int
	// guessedFrom is set while resetAt is only a guess, made when a
	// window ran out with no answer to say when the next one ends; it holds
	// the end of the window that ran out, to tell its late answers from
	// the first answer of the new one.
	guessedFrom time.Time
	// pausedUntil is set by a 429 that said how long to wait, with or
	// without the quota headers.
	pausedUntil time.Time
	// Until the first answer arrives the quota is unknown, so one request
	// goes first and the others wait for what it learns; a burst from
	// many goroutines could otherwise overrun a small quota at once.
	probing bool
	probed  bool
	probe   chan struct{} // closed when the first answer (or failure) is in
	// probeWaiting counts the requests waiting for it, for tests to see.
	probeWaiting int

	tracer Tracer // hears each wait; nil unless WithTracer

	// alone holds the slots of requests paced with a fair share of the
	// store while a shared limiter cannot answer; see acquireShare.
	alone shareSlots
	// shareBase is what was left of the window when this process began to
	// pace with a share in it, -1 until then; shareSent counts the
	// requests it let through with a share since.
	shareBase, shareSent int
	// handed is how many of sent the pacer has told a shared limiter of
	// (see takeSentAlone).
	handed int
}

func newThrottle(maxConcurrent int, pace bool, maxPause time.Duration) *throttle {
	return &throttle{slots: make(chan struct{}, maxConcurrent), pace: pace, maxPause: maxPause, probe: make(chan struct{}), shareBase: -1}
}

// resetMargin is added to the server's reset time: waking a hair late costs
// nothing, waking early costs a 429.
const resetMargin = 5 * time.Millisecond

// Acquire waits for a concurrency slot and, when throttling, for quota.
// The throttle serves one Client, so apiRoot is not needed to tell stores
// apart.
func (l *throttle) Acquire(ctx context.Context, _ string, maxWait time.Duration) (Permit, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		start := time.Now()
		select {
		case l.slots <- struct{}{}:
			traceWait(ctx, l.tracer, WaitSlot, start, nil)
		case <-ctx.Done():
			traceWait(ctx, l.tracer, WaitSlot, start, ctx.Err())
			return nil, ctx.Err()
		}
	}
	p := &throttlePermit{l: l}
	if !l.pace {
		return p, nil
	}
	return l.paceFor(ctx, p, maxWait, 1, nil)
}

// paceFor holds the request that p is for until the quota lets it go, with
// a 1/share part of each window when share is over 1, and releases p when
// it gives up.
//
// rejoin, when not nil, is asked after each wait: when it says the shared
// limiter may be asked again, p is released and paceFor returns
// errRejoin, so that a request parked here while its process paced alone
// goes to the shared limiter rather than spend a share of the window that
// the shared count will not know of.
func (l *throttle) paceFor(ctx context.Context, p *throttlePermit, maxWait time.Duration, share int, rejoin func() bool) (Permit, error) {
	prober, err := l.awaitProbe(ctx)
	if err != nil {
		p.Release()
		return nil, err
	}
	p.prober = prober
	for {
		wait := l.reserveShare(time.Now, share)
		if wait <= 0 {
			return p, nil
		}
		if err := tooLong(ctx, wait, maxWait); err != nil {
			p.Release()
			return nil, err
		}
		cause, start := l.waitCause(), time.Now()
		t := time.NewTimer(wait)
		select {
		case <-t.C:
			traceWait(ctx, l.tracer, cause, start, nil)
		case <-ctx.Done():
			t.Stop()
			traceWait(ctx, l.tracer, cause, start, ctx.Err())
			p.Release()
			return nil, ctx.Err()
		}
		if rejoin != nil && rejoin() {
			p.Release()
			return nil, errRejoin
		}
	}
}

// errRejoin tells the pacer that a request paced alone should ask the
// shared limiter again.
var errRejoin = errors.New("bigcommerce: ask the shared rate limiter again")

// waitCause says whether a wait is for a 429's pause or for the quota.
func (l *throttle) waitCause() WaitCause {
	if l.tracer == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.pausedUntil) {
		return WaitPause
	}
	return WaitQuota
}

// tooLong refuses a wait longer than maxWait or past ctx's deadline: the
// caller learns at once how long the quota is spent, instead of sleeping
// until its deadline and learning nothing.
func tooLong(ctx context.Context, wait, maxWait time.Duration) error {
	if wait > maxWait {
		return &ThrottleError{RetryAfter: wait, Reason: "the store's API quota is spent for longer than the longest rate-limit wait (" + maxWait.String() + ")"}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return &ThrottleError{RetryAfter: wait, Reason: "the store's API quota is spent past the call's deadline"}
	}
	return nil
}

// throttlePermit is a request's hold on the in-process throttle.
type throttlePermit struct {
	l        *throttle
	reported bool
	alone    bool // the slot is one of l.alone's, not of l.slots
	// prober: this request went first to learn an unknown quota, and the
	// others wait for its answer.
	prober   bool
	released atomic.Bool
}

func (p *throttlePermit) Report(status int, h http.Header) {
	p.reported = true
	p.l.observe(status, h, time.Now())
}

func (p *throttlePermit) Release() {
	// A second Release must not free another request's slot.
	if p.released.Swap(true) {
		return
	}
	if p.prober && !p.reported {
		// The first request got no answer: let whoever waits on it go.
		// Only its own permit may: a waiter that gives up has nothing to
		// tell the others.
		p.l.endProbe()
	}
	if p.alone {
		p.l.alone.release()
		return
	}
	<-p.l.slots
}

// awaitProbe lets the first request through and holds the others until
// it has been answered.
func (l *throttle) awaitProbe(ctx context.Context) (prober bool, err error) {
	l.mu.Lock()
	if l.probed || !l.probing {
		prober = !l.probed
		l.probing = true
		l.mu.Unlock()
		return prober, nil
	}
	// The channel is read under the lock: adopt may arm a new one.
	probe := l.probe
	l.probeWaiting++
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.probeWaiting--
		l.mu.Unlock()
	}()
	start := time.Now()
	select {
	case <-probe:
		traceWait(ctx, l.tracer, WaitProbe, start, nil)
		return false, nil
	case <-ctx.Done():
		traceWait(ctx, l.tracer, WaitProbe, start, ctx.Err())
		return false, ctx.Err()
	}
}

// endProbe releases the waiters when the first request ends without an
// answer, so that they never wait on one that will not come.
func (l *throttle) endProbe() {
	l.mu.Lock()
	l.probeDoneLocked()
	l.mu.Unlock()
}

// probeDoneLocked ends the first-request wait; l.mu is held.
func (l *throttle) probeDoneLocked() {
	if !l.probed {
		l.probed = true
		close(l.probe)
	}
}

// reserve takes one request from what is left of the window, or says how
// long to wait for the window to refill or a 429's pause to pass.
//
// The clock is read only once the lock is held: a time read before
// waiting for the lock could predate an answer observed meanwhile, and
// make a pause that has already ended look as if it had not begun.
func (l *throttle) reserve(clock func() time.Time) time.Duration {
	return l.reserveShare(clock, 1)
}

// reserveShare is reserve for a process that paces with a 1/share part of
// the store: besides what is left of the window, it takes no more than
// its part of what was left when it began to pace this way in the window
// (the whole quota, from the next window on), and at least one request.
// The other processes hold to their parts by the same rule, so together
// they spend what is left and no more.
func (l *throttle) reserveShare(clock func() time.Time, share int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clock()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now) + resetMargin
	}
	if l.known {
		if !now.Before(l.resetAt) {
			// The window has refilled; until an answer says when it ends,
			// assume a full window from now.
			l.sent, l.others, l.handed = 0, 0, 0
			l.shareBase, l.shareSent = -1, 0
			window := l.last.Window
			if window <= 0 {
				window = time.Second
			}
			l.guessedFrom, l.resetAt = l.resetAt, now.Add(window)
		}
		if l.leftLocked() <= 0 {
			return l.resetAt.Sub(now) + resetMargin
		}
		if share > 1 {
			if l.shareBase < 0 {
				// Requests sent with a share before the quota was known
				// came out of what was left then.
				l.shareBase = l.leftLocked() + l.shareSent
			}
			if l.shareSent >= max(1, l.shareBase/share) {
				return l.resetAt.Sub(now) + resetMargin
			}
		}
	}
	if share > 1 {
		l.shareSent++
	}
	l.sent++
	return 0
}

func (l *throttle) leftLocked() int { return l.last.Quota - l.sent - l.others }

// observe records what an answer says about the quota.
func (l *throttle) observe(status int, h http.Header, now time.Time) {
	r, ok := ParseRate(h)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.probeDoneLocked()
	// A quota of zero would hold every request for ever; such an answer
	// is not trusted.
	if ok && r.Quota > 0 {
		resetAt := now.Add(min(r.ResetIn, l.longestPause(r.Window)))
		tolerance := min(50*time.Millisecond, r.Window/4)
		var late bool
		switch {
		case !l.known:
		case !l.guessedFrom.IsZero():
			late = !resetAt.After(l.guessedFrom.Add(tolerance))
		default:
			late = resetAt.Before(l.resetAt.Add(-tolerance))
		}
		if !late {
			// The server's clock is the one that counts.
			l.last, l.known, l.resetAt, l.guessedFrom = r, true, resetAt, time.Time{}
			// The server had counted Quota-Remaining requests; at most
			// l.sent of them were this Client's.
			if others := r.Quota - r.Remaining - l.sent; others > l.others {
				l.others = others
			}
		}
	}
	if status == http.StatusTooManyRequests {
		// Every goroutine pauses as long as the 429 asks, not only the
		// one that got it. The server's word on how long wins over the
		// window's reset; a 429 that says nothing is load shedding, which
		// the retry backoff handles, not a spent quota.
		if wait, ok := RateLimitWait(h); ok && wait > 0 {
			if until := now.Add(min(wait, l.longestPause(l.last.Window))); until.After(l.pausedUntil) {
				l.pausedUntil = until
			}
		}
	}
}

// longestPause bounds how long one answer can hold the Client back: an
// absurd X-Retry-After or reset time must not disable it for days. Past
// this, a request goes out and the server says again where things stand.
func (l *throttle) longestPause(window time.Duration) time.Duration {
	return max(window, l.maxPause)
}

// Rate is the quota as the Client sees it now: the latest reported quota
// and window, what is left by its own count (answers arriving out of
// order make the latest Remaining header jump), and ResetIn from now.
func (l *throttle) Rate(string) Rate {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known {
		return Rate{}
	}
	r := l.last
	if l.pace {
		r.Remaining = max(l.leftLocked(), 0)
	}
	r.ResetIn = max(time.Until(l.resetAt), 0)
	return r
}

// adopt takes what the shared limiter last said of the store's window, r
// read at now, where it is more recent than the throttle's own view, as a
// process begins to pace alone. The throttle hears only this process's
// answers: a process whose requests all waited in the shared line heard
// none in the current window, and one that heard a few early in the window
// does not know what the fleet spent since. Pacing alone on that view, it
// would spend its share of a window the others have spent, or take the
// window as over and spend its share of a "new" one before the store's
// window ends. The requests the fleet spent in the window count as others'.
//
// When neither view knows a window that has not yet ended (the shared
// limiter's may be a guess that ran out before the store's window did),
// the throttle learns where the store stands as it does at its start: one
// request goes first, and the others wait for its answer.
func (l *throttle) adopt(r Rate, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Quota > 0 && r.ResetIn > 0 {
		l.adoptLocked(r, now)
	}
	switch {
	case l.known && l.resetAt.After(now):
		l.probeDoneLocked() // nothing to learn first
	case l.probed:
		l.probed, l.probing, l.probe = false, false, make(chan struct{})
	}
}

func (l *throttle) adoptLocked(r Rate, now time.Time) {
	resetAt := now.Add(min(r.ResetIn, l.longestPause(r.Window)))
	spent := max(r.Quota-r.Remaining, 0)
	if l.known {
		tolerance := min(50*time.Millisecond, r.Window/4)
		switch {
		case resetAt.Before(l.resetAt.Add(-tolerance)):
			return // a window older than the throttle's
		case !resetAt.After(l.resetAt.Add(tolerance)):
			// The same window: the fleet spent at least this much of it.
			l.others = max(l.others, spent)
			return
		}
	}
	l.last = Rate{Quota: r.Quota, Remaining: r.Remaining, Window: r.Window}
	l.known, l.resetAt, l.guessedFrom = true, resetAt, time.Time{}
	l.sent, l.handed, l.others = 0, 0, spent
	l.shareBase, l.shareSent = -1, 0
}

// windowEnd is when the store's current window ends, as the answers told,
// or false when no answer said so or it has already ended.
func (l *throttle) windowEnd(now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known || !l.resetAt.After(now) {
		return time.Time{}, false
	}
	return l.resetAt, true
}

// takeSentAlone is how many requests the throttle let through in the
// store's current window that no shared limiter has been told of, and
// marks them told: the pacer hands them to a Rejoiner when it goes back to
// the shared limiter, once.
func (l *throttle) takeSentAlone(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known || !now.Before(l.resetAt) {
		return 0
	}
	n := l.sent - l.handed
	l.handed = l.sent
	return max(n, 0)
}

// giveBackSentAlone undoes takeSentAlone when the shared limiter did not
// take the count.
func (l *throttle) giveBackSentAlone(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handed = max(l.handed-n, 0)
}
