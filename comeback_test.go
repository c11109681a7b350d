package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// lineLimiter is a shared limiter that is down until told otherwise, then
// puts every request in a line: a request that may wait a second or more
// waits there until the test serves the line; one that may not is refused
// at once, its turn being a second away.
type lineLimiter struct {
	mu     sync.Mutex
	down   bool
	waits  []time.Duration // the longest wait of each request it answered
	inLine chan struct{}
	served chan struct{}
}

func (l *lineLimiter) Acquire(ctx context.Context, _ string, maxWait time.Duration) (Permit, error) {
	l.mu.Lock()
	if l.down {
		l.mu.Unlock()
		return nil, fmt.Errorf("backend down: %w", ErrLimiterUnavailable)
	}
	l.waits = append(l.waits, maxWait)
	l.mu.Unlock()
	if maxWait < time.Second {
		return nil, &ThrottleError{RetryAfter: time.Second, Reason: "the shared quota is spent"}
	}
	l.inLine <- struct{}{}
	select {
	case <-l.served:
		return nopPermit{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *lineLimiter) Rate(string) Rate { return Rate{} }

type nopPermit struct{}

func (nopPermit) Report(int, http.Header) {}
func (nopPermit) Release()                {}

// TestRequestsWaitingAloneJoinTheSharedLineOnceItAnswers is rule F8: once
// the shared limiter answers again, every request pacing alone goes back
// to it, even those asleep until the window's end and while the request
// that asked waits its turn. In the proof, processes whose requests slept
// through Redis's return kept pacing alone until their window's end, and
// one waiting its turn in the shared line kept the others alone as long.
func TestRequestsWaitingAloneJoinTheSharedLineOnceItAnswers(t *testing.T) {
	t.Parallel()
	shared := &lineLimiter{down: true, inLine: make(chan struct{}), served: make(chan struct{})}
	c, mt, rec := setup(t, WithRateLimiter(shared), WithMaxRateLimitWait(time.Minute))
	c.pacer.holdOff = 10 * time.Millisecond
	// A store with one request a window, of half a minute.
	mt.RegisterResponder(http.MethodGet, `=~^`+groupsURL+`/\d+`, rateResponder(200, `{"id":5,"name":"g"}`, 1))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, _, err := c.CustomerGroups.Get(ctx, 5)
			errs <- err
		}()
	}
	shared.mu.Lock()
	shared.down = false
	shared.mu.Unlock()
	for i := range 2 {
		select {
		case <-shared.inLine:
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of the 2 requests waiting alone for the next window joined the shared line once it answered", i)
		}
	}
	close(shared.served)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := rec.count(); n != 3 {
		t.Errorf("%d requests sent, want 3", n)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if len(shared.waits) != 3 || shared.waits[0] != 0 || shared.waits[1] != time.Minute || shared.waits[2] != time.Minute {
		t.Errorf("the shared limiter was asked with longest waits %v, want [0s 1m0s 1m0s]: the request asking whether it is back waits for nothing", shared.waits)
	}
}

// TestTheAskersAnswerWakesTheRequestsWaitingAlone is rule F8 step by step:
// a request waiting alone while another asks whether the shared limiter is
// back wakes on the channel askAgain gave it when the asker hears that it
// is (back), when it fails again (fellBack), and when it gives up without
// an answer (unask); without the wake it would sleep until the window's
// end.
func TestTheAskersAnswerWakesTheRequestsWaitingAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := defaultSettings()
	s.limiter = &lineLimiter{}
	p := newPacer(&s, "https://api.bigcommerce.test/stores/abc/v2")
	down := fmt.Errorf("backend down: %w", ErrLimiterUnavailable)
	for _, answer := range []struct {
		name string
		hear func()
	}{
		{"fails again", func() { p.fellBack(ctx, down) }},
		{"gives up", p.unask},
		{"is back", func() { p.back(ctx) }},
	} {
		if answer.name != "is back" || p.aloneAt.IsZero() {
			p.fellBack(ctx, down)
		}
		p.holdUntil = time.Now() // the hold-off is over
		if ask, again := p.askShared(false); !ask || !again {
			t.Fatalf("%s: after the hold-off askShared = %v, %v; want one request to ask again", answer.name, ask, again)
		}
		_, heard := p.askAgain()
		answer.hear()
		select {
		case <-heard:
		default:
			t.Errorf("the asker %s: a request waiting alone was not woken", answer.name)
		}
	}
}
