//go:build race

package bcapp_test

// raceEnabled: the race detector slows the pool's lock and the floor's
// alike, but not by the same factor, so time ratios are only reported
// under it.
const raceEnabled = true
