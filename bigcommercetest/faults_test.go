package bigcommercetest_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// noKeepAlive makes every request open its own connection, so a dropped
// connection is seen by the caller instead of being retried by the Transport.
func noKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.InjectFault(bigcommercetest.Fault{Path: "/customer_groups", Status: 503, Header: http.Header{"X-Retry-After": {"2"}}})
	resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"Unlucky"}`)
	wantV2Error(t, resp, body, 503)
	if got := resp.Header.Get("X-Retry-After"); got != "2" {
		t.Errorf("X-Retry-After %q, want the fault's 2", got)
	}
	if resp.Header.Get("X-Rate-Limit-Requests-Quota") == "" {
		t.Error("a faulted answer lacks the rate-limit headers")
	}
	if n := len(s.Groups()); n != 0 {
		t.Errorf("%d groups stored by a request that failed before applying", n)
	}
	create(t, s, `{"name":"Unlucky"}`)
	if st := s.Stats(); st.Faults != 1 {
		t.Errorf("Faults %d, want 1", st.Faults)
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault bigcommercetest.Fault
		// each request is a method and a path; want is the status of each
		requests [][2]string
		want     []int
	}{
		{"count covers that many requests",
			bigcommercetest.Fault{Status: 500, Count: 2},
			[][2]string{{"GET", "/customer_groups/1"}, {"GET", "/customer_groups/1"}, {"GET", "/customer_groups/1"}},
			[]int{500, 500, 200}},
		{"method narrows the fault",
			bigcommercetest.Fault{Method: "PUT", Status: 502},
			[][2]string{{"GET", "/customer_groups/1"}, {"PUT", "/customer_groups/1"}, {"PUT", "/customer_groups/1"}},
			[]int{200, 502, 200}},
		{"path narrows the fault",
			bigcommercetest.Fault{Path: "/customer_groups/count", Status: 500},
			[][2]string{{"GET", "/customer_groups"}, {"GET", "/customer_groups/count"}},
			[]int{200, 500}},
		{"path matches under the basic root too",
			bigcommercetest.Fault{Path: "/customer_groups/1", Status: 500},
			[][2]string{{"GET", "basic:/customer_groups/1"}, {"GET", "/customer_groups/1"}},
			[]int{500, 200}},
		{"faults come before authentication",
			bigcommercetest.Fault{Status: 503},
			[][2]string{{"GET", "noauth:/customer_groups"}, {"GET", "noauth:/customer_groups"}},
			[]int{503, 401}},
		{"zero status with a delay answers for real",
			bigcommercetest.Fault{Delay: time.Millisecond},
			[][2]string{{"GET", "/customer_groups/1"}},
			[]int{200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newFake(t, withSeedOne)
			s.InjectFault(tt.fault)
			var got []int
			for _, req := range tt.requests {
				var edits []edit
				path := req[1]
				if p, ok := strings.CutPrefix(path, "basic:"); ok {
					path, edits = p, []edit{basic(s, s.Username, s.APIKey)}
				}
				if p, ok := strings.CutPrefix(path, "noauth:"); ok {
					path, edits = p, []edit{header("X-Auth-Token", "")}
				}
				body := ""
				if req[0] == http.MethodPut {
					body = `{}`
				}
				resp, _ := send(t, s, req[0], path, body, edits...)
				got = append(got, resp.StatusCode)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFaultsAreFirstInFirstOut(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	s.InjectFault(bigcommercetest.Fault{Status: 500})
	s.InjectFault(bigcommercetest.Fault{Status: 502})
	var got []int
	for range 3 {
		resp, _ := send(t, s, http.MethodGet, "/customer_groups", "")
		got = append(got, resp.StatusCode)
	}
	if want := []int{500, 502, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func TestFaultRawBody(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.InjectFault(bigcommercetest.Fault{Status: 400, Body: `{"errors":[{"status":400,"title":"v3 shape"}]}`})
	resp, body := send(t, s, http.MethodGet, "/customer_groups", "")
	wantStatus(t, resp, body, 400)
	if string(body) != `{"errors":[{"status":400,"title":"v3 shape"}]}` {
		t.Errorf("body %s, want the fault's own", body)
	}
}

func TestFaultHeaderOnRealAnswer(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	s.InjectFault(bigcommercetest.Fault{Header: http.Header{"X-Rate-Limit-Requests-Left": {"0"}}})
	resp, body := send(t, s, http.MethodGet, "/customer_groups/1", "")
	wantStatus(t, resp, body, 200)
	if got := resp.Header.Get("X-Rate-Limit-Requests-Left"); got != "0" {
		t.Errorf("Requests-Left %q, want the fault's 0", got)
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	t.Run("waits before answering", func(t *testing.T) {
		t.Parallel()
		s := newFake(t, withSeedOne)
		s.InjectFault(bigcommercetest.Fault{Delay: 30 * time.Millisecond})
		start := time.Now()
		resp, body := send(t, s, http.MethodGet, "/customer_groups/1", "")
		wantStatus(t, resp, body, 200)
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("answered after %v, before the delay", d)
		}
	})
	t.Run("ends when the client gives up", func(t *testing.T) {
		t.Parallel()
		s := newFake(t)
		s.InjectFault(bigcommercetest.Fault{Delay: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.OAuthBaseURL()+"/customer_groups", strings.NewReader(`{"name":"Late"}`))
		req.Header.Set("X-Auth-Token", s.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the deadline", err)
		}
		// Close waits for handlers in progress, so it returns quickly only if
		// the delayed handler noticed the client leave.
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Close took %v: the delayed handler ignored the cancelled request", d)
		}
		if n := len(s.Groups()); n != 0 {
			t.Errorf("%d groups stored by an abandoned request", n)
		}
	})
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		applyFirst bool
		wantStored int
	}{
		{"closes the connection without applying", false, 0},
		{"with ApplyFirst closes it after applying", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newFake(t)
			s.InjectFault(bigcommercetest.Fault{Method: http.MethodPost, Drop: true, ApplyFirst: tt.applyFirst})
			req, _ := http.NewRequest(http.MethodPost, s.OAuthBaseURL()+"/customer_groups", strings.NewReader(`{"name":"Dropped"}`))
			req.Header.Set("X-Auth-Token", s.AccessToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := noKeepAlive().Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got status %d, want a broken connection", resp.StatusCode)
			}
			if n := len(s.Groups()); n != tt.wantStored {
				t.Errorf("%d groups stored, want %d", n, tt.wantStored)
			}
		})
	}
}

func TestFaultApplyFirst(t *testing.T) {
	t.Parallel()
	t.Run("failed create that was stored makes a retry a duplicate", func(t *testing.T) {
		t.Parallel()
		s := newFake(t)
		s.InjectFault(bigcommercetest.Fault{Method: http.MethodPost, Status: 500, ApplyFirst: true})
		resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"Twice"}`)
		wantV2Error(t, resp, body, 500)
		if g := s.Groups(); len(g) != 1 || g[0].Name != "Twice" {
			t.Fatalf("stored %+v, want the create applied", g)
		}
		resp, body = send(t, s, http.MethodPost, "/customer_groups", `{"name":"Twice"}`)
		wantV2Error(t, resp, body, http.StatusConflict)
	})
	t.Run("207 answers the status object after updating", func(t *testing.T) {
		t.Parallel()
		s := newFake(t, withSeedOne)
		s.InjectFault(bigcommercetest.Fault{Method: http.MethodPut, Status: 207, ApplyFirst: true})
		resp, body := send(t, s, http.MethodPut, "/customer_groups/1", `{"name":"Partly"}`)
		wantStatus(t, resp, body, 207)
		got := decode[map[string]any](t, body)
		if got["status"] != 207.0 || got["message"] == "" || len(got) != 2 {
			t.Errorf("body %s, want {\"status\":207,\"message\":...}", body)
		}
		if g, _ := s.Group(1); g.Name != "Partly" {
			t.Errorf("name %q, want the update applied", g.Name)
		}
	})
}

