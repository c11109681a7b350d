package bcotel

import (
	"context"
	"errors"
	"strconv"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of bcotel's tracer and meter.
const ScopeName = "github.com/bigcommerce-go/customergroups/bcotel"

// Attribute keys of bcotel's own; the HTTP ones are OpenTelemetry's
// semantic conventions.
const (
	// StoreKey names the store: its hash, or for Basic auth its host.
	StoreKey = attribute.Key("bigcommerce.store")
	// OperationKey is the SDK method called, as "CustomerGroups.List".
	OperationKey = attribute.Key("bigcommerce.operation")
	// OutcomeKey is "success" or "error" on the call metrics.
	OutcomeKey = attribute.Key("bigcommerce.outcome")
	// AttemptsKey is how many HTTP attempts a call made, on its span.
	AttemptsKey = attribute.Key("bigcommerce.attempts")
	// WaitCauseKey says why a Client waited: a bigcommerce.WaitCause.
	WaitCauseKey = attribute.Key("bigcommerce.wait.cause")
	// ThrottleCauseKey says why the store answered 429: "quota" or
	// "concurrency".
	ThrottleCauseKey = attribute.Key("bigcommerce.ratelimit.cause")
	// RemainingKey is the requests left in the window, on an attempt span.
	RemainingKey = attribute.Key("bigcommerce.ratelimit.remaining")
	// AloneKey, on a fallback event, is true when the Client starts to
	// pace alone and false when it uses the shared limiter again.
	AloneKey = attribute.Key("bigcommerce.ratelimit.alone")
	// ShareKey, on a fallback event, is the part of the store's quota,
	// from 0 to 1, that the Client learnt it may use while alone.
	ShareKey = attribute.Key("bigcommerce.ratelimit.share")
	// StepKey names a shared rate limiter's step: "acquire", "release" or
	// "leave" for redisquota.
	StepKey = attribute.Key("bigcommerce.ratelimit.step")
)

// Names of the spans and events besides the call (named after its
// operation) and the attempt (named after its HTTP method).
const (
	// WaitSpanName names the span of each wait.
	WaitSpanName = "bigcommerce.wait"
	// LimiterStepSpanName names the span of a shared rate limiter's round
	// trip made for a request.
	LimiterStepSpanName = "bigcommerce.ratelimit.limiter.step"
	// FallbackEvent names the event of a switch between the shared rate
	// limiter and pacing alone.
	FallbackEvent  = "bigcommerce.ratelimit.fallback"
	outcomeSuccess = "success"
	outcomeFailure = "error"
)

// Tracer is a bigcommerce.Tracer that makes OpenTelemetry spans and
// metrics; Instrument sets one on a Client. One Tracer may serve many
// Clients, of one store or many.
type Tracer struct {
	tracer trace.Tracer
	// spans is false on OpenTelemetry's no-op TracerProvider, whose spans
	// would cost allocations and record nothing.
	spans bool
	// off is true when both providers are the no-op ones: then every
	// method returns at once, and a Client pays for the hook alone.
	off                   bool
	callOpts, attemptOpts []trace.SpanStartOption
	storeOnMetrics        bool

	callDuration    metric.Float64Histogram
	callAttempts    metric.Int64Histogram
	attemptDuration metric.Float64Histogram
	waitDuration    metric.Float64Histogram
	throttled       metric.Int64Counter
	remaining       metric.Int64Gauge
	fallback        metric.Int64Gauge
	limiterStep     metric.Float64Histogram

	stores storeCache
}

var _ bigcommerce.Tracer = (*Tracer)(nil)

// NewTracer returns a Tracer for bigcommerce.WithTracer. An instrument the
// MeterProvider refuses to create is reported to otel.Handle and left out,
// as OpenTelemetry's own instrumentations do, rather than failing the
// Client.
func NewTracer(opts ...Option) *Tracer {
	c := newConfig(opts)
	m := c.mp.Meter(ScopeName)
	t := &Tracer{
		tracer:         c.tp.Tracer(ScopeName),
		storeOnMetrics: c.storeOnMetrics,
		callOpts:       []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal)},
		attemptOpts:    []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
	}
	_, noTraces := c.tp.(tracenoop.TracerProvider)
	_, noMetrics := c.mp.(metricnoop.MeterProvider)
	t.spans, t.off = !noTraces, noTraces && noMetrics
	t.stores.t = t
	t.createInstruments(m)
	return t
}

// TraceCallStart begins the call's span.
func (t *Tracer) TraceCallStart(ctx context.Context, data bigcommerce.TraceCallStartData) context.Context {
	if t.off {
		return ctx
	}
	st := t.stores.get(data.APIRoot)
	cs := &callState{start: time.Now(), store: st, op: st.op(data.Operation), span: noSpan}
	if t.spans {
		ctx, cs.span = t.tracer.Start(ctx, data.Operation, t.callOpts...)
		if cs.span.IsRecording() {
			cs.span.SetAttributes(cs.op.spanAttrs...)
		}
	}
	return context.WithValue(ctx, callKey{}, cs)
}

