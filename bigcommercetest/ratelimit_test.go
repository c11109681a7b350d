package bigcommercetest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

var rateHeaders = []string{
	"X-Rate-Limit-Requests-Quota",
	"X-Rate-Limit-Requests-Left",
	"X-Rate-Limit-Time-Window-Ms",
	"X-Rate-Limit-Time-Reset-Ms",
}

func headerInt(t *testing.T, resp *http.Response, key string) int {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get(key))
	if err != nil {
		t.Fatalf("%s: %q is not a number", key, resp.Header.Get(key))
	}
	return n
}

func TestRateLimitHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	tests := []struct {
		name, method, path, body string
		edits                    []edit
		status                   int
	}{
		{"list", http.MethodGet, "/customer_groups", "", nil, 200},
		{"empty page", http.MethodGet, "/customer_groups?page=9", "", nil, 204},
		{"count", http.MethodGet, "/customer_groups/count", "", nil, 200},
		{"create", http.MethodPost, "/customer_groups", `{"name":"Headers"}`, nil, 201},
		{"bad request", http.MethodPost, "/customer_groups", `{}`, nil, 400},
		{"unauthorised", http.MethodGet, "/customer_groups", "", []edit{header("X-Auth-Token", "x")}, 401},
		{"basic auth", http.MethodGet, "/customer_groups/1", "", []edit{basic(s, s.Username, s.APIKey)}, 200},
		{"not found", http.MethodGet, "/customer_groups/404", "", nil, 404},
		{"method not allowed", http.MethodPatch, "/customer_groups", "", nil, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, tt.method, tt.path, tt.body, tt.edits...)
			wantStatus(t, resp, body, tt.status)
			for _, h := range rateHeaders {
				headerInt(t, resp, h)
			}
			if q := headerInt(t, resp, "X-Rate-Limit-Requests-Quota"); q != 10000 {
				t.Errorf("quota %d, want the default 10000", q)
			}
			if w := headerInt(t, resp, "X-Rate-Limit-Time-Window-Ms"); w != 30000 {
				t.Errorf("window %d ms, want 30000", w)
			}
		})
	}
}

func TestRateLimitQuota(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithRateLimit(3, time.Minute))
	for want := 2; want >= 0; want-- {
		resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
		wantStatus(t, resp, body, 200)
		if left := headerInt(t, resp, "X-Rate-Limit-Requests-Left"); left != want {
			t.Errorf("left %d, want %d", left, want)
		}
	}
	for range 2 {
		resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
		wantStatus(t, resp, body, http.StatusTooManyRequests)
		if len(body) != 0 {
			t.Errorf("429 body %q, want none", body)
		}
		if got := resp.Header.Get("X-Retry-After"); got != "60" {
			t.Errorf("X-Retry-After %q, want 60 (seconds left in the window, rounded up)", got)
		}
		if left := headerInt(t, resp, "X-Rate-Limit-Requests-Left"); left != 0 {
			t.Errorf("left %d on a 429", left)
		}
		if reset := headerInt(t, resp, "X-Rate-Limit-Time-Reset-Ms"); reset <= 59000 || reset > 60000 {
			t.Errorf("reset %d ms, want just under 60000", reset)
		}
	}
	if st := s.Stats(); st.RateLimited != 2 || st.Requests != 5 {
		t.Errorf("stats %+v, want 5 requests of which 2 rate limited", st)
	}
}

func TestRateLimitIsSharedByAllCredentials(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithRateLimit(2, time.Minute))
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	resp, body = send(t, s, http.MethodGet, "/customer_groups/count", "", basic(s, s.Username, s.APIKey))
	wantStatus(t, resp, body, 200)
	resp, body = send(t, s, http.MethodGet, "/customer_groups/count", "", readOnly(s))
	wantStatus(t, resp, body, http.StatusTooManyRequests)
}

func TestRateLimitWindowRefills(t *testing.T) {
	t.Parallel()
	const window = 100 * time.Millisecond
	s := newFake(t, bigcommercetest.WithRateLimit(1, window))
	// On a loaded machine a window can end between two requests, so keep
	// asking until one lands in a spent window.
	var resp *http.Response
	for range 20 {
		resp, _ = send(t, s, http.MethodGet, "/customer_groups/count", "")
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("no 429 with a quota of 1 per %v", window)
	}
	if got := resp.Header.Get("X-Retry-After"); got != "1" {
		t.Errorf("X-Retry-After %q, want 1: a part of a second rounds up", got)
	}
	reset := time.Duration(headerInt(t, resp, "X-Rate-Limit-Time-Reset-Ms")) * time.Millisecond
	if reset <= 0 || reset > window {
		t.Fatalf("reset %v, want within the %v window", reset, window)
	}
	time.Sleep(reset + 5*time.Millisecond)
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
}

func TestSetRateLimit(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithRateLimit(1, time.Minute))
	send(t, s, http.MethodGet, "/customer_groups/count", "")
	s.SetRateLimit(150, 30*time.Second)
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	if q, left := headerInt(t, resp, "X-Rate-Limit-Requests-Quota"), headerInt(t, resp, "X-Rate-Limit-Requests-Left"); q != 150 || left != 149 {
		t.Errorf("quota %d left %d, want 150 and 149 in a fresh window", q, left)
	}
}
