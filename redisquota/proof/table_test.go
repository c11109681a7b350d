package proof

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// TestTable measures the table in BENCHMARKS.md: the same store and the
// same 600 calls from 1, 4, 8 and 16 processes of 16 goroutines, each
// pacing itself alone and all sharing Redis. It takes a few minutes, so
// it runs only when asked:
//
//	PROOF_TABLE=1 go test -run TestTable -v ./redisquota/proof/
func TestTable(t *testing.T) {
	if os.Getenv("PROOF_TABLE") != "1" {
		t.Skip("set PROOF_TABLE=1 to measure the table in BENCHMARKS.md")
	}
	rdb := redistest.Start(t)
	var rows []string
	for _, procs := range []int{1, 4, 8, 16} {
		for _, redis := range []bool{false, true} {
			o := runFleet(t, fleet{procs: procs, redis: redis}, rdb)
			t.Log(o)
			rows = append(rows, o.row())
		}
	}
	fmt.Printf("\n| processes x goroutines | pacing | requests | answered 429 | calls failed with ErrRateLimited | most in flight at the store | windows taken (ideal %d) |\n", totalCalls/quota)
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	fmt.Println(strings.Join(rows, "\n"))
}

func (o outcome) row() string {
	calls, _, rateLimited := o.appCalls()
	pacing := "in-process throttle"
	if o.redis {
		pacing = "redisquota"
	}
	return fmt.Sprintf("| %d x %d | %s | %d | %d (%.1f%%) | %d (%.1f%%) | %d | %d (%.2f) |",
		o.procs, goroutines, pacing, o.stats.Requests, o.refused(), 100*o.refusedShare(),
		rateLimited, 100*float64(rateLimited)/float64(calls), o.stats.MaxInFlight, o.windowsUsed(), o.windows())
}
