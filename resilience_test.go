package bigcommerce_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

var longSoak = flag.Bool("soak", false, "run the fault soak with ten times the operations")

// soakGroup is what one worker knows about a group it created.
type soakGroup struct {
	id int
	// names holds every name the group may have now: one after a
	// successful write, more after writes whose outcome is unknown.
	names []string
	// gone: deleted for certain; maybeGone: a delete whose outcome is
	// unknown.
	gone, maybeGone bool
}

// soakWorker runs a random mix of operations on groups of its own, so that
// what the store must hold at the end follows from the answers it got.
type soakWorker struct {
	id     int
	c      *bigcommerce.Client
	rng    *rand.Rand
	groups []*soakGroup
	// maybeCreated are names of creates whose outcome is unknown: each may
	// exist once, never twice.
	maybeCreated []string
	errs         map[string]int
	violations   []string
}

// ambiguous reports whether a failed write may still have been applied: a
// 5xx or a lost connection. A 429 was refused before processing.
func ambiguous(err error) bool {
	var apiErr *bigcommerce.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500
	}
	var reqErr *bigcommerce.RequestError
	return errors.As(err, &reqErr)
}

func (w *soakWorker) fail(format string, args ...any) {
	w.violations = append(w.violations, fmt.Sprintf("worker %d: ", w.id)+fmt.Sprintf(format, args...))
}

// record classifies an error; every failure must be typed.
func (w *soakWorker) record(op string, err error) {
	var apiErr *bigcommerce.APIError
	var reqErr *bigcommerce.RequestError
	switch {
	case errors.As(err, &apiErr):
		w.errs[fmt.Sprintf("%s %d", op, apiErr.StatusCode)]++
	case errors.As(err, &reqErr):
		w.errs[op+" transport"]++
	default:
		w.fail("%s returned an untyped error: %v", op, err)
	}
	if strings.Contains(err.Error(), "giving up") {
		w.fail("%s leaked go-retryablehttp's wording: %v", op, err)
	}
}

func (w *soakWorker) live() *soakGroup {
	var live []*soakGroup
	for _, g := range w.groups {
		if !g.gone && !g.maybeGone {
			live = append(live, g)
		}
	}
	if len(live) == 0 {
		return nil
	}
	return live[w.rng.IntN(len(live))]
}

func (w *soakWorker) step(ctx context.Context, i int) {
	cg := w.c.CustomerGroups
	g := w.live()
	switch r := w.rng.IntN(100); {
	case r < 40 || g == nil:
		name := fmt.Sprintf("soak-%02d-%04d", w.id, i)
		created, _, err := cg.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{
			Name: name,
			DiscountRules: []bigcommerce.DiscountRule{
				{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: bigcommerce.Amount(fmt.Sprintf("%d.25", i%50))},
			},
		})
		switch {
		case err == nil:
			w.groups = append(w.groups, &soakGroup{id: created.ID, names: []string{name}})
		case ambiguous(err):
			w.record("create", err)
			w.maybeCreated = append(w.maybeCreated, name)
		default:
			w.record("create", err)
		}
	case r < 60:
		name := fmt.Sprintf("soak-%02d-%04d-renamed", w.id, i)
		_, _, err := cg.Update(ctx, g.id, &bigcommerce.UpdateCustomerGroupRequest{Name: &name, DiscountRules: []bigcommerce.DiscountRule{}})
		switch {
		case err == nil:
			g.names = []string{name}
		case ambiguous(err):
			w.record("update", err)
			g.names = append(g.names, name)
		default:
			w.record("update", err)
		}
	case r < 75:
		_, err := cg.Delete(ctx, g.id)
		switch {
		case err == nil:
			g.gone = true
		case ambiguous(err):
			w.record("delete", err)
			g.maybeGone = true
		default:
			w.record("delete", err)
		}
	case r < 90:
		got, _, err := cg.Get(ctx, g.id)
		switch {
		case err == nil:
			if !slices.Contains(g.names, got.Name) {
				w.fail("group %d reads %q, want one of %q", g.id, got.Name, g.names)
			}
		case errors.Is(err, bigcommerce.ErrNotFound):
			w.fail("group %d, never deleted, is not found", g.id)
		default:
			w.record("get", err)
		}
	default:
		if _, _, err := cg.Count(ctx, &bigcommerce.CustomerGroupFilter{NameLike: fmt.Sprintf("soak-%02d-", w.id)}); err != nil {
			w.record("count", err)
		}
	}
}

