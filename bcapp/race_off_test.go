//go:build !race

package bcapp_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
