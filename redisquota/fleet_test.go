package redisquota

import (
	"context"
	"errors"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// roundTrip acquires and releases one permit, as one request would.
func roundTrip(t *testing.T, l *Limiter, root string) {
	t.Helper()
	acquire(t, l, root).Release()
}

func TestFleetSizeCountsTheLimitersThatShareAStore(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	shared, alone := rootOf(t, "-shared"), rootOf(t, "-alone")
	var fleet []*Limiter
	for range 3 {
		fleet = append(fleet, MustNew(srv.Client()))
	}
	teach(t, fleet[0], shared, 100, time.Minute)
	for _, l := range fleet {
		roundTrip(t, l, shared)
	}
	// The last to ask saw all three; the first saw only itself, and learns
	// of the others on its next round trip.
	if got := fleet[2].FleetSize(shared); got != 3 {
		t.Errorf("the third Limiter's FleetSize = %d, want 3", got)
	}
	roundTrip(t, fleet[0], shared)
	if got := fleet[0].FleetSize(shared); got != 3 {
		t.Errorf("the first Limiter's FleetSize after another round trip = %d, want 3", got)
	}
	teach(t, fleet[1], alone, 100, time.Minute)
	if got := fleet[1].FleetSize(alone); got != 1 {
		t.Errorf("FleetSize of a store only one Limiter paces = %d, want 1", got)
	}
}

func TestFleetSizeCostsNoRoundTrip(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	l := MustNew(rdb)
	root := rootOf(t, "")
	teach(t, l, root, 100, time.Minute)
	counter := &commandCounter{}
	rdb.AddHook(counter)
	for range 3 {
		if got := l.FleetSize(root); got != 1 {
			t.Fatalf("FleetSize = %d, want 1", got)
		}
	}
	if n := counter.n.Load(); n != 0 {
		t.Errorf("FleetSize sent %d commands to Redis, want none", n)
	}
}

func TestALimiterNotHeardFromLeavesTheFleet(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	root := rootOf(t, "")
	const ttl = 300 * time.Millisecond
	alive, gone := MustNew(srv.Client()), MustNew(srv.Client())
	alive.memberTTLms, gone.memberTTLms = ttl.Milliseconds(), ttl.Milliseconds()
	teach(t, alive, root, 100, time.Minute)
	roundTrip(t, gone, root)
	roundTrip(t, alive, root)
	if got := alive.FleetSize(root); got != 2 {
		t.Fatalf("FleetSize with two Limiters = %d, want 2", got)
	}
	// gone makes no more round trips, as a process that exited.
	eventually(t, 10*ttl, "the silent Limiter was still counted", func() bool {
		roundTrip(t, alive, root)
		return alive.FleetSize(root) == 1
	})
}

func TestFleetSizeGuessesUntilRedisAnswers(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: Redis was away from the start.
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = down.Close() })
	root := rootOf(t, "")
	l := MustNew(down)
	if _, err := l.Acquire(context.Background(), root, time.Second); !errors.Is(err, bigcommerce.ErrLimiterUnavailable) {
		t.Fatalf("Acquire with Redis away = %v, want ErrLimiterUnavailable", err)
	}
	if got := l.FleetSize(root); got != DefaultExpectedProcesses {
		t.Errorf("FleetSize never having reached Redis = %d, want DefaultExpectedProcesses (%d)", got, DefaultExpectedProcesses)
	}
	if got := MustNew(down, WithExpectedProcesses(3)).FleetSize(root); got != 3 {
		t.Errorf("FleetSize with WithExpectedProcesses(3) = %d, want 3", got)
	}

	// A Limiter that saw a fleet on one store guesses it for another.
	srv := redistest.Start(t)
	known, unknown := rootOf(t, "-known"), rootOf(t, "-unknown")
	a, b := MustNew(srv.Client()), MustNew(srv.Client())
	teach(t, a, known, 100, time.Minute)
	roundTrip(t, b, known)
	if got := b.FleetSize(unknown); got != 2 {
		t.Errorf("FleetSize of a store never asked about = %d, want the 2 seen on another store", got)
	}
	// Once the store's own fleet is seen, it replaces the guess.
	teach(t, b, unknown, 100, time.Minute)
	if got := b.FleetSize(unknown); got != 1 {
		t.Errorf("FleetSize after Redis answered about the store = %d, want the 1 it reported", got)
	}
}
