package bigcommerce

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a store's API quota as BigCommerce reports it on every OAuth
// response. The quota is shared by every app installed on the store.
type Rate struct {
	// Quota is how many requests the store may make per window.
	Quota int
	// Remaining is how many of them are left in the current window.
	Remaining int
	// ResetIn is how long until the window ends and the quota refills.
	ResetIn time.Duration
	// Window is the length of one window.
	Window time.Duration
}

const (
	headerQuota      = "X-Rate-Limit-Requests-Quota"
	headerLeft       = "X-Rate-Limit-Requests-Left"
	headerResetMs    = "X-Rate-Limit-Time-Reset-Ms"
	headerWindowMs   = "X-Rate-Limit-Time-Window-Ms"
	headerRetryAfter = "X-Retry-After"
)

// ParseRate reads BigCommerce's rate-limit headers from an answer. It is
// exported for RateLimiter implementations, so that they read the headers
// by the same rules as the in-process throttle. It reports false when the
// answer carried no usable X-Rate-Limit-Requests-Left, which the throttle
// keys on; values that are negative or not numbers are ignored rather than
// trusted.
func ParseRate(h http.Header) (Rate, bool) {
	left, ok := headerInt(h, headerLeft)
	if !ok {
		return Rate{}, false
	}
	r := Rate{Remaining: left}
	r.Quota, _ = headerInt(h, headerQuota)
	if ms, ok := headerInt(h, headerResetMs); ok {
		r.ResetIn = msDuration(ms)
	}
	if ms, ok := headerInt(h, headerWindowMs); ok {
		r.Window = msDuration(ms)
	}
	return r, true
}

// headerInt parses a non-negative integer header; huge values saturate.
// Fractions are accepted and rounded up, since some proxies rewrite
// integral headers as decimals.
func headerInt(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(f) || f < 0 {
			return 0, false
		}
		if f > math.MaxInt32 {
			return math.MaxInt32, true
		}
		return int(math.Ceil(f)), true
	}
	if n < 0 {
		return 0, false
	}
	if n > math.MaxInt32 {
		return math.MaxInt32, true
	}
	return int(n), true
}

func msDuration(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// RateLimitWait is how long a 429 asks every client of the store to wait:
// X-Retry-After in seconds (BigCommerce's own header), else the time until
// the window resets, else a standard Retry-After in seconds from a proxy in
// between. It is exported for RateLimiter implementations.
//
// A 429 without X-Retry-After that reports requests left in the window was
// not about the quota (the store's cap on requests in flight, say), and so
// is one with no headers at all (load shedding): waiting for the window to
// reset would waste most of it, so RateLimitWait reports false and the retry
// backoff handles it.
func RateLimitWait(h http.Header) (time.Duration, bool) {
	if s, ok := headerInt(h, headerRetryAfter); ok {
		return time.Duration(s) * time.Second, true
	}
	if left, ok := headerInt(h, headerLeft); ok && left > 0 {
		return 0, false
	}
	if ms, ok := headerInt(h, headerResetMs); ok {
		return msDuration(ms), true
	}
	if s, ok := headerInt(h, "Retry-After"); ok {
		return time.Duration(s) * time.Second, true
	}
	return 0, false
}

// RateLimiter paces requests to a store's quota and to its cap on requests
// in flight. Every attempt a Client makes, retries included, first waits on
// Acquire, then reports its answer to the Permit it got, and releases the
// Permit when it is over.
//
// The default is an in-process throttle shared by the goroutines of one
// Client. Processes that share one store's quota can share one limiter
// instead through WithRateLimiter, for example the Redis-backed one in the
// redisquota module. One RateLimiter may serve the Clients of many stores:
// each call names the store by the Client's API root.
type RateLimiter interface {
	// Acquire waits until one request to the store at apiRoot may be sent
	// and returns its Permit. It returns at once with a *ThrottleError when
	// the request could not go within maxWait, or before ctx's deadline; with
	// ctx's error when ctx ends while it waits; and with an error matching
	// ErrLimiterUnavailable when it cannot decide (its backend is down or
	// slow), in which case the Client paces the request with its
	// in-process throttle instead.
	Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error)
	// Rate returns the limiter's view of the quota of the store at apiRoot,
	// or the zero Rate when it has none. When Acquire fails with
	// ErrLimiterUnavailable, the Client reads it once more and paces alone
	// from it where it is more recent than what this process heard itself,
	// so it should be what the limiter last knew, with ResetIn counted from
	// now, even while the backend is away.
	Rate(apiRoot string) Rate
}

