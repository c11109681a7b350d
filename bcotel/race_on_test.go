//go:build race

package bcotel_test

// raceEnabled turns off the overhead checks: the race detector slows Go
// code many times more than the loopback and adds allocations of its own,
// so neither times nor counts measured under it say anything about bcotel.
const raceEnabled = true
