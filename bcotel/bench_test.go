package bcotel_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// The overhead benchmarks run the same calls three ways: without a tracer,
// with bcotel on OpenTelemetry's no-op providers (what a library user pays
// who links bcotel but exports nothing), and with the SDK's real
// providers, every span sampled and batched to an exporter that drops it.
//
//	go test -run x -bench . -benchmem ./bcotel/

const (
	benchStore = "bench1"
	benchToken = "benchtoken0123456789"
	getID      = 7
)

// bodies are a group and a page of 250 as the fake answers them, recorded
// once so that the benchmarks serve bytes and not the fake's work.
var bodies = sync.OnceValues(func() (struct{ group, page []byte }, error) {
	var out struct{ group, page []byte }
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(250), bigcommercetest.WithStoreHash(benchStore))
	defer srv.Close()
	for _, r := range []struct {
		path string
		dst  *[]byte
	}{{fmt.Sprintf("/customer_groups/%d", getID), &out.group}, {"/customer_groups?limit=250&page=1", &out.page}} {
		req, err := http.NewRequest(http.MethodGet, srv.OAuthBaseURL()+r.path, nil)
		if err != nil {
			return out, err
		}
		req.Header.Set("X-Auth-Token", srv.AccessToken)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return out, err
		}
		*r.dst, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return out, fmt.Errorf("recording %s: %d %v", r.path, resp.StatusCode, err)
		}
	}
	return out, nil
})

// canned answers every request from the recorded bodies, with rate-limit
// headers that never make the Client wait.
func canned(tb testing.TB) func(path string) (int, http.Header, []byte) {
	b, err := bodies()
	if err != nil {
		tb.Fatal(err)
	}
	return func(path string) (int, http.Header, []byte) {
		h := http.Header{
			"Content-Type":                {"application/json"},
			"X-Rate-Limit-Requests-Quota": {"1000000"},
			"X-Rate-Limit-Requests-Left":  {"999999"},
			"X-Rate-Limit-Time-Reset-Ms":  {"30000"},
			"X-Rate-Limit-Time-Window-Ms": {"30000"},
		}
		if strings.HasSuffix(path, "/customer_groups") {
			return 200, h, b.page
		}
		return 200, h, b.group
	}
}

// memoryTransport answers from memory: the cost of the client alone.
type memoryTransport struct {
	answer func(string) (int, http.Header, []byte)
}

func (m memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	status, h, body := m.answer(req.URL.Path)
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req, ProtoMajor: 1, ProtoMinor: 1}, nil
}

// loopback is a server on loopback answering from memory.
func loopback(tb testing.TB) string {
	answer := canned(tb)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, h, body := answer(r.URL.Path)
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/stores/" + benchStore + "/v2"
}

// discard is a span exporter that drops what it is given, so that the
// SDK does all its work short of the wire.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// modes are the ways a Client is measured: the three above; "hook", with
// a Tracer that does nothing, which is what the core's hook costs; and
// "global", bcotel on the global providers when none was ever set.
var modes = []string{"none", "hook", "noop", "global", "sdk"}

// newBenchClient returns a Client in the given mode, over the in-memory
// transport when apiRoot is "", else against apiRoot.
func newBenchClient(tb testing.TB, mode, apiRoot string) *bigcommerce.Client {
	tb.Helper()
	var opts []bigcommerce.Option
	if apiRoot == "" {
		opts = append(opts, bigcommerce.WithHTTPClient(&http.Client{Transport: memoryTransport{canned(tb)}}))
	} else {
		opts = append(opts, bigcommerce.WithBaseURL(apiRoot))
	}
	switch mode {
	case "none":
	case "hook":
		opts = append(opts, bigcommerce.WithTracer(emptyTracer{}))
	case "global":
		// The global providers, never set: OpenTelemetry's delegating
		// no-op ones, which bcotel cannot tell from real ones.
		opts = append(opts, bcotel.Instrument())
	case "noop":
		opts = append(opts, bcotel.Instrument(
			bcotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			bcotel.WithMeterProvider(metricnoop.NewMeterProvider())))
	case "sdk":
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(discard{}))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		tb.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		opts = append(opts, bcotel.Instrument(bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp), bcotel.WithStoreAttribute()))
	default:
		tb.Fatalf("mode %q", mode)
	}
	c, err := bigcommerce.NewClient(bigcommerce.NewOAuth(benchStore, benchToken), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.CloseIdleConnections)
	return c
}

// operation is one call, checked.
type operation func() error

func getOp(c *bigcommerce.Client) operation {
	return func() error {
		g, _, err := c.CustomerGroups.Get(context.Background(), getID)
		if err == nil && (g == nil || g.ID != getID) {
			err = fmt.Errorf("Get(%d) returned %+v", getID, g)
		}
		return err
	}
}

func listOp(c *bigcommerce.Client) operation {
	opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 250}}
	return func() error {
		gs, _, err := c.CustomerGroups.List(context.Background(), opts)
		if err == nil && len(gs) != 250 {
			err = fmt.Errorf("List returned %d groups, want 250", len(gs))
		}
		return err
	}
}

var benchOps = []struct {
	name string
	op   func(*bigcommerce.Client) operation
}{{"Get", getOp}, {"List250", listOp}}

// BenchmarkOverhead runs Get and List of 250 against a server on loopback
// in each mode.
func BenchmarkOverhead(b *testing.B) {
	apiRoot := loopback(b)
	for _, o := range benchOps {
		for _, mode := range modes {
			b.Run(o.name+"/tracer="+mode, func(b *testing.B) {
				run(b, o.op(newBenchClient(b, mode, apiRoot)))
			})
		}
	}
}

// BenchmarkOverheadNoNetwork is the same over an in-memory transport: the
// client's own cost, and its allocations without the server's.
func BenchmarkOverheadNoNetwork(b *testing.B) {
	for _, o := range benchOps {
		for _, mode := range modes {
			b.Run(o.name+"/tracer="+mode, func(b *testing.B) {
				run(b, o.op(newBenchClient(b, mode, "")))
			})
		}
	}
}

func run(b *testing.B, op operation) {
	b.ReportAllocs()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}
