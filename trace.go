package bigcommerce

import (
	"context"
	"time"
)

// Tracer observes what a Client does, for tracing and metrics: each call,
// each HTTP attempt of a call, each wait for the rate limit, and each
// switch between a shared rate limiter and pacing alone. It knows nothing
// of any tracing library; the bcotel module builds OpenTelemetry spans and
// metrics on it. Set one with WithTracer.
//
// The Start methods return the context that the rest of the call or
// attempt runs in, so a tracer can carry its span there; the End methods
// receive that context and what happened. The Client calls them on the
// caller's goroutine, so they must be quick and safe for concurrent use.
// No data passed to a Tracer holds a credential: URLs are sanitized as in
// errors, and headers are never passed.
//
// Without a Tracer, the request path makes none of these calls and pays
// nothing for them.
type Tracer interface {
	// TraceCallStart is called when a call begins, before its arguments
	// are checked.
	TraceCallStart(ctx context.Context, data TraceCallStartData) context.Context
	// TraceCallEnd is called once when the call returns.
	TraceCallEnd(ctx context.Context, data TraceCallEndData)
	// TraceAttemptStart is called before each HTTP attempt, before it
	// waits for anything: its wait before a retry, and the rate limiter.
	TraceAttemptStart(ctx context.Context, data TraceAttemptStartData) context.Context
	// TraceAttemptEnd is called when the attempt's answer arrives or it
	// fails.
	TraceAttemptEnd(ctx context.Context, data TraceAttemptEndData)
	// TraceWait is called after each wait of an attempt: before a retry,
	// and for the rate limiter.
	TraceWait(ctx context.Context, data TraceWaitData)
	// TracePacing is called when the Client stops using its shared rate
	// limiter and paces alone, and when it uses the shared one again.
	TracePacing(ctx context.Context, data TracePacingData)
}

// TraceCallStartData describes a call as it begins.
type TraceCallStartData struct {
	// Operation names the method called, as "CustomerGroups.List".
	Operation string
	// Method is the HTTP method the call sends.
	Method string
	// APIRoot is the Client's API root, which names the store.
	APIRoot string
}

// TraceCallEndData says how a call ended.
type TraceCallEndData struct {
	Operation string
	// Attempts is how many HTTP attempts the call made: 0 when it was
	// refused before sending (bad arguments, the rate-limit wait too long).
	Attempts int
	// StatusCode is the last answer's status, or 0 when none came.
	StatusCode int
	// Err is the error the call returns, or nil.
	Err error
}

// TraceAttemptStartData describes one HTTP attempt as it begins.
type TraceAttemptStartData struct {
	// Attempt counts from 1.
	Attempt int
	Method  string
	// URL is the full URL, sanitized as in errors.
	URL string
}

// TraceAttemptEndData says how one HTTP attempt ended.
type TraceAttemptEndData struct {
	Attempt int
	// StatusCode is the answer's status, or 0 when none came.
	StatusCode int
	// Rate is the rate-limit state the answer reported; RateKnown is
	// false when it carried no rate-limit headers.
	Rate      Rate
	RateKnown bool
	// Throttled says why a 429 refused the attempt, when one did.
	Throttled ThrottleCause
	// Err is the transport error when no answer came.
	Err error
	// Retry reports whether the Client will make another attempt.
	Retry bool
}

// ThrottleCause says why the store answered 429.
type ThrottleCause string

// The causes of a 429.
const (
	// ThrottleQuota: the store's quota for the window is spent, and the
	// answer says how long to wait.
	ThrottleQuota ThrottleCause = "quota"
	// ThrottleConcurrency: the quota has requests left; the store refused
	// for too many requests in flight, or to shed load.
	ThrottleConcurrency ThrottleCause = "concurrency"
)

// WaitCause says why a Client waited.
type WaitCause string

// The causes of a wait.
const (
	// WaitQuota: the window's quota, or this process's share of it, is
	// spent for now.
	WaitQuota WaitCause = "quota"
	// WaitPause: a 429 asked every request to the store to wait.
	WaitPause WaitCause = "pause"
	// WaitSlot: the cap on requests in flight is reached.
	WaitSlot WaitCause = "slot"
	// WaitProbe: the store's quota is not known yet, and the first
	// request's answer will tell it.
	WaitProbe WaitCause = "probe"
	// WaitShared: the shared rate limiter held the request; it does not
	// say why.
	WaitShared WaitCause = "shared"
	// WaitRetryAfter: before a retry, for as long as a 429 asked.
	WaitRetryAfter WaitCause = "retry_after"
	// WaitBackoff: before a retry, after a failure.
	WaitBackoff WaitCause = "backoff"
)

// RateLimited reports whether the wait was for the store's rate limit (its
// quota, its cap on requests in flight, or a 429) rather than a backoff
// after a failure.
func (c WaitCause) RateLimited() bool { return c != WaitBackoff }

// TraceWaitData describes one wait once it is over.
type TraceWaitData struct {
	Cause WaitCause
	// Start is when the wait began; Duration how long it lasted.
	Start    time.Time
	Duration time.Duration
	// Err is set when the wait ended without leave to send: the context
	// ended, or the wait would have been too long.
	Err error
}

// TracePacingData describes a switch between the shared rate limiter and
// pacing alone (rules F6 and F8 of docs/pacing.md).
type TracePacingData struct {
	APIRoot string
	// Alone is true when the Client starts pacing alone, false when it
	// uses the shared limiter again.
	Alone bool
	// Share is the part of the store's quota, from 0 to 1, that the Client
	// learnt it may use (rule P11).
	Share float64
	// AloneFor is, on the way back, how long the Client paced alone.
	AloneFor time.Duration
	// Err is why the shared limiter could not answer, when Alone.
	Err error
}

// WithTracer has the Client report its calls, attempts, waits and pacing
// to tr; see Tracer. A nil tr reports nothing.
func WithTracer(tr Tracer) Option {
	return func(s *settings) error {
		s.tracer = tr
		return nil
	}
}

// traceWait reports a wait that began at start to tr, if there is one.
func traceWait(ctx context.Context, tr Tracer, cause WaitCause, start time.Time, err error) {
	if tr != nil {
		tr.TraceWait(ctx, TraceWaitData{Cause: cause, Start: start, Duration: time.Since(start), Err: err})
	}
}

// throttleCause is why a 429 refused an attempt: its quota when it said
// how long to wait, else its cap on requests in flight or load shedding.
func throttleCause(waitKnown bool) ThrottleCause {
	if waitKnown {
		return ThrottleQuota
	}
	return ThrottleConcurrency
}
