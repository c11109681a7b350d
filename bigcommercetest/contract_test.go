package bigcommercetest_test

import (
	"net/http"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestContractAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(3))
	bigcommercetest.RunContract(t, srv.Target())
}

// TestContractThroughARecording records the contract against the fake,
// then runs it again against nothing but the recording, with another store
// hash and token: the recording holds every exchange the contract needs,
// in an order that replays, and the placeholder stands for any store.
func TestContractThroughARecording(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithStoreHash("contract1"))
	dir := t.TempDir()
	rec := bigcommercetest.NewRecorder(dir, nil, bigcommercetest.HideStoreHash(srv.StoreHash))
	// In subtests, so that each run's final sweep is done, and recorded,
	// before the next begins.
	t.Run("recording", func(t *testing.T) {
		tg := srv.Target()
		tg.HTTPClient = &http.Client{Transport: rec}
		bigcommercetest.RunContract(t, tg)
	})
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}
	if t.Failed() {
		return
	}
	mustNotContain(t, dir, srv.AccessToken, srv.StoreHash)

	t.Run("replaying", func(t *testing.T) {
		bigcommercetest.RunContract(t, bigcommercetest.Target{
			Auth:       bigcommerce.NewOAuth("otherstore", "another-token"),
			HTTPClient: bigcommercetest.Replay(t, dir, bigcommercetest.FailIfUnused()),
			Options:    []bigcommerce.Option{bigcommerce.WithRetryMax(0)},
		})
	})
}
