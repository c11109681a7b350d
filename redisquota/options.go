package redisquota

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Defaults of the options.
const (
	// DefaultKeyPrefix starts every key the Limiter writes.
	DefaultKeyPrefix = "bigcommerce:ratelimit"
	// DefaultMaxConcurrentRequests is BigCommerce's cap on a store's
	// requests in flight on the customer-group endpoints.
	DefaultMaxConcurrentRequests = 40
	// DefaultLeaseTTL is how long a request's slot is held when its
	// process never releases it, for instance because it died. It is longer
	// than any request should take: a lease that expires while its request
	// still runs lets one request more than the cap go out.
	DefaultLeaseTTL = 30 * time.Second
	// DefaultStepTimeout bounds each round trip to Redis. A healthy Redis
	// answers in well under a millisecond on a local network; past this the
	// Client paces alone, with the share of the store it learnt, instead
	// of waiting (rule F6).
	DefaultStepTimeout = 100 * time.Millisecond
	// DefaultMaxStepTimeout is how long a round trip may take while Redis
	// has been answering. On a machine whose CPUs are busy, a healthy
	// Redis's answers were measured arriving hundreds of milliseconds late;
	// with two seconds none was taken for an outage.
	DefaultMaxStepTimeout = 2 * time.Second
)

// maxProbeTTL bounds how long the first request to a store whose quota is
// unknown holds back the others (rule F3): a prober that died must not
// stall every process for a whole lease TTL.
const maxProbeTTL = 5 * time.Second

// ErrInvalidConfig is matched, through errors.Is, by every error that
// New returns for bad input, and by the value that MustNew panics with.
var ErrInvalidConfig = errors.New("redisquota: invalid configuration")

// ConfigError says which argument of New breaks which rule. It
// matches ErrInvalidConfig.
type ConfigError struct {
	// Arg names the argument: "rdb" or the option, such as "WithKeyPrefix".
	Arg string
	// Rule says what is wrong with it.
	Rule string
}

// Error names the argument and the rule it breaks.
func (e *ConfigError) Error() string { return "redisquota: " + e.Arg + ": " + e.Rule }

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

func invalid(arg, format string, args ...any) error {
	return &ConfigError{Arg: arg, Rule: fmt.Sprintf(format, args...)}
}

// Option configures a Limiter.
type Option func(*config) error

type config struct {
	prefix      string
	maxInFlight int
	leaseTTL    time.Duration
	stepTimeout time.Duration
	maxStep     time.Duration // raised to stepTimeout when below it
	observer    StepObserver  // nil unless WithStepObserver
}

func defaults() config {
	return config{
		prefix:      DefaultKeyPrefix,
		maxInFlight: DefaultMaxConcurrentRequests,
		leaseTTL:    DefaultLeaseTTL,
		stepTimeout: DefaultStepTimeout,
		maxStep:     DefaultMaxStepTimeout,
	}
}

// WithKeyPrefix sets the start of every key the Limiter writes, so that
// several applications or environments can share one Redis without sharing
// counts. Limiters that pace the same stores must use the same prefix.
//
// The prefix must not be empty and must not contain braces, which Redis
// Cluster reads as a hash tag (every store would then land on one slot),
// spaces or control characters.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) error {
		if prefix == "" {
			return invalid("WithKeyPrefix", "must not be empty")
		}
		if i := strings.IndexFunc(prefix, func(r rune) bool {
			return r == '{' || r == '}' || unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar
		}); i >= 0 {
			return invalid("WithKeyPrefix", "must not contain braces, spaces or control characters, got %q", prefix)
		}
		c.prefix = prefix
		return nil
	}
}

// WithMaxConcurrentRequests caps the requests in flight to one store,
// counted across every process that shares the Redis. The default is
// DefaultMaxConcurrentRequests.
func WithMaxConcurrentRequests(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalid("WithMaxConcurrentRequests", "must be at least 1, got %d", n)
		}
		c.maxInFlight = n
		return nil
	}
}

// WithLeaseTTL sets how long a slot counts as in flight when its request
// is never released, as when its process dies. The first request to a
// store of unknown quota holds the others back for at most the smaller of
// this and 5 s. The default is DefaultLeaseTTL; Redis counts it in whole
// milliseconds.
func WithLeaseTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return invalid("WithLeaseTTL", "must be at least 1ms, got %s", d)
		}
		c.leaseTTL = d
		return nil
	}
}

// WithStepTimeout bounds each round trip to Redis once one has gone
// unanswered, until one succeeds again: when Redis does not answer within
// it, Acquire reports bigcommerce.ErrLimiterUnavailable and the Client
// paces the request alone (rule F6); Release gives up and
// leaves the lease to expire. While Redis has been answering, a round trip gets
// WithMaxStepTimeout instead, so that an answer made late by a busy machine
// is not taken for an outage, and so does one after Redis refused or reset
// connections: those are reported at once either way, and a Redis coming
// back from a restart is slow to answer its first round trips. The default
// is DefaultStepTimeout.
func WithStepTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("WithStepTimeout", "must be positive, got %s", d)
		}
		c.stepTimeout = d
		return nil
	}
}

// WithMaxStepTimeout bounds each round trip to Redis while Redis has been
// answering: a step that takes longer than WithStepTimeout then still
// counts, because a late answer from a working Redis (a busy machine, a
// garbage-collection pause) is no outage. The cost is that a Redis that
// stops answering without refusing connections, as one paused or cut off
// by a firewall, holds the requests then waiting for up to this long, once;
// after that failure, steps get WithStepTimeout until one succeeds. A value
// below WithStepTimeout is raised to it. The default is
// DefaultMaxStepTimeout.
func WithMaxStepTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("WithMaxStepTimeout", "must be positive, got %s", d)
		}
		c.maxStep = d
		return nil
	}
}

// StepObserver hears each round trip a Limiter makes to Redis, once it is
// over: which step ("acquire" before a request, "release" after it,
// "leave" for a caller that gave up), for which store (its API root), how
// long it took, and its error, a timeout included. ctx is the request's
// context for an acquire, so a tracer finds the request's span there. It
// is called on the request's goroutine and must be quick.
//
// bcotel's Tracer has a method of this shape, ObserveLimiterStep, which
// records the steps' latency and errors beside the Client's own metrics:
//
//	tr := bcotel.NewTracer()
//	limiter, err := redisquota.New(rdb, redisquota.WithStepObserver(tr.ObserveLimiterStep))
//	client, err := bigcommerce.NewClient(auth, bigcommerce.WithRateLimiter(limiter), bigcommerce.WithTracer(tr))
type StepObserver func(ctx context.Context, step, apiRoot string, d time.Duration, err error)

// WithStepObserver has the Limiter report each round trip to Redis to f.
// The Client reports its switches to pacing alone and back through its own
// Tracer (bigcommerce.WithTracer); this is the Limiter's side: how long
// Redis takes to answer, and how often it does not.
func WithStepObserver(f StepObserver) Option {
	return func(c *config) error {
		c.observer = f
		return nil
	}
}
