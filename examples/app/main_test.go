package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runMainEnv makes the test binary run the program's main instead of the
// tests, so that the tests start the program as a user does, without a
// separate build.
const runMainEnv = "EXAMPLES_APP_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// program is the app started as a process, with env added to a bare
// environment; it is killed when the test ends.
type program struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func start(t *testing.T, env ...string) *program {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append([]string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: cmd, stdout: bufio.NewReader(out), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return p
}

// freeAddr is a loopback address with a port free a moment ago: the
// program needs its address before it listens, to register its callbacks.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// get polls url until the program answers it or the deadline passes.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the program does not answer %s: %v", url, err)
		case <-time.After(wait):
		}
	}
}

// TestDemoPrintsTheControlPanel: without credentials, the program starts
// the embedded fake, prints its control panel's address, where both
// stores and the app are ready to install, and serves the app.
func TestDemoPrintsTheControlPanel(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := start(t, "BCAPP_ADDR="+addr)
	var printed strings.Builder
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/manage`)
	for !link.MatchString(printed.String()) {
		line, err := p.stdout.ReadString('\n')
		printed.WriteString(line)
		if err != nil {
			t.Fatalf("the program printed no control panel link: %v\n%s\n%s", err, printed.String(), p.stderr)
		}
	}
	status, panel := get(t, link.FindString(printed.String()))
	if status != http.StatusOK || !strings.Contains(panel, "abc123") || !strings.Contains(panel, "def456") || !strings.Contains(panel, "Customer groups") {
		t.Errorf("the control panel answered %d:\n%s", status, panel)
	}
	if status, _ := get(t, "http://"+addr+"/bc/load"); status != http.StatusUnauthorized {
		t.Errorf("the app's /bc/load without a payload answered %d, want 401", status)
	}
}

// TestRealAppNeedsATokenKey: with credentials, the program refuses to
// start without a key to encrypt the tokens with, or with a bad one, and
// creates no database.
func TestRealAppNeedsATokenKey(t *testing.T) {
	t.Parallel()
	for name, key := range map[string]string{"no key": "", "a short key": base64.StdEncoding.EncodeToString([]byte("short"))} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "app.db")
			p := start(t, "BIGCOMMERCE_CLIENT_ID=id", "BIGCOMMERCE_CLIENT_SECRET=SECRETvalue", "BCAPP_URL=https://app.example.com",
				"BCAPP_DB="+db, "BCAPP_TOKEN_KEY="+key, "BCAPP_ADDR="+freeAddr(t))
			err := p.cmd.Wait()
			if err == nil || !strings.Contains(p.stderr.String(), "BCAPP_TOKEN_KEY") || !strings.Contains(p.stderr.String(), "32 random bytes") {
				t.Errorf("the program ended with %v, saying:\n%s", err, p.stderr)
			}
			if strings.Contains(p.stderr.String(), "SECRETvalue") {
				t.Errorf("the program printed the client secret:\n%s", p.stderr)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("the database was created: %v", err)
			}
		})
	}
}

// TestRealAppServes: with credentials and a key, the program serves the
// callbacks under /bc/ and the page at /, refusing what BigCommerce did
// not sign, with its tokens in the SQLite file.
func TestRealAppServes(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	db := filepath.Join(t.TempDir(), "app.db")
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	p := start(t, "BIGCOMMERCE_CLIENT_ID=id", "BIGCOMMERCE_CLIENT_SECRET=secret", "BCAPP_URL=https://app.example.com",
		"BCAPP_DB="+db, "BCAPP_TOKEN_KEY="+key, "BCAPP_ADDR="+addr)
	for path, want := range map[string]int{"/bc/load": http.StatusUnauthorized, "/bc/auth": http.StatusBadRequest, "/": http.StatusUnauthorized} {
		if status, body := get(t, "http://"+addr+path); status != want {
			t.Errorf("%s answered %d, want %d:\n%s\n%s", path, status, want, body, p.stderr)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the token store's file: %v", err)
	}
}
