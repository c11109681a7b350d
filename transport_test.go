package bigcommerce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// countingLimiter is a shared RateLimiter that lets every request go and
// records what it is told; while unavailable is set, Acquire reports that
// it cannot decide, and refuse makes it refuse as a throttle would.
type countingLimiter struct {
	mu          sync.Mutex
	unavailable bool
	refuse      bool
	acquired    int
	released    int
	roots       []string
	statuses    []int
	rate        Rate
}

func (l *countingLimiter) Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unavailable {
		return nil, fmt.Errorf("backend down: %w", ErrLimiterUnavailable)
	}
	if l.refuse {
		return nil, &ThrottleError{RetryAfter: 7 * time.Second, Reason: "the shared quota is spent"}
	}
	l.acquired++
	l.roots = append(l.roots, apiRoot)
	return &countingPermit{l: l}, nil
}

func (l *countingLimiter) Rate(string) Rate {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}

func (l *countingLimiter) set(f func(*countingLimiter)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

type countingPermit struct{ l *countingLimiter }

func (p *countingPermit) Report(status int, _ http.Header) {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	p.l.statuses = append(p.l.statuses, status)
}

func (p *countingPermit) Release() {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	p.l.released++
}

func TestASharedLimiterPacesEveryAttempt(t *testing.T) {
	t.Parallel()
	shared := &countingLimiter{rate: Rate{Quota: 150, Remaining: 99, Window: 30 * time.Second}}
	c, mt, rec := setup(t, WithRateLimiter(shared))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", sequence(
		httpmock.NewStringResponder(503, ""),
		httpmock.NewStringResponder(200, `{"id":5,"name":"g"}`),
	))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/6", httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	_, _, _ = c.CustomerGroups.Get(context.Background(), 6)
	if r := c.Rate(); r != shared.rate {
		t.Errorf("Client.Rate() = %+v, want the shared limiter's %+v", r, shared.rate)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.acquired != rec.count() || shared.released != rec.count() {
		t.Errorf("acquired %d, released %d, for %d requests sent", shared.acquired, shared.released, rec.count())
	}
	if fmt.Sprint(shared.statuses) != "[503 200]" {
		t.Errorf("reported statuses %v, want [503 200]: a request with no answer reports nothing", shared.statuses)
	}
	for _, root := range shared.roots {
		if root != testBaseURL {
			t.Errorf("Acquire named the store %q, want the API root %q", root, testBaseURL)
		}
	}
}

func TestASharedLimitersRefusalComesBackUnsent(t *testing.T) {
	t.Parallel()
	shared := &countingLimiter{refuse: true}
	c, _, rec := setup(t, WithRateLimiter(shared))
	_, _, err := c.CustomerGroups.Get(context.Background(), 5)
	var throttled *ThrottleError
	if !errors.As(err, &throttled) || !errors.Is(err, ErrRateLimited) || throttled.RetryAfter != 7*time.Second || throttled.URL != groupsURL+"/5" {
		t.Fatalf("err = %v (%T), want the limiter's ThrottleError naming the call", err, err)
	}
	if rec.count() != 0 {
		t.Errorf("%d requests sent, want none", rec.count())
	}
}

// TestAnUnavailableSharedLimiterNeverFailsACall: the Client paces with its
// in-process throttle while the shared limiter is down, says so once, and
// goes back to the shared limiter once it answers, saying that once too.
func TestAnUnavailableSharedLimiterNeverFailsACall(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	shared := &countingLimiter{unavailable: true}
	c, mt, rec := setup(t, WithRateLimiter(shared), WithLogger(logger))
	c.pacer.holdOff = 0 // ask the shared limiter again on every request
	mt.RegisterResponder(http.MethodGet, `=~^`+groupsURL+`/\d+`, rateResponder(200, `{"id":5,"name":"g"}`, 10))
	for range 3 {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
			t.Fatalf("with the shared limiter down: %v", err)
		}
	}
	if r := c.Rate(); r.Quota != 10 {
		t.Errorf("Rate() while down = %+v, want the in-process throttle's view", r)
	}
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	for range 2 {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
			t.Fatal(err)
		}
	}
	logMu.Lock()
	out := logs.String()
	logMu.Unlock()
	if n := strings.Count(out, "is unavailable;"); n != 1 {
		t.Errorf("logged the outage %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "answers again"); n != 1 {
		t.Errorf("logged the recovery %d times, want once:\n%s", n, out)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.acquired != 2 || rec.count() != 5 {
		t.Errorf("the shared limiter paced %d of %d requests, want the 2 sent after it came back", shared.acquired, rec.count())
	}
}

func TestTheSharedLimiterIsAskedAgainOnlyAfterTheHoldOff(t *testing.T) {
	t.Parallel()
	shared := &countingLimiter{unavailable: true}
	c, mt, _ := setup(t, WithRateLimiter(shared))
	mt.RegisterResponder(http.MethodGet, `=~^`+groupsURL+`/\d+`, httpmock.NewStringResponder(200, `{"id":5}`))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.acquired != 0 {
		t.Errorf("the shared limiter was asked %d times within the hold-off, want 0", shared.acquired)
	}
}

// rateResponder answers as a store of the given quota with no other app:
// each answer reports one request fewer left.
func rateResponder(status int, body string, quota int) httpmock.Responder {
	var sent atomic.Int64
	return func(req *http.Request) (*http.Response, error) {
		left := quota - int(sent.Add(1))
		return httpmock.NewStringResponder(status, body).HeaderSet(http.Header{
			headerQuota: {fmt.Sprint(quota)}, headerLeft: {fmt.Sprint(max(left, 0))}, headerResetMs: {"30000"}, headerWindowMs: {"30000"},
		})(req)
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
