package bigcommerce

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

func statusResp(code int, headers ...string) *http.Response {
	r := &http.Response{StatusCode: code, Header: http.Header{}}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

func TestShouldRetry(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name   string
		policy retryPolicy
		resp   *http.Response
		err    error
		want   bool
	}{
		{"GET 429 is retried", retryIdempotent, statusResp(429), nil, true},
		{"POST 429 is retried: the store did not process it", retryCreate, statusResp(429), nil, true},
		{"DeleteAll 429 is not retried", retryNever, statusResp(429), nil, false},
		{"429 asking longer than the max wait is not retried", retryIdempotent, statusResp(429, "X-Retry-After", "31"), nil, false},
		{"429 asking exactly the max wait is retried", retryIdempotent, statusResp(429, "X-Retry-After", "30"), nil, true},
		{"429 reset header beyond the max wait is not retried", retryIdempotent, statusResp(429, headerResetMs, "45000"), nil, false},
		{"GET 500 is retried", retryIdempotent, statusResp(500), nil, true},
		{"GET 502 is retried", retryIdempotent, statusResp(502), nil, true},
		{"GET 503 is retried", retryIdempotent, statusResp(503), nil, true},
		{"GET 504 is retried", retryIdempotent, statusResp(504), nil, true},
		{"GET 501 is not retried", retryIdempotent, statusResp(501), nil, false},
		{"GET 507 is not retried", retryIdempotent, statusResp(507), nil, false},
		{"POST 500 is never retried: it may have created the group", retryCreate, statusResp(500), nil, false},
		{"POST 503 is never retried", retryCreate, statusResp(503), nil, false},
		{"DeleteAll 503 is not retried", retryNever, statusResp(503), nil, false},
		{"GET 404 is not retried", retryIdempotent, statusResp(404), nil, false},
		{"GET 200 is not retried", retryIdempotent, statusResp(200), nil, false},
		{"GET 409 is not retried", retryIdempotent, statusResp(409), nil, false},
		{"GET connection reset is retried", retryIdempotent, nil, read, true},
		{"POST connection reset is not retried: the create may have landed", retryCreate, nil, read, false},
		{"POST dial failure is retried: it never reached the server", retryCreate, nil, dial, true},
		{"POST timeout is not retried", retryCreate, nil, context.DeadlineExceeded, false},
		{"DeleteAll dial failure is not retried", retryNever, nil, dial, false},
		{"GET refused redirect is not retried", retryIdempotent, nil, &redirectError{reason: "x"}, false},
		{"GET local throttle refusal is not retried", retryIdempotent, nil, &ThrottleError{RetryAfter: time.Minute}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := shouldRetry(tt.policy, tt.resp, tt.err, 30*time.Second); got != tt.want {
				t.Errorf("shouldRetry = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp *http.Response
		want time.Duration
	}{
		{"X-Retry-After is in seconds", statusResp(429, "X-Retry-After", "3", headerResetMs, "100"), 3 * time.Second},
		{"reset header when there is no X-Retry-After", statusResp(429, headerResetMs, "1500"), 1500 * time.Millisecond},
		{"standard Retry-After from a proxy as a last resort", statusResp(429, "Retry-After", "4"), 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := backoff(time.Second, time.Minute, 0, tt.resp); got != tt.want {
				t.Errorf("backoff = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("exponential with jitter stays between min and max", func(t *testing.T) {
		t.Parallel()
		lo, hi := 100*time.Millisecond, 2*time.Second
		for attempt := range 12 {
			ceiling := lo << attempt
			if ceiling > hi || ceiling <= 0 {
				ceiling = hi
			}
			for range 50 {
				got := backoff(lo, hi, attempt, statusResp(503))
				if got < lo || got > ceiling || got < ceiling/2 {
					t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, got, max(lo, ceiling/2), ceiling)
				}
			}
		}
	})
	t.Run("a 429 without headers backs off exponentially", func(t *testing.T) {
		t.Parallel()
		if got := backoff(time.Second, time.Minute, 0, statusResp(429)); got < 500*time.Millisecond || got > time.Second {
			t.Errorf("backoff = %s", got)
		}
	})
	t.Run("zero waits stay zero", func(t *testing.T) {
		t.Parallel()
		if got := backoff(0, 0, 5, statusResp(503)); got != 0 {
			t.Errorf("backoff = %s, want 0", got)
		}
	})
	t.Run("a zero minimum retries failures at once but honours a 429's wait", func(t *testing.T) {
		t.Parallel()
		if got := backoff(0, time.Minute, 3, statusResp(503)); got != 0 {
			t.Errorf("503 backoff = %s, want 0", got)
		}
		if got := backoff(0, time.Minute, 3, statusResp(429, "X-Retry-After", "2")); got != 2*time.Second {
			t.Errorf("429 backoff = %s, want 2s", got)
		}
	})
}

// attempts runs one call against responder and returns the error and how
// many requests reached the transport.
//
// The recorded answers report other apps' use of the store, which would
// have the Client pace to its share before it retries (rule P13 of
// docs/pacing.md), so its throttle is off: only the retry policy decides.
func attempts(t *testing.T, method string, responder httpmock.Responder, run func(c *Client) error, opts ...Option) (int, error) {
	t.Helper()
	c, mt, rec := setup(t, append([]Option{WithoutThrottling()}, opts...)...)
	mt.RegisterResponder(method, `=~^`+testBaseURL+`/customer_groups`, responder)
	err := run(c)
	return rec.count(), err
}

func getGroup(c *Client) error {
	_, _, err := c.CustomerGroups.Get(context.Background(), 5)
	return err
}

func createGroup(c *Client) error {
	_, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: "Wholesale"})
	return err
}

func TestRetriesEndToEnd(t *testing.T) {
	t.Parallel()
	ok := jsonResponder(200, `{"id":5,"name":"Wholesale"}`)
	created := jsonResponder(201, `{"id":5,"name":"Wholesale"}`)
	dialErr := httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")})
	resetErr := httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")})

	t.Run("GET retried through 503s until it succeeds", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", sequence(fixture(t, "error_503_plain"), fixture(t, "error_500"), ok), getGroup)
		if err != nil || n != 3 {
			t.Fatalf("err = %v, attempts = %d; want success after 3", err, n)
		}
	})
	t.Run("POST answered 500 is sent once and the 500 is returned", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "POST", sequence(fixture(t, "error_500"), created), createGroup)
		var apiErr *APIError
		if n != 1 || !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || !errors.Is(err, ErrServer) {
			t.Fatalf("err = %v, attempts = %d; want the 500 after 1 attempt", err, n)
		}
	})
	t.Run("POST answered 429 is retried", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "POST", sequence(fixture(t, "error_429_no_headers"), created), createGroup)
		if err != nil || n != 2 {
			t.Fatalf("err = %v, attempts = %d; want success after 2", err, n)
		}
	})
	t.Run("POST whose connection could not be made is retried", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "POST", sequence(dialErr, created), createGroup)
		if err != nil || n != 2 {
			t.Fatalf("err = %v, attempts = %d; want success after 2", err, n)
		}
	})
	t.Run("POST whose connection broke is not retried", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "POST", sequence(resetErr, created), createGroup)
		var reqErr *RequestError
		if n != 1 || !errors.As(err, &reqErr) {
			t.Fatalf("err = %v, attempts = %d; want a RequestError after 1 attempt", err, n)
		}
	})
	t.Run("GET whose connection broke is retried", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", sequence(resetErr, ok), getGroup)
		if err != nil || n != 2 {
			t.Fatalf("err = %v, attempts = %d", err, n)
		}
	})
	t.Run("DeleteAll answered 429 is sent once", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "DELETE", sequence(fixture(t, "error_429_no_headers"), jsonResponder(204, "")), func(c *Client) error {
			_, err := c.CustomerGroups.DeleteAll(context.Background())
			return err
		})
		if n != 1 || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v, attempts = %d; want ErrRateLimited after 1 attempt", err, n)
		}
	})
	t.Run("PUT and DELETE of one group are retried after 502", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "PUT", sequence(fixture(t, "error_502_html"), ok), func(c *Client) error {
			_, _, err := c.CustomerGroups.Update(context.Background(), 5, &UpdateCustomerGroupRequest{Name: Ptr("x")})
			return err
		})
		if err != nil || n != 2 {
			t.Fatalf("PUT: err = %v, attempts = %d", err, n)
		}
		n, err = attempts(t, "DELETE", sequence(fixture(t, "error_502_html"), jsonResponder(204, "")), func(c *Client) error {
			_, err := c.CustomerGroups.Delete(context.Background(), 5)
			return err
		})
		if err != nil || n != 2 {
			t.Fatalf("DELETE: err = %v, attempts = %d", err, n)
		}
	})
	t.Run("a retried DELETE that finds the group gone succeeds: the first attempt deleted it", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "DELETE", sequence(fixture(t, "error_500"), fixture(t, "error_404")), func(c *Client) error {
			_, err := c.CustomerGroups.Delete(context.Background(), 5)
			return err
		})
		if err != nil || n != 2 {
			t.Fatalf("err = %v, attempts = %d; want success after 2", err, n)
		}
	})
	t.Run("a first-attempt 404 on DELETE is ErrNotFound", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "DELETE", fixture(t, "error_404"), func(c *Client) error {
			_, err := c.CustomerGroups.Delete(context.Background(), 5)
			return err
		})
		if !errors.Is(err, ErrNotFound) || n != 1 {
			t.Fatalf("err = %v, attempts = %d", err, n)
		}
	})
	t.Run("after the last retry the typed error of the last response is returned", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", fixture(t, "error_503_plain"), getGroup, WithRetryMax(2))
		var apiErr *APIError
		if n != 3 || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v, attempts = %d; want the 503 after 3 attempts", err, n)
		}
		if strings.Contains(err.Error(), "giving up") {
			t.Errorf("error leaks go-retryablehttp's wording: %v", err)
		}
	})
	t.Run("after the last transport failure the transport error is returned", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", resetErr, getGroup, WithRetryMax(1))
		if n != 2 || err == nil || strings.Contains(err.Error(), "giving up") || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("err = %v, attempts = %d", err, n)
		}
	})
	t.Run("WithRetryMax(0) sends once", func(t *testing.T) {
		t.Parallel()
		n, _ := attempts(t, "GET", fixture(t, "error_503_plain"), getGroup, WithRetryMax(0))
		if n != 1 {
			t.Fatalf("attempts = %d, want 1", n)
		}
	})
	t.Run("a 429 asking longer than the max wait comes back at once with RetryAfter", func(t *testing.T) {
		t.Parallel()
		// error_429 asks for 1.5s; this client waits at most 1s for the
		// rate limit.
		n, err := attempts(t, "GET", sequence(fixture(t, "error_429"), ok), getGroup, WithMaxRateLimitWait(time.Second))
		var apiErr *APIError
		if n != 1 || !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter != 1500*time.Millisecond {
			t.Fatalf("err = %v, attempts = %d; want ErrRateLimited with RetryAfter 1.5s after 1 attempt", err, n)
		}
	})
	t.Run("a 429 is retried after the wait it asks for", func(t *testing.T) {
		t.Parallel()
		zeroWait := func(req *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(429, "")
			resp.Header.Set("X-Retry-After", "0")
			return resp, nil
		}
		n, err := attempts(t, "GET", sequence(zeroWait, zeroWait, ok), getGroup)
		if err != nil || n != 3 {
			t.Fatalf("err = %v, attempts = %d", err, n)
		}
	})
}

func TestCancelWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	c, mt, rec := setup(t, WithRetryWait(time.Hour, time.Hour))
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/5", func(req *http.Request) (*http.Response, error) {
		// The caller gives up while the client would wait an hour.
		defer cancel()
		return httpmock.NewStringResponse(503, ""), nil
	})
	done := make(chan error, 1)
	go func() {
		_, _, err := c.CustomerGroups.Get(ctx, 5)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Get did not return after its context was cancelled")
	}
	if n := rec.count(); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t, WithTimeout(50*time.Millisecond), WithRetryWait(time.Hour, time.Hour))
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/5", httpmock.NewStringResponder(503, ""))
	start := time.Now()
	_, _, err := c.CustomerGroups.Get(context.Background(), 5)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("the timeout did not cut the retry wait short")
	}
}

func TestDeleteAfterA429Then404IsNotFound(t *testing.T) {
	t.Parallel()
	// A 429 was refused unprocessed, so a 404 on the retry means the group
	// never existed, not that the first attempt deleted it.
	zeroWait := func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(429, "")
		resp.Header.Set("X-Retry-After", "0")
		return resp, nil
	}
	n, err := attempts(t, "DELETE", sequence(zeroWait, fixture(t, "error_404")), func(c *Client) error {
		_, err := c.CustomerGroups.Delete(context.Background(), 5)
		return err
	})
	if n != 2 || !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, attempts = %d; want ErrNotFound after 2", err, n)
	}
}

