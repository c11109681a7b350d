package bcotel_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// point is one data point of any kind, reduced to what the tests check.
type point struct {
	attrs map[string]string
	value float64 // a gauge's or counter's value, a histogram's sum
	count uint64  // a histogram's count
}

func points(t *testing.T, m metricdata.Metrics) []point {
	t.Helper()
	var out []point
	switch d := m.Data.(type) {
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, point{setAttrs(p.Attributes), p.Sum, p.Count})
		}
	case metricdata.Histogram[int64]:
		for _, p := range d.DataPoints {
			out = append(out, point{setAttrs(p.Attributes), float64(p.Sum), p.Count})
		}
	case metricdata.Sum[int64]:
		if !d.IsMonotonic {
			t.Errorf("%s is not monotonic", m.Name)
		}
		for _, p := range d.DataPoints {
			out = append(out, point{setAttrs(p.Attributes), float64(p.Value), 1})
		}
	case metricdata.Sum[float64]:
		if !d.IsMonotonic {
			t.Errorf("%s is not monotonic", m.Name)
		}
		for _, p := range d.DataPoints {
			out = append(out, point{setAttrs(p.Attributes), p.Value, 1})
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			out = append(out, point{setAttrs(p.Attributes), float64(p.Value), 1})
		}
	default:
		t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
	}
	return out
}

// find is the one point whose attributes include want, or fails.
func find(t *testing.T, name string, pts []point, want map[string]string) point {
	t.Helper()
	var found []point
	for _, p := range pts {
		match := true
		for k, v := range want {
			if got, ok := p.attrs[k]; (v == "" && ok) || (v != "" && got != v) {
				match = false
			}
		}
		if match {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		var all []map[string]string
		for _, p := range pts {
			all = append(all, p.attrs)
		}
		t.Fatalf("%s: %d points with %v, want 1; all: %v", name, len(found), want, all)
	}
	return found[0]
}

func TestEveryMetricWithItsUnitAndAttributes(t *testing.T) {
	t.Parallel()
	for _, withStore := range []bool{false, true} {
		t.Run("store="+map[bool]string{false: "off", true: "on"}[withStore], func(t *testing.T) {
			t.Parallel()
			var opts []bcotel.Option
			if withStore {
				opts = append(opts, bcotel.WithStoreAttribute())
			}
			h := newHarness(t, opts, bigcommerce.WithMaxRateLimitWait(time.Minute))
			throttleOnce(h.srv, 2)
			ctx := context.Background()
			if _, _, err := h.client.CustomerGroups.Get(ctx, 2); err != nil {
				t.Fatal(err)
			}
			if _, _, err := h.client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{}); !errors.Is(err, bigcommerce.ErrInvalidRequest) {
				t.Fatalf("Create: %v", err)
			}
			ms := h.metrics(t)
			units := map[string]string{
				bcotel.MetricCallDuration:    "s",
				bcotel.MetricCallAttempts:    "{attempt}",
				bcotel.MetricRequestDuration: "s",
				bcotel.MetricWaitDuration:    "s",
				bcotel.MetricThrottled:       "{response}",
				bcotel.MetricRemaining:       "{request}",
				bcotel.MetricFallback:        "",
				bcotel.MetricAloneDuration:   "s",
			}
			all := map[string][]point{}
			for name, unit := range units {
				m, ok := ms[name]
				if !ok {
					t.Errorf("no metric %s", name)
					continue
				}
				if m.Unit != unit || m.Description == "" {
					t.Errorf("%s: unit %q, description %q; want unit %q and a description", name, m.Unit, m.Description, unit)
				}
				all[name] = points(t, m)
			}
			if len(ms) != len(units) {
				t.Errorf("%d metrics, want %d", len(ms), len(units))
			}
			if t.Failed() {
				t.FailNow()
			}
			store := ""
			if withStore {
				store = h.srv.StoreHash
			}
			// Every point carries the store exactly when asked to.
			for name, pts := range all {
				for _, p := range pts {
					if p.attrs["bigcommerce.store"] != store {
						t.Errorf("%s %v: store %q, want %q", name, p.attrs, p.attrs["bigcommerce.store"], store)
					}
				}
			}

			get := find(t, "call.duration Get", all[bcotel.MetricCallDuration], map[string]string{
				"bigcommerce.operation": "CustomerGroups.Get", "bigcommerce.outcome": "success", "error.type": ""})
			create := find(t, "call.duration Create", all[bcotel.MetricCallDuration], map[string]string{
				"bigcommerce.operation": "CustomerGroups.Create", "bigcommerce.outcome": "error", "error.type": "bigcommerce.ValidationError"})
			if get.count != 1 || create.count != 1 || get.value <= 0 {
				t.Errorf("call.duration: Get %+v, Create %+v; want one each, Get with a length", get, create)
			}
			if p := find(t, "call.attempts Get", all[bcotel.MetricCallAttempts], map[string]string{"bigcommerce.operation": "CustomerGroups.Get"}); p.count != 1 || p.value != 2 {
				t.Errorf("call.attempts of Get: %+v, want one call of 2 attempts", p)
			}
			if p := find(t, "call.attempts Create", all[bcotel.MetricCallAttempts], map[string]string{"bigcommerce.operation": "CustomerGroups.Create"}); p.count != 1 || p.value != 0 {
				t.Errorf("call.attempts of Create: %+v, want one call of 0 attempts", p)
			}
			host, port, _ := strings.Cut(strings.TrimPrefix(h.srv.URL, "http://"), ":")
			http429 := find(t, "request.duration 429", all[bcotel.MetricRequestDuration], map[string]string{
				"http.request.method": "GET", "http.response.status_code": "429", "error.type": "429",
				"server.address": host, "server.port": port})
			http200 := find(t, "request.duration 200", all[bcotel.MetricRequestDuration], map[string]string{
				"http.request.method": "GET", "http.response.status_code": "200", "error.type": ""})
			if http429.count != 1 || http200.count != 1 {
				t.Errorf("request.duration: %d of 429 and %d of 200, want 1 each", http429.count, http200.count)
			}
			if p := find(t, "wait retry_after", all[bcotel.MetricWaitDuration], map[string]string{"bigcommerce.wait.cause": "retry_after"}); p.count != 1 || p.value <= 0 {
				t.Errorf("wait.duration of retry_after: %+v, want one wait with a length", p)
			}
			for _, p := range all[bcotel.MetricWaitDuration] {
				if c := p.attrs["bigcommerce.wait.cause"]; !bigcommerce.WaitCause(c).RateLimited() {
					t.Errorf("wait.duration has cause %q, which is not the rate limit", c)
				}
			}
			if p := find(t, "throttled", all[bcotel.MetricThrottled], map[string]string{"bigcommerce.ratelimit.cause": "quota"}); p.value != 1 {
				t.Errorf("throttled by quota: %v, want 1", p.value)
			}
			// The fake's last answer reported its quota of 10000 less the
			// two requests sent: the fake counts a faulted one too.
			if p := find(t, "remaining", all[bcotel.MetricRemaining], nil); p.value != 9998 {
				t.Errorf("remaining %v, want 9998", p.value)
			}
			if p := find(t, "alone", all[bcotel.MetricAloneDuration], nil); p.value != 0 {
				t.Errorf("time paced alone %v without a shared limiter, want 0", p.value)
			}
			if p := find(t, "fallback", all[bcotel.MetricFallback], nil); p.value != 0 {
				t.Errorf("fallback %v without a shared limiter, want 0", p.value)
			}
		})
	}
}

