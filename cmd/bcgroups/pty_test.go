package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/zalando/go-keyring"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The tests in this file run the built program in a real pseudo-terminal,
// where the terminal checks of the other tests are only pretended.

const ptyTimeout = 30 * time.Second

var (
	buildOnce sync.Once
	binaryDir string
	binary    string
	buildErr  error
)

// builtBinary builds bcgroups once per run of the tests; TestMain removes
// it at the end.
func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		var err error
		if binaryDir, err = os.MkdirTemp("", "bcgroups-bin"); err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(binaryDir, "bcgroups")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	flag.Parse()
	// No test may read or write the real OS keyring.
	keyring.MockInit()
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// terminal is the controlling side of a pseudo-terminal running one
// command; everything the command writes is collected in seen.
type terminal struct {
	t      *testing.T
	pty    *os.File
	cmd    *exec.Cmd
	chunks chan []byte
	seen   bytes.Buffer
}

// startInTerminalOn runs the built program in a terminal against srv, a
// store served by the test.
func startInTerminalOn(t *testing.T, srv *bigcommercetest.Server, args ...string) *terminal {
	t.Helper()
	return startInTerminal(t, append([]string{"--base-url", srv.OAuthBaseURL(), "--store-hash", srv.StoreHash, "--token", srv.AccessToken}, args...)...)
}

func startInTerminal(t *testing.T, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(builtBinary(t), args...)
	cmd.Dir = t.TempDir()
	// No profile or keyring of the machine's user may leak into a test.
	cmd.Env = append(os.Environ(), "HOME="+cmd.Dir, "XDG_CONFIG_HOME="+cmd.Dir)
	f, err := pty.Start(cmd)
	if err != nil {
		t.Fatalf("starting in a pty: %v", err)
	}
	tm := &terminal{t: t, pty: f, cmd: cmd, chunks: make(chan []byte, 64)}
	go func() {
		defer close(tm.chunks)
		for {
			b := make([]byte, 4096)
			n, err := f.Read(b)
			if n > 0 {
				tm.chunks <- b[:n]
			}
			if err != nil {
				return // EIO once the command has exited
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return tm
}

// expect waits until the command has written want, or fails at the
// deadline.
func (tm *terminal) expect(want string) {
	tm.t.Helper()
	deadline := time.NewTimer(ptyTimeout)
	defer deadline.Stop()
	for !strings.Contains(tm.seen.String(), want) {
		select {
		case b, ok := <-tm.chunks:
			if !ok {
				tm.t.Fatalf("the command ended without writing %q; it wrote:\n%q", want, tm.seen.String())
			}
			tm.seen.Write(b)
		case <-deadline.C:
			tm.t.Fatalf("no %q after %v; the terminal shows:\n%q", want, ptyTimeout, tm.seen.String())
		}
	}
}

func (tm *terminal) typeLine(s string) {
	tm.t.Helper()
	if _, err := tm.pty.Write([]byte(s + "\r")); err != nil {
		tm.t.Fatal(err)
	}
}

// wait collects the rest of the output and returns the exit code.
func (tm *terminal) wait() int {
	tm.t.Helper()
	deadline := time.NewTimer(ptyTimeout)
	defer deadline.Stop()
	for done := false; !done; {
		select {
		case b, ok := <-tm.chunks:
			if !ok {
				done = true
			}
			tm.seen.Write(b)
		case <-deadline.C:
			tm.t.Fatalf("the command did not end within %v; the terminal shows:\n%q", ptyTimeout, tm.seen.String())
		}
	}
	err := tm.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		tm.t.Fatal(err)
	}
	return 0
}

func TestInATerminalDeleteAsksAndHonoursNoThenYes(t *testing.T) {
	t.Parallel()
	no := startInTerminal(t, "--fake", "delete", "3")
	no.expect(`Delete 1 group from the fake store: "Wholesale" (id 3)? Their customers will be in no group. [y/N] `)
	no.typeLine("n")
	if code := no.wait(); code != exitFailure || !strings.Contains(no.seen.String(), "not confirmed; nothing was changed") || strings.Contains(no.seen.String(), "deleted group") {
		t.Errorf("answering no: exit %d, terminal:\n%q", code, no.seen.String())
	}

	yes := startInTerminal(t, "--fake", "delete", "3")
	yes.expect("[y/N] ")
	yes.typeLine("y")
	yes.expect(`deleted group "Wholesale" (id 3)`)
	if code := yes.wait(); code != 0 {
		t.Errorf("answering yes: exit %d, terminal:\n%q", code, yes.seen.String())
	}
}

func TestInATerminalCtrlCAtAPromptExits130AndChangesNothing(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	tm := startInTerminalOn(t, srv, "delete", "3")
	tm.expect("[y/N] ")
	if _, err := tm.pty.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	if code := tm.wait(); code != exitInterrupted {
		t.Errorf("exit %d, want %d; terminal:\n%q", code, exitInterrupted, tm.seen.String())
	}
	if _, ok := srv.Group(3); !ok || writes(srv) != 0 {
		t.Error("a Ctrl-C at the question deleted the group")
	}
	if !strings.Contains(tm.seen.String(), "interrupted by Ctrl-C: nothing was changed") {
		t.Errorf("terminal:\n%q", tm.seen.String())
	}
}

func TestInATerminalExportDrawsAProgressBarAndInAPipeItDoesNot(t *testing.T) {
	t.Parallel()
	tm := startInTerminal(t, "--fake", "export", "--file", "groups.json")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d, terminal:\n%q", code, tm.seen.String())
	}
	if s := tm.seen.String(); !strings.Contains(s, "exporting groups, page 1/1") || !strings.Contains(s, "8/8") || !strings.Contains(s, "100%") {
		t.Errorf("the terminal shows no progress bar:\n%q", s)
	}

	cmd := exec.Command(builtBinary(t), "--fake", "export", "--file", "groups.json")
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "exporting groups") || strings.Contains(s, "\r") || !strings.Contains(s, "exported 8 groups") {
		t.Errorf("in a pipe, stderr is:\n%q\nwant messages and no bar", s)
	}
}

