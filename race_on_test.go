//go:build race

package bigcommerce

// raceEnabled skips the check of pooled buffers: under the race detector
// sync.Pool drops what is put in it at random, so the bytes the pool
// saves come back as allocations.
const raceEnabled = true
