package bigcommerce

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// The decoder and the response path keep three pieces only because they
// measured to pay (see "What each special piece buys" in BENCHMARKS.md):
// the pooled response buffers, the hand parser of the reference's date
// format and the wire structs reused across a page. These tests fail
// when one of them is taken out. They count allocations and bytes, never
// time, and do not run in parallel: the runtime's counters are the whole
// process's.

// TestResponseBuffersAreReused: a call reads its body into a pooled
// buffer, so that a large answer costs its bytes once per Client and not
// once per call. Without the pool each call below allocates at least the
// body's 256 KiB.
func TestResponseBuffersAreReused(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers at random")
	}
	const size = 256 << 10
	body := `{"count": 5}` + strings.Repeat(" ", size)
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL+"/count", jsonResponder(http.StatusOK, body))
	count := func() {
		if n, _, err := c.CustomerGroups.Count(context.Background(), nil); err != nil || n != 5 {
			t.Fatalf("Count = %d, %v; want 5", n, err)
		}
	}
	count()
	const calls = 40
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range calls {
		count()
	}
	runtime.ReadMemStats(&after)
	perCall := float64(after.TotalAlloc-before.TotalAlloc) / calls
	t.Logf("%.0f bytes a call for a %d-byte body", perCall, len(body))
	if perCall > size/2 {
		t.Errorf("a call with a %d-byte body allocates %.0f bytes: the response buffer is not reused", len(body), perCall)
	}
}

// groupJSON is one group as the API sends it, with the given dates.
func groupJSON(id int, created, modified string) string {
	return fmt.Sprintf(`{"id": %d, "name": "Wholesale", "is_default": false,
		"category_access": {"type": "specific", "categories": [18, 19]},
		"discount_rules": [
			{"type": "all", "method": "percent", "amount": "5.0000"},
			{"type": "product", "product_id": 7, "method": "fixed", "amount": "2.5000"}
		],
		"is_group_for_guests": false, "date_created": %s, "date_modified": %s}`, id, created, modified)
}

// allocsPerGroup is what decoding one more group of a page allocates: the
// difference between pages of 110 and 10 such groups, over 100, rounded,
// since the race detector's runtime adds the odd allocation of its own.
func allocsPerGroup(t *testing.T, created, modified string) float64 {
	t.Helper()
	page := func(n int) []byte {
		groups := make([]string, n)
		for i := range groups {
			groups[i] = groupJSON(i+1, created, modified)
		}
		return []byte("[" + strings.Join(groups, ",") + "]")
	}
	allocs := func(body []byte, n int) float64 {
		return testing.AllocsPerRun(20, func() {
			var out []CustomerGroup
			if err := decodeBody(body, &out); err != nil || len(out) != n {
				t.Fatalf("decoded %d groups, %v; want %d", len(out), err, n)
			}
		})
	}
	small, large := allocs(page(10), 10), allocs(page(110), 110)
	return math.Round((large - small) / 100)
}

// TestDecodingAGroupAllocatesOnlyWhatItReturns: a group of a page costs
// one allocation for each value it hands back that needs memory of its
// own (its category list, its rule list, each of its two rules' amount,
// and the text of its five enum values; a name this short comes from
// JSON v2's own cache of short strings) and nothing more: the wire
// structs it passes through are reused from one group to the next, and a
// date in the reference's format is read without allocating.
func TestDecodingAGroupAllocatesOnlyWhatItReturns(t *testing.T) {
	const reference = `"2023-07-17 06:30:41"`
	const returned = 1 + 1 + 2 + 5
	got := allocsPerGroup(t, reference, reference)
	t.Logf("%.1f allocations a group", got)
	if got > returned {
		t.Errorf("a group allocates %.1f times, want at most %d, one for each value it returns", got, returned)
	}
	withoutDates := allocsPerGroup(t, "null", "null")
	if withDates := allocsPerGroup(t, reference, reference); withDates > withoutDates {
		t.Errorf("two dates in the reference's format cost %.1f allocations a group, want none", withDates-withoutDates)
	}
}
