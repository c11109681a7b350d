package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// wrapHTTPClient returns the http.Client the Client really uses: a copy of
// the caller's, or a fresh one whose idle pool is as large as the
// concurrency cap, so that concurrent callers reuse connections instead of
// opening a new one each time a small pool overflows.
func (c *Client) wrapHTTPClient(hc *http.Client, maxConcurrent int) *http.Client {
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
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = maxConcurrent
			// No more connections than requests can be in flight: left
			// uncapped, net/http dials for a request that waits, keeps
			// the connection when another one frees up first and serves
			// the request, and so opens more than it ever uses at once.
			t.MaxConnsPerHost = maxConcurrent
			t.ResponseHeaderTimeout = time.Minute
			base = t
		}
	}
	out.Transport = &transport{base: base, client: c}
	out.CheckRedirect = checkRedirect
	return &out
}

// checkRedirect lets a redirect through only to the same scheme and host:
// the credential headers are copied onto redirected requests, and
// net/http strips only Authorization and Cookie, not X-Auth-Token.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &redirectError{reason: "stopped after 5 redirects"}
	}
	orig := via[0].URL
	if req.URL.Host != orig.Host || req.URL.Scheme != orig.Scheme {
		return &redirectError{reason: fmt.Sprintf("refusing redirect from %s://%s to %s://%s: the credentials would follow it",
			orig.Scheme, orig.Host, req.URL.Scheme, req.URL.Host)}
	}
	return nil
}

type redirectError struct{ reason string }

func (e *redirectError) Error() string { return "bigcommerce: " + e.reason }

// transport is the innermost layer under go-retryablehttp: every attempt,
// retries included, waits on the rate limiter, reports its answer to it,
// and holds its permit until the body is closed.
type transport struct {
	base   http.RoundTripper
	client *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	permit, err := c.pacer.acquire(req.Context(), c.baseURL, c.rateWait)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		permit.Release()
		if c.logger != nil {
			c.logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request failed",
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
	if c.logger != nil {
		c.logger.LogAttrs(req.Context(), slog.LevelDebug, "bigcommerce: request",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	}
	return resp, nil
}

// releaseOnClose releases the request's permit once its body is closed, so
// a slow reader still counts as a request in flight.
type releaseOnClose struct {
	io.ReadCloser
	permit Permit
	once   sync.Once
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.permit.Release)
	return err
}

// sharedHoldOff is how long the Client paces with its in-process throttle
// after a shared limiter failed, before it asks the shared one again: a
// limiter that is down would otherwise add its timeout to every request.
const sharedHoldOff = 250 * time.Millisecond

// pacer chooses the limiter for each request: the shared one given with
// WithRateLimiter while it answers, else the in-process throttle. The
// in-process throttle hears every answer either way, so that it knows the
// store's quota as soon as it has to take over.
type pacer struct {
	shared  RateLimiter // nil unless WithRateLimiter was given
	local   *limiter
	logger  *slog.Logger
	holdOff time.Duration // sharedHoldOff; shorter in tests

	mu        sync.Mutex
	down      bool      // the shared limiter failed and has not answered since
	holdUntil time.Time // until then, requests skip the shared limiter
}

func (p *pacer) acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (Permit, error) {
	if p.shared != nil && p.tryShared() {
		permit, err := p.shared.Acquire(ctx, apiRoot, maxWait)
		switch {
		case err == nil:
			p.sharedAnswered(ctx)
			return &sharedPermit{Permit: permit, local: p.local}, nil
		case !errors.Is(err, ErrLimiterUnavailable):
			return nil, err
		}
		p.sharedFailed(ctx, err)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return p.local.Acquire(ctx, apiRoot, maxWait)
}

func (p *pacer) tryShared() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !time.Now().Before(p.holdUntil)
}

// sharedFailed starts a hold-off and logs the first failure of an outage.
func (p *pacer) sharedFailed(ctx context.Context, err error) {
	p.mu.Lock()
	first := !p.down
	p.down, p.holdUntil = true, time.Now().Add(p.holdOff)
	p.mu.Unlock()
	if first && p.logger != nil {
		p.logger.LogAttrs(ctx, slog.LevelWarn, "bigcommerce: the shared rate limiter is unavailable; pacing with the in-process throttle until it answers",
			slog.String("error", err.Error()))
	}
}

// sharedAnswered ends an outage, logging that the shared state is joined
// again.
func (p *pacer) sharedAnswered(ctx context.Context) {
	p.mu.Lock()
	was := p.down
	p.down = false
	p.mu.Unlock()
	if was && p.logger != nil {
		p.logger.LogAttrs(ctx, slog.LevelInfo, "bigcommerce: the shared rate limiter answers again; pacing with it")
	}
}

// rate is the shared limiter's view while it has one, else the in-process
// throttle's.
func (p *pacer) rate(apiRoot string) Rate {
	if p.shared != nil {
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if r := p.shared.Rate(apiRoot); !down && r != (Rate{}) {
			return r
		}
	}
	return p.local.Rate(apiRoot)
}

// sharedPermit also tells the in-process throttle what each answer said,
// without holding one of its slots.
type sharedPermit struct {
	Permit
	local *limiter
}

func (p *sharedPermit) Report(status int, h http.Header) {
	p.Permit.Report(status, h)
	p.local.observe(status, h, time.Now())
}
