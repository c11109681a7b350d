package bigcommerce

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy says which failures a call may be repeated after. It follows
// from what a repeat could do to the store, not from the HTTP method alone.
type retryPolicy int

const (
	// retryIdempotent: GET, PUT and DELETE of one group. Repeating them
	// leaves the store as one success would, so 429, 5xx and transport
	// errors are all retried.
	retryIdempotent retryPolicy = iota
	// retryCreate: POST. A second create makes a second group, so it is
	// repeated only when the first provably did not reach the server: a
	// 429 (BigCommerce refuses it before processing) or a connection that
	// could not be made. A timeout or a 5xx may hide a create that was
	// applied, so neither is retried.
	retryCreate
	// retryNever: DELETE of every group. Nothing is repeated, not even a
	// 429, so the caller decides whether to send it again.
	retryNever
)

// retrier runs the attempts of every call of one Client and decides
// whether to try again; the wait before the next attempt is the pacer's
// (rule P9 of docs/pacing.md). The state of one call's attempts lives in
// run's callAttempts, on run's stack, and nowhere else.
//
// The SDK owns this loop rather than handing it to go-retryablehttp's
// Client.Do, whose state per call would have to travel in the request's
// context and whose give-up and cancel paths drop every idle connection of
// the shared http.Client. go-retryablehttp still decides which transport
// errors are worth repeating (see retryableTransportError).
type retrier struct {
	s     *settings
	pacer *pacer       // takes the wait before each retry
	http  *http.Client // paces every attempt; see transport
}

// callAttempts is the state of one call's attempts.
type callAttempts struct {
	policy   retryPolicy
	attempts int
	// retries counts the retries so far, every one of which WithRetryMax
	// bounds, those after a 429 included.
	retries int
	// mayHaveApplied: an attempt failed in a way that may hide a write the
	// server applied (a 5xx or a broken connection), as a 429 cannot.
	mayHaveApplied bool
}

// run sends req until an answer is final or the policy allows no more
// attempts, and returns the last answer or error with the call's attempts.
func (r *retrier) run(ctx context.Context, req *http.Request, policy retryPolicy) (*http.Response, callAttempts, error) {
	a := callAttempts{policy: policy}
	tr := r.s.tracer
	var wait time.Duration // before the next attempt, chosen by decide
	var cause WaitCause
	for {
		actx := ctx
		if tr != nil {
			actx = tr.TraceAttemptStart(ctx, TraceAttemptStartData{Attempt: a.attempts + 1, Method: req.Method, URL: withoutUser(req.URL)})
			if actx != ctx { // a tracer that keeps nothing costs no copy
				req = req.WithContext(actx)
			}
		}
		var resp *http.Response
		err := r.pacer.retryWait(actx, wait, cause)
		if err == nil {
			resp, err = r.http.Do(req)
		}
		var retry bool
		var stop error
		retry, wait, stop = r.decide(ctx, &a, req, resp, err)
		if tr != nil {
			r.traceAttemptEnd(actx, &a, resp, err, retry && stop == nil)
		}
		if stop != nil {
			return resp, a, stop
		}
		if !retry {
			return resp, a, err
		}
		cause = waitCause(resp)
		if resp != nil {
			drainClose(resp.Body)
		}
		if req, err = nextAttempt(ctx, req); err != nil {
			return nil, a, err
		}
	}
}

// withoutUser is u as sanitizeURL gives it, without printing and parsing
// it again: a tracer's URL costs one String a call.
func withoutUser(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	return c.String()
}

// traceAttemptEnd reports the attempt that decide just counted, in the
// context its TraceAttemptStart returned.
func (r *retrier) traceAttemptEnd(ctx context.Context, a *callAttempts, resp *http.Response, err error, retry bool) {
	end := TraceAttemptEndData{Attempt: a.attempts, Err: err, Retry: retry}
	if resp != nil {
		end.StatusCode = resp.StatusCode
		end.Rate, end.RateKnown = ParseRate(resp.Header)
		if resp.StatusCode == http.StatusTooManyRequests {
			_, known := RateLimitWait(resp.Header)
			end.Throttled = throttleCause(known)
		}
	}
	r.s.tracer.TraceAttemptEnd(ctx, end)
}

// waitCause says why the Client waits before the next attempt.
func waitCause(resp *http.Response) WaitCause {
	if resp != nil {
		if _, ok := PauseAfter(resp.StatusCode, resp.Header, math.MaxInt64); ok {
			return WaitRetryAfter
		}
	}
	return WaitBackoff
}

// nextAttempt is req again, with its body rewound.
func nextAttempt(ctx context.Context, req *http.Request) (*http.Request, error) {
	next := req.Clone(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		next.Body = body
	}
	return next, nil
}

