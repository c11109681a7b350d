//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// wantEightGroups checks that b is export's JSON of the sample store.
func wantEightGroups(t *testing.T, what string, b []byte) {
	t.Helper()
	var groups []outGroup
	if err := json.Unmarshal(b, &groups); err != nil || len(groups) != 8 {
		t.Errorf("%s holds %d groups (%v), want the 8 of the sample store:\n%s", what, len(groups), err, b)
	}
}

// TestExportWritesThroughASymlinkAsCurlDoes is the sixth finding of issue
// 21: export --file through a symbolic link replaced the link with a
// regular file and left the target's old content; a dangling link became
// a regular file too.
func TestExportWritesThroughASymlinkAsCurlDoes(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	target := exportTarget(t) // 0640, in a folder of its own
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	r := runOn(t, srv, "export", "--file", link)
	r.wantCode(t, 0)
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is now %v (%v), want it still a link", info.Mode(), err)
	}
	b, _ := os.ReadFile(target)
	wantEightGroups(t, "the link's target", b)
	if info, _ := os.Stat(target); info.Mode().Perm() != 0o640 {
		t.Errorf("the target's mode is %v, want its own 0640 kept", info.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) != 1 {
		t.Errorf("the target's folder holds %d files, want the target alone", len(entries))
	}

	// A relative link to a file that does not exist yet.
	dangling := filepath.Join(dir, "next.json")
	if err := os.Symlink("sub/made-by-export.json", dangling); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	runOn(t, srv, "export", "--file", dangling).wantCode(t, 0)
	if info, err := os.Lstat(dangling); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the dangling link is now %v (%v), want it still a link", info.Mode(), err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "sub", "made-by-export.json"))
	wantEightGroups(t, "the dangling link's new target", b)
}

// TestExportStreamsToAFIFO: a FIFO was refused as "not a regular file",
// so --file >(gzip > x.gz) could not work.
func TestExportStreamsToAFIFO(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	fifo := filepath.Join(t.TempDir(), "groups.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	r := runOn(t, srv, "export", "--file", fifo)
	r.wantCode(t, 0)
	wantEightGroups(t, "what the FIFO carried", <-got)
}

// TestExportStreamsToDevStdoutAndAShellsDescriptor runs the program as a
// shell would for --file /dev/stdout and for --file >(...), which passes
// /dev/fd/N.
func TestExportStreamsToDevStdoutAndAShellsDescriptor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(builtBinary(t), "--fake", "export", "--file", "/dev/stdout")
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--file /dev/stdout: %v: %s", err, stderr.String())
	}
	wantEightGroups(t, "standard output", stdout.Bytes())

	// A shell's ">> log": /dev/stdout is a regular file the shell opened
	// to append; it is written in place, never replaced.
	logPath := filepath.Join(dir, "log")
	if err := os.WriteFile(logPath, []byte("earlier line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := logFile.Stat()
	cmd = exec.Command(builtBinary(t), "--fake", "export", "--file", "/dev/stdout")
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
	cmd.Stdout = logFile
	err = cmd.Run()
	logFile.Close()
	if err != nil {
		t.Fatalf("--file /dev/stdout >> log: %v", err)
	}
	after, _ := os.Stat(logPath)
	b, _ := os.ReadFile(logPath)
	if !os.SameFile(before, after) || !strings.HasPrefix(string(b), "earlier line\n[") {
		t.Errorf("the log was replaced or cut (same file: %v):\n%.80s", os.SameFile(before, after), b)
	}
	wantEightGroups(t, "the log after its first line", []byte(strings.TrimPrefix(string(b), "earlier line\n")))

	// A shell's >(...) hands the program a pipe as /dev/fd/3.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd = exec.Command(builtBinary(t), "--fake", "export", "--file", "/dev/fd/3")
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}
	cmd.ExtraFiles = []*os.File{pw}
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	b, _ = io.ReadAll(pr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("--file /dev/fd/3: %v: %s", err, stderr.String())
	}
	wantEightGroups(t, "the descriptor", b)
}

// TestAnEmptyFileNameIsAUsageError: --file ” wrote to standard output and
// exited 0.
func TestAnEmptyFileNameIsAUsageError(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "export", "--file", "")
	r.wantCode(t, exitUsage)
	if r.stdout != "" || !strings.Contains(r.stderr, "--file: needs a file name") || len(srv.Requests()) != 0 {
		t.Errorf("stdout %q, stderr %q, %d requests", r.stdout, r.stderr, len(srv.Requests()))
	}
}

// TestEveryReasonAFileCannotBeWrittenHasOneExitCode: a read-only or
// missing folder exited 2 (usage), an immutable file or a folder in the
// target's place exited 1.
func TestEveryReasonAFileCannotBeWrittenHasOneExitCode(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct {
		name    string
		arrange func(t *testing.T) string // returns the --file path
	}{
		{"a missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing", "g.json") }},
		{"a file where a folder should be", func(t *testing.T) string { return filepath.Join(exportTarget(t), "g.json") }},
		{"a folder in the target's place", func(t *testing.T) string { return t.TempDir() }},
		{"a full device", func(t *testing.T) string {
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skip("this system has no /dev/full")
			}
			return "/dev/full"
		}},
		{"a read-only folder", func(t *testing.T) string {
			dir := t.TempDir()
			protect(t, dir)
			return filepath.Join(dir, "g.json")
		}},
		{"an immutable file", func(t *testing.T) string {
			path := exportTarget(t)
			protect(t, path)
			return path
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.arrange(t)
			r := runOn(t, srv, "export", "--file", path)
			r.wantCode(t, exitCannotWrite)
			if !strings.Contains(r.stderr, "bcgroups: cannot write "+path+": ") {
				t.Errorf("stderr = %q", r.stderr)
			}
		})
	}
}

// protect makes path impossible to change: immutable where chattr can
// make it so (root ignores modes), else read-only.
func protect(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		chmod(t, path, info.Mode().Perm()&^0o222)
		t.Cleanup(func() { os.Chmod(path, info.Mode().Perm()) })
		return
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("root ignores modes and chattr +i failed here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
}

// TestAFailedExportNeverClaimsToKeepAFileThatWasNotThere: after a 401 with
// no previous file, the message said the file "was left as it was".
func TestAFailedExportNeverClaimsToKeepAFileThatWasNotThere(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	fresh := filepath.Join(t.TempDir(), "new.json")
	r := cli{}.run(t, "--base-url", srv.OAuthBaseURL(), "--store-hash", srv.StoreHash, "--token", "not-the-token", "export", "--file", fresh)
	if r.code != exitFailure || strings.Contains(r.stderr, "left as it was") || !strings.Contains(r.stderr, fresh+" was not created") {
		t.Errorf("with no previous file: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a file was created")
	}
	previous := exportTarget(t)
	r = cli{}.run(t, "--base-url", srv.OAuthBaseURL(), "--store-hash", srv.StoreHash, "--token", "not-the-token", "export", "--file", previous)
	if !strings.Contains(r.stderr, previous+" was left as it was") {
		t.Errorf("with a previous file: stderr %q", r.stderr)
	}
	wantPreviousExportAlone(t, previous)
}
