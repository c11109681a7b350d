package benchmarks

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// mixedCall makes call number i of a mix of answers: a group (200), an
// empty page past the end (204), a missing group (404), a created group
// (201), and, when with429, a Get and a Create that first meet a 429 and
// are retried at once. Goroutine g of a concurrent run fails the Get of
// its own group, g+1, and no Create, since a fault matches by method and
// path and could otherwise be met by another goroutine's call. It reports
// whether the call met a 429.
func mixedCall(srv *bigcommercetest.Server, c *bigcommerce.Client, i, g int, with429, concurrent bool) (bool, error) {
	k := i % 8
	switch {
	case k == 3 && with429:
		path := "/customer_groups/" + strconv.Itoa(g+1)
		inject429(srv, http.MethodGet, path)
		_, _, err := c.CustomerGroups.Get(bg, g+1)
		return true, err
	case k == 7 && with429 && !concurrent:
		inject429(srv, http.MethodPost, "/customer_groups")
		_, _, err := c.CustomerGroups.Create(bg, &bigcommerce.CreateCustomerGroupRequest{Name: fmt.Sprintf("Mixed %d", i)})
		return true, err
	case k == 3 || k == 7:
		_, _, err := c.CustomerGroups.Create(bg, &bigcommerce.CreateCustomerGroupRequest{Name: fmt.Sprintf("Mixed %d", i)})
		return false, err
	case k == 0 || k == 4:
		_, _, err := c.CustomerGroups.Get(bg, 1)
		return false, err
	case k == 1 || k == 5:
		page, _, err := c.CustomerGroups.List(bg, &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 1000, Limit: 250}})
		if err == nil && len(page) != 0 {
			err = fmt.Errorf("a page past the end held %d groups", len(page))
		}
		return false, err
	default:
		_, _, err := c.CustomerGroups.Get(bg, 999999)
		if !errors.Is(err, bigcommerce.ErrNotFound) {
			return false, fmt.Errorf("a missing group gave %v, want ErrNotFound", err)
		}
		return false, nil
	}
}

// inject429 makes the next matching request meet a 429 that asks for no
// wait, so that the SDK retries it at once.
func inject429(srv *bigcommercetest.Server, method, path string) {
	srv.InjectFault(bigcommercetest.Fault{Method: method, Path: path, Status: http.StatusTooManyRequests,
		Header: http.Header{"X-Retry-After": {"0"}}})
}

// connModes are the two clients the connection checks run with: the
// default one, whose throttle pauses for each 429's X-Retry-After, and one
// with the throttle off, where the retry policy alone handles the 429s.
var connModes = []struct {
	name    string
	opts    []bigcommerce.Option
	with429 bool
}{
	{"default", nil, true},
	{"unthrottled", []bigcommerce.Option{bigcommerce.WithoutThrottling()}, true},
}

func newConnServer(t *testing.T, opts ...bigcommerce.Option) (*bigcommercetest.Server, *bigcommerce.Client) {
	t.Helper()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(64))
	t.Cleanup(srv.Close)
	return srv, srv.Client(append([]bigcommerce.Option{bigcommerce.WithRetryWait(0, 0)}, opts...)...)
}

// TestSequentialCallsShareOneConnection: 1,000 calls in a row mixing 200,
// 201, 204, 404 and retried 429 answers open exactly one TCP connection,
// counted at the server's listener.
func TestSequentialCallsShareOneConnection(t *testing.T) {
	for _, mode := range connModes {
		t.Run(mode.name, func(t *testing.T) {
			srv, c := newConnServer(t, mode.opts...)
			const calls = 1000
			retried := 0
			for i := range calls {
				met429, err := mixedCall(srv, c, i, 0, mode.with429, false)
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if met429 {
					retried++
				}
			}
			st := srv.Stats()
			t.Logf("%d calls, %d requests (%d retried after a 429), %d connections", calls, st.Requests, st.Faults, st.Connections)
			if st.Faults != retried || st.Requests != calls+retried {
				t.Fatalf("the server saw %d requests and %d faults, want %d and %d", st.Requests, st.Faults, calls+retried, retried)
			}
			if st.RateLimited != 0 {
				t.Errorf("the fake's own rate limit answered %d requests", st.RateLimited)
			}
			if st.Connections != 1 {
				t.Errorf("%d sequential calls opened %d connections, want 1", calls, st.Connections)
			}
		})
	}
}

// TestConcurrentCallsOpenAtMostOneConnectionEach: N goroutines sharing a
// Client open at most N connections. The Client's concurrency cap is set
// to N, which also caps its connections: net/http, left to itself, opens
// a few more than N when the pool is cold (see the commit that added the
// cap: a plain net/http client opened 16 to 21 for 16 goroutines).
func TestConcurrentCallsOpenAtMostOneConnectionEach(t *testing.T) {
	for _, mode := range connModes {
		for _, n := range []int{4, 16} {
			t.Run(fmt.Sprintf("%s/goroutines=%d", mode.name, n), func(t *testing.T) {
				srv, c := newConnServer(t, append(mode.opts, bigcommerce.WithMaxConcurrentRequests(n))...)
				st := runConcurrently(t, srv, c, n, 480/n, mode.with429)
				if st.Connections > n || st.Connections < 1 {
					t.Errorf("%d goroutines opened %d connections, want 1 to %d", n, st.Connections, n)
				}
			})
		}
	}
}

// TestDefaultCapBoundsConnections: with the default concurrency cap of 40,
// even 64 goroutines never make a Client hold more than 40 connections.
func TestDefaultCapBoundsConnections(t *testing.T) {
	srv, c := newConnServer(t)
	st := runConcurrently(t, srv, c, 64, 8, false)
	if st.Connections > 40 {
		t.Errorf("64 goroutines opened %d connections, want at most 40", st.Connections)
	}
}

// runConcurrently has n goroutines make calls mixed calls each and returns
// the server's counters.
func runConcurrently(t *testing.T, srv *bigcommercetest.Server, c *bigcommerce.Client, n, calls int, with429 bool) bigcommercetest.Stats {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := range n {
		wg.Go(func() {
			for i := range calls {
				if _, err := mixedCall(srv, c, g+i*n, g, with429, true); err != nil {
					errs <- fmt.Errorf("goroutine %d, call %d: %w", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := srv.Stats()
	t.Logf("%d goroutines, %d requests (%d retried after a 429), %d connections", n, st.Requests, st.Faults, st.Connections)
	if st.RateLimited != 0 {
		t.Errorf("the fake's own rate limit answered %d requests", st.RateLimited)
	}
	return st
}

// TestRetriedCreateSendsTheSameBytes: the SDK encodes a request body once
// and sends those bytes again when a 429 makes it retry.
func TestRetriedCreateSendsTheSameBytes(t *testing.T) {
	srv, c := newConnServer(t)
	inject429(srv, http.MethodPost, "/customer_groups")
	if _, _, err := c.CustomerGroups.Create(bg, newCreate()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Method != http.MethodPost || reqs[1].Method != http.MethodPost {
		t.Fatalf("the server saw %d requests, want the POST and its retry", len(reqs))
	}
	if len(reqs[0].Body) == 0 || string(reqs[0].Body) != string(reqs[1].Body) {
		t.Errorf("the retry sent %q, the first attempt %q", reqs[1].Body, reqs[0].Body)
	}
}
