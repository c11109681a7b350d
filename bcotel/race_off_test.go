//go:build !race

package bcotel_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
