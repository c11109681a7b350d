package bcotel_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func TestSpansOfACallThrottledThenAnswered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, bigcommerce.WithMaxRateLimitWait(time.Minute))
	throttleOnce(h.srv, 2)
	if _, _, err := h.client.CustomerGroups.Get(context.Background(), 2); err != nil {
		t.Fatal(err)
	}

	calls := h.spansNamed("CustomerGroups.Get")
	if len(calls) != 1 {
		t.Fatalf("%d call spans, want 1", len(calls))
	}
	call := calls[0]
	if call.Parent().IsValid() || call.SpanKind() != trace.SpanKindInternal || call.Status().Code == codes.Error {
		t.Errorf("call span: parent %v, kind %v, status %v; want a root of kind internal, not an error", call.Parent(), call.SpanKind(), call.Status())
	}
	checkAttrs(t, "call span", attrs(call.Attributes()), map[string]string{
		"bigcommerce.store":         h.srv.StoreHash,
		"bigcommerce.operation":     "CustomerGroups.Get",
		"bigcommerce.attempts":      "2",
		"http.response.status_code": "200",
		"error.type":                "",
	})

	attempts := h.spansNamed(http.MethodGet)
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans, want 2", len(attempts))
	}
	host, port, _ := strings.Cut(strings.TrimPrefix(h.srv.URL, "http://"), ":")
	for i, a := range attempts {
		if a.Parent().SpanID() != call.SpanContext().SpanID() || a.SpanKind() != trace.SpanKindClient {
			t.Errorf("attempt %d: parent %v kind %v, want the call span and kind client", i+1, a.Parent().SpanID(), a.SpanKind())
		}
		got := attrs(a.Attributes())
		checkAttrs(t, "attempt "+strconv.Itoa(i+1), got, map[string]string{
			"http.request.method": "GET",
			"url.full":            h.srv.OAuthBaseURL() + "/customer_groups/2",
			"server.address":      host,
			"server.port":         port,
			"bigcommerce.store":   h.srv.StoreHash,
		})
	}
	checkAttrs(t, "attempt 1", attrs(attempts[0].Attributes()), map[string]string{
		"http.response.status_code":   "429",
		"error.type":                  "429",
		"bigcommerce.ratelimit.cause": "quota",
		"http.request.resend_count":   "",
	})
	if attempts[0].Status().Code != codes.Error {
		t.Errorf("attempt 1 status %v, want an error for its 429", attempts[0].Status())
	}
	checkAttrs(t, "attempt 2", attrs(attempts[1].Attributes()), map[string]string{
		"http.response.status_code": "200",
		"error.type":                "",
		"http.request.resend_count": "1",
	})

	// The 429's wait: a span of its own, the first thing the second
	// attempt waits for, after the first attempt ended.
	var retryAfter sdktrace.ReadOnlySpan
	for _, w := range h.spansNamed(bcotel.WaitSpanName) {
		if attrs(w.Attributes())["bigcommerce.wait.cause"] == string(bigcommerce.WaitRetryAfter) {
			retryAfter = w
		}
	}
	if retryAfter == nil {
		t.Fatalf("no wait span of cause retry_after among %d spans", len(h.spans.Ended()))
	}
	if retryAfter.Parent().SpanID() != attempts[1].SpanContext().SpanID() {
		t.Errorf("the wait's parent is %v, want the second attempt's span", retryAfter.Parent().SpanID())
	}
	if !retryAfter.EndTime().After(retryAfter.StartTime()) ||
		retryAfter.StartTime().Before(attempts[0].EndTime()) || retryAfter.StartTime().Before(attempts[1].StartTime()) || retryAfter.EndTime().After(attempts[1].EndTime()) {
		t.Errorf("wait from %v to %v; want a length, after attempt 1 ended (%v), within attempt 2 (%v to %v)",
			retryAfter.StartTime(), retryAfter.EndTime(), attempts[0].EndTime(), attempts[1].StartTime(), attempts[1].EndTime())
	}

	// bcotel does not propagate the trace to the store: see doc.go.
	for _, r := range h.srv.Requests() {
		for _, k := range []string{"Traceparent", "Tracestate", "Baggage"} {
			if v := r.Header.Get(k); v != "" {
				t.Errorf("request sent %s: %q", k, v)
			}
		}
	}
}

func TestSpanOfACreateRefusedByValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, _, err := h.client.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{})
	if !errors.Is(err, bigcommerce.ErrInvalidRequest) {
		t.Fatalf("Create: %v, want ErrInvalidRequest", err)
	}
	spans := h.spans.Ended()
	if len(spans) != 1 || spans[0].Name() != "CustomerGroups.Create" {
		t.Fatalf("spans %v, want the call's alone: nothing was sent", spanNames(spans))
	}
	s := spans[0]
	if s.Status().Code != codes.Error || s.Status().Description != err.Error() {
		t.Errorf("status %+v, want an error saying %q", s.Status(), err)
	}
	checkAttrs(t, "call span", attrs(s.Attributes()), map[string]string{
		"error.type":                "bigcommerce.ValidationError",
		"bigcommerce.attempts":      "0",
		"http.response.status_code": "",
	})
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("the store saw %d requests", n)
	}
}

func TestSpansOfACancelledCall(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, nil, bigcommerce.WithHTTPClient(&http.Client{Transport: cancelOnSend{cancel}}))
	if _, _, err := h.client.CustomerGroups.Get(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: %v, want context.Canceled", err)
	}
	calls, attempts := h.spansNamed("CustomerGroups.Get"), h.spansNamed(http.MethodGet)
	if len(calls) != 1 || len(attempts) != 1 {
		t.Fatalf("spans %v, want one call and one attempt", spanNames(h.spans.Ended()))
	}
	for _, s := range []sdktrace.ReadOnlySpan{calls[0], attempts[0]} {
		if s.Status().Code != codes.Error {
			t.Errorf("%s: status %v, want an error", s.Name(), s.Status())
		}
		checkAttrs(t, s.Name(), attrs(s.Attributes()), map[string]string{
			"error.type":                "context.Canceled",
			"http.response.status_code": "",
		})
	}
	if attempts[0].Parent().SpanID() != calls[0].SpanContext().SpanID() {
		t.Error("the attempt is not a child of the call")
	}
}