// TestSoakUnderFaults runs thousands of mixed operations from 16
// goroutines against a store that fails 10% of requests with 500, 502 or
// 503, drops 2% of connections, applies 5% of writes before answering 500,
// and rate-limits at a small quota. At the end the store must hold exactly
// what the successful answers imply: no duplicate from a retried create,
// no lost update, no group deleted for certain still present.
func TestSoakUnderFaults(t *testing.T) {
	t.Parallel()
	const workers = 16
	ops := 150
	if *longSoak {
		ops *= 10
	}
	// Duplicate names are allowed so that a create sent twice would leave
	// two groups behind instead of being caught by a 409.
	srv := bigcommercetest.NewServer(
		bigcommercetest.WithRateLimit(150, 250*time.Millisecond),
		bigcommercetest.WithAllowDuplicateNames(),
	)
	t.Cleanup(srv.Close)
	srv.SetChaos(bigcommercetest.Chaos{ErrorRate: 0.10, DropRate: 0.02, ApplyThenFailRate: 0.05, Seed: 20261129})
	c := srv.Client(bigcommerce.WithRetryWait(0, 2*time.Second), bigcommerce.WithRetryMax(4))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ws := make([]*soakWorker, workers)
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &soakWorker{id: i, c: c, rng: rand.New(rand.NewPCG(uint64(i), 99)), errs: map[string]int{}}
		wg.Add(1)
		go func(w *soakWorker) {
			defer wg.Done()
			for op := range ops {
				w.step(ctx, op)
			}
		}(ws[i])
	}
	wg.Wait()

	stored := map[string][]int{}
	for _, g := range srv.Groups() {
		stored[g.Name] = append(stored[g.Name], g.ID)
	}
	byID := map[int]string{}
	for _, g := range srv.Groups() {
		byID[g.ID] = g.Name
	}
	known := map[string]bool{}
	errs := map[string]int{}
	var violations []string
	for _, w := range ws {
		violations = append(violations, w.violations...)
		for k, v := range w.errs {
			errs[k] += v
		}
		for _, name := range w.maybeCreated {
			known[name] = true
		}
		for _, g := range w.groups {
			for _, n := range g.names {
				known[n] = true
			}
			name, present := byID[g.id]
			switch {
			case g.gone && present:
				violations = append(violations, fmt.Sprintf("group %d was deleted but is still stored as %q", g.id, name))
			case !g.gone && !g.maybeGone && !present:
				violations = append(violations, fmt.Sprintf("group %d (%q) was lost", g.id, g.names))
			case present && !slices.Contains(g.names, name):
				violations = append(violations, fmt.Sprintf("group %d is stored as %q, want one of %q: an update was lost", g.id, name, g.names))
			}
		}
	}
	for name, ids := range stored {
		if len(ids) > 1 {
			violations = append(violations, fmt.Sprintf("%q is stored %d times (ids %v): a write was applied twice", name, len(ids), ids))
		}
		if !known[name] {
			violations = append(violations, fmt.Sprintf("%q (ids %v) was stored but no call made it", name, ids))
		}
	}
	stats := srv.Stats()
	t.Logf("%d operations, %d requests, %d faults, %d answered 429, %d groups stored; errors surfaced: %v",
		workers*ops, stats.Requests, stats.Faults, stats.RateLimited, len(srv.Groups()), errs)
	if stats.Faults < workers*ops/20 {
		t.Errorf("only %d faults were injected; the soak did not exercise failures", stats.Faults)
	}
	for _, v := range violations {
		t.Error(v)
	}
}

