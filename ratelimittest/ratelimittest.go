// Package ratelimittest checks that a bigcommerce.RateLimiter keeps the
// contract a bigcommerce.Client relies on, whatever it keeps its counts in:
// the Client's own in-process throttle, Redis (the redisquota module), or a
// limiter of your own on Memcached or a database.
//
// A limiter's test calls Run with a function that builds a fresh limiter:
//
//	func TestConformance(t *testing.T) {
//		ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
//			return mylimiter.New(mylimiter.WithMaxInFlight(cfg.MaxInFlight), mylimiter.WithPrefix(cfg.Namespace))
//		}, ratelimittest.Shared())
//	}
//
// Run drives the limiter as the Client does, Acquire, then Report with the
// answer's status and BigCommerce's X-Rate-Limit-* and X-Retry-After
// headers, then Release, from many goroutines, playing the part of the
// store's server. It checks that:
//
//   - exactly the quota the server reports is granted within a window,
//     however many goroutines ask;
//   - no more requests are in flight than the cap;
//   - the first request to a store of unknown quota goes alone, and the
//     others wait for its answer, but not for ever when it gets none, and
//     one of them giving up does not let the rest go;
//   - an answer that arrives late, overtaken by newer ones or from a window
//     that has ended, does not raise the count;
//   - the window refills once it ends;
//   - other apps' use of the store, seen in the headers, lowers what is
//     granted (a limiter shared by a fleet grants all that is left; one
//     process's own pacing may keep to its share of it);
//   - a 429 that asks for a wait pauses every request, and a 429 that does
//     not (one that still reports requests left, from the store's cap on
//     requests in flight; one with X-Retry-After: 0; one with no headers)
//     pauses none; a refused request is not counted;
//   - a Permit released twice frees one slot: the second Release is a
//     no-op (the Client releases each Permit once, but a limiter that a
//     stray second call corrupts turns one caller's bug into more requests
//     in flight than the store allows);
//   - a canceled context ends a wait at once with the context's error and
//     leaves no slot held;
//   - a wait longer than maxWait, or past the context's deadline, is
//     refused at once with a *bigcommerce.ThrottleError, which matches
//     bigcommerce.ErrRateLimited, and leaves no slot held.
//
// Each check is a parallel subtest named for it, such as
// QuotaIsGrantedExactlyOnce: the name Skip takes (go test -v lists them
// all, each with the rules of the bigcommerce module's docs/pacing.md it
// checks). A case waits out a window of a second at most, and most wait for
// none, so a run takes a few seconds. The checks count grants and
// refusals. Where a check depends on the clock, as on whether a window has
// ended, the suite measures whether the machine kept up, and tries again
// on a fresh store when it did not, so that a busy machine makes the suite
// slower rather than wrong.
//
// The suite plays a healthy backend: a limiter that answers an error
// matching bigcommerce.ErrLimiterUnavailable fails it. Give a limiter with
// a network round trip a generous timeout under the suite, since the race
// detector on a busy machine slows every step.
package ratelimittest

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// Config is what one fresh limiter needs to know for one case of the
// suite.
type Config struct {
	// MaxInFlight is the cap on requests in flight to the store that the
	// limiter must enforce, as bigcommerce.WithMaxConcurrentRequests sets
	// it for the in-process throttle.
	MaxInFlight int
	// APIRoot is the root of the one store the case paces, which the suite
	// also passes to Acquire and Rate. A limiter that serves one store only
	// can be built for it.
	APIRoot string
	// Namespace is unique to one case of one run, and made of lowercase
	// letters, digits and dashes, so that it can start a key, a file name
	// or a table name. Limiters that keep their state outside the process
	// should keep it under the namespace, so that cases running in
	// parallel, or earlier runs, leave no state behind for this one.
	Namespace string
}

// An Option changes how Run checks a limiter.
type Option func(*suite)

// Shared tells Run that limiters built with one Config share their state,
// as processes sharing one store's quota through a shared backend do. Run
// then builds three limiters for each case and spreads its requests over
// them, so that each check also holds across processes.
//
// Without it, Run builds one limiter per case, which is what an in-process
// limiter needs.
func Shared() Option {
	return func(s *suite) { s.instances = 3 }
}

