package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// newStore starts a fake store holding the same sample groups as --fake.
func newStore(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	srv := bigcommercetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	seedSample(srv)
	return srv
}

// cli describes one run of the program.
type cli struct {
	srv                   *bigcommercetest.Server // nil: no store flags are added
	out                   io.Writer               // nil: stdout is captured
	stdin                 string
	inTTY, outTTY, errTTY bool
	env                   map[string]string
	errOut                io.Writer            // nil: stderr is only captured
	ctx                   context.Context      // nil: context.Background()
	sdk                   []bigcommerce.Option // after the options below
	configDir             string               // "": a fresh temporary folder
	keyring               secretStore          // nil: mockKeyring
}

// lockedKeyring serializes calls to go-keyring's mock (see TestMain),
// whose map has no lock of its own, for tests that run in parallel.
type lockedKeyring struct{ mu sync.Mutex }

func (k *lockedKeyring) Get(name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return osKeyring{}.Get(name)
}

func (k *lockedKeyring) Set(name, token string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return osKeyring{}.Set(name, token)
}

func (k *lockedKeyring) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return osKeyring{}.Delete(name)
}

// mockKeyring is the OS keyring code path over go-keyring's in-memory
// mock, so that no test reads or writes the real keyring.
var mockKeyring = &lockedKeyring{}

type result struct {
	stdout, stderr string
	code           int
}

// run runs bcgroups in process against c.srv, with the store's address
// and credentials given as flags, and an SDK that neither backs off
// before a retry nor waits for a spent rate-limit quota: a 429 comes back
// at once instead of after the fake's X-Retry-After.
func (c cli) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	var stdout io.Writer = &out
	if c.out != nil {
		stdout = c.out
	}
	var stderr io.Writer = &errOut
	if c.errOut != nil {
		stderr = io.MultiWriter(&errOut, c.errOut)
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	a := &app{
		io: &ioStreams{In: strings.NewReader(c.stdin), Out: stdout, ErrOut: stderr, InTTY: c.inTTY, OutTTY: c.outTTY, ErrTTY: c.errTTY},
		getenv: func(k string) string {
			return c.env[k]
		},
		sdkOptions: append([]bigcommerce.Option{bigcommerce.WithRetryWait(0, 0), bigcommerce.WithMaxRateLimitWait(0)}, c.sdk...),
		keyring:    c.keyring,
	}
	configDir := c.configDir
	if configDir == "" {
		configDir = t.TempDir()
	}
	a.userConfigDir = func() (string, error) { return configDir, nil }
	if a.keyring == nil {
		a.keyring = mockKeyring
	}
	if c.srv != nil {
		args = append([]string{"--base-url", c.srv.OAuthBaseURL(), "--store-hash", c.srv.StoreHash, "--token", c.srv.AccessToken}, args...)
	}
	code := a.execute(ctx, args)
	return result{out.String(), errOut.String(), code}
}

// withOut sends standard output to w instead of capturing it.
func (c cli) withOut(w io.Writer) cli {
	c.out = w
	return c
}

// onWrite calls f the first time what is written contains want: a way
// to act at a moment of a run, such as pressing Ctrl-C after a message.
type onWrite struct {
	want string
	f    func()
	seen strings.Builder
	done bool
}

func (w *onWrite) Write(p []byte) (int, error) {
	w.seen.Write(p)
	if !w.done && strings.Contains(w.seen.String(), w.want) {
		w.done = true
		w.f()
	}
	return len(p), nil
}

// runOn is the common case: a program, not a person, runs bcgroups
// against srv.
func runOn(t *testing.T, srv *bigcommercetest.Server, args ...string) result {
	t.Helper()
	return cli{srv: srv}.run(t, args...)
}

func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// writes counts the requests that could change the store.
func writes(srv *bigcommercetest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// writeFile puts content in a fresh file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// groupNamed finds a group of the fake store by its exact name.
func groupNamed(t *testing.T, srv *bigcommercetest.Server, name string) bigcommercetest.Group {
	t.Helper()
	var found []bigcommercetest.Group
	for _, g := range srv.Groups() {
		if strings.EqualFold(g.Name, name) {
			found = append(found, g)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the store has %d groups named %q, want 1", len(found), name)
	}
	return found[0]
}

func itoa(n int) string { return strconv.Itoa(n) }

// where is how questions and logs name srv's store when its address and
// credentials are given as flags.
func where(srv *bigcommercetest.Server) string {
	return "store " + srv.StoreHash + " at " + hostOf(srv.OAuthBaseURL())
}

// anonymous replaces srv's store hash and host in s, for golden files.
func anonymous(srv *bigcommercetest.Server, s string) string {
	return strings.NewReplacer(srv.StoreHash, "STOREHASH", hostOf(srv.OAuthBaseURL()), "HOST").Replace(s)
}
