package main

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// heapSampler is export's standard output in the memory test: it throws
// the bytes away and, every few hundred kilobytes, measures the live heap
// (HeapAlloc just after a collection) while the export is under way.
type heapSampler struct {
	srv         *bigcommercetest.Server
	every, next int
	written     int
	peak        uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.written += len(p)
	if h.written >= h.next {
		h.next += h.every
		// The fake keeps every request it was sent; forget them so that
		// the test measures the tool, not the fake's log.
		h.srv.ResetRequests()
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// exportHeap exports a store of n generated groups and returns how far
// the live heap rose above what it was before the export, the store's
// own groups included in both.
func exportHeap(t *testing.T, n int) uint64 {
	t.Helper()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(n))
	defer srv.Close()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	out := &heapSampler{srv: srv, every: 256 << 10, next: 256 << 10}
	start := time.Now()
	r := cli{srv: srv}.withOut(out).run(t, "export", "-o", "ndjson")
	r.wantCode(t, 0)
	if out.written < n*100 {
		t.Fatalf("export wrote %d bytes for %d groups", out.written, n)
	}
	growth := uint64(0)
	if out.peak > before {
		growth = out.peak - before
	}
	t.Logf("exported %d groups (%d MiB) in %v: live heap %s before, at most %s above it during the export",
		n, out.written>>20, time.Since(start).Round(time.Millisecond), mib(before), mib(growth))
	return growth
}

func mib(b uint64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// TestExportKeepsTheLiveHeapFlatAsTheStoreGrows: export writes each group
// as All yields it, so the heap it needs does not grow with the store:
// exporting 100,000 groups (40,000 with -short or the race detector)
// takes within 1 MiB of what exporting 10,000 takes. Collecting the
// groups first would cost tens of MiB.
func TestExportKeepsTheLiveHeapFlatAsTheStoreGrows(t *testing.T) {
	large := 100_000
	if testing.Short() || raceEnabled {
		large = 40_000
	}
	small := exportHeap(t, 10_000)
	big := exportHeap(t, large)
	if big > small+1<<20 {
		t.Errorf("the live heap grew %s above its start for 10,000 groups and %s for %d; want within 1 MiB", mib(small), mib(big), large)
	}
}