// Skip skips the case of the suite named name, whose subtest then reports
// reason. It is for a limiter with a known deviation from the contract,
// reported where it will be fixed, so that the rest of the suite guards it
// meanwhile and the deviation stays visible in the test's output. Run fails
// when name is not one of its cases, so that a renamed case is not skipped
// unnoticed.
func Skip(name, reason string) Option {
	return func(s *suite) {
		if s.skip == nil {
			s.skip = map[string]string{}
		}
		s.skip[name] = reason
	}
}

// Run checks the limiters that newLimiter builds against the contract of
// bigcommerce.RateLimiter, in parallel subtests of t. newLimiter is called
// with the subtest's t, and must return a fresh limiter that knows nothing
// of the store at cfg.APIRoot yet, or fail t; it may use t.Cleanup to
// close what it opened.
func Run(t *testing.T, newLimiter func(t *testing.T, cfg Config) bigcommerce.RateLimiter, opts ...Option) {
	t.Helper()
	s := &suite{newLimiter: newLimiter, instances: 1}
	for _, opt := range opts {
		opt(s)
	}
	known := map[string]bool{}
	for _, c := range cases {
		known[c.name] = true
	}
	for name := range s.skip {
		if !known[name] {
			t.Errorf("ratelimittest: Skip names %q, which is no case of the suite", name)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			t.Logf("checks rules %s of the bigcommerce module's docs/pacing.md", c.rules)
			if reason, ok := s.skip[c.name]; ok {
				t.Skip(reason)
			}
			c.run(s, t)
		})
	}
}

type suite struct {
	newLimiter func(t *testing.T, cfg Config) bigcommerce.RateLimiter
	instances  int
	skip       map[string]string // case name -> why
}

// How long the checks that something did not happen watch for it, and how
// long the checks that something does happen wait for it. The first is
// short, so that the suite stays fast; the second is long, so that a slow
// machine cannot fail a limiter that is merely slow.
const (
	watch   = 100 * time.Millisecond
	patient = 10 * time.Second
)

// A long window is one the cases never see end.
const longWindow = time.Minute

// store is one case's store and the limiters that pace it.
type store struct {
	t        *testing.T
	root     string
	limiters []bigcommerce.RateLimiter
}

// start builds the limiters for one try of a case, on a store of its own.
func (s *suite) start(t *testing.T, maxInFlight int) *store {
	t.Helper()
	ns := namespace(t)
	cfg := Config{MaxInFlight: maxInFlight, APIRoot: "https://api.bigcommerce.test/stores/" + ns + "/v2", Namespace: ns}
	st := &store{t: t, root: cfg.APIRoot}
	for range s.instances {
		l := s.newLimiter(t, cfg)
		if l == nil {
			t.Fatal("ratelimittest: newLimiter returned nil")
		}
		st.limiters = append(st.limiters, l)
	}
	return st
}

// namespace is the test's name made safe for keys, with random letters
// added so that a store shared across runs holds nothing for this one.
func namespace(t *testing.T) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		} else if s := b.String(); s != "" && !strings.HasSuffix(s, "-") {
			b.WriteByte('-')
		}
	}
	var random [4]byte
	_, _ = crand.Read(random[:])
	return strings.TrimSuffix(b.String(), "-") + "-" + hex.EncodeToString(random[:])
}

// on is the limiter that request i goes through: requests take turns over
// the limiters, as they would over processes.
func (st *store) on(i int) bigcommerce.RateLimiter { return st.limiters[i%len(st.limiters)] }

// acquire takes a permit through limiter i, failing the test unless it is
// granted.
func (st *store) acquire(i int, maxWait time.Duration) bigcommerce.Permit {
	st.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patient)
	defer cancel()
	p, err := st.on(i).Acquire(ctx, st.root, maxWait)
	if err != nil {
		st.t.Fatalf("Acquire through limiter %d = %v, want a permit", i%len(st.limiters), err)
	}
	if p == nil {
		st.t.Fatalf("Acquire through limiter %d returned neither a permit nor an error", i%len(st.limiters))
	}
	return p
}

// tryAcquire asks limiter i once for a permit without waiting for quota.
func (st *store) tryAcquire(i int) (bigcommerce.Permit, error) {
	ctx, cancel := context.WithTimeout(context.Background(), patient)
	defer cancel()
	return st.on(i).Acquire(ctx, st.root, 0)
}

// heldBack reports whether a request through limiter i is kept waiting for
// as long as the suite watches. A permit granted against the rule is left
// unreleased, so that a broken limiter cannot hang the test in Release.
func (st *store) heldBack(i int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), watch)
	defer cancel()
	_, err := st.on(i).Acquire(ctx, st.root, time.Minute)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		st.t.Errorf("Acquire while it should wait = %v, want it to wait until its context ends", err)
	}
	return err != nil
}

