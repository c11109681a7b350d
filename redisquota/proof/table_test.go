package proof

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// TestTable measures the tables in BENCHMARKS.md: issue 15's store and 60
// calls from each of 1, 4, 8, 16 and 32 processes of 16 goroutines sharing
// Redis, and 1, 4, 8 and 16 pacing alone with the defaults; 8, 16 and 32
// of them sharing Redis, and 4, 8 and 16 pacing alone, beside two
// CPU-bound processes; 4, 8 and 16 with Redis killed for two windows, and
// 8 so beside two CPU-bound processes; and 8, with and without Redis,
// beside a process of another app that paces with the defaults or not at
// all. It takes several minutes, so it runs only when asked:
//
//	PROOF_TABLE=1 go test -run TestTable -v ./redisquota/proof/
func TestTable(t *testing.T) {
	if os.Getenv("PROOF_TABLE") != "1" {
		t.Skip("set PROOF_TABLE=1 to measure the table in BENCHMARKS.md")
	}
	skipUnderRace(t)
	var fleets []fleet
	for _, procs := range []int{1, 4, 8, 16, 32} {
		fleets = append(fleets, fleet{procs: procs, redis: true})
		if procs <= 16 {
			fleets = append(fleets, fleet{procs: procs})
		}
	}
	for _, procs := range []int{8, 16, 32} {
		fleets = append(fleets, fleet{procs: procs, redis: true, busy: busyProcs})
	}
	for _, procs := range []int{4, 8, 16} {
		fleets = append(fleets, fleet{procs: procs, busy: busyProcs})
	}
	for _, procs := range []int{4, 8, 16} {
		fleets = append(fleets, midRunOutage(procs))
	}
	busyOutage := midRunOutage(8)
	busyOutage.busy = busyProcs
	fleets = append(fleets, busyOutage)
	for _, redis := range []bool{true, false} {
		for _, other := range []otherApp{otherAppPacing, otherAppNoPace} {
			fleets = append(fleets, fleet{procs: proofProcs, redis: redis, other: other})
		}
	}
	if only := os.Getenv("PROOF_TABLE_ONLY"); only != "" {
		// A substring of the rows' first cells, to measure some again.
		var some []fleet
		for _, f := range fleets {
			if strings.Contains(f.name()+" "+f.pacing(), only) {
				some = append(some, f)
			}
		}
		fleets = some
	}
	rdb := redistest.Start(t)
	var rows []string
	for _, f := range fleets {
		o := runFleet(t, f, rdb)
		t.Log(o)
		rows = append(rows, o.row())
	}
	fmt.Println()
	fmt.Println("| run | pacing | requests | answered 429 | calls failed | refused for waiting too long | most in flight at the store | windows taken (ideal) |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|")
	fmt.Println(strings.Join(rows, "\n"))
}

func (f fleet) pacing() string {
	if f.redis {
		return "redisquota"
	}
	return "defaults, alone"
}

func (o outcome) row() string {
	calls, failed := o.allCalls()
	return fmt.Sprintf("| %s | %s | %d | %d (%.1f%%) | %d of %d | %d | %d | %.2f (%.0f) |",
		o.name(), o.pacing(), o.stats.Requests, o.refused(), 100*o.refusedShare(),
		failed, calls, o.waitedTooLong(), o.stats.MaxInFlight, o.windows(), o.idealWindows())
}
