package redisquota

import (
	"context"
	crand "crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/redis/go-redis/v9"
)

var (
	//go:embed acquire.lua
	acquireLua    string
	acquireScript = redis.NewScript(acquireLua)
	//go:embed release.lua
	releaseLua    string
	releaseScript = redis.NewScript(releaseLua)
)

// The codes acquire.lua answers with.
const (
	codeGranted      = 0
	codeGrantedProbe = 1
	codeWaitQuota    = 2
	codeWaitSlot     = 3
	codeWaitProbe    = 4
)

// A request waiting for a slot or for the probe's answer cannot know when
// it will come, so it asks again, each time a little later: soon enough
// that a freed slot is not left idle for long, and rarely enough that a
// crowd of waiters does not load Redis.
const (
	firstPoll = 2 * time.Millisecond
	maxPoll   = 50 * time.Millisecond
)

// Limiter is a bigcommerce.RateLimiter whose state lives in Redis, so that
// every process pacing the same stores through the same Redis shares one
// count of each store's quota and of its requests in flight. It is safe
// for concurrent use, and one Limiter serves any number of stores and
// Clients.
type Limiter struct {
	rdb redis.UniversalClient
	cfg config
	// ctxBound is true when rdb gives up on a command at its context's
	// deadline; otherwise each step runs in a goroutine of its own, so that
	// the step timeout holds even while rdb waits out its read timeout.
	ctxBound bool

	leaseTTLms, probeTTLms int64
	idPrefix               string
	nextID                 atomic.Uint64
	stores                 sync.Map // apiRoot -> *store
}

var _ bigcommerce.RateLimiter = (*Limiter)(nil)

// New returns a Limiter that keeps its state in rdb: a *redis.Client, a
// *redis.ClusterClient or any other redis.UniversalClient. It panics with
// an error matching ErrInvalidConfig when rdb is nil or an option is
// invalid, as regexp.MustCompile does: those are mistakes in the program,
// best found when it starts. Use NewLimiter for settings read from
// configuration.
func New(rdb redis.UniversalClient, opts ...Option) *Limiter {
	l, err := NewLimiter(rdb, opts...)
	if err != nil {
		panic(err)
	}
	return l
}

