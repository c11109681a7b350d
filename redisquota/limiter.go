package redisquota

import (
	"context"
	crand "crypto/rand"
	_ "embed"
	"encoding/hex"
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

// The scripts share their start, prelude.lua, which decodes the state both
// read. It is joined to each here rather than loaded as a script of its own
// (Redis cannot call one script from another), so each step is still one
// EVALSHA.
var (
	//go:embed prelude.lua
	preludeLua string
	//go:embed acquire.lua
	acquireLua    string
	acquireSource = preludeLua + "\n" + acquireLua
	acquireScript = redis.NewScript(acquireSource)
	//go:embed release.lua
	releaseLua    string
	releaseSource = preludeLua + "\n" + releaseLua
	releaseScript = redis.NewScript(releaseSource)
)

// The codes acquire.lua answers with.
const (
	codeGranted      = 0
	codeGrantedProbe = 1
	codeWaitQuota    = 2
	codeWaitSlot     = 3
	codeWaitProbe    = 4
	codeTooLong      = 5
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
	// unanswered is set when a step got no answer in time and cleared when
	// one succeeds: while it is set, steps get the short step timeout
	// rather than the patience a slow but working Redis deserves (rule
	// F7). A Redis that refuses or resets connections does not set it:
	// those failures are known at once, and a Redis that restarts is slow
	// to answer its first steps (new connections, its scripts loaded
	// again), which on a busy machine took longer than the short timeout.
	unanswered atomic.Bool
	dials      *dialWatch

	leaseTTLms, probeTTLms int64
	// graceMs is how long past its time to ask again a waiter keeps its
	// place in line: long enough for a round trip on a busy machine, short
	// enough that a waiter whose process died holds up nobody for long.
	graceMs  int64
	idPrefix string
	nextID   atomic.Uint64
	stores   sync.Map // apiRoot -> *store
}

var _ bigcommerce.RateLimiter = (*Limiter)(nil)

// New returns a Limiter that keeps its state in rdb: a *redis.Client, a
// *redis.ClusterClient or any other redis.UniversalClient. It returns a
// *ConfigError, matching ErrInvalidConfig, when rdb is nil or an option is
// invalid. Use MustNew where the options are fixed in the program.
//
// New adds a hook to rdb (to each node's client, for a
// *redis.ClusterClient) that watches its dials, so that a Redis refusing
// connections is told apart from a slow one at once; the hook changes
// nothing for rdb's other users.
func New(rdb redis.UniversalClient, opts ...Option) (*Limiter, error) {
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
	cfg.maxStep = max(cfg.maxStep, cfg.stepTimeout)
	var b [8]byte
	_, _ = crand.Read(b[:])
	// Lease ids must differ across processes, which share no counter.
	dials := newDialWatch(rdb)
	watchDials(rdb, dials)
	return &Limiter{
		dials:      dials,
		rdb:        rdb,
		cfg:        cfg,
		ctxBound:   respectsContext(rdb),
		leaseTTLms: cfg.leaseTTL.Milliseconds(),
		probeTTLms: min(cfg.leaseTTL, maxProbeTTL).Milliseconds(),
		graceMs:    (cfg.maxStep + time.Second).Milliseconds(),
		idPrefix:   hex.EncodeToString(b[:]) + ":",
	}, nil
}

// watchDials adds the hook that watches dials for refusals; it changes
// nothing for the client's other users. A cluster client dials through
// its nodes' clients, so the hook goes on each node as it is made; nodes
// made before New are not watched, and a refusal there is found by the
// step timeout instead.
func watchDials(rdb redis.UniversalClient, w *dialWatch) {
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		c.OnNewNode(func(node *redis.Client) { node.AddHook(w) })
	default:
		rdb.AddHook(w)
	}
}

