package recording_test

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// childEnv makes TestRerecordChild run, in the way its value names; only
// TestFailedRerecordingKeepsThePreviousOne sets it, in a copy of this test
// binary.
const childEnv = "RECORDING_TEST_CHILD"

// TestRerecordChild is not a test of its own: it records with
// RecordOrReplay into the directory its parent names, and then ends as
// its mode says, for its parent to see what is left.
func TestRerecordChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("run by TestFailedRerecordingKeepsThePreviousOne")
	}
	client := recording.RecordOrReplay(t, os.Getenv("RECORDING_TEST_DIR"))
	_, _, err := client.CustomerGroups.Count(context.Background(), nil)
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	switch mode {
	case "fail":
		t.Error("failing on purpose after a good exchange")
	case "panic":
		panic("on purpose, after a good exchange")
	case "exit":
		// As when the run is killed: no cleanup runs.
		os.Exit(3)
	}
}

// TestFailedRerecordingKeepsThePreviousOne records again over the
// contract's committed recording (48 exchanges) with BIGCOMMERCE_RECORD=all
// in a test that fails: with an expired token (the store answers 401), by
// t.Error after a good exchange, by a panic, and by the process dying.
// Each leaves the previous recording byte for byte and nothing beside it;
// a passing run replaces it.
func TestFailedRerecordingKeepsThePreviousOne(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "contract", "testdata", "contract")
	srv := newFake(t, bigcommercetest.WithSeed(2))
	run := func(t *testing.T, mode, token string) (string, map[string]string, map[string]string) {
		t.Helper()
		parent := t.TempDir()
		dir := filepath.Join(parent, "contract")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		_, before := readAll(t, dir)
		cmd := exec.Command(os.Args[0], "-test.run=^TestRerecordChild$", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"="+mode, "RECORDING_TEST_DIR="+dir,
			recording.EnvRecord+"=all", recording.EnvStoreHash+"="+srv.StoreHash,
			recording.EnvAccessToken+"="+token, recording.EnvBaseURL+"="+srv.OAuthBaseURL())
		out, _ := cmd.CombinedOutput()
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Errorf("%d entries beside the recording, want none", len(entries)-1)
		}
		_, after := readAll(t, dir)
		return string(out), before, after
	}
	for _, tc := range []struct{ mode, token string }{
		{"expired", "an-expired-token"},
		{"fail", srv.AccessToken},
		{"panic", srv.AccessToken},
		{"exit", srv.AccessToken},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			out, before, after := run(t, tc.mode, tc.token)
			if len(before) != 48 {
				t.Fatalf("the committed recording has %d files, want 48", len(before))
			}
			if !maps.Equal(before, after) {
				t.Errorf("the previous recording changed: %d files before, %d after\n%s", len(before), len(after), out)
			}
		})
	}
	t.Run("pass", func(t *testing.T) {
		t.Parallel()
		out, before, after := run(t, "pass", srv.AccessToken)
		if len(after) != 1 || maps.Equal(before, after) {
			t.Errorf("a passing run left %d files, want its one exchange in place of the 48\n%s", len(after), out)
		}
	})
}
