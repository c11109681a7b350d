package bigcommercetest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Server is a running fake of the v2 customer-groups API. Its exported
// fields are the credentials it accepts; every method is safe for
// concurrent use.
type Server struct {
	// URL is the server's address, such as http://127.0.0.1:PORT, with no
	// trailing slash.
	URL string
	// StoreHash is the store's hash in OAuth paths, random per server.
	StoreHash string
	// ClientID is the app's client id; the server accepts any X-Auth-Client.
	ClientID string
	// AccessToken is an OAuth token with read and write access.
	AccessToken string
	// ReadOnlyToken is an OAuth token that may only read: its writes are
	// answered 403.
	ReadOnlyToken string
	// Username and APIKey are the legacy HTTP Basic credentials.
	Username, APIKey string

	cfg config
	ts  *httptest.Server

	mu       sync.Mutex
	logMu    sync.Mutex // serializes WithRequestLog lines
	groups   []Group    // sorted by id
	nextID   int
	requests []RecordedRequest
	// recordsFrom is how many requests were forgotten by ResetRequests or
	// Reset, so that an answer finds its record by a stable number.
	recordsFrom int
	inFlight    int
	stats       Stats
	limiter     limiter
	faults      []Fault
	chaos       *chaos
	// grants are the tokens a Platform's login server issued for this
	// store, one per app client ID; nil for a store no Platform serves.
	grants map[string]grant
}

// RecordedRequest is a request as the server received it.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte
	// Received is when the server began to read the request.
	Received time.Time
	// Status is the status the request was answered with: 0 while it is
	// still being served, and for one that got no answer (a dropped
	// connection, or a client that gave up during the latency).
	Status int
	// Answered is when the answer was written; zero when Status is.
	Answered time.Time
}

// Stats counts what the server has seen since it started or was last Reset.
type Stats struct {
	// Requests is every request received.
	Requests int
	// RateLimited is the requests answered 429 by the rate limiter.
	RateLimited int
	// Faults is the requests an injected fault or chaos applied to.
	Faults int
	// Connections is the TCP connections accepted; it shows whether a
	// client reuses connections. Reset leaves it alone.
	Connections int
	// ConcurrencyLimited is the requests answered 429 because more than
	// the WithConcurrencyLimit were in flight.
	ConcurrencyLimited int
	// MaxInFlight is the most requests the server was serving at once,
	// counting those it then refused for concurrency: what the store saw,
	// whatever it answered. It counts with or without a concurrency limit.
	MaxInFlight int
}

// NewServer starts a fake on a random loopback port. Close it when done.
func NewServer(opts ...Option) *Server {
	s := newServer(opts)
	s.start(nil)
	return s
}

// Listen starts a fake on addr, such as "127.0.0.1:8080", for programs that
// need a fixed address, like cmd/bigcommerce-fake. Close it when done.
func Listen(addr string, opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(opts)
	s.start(ln)
	return s, nil
}

func newServer(opts []Option) *Server {
	cfg := newConfig(opts)
	s := &Server{
		StoreHash:     randomString(10),
		ClientID:      randomString(31),
		AccessToken:   randomString(31),
		ReadOnlyToken: randomString(31),
		Username:      "admin",
		APIKey:        randomString(40),
		cfg:           cfg,
		nextID:        1,
		limiter:       limiter{quota: cfg.quota, window: cfg.window},
	}
	if cfg.storeHash != "" {
		s.StoreHash = cfg.storeHash
	}
	if cfg.accessToken != "" {
		s.AccessToken = cfg.accessToken
	}
	s.seedLocked(cfg.seed)
	return s
}

// randomString makes credentials from lowercase letters and digits, the
// alphabet of real store hashes.
func randomString(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// start serves on ln, or on a random loopback port when ln is nil.
func (s *Server) start(ln net.Listener) {
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if ln != nil {
		s.ts.Listener.Close()
		s.ts.Listener = ln
	}
	s.ts.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.mu.Lock()
			s.stats.Connections++
			s.mu.Unlock()
		}
	}
	s.ts.Start()
	s.URL = s.ts.URL
}

// Close stops the server, waiting for requests in progress to finish. A
// store of a Platform has no listener of its own: Close does nothing there,
// and Platform.Close stops it with the others.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// OAuthBaseURL is the API root for OAuth clients, the fake's counterpart of
// https://api.bigcommerce.com/stores/{hash}/v2.
func (s *Server) OAuthBaseURL() string {
	return s.URL + "/stores/" + s.StoreHash + "/v2"
}

