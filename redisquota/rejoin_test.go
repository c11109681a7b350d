package redisquota

import (
	"context"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// twoProcesses is two Limiters on one Redis and a store whose quota the
// first has learnt: 8 a minute, 7 left after its probe, so 1 counted as
// another app's.
func twoProcesses(t *testing.T) (a, b *Limiter, root string) {
	t.Helper()
	srv := redistest.Start(t)
	a, b = MustNew(srv.Client()), MustNew(srv.Client())
	root = rootOf(t, "")
	teach(t, a, root, 8, time.Minute)
	return a, b, root
}

// TestAProcessComingBackKeepsTheAbsentMembersShares: after an outage, a
// Limiter whose last step failed tells Redis how large the fleet was, and
// Redis keeps back the shares of the members that have not asked for a
// request in the last window: they are still pacing alone, spending them.
func TestAProcessComingBackKeepsTheAbsentMembersShares(t *testing.T) {
	t.Parallel()
	_, b, root := twoProcesses(t)

	// B comes back from pacing alone, having last seen a fleet of 4: A and
	// B have asked here, two others have not, so half the quota is kept
	// back for them.
	b.store(root).fleet.Store(4)
	b.stepFailed.Store(true)
	first := acquire(t, b, root)
	first.Release()
	if got := 1 + grab(t, []*Limiter{b}, root, 20); got != 3 {
		t.Fatalf("%d requests granted, want the 7 left less the 2 absent members' shares of 2 each: 3", got)
	}
}

// TestWithoutAComebackNothingIsKeptBack: a Limiter that did not fail says
// nothing of the fleet, and every request left is granted.
func TestWithoutAComebackNothingIsKeptBack(t *testing.T) {
	t.Parallel()
	_, b, root := twoProcesses(t)
	b.store(root).fleet.Store(4)
	if got := grab(t, []*Limiter{b}, root, 20); got != 7 {
		t.Fatalf("%d requests granted, want all 7 left", got)
	}
}

// TestRequestsSentAloneAreCountedWhenTheProcessComesBack: a Client coming
// back from pacing alone hands over how many requests it sent alone in
// the window, and the step that grants its request counts them.
func TestRequestsSentAloneAreCountedWhenTheProcessComesBack(t *testing.T) {
	t.Parallel()
	a, b, root := twoProcesses(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := b.AcquireRejoining(ctx, root, time.Second, 4)
	if err != nil {
		t.Fatal(err)
	}
	p.Release()
	if got := 1 + grab(t, []*Limiter{a}, root, 20); got != 3 {
		t.Fatalf("%d requests granted, want the 7 left less the 4 sent alone: 3", got)
	}
}