// FleetSizer is implemented by a shared RateLimiter that knows how many
// processes share a store's quota through it. While such a limiter cannot
// answer, a Client paces alone with its fair share instead of the whole
// store: about a FleetSize-th of the quota per window and of the cap on
// requests in flight, never less than one.
type FleetSizer interface {
	// FleetSize is how many processes share the store at apiRoot, as the
	// limiter last learnt it, or its conservative guess when it never
	// learnt it. A value below 2 means the process has the store alone.
	FleetSize(apiRoot string) int
}

// Rejoiner is implemented by a shared RateLimiter that can count the
// requests a process sent while it paced alone. When a Client goes back to
// the shared limiter after pacing alone, it asks for its first permit with
// AcquireRejoining and the number of requests it sent alone in the store's
// current window, so that the limiter counts them in the same step as the
// grant and the window is not spent twice: once by the process alone, once
// by the shared count, which would learn of those requests only from later
// answers.
type Rejoiner interface {
	// AcquireRejoining is Acquire for a process coming back from pacing
	// alone, which sent sentAlone requests in the store's current window.
	AcquireRejoining(ctx context.Context, apiRoot string, maxWait time.Duration, sentAlone int) (Permit, error)
}

// Permit is one request's leave to go out, given by a RateLimiter.
type Permit interface {
	// Report passes on the answer's status and headers as soon as they
	// arrive. It is called at most once, and not at all when the request
	// got no answer.
	Report(status int, header http.Header)
	// Release ends the request once its body is closed or it failed. The
	// Client calls it once, after Report; a second call must do nothing,
	// so that a stray one cannot free another request's slot. It must not
	// block for long.
	Release()
}

// releaseOnClose releases the request's permit once its body is closed, so
// a slow reader still counts as a request in flight.
type releaseOnClose struct {
	io.ReadCloser
	permit Permit
	once   sync.Once
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.permit.Release)
	return err
}

// sharedHoldOff is how long the Client paces with its in-process throttle
// after a shared limiter failed, before it asks the shared one again: a
// limiter that is down would otherwise add its timeout to every request.
const sharedHoldOff = 250 * time.Millisecond

// pacer chooses the limiter for each request: the shared one given with
// WithRateLimiter while it answers, else the in-process throttle. The
// in-process throttle hears every answer either way, so that it knows the
// store's quota as soon as it has to take over.
type pacer struct {
	shared  RateLimiter // nil unless WithRateLimiter was given
	local   *throttle
	logger  *slog.Logger
	tracer  Tracer        // nil unless WithTracer
	holdOff time.Duration // sharedHoldOff; shorter in tests

	mu        sync.Mutex
	down      bool      // the shared limiter failed and has not answered since
	holdUntil time.Time // until then, requests skip the shared limiter
	// answeredAt is when the shared limiter last gave a permit: a failure
	// of a request that asked before then says nothing new.
	answeredAt time.Time
}

func (p *pacer) acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error) {
	if p.shared == nil {
		return p.local.Acquire(ctx, apiRoot, maxWait)
	}
	askedAgain := false
	for {
		permit, err := p.acquireOnce(ctx, apiRoot, maxWait, askedAgain)
		switch err {
		case errRejoin:
		case errAskAgain:
			askedAgain = true
		default:
			return permit, err
		}
	}
}

// errAskAgain tells the pacer that the shared limiter failed a request
// after it had answered another one that asked later: the request asks it
// once more.
var errAskAgain = errors.New("bigcommerce: the shared rate limiter answered meanwhile")

