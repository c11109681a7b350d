//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests in this file send real signals to the built program.

// everyStopSignal is each signal that ends the program, with the exit
// code and the name it reports.
var everyStopSignal = []struct {
	sig  syscall.Signal
	code int
	name string
}{
	{syscall.SIGINT, 130, "Ctrl-C"}, {syscall.SIGTERM, 143, "SIGTERM"},
	{syscall.SIGHUP, 129, "SIGHUP"}, {syscall.SIGQUIT, 131, "SIGQUIT"},
}

// silentStore accepts requests and never answers them; arrived gets a
// value when the first one comes.
func silentStore(t *testing.T) (base string, arrived <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ch <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/stores/abc123/v2", ch
}

// startExport starts the built program exporting to path from a store
// that never answers, and returns once the request is out, which is when
// the temporary file exists.
func startExport(t *testing.T, path string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	base, arrived := silentStore(t)
	cmd := exec.Command(builtBinary(t), "--base-url", base, "--store-hash", "abc123", "--token", "tok-for-tests", "export", "--file", path)
	cmd.Env = []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(ptyTimeout):
		cmd.Process.Kill()
		t.Fatal("the export never asked the store for groups")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 2 {
		t.Errorf("during the export the folder holds %d files, want the target and a temporary file", len(entries))
	}
	return cmd, &stderr
}

// exitCodeOf is the exit code of a command that has ended.
func exitCodeOf(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// TestEverySignalLeavesThePreviousExportAndSaysSo is the seventh finding
// of issue 21: SIGHUP (a dropped SSH session) and SIGQUIT left the
// temporary file behind and ended the program with no summary.
func TestEverySignalLeavesThePreviousExportAndSaysSo(t *testing.T) {
	t.Parallel()
	for _, tc := range everyStopSignal {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := exportTarget(t)
			cmd, stderr := startExport(t, path)
			cmd.Process.Signal(tc.sig)
			if code := exitCodeOf(t, cmd.Wait()); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if want := "bcgroups: interrupted by " + tc.name + ": export failed: "; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), path+" was left as it was") {
				t.Errorf("stderr:\n%s\nwant %q and the file named as left", stderr, want)
			}
			wantPreviousExportAlone(t, path)
		})
	}
}

// TestEverySignalStopsApplyWithItsSummary: apply stopped by SIGHUP
// printed no done/not-done summary, where Ctrl-C did.
func TestEverySignalStopsApplyWithItsSummary(t *testing.T) {
	t.Parallel()
	for _, tc := range everyStopSignal {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newStore(t)
			// The second create hangs until the program gives up on it.
			target, _ := url.Parse(srv.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			var creates atomic.Int32
			held := make(chan struct{}, 1)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && creates.Add(1) == 2 {
					// Read to the end, so that the server notices when the
					// program hangs up.
					io.Copy(io.Discard, r.Body)
					held <- struct{}{}
					<-r.Context().Done()
					return
				}
				proxy.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			cmd := exec.Command(builtBinary(t), "--base-url", front.URL+"/stores/"+srv.StoreHash+"/v2", "--store-hash", srv.StoreHash, "--token", srv.AccessToken,
				"apply", "-f", writeFile(t, "g.ndjson", threeNew), "--yes")
			cmd.Env = []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir()}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-held:
			case <-time.After(ptyTimeout):
				cmd.Process.Kill()
				t.Fatalf("the second create never came; stderr:\n%s", stderr.String())
			}
			cmd.Process.Signal(tc.sig)
			if code := exitCodeOf(t, cmd.Wait()); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			for _, want := range []string{`done: create "Bronze"` + "\n", `not done: create "Silver", create "Platinum", update "Staff"`, "bcgroups: interrupted by " + tc.name} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

// TestATempFileLeftByKill9IsRemovedByTheNextExport: kill -9 cannot be
// caught, so its temporary file stays until a later write to the same
// target, which removes it, and leaves a running export's alone.
func TestATempFileLeftByKill9IsRemovedByTheNextExport(t *testing.T) {
	t.Parallel()
	path := exportTarget(t)
	cmd, _ := startExport(t, path)
	cmd.Process.Kill()
	cmd.Wait()
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(filepath.Base(path))))
	if len(stale) != 1 {
		t.Fatalf("kill -9 left %q, want one temporary file", stale)
	}

	// A temporary file that a live export holds locked is not stale.
	live, err := createLockedTemp(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	srv := newStore(t)
	runOn(t, srv, "export", "--file", path).wantCode(t, 0)
	if _, err := os.Stat(stale[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed export's %s is still there (%v)", stale[0], err)
	}
	if _, err := os.Stat(live.Name()); err != nil {
		t.Errorf("the live export's temporary file was removed: %v", err)
	}
}
