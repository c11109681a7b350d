//go:build !race

package proof

// raceEnabled: see race_on_test.go.
const raceEnabled = false