// TraceCallEnd ends the call's span and records its duration and attempts.
func (t *Tracer) TraceCallEnd(ctx context.Context, data bigcommerce.TraceCallEndData) {
	if t.off {
		return
	}
	cs, _ := ctx.Value(callKey{}).(*callState)
	if cs == nil {
		return
	}
	elapsed := time.Since(cs.start).Seconds()
	if data.Err == nil {
		t.callDuration.Record(ctx, elapsed, cs.op.okSet...)
		t.callAttempts.Record(ctx, int64(data.Attempts), cs.op.okSet...)
	} else {
		set := cs.op.failed(errorType(data.Err))
		t.callDuration.Record(ctx, elapsed, set...)
		t.callAttempts.Record(ctx, int64(data.Attempts), set...)
	}
	span := cs.span
	if span.IsRecording() {
		span.SetAttributes(AttemptsKey.Int(data.Attempts))
		if data.StatusCode != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(data.StatusCode))
		}
		if data.Err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(errorType(data.Err)))
			// The core's errors carry no credential: URLs are sanitized
			// and headers never quoted.
			span.SetStatus(codes.Error, data.Err.Error())
		}
	}
	span.End()
}

// TraceAttemptStart begins an attempt's span, a child of the call's, of
// kind client with OpenTelemetry's HTTP client attributes.
func (t *Tracer) TraceAttemptStart(ctx context.Context, data bigcommerce.TraceAttemptStartData) context.Context {
	if t.off {
		return ctx
	}
	cs, _ := ctx.Value(callKey{}).(*callState)
	if cs == nil {
		return ctx
	}
	// A call's attempts follow one another, so the call's state holds the
	// current one's: no context value of its own.
	cs.inAttempt, cs.method, cs.attemptStart, cs.waited = true, data.Method, time.Now(), 0
	cs.attemptSpan = noSpan
	if !t.spans {
		return ctx
	}
	ctx, span := t.tracer.Start(ctx, data.Method, t.attemptOpts...)
	cs.attemptSpan = span
	if span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 6)
		attrs = append(attrs,
			semconv.HTTPRequestMethodKey.String(data.Method),
			semconv.URLFull(data.URL),
			StoreKey.String(cs.store.name))
		attrs = append(attrs, cs.store.server...)
		if data.Attempt > 1 {
			attrs = append(attrs, semconv.HTTPRequestResendCount(data.Attempt-1))
		}
		span.SetAttributes(attrs...)
	}
	return ctx
}

// TraceAttemptEnd ends the attempt's span and records its duration, not
// counting the wait for the rate limiter inside it, as well as 429s and
// the quota left.
func (t *Tracer) TraceAttemptEnd(ctx context.Context, data bigcommerce.TraceAttemptEndData) {
	if t.off {
		return
	}
	cs, _ := ctx.Value(callKey{}).(*callState)
	if cs == nil || !cs.inAttempt {
		return
	}
	cs.inAttempt = false
	st := cs.store
	elapsed := time.Since(cs.attemptStart) - cs.waited
	var errType string
	switch {
	case data.Err != nil:
		errType = errorType(data.Err)
	case data.StatusCode >= 400:
		errType = strconv.Itoa(data.StatusCode)
	}
	t.attemptDuration.Record(ctx, max(elapsed, 0).Seconds(), st.attemptSet(cs.method, data.StatusCode, errType)...)
	if data.Throttled != "" {
		t.throttled.Add(ctx, 1, st.throttleSet(data.Throttled)...)
	}
	if data.RateKnown {
		t.remaining.Record(ctx, int64(data.Rate.Remaining), st.metricSet...)
	}
	span := cs.attemptSpan
	if span.IsRecording() {
		if data.StatusCode != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(data.StatusCode))
		}
		if data.RateKnown {
			span.SetAttributes(RemainingKey.Int(data.Rate.Remaining))
		}
		if data.Throttled != "" {
			span.SetAttributes(ThrottleCauseKey.String(string(data.Throttled)))
		}
		if errType != "" {
			span.SetAttributes(semconv.ErrorTypeKey.String(errType))
			// For an HTTP client every status of 400 and above is an
			// error; the status code says which, so no description.
			desc := ""
			if data.Err != nil {
				desc = data.Err.Error()
			}
			span.SetStatus(codes.Error, desc)
		}
	}
	span.End()
}

