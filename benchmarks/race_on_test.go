//go:build race

package benchmarks

// raceEnabled turns the ratio assertions into reports. The race detector
// slows instrumented Go code many times more than the system calls and the
// kernel's loopback, so time ratios measured under it say nothing about
// the SDK; and sync.Pool drops a quarter of what is put in it at random,
// so the bytes the SDK's pooled buffers save come back as allocations.
// Everything else (connections, memory while streaming, decoding) is
// checked as usual.
const raceEnabled = true