// grant has n goroutines, spread over the limiters, each ask once for a
// permit without waiting for quota, and counts the permits granted. Each
// permit is released without an answer, as after a request that failed,
// which changes no count.
func (st *store) grant(n int) int {
	st.t.Helper()
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := st.tryAcquire(i)
			if err == nil {
				granted.Add(1)
				p.Release()
				return
			}
			if !throttled(err) {
				st.t.Errorf("Acquire with no wait allowed = %v, want a permit or a *bigcommerce.ThrottleError", err)
			}
		})
	}
	wg.Wait()
	return int(granted.Load())
}

// throttled reports whether err is the refusal the contract asks for.
func throttled(err error) bool {
	var te *bigcommerce.ThrottleError
	return errors.As(err, &te) && errors.Is(err, bigcommerce.ErrRateLimited)
}

// answer reports an answer to p and releases it, as the Client does.
func answer(p bigcommerce.Permit, status int, h http.Header) {
	p.Report(status, h)
	p.Release()
}

// window stands in for the server's count of one store's window: it
// writes the headers that the server's answers carry.
type window struct {
	quota  int
	length time.Duration
	start  time.Time
}

// open starts a window of the store's quota as the server sees it.
func open(quota int, length time.Duration) *window {
	return &window{quota: quota, length: length, start: time.Now()}
}

func (w *window) end() time.Time { return w.start.Add(w.length) }

// header is what an answer says when the server has left requests of the
// window to go.
func (w *window) header(left int) http.Header {
	return rateHeader(w.quota, left, max(time.Until(w.end()), 0), w.length)
}

func rateHeader(quota, left int, reset, length time.Duration) http.Header {
	h := http.Header{}
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(quota))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(left))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(length.Milliseconds(), 10))
	return h
}

// teach makes the store's quota known as the first answer does: one
// request goes, and its answer says it left quota-1 of a window that
// begins now.
func (st *store) teach(quota int, length time.Duration) *window {
	st.t.Helper()
	p := st.acquire(0, time.Second)
	w := open(quota, length)
	answer(p, http.StatusOK, w.header(quota-1))
	if r := st.on(0).Rate(st.root); r.Quota != quota || r.Window != length {
		st.t.Errorf("Rate after the first answer = %+v, want quota %d and window %s", r, quota, length)
	}
	return w
}

// errSlow marks a try that the machine did not keep up with: the window
// it counted on ended, or nearly, before the checks that needed it were
// done.
var errSlow = errors.New("the machine was too slow for this try")

// slow says which step of a try took too long.
func slow(step string, took time.Duration) error {
	return fmt.Errorf("%w: %s took %s", errSlow, step, took.Round(time.Millisecond))
}

// tries is how often a clock-bound case is tried before a machine that
// keeps being too slow fails it.
const tries = 5

// clocked runs a case whose checks hold only while the machine keeps up
// with a short window. try returns nil when its checks passed, errSlow to
// be tried again on a fresh store, or the failure.
func (s *suite) clocked(t *testing.T, try func(t *testing.T) error) {
	t.Helper()
	for range tries {
		err := try(t)
		if err == nil {
			return
		}
		if !errors.Is(err, errSlow) {
			t.Fatal(err)
		}
		t.Log(err)
	}
	t.Fatalf("every one of %d tries was too slow to judge: the machine is too busy for this case's windows", tries)
}

// result is what one Acquire in a goroutine of its own gave.
type result struct {
	permit bigcommerce.Permit
	err    error
}

// acquireAsync starts Acquire through limiter i in a goroutine of its own.
func (st *store) acquireAsync(ctx context.Context, i int, maxWait time.Duration) <-chan result {
	res := make(chan result, 1)
	go func() {
		p, err := st.on(i).Acquire(ctx, st.root, maxWait)
		res <- result{p, err}
	}()
	return res
}

// await waits for an Acquire started by acquireAsync, failing the test if
// it does not return within d.
func await(t *testing.T, res <-chan result, d time.Duration, what string) result {
	t.Helper()
	select {
	case r := <-res:
		return r
	case <-time.After(d):
		t.Fatalf("%s: Acquire had not returned after %s", what, d)
		return result{}
	}
}
