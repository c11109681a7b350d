package benchmarks

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// figures are per-operation costs, as `go test -benchmem` reports them.
type figures struct {
	ns, bytes, allocs float64
}

// measure runs op n times after a collection, the way testing.B does, and
// returns what one run cost. Allocations count the whole process, which
// holds only the client: the server runs in a child process.
func measure(n int, op operation) (figures, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range n {
		if err := op(); err != nil {
			return figures{}, err
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return figures{
		ns:     float64(elapsed.Nanoseconds()) / float64(n),
		bytes:  float64(after.TotalAlloc-before.TotalAlloc) / float64(n),
		allocs: float64(after.Mallocs-before.Mallocs) / float64(n),
	}, nil
}

// comparison is the SDK against the floor.
type comparison struct {
	name string
	// Blocks of n calls, alternating sides, as testing.B measures them:
	// ns/op with its share of garbage collection, B/op and allocs/op.
	sdk, floor []figures
	n          int
	// Call-by-call latencies, the two sides interleaved one call at a
	// time so that both meet the same machine.
	sdkLat, floorLat []time.Duration

	timeRatio   float64 // median latency over median latency: the target's
	meanRatio   float64 // block ns/op over block ns/op, medians of blocks
	bytesRatio  float64 // median over median
	allocsRatio float64
	sdkMedian   figures
	floorMedian figures
}

// compare measures sdk against floor with about rounds*budget of work on
// each side. The time ratio compares median call latencies, taken with
// the calls interleaved one by one: on a shared two-core machine, ns/op
// of blocks of calls drifts by 15% from one block to the next while this
// ratio holds within a few percent, because both sides meet every burst
// of noise alike and the median drops the calls a burst or a collection
// lands on. The blocks still give B/op and allocs/op, and the ns/op that
// scripts/bench.sh reports through testing.B includes collection.
func compare(name string, sdk, floor operation, rounds int, budget time.Duration) (comparison, error) {
	c := comparison{name: name}
	// Warm up connections, pools and caches, and size the blocks.
	for range 3 {
		if err := sdk(); err != nil {
			return c, fmt.Errorf("%s sdk: %w", name, err)
		}
		if err := floor(); err != nil {
			return c, fmt.Errorf("%s floor: %w", name, err)
		}
	}
	ops, start := 0, time.Now()
	for time.Since(start) < budget/2 || ops < 3 {
		if err := floor(); err != nil {
			return c, fmt.Errorf("%s floor: %w", name, err)
		}
		ops++
	}
	c.n = max(10, int(float64(ops)*float64(budget)/float64(time.Since(start))))

	type side struct {
		op  operation
		out *[]figures
	}
	for r := range rounds {
		order := []side{{floor, &c.floor}, {sdk, &c.sdk}}
		if r%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, s := range order {
			f, err := measure(c.n, s.op)
			if err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
			*s.out = append(*s.out, f)
		}
	}
	for i := range rounds * c.n {
		first, second := sdk, floor
		if i%2 == 1 {
			first, second = floor, sdk
		}
		t0 := time.Now()
		err1 := first()
		t1 := time.Now()
		err2 := second()
		t2 := time.Now()
		if err := errors.Join(err1, err2); err != nil {
			return c, fmt.Errorf("%s: %w", name, err)
		}
		if i%2 == 0 {
			c.sdkLat, c.floorLat = append(c.sdkLat, t1.Sub(t0)), append(c.floorLat, t2.Sub(t1))
		} else {
			c.floorLat, c.sdkLat = append(c.floorLat, t1.Sub(t0)), append(c.sdkLat, t2.Sub(t1))
		}
	}
	c.sdkMedian, c.floorMedian = median(c.sdk), median(c.floor)
	c.timeRatio = float64(medianDuration(c.sdkLat)) / float64(medianDuration(c.floorLat))
	c.meanRatio = c.sdkMedian.ns / c.floorMedian.ns
	c.bytesRatio = c.sdkMedian.bytes / c.floorMedian.bytes
	c.allocsRatio = c.sdkMedian.allocs / c.floorMedian.allocs
	return c, nil
}

func (c comparison) String() string {
	return fmt.Sprintf("%-10s floor %9.0f ns/op %8.0f B/op %6.0f allocs/op | sdk %9.0f ns/op %8.0f B/op %6.0f allocs/op | sdk/floor: median latency %.3f, ns/op %.3f, B/op %.3f, allocs/op %.3f (%d blocks of %d calls a side, then %d calls a side interleaved)",
		c.name, c.floorMedian.ns, c.floorMedian.bytes, c.floorMedian.allocs,
		c.sdkMedian.ns, c.sdkMedian.bytes, c.sdkMedian.allocs,
		c.timeRatio, c.meanRatio, c.bytesRatio, c.allocsRatio, len(c.sdk), c.n, len(c.sdkLat))
}

func medianDuration(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

func median(fs []figures) figures {
	pick := func(get func(figures) float64) float64 {
		v := make([]float64, len(fs))
		for i, f := range fs {
			v[i] = get(f)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return figures{
		ns:     pick(func(f figures) float64 { return f.ns }),
		bytes:  pick(func(f figures) float64 { return f.bytes }),
		allocs: pick(func(f figures) float64 { return f.allocs }),
	}
}

// sizes are the knobs that -short turns down.
type sizes struct {
	rounds int
	budget time.Duration
}

// Under the race detector the ratios are only reported, so the short
// sizes do.
func currentSizes() sizes {
	if testing.Short() || raceEnabled {
		return sizes{rounds: 3, budget: 40 * time.Millisecond}
	}
	return sizes{rounds: 5, budget: 150 * time.Millisecond}
}
