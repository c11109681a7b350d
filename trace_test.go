package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// traceLog is a Tracer that writes each event as one line, with the
// name of the span it was called in, so that tests read the tree.
type traceLog struct {
	mu    sync.Mutex
	lines []string
	waits []TraceWaitData
}

type spanKey struct{}

func spanOf(ctx context.Context) string {
	s, _ := ctx.Value(spanKey{}).(string)
	return s
}

func (l *traceLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *traceLog) TraceCallStart(ctx context.Context, d TraceCallStartData) context.Context {
	l.add("call start %s %s", d.Operation, d.Method)
	return context.WithValue(ctx, spanKey{}, d.Operation)
}

func (l *traceLog) TraceCallEnd(ctx context.Context, d TraceCallEndData) {
	l.add("call end %s in %s: attempts=%d status=%d err=%v", d.Operation, spanOf(ctx), d.Attempts, d.StatusCode, d.Err != nil)
}

func (l *traceLog) TraceAttemptStart(ctx context.Context, d TraceAttemptStartData) context.Context {
	l.add("attempt %d start in %s", d.Attempt, spanOf(ctx))
	return context.WithValue(ctx, spanKey{}, fmt.Sprintf("attempt %d", d.Attempt))
}

func (l *traceLog) TraceAttemptEnd(ctx context.Context, d TraceAttemptEndData) {
	l.add("attempt %d end in %s: status=%d throttled=%q retry=%v rate=%v", d.Attempt, spanOf(ctx), d.StatusCode, d.Throttled, d.Retry, d.RateKnown)
}

func (l *traceLog) TraceWait(ctx context.Context, d TraceWaitData) {
	l.add("wait %s in %s", d.Cause, spanOf(ctx))
	l.mu.Lock()
	l.waits = append(l.waits, d)
	l.mu.Unlock()
}

func (l *traceLog) TracePacing(ctx context.Context, d TracePacingData) {
	l.add("pacing alone=%v share=%.2f err=%v back after time=%v", d.Alone, d.Share, d.Err != nil, d.AloneFor > 0)
}

func (l *traceLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestTracerSeesACallItsAttemptsAndTheWaitBetween(t *testing.T) {
	t.Parallel()
	tr := &traceLog{}
	c, mt, _ := setup(t, WithTracer(tr), WithMaxRateLimitWait(time.Minute))
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", sequence(
		respond(429, "", headerQuota, "150", headerLeft, "0", headerResetMs, "1", headerWindowMs, "30000"),
		jsonResponder(200, `{"id":5,"name":"g"}`)))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"call start CustomerGroups.Get GET",
		"attempt 1 start in CustomerGroups.Get",
		`attempt 1 end in attempt 1: status=429 throttled="quota" retry=true rate=true`,
		"attempt 2 start in CustomerGroups.Get",
		"wait retry_after in attempt 2",
		`attempt 2 end in attempt 2: status=200 throttled="" retry=false rate=true`,
		"call end CustomerGroups.Get in CustomerGroups.Get: attempts=2 status=200 err=false",
	}, "\n")
	if got := tr.String(); got != want {
		t.Fatalf("trace:\n%s\nwant:\n%s", got, want)
	}
	for _, w := range tr.waits {
		if w.Duration <= 0 || w.Start.IsZero() || w.Err != nil {
			t.Errorf("wait %+v: want its start and a length", w)
		}
	}
}

func TestTracerSeesARefusedCallWithoutAttempts(t *testing.T) {
	t.Parallel()
	tr := &traceLog{}
	c, _, rec := setup(t, WithTracer(tr))
	_, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{})
	if !errors.Is(err, ErrInvalidRequest) || rec.count() != 0 {
		t.Fatalf("Create: %v, %d sent", err, rec.count())
	}
	want := "call start CustomerGroups.Create POST\ncall end CustomerGroups.Create in CustomerGroups.Create: attempts=0 status=0 err=true"
	if got := tr.String(); got != want {
		t.Fatalf("trace:\n%s\nwant:\n%s", got, want)
	}
}

