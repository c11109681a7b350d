package bcapp

import "time"

// SetClock makes every check of a read its time from now.
func SetClock(a *App, now func() time.Time) { a.now = now }

// PoolSize is how many clients a's pool holds.
func PoolSize(a *App) int { return a.pool.size() }

// NewReplayCacheWithClock is NewReplayCache on another clock, with a way
// to see how many ids it holds.
func NewReplayCacheWithClock(now func() time.Time) (ReplayCache, func() int) {
	m := newMemoryReplays(now)
	return m, m.size
}