// TestBackoffIsNotARateLimitWait: waits after a failure are in the trace
// but not in bigcommerce.ratelimit.wait.duration.
func TestBackoffIsNotARateLimitWait(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, bigcommerce.WithRetryWait(time.Millisecond, time.Millisecond))
	h.srv.InjectFault(bigcommercetest.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable})
	if _, _, err := h.client.CustomerGroups.Get(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	backoffs := 0
	for _, s := range h.spansNamed(bcotel.WaitSpanName) {
		if attrs(s.Attributes())["bigcommerce.wait.cause"] == string(bigcommerce.WaitBackoff) {
			backoffs++
		}
	}
	if backoffs != 1 {
		t.Errorf("%d backoff wait spans, want 1", backoffs)
	}
	if m, ok := h.metrics(t)[bcotel.MetricWaitDuration]; ok {
		for _, p := range points(t, m) {
			if p.attrs["bigcommerce.wait.cause"] == string(bigcommerce.WaitBackoff) {
				t.Errorf("a backoff in %s: %v", bcotel.MetricWaitDuration, p.attrs)
			}
		}
	}
}

func TestNoCredentialInSpansOrMetrics(t *testing.T) {
	t.Parallel()
	const token = "tok3nPLANTEDzq9x7w5v"
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3), bigcommercetest.WithAccessToken(token))
	h := newHarnessOn(t, srv, []bcotel.Option{bcotel.WithStoreAttribute()}, bigcommerce.WithMaxRateLimitWait(time.Minute))
	basic := srv.BasicClient(bcotel.Instrument(bcotel.WithTracerProvider(h.tp), bcotel.WithMeterProvider(h.mp)), bigcommerce.WithRetryWait(0, 0))
	t.Cleanup(basic.CloseIdleConnections)
	secrets := []string{
		token, srv.APIKey, srv.ReadOnlyToken,
		base64.StdEncoding.EncodeToString([]byte(srv.Username + ":" + srv.APIKey)),
	}

	ctx := context.Background()
	for _, c := range []*bigcommerce.Client{h.client, basic} {
		throttleOnce(srv, 2)
		_, _, _ = c.CustomerGroups.Get(ctx, 2)
		srv.InjectFault(bigcommercetest.Fault{Status: http.StatusUnauthorized})
		_, _, _ = c.CustomerGroups.Get(ctx, 1)
		srv.InjectFault(bigcommercetest.Fault{Drop: true, Method: http.MethodPost, Count: 5})
		_, _, _ = c.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "n-" + token})
		_, _, _ = c.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{})
		_, _, _ = c.CustomerGroups.List(ctx, nil)
	}

	var texts []string
	see := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			texts = append(texts, where+" "+string(kv.Key)+"="+kv.Value.String())
		}
	}
	spans := h.spans.Ended()
	if len(spans) < 10 {
		t.Fatalf("%d spans, want those of ten calls", len(spans))
	}
	for _, s := range spans {
		texts = append(texts, "span "+s.Name()+" status: "+s.Status().Description)
		see("span "+s.Name(), s.Attributes())
		for _, e := range s.Events() {
			texts = append(texts, "event "+e.Name)
			see("event "+e.Name, e.Attributes)
		}
	}
	ms := h.metrics(t)
	for name, m := range ms {
		for _, p := range points(t, m) {
			for k, v := range p.attrs {
				texts = append(texts, "metric "+name+" "+k+"="+v)
			}
		}
	}
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("a credential in %s", text)
			}
		}
	}
	// The search did look at both clients' traffic.
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"http.response.status_code=401", "url.full=" + srv.BasicBaseURL(), "bigcommerce.store=" + srv.StoreHash} {
		if !strings.Contains(joined, want) {
			t.Errorf("nothing recorded has %q", want)
		}
	}
}
