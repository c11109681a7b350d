package proof

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// TestTable measures the table in BENCHMARKS.md: issue 15's store and 60
// calls from each of 1, 4, 8, 16 and 32 processes of 16 goroutines,
// sharing Redis and, for contrast, pacing alone; 8, 16 and 32 of them
// sharing Redis beside two CPU-bound processes; and 4, 8 and 16 with Redis
// killed for two windows, and 8 so beside two CPU-bound processes. It takes
// several minutes, so it runs only when asked:
//
//	PROOF_TABLE=1 go test -run TestTable -v ./redisquota/proof/
func TestTable(t *testing.T) {
	if os.Getenv("PROOF_TABLE") != "1" {
		t.Skip("set PROOF_TABLE=1 to measure the table in BENCHMARKS.md")
	}
	skipUnderRace(t)
	var fleets []fleet
	for _, procs := range []int{1, 4, 8, 16, 32} {
		fleets = append(fleets, fleet{procs: procs, redis: true}, fleet{procs: procs})
	}
	for _, procs := range []int{8, 16, 32} {
		fleets = append(fleets, fleet{procs: procs, redis: true, busy: busyProcs})
	}
	for _, procs := range []int{4, 8, 16} {
		fleets = append(fleets, midRunOutage(procs))
	}
	busyOutage := midRunOutage(8)
	busyOutage.busy = busyProcs
	fleets = append(fleets, busyOutage)
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
	switch {
	case !f.redis:
		return "in-process throttle"
	case f.toldFleetSize:
		return "redisquota, fleet size told"
	}
	return "redisquota"
}

func (o outcome) row() string {
	calls, failed := o.allCalls()
	return fmt.Sprintf("| %s | %s | %d | %d (%.1f%%) | %d of %d | %d | %d | %.2f (%.0f) |",
		o.name(), o.pacing(), o.stats.Requests, o.refused(), 100*o.refusedShare(),
		failed, calls, o.waitedTooLong(), o.stats.MaxInFlight, o.windows(), o.idealWindows())
}
