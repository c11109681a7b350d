package bigcommerce

// Hostile and broken servers, part two: connections that stall, break or
// lead elsewhere, over real loopback servers. The calls and checks shared
// with the bodies are in hostile_bodies_test.go. Every row states the
// exact outcome, must end well within a few seconds, and must not panic.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileRawServer is a loopback listener whose connections are handled by
// a function that speaks (or does not speak) HTTP by hand.
type hostileRawServer struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newHostileRawServer(t *testing.T, handle func(net.Conn)) *hostileRawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileRawServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *hostileRawServer) url() string { return "http://" + s.ln.Addr().String() }

// hostileReadRequest reads one request's head and body so that the client
// is done sending before the answer starts.
func hostileReadRequest(conn net.Conn) bool {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, req.Body)
	return true
}

// hostileTrickle writes s one byte every 100 ms until it is written or the
// connection fails.
func hostileTrickle(w io.Writer, flush func(), s string, stop <-chan struct{}) {
	for i := 0; i < len(s); i++ {
		if _, err := w.Write([]byte{s[i]}); err != nil {
			return
		}
		flush()
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hostileWantRequestError asserts that the call ended because its
// deadline passed, as a *RequestError, within a second of it.
func hostileWantRequestError(t *testing.T, o hostileOutcome, deadline time.Duration) {
	t.Helper()
	var reqErr *RequestError
	if !errors.As(o.err, &reqErr) || !errors.Is(o.err, context.DeadlineExceeded) {
		t.Errorf("error = %v (%T), want a *RequestError for the deadline", o.err, o.err)
	}
	if o.group != nil || o.groups != nil {
		t.Errorf("a result came back: %+v %+v", o.group, o.groups)
	}
	if o.elapsed > deadline+time.Second {
		t.Errorf("took %s with a %s deadline", o.elapsed, deadline)
	}
}

// hostileStreamed writes n bytes of a JSON page without a Content-Length
// (or with one, when declare is set) and reports how many bytes it got to
// write before the client went away.
func hostileStreamed(n int, declare bool, written chan<- int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declare {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		w.WriteHeader(200)
		chunk := []byte("[" + strings.Repeat(" ", 32<<10-1))
		total := 0
		for total < n {
			m, err := w.Write(chunk[:min(len(chunk), n-total)])
			total += m
			if err != nil {
				break
			}
			chunk[0] = ' '
		}
		written <- total
	}
}

// hostileBodies counts the response bodies its transport handed out and
// not yet closed.
type hostileBodies struct {
	base http.RoundTripper
	open atomic.Int32
}

func (h *hostileBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	h.open.Add(1)
	resp.Body = &hostileCountedBody{ReadCloser: resp.Body, open: &h.open}
	return resp, nil
}

type hostileCountedBody struct {
	io.ReadCloser
	open *atomic.Int32
	once sync.Once
}

func (b *hostileCountedBody) Close() error {
	b.once.Do(func() { b.open.Add(-1) })
	return b.ReadCloser.Close()
}

// TestHostileConnections runs the connection-level cases side by side, then
// checks that they left no response body open and no goroutine behind. It
// does not run in parallel with other top-level tests, so that the
// goroutine count is its own.
func TestHostileConnections(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := &http.Transport{}
	bodies := &hostileBodies{base: tr}
	client := func(t *testing.T, root string, opts ...Option) *Client {
		t.Helper()
		base := []Option{WithBaseURL(root + "/stores/" + testStoreHash + "/v2"), WithHTTPClient(&http.Client{Transport: bodies}), WithRetryWait(0, 0)}
		c, err := NewClient(NewOAuth(testStoreHash, testToken), append(base, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const short = 300 * time.Millisecond

	t.Run("cases", func(t *testing.T) {
		t.Run("Content-Length larger than the body", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":1,\"name\":")
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileGet, 2*time.Second)
			// SDK bug: this was an *APIError with status 200.
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want io.ErrUnexpectedEOF inside", o.err)
			}
			if n := s.accepted.Load(); n != 1 {
				t.Errorf("%d connections, want 1", n)
			}
		})
		t.Run("server closes mid-body", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n[{\"id\":1,\"name\":\r\n")
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileList, 2*time.Second)
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want io.ErrUnexpectedEOF inside", o.err)
			}
		})
		t.Run("slow loris body bounded by WithTimeout", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(200)
				hostileTrickle(w, w.(http.Flusher).Flush, `{"id":1,"name":"`+strings.Repeat("z", 100)+`"}`, r.Context().Done())
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL, WithTimeout(short)), hostileGet, 10*time.Second)
			// SDK bug: the timeout came back as an *APIError with status 200.
			hostileWantRequestError(t, o, short)
		})
		t.Run("slow loris body bounded by the context", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				hostileTrickle(w, w.(http.Flusher).Flush, `[{"id":1,"name":"`+strings.Repeat("z", 100)+`"}]`, r.Context().Done())
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileList, short)
			hostileWantRequestError(t, o, short)
		})
		t.Run("slow loris headers", func(t *testing.T) {
			t.Parallel()
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					hostileTrickle(conn, func() {}, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "+strings.Repeat("p", 100)+"\r\n\r\n{}", stop)
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileGet, short)
			hostileWantRequestError(t, o, short)
		})
		t.Run("accepts and never answers", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
			o := hostileRun(t, client(t, s.url()), hostileGet, short)
			hostileWantRequestError(t, o, short)
			if n := s.accepted.Load(); n != 1 {
				t.Errorf("%d connections, want 1: nothing is retried once the deadline has passed", n)
			}
		})
		t.Run("a request stuck first does not hold the next past its deadline", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
			c := client(t, s.url())
			ctx, cancel := context.WithCancel(context.Background())
			first := make(chan error, 1)
			go func() {
				_, _, err := c.CustomerGroups.Get(ctx, 1)
				first <- err
			}()
			// Wait until the first request is on the wire.
			for start := time.Now(); s.accepted.Load() == 0; {
				if time.Since(start) > 2*time.Second {
					t.Fatal("the first request never connected")
				}
				time.Sleep(time.Millisecond)
			}
			o := hostileRun(t, c, hostileList, short)
			cancel()
			hostileWantRequestError(t, o, short)
			if err := <-first; !errors.Is(err, context.Canceled) {
				t.Errorf("first request: %v, want it cancelled", err)
			}
		})
		for _, tc := range []struct {
			name   string
			status int
			call   hostileCall
		}{{"GET redirected to another host", http.StatusFound, hostileGet}, {"POST redirected to another host", http.StatusTemporaryRedirect, hostileCreate}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				var reached atomic.Int32
				evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					reached.Add(1)
					io.WriteString(w, `{"id":1,"name":"evil"}`)
				}))
				t.Cleanup(evil.Close)
				var asked atomic.Int32
				store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					asked.Add(1)
					http.Redirect(w, r, evil.URL+r.URL.Path, tc.status)
				}))
				t.Cleanup(store.Close)
				o := hostileRun(t, client(t, store.URL), tc.call, 2*time.Second)
				var reqErr *RequestError
				var redirErr *redirectError
				if !errors.As(o.err, &reqErr) || !errors.As(o.err, &redirErr) || o.group != nil {
					t.Fatalf("group %+v, error %v (%T); want a *RequestError from the redirect policy", o.group, o.err, o.err)
				}
				if n := reached.Load(); n != 0 {
					t.Errorf("the other host got %d requests, want none", n)
				}
				if n := asked.Load(); n != 1 {
					t.Errorf("the store got %d requests, want 1 (a refused redirect is not retried)", n)
				}
			})
		}
		t.Run("redirect loop on the same host", func(t *testing.T) {
			t.Parallel()
			var asked atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := asked.Add(1)
				http.Redirect(w, r, fmt.Sprintf("/stores/%s/v2/customer_groups/%d", testStoreHash, n+1), http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			var redirErr *redirectError
			if !errors.As(o.err, &redirErr) || !strings.Contains(o.err.Error(), "5 redirects") {
				t.Errorf("error = %v, want the redirect limit", o.err)
			}
			if n := asked.Load(); n != 5 {
				t.Errorf("the server got %d requests, want 5", n)
			}
		})
		for _, declare := range []bool{false, true} {
			t.Run(fmt.Sprintf("64 MiB body over a 1 KiB limit, Content-Length declared %v", declare), func(t *testing.T) {
				t.Parallel()
				const size = 64 << 20
				written := make(chan int, 1)
				srv := httptest.NewServer(hostileStreamed(size, declare, written))
				t.Cleanup(srv.Close)
				o := hostileRun(t, client(t, srv.URL, WithMaxResponseBytes(1<<10)), hostileList, 2*time.Second)
				var tooLarge *BodyTooLargeError
				if !errors.As(o.err, &tooLarge) || tooLarge.Limit != 1<<10 || o.groups != nil {
					t.Fatalf("groups %d, error %v; want a *BodyTooLargeError", len(o.groups), o.err)
				}
				select {
				case n := <-written:
					// What the server wrote went into socket buffers; the
					// client stopped reading long before the end.
					if n >= size/2 {
						t.Errorf("the server wrote %d of %d bytes: the client read on", n, size)
					}
				case <-time.After(2 * time.Second):
					t.Error("the server still writes: the connection was not closed")
				}
			})
		}
		t.Run("gzip Content-Encoding on a plain body", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				io.WriteString(w, `{"id":1,"name":"plain"}`)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			// SDK bug: this was an *APIError with status 200.
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, gzip.ErrHeader) {
				t.Errorf("error = %v, want gzip.ErrHeader inside", o.err)
			}
		})
		t.Run("deflate Content-Encoding on a gzip body", func(t *testing.T) {
			t.Parallel()
			body := hostileGzip(t, []byte(`{"id":1}`))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "deflate")
				w.Write(body)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			hostileWantSyntaxError(t, o)
		})
		t.Run("gzip body with a gzip Content-Encoding decodes", func(t *testing.T) {
			t.Parallel()
			body := hostileGzip(t, []byte(`{"id":1,"name":"zipped"}`))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(body)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			if g := hostileWantGroup(t, o); g.Name != "zipped" {
				t.Errorf("group = %+v", g)
			}
		})
		t.Run("gzip bomb stops at the limit", func(t *testing.T) {
			t.Parallel()
			bomb := hostileGzip(t, bytes.Repeat([]byte(" "), 16<<20))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL, WithMaxResponseBytes(1<<20)), hostileList, 2*time.Second)
			var tooLarge *BodyTooLargeError
			if !errors.As(o.err, &tooLarge) {
				t.Errorf("error = %v, want a *BodyTooLargeError", o.err)
			}
		})
	})

	if n := bodies.open.Load(); n != 0 {
		t.Errorf("%d response bodies were never closed", n)
	}
	tr.CloseIdleConnections()
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(5 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
