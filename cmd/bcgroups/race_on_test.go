//go:build race

package main

// raceEnabled shrinks the large export of the memory test: the race
// detector makes every group many times slower to encode and decode, and
// the measurement means the same at 40,000 groups.
const raceEnabled = true