// acquireOnce asks the shared limiter unless it is held off, and else
// paces alone; errRejoin says that the hold-off ended while the request
// waited alone, errAskAgain that the failure was older than an answer.
// askedAgain is set when the request already asked again once: a second
// such failure paces it alone, so that a limiter that answers others but
// keeps failing this one cannot hold it in a loop of round trips.
func (p *pacer) acquireOnce(ctx context.Context, apiRoot string, maxWait time.Duration, askedAgain bool) (Permit, error) {
	if ok, down := p.sharedState(); ok {
		start := time.Now()
		permit, err := p.acquireShared(ctx, apiRoot, maxWait, start, down)
		if p.tracer != nil && time.Since(start) >= sharedWaitFloor {
			traceWait(ctx, p.tracer, WaitShared, start, err)
		}
		switch {
		case err == nil:
			p.sharedAnswered(ctx, apiRoot)
			return &sharedPermit{Permit: permit, local: p.local}, nil
		case !errors.Is(err, ErrLimiterUnavailable):
			return nil, err
		}
		outage := p.sharedFailed(ctx, apiRoot, err, start)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !outage && !askedAgain {
			// The limiter answered another request since this one asked:
			// ask it again rather than pace alone on this process's own
			// view of the store, which may be a window old.
			return nil, errAskAgain
		}
	}
	return p.alone(ctx, apiRoot, maxWait)
}

// alone paces a request without the shared limiter, with this process's
// fair share of the store: the whole of it unless the limiter says how
// many processes share the store through it.
func (p *pacer) alone(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error) {
	if n := p.fleetSize(apiRoot); n > 1 {
		return p.local.acquireShare(ctx, maxWait, n, p.tryShared)
	}
	return p.local.Acquire(ctx, apiRoot, maxWait)
}

// fleetSize is how many processes share the store at apiRoot by the shared
// limiter's word, or 1 when it does not say. It is asked at each request
// paced alone, since processes come and go during an outage too.
func (p *pacer) fleetSize(apiRoot string) int {
	if fs, ok := p.shared.(FleetSizer); ok {
		return max(fs.FleetSize(apiRoot), 1)
	}
	return 1
}

// maxRejoinDelay bounds how long a process keeps pacing alone, waiting for
// the store's window to end, before it asks the shared limiter again.
const maxRejoinDelay = 5 * time.Second

// holdUntilAfterFailure is when to ask the shared limiter again after it
// failed at now: after the hold-off, and not before the store's current
// window ends, when that is known and near. A process that came back in
// the middle of a window would take the shared count's idea of what is
// left (a Redis that restarted empty learns it from the next answer),
// while the processes still pacing alone spend their shares of the same
// window: together they overrun it. Coming back at the window's edge,
// every process of the fleet comes back to a fresh window at the same
// moment. A zero hold-off, in tests, asks again at once.
func (p *pacer) holdUntilAfterFailure(now time.Time) time.Time {
	until := now.Add(p.holdOff)
	if p.holdOff <= 0 {
		return until
	}
	if end, ok := p.local.windowEnd(now); ok && end.After(until) && end.Sub(now) <= maxRejoinDelay {
		until = end
	}
	return until
}

// tryShared reports whether the hold-off is over.
func (p *pacer) tryShared() bool {
	ok, _ := p.sharedState()
	return ok
}

// sharedState reports, under one lock, whether the hold-off is over and
// whether the shared limiter failed and has not answered since.
func (p *pacer) sharedState() (ok, down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !time.Now().Before(p.holdUntil), p.down
}

// acquireShared asks the shared limiter for a permit, handing a Rejoiner
// the requests this process sent alone in the current window when it
// comes back from pacing alone.
func (p *pacer) acquireShared(ctx context.Context, apiRoot string, maxWait time.Duration, now time.Time, down bool) (Permit, error) {
	if rj, ok := p.shared.(Rejoiner); ok && down {
		if n := p.local.takeSentAlone(now); n > 0 {
			permit, err := rj.AcquireRejoining(ctx, apiRoot, maxWait, n)
			if err != nil {
				p.local.giveBackSentAlone(n) // for the next to come back
			}
			return permit, err
		}
	}
	return p.shared.Acquire(ctx, apiRoot, maxWait)
}

