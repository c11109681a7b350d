package bigcommerce

import (
	"context"
	"sync"
	"time"
)

// acquireShare is Acquire for a process that paces alone while the shared
// limiter cannot answer, and that shares the store with share-1 others
// doing the same: it keeps to about 1/share of the quota per window and of
// the cap on requests in flight, at least one of each. Taking the whole
// store, as Acquire does, would let share processes send share times what
// the store allows between them.
//
// Its slots are its own rather than l.slots: the fleet's size can change
// from one request to the next, and a channel's capacity cannot.
//
// rejoin is asked after every wait, the wait for a slot included: a
// request that waited while its process paced alone goes back to the
// shared limiter (errRejoin) when the hold-off ended meanwhile. When a
// process comes back at a window's edge, its requests parked for the quota
// leave their slots to go back, and those waiting for a slot would
// otherwise take the slots and spend the process's share of the new window
// alone, beside the shared count that grants the same window again.
func (l *throttle) acquireShare(ctx context.Context, maxWait time.Duration, share int, rejoin func() bool) (Permit, error) {
	waited, err := l.alone.acquire(ctx, l.shareOfSlots(share))
	if err != nil {
		return nil, err
	}
	if waited && rejoin != nil && rejoin() {
		l.alone.release()
		return nil, errRejoin
	}
	p := &throttlePermit{l: l, alone: true}
	if !l.pace {
		return p, nil
	}
	return l.paceFor(ctx, p, maxWait, share, rejoin)
}

// shareOfSlots is a 1/share part of the cap on requests in flight, at
// least one.
func (l *throttle) shareOfSlots(share int) int { return max(1, cap(l.slots)/max(share, 1)) }

// shareOfQuota is a 1/share part of the quota per window as last reported,
// at least one, or 0 while the quota is unknown.
func (l *throttle) shareOfQuota(share int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known {
		return 0
	}
	return max(1, l.last.Quota/max(share, 1))
}

// shareSlots is a semaphore whose limit is given at each acquire.
type shareSlots struct {
	mu      sync.Mutex
	held    int
	waiting int // acquires waiting for a slot, for tests to see
	// freed is closed, and dropped, when a slot is given back, to wake
	// every waiter; each checks the limit again.
	freed chan struct{}
}

// acquire takes a slot when fewer than limit are held, waiting for one
// as long as ctx allows, and reports whether it had to wait.
func (s *shareSlots) acquire(ctx context.Context, limit int) (waited bool, err error) {
	for ; ; waited = true {
		s.mu.Lock()
		if s.held < limit {
			s.held++
			s.mu.Unlock()
			return waited, nil
		}
		if s.freed == nil {
			s.freed = make(chan struct{})
		}
		freed := s.freed
		s.waiting++
		s.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
		if err != nil {
			return waited, err
		}
	}
}

func (s *shareSlots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held--
	if s.freed != nil {
		close(s.freed)
		s.freed = nil
	}
}

// counts is how many slots are held and how many acquires wait for one.
func (s *shareSlots) counts() (held, waiting int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held, s.waiting
}