func TestInATerminalLoginAsksForTheTokenWithoutEchoingIt(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	tm := startInTerminal(t, "--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", "pty-shop", "--insecure-storage")
	tm.expect("Access token (not shown): ")
	tm.typeLine(srv.AccessToken)
	tm.expect(`as profile "pty-shop"`)
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d, terminal:\n%q", code, tm.seen.String())
	}
	if strings.Contains(tm.seen.String(), srv.AccessToken) {
		t.Errorf("the terminal shows the token:\n%q", tm.seen.String())
	}
}

func TestInATerminalCtrlCAtTheTokenPromptExits130AndSavesNothing(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	tm := startInTerminal(t, "--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", "pty-cancel", "--insecure-storage")
	tm.expect("Access token (not shown): ")
	if _, err := tm.pty.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	if code := tm.wait(); code != exitInterrupted {
		t.Errorf("exit %d, want %d; terminal:\n%q", code, exitInterrupted, tm.seen.String())
	}
	if _, err := os.Stat(filepath.Join(tm.cmd.Dir, "bcgroups", "config.json")); err == nil {
		t.Error("a profile was saved after Ctrl-C")
	}
}

func TestInATerminalAHostileNameIsShownEscaped(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	g := srv.Add(bigcommercetest.Group{Name: hostileName, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})

	del := startInTerminalOn(t, srv, "delete", itoa(g.ID))
	del.expect(`: "Evil\x1b[2J\x1b]0;pwned\x07\u202eelas" (id ` + itoa(g.ID) + `)? Their customers will be in no group. [y/N] `)
	del.typeLine("n")
	if code := del.wait(); code != exitFailure || strings.ContainsAny(del.seen.String(), "\x1b\x07\u202e") {
		t.Errorf("delete prompt: exit %d, terminal %q", code, del.seen.String())
	}

	tm := startInTerminalOn(t, srv, "list", "--name-like", "Evil")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d, terminal:\n%q", code, tm.seen.String())
	}
	s := tm.seen.String()
	if !strings.Contains(s, `Evil\x1b[2J\x1b]0;pwned\x07\u202eelas`) || strings.ContainsAny(s, "\x1b\x07\u202e") {
		t.Errorf("the terminal shows %q, want the name's controls visible and inert", s)
	}
}

func TestInATerminalWideNamesKeepTheColumnsInLine(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	for _, name := range []string{"批发客户", "Trade", "도매 고객"} {
		srv.Add(bigcommercetest.Group{Name: name, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	}
	tm := startInTerminalOn(t, srv, "list")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d, terminal:\n%q", code, tm.seen.String())
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(tm.seen.String(), "\r\n", "\n")), "\n")
	if len(lines) != 4 {
		t.Fatalf("terminal:\n%s", tm.seen.String())
	}
	// The DEFAULT column starts in the same terminal cell on every line.
	at := func(line, word string) int { return cells(line[:strings.Index(line, word)]) }
	want := at(lines[0], "DEFAULT")
	for _, line := range lines[1:] {
		if got := at(line, " no "); got+1 != want {
			t.Errorf("on %q the third column starts at cell %d, want %d:\n%s", line, got+1, want, tm.seen.String())
		}
	}
}
