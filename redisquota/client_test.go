package redisquota

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// syncBuffer collects a Client's log from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds, failing the test after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stateKeys(t *testing.T, rdb redis.UniversalClient) int {
	keys, err := rdb.Keys(context.Background(), DefaultKeyPrefix+":*:state").Result()
	if err != nil {
		return 0
	}
	return len(keys)
}

func TestCallsNeverFailWhileRedisIsKilledAndRestarted(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	api := bigcommercetest.NewServer(bigcommercetest.WithRateLimit(100000, time.Second))
	t.Cleanup(api.Close)
	var log syncBuffer
	client := api.Client(
		bigcommerce.WithRateLimiter(MustNew(srv.Client(), WithStepTimeout(50*time.Millisecond))),
		bigcommerce.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	watch := srv.Client()

	var calls, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, _, err := client.CustomerGroups.Count(ctx, nil)
				cancel()
				calls.Add(1)
				if err != nil {
					failures.Add(1)
					t.Errorf("a call failed: %v", err)
				}
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	eventually(t, 5*time.Second, "the shared state never appeared in Redis", func() bool { return stateKeys(t, watch) == 1 })
	srv.Kill()
	down := calls.Load()
	eventually(t, 5*time.Second, "no calls went through while Redis was down", func() bool { return calls.Load() > down+20 })
	srv.Restart()
	eventually(t, 10*time.Second, "the shared state was not rebuilt after the restart", func() bool { return stateKeys(t, watch) == 1 })
	eventually(t, 5*time.Second, "the Client never logged that it rejoined the shared limiter", func() bool {
		return strings.Contains(log.String(), "answers again")
	})
	if n := strings.Count(log.String(), "limiter is unavailable"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, log.String())
	}
}

// pause stops Redis from answering anyone for d, as a slow or stuck
// server would, and returns once the pause is in force.
func pause(t *testing.T, srv *redistest.Server, d time.Duration) {
	t.Helper()
	if err := srv.Client().Do(context.Background(), "CLIENT", "PAUSE", d.Milliseconds(), "ALL").Err(); err != nil {
		t.Fatalf("CLIENT PAUSE: %v", err)
	}
}

// TestAStuckRedisFallsBackAfterTheLongestStepThenAtTheStepTimeout: a
// Redis that stops answering without refusing connections looks slow at
// first; the first step waits the longest step timeout, the next ones only
// the step timeout, and no call fails meanwhile.
func TestAStuckRedisFallsBackAfterTheLongestStepThenAtTheStepTimeout(t *testing.T) {
	t.Parallel()
	forEachClientKind(t, func(t *testing.T, ctxTimeout bool) {
		srv := redistest.Start(t)
		api := bigcommercetest.NewServer()
		t.Cleanup(api.Close)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: ctxTimeout})
		t.Cleanup(func() { _ = rdb.Close() })
		l := MustNew(rdb, WithStepTimeout(50*time.Millisecond), WithMaxStepTimeout(300*time.Millisecond))
		client := api.Client(bigcommerce.WithRateLimiter(l))
		ctx := context.Background()
		if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
			t.Fatal(err)
		}
		pause(t, srv, 3*time.Second)
		root := rootOf(t, "")
		for _, want := range []string{"within 300ms", "within 50ms"} {
			_, err := l.Acquire(ctx, root, time.Minute)
			if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Acquire on a stuck Redis = %v, want ErrLimiterUnavailable after no answer %s", err, want)
			}
		}
		if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
			t.Fatalf("a call failed while Redis was stuck: %v", err)
		}
	})
}

func TestAClusterKeepsTheQuotasOfManyStoresApart(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t, 3)
	var limiters []*Limiter
	for range 2 {
		limiters = append(limiters, MustNew(c.Client(), WithMaxConcurrentRequests(1000), WithStepTimeout(5*time.Second)))
	}
	const stores = 12
	for i := range stores {
		root := rootOf(t, "-"+string(rune('a'+i)))
		quota := 3 + i%4
		teach(t, limiters[i%2], root, quota, time.Minute)
		if got := grab(t, limiters, root, 20); got != quota-1 {
			t.Errorf("store %d: %d granted, want %d", i, got, quota-1)
		}
	}
	// The hash tags spread the stores over the masters.
	used := 0
	for _, node := range c.Nodes() {
		n, err := node.Client().DBSize(context.Background()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			used++
		}
	}
	if used < 2 {
		t.Errorf("%d of 3 masters hold keys: the stores did not spread over the cluster", used)
	}
}
