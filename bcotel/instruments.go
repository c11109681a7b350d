package bcotel

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// The metrics' names. The HTTP one is OpenTelemetry's semantic convention;
// the others are bcotel's own.
const (
	// MetricCallDuration is the histogram of calls' durations, in seconds.
	MetricCallDuration = "bigcommerce.client.call.duration"
	// MetricCallAttempts is the histogram of HTTP attempts per call.
	MetricCallAttempts = "bigcommerce.client.call.attempts"
	// MetricRequestDuration is the histogram of HTTP attempts' durations,
	// in seconds, without their wait for the rate limiter.
	MetricRequestDuration = "http.client.request.duration"
	// MetricWaitDuration is the histogram of waits for the rate limit, in
	// seconds.
	MetricWaitDuration = "bigcommerce.ratelimit.wait.duration"
	// MetricThrottled counts 429 answers.
	MetricThrottled = "bigcommerce.ratelimit.throttled"
	// MetricRemaining is the gauge of requests left in the window.
	MetricRemaining = "bigcommerce.ratelimit.remaining"
	// MetricFallback is 1 while the Client paces alone, else 0.
	MetricFallback = "bigcommerce.ratelimit.fallback"
	// MetricAloneDuration counts the seconds the Client has paced alone
	// because its shared rate limiter was unavailable, up to the moment it
	// is read: an outage shows after the fact, however brief.
	MetricAloneDuration = "bigcommerce.ratelimit.alone.duration"
	// MetricLimiterStep is the histogram of a shared rate limiter's round
	// trips to its backend (redisquota's to Redis), in seconds, by step
	// and error.type on failure; see Tracer.ObserveLimiterStep.
	MetricLimiterStep = "bigcommerce.ratelimit.limiter.duration"
)

const (
	errTypeOther           = "_OTHER"
	errTypeContextCanceled = "context.Canceled"
	errTypeContextDeadline = "context.DeadlineExceeded"
)

// Bucket boundaries in seconds: those the HTTP semantic conventions advise
// for request durations, and for waits up to BigCommerce's 30-second
// window and beyond.
var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}
	waitBuckets     = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60}
	attemptBuckets  = []float64{1, 2, 3, 4, 5, 6, 8, 10}
)

