package ratelimittest_test

import (
	"context"
	"net/http"
	"sync"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// bug is a deliberate break of the contract, which the suite must catch.
type bug string

const (
	noCap            bug = "ignores the cap on requests in flight"
	oneTooMany       bug = "grants one request more than is left"
	noProbe          bug = "lets every request go while the quota is unknown"
	stuckProbe       bug = "waits for ever on a first request that got no answer"
	cancelEndsProbe  bug = "lets everyone go when a request waiting for the first answer gives up"
	lowers           bug = "takes the latest answer's count even when it says more are left"
	noLateWindow     bug = "takes a late answer from the last window for the new one's"
	noRefill         bug = "never refills the window"
	ignoresOthers    bug = "counts only its own requests"
	noPause          bug = "ignores a 429's X-Retry-After"
	pausesOnAny429   bug = "pauses until the window's end on any 429"
	counts429        bug = "counts a request answered 429 as one the store counted"
	releasesTwice    bug = "frees a slot on every Release"
	ignoresCancel    bug = "waits on after its context ends"
	sleepsOutMaxWait bug = "sleeps out maxWait before refusing"
	leaksOnRefusal   bug = "keeps the slot of a request it refused"
)

// refLimiter is a plain in-memory RateLimiter that keeps the contract,
// unless told to break it: it shows that the suite passes a correct
// limiter, and is what each bug is planted in.
type refLimiter struct {
	maxInFlight int
	bug         bug

	mu       sync.Mutex
	changed  chan struct{} // closed, and replaced, on every change
	inFlight int
	known    bool
	quota    int
	window   time.Duration
	resetAt  time.Time
	// guessedFrom is the end of the window that ran out with no answer to
	// say when the next one ends, until an answer does.
	guessedFrom time.Time
	sent        int
	others      int
	pausedUntil time.Time
	probe       *refPermit // the request learning the quota, while it is out
	probed      bool
}

func newRef(maxInFlight int, b bug) *refLimiter {
	return &refLimiter{maxInFlight: maxInFlight, bug: b, changed: make(chan struct{})}
}

const margin = 5 * time.Millisecond

func (l *refLimiter) wakeLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *refLimiter) Acquire(ctx context.Context, _ string, maxWait time.Duration) (bigcommerce.Permit, error) {
	for {
		l.mu.Lock()
		p, wait, blocked := l.tryLocked()
		changed := l.changed
		if !blocked && wait > 0 && l.bug == leaksOnRefusal && wait > maxWait {
			l.inFlight++
		}
		l.mu.Unlock()
		if p != nil {
			return p, nil
		}
		if !blocked {
			if wait > maxWait {
				if l.bug == sleepsOutMaxWait {
					time.Sleep(maxWait)
				}
				return nil, &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "quota spent"}
			}
			if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
				return nil, &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "quota spent past the deadline"}
			}
		}
		if err := l.await(ctx, changed, wait, blocked); err != nil {
			return nil, err
		}
	}
}

// await waits for a change, or for wait unless blocked, or for ctx.
func (l *refLimiter) await(ctx context.Context, changed <-chan struct{}, wait time.Duration, blocked bool) error {
	var timeout <-chan time.Time
	if !blocked {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	done := ctx.Done()
	if l.bug == ignoresCancel {
		done = nil
	}
	select {
	case <-changed:
	case <-timeout:
	case <-done:
		if l.bug == cancelEndsProbe {
			l.mu.Lock()
			l.probed = true
			l.wakeLocked()
			l.mu.Unlock()
		}
		return ctx.Err()
	}
	return nil
}

// tryLocked grants a permit, or says how long to wait (blocked when the
// wait ends with a change rather than at a time).
func (l *refLimiter) tryLocked() (p *refPermit, wait time.Duration, blocked bool) {
	if l.probe != nil && !l.probed && l.bug != noProbe {
		return nil, 0, true
	}
	if l.inFlight >= l.maxInFlight && l.bug != noCap {
		return nil, 0, true
	}
	now := time.Now()
	if now.Before(l.pausedUntil) {
		return nil, l.pausedUntil.Sub(now) + margin, false
	}
	if l.known {
		if !now.Before(l.resetAt) {
			if l.bug != noRefill {
				l.sent, l.others, l.guessedFrom = 0, 0, l.resetAt
			}
			l.resetAt = now.Add(l.window)
		}
		left := l.quota - l.sent - l.others
		if left < 0 || (left == 0 && l.bug != oneTooMany) {
			return nil, l.resetAt.Sub(now) + margin, false
		}
		l.sent++
	}
	p = &refPermit{l: l}
	if !l.probed && l.probe == nil {
		l.probe = p
	}
	l.inFlight++
	return p, 0, false
}

func (l *refLimiter) Rate(string) bigcommerce.Rate {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known {
		return bigcommerce.Rate{}
	}
	return bigcommerce.Rate{Quota: l.quota, Remaining: max(l.quota-l.sent-l.others, 0), ResetIn: max(time.Until(l.resetAt), 0), Window: l.window}
}

type refPermit struct {
	l        *refLimiter
	released bool
}

func (p *refPermit) Report(status int, h http.Header) {
	l := p.l
	now := time.Now()
	r, ok := bigcommerce.ParseRate(h)
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.wakeLocked()
	if l.probe == p {
		l.probed = true
	}
	if status == http.StatusTooManyRequests && l.bug != counts429 {
		// The store does not count a request it refused.
		l.sent = max(l.sent-1, 0)
	}
	if ok && r.Quota > 0 {
		resetAt := now.Add(r.ResetIn)
		tolerance := min(50*time.Millisecond, r.Window/4)
		late := false
		switch {
		case !l.known || l.bug == noLateWindow:
		case !l.guessedFrom.IsZero():
			late = !resetAt.After(l.guessedFrom.Add(tolerance))
		default:
			late = resetAt.Before(l.resetAt.Add(-tolerance))
		}
		if !late {
			l.known, l.quota, l.window, l.resetAt, l.guessedFrom = true, r.Quota, r.Window, resetAt, time.Time{}
			others := r.Quota - r.Remaining - l.sent
			switch {
			case l.bug == ignoresOthers:
			case l.bug == lowers:
				l.others = max(others, 0)
			case others > l.others:
				l.others = others
			}
		}
	}
	if status != http.StatusTooManyRequests {
		return
	}
	if l.bug == pausesOnAny429 {
		l.pausedUntil = l.resetAt
		return
	}
	if wait, ok := bigcommerce.RateLimitWait(h); ok && wait > 0 && l.bug != noPause {
		l.pausedUntil = now.Add(wait)
	}
}

func (p *refPermit) Release() {
	l := p.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.released && l.bug != releasesTwice {
		return
	}
	p.released = true
	l.inFlight--
	if l.probe == p && !l.probed && l.bug != stuckProbe {
		// No answer came: the next request learns the quota instead.
		l.probe = nil
	}
	l.wakeLocked()
}
