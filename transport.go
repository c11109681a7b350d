package bigcommerce

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// newHTTPClient returns the http.Client that sends every attempt: a copy of
// the caller's, or a fresh one whose idle pool is as large as the
// concurrency cap, so that concurrent callers reuse connections instead of
// opening a new one each time a small pool overflows. Its transport paces
// each request with the pacer, and its redirect policy keeps the
// credentials on the API's host.
func newHTTPClient(hc *http.Client, maxConcurrent int, t *transport) *http.Client {
	var out http.Client
	var base http.RoundTripper
	if hc != nil {
		out = *hc
		base = hc.Transport
	}
	if base == nil {
		if hc != nil {
			base = http.DefaultTransport
		} else {
			dt := http.DefaultTransport.(*http.Transport).Clone()
			dt.MaxIdleConnsPerHost = maxConcurrent
			// No more connections than requests can be in flight: left
			// uncapped, net/http dials for a request that waits, keeps
			// the connection when another one frees up first and serves
			// the request, and so opens more than it ever uses at once.
			dt.MaxConnsPerHost = maxConcurrent
			dt.ResponseHeaderTimeout = time.Minute
			base = dt
		}
	}
	t.base = base
	out.Transport = t
	out.CheckRedirect = checkRedirect
	return &out
}

// transport is the innermost layer: every request, retries and redirects
// included, waits on the pacer for a permit, reports its answer to it, and
// holds the permit until the body is closed. It is given what it needs
// when the Client is built and never looks back at the Client.
type transport struct {
	base  http.RoundTripper
	pacer *pacer
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	permit, err := t.pacer.acquire(req.Context(), t.pacer.s.rateWait)
	if err != nil {
		return nil, err
	}
	logger := t.pacer.s.logger
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		permit.Release()
		if logger != nil {
			logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request failed",
				slog.String("method", req.Method), slog.String("path", req.URL.Path),
				slog.Duration("elapsed", time.Since(start)), slog.String("error", err.Error()))
		}
		return nil, err
	}
	permit.Report(resp.StatusCode, resp.Header)
	if resp.Body == nil {
		// RoundTrippers may leave the body nil; net/http fills it in only
		// above this layer.
		resp.Body = http.NoBody
	}
	resp.Body = &releaseOnClose{ReadCloser: resp.Body, permit: permit}
	if logger != nil {
		logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
	return resp, nil
}

// CloseIdleConnections drops the base transport's idle connections, for
// Client.CloseIdleConnections. The attempt loop never calls it: one call
// that fails or is cancelled must leave the connections that every other
// goroutine on the Client pools alone.
func (t *transport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// drainClose reads what is left of a small body before closing it, so that
// the connection goes back to the pool; a body with more left than that is
// closed at once, which costs the connection but not the memory.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}
