package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// previousExport is what a test's --file held before the run under test.
const previousExport = "[{\"name\": \"the last good export\"}]\n"

// exportTarget makes a folder holding a previous export and returns the
// path of that file.
func exportTarget(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "groups.json")
	if err := os.WriteFile(path, []byte(previousExport), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantPreviousExportAlone checks that path still holds the previous export
// and that nothing else, such as a temporary file, is beside it.
func wantPreviousExportAlone(t *testing.T, path string) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != previousExport {
		t.Errorf("the previous export now holds %q (%v), want it untouched", b, err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %q, want only %s", names, filepath.Base(path))
	}
}

func TestExportThatFailsLeavesThePreviousFileAndNoTemporaryFile(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.InjectFault(bigcommercetest.Fault{Path: "/customer_groups", Status: http.StatusInternalServerError, Count: 10})
	path := exportTarget(t)
	r := runOn(t, srv, "export", "--file", path)
	r.wantCode(t, exitFailure)
	wantPreviousExportAlone(t, path)
}

func TestExportReplacesTheFileWholeAndKeepsItsMode(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := exportTarget(t)
	r := runOn(t, srv, "export", "--file", path)
	r.wantCode(t, 0)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode after the export: %v (%v), want the previous file's 0640", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the folder holds %d files after a good export, want 1", len(entries))
	}
	if r.stderr != "exported 8 groups to "+path+"\n" {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestExportToAFolderThatDoesNotExistCannotWriteAndSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "export", "--file", filepath.Join(t.TempDir(), "missing", "groups.json"))
	r.wantCode(t, exitCannotWrite)
	if len(srv.Requests()) != 0 {
		t.Error("requests were sent for an export that had nowhere to go")
	}
}

func TestExportStoppedBySignalExitsWithTheShellsCodeAndLeavesThePreviousFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, exitInterrupted}, {syscall.SIGTERM, exitSIGTERM}} {
		srv := newStore(t)
		path := exportTarget(t)
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&interrupted{tc.sig})
		r := cli{srv: srv, ctx: ctx}.run(t, "export", "--file", path)
		r.wantCode(t, tc.code)
		wantPreviousExportAlone(t, path)
	}
}

// A second Ctrl-C ends the program from main's signal goroutine, without
// unwinding replaceFile; removeTempFiles must still find the file. It
// removes every temporary file of the process, so this test does not run
// in parallel with the exports of other tests.
func TestRemoveTempFilesFindsAFileBeingWritten(t *testing.T) {
	path := exportTarget(t)
	err := replaceFile(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("half an export"))
		removeTempFiles() // what main does on the second signal
		return errors.New("the program would have exited here")
	})
	if err == nil {
		t.Fatal("replaceFile succeeded")
	}
	wantPreviousExportAlone(t, path)
}
