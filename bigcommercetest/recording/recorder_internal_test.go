package recording

import (
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// snapshot reads every file of dir, by name.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// countRequests sends n counts through rec to srv.
func countRequests(t *testing.T, srv *bigcommercetest.Server, rec *Recorder, n int) {
	t.Helper()
	for range n {
		req, _ := http.NewRequest("GET", srv.OAuthBaseURL()+"/customer_groups/count", nil)
		req.Header.Set("X-Auth-Token", srv.AccessToken)
		resp, err := (&http.Client{Transport: rec}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// TestSaveFailingHalfwayLeavesThePreviousRecording: a disk that fills up
// while the second file of the new recording is written leaves the old
// recording byte for byte, and nothing else beside it.
func TestSaveFailingHalfwayLeavesThePreviousRecording(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	parent := t.TempDir()
	dir := filepath.Join(parent, "sync")
	os.Mkdir(dir, 0o755)
	old := map[string]string{"0001-get-customer_groups.http": "the old first", "0002-get-customer_groups.http": "the old second", "README": "kept"}
	for name, text := range old {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := NewRecorder(dir, nil, OverwriteRecording())
	writes := 0
	rec.writeFile = func(name string, data []byte) error {
		if writes++; writes == 2 {
			os.WriteFile(name, data[:len(data)/2], 0o644)
			return errors.New("no space left on device")
		}
		return writeSynced(name, data)
	}
	countRequests(t, srv, rec, 3)
	err := rec.Save()
	if err == nil || !strings.Contains(err.Error(), "previous recording is unchanged") {
		t.Errorf("Save: %v, want the failed write", err)
	}
	if got := snapshot(t, dir); !maps.Equal(got, old) {
		t.Errorf("the old recording changed: %q", got)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("%d entries beside the recording's directory, want none: %v", len(entries)-1, entries)
	}
}

// TestSaveReplacesTheRecordingWhole: no stale exchange of the old one
// survives, other files are carried over, and no working directory is
// left beside it.
func TestSaveReplacesTheRecordingWhole(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	parent := t.TempDir()
	dir := filepath.Join(parent, "sync")
	os.Mkdir(dir, 0o755)
	for name, text := range map[string]string{"0001-get-customer_groups.http": "stale", "0002-get-customer_groups.http": "stale", "README": "kept"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := NewRecorder(dir, nil, OverwriteRecording())
	countRequests(t, srv, rec, 1)
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, dir)
	if len(got) != 2 || got["README"] != "kept" || !strings.HasPrefix(got["0001-get-customer_groups-count.http"], "GET ") {
		t.Errorf("files %v, want the new exchange and the README", slices.Sorted(maps.Keys(got)))
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("%d entries beside the recording's directory, want none", len(entries)-1)
	}
	if _, err := (&http.Client{Transport: rec}).Get(srv.OAuthBaseURL() + "/customer_groups/count"); err == nil {
		t.Error("a request after Save was sent; the recording is closed")
	}
}

func TestHideStoreHashReplacesWholeWordsOnly(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/stores/dev/v2/customer_groups":     "/stores/{store_hash}/v2/customer_groups",
		`{"context":"stores/dev"}`:           `{"context":"stores/{store_hash}"}`,
		"development devices dev2 xdev dev":  "development devices dev2 xdev {store_hash}",
		"store-dev.mybigcommerce.com/api/v2": "store-{store_hash}.mybigcommerce.com/api/v2",
	} {
		r := &Recorder{storeHash: "dev"}
		if got := r.scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
