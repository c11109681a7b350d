package bcotel_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// harness is a fake store and a Client instrumented with the SDK's real
// providers, whose spans and metrics the test reads back.
type harness struct {
	srv    *bigcommercetest.Server
	client *bigcommerce.Client
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newHarness(t *testing.T, otelOpts []bcotel.Option, clientOpts ...bigcommerce.Option) *harness {
	t.Helper()
	return newHarnessOn(t, bigcommercetest.NewServer(bigcommercetest.WithSeed(3)), otelOpts, clientOpts...)
}

func newHarnessOn(t *testing.T, srv *bigcommercetest.Server, otelOpts []bcotel.Option, clientOpts ...bigcommerce.Option) *harness {
	t.Helper()
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	h.tp, h.mp = tp, mp
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	opts := append([]bcotel.Option{bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp)}, otelOpts...)
	h.client = srv.Client(append([]bigcommerce.Option{
		bcotel.Instrument(opts...),
		bigcommerce.WithRetryWait(0, 0),
	}, clientOpts...)...)
	t.Cleanup(h.client.CloseIdleConnections)
	return h
}

// metrics collects every metric recorded so far, by name.
func (h *harness) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// spansNamed returns the ended spans with that name, in the order they
// ended.
func (h *harness) spansNamed(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attrs is a span's or data point's attributes as a map, values as text.
func attrs(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func setAttrs(s attribute.Set) map[string]string { return attrs(s.ToSlice()) }

// checkAttrs reports each wanted attribute that is missing or different;
// a want of "" means the attribute must be absent.
func checkAttrs(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		switch {
		case v == "" && ok:
			t.Errorf("%s: %s=%q, want it absent", what, k, g)
		case v != "" && g != v:
			t.Errorf("%s: %s=%q, want %q (all: %v)", what, k, g, v, got)
		}
	}
}

// throttleOnce makes the next GET of group id answer 429 for a spent
// quota that refills in 2ms, as BigCommerce says it.
func throttleOnce(srv *bigcommercetest.Server, id int) {
	srv.InjectFault(bigcommercetest.Fault{
		Method: http.MethodGet,
		Path:   fmt.Sprintf("/customer_groups/%d", id),
		Status: http.StatusTooManyRequests,
		Header: http.Header{
			"X-Rate-Limit-Requests-Quota": {"150"},
			"X-Rate-Limit-Requests-Left":  {"0"},
			"X-Rate-Limit-Time-Reset-Ms":  {"2"},
			"X-Rate-Limit-Time-Window-Ms": {"30000"},
		},
	})
}

// flakyLimiter is a shared RateLimiter whose backend can be down.
type flakyLimiter struct {
	mu   sync.Mutex
	down bool
}

func (l *flakyLimiter) setDown(down bool) {
	l.mu.Lock()
	l.down = down
	l.mu.Unlock()
}

func (l *flakyLimiter) Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (bigcommerce.Permit, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return nil, fmt.Errorf("flaky limiter: backend at 10.0.0.9:6379 is down: %w", bigcommerce.ErrLimiterUnavailable)
	}
	return nopPermit{}, nil
}

func (*flakyLimiter) Rate(string) bigcommerce.Rate { return bigcommerce.Rate{} }

type nopPermit struct{}

func (nopPermit) Report(int, http.Header) {}
func (nopPermit) Release()                {}

// cancelOnSend is a transport that cancels the call's context as its
// request goes out, as a caller giving up mid-flight does.
type cancelOnSend struct {
	cancel context.CancelFunc
}

func (c cancelOnSend) RoundTrip(req *http.Request) (*http.Response, error) {
	c.cancel()
	return http.DefaultTransport.RoundTrip(req)
}

type metricdataGauge = metricdata.Gauge[int64]
