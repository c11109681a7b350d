package redisquota

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/faultproxy"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// slowProxy forwards TCP connections to target and holds every byte coming
// back for delay, as a Redis on a machine too busy to answer promptly
// would. It returns the proxy's address.
func slowProxy(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	closed := false
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		closed = true
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			mu.Lock()
			if closed {
				// Accepted as the test ended: nobody would close these.
				mu.Unlock()
				client.Close()
				server.Close()
				return
			}
			conns = append(conns, client, server)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(server, client) })
			wg.Go(func() { delayedCopy(client, server, delay) })
		}
	})
	return ln.Addr().String()
}

// delayedCopy copies src to dst, each chunk delay after it was read, in
// order.
func delayedCopy(dst, src net.Conn, delay time.Duration) {
	type chunk struct {
		b   []byte
		due time.Time
	}
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{append([]byte(nil), buf[:n]...), time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.b); err != nil {
			return
		}
	}
	dst.Close()
}

// TestALateAnswerIsNotAnOutage: every answer arrives three step timeouts
// late; the Limiter waits for it rather than report Redis unavailable, so
// the Client never falls back and never logs an outage.
func TestALateAnswerIsNotAnOutage(t *testing.T) {
	t.Parallel()
	forEachClientKind(t, func(t *testing.T, ctxTimeout bool) {
		srv := redistest.Start(t)
		const step = 50 * time.Millisecond
		rdb := redis.NewClient(&redis.Options{Addr: slowProxy(t, srv.Addr(), 3*step), ContextTimeoutEnabled: ctxTimeout})
		t.Cleanup(func() { _ = rdb.Close() })
		l := MustNew(rdb, WithStepTimeout(step))
		root := rootOf(t, "")
		ctx := context.Background()
		for i := range 3 {
			p, err := l.Acquire(ctx, root, time.Minute)
			if err != nil {
				t.Fatalf("Acquire %d on a slow Redis = %v, want a permit", i, err)
			}
			p.Release()
		}

		api := bigcommercetest.NewServer()
		t.Cleanup(api.Close)
		var log syncBuffer
		client := api.Client(bigcommerce.WithRateLimiter(l), bigcommerce.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
		for range 2 {
			if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Contains(log.String(), "unavailable") {
			t.Errorf("the Client took a slow Redis for an outage:\n%s", log.String())
		}
	})
}

// TestAClosedPortIsAnOutageAtOnce: a Redis that refuses connections is
// reported unavailable as soon as the dial fails, not after go-redis's
// retries nor after the patience a slow Redis gets.
func TestAClosedPortIsAnOutageAtOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, ctxTimeout := range []bool{false, true} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: ctxTimeout})
		t.Cleanup(func() { _ = rdb.Close() })
		l := MustNew(rdb, WithMaxStepTimeout(time.Minute))
		// go-redis alone would dial five times, 100 ms apart, and retry
		// the command three times over: well past this deadline.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := l.Acquire(ctx, rootOf(t, ""), time.Minute)
		cancel()
		var refused *refusedError
		if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) || !errors.As(err, &refused) {
			t.Errorf("Acquire on a closed port (ContextTimeoutEnabled %v) = %v, want ErrLimiterUnavailable for a refused connection", ctxTimeout, err)
		}
	}
	// A cluster client dials through a client per node.
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}})
	t.Cleanup(func() { _ = cluster.Close() })
	l := MustNew(cluster, WithMaxStepTimeout(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = l.Acquire(ctx, rootOf(t, ""), time.Minute)
	var refused *refusedError
	if !errors.Is(err, bigcommerce.ErrLimiterUnavailable) || !errors.As(err, &refused) {
		t.Errorf("Acquire through a cluster client on a closed port = %v, want ErrLimiterUnavailable for a refused connection", err)
	}
}

// TestARedisNeverReachedIsLogged: a Redis that was away from the start is
// as visible as one that went away: the Client logs the fallback once, and
// its calls succeed.
func TestARedisNeverReachedIsLogged(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	api := bigcommercetest.NewServer()
	t.Cleanup(api.Close)
	var log syncBuffer
	client := api.Client(bigcommerce.WithRateLimiter(MustNew(rdb)), bigcommerce.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	for range 3 {
		if _, _, err := client.CustomerGroups.Count(context.Background(), nil); err != nil {
			t.Fatalf("a call failed with Redis never reachable: %v", err)
		}
	}
	if n := strings.Count(log.String(), "the shared rate limiter is unavailable"); n != 1 {
		t.Errorf("the fallback was logged %d times, want once:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "refused") {
		t.Errorf("the log does not say that Redis refused the connection:\n%s", log.String())
	}
}

// TestAGrantWhoseAnswerWasLostIsGivenBack: when Redis ran the script but
// its answer never arrived, the probe it granted is given back, so the
// next request probes at once rather than after the probe's lease expires.
func TestAGrantWhoseAnswerWasLostIsGivenBack(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	const step = 50 * time.Millisecond
	// Every answer arrives long after the step gave up on it.
	rdb := redis.NewClient(&redis.Options{Addr: slowProxy(t, srv.Addr(), 6*step)})
	t.Cleanup(func() { _ = rdb.Close() })
	lost := MustNew(rdb, WithStepTimeout(step), WithMaxStepTimeout(step))
	root := rootOf(t, "")
	// With the connection made and the scripts loaded beforehand, the
	// step's one round trip is the EVALSHA that runs the script; otherwise
	// the late handshake or NOSCRIPT would end the step before it ran.
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	watch := srv.Client()
	for _, script := range []*redis.Script{acquireScript, releaseScript} {
		if err := script.Load(context.Background(), watch).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lost.Acquire(context.Background(), root, time.Minute); !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire whose answer came too late = %v, want ErrLimiterUnavailable", err)
	}
	// The script ran and granted the probe; the give-back, sent through
	// the same slow link, frees it once it arrives, well before the
	// probe's own lease of 5 s would.
	probe := lost.store(root).keys[2]
	eventually(t, 3*time.Second, "the probe granted in a lost answer was never given back", func() bool {
		held, err := watch.Exists(context.Background(), probe).Result()
		return err == nil && held == 0
	})
}

// TestOnlyAnUnansweredStepShortensThePatience: a Redis that resets
// connections, as one killed and restarting does, is noticed at once and
// leaves the patience as it was, so that its first answers after the
// restart, slow on a busy machine, are waited for. Only a step that got no
// answer in time makes the next ones short.
func TestOnlyAnUnansweredStepShortensThePatience(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	proxy := faultproxy.Start(t, srv.Addr())
	rdb := redis.NewClient(&redis.Options{Addr: proxy.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	const step, patience, late = 50 * time.Millisecond, time.Second, 150 * time.Millisecond
	l := MustNew(rdb, WithStepTimeout(step), WithMaxStepTimeout(patience))
	root := rootOf(t, "")
	ctx := context.Background()

	proxy.Reset()
	if _, err := l.Acquire(ctx, root, time.Minute); !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire while Redis resets connections = %v, want ErrLimiterUnavailable", err)
	}
	if proxy.Resets() == 0 {
		t.Fatal("the proxy reset no connection: the fault was not in force")
	}
	// Back, but answering three short timeouts late.
	proxy.Heal()
	proxy.SetLatency(late)
	p, err := l.Acquire(ctx, root, time.Minute)
	if err != nil {
		t.Fatalf("Acquire on a Redis answering %s late after resets = %v, want a permit: a reset is no reason to stop waiting", late, err)
	}
	p.Release()

	// A Redis that stops answering is given up on after the patience, and
	// from then on after the short timeout.
	proxy.Stall()
	if _, err := l.Acquire(ctx, root, time.Minute); !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire on a stalled Redis = %v, want ErrLimiterUnavailable", err)
	}
	proxy.Heal()
	if _, err := l.Acquire(ctx, root, time.Minute); !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire on a Redis answering %s late after a step went unanswered = %v, want ErrLimiterUnavailable after the %s step timeout", late, err, step)
	}
}