// NewLimiter is New returning a *ConfigError instead of panicking.
func NewLimiter(rdb redis.UniversalClient, opts ...Option) (*Limiter, error) {
	if isNil(rdb) {
		return nil, invalid("rdb", "must not be nil")
	}
	cfg := defaults()
	for _, opt := range opts {
		if opt == nil {
			return nil, invalid("opts", "must not hold a nil Option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	var b [8]byte
	_, _ = crand.Read(b[:])
	return &Limiter{
		rdb:        rdb,
		cfg:        cfg,
		ctxBound:   respectsContext(rdb),
		leaseTTLms: cfg.leaseTTL.Milliseconds(),
		probeTTLms: min(cfg.leaseTTL, maxProbeTTL).Milliseconds(),
		// Lease ids must differ across processes, which share no counter.
		idPrefix: hex.EncodeToString(b[:]) + ":",
	}, nil
}

// isNil also catches a typed nil pointer in the interface, which would
// otherwise panic on the first request instead of at New.
func isNil(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case nil:
		return true
	case *redis.Client:
		return c == nil
	case *redis.ClusterClient:
		return c == nil
	case *redis.Ring:
		return c == nil
	}
	return false
}

func respectsContext(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// store is what the Limiter keeps in memory about one store: its keys,
// built once, and the latest view of its quota for Rate.
type store struct {
	keys []string

	mu   sync.Mutex
	rate bigcommerce.Rate
	at   time.Time // when rate was read
}

func (l *Limiter) store(apiRoot string) *store {
	if s, ok := l.stores.Load(apiRoot); ok {
		return s.(*store)
	}
	// The braces make the API root the keys' hash tag: Redis Cluster puts
	// all of one store's keys in one slot, which a script needs, and
	// spreads the stores over the cluster.
	base := l.cfg.prefix + ":{" + apiRoot + "}:"
	s, _ := l.stores.LoadOrStore(apiRoot, &store{keys: []string{base + "state", base + "inflight", base + "probe"}})
	return s.(*store)
}

// see records the view a script returned: quota, left, reset in, window.
func (s *store) see(res []int64) {
	if len(res) < 6 {
		return
	}
	r := bigcommerce.Rate{Quota: int(res[2]), Remaining: int(res[3]), ResetIn: time.Duration(res[4]) * time.Millisecond, Window: time.Duration(res[5]) * time.Millisecond}
	if r.Quota <= 0 {
		r = bigcommerce.Rate{}
	}
	now := time.Now()
	s.mu.Lock()
	s.rate, s.at = r, now
	s.mu.Unlock()
}

// Rate is the store's quota as Redis last told this Limiter, at its latest
// Acquire or Release for the store, with ResetIn counted
// from now. It costs no round trip.
func (l *Limiter) Rate(apiRoot string) bigcommerce.Rate {
	v, ok := l.stores.Load(apiRoot)
	if !ok {
		return bigcommerce.Rate{}
	}
	s := v.(*store)
	s.mu.Lock()
	r, at := s.rate, s.at
	s.mu.Unlock()
	if r.Quota > 0 {
		r.ResetIn = max(r.ResetIn-time.Since(at), 0)
	}
	return r
}

// Acquire takes one request of the store's quota and one of its slots in
// Redis, waiting as long as both are spent. Each try is one round trip.
func (l *Limiter) Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (bigcommerce.Permit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := l.store(apiRoot)
	id := l.idPrefix + strconv.FormatUint(l.nextID.Add(1), 36)
	start := time.Now()
	poll := firstPoll
	for {
		res, err := l.step(ctx, acquireScript, s.keys, id, l.cfg.maxInFlight, l.leaseTTLms, l.probeTTLms)
		if err != nil {
			return nil, l.failed(ctx, "acquire", apiRoot, err)
		}
		s.see(res)
		var wait time.Duration
		switch res[0] {
		case codeGranted, codeGrantedProbe:
			return &permit{l: l, s: s, id: id, maxWait: maxWait}, nil
		case codeWaitQuota:
			wait = time.Duration(res[1]) * time.Millisecond
			if err := tooLong(ctx, wait, time.Since(start)+wait, maxWait); err != nil {
				return nil, err
			}
		default:
			// Jitter keeps the waiters of many processes from asking in
			// step.
			wait = poll/2 + rand.N(poll/2+1)
			poll = min(2*poll, maxPoll)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// tooLong refuses a wait that would take the request past maxWait, counted
// from the start of Acquire, or past ctx's deadline, so that the caller
// learns at once how long the quota stays spent.
func tooLong(ctx context.Context, wait, total, maxWait time.Duration) error {
	if total > maxWait {
		return &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "the store's API quota, shared through Redis, is spent for longer than the longest rate-limit wait (" + maxWait.String() + ")"}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "the store's API quota, shared through Redis, is spent past the call's deadline"}
	}
	return nil
}

// failed turns a failed step into ctx's error when ctx ended, and into an
// error matching bigcommerce.ErrLimiterUnavailable otherwise.
func (l *Limiter) failed(ctx context.Context, step, apiRoot string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within the step timeout (%s)", l.cfg.stepTimeout)
	}
	return fmt.Errorf("redisquota: %s for %s: %w: %w", step, apiRoot, bigcommerce.ErrLimiterUnavailable, err)
}

type stepResult struct {
	res []int64
	err error
}

// step runs one script, bounded by the step timeout.
func (l *Limiter) step(ctx context.Context, script *redis.Script, keys []string, args ...any) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.stepTimeout)
	defer cancel()
	if l.ctxBound {
		return checked(script.Run(ctx, l.rdb, keys, args...).Int64Slice())
	}
	done := make(chan stepResult, 1)
	go func() {
		res, err := checked(script.Run(ctx, l.rdb, keys, args...).Int64Slice())
		done <- stepResult{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// checked refuses an answer of the wrong shape, which only a script other
// than ours under the same SHA could give.
func checked(res []int64, err error) ([]int64, error) {
	if err == nil && len(res) != 6 {
		err = fmt.Errorf("unexpected script answer %v", res)
	}
	return res, err
}

// permit is one request's lease. Report only remembers the answer, so that
// the request costs one round trip after it, in Release.
type permit struct {
	l       *Limiter
	s       *store
	id      string
	maxWait time.Duration

	reported   bool
	status     int
	answeredAt time.Time
	rate       bigcommerce.Rate
	hasRate    bool
	pause      time.Duration // -1 when a 429 did not say
}

func (p *permit) Report(status int, h http.Header) {
	p.reported, p.status, p.answeredAt = true, status, time.Now()
	p.rate, p.hasRate = bigcommerce.ParseRate(h)
	p.pause = -1
	if status == http.StatusTooManyRequests {
		if d, ok := bigcommerce.RateLimitWait(h); ok {
			p.pause = d
		}
	}
}

// Release frees the slot and passes the answer on to the shared state. It
// waits at most the step timeout; if Redis does not answer, the lease
// expires by itself and the next answers correct the count.
func (p *permit) Release() {
	var args []any
	if !p.reported {
		args = []any{p.id, 0}
	} else {
		args = []any{p.id, 1, p.status, time.Since(p.answeredAt).Milliseconds(),
			boolInt(p.hasRate), p.rate.Quota, p.rate.Remaining, p.rate.ResetIn.Milliseconds(), p.rate.Window.Milliseconds(),
			millis(p.pause), p.maxWait.Milliseconds()}
	}
	res, err := p.l.step(context.Background(), releaseScript, p.s.keys, args...)
	if err == nil {
		p.s.see(res)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func millis(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return d.Milliseconds()
}
