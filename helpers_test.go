package bigcommerce

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
)

const (
	testStoreHash = "abc123"
	testToken     = "tok-SECRET-9f8e7d6c5b4a"
	testBaseURL   = "https://api.bigcommerce.com/stores/" + testStoreHash + "/v2"
)

// recorder keeps every request a mock transport received, with its body,
// so tests can assert on what the SDK sent.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

func (r *recorder) add(req *http.Request) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body})
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// last returns the latest request, failing the test when there was none.
func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	all := r.all()
	if len(all) == 0 {
		t.Fatal("no request was sent")
	}
	return all[len(all)-1]
}

// setup returns a Client whose transport is a per-test httpmock
// MockTransport (so tests can run in parallel), the transport, and a
// recorder of every request. Retries wait zero time, and a 429 that asks
// for any wait at all comes back at once instead of being retried. The client points at
// the real OAuth root so that path mistakes show up as unmatched URLs.
func setup(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	return setupWith(t, NewOAuth(testStoreHash, testToken), opts...)
}

// setupWith is setup with another Authenticator.
func setupWith(t *testing.T, auth Authenticator, opts ...Option) (*Client, *httpmock.MockTransport, *recorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := &recorder{}
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(http.StatusTeapot, ""), nil
	})
	base := []Option{WithHTTPClient(&http.Client{Transport: recordingTransport{mt, rec}}), WithRetryWait(0, 0), WithMaxRateLimitWait(0)}
	c, err := NewClient(auth, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mt, rec
}

// recordingTransport records each request before the mock answers it.
type recordingTransport struct {
	mt  *httpmock.MockTransport
	rec *recorder
}

func (r recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.rec.add(req.Clone(req.Context()))
		req.Body = io.NopCloser(bytes.NewReader(body))
	} else {
		r.rec.add(req)
	}
	return r.mt.RoundTrip(req)
}

// fixture returns a responder that answers with the recorded response
// testdata/responses/name.http, parsed afresh for every request.
func fixture(t *testing.T, name string) httpmock.Responder {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "responses", name+".http"))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return func(req *http.Request) (*http.Response, error) {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		return resp, nil
	}
}

// sequence answers with each responder in turn, repeating the last.
func sequence(rs ...httpmock.Responder) httpmock.Responder {
	var mu sync.Mutex
	i := 0
	return func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		r := rs[min(i, len(rs)-1)]
		i++
		mu.Unlock()
		return r(req)
	}
}

// respond answers with status, body and extra headers given as name,
// value pairs.
func respond(status int, body string, headers ...string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for i := 0; i+1 < len(headers); i += 2 {
			resp.Header.Set(headers[i], headers[i+1])
		}
		resp.Request = req
		return resp, nil
	}
}

// jsonResponder answers status with a JSON body and the rate headers of a
// healthy store.
func jsonResponder(status int, body string) httpmock.Responder {
	return respond(status, body, "Content-Type", "application/json",
		headerQuota, "150", headerLeft, "149", headerWindowMs, "30000", headerResetMs, "29000")
}
