package recording

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// halfWriter writes part of what it is given, then fails, as a full disk
// would.
type halfWriter struct{ *os.File }

func (h halfWriter) Write(b []byte) (int, error) {
	n, _ := h.File.Write(b[:len(b)/2])
	return n, errors.New("no space left on device")
}

func TestRecorderFailedWriteLeavesNoHalfFile(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	rec := NewRecorder(dir, nil)
	rec.createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return halfWriter{f}, err
	}
	req, _ := http.NewRequest("GET", srv.OAuthBaseURL()+"/customer_groups/count", nil)
	req.Header.Set("X-Auth-Token", srv.AccessToken)
	_, err := (&http.Client{Transport: rec}).Do(req)
	if err == nil || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("err %v, want the failed write", err)
	}
	if rec.Err() == nil {
		t.Error("Err() is nil after a failed write")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left behind by a failed write", e.Name())
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