// decide counts an attempt, says whether to retry it and how long to wait
// first. It returns a non-nil stop error when the call must end with it
// instead of with the attempt's own outcome: the context ended.
//
// Every retry counts against WithRetryMax, those after a 429 included, as
// stripe-go's and the AWS SDK's do: a store that keeps answering 429 (a
// quota spent by another app, a clock that disagrees with ours, a proxy
// that sheds load) must cost a bounded number of requests, not draw them
// for as long as the waits it asks for are short.
func (r *retrier) decide(ctx context.Context, a *callAttempts, req *http.Request, resp *http.Response, err error) (retry bool, wait time.Duration, stop error) {
	a.attempts++
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, 0, ctxErr
	}
	retry = shouldRetry(a.policy, resp, err, rateBudget(ctx, r.s.rateWait))
	if retry && a.retries >= r.s.retryMax {
		retry = false
	}
	if retry {
		wait = backoff(r.s.waitMin, r.s.waitMax, a.retries, resp)
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests && !fitsDeadline(ctx, wait) {
			// Sleeping into the deadline would turn the 429, with its
			// RetryAfter, into a bare context.DeadlineExceeded.
			retry = false
		}
	}
	if !retry {
		return false, 0, nil
	}
	a.retries++
	if err != nil || resp.StatusCode >= 500 {
		a.mayHaveApplied = true
	}
	if r.s.logger != nil {
		attrs := []slog.Attr{slog.Int("attempt", a.attempts), slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Duration("wait", wait)}
		if resp != nil {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		} else {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		r.s.logger.LogAttrs(ctx, slog.LevelInfo, "bigcommerce: retrying", attrs...)
	}
	return true, wait, nil
}

// fitsDeadline reports whether a wait of d ends before ctx's deadline.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// rateBudget is the longest a 429's wait may be for the call to retry it:
// the Client's longest rate-limit wait, and no later than the call's
// deadline, since sleeping into the deadline would turn the rate-limit
// error into a bare context.DeadlineExceeded.
func rateBudget(ctx context.Context, rateWait time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return min(rateWait, time.Until(deadline))
	}
	return rateWait
}

// shouldRetry is the whole retry decision for one outcome. rateWait is the
// longest wait a 429 may ask for and still be retried.
func shouldRetry(p retryPolicy, resp *http.Response, err error, rateWait time.Duration) bool {
	if p == retryNever {
		return false
	}
	if err != nil {
		if !retryableTransportError(err) {
			return false
		}
		return p == retryIdempotent || isDialError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		// Rule P8: waiting longer than the caller allows is not retried:
		// the error goes back at once with its RetryAfter, and the caller
		// decides.
		wait, ok := PauseAfter(resp.StatusCode, resp.Header, math.MaxInt64)
		return !ok || wait <= rateWait
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return p == retryIdempotent
	}
	return false
}

// retryableTransportError rules out errors that a repeat cannot fix: those
// go-retryablehttp knows (a bad scheme or header, too many redirects, an
// untrusted certificate), the SDK's own refusals, and an OfflineError.
func retryableTransportError(err error) bool {
	if isOffline(err) {
		return false
	}
	if ok, _ := retryablehttp.ErrorPropagatedRetryPolicy(context.Background(), nil, err); !ok {
		return false
	}
	var throttled *ThrottleError
	var unknownAuthority x509.UnknownAuthorityError
	var certInvalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &throttled),
		errors.As(err, &unknownAuthority), errors.As(err, &certInvalid),
		errors.As(err, &hostname), errors.As(err, &verify):
		return false
	}
	var redirect *redirectError
	return !errors.As(err, &redirect)
}

// isDialError reports whether the connection could not be made at all, the
// one transport failure after which a POST certainly did not reach the
// server.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the wait before retry number retry+1 (rule P8). It grows
// exponentially from min, with jitter so that many goroutines do not retry
// in step. After a 429 that says how long to wait it is that wait when
// longer: the server knows when the quota refills. Never less than the
// backoff, though: a 429 that comes back after its wait has passed shows
// that the store's word is not enough (another app spends the quota as it
// refills, or a proxy keeps refusing), and each such retry must wait
// longer than the one before.
func backoff(min, max time.Duration, retry int, resp *http.Response) time.Duration {
	d := expBackoff(min, max, retry)
	if resp != nil {
		if wait, ok := PauseAfter(resp.StatusCode, resp.Header, math.MaxInt64); ok && wait > d {
			return wait
		}
	}
	return d
}

func expBackoff(min, max time.Duration, attempt int) time.Duration {
	// Growing from a zero minimum stays at zero: WithRetryWait(0, max)
	// retries failures at once while still honouring a 429's wait up to
	// max.
	if min <= 0 || max <= 0 {
		return 0
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		d = max
	}
	// Equal jitter: half fixed, half random, never under min.
	half := d / 2
	if half > 0 {
		d = half + rand.N(half+1)
	}
	if d < min {
		d = min
	}
	return d
}