// TraceWait records a wait as a span of its own, with the times the wait
// began and ended, and a wait for the rate limit in
// bigcommerce.ratelimit.wait.duration.
func (t *Tracer) TraceWait(ctx context.Context, data bigcommerce.TraceWaitData) {
	if t.off {
		return
	}
	var st *storeInfo
	if cs, _ := ctx.Value(callKey{}).(*callState); cs != nil {
		if cs.inAttempt {
			// A wait inside an attempt (for a permit) is not time on the
			// wire.
			cs.waited += data.Duration
		}
		st = cs.store
	}
	if data.Cause.RateLimited() {
		if st == nil {
			st = t.stores.get("")
		}
		t.waitDuration.Record(ctx, data.Duration.Seconds(), st.waitSet(data.Cause)...)
	}
	// No span for a wait outside a recorded call: it would be a root of its
	// own.
	if !t.spans || !trace.SpanFromContext(ctx).IsRecording() {
		return
	}
	_, span := t.tracer.Start(ctx, WaitSpanName, trace.WithTimestamp(data.Start))
	if span.IsRecording() {
		span.SetAttributes(WaitCauseKey.String(string(data.Cause)))
		if data.Err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(errorType(data.Err)))
			span.SetStatus(codes.Error, data.Err.Error())
		}
	}
	span.End(trace.WithTimestamp(data.Start.Add(data.Duration)))
}

// TracePacing sets bigcommerce.ratelimit.fallback, counts the time paced
// alone in bigcommerce.ratelimit.alone.duration, and adds an event to the
// span of the request that saw the switch.
func (t *Tracer) TracePacing(ctx context.Context, data bigcommerce.TracePacingData) {
	if t.off {
		return
	}
	st := t.stores.get(data.APIRoot)
	st.paced(data.Alone, data.AloneFor, time.Now())
	v := int64(0)
	if data.Alone {
		v = 1
	}
	t.fallback.Record(ctx, v, st.metricSet...)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{StoreKey.String(st.name), AloneKey.Bool(data.Alone), ShareKey.Float64(data.Share)}
		if data.Err != nil {
			// The type only: the shared limiter is not the SDK, and its
			// error may name its backend's address.
			attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(data.Err)))
		}
		span.AddEvent(FallbackEvent, trace.WithAttributes(attrs...))
	}
}

type callKey struct{}

// noSpan stands for the spans not made when the TracerProvider is
// OpenTelemetry's no-op one.
var noSpan = trace.SpanFromContext(context.Background())

// callState travels in the context of one call. The Client calls a
// Tracer on the caller's goroutine, one attempt after the other, so its
// fields need no lock.
type callState struct {
	start time.Time
	store *storeInfo
	op    *opInfo
	span  trace.Span

	// The current attempt's.
	inAttempt    bool
	method       string
	attemptStart time.Time
	// waited is the time the attempt spent waiting for the rate limiter.
	waited      time.Duration
	attemptSpan trace.Span
}

// ObserveLimiterStep records one round trip of a shared rate limiter to its
// backend. Its shape is redisquota's StepObserver, so that neither module
// imports the other:
//
//	tr := bcotel.NewTracer()
//	limiter, err := redisquota.New(rdb, redisquota.WithStepObserver(tr.ObserveLimiterStep))
//	client, err := bigcommerce.NewClient(auth, bigcommerce.WithRateLimiter(limiter), bigcommerce.WithTracer(tr))
//
// It records MetricLimiterStep and, when ctx holds a recording span (the
// attempt of the request the step is for), a child span with the step's
// start and end.
func (t *Tracer) ObserveLimiterStep(ctx context.Context, step, apiRoot string, d time.Duration, err error) {
	if t.off {
		return
	}
	st := t.stores.get(apiRoot)
	attrs := make([]attribute.KeyValue, 0, len(st.metricAttrs)+2)
	attrs = append(attrs, st.metricAttrs...)
	attrs = append(attrs, StepKey.String(step))
	if err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(limiterErrorType(ctx, err)))
	}
	t.limiterStep.Record(ctx, d.Seconds(), metric.WithAttributes(attrs...))
	if !t.spans || !trace.SpanFromContext(ctx).IsRecording() {
		return
	}
	end := time.Now()
	_, span := t.tracer.Start(ctx, LimiterStepSpanName, trace.WithTimestamp(end.Add(-d)))
	if span.IsRecording() {
		span.SetAttributes(StepKey.String(step))
		if err != nil {
			// The backend's error may name its address; its kind is enough.
			span.SetAttributes(semconv.ErrorTypeKey.String(limiterErrorType(ctx, err)))
			span.SetStatus(codes.Error, "the shared rate limiter's step failed")
		}
	}
	span.End(trace.WithTimestamp(end))
}

// limiterErrorType is a low-cardinality name for a failed step: the
// context's end, or "unavailable".
func limiterErrorType(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	return "unavailable"
}