func TestTracerSeesACancelledCall(t *testing.T) {
	t.Parallel()
	tr := &traceLog{}
	c, mt, _ := setup(t, WithTracer(tr), WithRetryWait(time.Hour, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", func(*http.Request) (*http.Response, error) {
		resp, err := respond(503, "")(nil)
		// The caller gives up once the 503 has arrived, while the call waits
		// to retry it. Cancelling inside the responder instead would race
		// httpmock, which may then answer with the context's error.
		resp.Body = cancelOnClose{resp.Body, cancel}
		return resp, err
	})
	if _, _, err := c.CustomerGroups.Get(ctx, 5); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: %v, want context.Canceled", err)
	}
	want := strings.Join([]string{
		"call start CustomerGroups.Get GET",
		"attempt 1 start in CustomerGroups.Get",
		`attempt 1 end in attempt 1: status=503 throttled="" retry=true rate=false`,
		// The retry's wait is the first thing its attempt does (one wait
		// loop per attempt); cancelled there, the attempt sends nothing.
		"attempt 2 start in CustomerGroups.Get",
		"wait backoff in attempt 2",
		`attempt 2 end in attempt 2: status=0 throttled="" retry=false rate=false`,
		"call end CustomerGroups.Get in CustomerGroups.Get: attempts=2 status=0 err=true",
	}, "\n")
	if got := tr.String(); got != want {
		t.Fatalf("trace:\n%s\nwant:\n%s", got, want)
	}
}

func TestTracerSeesPacingAloneAndBack(t *testing.T) {
	t.Parallel()
	tr := &traceLog{}
	shared := &countingLimiter{unavailable: true}
	c, mt, _ := setup(t, WithRateLimiter(shared), WithTracer(tr))
	c.pacer.holdOff = 0
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", rateResponder(200, `{"id":5,"name":"g"}`, 10))
	get := func() {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
			t.Fatal(err)
		}
	}
	get()
	get()
	shared.set(func(l *countingLimiter) { l.unavailable = false })
	get()
	var pacing []string
	for _, line := range strings.Split(tr.String(), "\n") {
		if strings.HasPrefix(line, "pacing") {
			pacing = append(pacing, line)
		}
	}
	want := []string{"pacing alone=true share=1.00 err=true back after time=false", "pacing alone=false share=1.00 err=false back after time=true"}
	if fmt.Sprint(pacing) != fmt.Sprint(want) {
		t.Fatalf("pacing events %q, want %q", pacing, want)
	}
}

func TestTracerSeesTheWaitForASlot(t *testing.T) {
	t.Parallel()
	tr := &traceLog{}
	c, mt, _ := setup(t, WithTracer(tr), WithMaxConcurrentRequests(1), WithoutThrottling())
	release := make(chan struct{})
	arrived := make(chan struct{})
	mt.RegisterResponder(http.MethodGet, groupsURL+"/1", func(req *http.Request) (*http.Response, error) {
		close(arrived)
		<-release
		return jsonResponder(200, `{"id":1,"name":"g"}`)(req)
	})
	mt.RegisterResponder(http.MethodGet, groupsURL+"/2", jsonResponder(200, `{"id":2,"name":"h"}`))
	done := make(chan error)
	go func() {
		_, _, err := c.CustomerGroups.Get(context.Background(), 1)
		done <- err
	}()
	<-arrived
	go func() {
		_, _, err := c.CustomerGroups.Get(context.Background(), 2)
		done <- err
	}()
	// The second call cannot have a slot until the first lets go of it.
	for strings.Count(tr.String(), "attempt 1 start") < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(tr.String(), "wait slot in attempt 1") {
		t.Fatalf("trace:\n%s\nwant a wait for a slot", tr)
	}
}

// cancelOnClose is a response body that cancels a context when the client
// is done with it.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	b.cancel()
	return b.ReadCloser.Close()
}