// outcome runs requests one after another and says how each ended: its
// status, or -1 when the connection was dropped.
func outcome(t *testing.T, s *bigcommercetest.Server, n int) []int {
	t.Helper()
	c := noKeepAlive()
	var got []int
	for i := range n {
		method, body := http.MethodGet, ""
		if i%2 == 0 {
			method, body = http.MethodPost, `{"name":"Soak `+strings.Repeat("x", i+1)+`"}`
		}
		req, _ := http.NewRequest(method, s.OAuthBaseURL()+"/customer_groups", strings.NewReader(body))
		req.Header.Set("X-Auth-Token", s.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			got = append(got, -1)
			continue
		}
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	return got
}

func TestChaosIsDeterministic(t *testing.T) {
	t.Parallel()
	chaos := bigcommercetest.Chaos{ErrorRate: 0.2, DropRate: 0.1, ApplyThenFailRate: 0.3, Seed: 7}
	run := func(c bigcommercetest.Chaos) ([]int, int) {
		s := newFake(t)
		s.SetChaos(c)
		return outcome(t, s, 80), len(s.Groups())
	}
	first, stored1 := run(chaos)
	second, stored2 := run(chaos)
	if !slices.Equal(first, second) || stored1 != stored2 {
		t.Fatalf("same seed, different runs:\n%v (%d stored)\n%v (%d stored)", first, stored1, second, stored2)
	}
	for _, want := range []int{-1, 200, 201, 500} {
		if !slices.Contains(first, want) {
			t.Errorf("outcomes %v never show %d", first, want)
		}
	}
	created := 0
	for _, st := range first {
		if st == 201 {
			created++
		}
	}
	if stored1 <= created {
		t.Errorf("%d stored, %d answered 201: applied-then-failed writes should add to the stored ones", stored1, created)
	}
	other := chaos
	other.Seed = 8
	if third, _ := run(other); slices.Equal(first, third) {
		t.Error("another seed gave the same outcomes")
	}
}

func TestChaosStatusesAndOff(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	s.SetChaos(bigcommercetest.Chaos{ErrorRate: 1, Statuses: []int{504}})
	resp, body := send(t, s, http.MethodGet, "/customer_groups/1", "")
	wantV2Error(t, resp, body, 504)
	s.SetChaos(bigcommercetest.Chaos{})
	resp, body = send(t, s, http.MethodGet, "/customer_groups/1", "")
	wantStatus(t, resp, body, 200)
}

func TestChaosApplyThenFailOnlyHitsWrites(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.SetChaos(bigcommercetest.Chaos{ApplyThenFailRate: 1})
	resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"Applied"}`)
	wantV2Error(t, resp, body, 500)
	resp, body = send(t, s, http.MethodGet, "/customer_groups", "")
	wantStatus(t, resp, body, 200)
	if got := ids(t, body); len(got) != 1 {
		t.Errorf("ids %v, want the one applied create", got)
	}
}

func TestInjectedFaultsComeBeforeChaos(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	s.SetChaos(bigcommercetest.Chaos{ErrorRate: 1, Statuses: []int{500}})
	s.InjectFault(bigcommercetest.Fault{Status: 418})
	resp, _ := send(t, s, http.MethodGet, "/customer_groups", "")
	if resp.StatusCode != 418 {
		t.Errorf("status %d, want the injected 418", resp.StatusCode)
	}
}
