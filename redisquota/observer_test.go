package redisquota

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// stepLog records what a StepObserver hears.
type stepLog struct {
	mu    sync.Mutex
	steps []string
	roots []string
	errs  []error
	ctxOK []bool
}

type ctxMark struct{}

func (l *stepLog) observe(ctx context.Context, step, apiRoot string, d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, step)
	l.roots = append(l.roots, apiRoot)
	l.errs = append(l.errs, err)
	l.ctxOK = append(l.ctxOK, ctx.Value(ctxMark{}) != nil)
	if d <= 0 {
		l.errs[len(l.errs)-1] = errors.Join(err, errors.New("no duration"))
	}
}

func TestAStepObserverHearsEveryRoundTrip(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	log := &stepLog{}
	l := MustNew(srv.Client(), WithStepObserver(log.observe))
	root := rootOf(t, "")
	ctx := context.WithValue(context.Background(), ctxMark{}, true)
	p, err := l.Acquire(ctx, root, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p.Report(http.StatusOK, rateHeader(10, 9, time.Minute, time.Minute))
	p.Release()

	srv.Kill()
	if _, err := l.Acquire(ctx, root, time.Second); err == nil {
		t.Fatal("Acquire with Redis killed succeeded")
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.steps) < 3 || log.steps[0] != "acquire" || log.steps[1] != "release" || log.steps[2] != "acquire" {
		t.Fatalf("steps %q, want acquire, release, then the failed acquire", log.steps)
	}
	for i, r := range log.roots {
		if r != root {
			t.Errorf("step %d named store %q, want %q", i, r, root)
		}
	}
	if log.errs[0] != nil || log.errs[1] != nil {
		t.Errorf("the steps that Redis answered reported %v and %v", log.errs[0], log.errs[1])
	}
	if log.errs[2] == nil {
		t.Error("the acquire against a killed Redis reported no error")
	}
	if !log.ctxOK[0] || !log.ctxOK[2] {
		t.Error("an acquire's step was not observed in the request's context")
	}
}
