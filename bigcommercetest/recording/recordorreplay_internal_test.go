package recording

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// captureTB records the failures reported to it instead of failing.
type captureTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (c *captureTB) Helper() {}

func (c *captureTB) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *captureTB) Fatalf(format string, args ...any) { c.Errorf(format, args...) }

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// TestRecordOrReplaySwitch walks one directory through the modes: record
// when asked and there is no recording, replay (with no store at all)
// otherwise, record again only with "all".
func TestRecordOrReplaySwitch(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithStoreHash("rec1store"), bigcommercetest.WithAccessToken("tok-RECORD-secret"), bigcommercetest.WithSeed(2))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	store := []string{EnvStoreHash, srv.StoreHash, EnvAccessToken, srv.AccessToken, EnvBaseURL, srv.OAuthBaseURL()}
	count := func(t *testing.T, getenv func(string) string) int {
		t.Helper()
		c, err := recordOrReplay(t, dir, getenv).Client()
		if err != nil {
			t.Fatal(err)
		}
		n, _, err := c.CustomerGroups.Count(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("records when asked and there is no recording", func(t *testing.T) {
		if n := count(t, env(append(store, EnvRecord, "1")...)); n != 2 {
			t.Errorf("count %d, want the store's 2", n)
		}
	})
	if got := srv.Stats().Requests; got != 1 {
		t.Fatalf("the store got %d requests, want 1", got)
	}
	names, err := recordingFiles(dir)
	if err != nil || len(names) != 1 {
		t.Fatalf("recording %v, %v; want one exchange", names, err)
	}
	for _, name := range names {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if strings.Contains(string(b), "RECORD-secret") || strings.Contains(string(b), "rec1store") {
			t.Errorf("%s holds the token or the store hash", name)
		}
	}

	srv.Add(bigcommercetest.Group{Name: "Added after the recording"})
	t.Run("replays with credentials but no request to record", func(t *testing.T) {
		if n := count(t, env(store...)); n != 2 {
			t.Errorf("count %d, want the recorded 2", n)
		}
	})
	t.Run("replays with 1 when the recording exists", func(t *testing.T) {
		if n := count(t, env(append(store, EnvRecord, "1")...)); n != 2 {
			t.Errorf("count %d, want the recorded 2", n)
		}
	})
	t.Run("replays with no environment at all", func(t *testing.T) {
		if n := count(t, env()); n != 2 {
			t.Errorf("count %d, want the recorded 2", n)
		}
	})
	if got := srv.Stats().Requests; got != 1 {
		t.Fatalf("the store got %d requests, want still 1: replays must not reach it", got)
	}
	t.Run("records again with all", func(t *testing.T) {
		if n := count(t, env(append(store, EnvRecord, "all")...)); n != 3 {
			t.Errorf("count %d, want the store's 3", n)
		}
	})
	t.Run("the new recording replays", func(t *testing.T) {
		if n := count(t, env()); n != 3 {
			t.Errorf("count %d, want the recorded 3", n)
		}
	})
}

func TestRecordOrReplayRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		want   string
	}{
		{"nothing to replay", env(), "no recording in"},
		{"asked to record without credentials", env(EnvRecord, "1", EnvStoreHash, "abc"), "needs BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN"},
		{"an unknown mode", env(EnvRecord, "yes"), `BIGCOMMERCE_RECORD="yes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := &captureTB{TB: t}
			recordOrReplay(tb, t.TempDir(), tc.getenv)
			if len(tb.errs) != 1 || !strings.Contains(tb.errs[0], tc.want) {
				t.Errorf("failures %q, want one containing %q", tb.errs, tc.want)
			}
		})
	}
}