// TestThroughputAtTheQuota sends N requests from 16 goroutines to a store
// allowing Q per window W: they must finish in about ceil(N/Q) windows,
// with no 429 reaching a caller and under 1% of requests refused by the
// server.
func TestThroughputAtTheQuota(t *testing.T) {
	// Not parallel: the bound is on elapsed time, so the test runs alone
	// in its package. A machine busy with other work can still stretch one
	// run, so the time bound gets three tries; the other checks must hold
	// every time.
	const (
		quota   = 25
		window  = 300 * time.Millisecond
		total   = 150
		workers = 16
	)
	windows := (total + quota - 1) / quota
	limit := time.Duration(float64(windows) * 1.1 * float64(window))
	for try := 1; ; try++ {
		elapsed := throughputRun(t, quota, window, total, workers)
		t.Logf("try %d: %d requests in %s (%.2f windows of %s; limit %s)",
			try, total, elapsed, float64(elapsed)/float64(window), window, limit)
		if elapsed <= limit {
			return
		}
		if try == 3 {
			t.Fatalf("took %s three times, want at most %s (1.1 x %d windows)", elapsed, limit, windows)
		}
	}
}

func throughputRun(t *testing.T, quota int, window time.Duration, total, workers int) time.Duration {
	t.Helper()
	srv := bigcommercetest.NewServer(bigcommercetest.WithRateLimit(quota, window), bigcommercetest.WithSeed(3))
	defer srv.Close()
	c := srv.Client(bigcommerce.WithRetryWait(0, 2*time.Second))
	ids := srv.Groups()

	var next, failed atomic.Int32
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1))
				if n > total {
					return
				}
				if _, _, err := c.CustomerGroups.Get(context.Background(), ids[n%len(ids)].ID); err != nil {
					failed.Add(1)
					t.Errorf("request %d: %v", n, err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stats := srv.Stats()
	if failed.Load() != 0 {
		t.Fatalf("%d calls failed", failed.Load())
	}
	if stats.RateLimited*100 >= stats.Requests {
		t.Fatalf("server answered %d of %d requests with 429, want under 1%%", stats.RateLimited, stats.Requests)
	}
	return elapsed
}

// TestAbsurdRetryAfterComesBackAtOnce: a server asking for an enormous
// wait gets the rate-limit error back with that wait, not a sleeping
// goroutine.
func TestAbsurdRetryAfterComesBackAtOnce(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(1))
	t.Cleanup(srv.Close)
	srv.InjectFault(bigcommercetest.Fault{Status: 429, Header: map[string][]string{"X-Retry-After": {"999999"}}})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := c.CustomerGroups.Get(ctx, srv.Groups()[0].ID)
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, bigcommerce.ErrRateLimited) || apiErr.RetryAfter != 999999*time.Second {
		t.Fatalf("err = %v, want ErrRateLimited with RetryAfter 999999s", err)
	}
	if n := srv.Stats().Requests; n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
	// The next call is not sent either: the whole client is paused.
	_, _, err = c.CustomerGroups.Get(ctx, srv.Groups()[0].ID)
	if !errors.Is(err, bigcommerce.ErrRateLimited) || srv.Stats().Requests != 1 {
		t.Fatalf("second call: err = %v after %d requests; want a local ErrRateLimited", err, srv.Stats().Requests)
	}
}

// TestServerThatNeverAnswersIsBoundedByTheTimeout: WithTimeout bounds a
// call against a server that holds the request forever.
func TestServerThatNeverAnswersIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	srv.InjectFault(bigcommercetest.Fault{Delay: time.Hour, Count: 10})
	c := srv.Client(bigcommerce.WithTimeout(100*time.Millisecond), bigcommerce.WithRetryWait(0, 0))
	_, _, err := c.CustomerGroups.Get(context.Background(), 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

// TestZeroRetryWaitsStillWaitForTheQuota: WithRetryWait(0, 0) turns off
// the backoff between retries, not the wait for the rate limit, so a call
// over the quota waits for the window instead of failing unsent.
func TestZeroRetryWaitsStillWaitForTheQuota(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3), bigcommercetest.WithRateLimit(2, 200*time.Millisecond))
	t.Cleanup(srv.Close)
	c := srv.Client(bigcommerce.WithRetryWait(0, 0))
	for i := range 3 {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatalf("Get %d: %v", i+1, err)
		}
	}
	if n := srv.Stats().RateLimited; n != 0 {
		t.Errorf("%d requests answered 429, want 0: the third must wait for the window", n)
	}
}
