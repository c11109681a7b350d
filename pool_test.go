package bigcommerce

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// retrySignal is a slog handler that reports each "retrying" record: the
// retry has been decided and its backoff is about to start.
type retrySignal chan struct{}

func (s retrySignal) Enabled(context.Context, slog.Level) bool { return true }
func (s retrySignal) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "retrying") {
		s <- struct{}{}
	}
	return nil
}
func (s retrySignal) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s retrySignal) WithGroup(string) slog.Handler      { return s }

// TestOneCallNeverDropsTheOthersConnections: a call cancelled during its
// backoff and a call that fails on a transport error (a redirect to
// another host) leave the pool that every other goroutine shares as it
// was. The server counts the connections it accepts: none is redialled.
func TestOneCallNeverDropsTheOthersConnections(t *testing.T) {
	t.Parallel()
	const n = 4
	var dials atomic.Int32
	var barrier sync.WaitGroup
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/customer_groups/1"):
			// Held until n requests are in, so that n connections are
			// open at once.
			barrier.Done()
			barrier.Wait()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":1,"name":"Retail"}`))
		case strings.HasSuffix(r.URL.Path, "/customer_groups/2"):
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasSuffix(r.URL.Path, "/customer_groups/3"):
			other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
			http.Redirect(w, r, other+r.URL.Path, http.StatusFound)
		}
	})
	srv.Start()
	t.Cleanup(srv.Close)

	retrying := make(retrySignal, 1)
	client, err := NewClient(NewOAuth("abc123", "token"),
		WithBaseURL(srv.URL+"/stores/abc123/v2"),
		WithRetryWait(time.Hour, time.Hour), // a backoff that only a cancel ends
		WithLogger(slog.New(retrying)),
		WithoutThrottling()) // no first-request probe: the n calls go at once
	if err != nil {
		t.Fatal(err)
	}
	getAll := func() {
		barrier.Add(n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if _, _, err := client.CustomerGroups.Get(context.Background(), 1); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	getAll()
	if got := dials.Load(); got != n {
		t.Fatalf("%d connections for %d concurrent calls, want %d", got, n, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, _, err := client.CustomerGroups.Get(ctx, 2)
		done <- err
	}()
	<-retrying // the 503 is in and the backoff has begun
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during its backoff: %v, want context.Canceled", err)
	}
	if _, _, err := client.CustomerGroups.Get(context.Background(), 3); err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Fatalf("redirected to another host: %v, want the refusal", err)
	}

	getAll()
	if got := dials.Load(); got != n {
		t.Fatalf("%d connections redialled after one cancelled and one failed call, want 0", got-n)
	}

	// Closing them on purpose stays possible.
	client.CloseIdleConnections()
	getAll()
	if got := dials.Load(); got != 2*n {
		t.Fatalf("after CloseIdleConnections %d new connections, want %d", got-n, n)
	}
}
