// Package recording records the exchanges of an SDK client with a real
// store and replays them in tests without the store, the network or
// credentials.
//
// Recorder, an http.RoundTripper, writes one readable .http file per
// exchange, credentials redacted and the store hash replaced by a
// placeholder; Replay answers the same requests from those files.
// RecordOrReplay switches between the two on BIGCOMMERCE_RECORD, so that a
// test records once against a sandbox store and replays everywhere else:
//
//	func TestSync(t *testing.T) {
//		client := recording.RecordOrReplay(t, "testdata/sync")
//		...
//	}
//
//	BIGCOMMERCE_RECORD=1 BIGCOMMERCE_STORE_HASH=... BIGCOMMERCE_ACCESS_TOKEN=... go test -run TestSync ./...
//
// This package imports testing; a program that serves the fake imports
// only bigcommercetest.
package recording