func TestFallbackToPacingAloneAndBack(t *testing.T) {
	t.Parallel()
	shared := &flakyLimiter{down: true}
	h := newHarness(t, []bcotel.Option{bcotel.WithStoreAttribute()}, bigcommerce.WithRateLimiter(shared))
	get := func() {
		t.Helper()
		if _, _, err := h.client.CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	fallback := func() int64 {
		t.Helper()
		m, ok := h.metrics(t)[bcotel.MetricFallback]
		if !ok {
			t.Fatalf("no %s", bcotel.MetricFallback)
		}
		pts := m.Data.(metricdataGauge).DataPoints
		if len(pts) != 1 {
			t.Fatalf("%s: %d series, want 1", bcotel.MetricFallback, len(pts))
		}
		checkAttrs(t, bcotel.MetricFallback, setAttrs(pts[0].Attributes), map[string]string{"bigcommerce.store": h.srv.StoreHash})
		return pts[0].Value
	}

	// alone is the time paced alone so far, as the metric reports it.
	alone := func() time.Duration {
		t.Helper()
		m, ok := h.metrics(t)[bcotel.MetricAloneDuration]
		if !ok {
			t.Fatalf("no %s", bcotel.MetricAloneDuration)
		}
		p := find(t, bcotel.MetricAloneDuration, points(t, m), map[string]string{"bigcommerce.store": h.srv.StoreHash})
		return time.Duration(p.value * float64(time.Second))
	}

	get()
	if v := fallback(); v != 1 {
		t.Errorf("fallback %d while the shared limiter is down, want 1", v)
	}
	first := alone()
	shared.setDown(false)
	// The Client skips a failed shared limiter for a quarter of a second
	// before it asks again; this test must outwait that hold-off.
	time.Sleep(300 * time.Millisecond)
	if during := alone(); during < first+300*time.Millisecond {
		t.Errorf("time paced alone %v, then %v after 300ms more alone: the spell under way does not count", first, during)
	}
	get()
	if v := fallback(); v != 0 {
		t.Errorf("fallback %d once the shared limiter answers, want 0", v)
	}
	back := alone()
	if back < 300*time.Millisecond {
		t.Errorf("time paced alone %v after a spell of over 300ms", back)
	}
	if again := alone(); again != back {
		t.Errorf("time paced alone went from %v to %v with the shared limiter answering", back, again)
	}

	var events []string
	for _, s := range h.spans.Ended() {
		for _, e := range s.Events() {
			if e.Name == bcotel.FallbackEvent {
				a := attrs(e.Attributes)
				events = append(events, s.Name()+" alone="+a["bigcommerce.ratelimit.alone"]+" error.type="+a["error.type"])
				if strings.Contains(a["error.type"], "10.0.0.9") {
					t.Errorf("the event quotes the limiter's error: %v", a)
				}
			}
		}
	}
	want := "GET alone=true error.type=bigcommerce.ErrLimiterUnavailable|GET alone=false error.type="
	if got := strings.Join(events, "|"); got != want {
		t.Errorf("fallback events %q, want %q", got, want)
	}
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

// TestWaitForTheQuotaInsideAnAttempt: a wait for the throttle's permit is
// a child of the attempt that waited, and http.client.request.duration
// leaves it out, so that the metric is the time on the wire.
func TestWaitForTheQuotaInsideAnAttempt(t *testing.T) {
	t.Parallel()
	// One request per 300 ms window: the second call waits for the next
	// window, most of 300 ms, inside its attempt.
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3), bigcommercetest.WithRateLimit(1, 300*time.Millisecond))
	h := newHarnessOn(t, srv, nil, bigcommerce.WithMaxRateLimitWait(time.Minute))
	for range 2 {
		if _, _, err := h.client.CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	attempts := h.spansNamed(http.MethodGet)
	if len(attempts) != 2 {
		t.Fatalf("spans %v, want two attempts", spanNames(h.spans.Ended()))
	}
	var waited time.Duration
	for _, w := range h.spansNamed(bcotel.WaitSpanName) {
		if attrs(w.Attributes())["bigcommerce.wait.cause"] != string(bigcommerce.WaitQuota) {
			continue
		}
		if w.Parent().SpanID() != attempts[1].SpanContext().SpanID() {
			t.Errorf("the wait for the quota is a child of %v, want the second attempt", w.Parent().SpanID())
		}
		waited += w.EndTime().Sub(w.StartTime())
	}
	if waited < 50*time.Millisecond {
		t.Fatalf("waited %v for the quota, want most of the 300 ms window", waited)
	}
	var spans time.Duration
	for _, a := range attempts {
		spans += a.EndTime().Sub(a.StartTime())
	}
	var recorded float64
	for _, p := range points(t, h.metrics(t)[bcotel.MetricRequestDuration]) {
		recorded += p.value
	}
	// Both from the same clock: the metric is the spans less the wait,
	// give or take the microseconds between the readings.
	if got := time.Duration(recorded * float64(time.Second)); got > spans-waited/2 {
		t.Errorf("http.client.request.duration adds up to %v; the attempts' spans to %v, of which %v waiting for the quota: the wait is counted", got, spans, waited)
	}
}

// TestTheStoreOfEachKindOfAuth: the store hash of an OAuth API root, the
// store's host for Basic auth.
func TestTheStoreOfEachKindOfAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	basic := h.srv.BasicClient(bcotel.Instrument(bcotel.WithTracerProvider(h.tp), bcotel.WithMeterProvider(h.mp)), bigcommerce.WithRetryWait(0, 0))
	t.Cleanup(basic.CloseIdleConnections)
	for _, c := range []*bigcommerce.Client{h.client, basic} {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	var stores []string
	for _, s := range h.spansNamed("CustomerGroups.Get") {
		stores = append(stores, attrs(s.Attributes())["bigcommerce.store"])
	}
	want := []string{h.srv.StoreHash, strings.TrimPrefix(h.srv.URL, "http://")}
	if strings.Join(stores, " ") != strings.Join(want, " ") {
		t.Errorf("stores %q, want %q", stores, want)
	}
}
