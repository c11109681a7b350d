//go:build !race

package bigcommerce

// raceEnabled: see race_on_test.go.
const raceEnabled = false
