package redisquota

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/redis/go-redis/v9"
)

// errNoAnswer is the cause of a step that ran out of time.
var errNoAnswer = errors.New("no answer from Redis")

// refusedError is the cause of a step cut short because a connection to
// Redis could not be made.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return "Redis refused the connection: " + e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// dialWatch tells the steps in progress that a dial to Redis failed (rule
// F7 of docs/pacing.md). A
// Redis that is down refuses connections, or resets them and then refuses
// the next dial, at once; go-redis retries those dials with a backoff for
// a second or more before it gives up, which would keep a step waiting for
// as long as the patience a merely slow Redis is given. Watching the dials
// tells the two apart as soon as it happens.
type dialWatch struct {
	mu     sync.Mutex
	ctx    context.Context // cancelled, with a *refusedError, at the next failed dial
	cancel context.CancelCauseFunc
	// down is set at a failed dial and cleared when redial succeeds.
	down atomic.Bool
	// redial dials Redis as the client would, outside its pool; nil when
	// the client is not a *redis.Client, whose one address it dials.
	redial func(ctx context.Context) error
}

func newDialWatch(rdb redis.UniversalClient) *dialWatch {
	w := &dialWatch{}
	w.ctx, w.cancel = context.WithCancelCause(context.Background())
	if c, ok := rdb.(*redis.Client); ok && c.Options().Dialer != nil {
		o := c.Options()
		w.redial = func(ctx context.Context) error {
			conn, err := o.Dialer(ctx, o.Network, o.Addr)
			if err == nil {
				_ = conn.Close()
			}
			return err
		}
	}
	return w
}

// back reports whether Redis takes connections again (rule F7). While
// dials fail, a step asks with a dial of its own instead of a command:
// go-redis's pool counts the dials that failed, never resets the count on
// a dial that succeeds, and once it reaches the pool's size fails every
// command at once until a dial in the background, once a second,
// succeeds; a command sent while Redis is down would add to the count.
func (w *dialWatch) back(ctx context.Context) error {
	if w.redial == nil || !w.down.Load() {
		return nil
	}
	if err := w.redial(ctx); err != nil {
		return &refusedError{err}
	}
	w.down.Store(false)
	return nil
}

// next is done at the next failed dial.
func (w *dialWatch) next() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctx
}

func (w *dialWatch) refused(err error) {
	w.down.Store(true)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancel(&refusedError{err})
	w.ctx, w.cancel = context.WithCancelCause(context.Background())
}

// DialHook reports dials that fail on their own, not because their
// context ended: those are refusals, resets and unreachable hosts.
func (w *dialWatch) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil && ctx.Err() == nil {
			w.refused(err)
		}
		return conn, err
	}
}

// ProcessHook leaves commands alone.
func (w *dialWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

// ProcessPipelineHook leaves pipelines alone.
func (w *dialWatch) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

type stepResult struct {
	r   reply
	err error
}

// step runs one script. While Redis has been answering it may take up to
// the longest step timeout; after a step that got no answer in time, only
// the step timeout. A failed dial cuts it short either way (rule F7).
//
// name and s say which step it is and for which store, for the step
// observer (WithStepObserver).
func (l *Limiter) step(ctx context.Context, name string, s *store, script *redis.Script, args ...any) (r reply, err error) {
	if l.cfg.observer != nil {
		start := time.Now()
		defer func() { l.cfg.observer(ctx, name, s.apiRoot, time.Since(start), err) }()
	}
	keys := s.keys
	timeout := l.cfg.maxStep
	if l.unanswered.Load() {
		timeout = l.cfg.stepTimeout
	}
	ctx, cancelRefused := context.WithCancelCause(ctx)
	defer cancelRefused(nil)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errNoAnswer)
	defer cancel()
	refused := l.dials.next()
	stop := context.AfterFunc(refused, func() { cancelRefused(context.Cause(refused)) })
	defer stop()

	err = l.dials.back(ctx)
	switch {
	case err != nil:
	case l.ctxBound:
		r, err = run(ctx, l.rdb, script, keys, args)
	default:
		done := make(chan stepResult, 1)
		go func() {
			r, err := run(ctx, l.rdb, script, keys, args)
			done <- stepResult{r, err}
		}()
		select {
		case res := <-done:
			r, err = res.r, res.err
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		// The cause says why the step's context ended, when it did.
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
			err = cause
			if cause == errNoAnswer {
				l.unanswered.Store(true)
				err = fmt.Errorf("%w within %s", errNoAnswer, timeout)
			}
		}
		return reply{}, err
	}
	l.unanswered.Store(false)
	return r, nil
}

func run(ctx context.Context, rdb redis.UniversalClient, script *redis.Script, keys []string, args []any) (reply, error) {
	res, err := script.Run(ctx, rdb, keys, args...).Int64Slice()
	if err != nil {
		return reply{}, err
	}
	return decodeReply(res)
}

// failed turns a failed step into ctx's error when ctx ended, and into an
// error matching bigcommerce.ErrLimiterUnavailable otherwise.
func (l *Limiter) failed(ctx context.Context, step, apiRoot string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("redisquota: %s for %s: %w: %w", step, apiRoot, bigcommerce.ErrLimiterUnavailable, err)
}
