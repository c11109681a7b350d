package bcotel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcotel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// ObserveLimiterStep has redisquota's StepObserver shape: it records each
// round trip as a metric and, inside a request's span, as a child span,
// without the backend's address.
func TestObserveLimiterStepRecordsTheSharedLimitersRoundTrips(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tr := bcotel.NewTracer(bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp), bcotel.WithStoreAttribute())
	// The type redisquota.WithStepObserver takes, spelled out.
	var observe func(ctx context.Context, step, apiRoot string, d time.Duration, err error) = tr.ObserveLimiterStep

	const root = "https://api.bigcommerce.com/stores/abc123/v2"
	ctx, parent := tp.Tracer("test").Start(context.Background(), "GET")
	observe(ctx, "acquire", root, 3*time.Millisecond, nil)
	observe(ctx, "acquire", root, 100*time.Millisecond, errors.New("dial tcp 10.1.2.3:6379: connection refused"))
	parent.End()
	observe(context.Background(), "release", root, 2*time.Millisecond, nil)

	var steps []sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.Name() == bcotel.LimiterStepSpanName {
			steps = append(steps, s)
		}
	}
	if len(steps) != 2 {
		t.Fatalf("%d step spans, want the 2 made inside the request's span", len(steps))
	}
	if d := steps[0].EndTime().Sub(steps[0].StartTime()); d != 3*time.Millisecond {
		t.Errorf("step span lasted %s, want the step's 3ms", d)
	}
	failed := attrs(steps[1].Attributes())
	checkAttrs(t, "failed step span", failed, map[string]string{"bigcommerce.ratelimit.step": "acquire", "error.type": "unavailable"})
	if strings.Contains(steps[1].Status().Description+failed["error.type"], "10.1.2.3") {
		t.Error("the backend's address reached the span")
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != bcotel.MetricLimiterStep {
				continue
			}
			found = true
			if m.Unit != "s" {
				t.Errorf("unit %q, want s", m.Unit)
			}
			h := m.Data.(metricdata.Histogram[float64])
			byKind := map[string]uint64{}
			for _, dp := range h.DataPoints {
				a := setAttrs(dp.Attributes)
				if a["bigcommerce.store"] != "abc123" {
					t.Errorf("point %v lacks the store", a)
				}
				byKind[a["bigcommerce.ratelimit.step"]+"/"+a["error.type"]] += dp.Count
			}
			want := map[string]uint64{"acquire/": 1, "acquire/unavailable": 1, "release/": 1}
			for k, n := range want {
				if byKind[k] != n {
					t.Errorf("%s: %d steps recorded, want %d (all %v)", k, byKind[k], n, byKind)
				}
			}
		}
	}
	if !found {
		t.Fatalf("no %s metric", bcotel.MetricLimiterStep)
	}
}
