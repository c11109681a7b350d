package bigcommercetest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// hold sends n requests that the server keeps in flight, each held by a
// delaying fault, until release cancels them and waits for the senders.
func hold(t *testing.T, s *bigcommercetest.Server, n int) (release func()) {
	t.Helper()
	before := s.Stats().Requests
	s.InjectFault(bigcommercetest.Fault{Delay: time.Minute, Count: n})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.OAuthBaseURL()+"/customer_groups/count", nil)
			req.Header.Set("X-Auth-Token", s.AccessToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Errorf("a held request was answered %d before it was released", resp.StatusCode)
			}
		})
	}
	release = func() { cancel(); wg.Wait() }
	// The server counts a request in flight before it counts it received,
	// so once all n are counted received they are all in flight.
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Requests < before+n {
		if time.Now().After(deadline) {
			release()
			t.Fatalf("only %d of %d held requests reached the server", s.Stats().Requests-before, n)
		}
		time.Sleep(time.Millisecond)
	}
	return release
}

func TestConcurrencyLimitRefusesTheRequestBeyondIt(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithConcurrencyLimit(2), bigcommercetest.WithRateLimit(5, time.Minute))
	release := hold(t, s, 2)
	defer release()

	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantV2Error(t, resp, body, http.StatusTooManyRequests, "concurrent", "2")
	// The held requests took 2 of the quota of 5; the refused one takes none.
	if q, left := headerInt(t, resp, "X-Rate-Limit-Requests-Quota"), headerInt(t, resp, "X-Rate-Limit-Requests-Left"); q != 5 || left != 3 {
		t.Errorf("quota %d left %d on the refusal, want 5 and 3: the quota is not spent", q, left)
	}
	if reset := headerInt(t, resp, "X-Rate-Limit-Time-Reset-Ms"); reset <= 0 || reset > 60000 {
		t.Errorf("reset %d ms, want within the one-minute window", reset)
	}
	if got := resp.Header.Get("X-Retry-After"); got != "" {
		t.Errorf("X-Retry-After %q on a concurrency refusal, want none: the quota is not spent", got)
	}
	want := bigcommercetest.Stats{Requests: 3, Faults: 2, ConcurrencyLimited: 1, MaxInFlight: 3}
	if st := s.Stats(); st.Connections < 1 || st.Requests != want.Requests || st.Faults != want.Faults ||
		st.RateLimited != 0 || st.ConcurrencyLimited != want.ConcurrencyLimited || st.MaxInFlight != want.MaxInFlight {
		t.Errorf("stats %+v, want %+v", st, want)
	}

	release()
	// The server learns that a held request's client left only when it
	// reads the closed connection, so the slot frees up shortly after.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body = send(t, s, http.MethodGet, "/customer_groups/count", "")
		if resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	wantStatus(t, resp, body, 200)
	if left := headerInt(t, resp, "X-Rate-Limit-Requests-Left"); left != 2 {
		t.Errorf("left %d after the slots freed, want 2: refusals used no quota", left)
	}
}

func TestConcurrencyLimitComesBeforeTheRateLimit(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithConcurrencyLimit(1), bigcommercetest.WithRateLimit(1, time.Minute))
	release := hold(t, s, 1)
	defer release()
	// The quota is spent and the slot is taken: the answer says which
	// limit refused it by its body and its headers.
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantV2Error(t, resp, body, http.StatusTooManyRequests, "concurrent")
	if left := headerInt(t, resp, "X-Rate-Limit-Requests-Left"); left != 0 {
		t.Errorf("left %d, want 0", left)
	}
	if st := s.Stats(); st.RateLimited != 0 || st.ConcurrencyLimited != 1 {
		t.Errorf("stats %+v, want the refusal counted for concurrency only", st)
	}
}

func TestMaxInFlightCountsWithoutALimit(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	release := hold(t, s, 5)
	if st := s.Stats(); st.MaxInFlight != 5 || st.ConcurrencyLimited != 0 {
		t.Errorf("stats %+v, want 5 in flight and none refused", st)
	}
	// Reset starts counting again from the requests still in flight.
	s.Reset()
	if st := s.Stats(); st.MaxInFlight != 5 || st.Requests != 0 {
		t.Errorf("after Reset with 5 in flight: %+v, want MaxInFlight 5 and no requests", st)
	}
	release()
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	if st := s.Stats(); st.MaxInFlight != 5 {
		t.Errorf("MaxInFlight %d, want the 5 seen before, not the 1 now", st.MaxInFlight)
	}
}

func TestWithConcurrencyLimitRefusesZero(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "at least 1") {
			t.Errorf("recovered %v, want a panic saying the limit must be at least 1", r)
		}
	}()
	bigcommercetest.WithConcurrencyLimit(0)
}

func TestRequestsRecordTheirAnswers(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithRateLimit(1, time.Minute))
	start := time.Now()
	send(t, s, http.MethodGet, "/customer_groups/count", "")
	send(t, s, http.MethodGet, "/customer_groups/count", "")
	s.SetRateLimit(10, time.Minute)
	s.InjectFault(bigcommercetest.Fault{Method: http.MethodPost, Drop: true})
	req, _ := http.NewRequest(http.MethodPost, s.OAuthBaseURL()+"/customer_groups", strings.NewReader(`{"name":"Dropped"}`))
	req.Header.Set("X-Auth-Token", s.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := noKeepAlive().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a broken connection", resp.StatusCode)
	}
	send(t, s, http.MethodGet, "/customer_groups?page=9", "")
	end := time.Now()

	recs := s.Requests()
	wantStatuses := []int{200, http.StatusTooManyRequests, 0, http.StatusNoContent}
	if len(recs) != len(wantStatuses) {
		t.Fatalf("%d records, want %d", len(recs), len(wantStatuses))
	}
	for i, r := range recs {
		if r.Status != wantStatuses[i] {
			t.Errorf("record %d (%s %s): status %d, want %d", i, r.Method, r.Path, r.Status, wantStatuses[i])
		}
		if r.Received.Before(start) || r.Received.After(end) {
			t.Errorf("record %d received at %v, outside the test's %v to %v", i, r.Received, start, end)
		}
		switch {
		case r.Status == 0 && !r.Answered.IsZero():
			t.Errorf("record %d: unanswered but Answered is %v", i, r.Answered)
		case r.Status != 0 && (r.Answered.Before(r.Received) || r.Answered.After(end)):
			t.Errorf("record %d answered at %v, not between its arrival %v and %v", i, r.Answered, r.Received, end)
		}
		if i > 0 && r.Received.Before(recs[i-1].Received) {
			t.Errorf("record %d received before record %d", i, i-1)
		}
	}
}

func TestAnswersAfterResetRequestsDoNotTouchNewRecords(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	// The slow request is answered 503 after ResetRequests forgot it and a
	// new request took the first place in the records.
	s.InjectFault(bigcommercetest.Fault{Delay: 300 * time.Millisecond, Status: 503})
	slow := make(chan int)
	go func() {
		resp, err := http.Get(s.OAuthBaseURL() + "/customer_groups/count")
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Requests < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.ResetRequests()
	resp, body := send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	if code := <-slow; code != 503 {
		t.Fatalf("the slow request got %d, want the injected 503", code)
	}
	// Close waits for the slow handler to have recorded its answer.
	s.Close()
	recs := s.Requests()
	if len(recs) != 1 || recs[0].Status != 200 {
		var got []int
		for _, r := range recs {
			got = append(got, r.Status)
		}
		t.Errorf("records after ResetRequests have statuses %v, want [200]: the forgotten request's answer landed on a new record", got)
	}
}
