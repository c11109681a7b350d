package bigcommercetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestSeed(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(3))
	more := s.Seed(9)
	all := s.Groups()
	if len(all) != 12 || len(more) != 9 || more[0].ID != 4 {
		t.Fatalf("%d groups, seeded %d starting at id %d; want 12, 9 and 4", len(all), len(more), more[0].ID)
	}
	names := map[string]bool{}
	for _, g := range all {
		if names[g.Name] {
			t.Errorf("name %q seeded twice", g.Name)
		}
		names[g.Name] = true
		if g.DateCreated.After(g.DateModified) || g.DateModified.After(time.Now()) {
			t.Errorf("group %d dates %v / %v", g.ID, g.DateCreated, g.DateModified)
		}
	}
	// Every seeded group must be something the API itself would accept, so
	// a seeded group read and written back is not refused.
	for _, g := range all {
		resp, body := send(t, s, http.MethodGet, fmt.Sprintf("/customer_groups/%d", g.ID), "")
		wantStatus(t, resp, body, 200)
		got := decode[object](t, body)
		delete(got, "id")
		delete(got, "date_created")
		delete(got, "date_modified")
		put, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		resp, body = send(t, s, http.MethodPut, fmt.Sprintf("/customer_groups/%d", g.ID), string(put))
		wantStatus(t, resp, body, 200)
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	created := time.Date(2021, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))
	g := s.Add(bigcommercetest.Group{
		ID:            77,
		Name:          "Imported",
		DiscountRules: []bigcommercetest.DiscountRule{{Type: "all", Method: "fixed", Amount: "0.5"}},
		DateCreated:   created,
	})
	if g.ID != 1 || g.CategoryAccess.Type != "all" || g.DiscountRules[0].Amount != "0.5000" {
		t.Errorf("stored %+v", g)
	}
	want := time.Date(2021, 3, 4, 4, 6, 7, 0, time.UTC)
	if !g.DateCreated.Equal(want) || g.DateCreated.Location() != time.UTC || !g.DateModified.Equal(want) {
		t.Errorf("dates %v / %v, want both %v", g.DateCreated, g.DateModified, want)
	}
	if g := s.Add(bigcommercetest.Group{Name: "Now"}); time.Since(g.DateCreated) > time.Minute {
		t.Errorf("zero date became %v, want now", g.DateCreated)
	}

	defer func() {
		if recover() == nil {
			t.Error("Add accepted an amount that is not a number")
		}
	}()
	s.Add(bigcommercetest.Group{Name: "Bad", DiscountRules: []bigcommercetest.DiscountRule{{Type: "all", Method: "fixed", Amount: "lots"}}})
}

func TestSnapshotsAreCopies(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.Add(bigcommercetest.Group{Name: "Kept", CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{1}}})
	got := s.Groups()
	got[0].Name = "Changed"
	got[0].CategoryAccess.Categories[0] = 99
	g, ok := s.Group(1)
	if !ok || g.Name != "Kept" || g.CategoryAccess.Categories[0] != 1 {
		t.Errorf("stored group changed through a snapshot: %+v", g)
	}
	if _, ok := s.Group(2); ok {
		t.Error("Group(2) found a group that does not exist")
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithRateLimit(3, time.Minute))
	s.InjectFault(bigcommercetest.Fault{Status: 500})
	send(t, s, http.MethodGet, "/customer_groups?name:like=vip&page=2", "")
	send(t, s, http.MethodPost, "/customer_groups", `{"name":"Rec"}`)
	send(t, s, http.MethodGet, "/customer_groups/count", "", basic(s, s.Username, s.APIKey))
	send(t, s, http.MethodGet, "/customer_groups/count", "")
	got := s.Requests()
	if len(got) != 4 {
		t.Fatalf("%d requests recorded, want 4 (faulted and rate-limited included)", len(got))
	}
	first := got[0]
	if first.Method != "GET" || first.Path != "/stores/"+s.StoreHash+"/v2/customer_groups" ||
		first.RawQuery != "name:like=vip&page=2" || first.Query.Get("name:like") != "vip" ||
		first.Header.Get("X-Auth-Token") != s.AccessToken {
		t.Errorf("first request %+v", first)
	}
	if string(got[1].Body) != `{"name":"Rec"}` || got[1].Header.Get("Content-Type") != "application/json" {
		t.Errorf("second request body %q", got[1].Body)
	}
	if got[2].Path != "/api/v2/customer_groups/count" {
		t.Errorf("third request path %q", got[2].Path)
	}
	if st := s.Stats(); st.Requests != 4 || st.Faults != 1 || st.RateLimited != 1 {
		t.Errorf("stats %+v", st)
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
	if st := s.Stats(); st.Requests != 4 {
		t.Errorf("ResetRequests changed Stats: %+v", st)
	}
}

