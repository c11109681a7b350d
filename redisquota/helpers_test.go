package redisquota

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// rootOf gives each test a store of its own.
func rootOf(t testing.TB, suffix string) string {
	return "https://api.bigcommerce.test/stores/" + strings.ReplaceAll(t.Name(), "/", "_") + suffix + "/v2"
}

// rateHeader is what BigCommerce sends on every answer.
func rateHeader(quota, left int, reset, window time.Duration) http.Header {
	h := http.Header{}
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(quota))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(left))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(window.Milliseconds(), 10))
	return h
}

// acquire fails the test unless a permit is granted within a second.
func acquire(t testing.TB, l *Limiter, root string) bigcommerce.Permit {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	p, err := l.Acquire(ctx, root, time.Second)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", root, err)
	}
	return p
}

// teach makes the store's quota known, as the first answer would: one
// request probes and reports quota-1 left.
func teach(t testing.TB, l *Limiter, root string, quota int, window time.Duration) {
	t.Helper()
	p := acquire(t, l, root)
	p.Report(http.StatusOK, rateHeader(quota, quota-1, window, window))
	p.Release()
	if r := l.Rate(root); r.Quota != quota || r.Remaining != quota-1 {
		t.Fatalf("after the first answer Rate = %+v, want quota %d with %d left", r, quota, quota-1)
	}
}

// grab has n goroutines spread over the limiters try to acquire without
// waiting for quota, and counts the permits granted; the permits are
// released without an answer, which changes no count.
func grab(t testing.TB, limiters []*Limiter, root string, n int) int {
	t.Helper()
	var granted atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		l := limiters[i%len(limiters)]
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			p, err := l.Acquire(ctx, root, 0)
			var te *bigcommerce.ThrottleError
			switch {
			case err == nil:
				granted.Add(1)
				p.Release()
			case errors.As(err, &te):
			default:
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Acquire: %v", err)
	}
	return int(granted.Load())
}

// forEachClientKind runs f in parallel for a go-redis client that honours
// deadlines (ContextTimeoutEnabled, as the README advises) and one that
// does not, for which the Limiter bounds each step with a goroutine.
func forEachClientKind(t *testing.T, f func(t *testing.T, ctxTimeout bool)) {
	for _, ctxTimeout := range []bool{false, true} {
		name := "client ignoring deadlines"
		if ctxTimeout {
			name = "client honouring deadlines"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, ctxTimeout)
		})
	}
}

// hold acquires permits without answering them until one waits for a slot
// longer than a tenth of a second.
func hold(t testing.TB, l *Limiter, root string) []bigcommerce.Permit {
	t.Helper()
	var held []bigcommerce.Permit
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		p, err := l.Acquire(ctx, root, time.Minute)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			return held
		}
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		held = append(held, p)
		if len(held) > 100 {
			releaseAll(held)
			t.Fatal("more than 100 requests went with none answered")
		}
	}
}

func releaseAll(held []bigcommerce.Permit) {
	for _, p := range held {
		p.Release()
	}
}
