package benchmarks

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// serverLatency is what the fake waits before each answer in the scaling
// check, so that a call's time is mostly waiting, as against a real store.
// At 5 ms, 16 goroutines make some 2,500 calls a second, which keep 0.37 of
// a core of this two-core machine busy with the fake and the client; when
// `go test ./...` runs other packages' tests beside this one, that share is
// not always there and the ratio sagged below 12x on some runs although the
// SDK was no different. At 10 ms the same check needs 0.24 of a core.
// scripts/bench.sh also reports the 5 ms figure.
const serverLatency = 10 * time.Millisecond

// getThroughput has g goroutines share c and call Get for about d, and
// returns the calls completed per second.
func getThroughput(c *bigcommerce.Client, g int, d time.Duration) (float64, error) {
	var calls atomic.Int64
	var firstErr atomic.Pointer[error]
	stop := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if _, _, err := c.CustomerGroups.Get(bg, 1); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	if err := firstErr.Load(); err != nil {
		return 0, *err
	}
	return float64(calls.Load()) / time.Since(start).Seconds(), nil
}

// TestGetThroughputScalesWithGoroutines: against a server that answers
// after a fixed delay, Get throughput from 16 goroutines is at least 12
// times that from one; 4 goroutines are reported beside them. Without
// -short the same is also measured, and only reported, at 5 ms.
func TestGetThroughputScalesWithGoroutines(t *testing.T) {
	d := 400 * time.Millisecond
	if !testing.Short() {
		d = time.Second
	}
	const want = 12.0
	var ratio float64
	// Throughput over a fraction of a second on a shared machine can be
	// cut by a burst of other work, so a miss is measured again, up to
	// three attempts in all, before it counts.
	for attempt := 1; attempt <= 3; attempt++ {
		ratio = scaling(t, serverLatency, d)
		if ratio >= want || raceEnabled {
			break
		}
	}
	switch {
	case raceEnabled:
		t.Log("the 12x target is not checked under the race detector (see race_on_test.go)")
	case ratio < want:
		t.Errorf("16 goroutines reached %.2fx the throughput of one, three attempts running; want at least %.0fx", ratio, want)
	}
	if !testing.Short() {
		scaling(t, 5*time.Millisecond, d)
	}
}

// scaling measures Get throughput from 1, 4 and 16 goroutines sharing one
// Client against a fake that waits latency before each answer, and
// returns the 16-goroutine figure over the one-goroutine figure.
func scaling(t *testing.T, latency, d time.Duration) float64 {
	t.Helper()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(1), bigcommercetest.WithLatency(latency))
	defer srv.Close()
	c := srv.Client()
	if _, _, err := c.CustomerGroups.Get(bg, 1); err != nil { // warm up
		t.Fatal(err)
	}
	var tp [3]float64
	for i, g := range []int{1, 4, 16} {
		var err error
		if tp[i], err = getThroughput(c, g, d); err != nil {
			t.Fatalf("%d goroutines: %v", g, err)
		}
	}
	if st := srv.Stats(); st.RateLimited != 0 {
		t.Errorf("the fake's rate limit answered %d requests: its default quota interfered", st.RateLimited)
	}
	t.Logf("Get throughput, %v server latency: 1 goroutine %.0f/s, 4: %.0f/s (%.2fx), 16: %.0f/s (%.2fx)",
		latency, tp[0], tp[1], tp[1]/tp[0], tp[2], tp[2]/tp[0])
	return tp[2] / tp[0]
}