// MustNew is New that panics on bad input, as regexp.MustCompile does: for
// options fixed in the program, where bad input is a bug best found when
// the program starts.
func MustNew(rdb redis.UniversalClient, opts ...Option) *Limiter {
	l, err := New(rdb, opts...)
	if err != nil {
		panic(err)
	}
	return l
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
// built once, and the latest view of its quota.
type store struct {
	apiRoot string
	keys    []string

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
	s, _ := l.stores.LoadOrStore(apiRoot, &store{apiRoot: apiRoot, keys: []string{base + "state", base + "inflight", base + "probe", base + "line", base + "waiters"}})
	return s.(*store)
}

// reply is a script's answer, decoded from the array of integers that both
// scripts return.
type reply struct {
	code     int64
	wait     time.Duration    // how long to wait before asking again
	rate     bigcommerce.Rate // the shared view; the zero Rate while unknown
	position int              // waiters ahead of the caller in line
}

// replyLen is how many integers a reply holds.
const replyLen = 7

// decodeReply refuses an answer of the wrong shape, which only a script
// other than ours under the same SHA could give.
func decodeReply(res []int64) (reply, error) {
	if len(res) != replyLen {
		return reply{}, fmt.Errorf("unexpected script answer %v", res)
	}
	r := reply{
		code:     res[0],
		wait:     time.Duration(res[1]) * time.Millisecond,
		position: int(res[6]),
	}
	if res[2] > 0 {
		r.rate = bigcommerce.Rate{Quota: int(res[2]), Remaining: int(res[3]), ResetIn: time.Duration(res[4]) * time.Millisecond, Window: time.Duration(res[5]) * time.Millisecond}
	}
	return r, nil
}

// see records what a reply says about the store.
func (s *store) see(r reply) {
	now := time.Now()
	s.mu.Lock()
	s.rate, s.at = r.rate, now
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
// Requests that must wait, in this process or any other, stand in one line
// and are served in the order they arrived (rule F2); one whose turn would
// come later than maxWait or ctx's deadline allows is refused at once with
// a *bigcommerce.ThrottleError and leaves the line.
func (l *Limiter) Acquire(ctx context.Context, apiRoot string, maxWait time.Duration) (bigcommerce.Permit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := l.store(apiRoot)
	id := l.idPrefix + strconv.FormatUint(l.nextID.Add(1), 36)
	start := time.Now()
	poll := firstPoll
	for {
		allow := maxWait - time.Since(start)
		if deadline, ok := ctx.Deadline(); ok {
			allow = min(allow, time.Until(deadline))
		}
		r, err := l.step(ctx, "acquire", s, acquireScript, id, l.cfg.maxInFlight, l.leaseTTLms, l.probeTTLms,
			max(allow.Milliseconds(), -1), l.graceMs)
		if err != nil {
			// The answer may be lost after Redis ran the script: the caller
			// may be in line, or hold a slot or the probe, which would
			// otherwise hold back everyone until they expire.
			go l.leave(s, id)
			return nil, l.failed(ctx, "acquire", apiRoot, err)
		}
		s.see(r)
		var wait time.Duration
		switch r.code {
		case codeGranted, codeGrantedProbe:
			return &permit{l: l, s: s, id: id, maxWait: maxWait}, nil
		case codeTooLong:
			return nil, throttled(r.wait, time.Since(start)+r.wait, maxWait)
		case codeWaitQuota:
			// The answer says when the caller's turn comes: a waiter far
			// back in line sleeps through the windows served before it.
			wait = r.wait
		default:
			// Jitter keeps the waiters of many processes from asking in
			// step; those far back in line, who cannot go before many
			// slots free, ask at the slowest pace.
			if r.position >= l.cfg.maxInFlight {
				poll = maxPoll
			}
			wait = poll/2 + rand.N(poll/2+1)
			poll = min(2*poll, maxPoll)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			// Give up the place at once rather than hold up those behind
			// until it expires; the caller need not wait for that.
			go l.leave(s, id)
			return nil, ctx.Err()
		}
	}
}

// leave takes a caller that gave up out of the line, and frees the slot or
// the probe it may have been granted in an answer it never read. Should
// Redis not answer, they expire by themselves.
func (l *Limiter) leave(s *store, id string) {
	_, _ = l.step(context.Background(), "leave", s, releaseScript, id, 0)
}

// throttled refuses a wait that would take the request past maxWait,
// counted from the start of Acquire, or past ctx's deadline, so that the
// caller learns at once how long until its turn.
func throttled(wait, total, maxWait time.Duration) error {
	if total > maxWait {
		return &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "the store's API quota, shared through Redis, is spent for longer than the longest rate-limit wait (" + maxWait.String() + ")"}
	}
	return &bigcommerce.ThrottleError{RetryAfter: wait, Reason: "the store's API quota, shared through Redis, is spent past the call's deadline"}
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
	pause      time.Duration // -1 when the answer pauses no one
}

func (p *permit) Report(status int, h http.Header) {
	p.reported, p.status, p.answeredAt = true, status, time.Now()
	p.rate, p.hasRate = bigcommerce.ParseRate(h)
	p.pause = -1
	if d, ok := bigcommerce.PauseAfter(status, h, max(p.rate.Window, p.maxWait)); ok {
		p.pause = d
	}
}

// Release frees the slot and passes the answer on to the shared state. It
// waits at most the step timeout; if Redis does not answer, the lease
// expires by itself and the next answers correct the count.
func (p *permit) Release() {
	args := []any{p.id}
	if !p.reported {
		args = append(args, 0)
	} else {
		args = append(args, 1, p.status, time.Since(p.answeredAt).Milliseconds(),
			boolInt(p.hasRate), p.rate.Quota, p.rate.Remaining, p.rate.ResetIn.Milliseconds(), p.rate.Window.Milliseconds(),
			millis(p.pause), p.maxWait.Milliseconds(), p.l.leaseTTLms)
	}
	r, err := p.l.step(context.Background(), "release", p.s, releaseScript, args...)
	if err == nil {
		p.s.see(r)
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