// BasicBaseURL is the API root for legacy Basic-auth clients, the fake's
// counterpart of https://{store domain}/api/v2.
func (s *Server) BasicBaseURL() string {
	return s.URL + "/api/v2"
}

// Requests returns every request received so far, in order, including those
// answered by a fault or the rate limiter.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// ResetRequests forgets the recorded requests; Stats keeps counting.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgetRequestsLocked()
}

func (s *Server) forgetRequestsLocked() {
	s.recordsFrom += len(s.requests)
	s.requests = nil
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Reset removes every group, recorded request, queued fault and chaos
// setting, zeroes every Stats counter except Connections and starts a fresh
// rate-limit window. Options and credentials stay, and ids keep growing, so an id held
// from before the Reset stays unknown.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = nil
	s.forgetRequestsLocked()
	s.faults = nil
	s.chaos = nil
	// Requests still in flight are counted from here on.
	s.stats = Stats{Connections: s.stats.Connections, MaxInFlight: s.inFlight}
	s.limiter = limiter{quota: s.limiter.quota, window: s.limiter.window}
}

// serveHTTP runs what surrounds the API itself: the concurrency count,
// recording, the concurrency limit, latency, the rate limiter and faults,
// in that order.
func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	received := time.Now()
	s.mu.Lock()
	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
	s.mu.Unlock()
	w := &statusWriter{ResponseWriter: rw}
	record := -1
	defer func() {
		s.mu.Lock()
		s.inFlight--
		if w.status == 0 && !w.hijacked && r.Context().Err() == nil {
			// net/http answers 200 for a handler that wrote nothing.
			w.status, w.answered = http.StatusOK, time.Now()
		}
		if i := record - s.recordsFrom; i >= 0 && i < len(s.requests) && w.status != 0 {
			s.requests[i].Status, s.requests[i].Answered = w.status, w.answered
		}
		s.mu.Unlock()
		if s.cfg.requestLog != nil {
			s.logRequest(r, w.status, received)
		}
	}()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	s.mu.Lock()
	s.stats.Requests++
	record = s.recordsFrom + len(s.requests)
	s.requests = append(s.requests, RecordedRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Query:    r.URL.Query(),
		Header:   r.Header.Clone(),
		Body:     body,
		Received: received,
	})
	busy := s.cfg.concurrency > 0 && s.inFlight > s.cfg.concurrency
	if busy {
		s.stats.ConcurrencyLimited++
		left, reset := s.limiter.peek(time.Now())
		s.limiter.setHeaders(w.Header(), left, reset)
	}
	s.mu.Unlock()
	if busy {
		writeError(w, &apiError{
			Status:  http.StatusTooManyRequests,
			Message: fmt.Sprintf("Too many concurrent requests: this store serves at most %d at once on these endpoints. Retry when one of yours has finished.", s.cfg.concurrency),
		})
		return
	}

	if s.cfg.latency > 0 && !wait(r, s.cfg.latency) {
		return
	}

	s.mu.Lock()
	ok, left, reset := s.limiter.take(time.Now())
	s.limiter.setHeaders(w.Header(), left, reset)
	var f Fault
	var faulty bool
	if ok {
		_, rel, _ := splitRoot(r.URL.Path)
		f, faulty = s.faultLocked(r.Method, rel)
		if faulty {
			s.stats.Faults++
		}
	} else {
		s.stats.RateLimited++
	}
	s.mu.Unlock()

	switch {
	case !ok:
		// Like BigCommerce, a refused request is not processed and does not
		// use up quota; its body is empty, which clients must cope with.
		w.Header().Set("X-Retry-After", retryAfter(reset))
		w.WriteHeader(http.StatusTooManyRequests)
	case faulty:
		s.serveFault(w, r, f)
	default:
		s.serveAPI(w, r)
	}
}

// statusWriter notes the status and time of the answer for the request's
// record, and whether a dropping fault took the connection instead.
type statusWriter struct {
	http.ResponseWriter
	status   int
	answered time.Time
	hijacked bool
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status, w.answered = code, time.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status, w.answered = http.StatusOK, time.Now()
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wait sleeps for d unless the request's context ends first.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// logRequest writes the WithRequestLog line of one request; status 0
// means it got no answer.
func (s *Server) logRequest(r *http.Request, status int, start time.Time) {
	target := r.URL.Path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.requestLog, "%s %s %s %d %s\n", start.Format("15:04:05.000"), r.Method, target, status, time.Since(start).Round(time.Microsecond))
}
