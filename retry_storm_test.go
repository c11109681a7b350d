package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// waitRecorder stands in for the pacer's wait before a retry: it keeps
// the waits the retrier chose and takes none of them.
type waitRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitRecorder) sleep(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waits = append(w.waits, d)
}

func (w *waitRecorder) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.waits...)
}

// stuck429 is a store that answers every request 429 with its quota spent
// and a window that resets in 5 ms, as in issue 15.
var stuck429 = respond(http.StatusTooManyRequests, "", headerQuota, "150", headerLeft, "0", headerResetMs, "5", headerWindowMs, "30000")

// TestAPersistent429CostsRetryMaxPlusOneRequests is issue 15's retry storm:
// a store that keeps answering 429, each with a short wait, drew 5,156
// requests in 30 s from one Get under WithRetryMax(2). It must draw three
// and end with the 429 and its RetryAfter.
func TestAPersistent429CostsRetryMaxPlusOneRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"throttled", nil},
		{"without throttling", []Option{WithoutThrottling()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{WithRetryMax(2), WithMaxRateLimitWait(30 * time.Second)}, tc.opts...)
			c, mt, rec := setup(t, opts...)
			waits := &waitRecorder{}
			c.pacer.sleep = waits.sleep
			mt.RegisterResponder(http.MethodGet, groupsURL+"/5", stuck429)
			_, resp, err := c.CustomerGroups.Get(context.Background(), 5)
			if n := rec.count(); n != 3 {
				t.Errorf("%d requests, want 3: one and two retries", n)
			}
			var apiErr *APIError
			if !errors.Is(err, ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("err = %v, want an *APIError with status 429 matching ErrRateLimited", err)
			}
			if wait, ok := RetryAfter(err); !ok || wait != 5*time.Millisecond {
				t.Errorf("RetryAfter = %s, %v; want 5ms from the last 429", wait, ok)
			}
			if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("resp = %v, want the last 429", resp)
			}
			if got := waits.all(); len(got) != 2 {
				t.Errorf("waits %v, want one before each of two retries", got)
			}
		})
	}
}

// TestA429ThatComesBackWaitsLongerEachTime: the store's wait is not enough
// once it has passed and the 429 comes back, so each retry waits at least
// the growing backoff, never less than its floor, and never less than
// what the store asked.
func TestA429ThatComesBackWaitsLongerEachTime(t *testing.T) {
	t.Parallel()
	const floor = 10 * time.Millisecond
	c, mt, rec := setup(t, WithRetryMax(5), WithRetryWait(floor, time.Minute), WithMaxRateLimitWait(time.Minute), WithoutThrottling())
	waits := &waitRecorder{}
	c.pacer.sleep = waits.sleep
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", stuck429)
	if _, _, err := c.CustomerGroups.Get(context.Background(), 5); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	got := waits.all()
	if len(got) != 5 || rec.count() != 6 {
		t.Fatalf("waits %v over %d requests, want 5 over 6", got, rec.count())
	}
	for i, w := range got {
		// Equal jitter keeps retry i between half and all of floor<<i.
		lowest := max(floor, (floor<<i)/2)
		if w < lowest || w < 5*time.Millisecond {
			t.Errorf("wait %d = %s, want at least %s (the backoff) and 5ms (the store's)", i+1, w, lowest)
		}
		if i > 0 && w < got[i-1] {
			t.Errorf("wait %d = %s is shorter than wait %d = %s", i+1, w, i, got[i-1])
		}
	}
	if got[4] < 8*got[0] {
		t.Errorf("waits %v: the fifth is not at least eight times the first", got)
	}
}

// TestA429WaitIsTheStoresWhenLonger: the backoff only ever lengthens what
// the store asked for.
func TestA429WaitIsTheStoresWhenLonger(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t, WithRetryMax(1), WithRetryWait(time.Millisecond, time.Minute), WithMaxRateLimitWait(time.Minute), WithoutThrottling())
	waits := &waitRecorder{}
	c.pacer.sleep = waits.sleep
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", respond(http.StatusTooManyRequests, "", headerRetryAfter, "7"))
	_, _, _ = c.CustomerGroups.Get(context.Background(), 5)
	if got := waits.all(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("waits %v, want [7s]", got)
	}
}

// TestA429WhoseBackoffRunsPastTheDeadlineComesBackAtOnce: the backoff
// added to a 429's wait must not sleep the call into its deadline, which
// would hide the 429 and its RetryAfter behind context.DeadlineExceeded.
func TestA429WhoseBackoffRunsPastTheDeadlineComesBackAtOnce(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t, WithRetryMax(3), WithRetryWait(time.Hour, time.Hour), WithMaxRateLimitWait(time.Minute), WithoutThrottling())
	waits := &waitRecorder{}
	c.pacer.sleep = waits.sleep
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", stuck429)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err := c.CustomerGroups.Get(ctx, 5)
	if !errors.Is(err, ErrRateLimited) || rec.count() != 1 || len(waits.all()) != 0 {
		t.Fatalf("err = %v after %d requests and waits %v, want ErrRateLimited after one and no wait", err, rec.count(), waits.all())
	}
}