func (t *Tracer) createInstruments(m metric.Meter) {
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Each constructor returns a working no-op instrument beside its error,
	// so a refused instrument only goes missing.
	var err error
	t.callDuration, err = m.Float64Histogram(MetricCallDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of SDK calls, from the call to its return, retries and waits included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	note(err)
	t.callAttempts, err = m.Int64Histogram(MetricCallAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts per SDK call; 0 when the call was refused before sending."),
		metric.WithExplicitBucketBoundaries(attemptBuckets...))
	note(err)
	t.attemptDuration, err = m.Float64Histogram(MetricRequestDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests, without the wait for the rate limiter."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	note(err)
	t.waitDuration, err = m.Float64Histogram(MetricWaitDuration, metric.WithUnit("s"),
		metric.WithDescription("Time spent waiting for the store's rate limit: its quota, a slot in flight, or a 429's Retry-After."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	note(err)
	t.throttled, err = m.Int64Counter(MetricThrottled, metric.WithUnit("{response}"),
		metric.WithDescription("429 answers, by cause: the quota spent, or too many requests in flight."))
	note(err)
	t.remaining, err = m.Int64Gauge(MetricRemaining, metric.WithUnit("{request}"),
		metric.WithDescription("Requests left in the store's rate-limit window, as its last answer reported."))
	note(err)
	t.fallback, err = m.Int64Gauge(MetricFallback,
		metric.WithDescription("1 while the Client paces alone because its shared rate limiter is unavailable, else 0."))
	note(err)
	aloneDuration, err := m.Float64ObservableCounter(MetricAloneDuration, metric.WithUnit("s"),
		metric.WithDescription("Time the Client paced alone because its shared rate limiter was unavailable."))
	note(err)
	if err == nil {
		_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			t.stores.observeAlone(o, aloneDuration, time.Now())
			return nil
		}, aloneDuration)
		note(err)
	}
	t.limiterStep, err = m.Float64Histogram(MetricLimiterStep, metric.WithUnit("s"),
		metric.WithDescription("Duration of a shared rate limiter's round trips to its backend, such as redisquota's to Redis."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	note(err)
	if len(errs) > 0 {
		otel.Handle(errors.Join(errs...))
	}
}

// storeCache holds what bcotel derives from each API root, so that a call
// builds no attribute set that an earlier call already built.
type storeCache struct {
	t  *Tracer
	mu sync.RWMutex
	m  map[string]*storeInfo
}

func (c *storeCache) get(apiRoot string) *storeInfo {
	c.mu.RLock()
	st := c.m[apiRoot]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	if st = c.m[apiRoot]; st == nil {
		if c.m == nil {
			c.m = map[string]*storeInfo{}
		}
		st = newStoreInfo(apiRoot, c.t.storeOnMetrics)
		c.m[apiRoot] = st
		// A store starts paced as configured: fallback 0 until a switch
		// says otherwise. Recorded under the lock so that no switch to 1
		// by another goroutine can come before it.
		c.t.fallback.Record(context.Background(), 0, st.metricSet...)
	}
	c.mu.Unlock()
	return st
}

// observeAlone reports each store's time paced alone, the current spell
// included, as of now.
func (c *storeCache) observeAlone(o metric.Observer, alone metric.Float64Observable, now time.Time) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, st := range c.m {
		st.aloneMu.Lock()
		d := st.aloneTotal
		if !st.aloneSince.IsZero() {
			d += now.Sub(st.aloneSince)
		}
		st.aloneMu.Unlock()
		o.ObserveFloat64(alone, d.Seconds(), metric.WithAttributes(st.metricAttrs...))
	}
}

// paced notes a switch to pacing alone, or back, at now; back, the spell
// lasted aloneFor by the Client's clock.
func (st *storeInfo) paced(alone bool, aloneFor time.Duration, now time.Time) {
	st.aloneMu.Lock()
	defer st.aloneMu.Unlock()
	switch {
	case alone && st.aloneSince.IsZero():
		st.aloneSince = now
	case !alone && !st.aloneSince.IsZero():
		st.aloneTotal += max(aloneFor, now.Sub(st.aloneSince))
		st.aloneSince = time.Time{}
	}
}

// storeInfo is the attributes of one store, and the attribute sets of
// its metrics, built once each.
type storeInfo struct {
	name   string
	server []attribute.KeyValue // server.address and server.port
	// metricAttrs is what every metric of the store carries: the store
	// with WithStoreAttribute, else nothing.
	metricAttrs []attribute.KeyValue
	metricSet   []metric.RecordOption

	// aloneTotal is the time paced alone in spells that ended; aloneSince
	// is when the current one began, zero while the shared limiter answers.
	aloneMu    sync.Mutex
	aloneTotal time.Duration
	aloneSince time.Time

	mu       sync.RWMutex
	ops      map[string]*opInfo
	attempts map[attemptSetKey][]metric.RecordOption
	waits    map[bigcommerce.WaitCause][]metric.RecordOption
	throttle map[bigcommerce.ThrottleCause][]metric.AddOption
}

func newStoreInfo(apiRoot string, storeOnMetrics bool) *storeInfo {
	st := &storeInfo{name: storeName(apiRoot)}
	if u, err := url.Parse(apiRoot); err == nil && u.Hostname() != "" {
		port := 443
		if p, err := strconv.Atoi(u.Port()); err == nil {
			port = p
		} else if u.Scheme == "http" {
			port = 80
		}
		st.server = []attribute.KeyValue{semconv.ServerAddress(u.Hostname()), semconv.ServerPort(port)}
	}
	if storeOnMetrics {
		st.metricAttrs = []attribute.KeyValue{StoreKey.String(st.name)}
	}
	st.metricSet = []metric.RecordOption{metric.WithAttributes(st.metricAttrs...)}
	return st
}

// storeName is the store hash in an OAuth API root
// (https://api.bigcommerce.com/stores/{hash}/v2), else the API root's
// host, which is the store's own domain with Basic auth.
func storeName(apiRoot string) string {
	u, err := url.Parse(apiRoot)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "stores" && parts[i+1] != "" {
			return parts[i+1]
		}
	}
	return u.Host
}

// opInfo is one operation's attributes within a store.
type opInfo struct {
	spanAttrs []attribute.KeyValue
	okSet     []metric.RecordOption
	mu        sync.RWMutex
	failedSet map[string][]metric.RecordOption
	metricKV  []attribute.KeyValue // the store's metric attributes and the operation
}

func (st *storeInfo) op(name string) *opInfo {
	st.mu.RLock()
	o := st.ops[name]
	st.mu.RUnlock()
	if o != nil {
		return o
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if o = st.ops[name]; o != nil {
		return o
	}
	kv := append(append([]attribute.KeyValue(nil), st.metricAttrs...), OperationKey.String(name))
	o = &opInfo{
		spanAttrs: []attribute.KeyValue{OperationKey.String(name), StoreKey.String(st.name)},
		metricKV:  kv,
		okSet:     []metric.RecordOption{metric.WithAttributes(append(kv[:len(kv):len(kv)], OutcomeKey.String(outcomeSuccess))...)},
		failedSet: map[string][]metric.RecordOption{},
	}
	if st.ops == nil {
		st.ops = map[string]*opInfo{}
	}
	st.ops[name] = o
	return o
}

func (o *opInfo) failed(errType string) []metric.RecordOption {
	o.mu.RLock()
	s := o.failedSet[errType]
	o.mu.RUnlock()
	if s != nil {
		return s
	}
	s = []metric.RecordOption{metric.WithAttributes(append(o.metricKV[:len(o.metricKV):len(o.metricKV)],
		OutcomeKey.String(outcomeFailure), semconv.ErrorTypeKey.String(errType))...)}
	o.mu.Lock()
	o.failedSet[errType] = s
	o.mu.Unlock()
	return s
}

type attemptSetKey struct {
	method  string
	status  int
	errType string
}

func (st *storeInfo) attemptSet(method string, status int, errType string) []metric.RecordOption {
	k := attemptSetKey{method, status, errType}
	st.mu.RLock()
	s := st.attempts[k]
	st.mu.RUnlock()
	if s != nil {
		return s
	}
	kv := append(append([]attribute.KeyValue(nil), st.metricAttrs...), st.server...)
	kv = append(kv, semconv.HTTPRequestMethodKey.String(method))
	if status != 0 {
		kv = append(kv, semconv.HTTPResponseStatusCode(status))
	}
	if errType != "" {
		kv = append(kv, semconv.ErrorTypeKey.String(errType))
	}
	s = []metric.RecordOption{metric.WithAttributes(kv...)}
	st.mu.Lock()
	if st.attempts == nil {
		st.attempts = map[attemptSetKey][]metric.RecordOption{}
	}
	st.attempts[k] = s
	st.mu.Unlock()
	return s
}

func (st *storeInfo) waitSet(cause bigcommerce.WaitCause) []metric.RecordOption {
	st.mu.RLock()
	s := st.waits[cause]
	st.mu.RUnlock()
	if s != nil {
		return s
	}
	s = []metric.RecordOption{metric.WithAttributes(append(st.metricAttrs[:len(st.metricAttrs):len(st.metricAttrs)], WaitCauseKey.String(string(cause)))...)}
	st.mu.Lock()
	if st.waits == nil {
		st.waits = map[bigcommerce.WaitCause][]metric.RecordOption{}
	}
	st.waits[cause] = s
	st.mu.Unlock()
	return s
}

func (st *storeInfo) throttleSet(cause bigcommerce.ThrottleCause) []metric.AddOption {
	st.mu.RLock()
	s := st.throttle[cause]
	st.mu.RUnlock()
	if s != nil {
		return s
	}
	s = []metric.AddOption{metric.WithAttributes(append(st.metricAttrs[:len(st.metricAttrs):len(st.metricAttrs)], ThrottleCauseKey.String(string(cause)))...)}
	st.mu.Lock()
	if st.throttle == nil {
		st.throttle = map[bigcommerce.ThrottleCause][]metric.AddOption{}
	}
	st.throttle[cause] = s
	st.mu.Unlock()
	return s
}

// errorType is a low-cardinality name for err, for error.type: the status
// of an API error, else the kind of failure.
func errorType(err error) string {
	var apiErr *bigcommerce.APIError
	var validation *bigcommerce.ValidationError
	var throttle *bigcommerce.ThrottleError
	var decode *bigcommerce.DecodeError
	var tooLarge *bigcommerce.BodyTooLargeError
	var notFound *bigcommerce.NameNotFoundError
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr):
		return strconv.Itoa(apiErr.StatusCode)
	case errors.Is(err, context.Canceled):
		return errTypeContextCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return errTypeContextDeadline
	case errors.As(err, &validation):
		return "bigcommerce.ValidationError"
	case errors.As(err, &throttle):
		return "bigcommerce.ThrottleError"
	case errors.As(err, &decode):
		return "bigcommerce.DecodeError"
	case errors.As(err, &tooLarge):
		return "bigcommerce.BodyTooLargeError"
	case errors.As(err, &notFound):
		return "bigcommerce.NameNotFoundError"
	case errors.Is(err, bigcommerce.ErrLimiterUnavailable):
		return "bigcommerce.ErrLimiterUnavailable"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &netErr):
		return "net.Error"
	}
	return errTypeOther
}
