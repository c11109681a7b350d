package bigcommerce

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// pacer is where every request of a Client waits (rule P9 of
// docs/pacing.md): first its call's wait before a retry (retryWait), then,
// in one loop (acquire), the shared limiter given with WithRateLimiter
// while it answers, else the process's own view of the store (a 429's
// pause, the first answer, a slot, the window's share).
type pacer struct {
	s       *settings
	apiRoot string
	view    *throttle
	// holdOff is how long requests pace alone after the shared limiter
	// failed before they ask it again (rule F6); shorter in tests.
	holdOff time.Duration
	// sleep, when set, stands in for the wait before a retry, so that
	// tests see the waits without taking them.
	sleep func(time.Duration)

	mu        sync.Mutex
	aloneAt   time.Time // when the shared limiter failed; zero while it answers
	holdUntil time.Time
	asking    bool          // a request asks the shared limiter whether it is back
	heard     chan struct{} // closed when that request has its answer (tellLocked)
}

// sharedHoldOff is rule F6's hold-off: a limiter that is down would
// otherwise add its timeout to every request.
const sharedHoldOff = 250 * time.Millisecond

func newPacer(s *settings, apiRoot string) *pacer {
	return &pacer{s: s, apiRoot: apiRoot, view: newThrottle(s), holdOff: sharedHoldOff, heard: make(chan struct{})}
}

// tellLocked wakes the requests waiting alone to look again at whether
// the shared limiter answers (rule F8).
func (p *pacer) tellLocked() {
	close(p.heard)
	p.heard = make(chan struct{})
}

// retryWait takes a call's wait before its next attempt (rule P8), which
// the retry loop chose, before the attempt asks for its permit: it is the
// first of what a request waits for (rule P9), and it goes through the
// same wait as the rest, so a Tracer sees it in the attempt it delays.
func (p *pacer) retryWait(ctx context.Context, d time.Duration, cause WaitCause) error {
	if d <= 0 {
		return nil
	}
	if p.sleep != nil {
		p.sleep(d)
		return nil
	}
	return p.wait(ctx, time.Now().Add(d), nil, cause, p.s.rateWait, false)
}

// acquire waits until the request may go and returns its Permit. Each
// wait for the quota or a pause longer than maxWait, or past ctx's
// deadline, is refused at once with a *ThrottleError (rule P9).
func (p *pacer) acquire(ctx context.Context, maxWait time.Duration) (Permit, error) {
	var req aloneRequest
	// failed is set when the shared limiter failed this request, which
	// then paces alone until it has waited (rule F6).
	failed := false
	for {
		var until time.Time
		var ch <-chan struct{}
		var cause WaitCause
		alone := false
		if ask, again := p.askShared(failed); ask {
			p.view.giveUp(&req)
			permit, down, err := p.acquireShared(ctx, maxWait, again)
			if permit != nil || err != nil {
				return permit, err
			}
			failed = down
			continue
		} else {
			var ok bool
			if ok, until, ch, cause = p.view.next(&req); ok {
				return &alonePermit{l: p.view, epoch: req.epoch, prober: req.prober}, nil
			}
			alone = true
		}
		if err := p.wait(ctx, until, ch, cause, maxWait, alone); err != nil {
			p.view.giveUp(&req)
			return nil, err
		}
		failed = false
	}
}

