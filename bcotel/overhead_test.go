package bcotel_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// emptyTracer is a Tracer that does nothing: a Client with it pays for
// the hook alone, the data the core builds for a Tracer, and no more.
type emptyTracer struct{}

func (emptyTracer) TraceCallStart(ctx context.Context, _ bigcommerce.TraceCallStartData) context.Context {
	return ctx
}
func (emptyTracer) TraceCallEnd(context.Context, bigcommerce.TraceCallEndData) {}
func (emptyTracer) TraceAttemptStart(ctx context.Context, _ bigcommerce.TraceAttemptStartData) context.Context {
	return ctx
}
func (emptyTracer) TraceAttemptEnd(context.Context, bigcommerce.TraceAttemptEndData) {}
func (emptyTracer) TraceWait(context.Context, bigcommerce.TraceWaitData)             {}
func (emptyTracer) TracePacing(context.Context, bigcommerce.TracePacingData)         {}

// TestNoopProviderAllocations counts, over an in-memory transport, what
// bcotel on the no-op providers allocates beyond the hook itself. Counts
// of allocations do not depend on the machine's load, unlike times. Not
// parallel: the count is the whole process's.
func TestNoopProviderAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector adds allocations of its own")
	}
	noop := bcotel.Instrument(bcotel.WithTracerProvider(tracenoop.NewTracerProvider()), bcotel.WithMeterProvider(metricnoop.NewMeterProvider()))
	memory := func() bigcommerce.Option {
		return bigcommerce.WithHTTPClient(&http.Client{Transport: memoryTransport{canned(t)}})
	}
	for _, o := range benchOps {
		count := func(opts ...bigcommerce.Option) float64 {
			c, err := bigcommerce.NewClient(bigcommerce.NewOAuth(benchStore, benchToken), append(opts, memory())...)
			if err != nil {
				t.Fatal(err)
			}
			op := o.op(c)
			var failed error
			n := testing.AllocsPerRun(200, func() {
				if err := op(); err != nil {
					failed = err
				}
			})
			if failed != nil {
				t.Fatal(failed)
			}
			return n
		}
		none, hook, withNoop := count(), count(bigcommerce.WithTracer(emptyTracer{})), count(noop)
		t.Logf("%s: %.0f allocations without a tracer, %.0f with an empty one, %.0f with bcotel on the no-op providers", o.name, none, hook, withNoop)
		// On the no-op providers bcotel returns at once: nothing beyond
		// what the core builds for any Tracer.
		if withNoop != hook {
			t.Errorf("%s: %.0f allocations with bcotel on the no-op providers, %.0f with a Tracer that does nothing; want the same", o.name, withNoop, hook)
		}
	}
}

// TestNoopProviderTime measures what bcotel on the no-op providers adds
// to the median latency of Get and of a List of 250 against a server on
// loopback; the bar is 3%. The two clients' calls are interleaved one by
// one, so that a burst of other work meets both alike, and the ratio is
// the median of several blocks' ratios. Each attempt also measures the
// client without a tracer against itself: when that control is off by
// more than 1%, the machine is too loaded to resolve 3%, and a miss is
// only reported, while a gross one (over 15%) still fails. The count of
// allocations above is the check that holds on any machine.
func TestNoopProviderTime(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector slows Go code far more than the loopback: the ratio would say nothing")
	}
	apiRoot := loopback(t)
	calls := 4000
	if testing.Short() {
		calls = 1000
	}
	for _, o := range benchOps {
		t.Run(o.name, func(t *testing.T) {
			none, noop := o.op(newBenchClient(t, "none", apiRoot)), o.op(newBenchClient(t, "noop", apiRoot))
			n := calls
			if o.name == "List250" {
				n /= 8
			}
			var ratio, control float64
			noisy := false
			for attempt := 1; attempt <= 3; attempt++ {
				_, _, control = interleave(t, n, none, none)
				a, b, r := interleave(t, n, none, noop)
				ratio = r
				t.Logf("attempt %d: median %v without a tracer, %v with bcotel on no-op providers: %.4fx; no tracer against itself: %.4fx", attempt, a, b, ratio, control)
				if ratio <= 1.03 {
					return
				}
				noisy = noisy || control < 0.99 || control > 1.01
			}
			switch {
			case ratio > 1.15:
				t.Errorf("%s: bcotel on the no-op providers takes %.4fx the time of no tracer; far over the 1.03x bar", o.name, ratio)
			case noisy:
				t.Logf("%s: %.4fx, over the 1.03x bar, on a machine whose noise (control %.4fx) is too large to tell; not counted", o.name, ratio, control)
			default:
				t.Errorf("%s: bcotel on the no-op providers takes %.4fx the time of no tracer, median of %d blocks of %d calls a side interleaved, three attempts; the bar is 1.03x", o.name, ratio, blocks, n/blocks)
			}
		})
	}
}

// blocks is how many ratios interleave takes the median of.
const blocks = 5

// interleave runs a and b n times each, one call of each in turn, after a
// warm-up. It returns their median latencies, and the median over blocks
// of n/blocks calls of the ratio of b's median latency to a's: a burst of
// noise long enough to tilt one block leaves the others.
func interleave(t testing.TB, n int, a, b operation) (time.Duration, time.Duration, float64) {
	t.Helper()
	for range 200 {
		if err := a(); err != nil {
			t.Fatal(err)
		}
		if err := b(); err != nil {
			t.Fatal(err)
		}
	}
	la, lb := make([]time.Duration, n), make([]time.Duration, n)
	for i := range n {
		// Which goes first alternates too, so that neither always meets
		// a connection the other just warmed.
		first, second, l1, l2 := a, b, la, lb
		if i%2 == 1 {
			first, second, l1, l2 = b, a, lb, la
		}
		start := time.Now()
		if err := first(); err != nil {
			t.Fatal(err)
		}
		mid := time.Now()
		if err := second(); err != nil {
			t.Fatal(err)
		}
		l1[i], l2[i] = mid.Sub(start), time.Since(mid)
	}
	size := n / blocks
	ratios := make([]float64, blocks)
	for k := range blocks {
		ratios[k] = float64(medianOf(lb[k*size:(k+1)*size])) / float64(medianOf(la[k*size:(k+1)*size]))
	}
	slices.Sort(ratios)
	return medianOf(la), medianOf(lb), ratios[blocks/2]
}

func medianOf(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkInterleavedRatios measures each mode against no tracer the way
// TestNoopProviderTime does, calls interleaved one by one, and reports the
// ratios of median latencies that BENCHMARKS.md quotes; sequential ns/op
// drift too much on a shared machine to compare modes. Run it once:
//
//	go test -run x -bench InterleavedRatios -benchtime 1x ./bcotel/
func BenchmarkInterleavedRatios(b *testing.B) {
	apiRoot := loopback(b)
	for _, o := range benchOps {
		b.Run(o.name, func(b *testing.B) {
			n := 4000
			if o.name == "List250" {
				n = 500
			}
			none := o.op(newBenchClient(b, "none", apiRoot))
			for b.Loop() {
				for _, mode := range modes[1:] {
					a, m, r := interleave(b, n, none, o.op(newBenchClient(b, mode, apiRoot)))
					b.ReportMetric(r, mode+"/none")
					b.Logf("%s: median %v without a tracer, %v with %s: %.4fx", o.name, a, m, mode, r)
				}
			}
		})
	}
}
