package contract_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/contract"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

func TestContractAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(3))
	contract.Run(t, srv.Target())
}

// TestContractThroughARecording records the contract against the fake,
// then runs it again against nothing but the recording, with another store
// hash and token: the recording holds every exchange the contract needs,
// in an order that replays, and the placeholder stands for any store.
func TestContractThroughARecording(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithStoreHash("contract1"))
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil, recording.HideStoreHash(srv.StoreHash))
	// In subtests, so that each run's final sweep is done, and recorded,
	// before the next begins.
	t.Run("recording", func(t *testing.T) {
		tg := srv.Target()
		tg.HTTPClient = &http.Client{Transport: rec}
		contract.Run(t, tg)
	})
	if t.Failed() {
		return
	}
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	// Neither the token nor the store hash, in any encoding, nor anything
	// else that looks like a credential; the replay below fails on an
	// empty recording.
	findings, err := recording.Audit([]string{dir}, srv.AccessToken, srv.StoreHash)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Error(f)
	}

	t.Run("replaying", func(t *testing.T) {
		contract.Run(t, bigcommercetest.Target{
			Auth:       bigcommerce.NewOAuth("otherstore", "another-token"),
			HTTPClient: recording.Replay(t, dir, recording.FailIfUnused()),
			Options:    []bigcommerce.Option{bigcommerce.WithRetryMax(0)},
		})
	})
}

// TestContractRecorded runs the contract against testdata/contract, a
// recording of cmd/bigcommerce-fake made by scripts/record-fixtures.sh. It
// is how CI checks that a committed recording still answers the contract;
// recorded from a sandbox store instead (BIGCOMMERCE_RECORD=all with that
// store's credentials), it is also how a maintainer diffs the fake against
// the store. Not parallel: recording, it writes to a store that
// TestContractAgainstAStore may use too.
func TestContractRecorded(t *testing.T) {
	contract.Run(t, recording.RecordOrReplayTarget(t, filepath.Join("testdata", "contract")))
}

// TestContractAgainstAStore runs the contract against the store of
// BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN (at
// BIGCOMMERCE_BASE_URL when set), directly, without recording.
func TestContractAgainstAStore(t *testing.T) {
	hash, token := os.Getenv(recording.EnvStoreHash), os.Getenv(recording.EnvAccessToken)
	if hash == "" || token == "" {
		t.Skip("no store: set BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN of a sandbox store " +
			"(the contract creates and deletes groups named \"" + contract.Prefix + "...\") to run the contract against it")
	}
	contract.Run(t, bigcommercetest.Target{
		Auth:    bigcommerce.NewOAuth(hash, token),
		BaseURL: os.Getenv(recording.EnvBaseURL),
	})
}