// sharedWaitFloor is how long a shared limiter's Acquire must take to be
// reported to a Tracer as a wait: longer than a round trip to a healthy
// Redis on the same network, so that a permit given at once is not.
const sharedWaitFloor = time.Millisecond

// sharedFailed starts a hold-off and logs the first failure of an outage,
// with the share of the store the process keeps to until it ends.
//
// A failure of a request that asked before the shared limiter last gave a
// permit is not an outage: a Redis that just came back fails the commands
// sent on the connections it dropped while it answers the others, and
// leaving it for a whole window on that would split the fleet between
// processes pacing through it and processes pacing alone. So would a
// request that waited in the shared line since before the last permit and
// then paced alone: it asks the shared limiter again instead.
//
// It reports whether the failure was taken as an outage.
func (p *pacer) sharedFailed(ctx context.Context, apiRoot string, err error, asked time.Time) (outage bool) {
	hold := p.holdUntilAfterFailure(time.Now())
	p.mu.Lock()
	if p.answeredAt.After(asked) {
		p.mu.Unlock()
		return false
	}
	first := !p.down
	p.down, p.holdUntil = true, hold
	p.mu.Unlock()
	if !first {
		return true
	}
	// The throttle paces alone from here on what the shared limiter last
	// said of the store's window, when that is more recent than what it
	// heard itself.
	p.local.adopt(p.shared.Rate(apiRoot), time.Now())
	n := p.fleetSize(apiRoot)
	if p.tracer != nil {
		p.tracer.TracePacing(ctx, TracePacingData{APIRoot: apiRoot, Alone: true, Share: n, Err: err})
	}
	if p.logger == nil {
		return true
	}
	attrs := []slog.Attr{
		slog.String("error", err.Error()),
		slog.Int("fleet_size", n),
		slog.Int("max_in_flight", p.local.shareOfSlots(n)),
	}
	if q := p.local.shareOfQuota(n); q > 0 {
		attrs = append(attrs, slog.Int("requests_per_window", q))
	}
	p.logger.LogAttrs(ctx, slog.LevelWarn, "bigcommerce: the shared rate limiter is unavailable; pacing with the in-process throttle, with this process's share of the store, until it answers", attrs...)
	return true
}

// sharedAnswered ends an outage, logging that the shared state is joined
// again.
func (p *pacer) sharedAnswered(ctx context.Context, apiRoot string) {
	now := time.Now()
	p.mu.Lock()
	was := p.down
	// An answer ends the hold-off that a failure asked for at the same
	// time: the limiter answers.
	p.down, p.holdUntil, p.answeredAt = false, time.Time{}, now
	p.mu.Unlock()
	if was && p.logger != nil {
		p.logger.LogAttrs(ctx, slog.LevelInfo, "bigcommerce: the shared rate limiter answers again; pacing with it")
	}
	if was && p.tracer != nil {
		p.tracer.TracePacing(ctx, TracePacingData{APIRoot: apiRoot, Alone: false, Share: p.fleetSize(apiRoot)})
	}
}

// rate is the shared limiter's view while it has one, else the in-process
// throttle's.
func (p *pacer) rate(apiRoot string) Rate {
	if p.shared != nil {
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if r := p.shared.Rate(apiRoot); !down && r != (Rate{}) {
			return r
		}
	}
	return p.local.Rate(apiRoot)
}

// sharedPermit also tells the in-process throttle what each answer said,
// without holding one of its slots.
type sharedPermit struct {
	Permit
	local *throttle
}

func (p *sharedPermit) Report(status int, h http.Header) {
	p.Permit.Report(status, h)
	p.local.observe(status, h, time.Now())
}