// TestBareRoundTripperAnswers: a RoundTripper may answer with no Request
// and no Body; retrying and logging must cope.
func TestBareRoundTripperAnswers(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	bare := roundTripFunc(func(*http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return &http.Response{StatusCode: 503, Header: http.Header{}}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"id":5,"name":"x"}`))}, nil
	})
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(NewOAuth("abc123", "t"), WithHTTPClient(&http.Client{Transport: bare}), WithLogger(logger), WithRetryWait(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := c.CustomerGroups.Get(context.Background(), 5)
	if err != nil || g.ID != 5 || calls.Load() != 2 {
		t.Fatalf("g = %+v, err = %v, calls = %d", g, err, calls.Load())
	}
}

// TestFailedRequestsGiveTheirSlotsBack: transport failures must not leak
// concurrency slots, or a client would seize up after enough of them.
func TestFailedRequestsGiveTheirSlotsBack(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t, WithMaxConcurrentRequests(2), WithRetryMax(0))
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/5", sequence(
		httpmock.NewErrorResponder(errors.New("connection reset by peer")),
		httpmock.NewErrorResponder(errors.New("connection reset by peer")),
		httpmock.NewErrorResponder(errors.New("connection reset by peer")),
		jsonResponder(200, `{"id":5}`),
	))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		if _, _, err := c.CustomerGroups.Get(ctx, 5); err == nil {
			t.Fatal("a failing request succeeded")
		}
	}
	if _, _, err := c.CustomerGroups.Get(ctx, 5); err != nil {
		t.Fatalf("after three failures: %v", err)
	}
	c.pacer.view.mu.Lock()
	n := c.pacer.view.held
	c.pacer.view.mu.Unlock()
	if n != 0 {
		t.Errorf("%d slots still held after every call returned", n)
	}
}

func TestDefaultsFitAnInteractiveApp(t *testing.T) {
	t.Parallel()
	c, err := NewClient(NewOAuth("abc123", "t"))
	if err != nil {
		t.Fatal(err)
	}
	a := c.cfg
	if c.timeout != 2*time.Minute || a.retryMax != 3 || a.waitMin != 500*time.Millisecond || a.waitMax != 30*time.Second || a.rateWait != 30*time.Second {
		t.Errorf("timeout %s, retries %d, backoff %s..%s, rate-limit wait %s", c.timeout, a.retryMax, a.waitMin, a.waitMax, a.rateWait)
	}
	if a.maxConcurrent != 40 || a.noThrottle {
		t.Errorf("concurrency cap %d, throttle off %v; want BigCommerce's 40 and on", a.maxConcurrent, a.noThrottle)
	}
	c, err = NewClient(NewOAuth("abc123", "t"), WithTimeout(5*time.Second), WithMaxConcurrentRequests(4), WithoutThrottling())
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != 5*time.Second || c.cfg.maxConcurrent != 4 || !c.cfg.noThrottle {
		t.Errorf("options not applied: timeout %s, cap %d, throttle off %v", c.timeout, c.cfg.maxConcurrent, c.cfg.noThrottle)
	}
}

// TestEveryRetryCountsAgainstWithRetryMax: a 429 that says how long to
// wait is retried like any other failure, within WithRetryMax. (Before
// issue 15 such retries were bounded by the time they waited instead, and
// the first subtest pinned six attempts under WithRetryMax(3).)
func TestEveryRetryCountsAgainstWithRetryMax(t *testing.T) {
	t.Parallel()
	spent := respond(429, "", headerQuota, "10", headerLeft, "0", headerResetMs, "1", headerWindowMs, "1000")
	ok := respond(200, `{"id":5}`)
	t.Run("a 429 with a wait uses up a retry", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", sequence(spent, spent, spent, spent, spent, ok), getGroup, WithRetryMax(3), WithMaxRateLimitWait(time.Second))
		if !errors.Is(err, ErrRateLimited) || n != 4 {
			t.Fatalf("err = %v after %d attempts, want ErrRateLimited after 4", err, n)
		}
	})
	t.Run("429s within the count are retried until success", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", sequence(spent, spent, spent, ok), getGroup, WithRetryMax(3), WithMaxRateLimitWait(time.Second))
		if err != nil || n != 4 {
			t.Fatalf("err = %v after %d attempts, want success after 4", err, n)
		}
	})
	t.Run("429s and 503s share one count", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", sequence(spent, fixture(t, "error_503_plain"), spent, ok), getGroup, WithRetryMax(2), WithMaxRateLimitWait(time.Second))
		if !errors.Is(err, ErrRateLimited) || n != 3 {
			t.Fatalf("err = %v after %d attempts, want ErrRateLimited after 3", err, n)
		}
	})
	t.Run("a 429 asking longer than the longest rate-limit wait is not retried", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", spent, getGroup, WithRetryMax(3), WithMaxRateLimitWait(0))
		if !errors.Is(err, ErrRateLimited) || n != 1 {
			t.Fatalf("err = %v after %d attempts, want ErrRateLimited after one", err, n)
		}
	})
	t.Run("WithRetryMax(0) still sends once", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", spent, getGroup, WithRetryMax(0), WithMaxRateLimitWait(time.Second))
		if !errors.Is(err, ErrRateLimited) || n != 1 {
			t.Fatalf("err = %v after %d attempts, want ErrRateLimited after one", err, n)
		}
	})
	t.Run("a 429 that asks for no wait counts as a retry", func(t *testing.T) {
		t.Parallel()
		n, err := attempts(t, "GET", respond(429, ""), getGroup, WithRetryMax(2), WithMaxRateLimitWait(time.Second))
		if !errors.Is(err, ErrRateLimited) || n != 3 {
			t.Fatalf("err = %v after %d attempts, want ErrRateLimited after 3", err, n)
		}
	})
}