// wait sleeps until until, or until ch is closed when it is not nil,
// refusing a wait for the quota or a pause that is too long (rule P9). A
// request pacing alone (alone set) also wakes when it is time to ask the
// shared limiter again (rule F8).
func (p *pacer) wait(ctx context.Context, until time.Time, ch <-chan struct{}, cause WaitCause, maxWait time.Duration, alone bool) error {
	start := time.Now()
	var timer <-chan time.Time
	var heard <-chan struct{}
	wake := until
	if alone {
		var ask time.Time
		ask, heard = p.askAgain()
		if !ask.IsZero() && (wake.IsZero() || ask.Before(wake)) {
			wake = ask
		}
	}
	if !until.IsZero() && (cause == WaitQuota || cause == WaitPause) {
		if err := tooLong(ctx, until.Sub(start), maxWait); err != nil {
			traceWait(ctx, p.s.tracer, cause, start, err)
			return err
		}
	}
	if !wake.IsZero() {
		t := time.NewTimer(wake.Sub(start))
		defer t.Stop()
		timer = t.C
	}
	if ch != nil {
		defer p.view.waitOn(cause)()
	}
	select {
	case <-timer:
	case <-ch:
	case <-heard:
	case <-ctx.Done():
		traceWait(ctx, p.s.tracer, cause, start, ctx.Err())
		return ctx.Err()
	}
	traceWait(ctx, p.s.tracer, cause, start, nil)
	return nil
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

// askShared reports whether a request asks the shared limiter now: while
// it answers, every request does; while it fails, one request asks again
// (again) once the hold-off is over, and the others pace alone until it
// has its answer (rule F8). A request that the limiter just failed
// (failed) paces alone until it has waited.
func (p *pacer) askShared(failed bool) (ask, again bool) {
	if p.s.limiter == nil || failed {
		return false, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.aloneAt.IsZero():
		return true, false
	case p.asking || time.Now().Before(p.holdUntil):
		return false, false
	}
	p.asking = true
	return true, true
}

// askAgain is, while the shared limiter is held off, when a request
// pacing alone wakes to ask it again, and a channel closed when the
// request that asked has its answer (rule F8): requests waiting alone for
// the quota or a slot would otherwise sleep through its return, and keep
// the process alone until the window's end.
func (p *pacer) askAgain() (time.Time, <-chan struct{}) {
	if p.s.limiter == nil {
		return time.Time{}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aloneAt.IsZero() || p.asking {
		return time.Time{}, p.heard
	}
	return p.holdUntil, p.heard
}

// sharedWaitFloor is how long a shared limiter's Acquire must take to be
// reported to a Tracer as a wait: longer than a round trip to a healthy
// Redis on the same network, so that a permit given at once is not.
const sharedWaitFloor = time.Millisecond

// acquireShared asks the shared limiter for a permit. It returns neither
// a permit nor an error when the limiter is unavailable (down: the request
// then paces alone, rule F6), or when the request that asks whether it is
// back (again) learns that it is, but must wait its turn: it asks with no
// wait, so that its answer ends the outage for every request at once,
// instead of when its turn comes (rule F8), and then asks as they do.
func (p *pacer) acquireShared(ctx context.Context, maxWait time.Duration, again bool) (permit Permit, down bool, err error) {
	start := time.Now()
	wait := maxWait
	if again {
		wait = 0
	}
	permit, err = p.s.limiter.Acquire(ctx, p.apiRoot, wait)
	var throttled *ThrottleError
	if again && errors.As(err, &throttled) {
		p.back(ctx)
		return nil, false, nil
	}
	waited := time.Since(start) >= sharedWaitFloor
	if waited {
		traceWait(ctx, p.s.tracer, WaitShared, start, err)
	}
	switch {
	case err == nil:
		p.back(ctx)
		epoch := p.view.sentShared(waited, p.s.limiter.Rate(p.apiRoot))
		return &sharedPermit{Permit: permit, view: p.view, epoch: epoch}, false, nil
	case !errors.Is(err, ErrLimiterUnavailable) || ctx.Err() != nil:
		if again {
			p.unask()
		}
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, false, err
	}
	p.fellBack(ctx, err)
	return nil, true, nil
}

// unask lets another request ask whether the shared limiter is back, when
// the one that asked gave up without an answer.
func (p *pacer) unask() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.aloneAt.IsZero() {
		p.asking = false
		p.tellLocked()
	}
}

// fellBack holds the shared limiter off, and logs and traces the first
// failure of an outage (rule F6).
func (p *pacer) fellBack(ctx context.Context, err error) {
	now := time.Now()
	p.mu.Lock()
	first := p.aloneAt.IsZero()
	if first {
		p.aloneAt = now
	}
	p.tellLocked()
	p.holdUntil, p.asking = now.Add(p.holdOff), false
	p.mu.Unlock()
	if !first {
		return
	}
	p.view.startAlone()
	share := p.view.shareNow()
	if p.s.tracer != nil {
		p.s.tracer.TracePacing(ctx, TracePacingData{APIRoot: p.apiRoot, Alone: true, Share: share, Err: err})
	}
	if p.s.logger != nil {
		p.s.logger.LogAttrs(ctx, slog.LevelWarn, "bigcommerce: the shared rate limiter is unavailable; pacing alone with this process's learnt share of the store until it answers",
			slog.String("error", err.Error()), slog.Float64("share", share))
	}
}

// back ends an outage, logging and tracing how long it lasted (rule F8).
func (p *pacer) back(ctx context.Context) {
	p.mu.Lock()
	since := p.aloneAt
	if !since.IsZero() {
		p.tellLocked()
	}
	p.aloneAt, p.holdUntil, p.asking = time.Time{}, time.Time{}, false
	p.mu.Unlock()
	if since.IsZero() {
		return
	}
	alone := time.Since(since)
	if p.s.tracer != nil {
		p.s.tracer.TracePacing(ctx, TracePacingData{APIRoot: p.apiRoot, Alone: false, Share: p.view.shareNow(), AloneFor: alone})
	}
	if p.s.logger != nil {
		p.s.logger.LogAttrs(ctx, slog.LevelWarn, "bigcommerce: the shared rate limiter answers again; pacing with it",
			slog.Duration("alone_for", alone))
	}
}

// rate is the shared limiter's view while it answers and has one, else
// the process's own.
func (p *pacer) rate() Rate {
	if p.s.limiter != nil {
		p.mu.Lock()
		alone := !p.aloneAt.IsZero()
		p.mu.Unlock()
		if r := p.s.limiter.Rate(p.apiRoot); !alone && r != (Rate{}) {
			return r
		}
	}
	return p.view.Rate()
}

// sharedPermit also tells the process's own view what each answer said
// (rule F5).
type sharedPermit struct {
	Permit
	view     *throttle
	epoch    int
	reported bool
}

func (p *sharedPermit) Report(status int, h http.Header) {
	p.reported = true
	p.Permit.Report(status, h)
	p.view.observe(p.epoch, status, h, p.view.now(), false)
}

func (p *sharedPermit) Release() {
	if !p.reported {
		p.reported = true // a second Release counts nothing
		p.view.failed(p.epoch)
	}
	p.Permit.Release()
}
