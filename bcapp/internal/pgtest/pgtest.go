// Package pgtest gives tests a real PostgreSQL server: the one named by
// the environment variable BIGCOMMERCE_TEST_POSTGRES (a DSN of a role that
// may create schemas), or else a private server that it starts from the
// PostgreSQL binaries (initdb, postgres) in a temporary directory, on a
// free loopback port, once per test binary. Each test gets a schema of
// its own.
//
// Tests skip, with a message that says what to install, where neither is
// available; where CI=true or BIGCOMMERCE_REQUIRE_POSTGRES=1 they fail
// instead, so that a missing server cannot turn them into silent skips.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The environment variables pgtest reads.
const (
	DSNEnv     = "BIGCOMMERCE_TEST_POSTGRES"
	RequireEnv = "BIGCOMMERCE_REQUIRE_POSTGRES"
)

const installHint = "install the server with `apt-get install postgresql` (Debian, Ubuntu), or set " + DSNEnv + " to the DSN of a server"

// startTimeout bounds how long the private server may take to accept
// connections.
const startTimeout = 30 * time.Second

// Server is a PostgreSQL server the tests may use.
type Server struct {
	adminDSN string
	// dataDir is the private server's data directory, "" for a server
	// named by DSNEnv.
	dataDir string
	dir     string // the private server's temporary directory
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *SyncBuffer
}

var (
	once      sync.Once
	shared    *Server
	sharedErr error
)

// Get returns the tests' server, starting the private one on first use,
// or skips the test (fails it where PostgreSQL is required).
func Get(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		msg := "pgtest: " + sharedErr.Error()
		if required() {
			t.Fatalf("%s (PostgreSQL is required here: CI=true or %s=1)", msg, RequireEnv)
		}
		t.Skip(msg)
	}
	return shared
}

func required() bool { return os.Getenv("CI") == "true" || os.Getenv(RequireEnv) == "1" }

// Main runs the tests and then stops the private server, if one started.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// DataDir is the private server's data directory, for tests that read
// its files; "" for a server named by DSNEnv.
func (s *Server) DataDir() string { return s.dataDir }

// DSN creates a schema for the test, dropped when it ends, and returns a
// DSN whose search path is that schema.
func (s *Server) DSN(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	s.Exec(t, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { s.Exec(t, "DROP SCHEMA "+schema+" CASCADE") })
	if strings.Contains(s.adminDSN, "://") {
		sep := "?"
		if strings.Contains(s.adminDSN, "?") {
			sep = "&"
		}
		return s.adminDSN + sep + "search_path=" + schema
	}
	return s.adminDSN + " search_path=" + schema
}

// Exec runs SQL statements as the admin role.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		t.Fatalf("pgtest: connecting: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

func start() (*Server, error) {
	if dsn := os.Getenv(DSNEnv); dsn != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("%s is set but does not connect: %v", DSNEnv, err)
		}
		_ = conn.Close(ctx)
		return &Server{adminDSN: dsn}, nil
	}
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	// Under root the server runs as another user, who must be able to
	// reach the directory: /tmp, not a TMPDIR in root's home.
	parent := ""
	if cred != nil {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, dataDir: filepath.Join(dir, "data"), log: &SyncBuffer{}}
	if err := s.run(bin, cred); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// binDir finds initdb and postgres: on PATH, else in the newest
// /usr/lib/postgresql/*/bin, where Debian puts them.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("the PostgreSQL server binaries (initdb, postgres) are not installed: " + installHint)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (s *Server) command(cred *runAs, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = sysProcAttr(cred)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

func (s *Server) run(bin string, cred *runAs) error {
	if cred != nil {
		if err := os.Chown(s.dir, cred.uid, cred.gid); err != nil {
			return err
		}
	}
	initdb := s.command(cred, filepath.Join(bin, "initdb"), "-D", s.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	if err := initdb.Run(); err != nil {
		return fmt.Errorf("initdb failed: %v\n%s", err, s.log)
	}
	var err error
	for range 5 {
		// The free port is found by binding and closing it, so another
		// process may take it first: try a few.
		var port int
		if port, err = freePort(); err != nil {
			return err
		}
		if err = s.serve(bin, cred, port); err == nil {
			return nil
		}
	}
	return err
}

func (s *Server) serve(bin string, cred *runAs, port int) error {
	cmd := s.command(cred, filepath.Join(bin, "postgres"), "-D", s.dataDir, "-p", strconv.Itoa(port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200")
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	s.adminDSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.adminDSN)
		if err == nil {
			_ = conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("postgres exited: %v\n%s", err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %s: %v\n%s", startTimeout, err, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts the private server down (a fast shutdown) and removes its
// directory.
func (s *Server) stop() {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// SyncBuffer is a buffer that goroutines may write to and read at once:
// the server processes' output here, and the bcapp tests' logs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *SyncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *SyncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