func TestConnectionsCount(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	keepAlive := &http.Client{Transport: &http.Transport{}}
	for range 5 {
		resp, body := sendWith(t, keepAlive, s, http.MethodGet, "/customer_groups/1", "")
		wantStatus(t, resp, body, 200)
	}
	if got := s.Stats().Connections; got != 1 {
		t.Errorf("%d connections for 5 requests with keep-alive, want 1", got)
	}
	for range 3 {
		sendWith(t, noKeepAlive(), s, http.MethodGet, "/customer_groups/1", "")
	}
	if got := s.Stats().Connections; got != 4 {
		t.Errorf("%d connections, want 4 after 3 more without keep-alive", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithLatency(25*time.Millisecond))
	start := time.Now()
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Errorf("answered after %v, want at least the 25ms latency", d)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(4), bigcommercetest.WithCreateStatus(200), bigcommercetest.WithRateLimit(5, time.Minute))
	send(t, s, http.MethodGet, "/customer_groups", "")
	s.InjectFault(bigcommercetest.Fault{Status: 500})
	s.SetChaos(bigcommercetest.Chaos{ErrorRate: 1})
	s.Reset()
	if len(s.Groups()) != 0 || len(s.Requests()) != 0 {
		t.Error("groups or requests survived Reset")
	}
	if st := s.Stats(); st.Requests != 0 || st.Connections != 1 {
		t.Errorf("stats %+v, want zero requests but the connection kept", st)
	}
	resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"After reset"}`)
	wantStatus(t, resp, body, 200)
	if g := decode[object](t, body); g["id"] != 5.0 {
		t.Errorf("id %v, want 5: ids are not reused after Reset", g["id"])
	}
	if left := headerInt(t, resp, "X-Rate-Limit-Requests-Left"); left != 4 {
		t.Errorf("left %d, want 4 in a fresh window of 5", left)
	}
}

// TestConcurrentUse is meant for -race: many clients writing and reading at
// once, and the test-side methods called alongside them.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(10))
	const workers, each = 32, 5
	// t.Fatal may not be called from these goroutines, so each step only
	// reports what went wrong and the worker stops.
	try := func(method, path, body string, want int) []byte {
		req, _ := http.NewRequest(method, s.OAuthBaseURL()+path, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", s.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
			return nil
		}
		return b
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				b := try(http.MethodPost, "/customer_groups", fmt.Sprintf(`{"name":"Worker %d item %d","discount_rules":[{"type":"all","method":"percent","amount":"%d.5"}]}`, w, i, i), 201)
				var g struct{ ID int }
				if b == nil || json.Unmarshal(b, &g) != nil {
					return
				}
				if try(http.MethodPut, fmt.Sprintf("/customer_groups/%d", g.ID), `{"is_default":true}`, 200) == nil ||
					try(http.MethodGet, "/customer_groups?limit=250&name:like=worker", "", 200) == nil ||
					try(http.MethodGet, "/customer_groups/count", "", 200) == nil {
					return
				}
			}
			s.Stats()
			s.Requests()
			s.Groups()
			s.InjectFault(bigcommercetest.Fault{Path: "/nowhere"})
		})
	}
	wg.Wait()
	all := s.Groups()
	if len(all) != 10+workers*each {
		t.Fatalf("%d groups, want %d", len(all), 10+workers*each)
	}
	gotIDs := make([]int, len(all))
	for i, g := range all {
		gotIDs[i] = g.ID
	}
	if !slices.IsSorted(gotIDs) || gotIDs[0] != 1 || gotIDs[len(gotIDs)-1] != len(all) {
		t.Errorf("ids are not 1..%d in order: %v", len(all), gotIDs)
	}
}
