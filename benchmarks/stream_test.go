package benchmarks

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// walkHeap walks a generated store of n groups with All and samples the
// live heap (HeapAlloc just after a collection) every 2,500 groups, while
// the walk holds its page. It returns the largest sample and the heap
// before the walk.
func walkHeap(t *testing.T, n int) (peak, before uint64) {
	t.Helper()
	p := newPair(t, generatedHash(n))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before = ms.HeapAlloc
	count, last := 0, 0
	start := time.Now()
	for g, err := range p.sdk.CustomerGroups.All(bg, nil) {
		if err != nil {
			t.Fatalf("after %d groups: %v", count, err)
		}
		if g.ID != last+1 {
			t.Fatalf("group %d follows %d", g.ID, last)
		}
		count, last = count+1, g.ID
		if count%2500 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if count != n {
		t.Fatalf("the walk yielded %d groups, want %d", count, n)
	}
	t.Logf("walked %d groups in %v: live heap %s before, at most %s during the walk",
		n, time.Since(start).Round(time.Millisecond), mib(before), mib(peak))
	return peak, before
}

func mib(b uint64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// TestAllStreamsInFlatMemory: walking a store with All keeps the live heap
// under a few MiB, and flat as the store grows: the largest heap seen
// while walking 100,000 groups (40,000 with -short) is within 1 MiB of
// that seen while walking 10,000. Holding on to the groups walked would
// cost about 30 MiB per 100,000.
func TestAllStreamsInFlatMemory(t *testing.T) {
	large := 100_000
	if testing.Short() {
		large = 40_000
	}
	const (
		ceiling = 4 << 20
		growth  = 1 << 20
	)
	small, _ := walkHeap(t, 10_000)
	big, _ := walkHeap(t, large)
	if small > ceiling || big > ceiling {
		t.Errorf("the live heap reached %s and %s; want under %s", mib(small), mib(big), mib(ceiling))
	}
	if big > small+growth {
		t.Errorf("the live heap grew from %s (10,000 groups) to %s (%d groups); want within %s", mib(small), mib(big), large, mib(growth))
	}
}
