//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// runBinary runs the built program with its configuration under dir and
// nothing of the machine's user: no profile, no keyring (the session bus
// is unreachable), no BIGCOMMERCE_* variables.
func runBinary(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(builtBinary(t), args...)
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "DBUS_SESSION_BUS_ADDRESS=disabled:"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return result{out.String(), errOut.String(), code}
}

// gateStore answers auth login's check of the token, holding every answer
// until n checks have arrived, so that n logins reach the configuration
// file at the same moment.
func gateStore(t *testing.T, n int) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	arrived := 0
	open := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if arrived++; arrived == n {
			close(open)
		}
		mu.Unlock()
		select {
		case <-open:
		case <-time.After(ptyTimeout): // some login failed to start; let the rest finish
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"count":0}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// profileNames lists the profiles saved under dir.
func profileNames(t *testing.T, dir string) []string {
	t.Helper()
	r := cli{configDir: dir, keyring: noKeyring{}}.run(t, "auth", "list", "-o", "json")
	r.wantCode(t, 0)
	var rows []profileListing
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows {
		names = append(names, row.Name)
	}
	return names
}

// concurrently runs each command line as its own process, all at once,
// and fails the test for any that does not exit 0.
func concurrently(t *testing.T, dir, stdin string, commands [][]string) {
	t.Helper()
	var wg sync.WaitGroup
	results := make([]result, len(commands))
	for i, args := range commands {
		wg.Go(func() { results[i] = runBinary(t, dir, stdin, args...) })
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("%v: exit %d: %s", commands[i], r.code, r.stderr)
		}
	}
}

// TestConcurrentLoginsSwitchesAndLogoutsLoseNoProfile is the fourth
// finding of issue 21: ten auth login at once all said "logged in", and
// auth list then showed as few as four profiles. Each command now changes
// the file under a lock and re-reads it first.
func TestConcurrentLoginsSwitchesAndLogoutsLoseNoProfile(t *testing.T) {
	t.Parallel()
	const n = 10
	dir := t.TempDir()
	store := gateStore(t, n)
	loginArgs := func(name string) []string {
		return []string{"--store-hash", "gate", "--base-url", store.URL + "/stores/gate/v2", "auth", "login", name, "--with-token", "--insecure-storage"}
	}
	var logins [][]string
	var want []string
	for i := range n {
		name := fmt.Sprintf("p%d", i)
		logins = append(logins, loginArgs(name))
		want = append(want, name)
	}
	concurrently(t, dir, "tok-gate", logins)
	if got := profileNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after %d logins at once, the profiles are %q, want %q", n, got, want)
	}

	// Half log out, as many log in anew, and two switch, all at once.
	store2 := gateStore(t, n/2)
	var mixed [][]string
	want = want[n/2:]
	for i := range n / 2 {
		mixed = append(mixed, []string{"auth", "logout", fmt.Sprintf("p%d", i)})
		name := fmt.Sprintf("q%d", i)
		mixed = append(mixed, []string{"--store-hash", "gate", "--base-url", store2.URL + "/stores/gate/v2", "auth", "login", name, "--with-token", "--insecure-storage"})
		want = append(want, name)
	}
	mixed = append(mixed, []string{"auth", "switch", "p8"}, []string{"auth", "switch", "p9"})
	concurrently(t, dir, "tok-gate", mixed)
	got := profileNames(t, dir)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after logouts, logins and switches at once, the profiles are %q, want %q", got, want)
	}
}

// TestConfigModesThatLetOthersInAreWarnedAbout is the twelfth finding: a
// world-writable configuration folder, real or through a link, and a
// config.json that others can read while it holds tokens passed without a
// word.
func TestConfigModesThatLetOthersInAreWarnedAbout(t *testing.T) {
	t.Parallel()
	withToken := config{Current: "s", Profiles: map[string]*profile{"s": {StoreHash: "abc123", Token: "tok-in-the-file"}}}
	keyringOnly := config{Current: "s", Profiles: map[string]*profile{"s": {StoreHash: "abc123"}}}
	for _, tc := range []struct {
		name    string
		c       config
		arrange func(t *testing.T, dir string) // dir is the configuration folder's parent
		want    string                         // "" for no warning
	}{
		{"private", withToken, func(*testing.T, string) {}, ""},
		{"a file others can read, holding a token", withToken, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, "bcgroups", "config.json"), 0o644)
		}, "config.json holds tokens and is readable by others (mode 0644); run chmod 600"},
		{"a file others can read, with tokens in the keyring", keyringOnly, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, "bcgroups", "config.json"), 0o644)
		}, ""},
		{"a file others can write", keyringOnly, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, "bcgroups", "config.json"), 0o666)
		}, "config.json is writable by others (mode 0666)"},
		{"a world-writable folder", keyringOnly, func(t *testing.T, dir string) {
			chmod(t, filepath.Join(dir, "bcgroups"), 0o777)
		}, "bcgroups is writable by others (mode 0777), who could change which host your tokens are sent to; run chmod go-w"},
		{"a world-writable parent folder", keyringOnly, func(t *testing.T, dir string) {
			chmod(t, dir, 0o777)
		}, "is writable by others (mode 0777)"},
		{"a link to a world-writable folder", keyringOnly, func(t *testing.T, dir string) {
			real := filepath.Join(t.TempDir(), "shared")
			if err := os.Rename(filepath.Join(dir, "bcgroups"), real); err != nil {
				t.Fatal(err)
			}
			chmod(t, real, 0o777)
			if err := os.Symlink(real, filepath.Join(dir, "bcgroups")); err != nil {
				t.Fatal(err)
			}
		}, "bcgroups (a link to "},
	} {
		dir := t.TempDir()
		saveProfiles(t, dir, tc.c)
		tc.arrange(t, dir)
		r := cli{configDir: dir, keyring: noKeyring{}}.run(t, "auth", "list")
		r.wantCode(t, 0)
		switch {
		case tc.want == "" && strings.Contains(r.stderr, "warning"):
			t.Errorf("%s: stderr = %q, want no warning", tc.name, r.stderr)
		case tc.want != "" && (!strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "warning") != 1):
			t.Errorf("%s: stderr = %q, want one warning with %q", tc.name, r.stderr, tc.want)
		}
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestLogoutWithNoCurrentProfileSaysSo: it said no profile "".
func TestLogoutWithNoCurrentProfileSaysSo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saveProfiles(t, dir, config{Profiles: map[string]*profile{"kept": {StoreHash: "abc123", Token: "tok"}}})
	r := cli{configDir: dir, keyring: noKeyring{}}.run(t, "auth", "logout")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, `no current profile to log out of; name one, as in bcgroups auth logout NAME (the profiles are "kept")`) || strings.Contains(r.stderr, `""`) {
		t.Errorf("stderr = %q", r.stderr)
	}
}
