// Package redistest starts real redis-server processes for tests: a single
// server, which tests can kill and restart on the same port, and a small
// Redis Cluster.
//
// Tests that need Redis skip when redis-server (or redis-cli, for a
// cluster) is not installed, with a message that says how to install it.
// Where the environment variable BIGCOMMERCE_REQUIRE_REDIS is set to 1, as
// in CI, they fail instead, so that a missing server cannot turn the Redis
// tests into silent skips.
package redistest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RequireEnv names the environment variable that turns a missing Redis
// from a skip into a failure.
const RequireEnv = "BIGCOMMERCE_REQUIRE_REDIS"

const installHint = "install it with `apt-get install redis-server` (Debian, Ubuntu) or `brew install redis` (macOS)"

// startTimeout bounds how long a server may take to accept connections;
// a healthy one needs a few milliseconds.
const startTimeout = 10 * time.Second

// unavailable skips the test, or fails it where Redis is required.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure rather than a skip)", msg, RequireEnv)
	}
	t.Skip(msg)
}

// lookPath finds a Redis program on PATH, or skips the test.
func lookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		unavailable(t, "redistest: %s is not on PATH: %s", name, installHint)
	}
	return path
}

// Server is one redis-server process on a loopback port, without
// persistence, so that a restart comes back empty as a production Redis
// without persistence would.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	log     *bytes.Buffer
	clients []redis.UniversalClient
}

// Start starts redis-server from PATH on a free loopback port, with args
// added to its command line, and stops it when the test ends.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	bin := lookPath(t, "redis-server")
	s := &Server{t: t, bin: bin, dir: t.TempDir(), args: args}
	t.Cleanup(s.stop)
	// The free port is found by binding and closing it, so another process
	// can take it before redis-server binds it: try a few.
	var err error
	for range 5 {
		s.port, err = freePort()
		if err != nil {
			break
		}
		if err = s.start(); err == nil {
			return s
		}
	}
	unavailable(t, "redistest: redis-server did not start: %v", err)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs the server on s.port and waits until it answers PING.
func (s *Server) start() error {
	args := append([]string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--appendonly", "no",
		"--protected-mode", "no",
		"--loglevel", "warning",
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	log := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = &syncWriter{w: log}, &syncWriter{w: log}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited, s.log = cmd, exited, log
	s.mu.Unlock()
	if err := waitReady(s.Addr(), exited); err != nil {
		s.Kill()
		return fmt.Errorf("%w; its log:\n%s", err, log)
	}
	return nil
}

// waitReady polls PING until it succeeds, the process exits or time runs
// out.
func waitReady(addr string, exited <-chan struct{}) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("redis-server exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer within %s: %v", addr, startTimeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// until it has exited. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Restart kills the server if it runs and starts it again, empty, on the
// same port, so that clients that knew the old one reconnect to the new
// one. It fails the test when the server does not come back.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	// The old process's port can stay busy for a moment after it exits.
	var err error
	for range 20 {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("redistest: redis-server did not restart on %s: %v", s.Addr(), err)
}

// Client returns a new go-redis client of the server, closed when the test
// ends. Each call gives a separate client with its own connection pool,
// which is how tests stand in for separate processes.
func (s *Server) Client() *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.mu.Lock()
	s.clients = append(s.clients, rdb)
	s.mu.Unlock()
	return rdb
}

// Log is what the server has written to its log since it last started.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

func (s *Server) stop() {
	s.mu.Lock()
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	for _, c := range clients {
		_ = c.Close()
	}
	s.Kill()
}

// syncWriter lets the process's stdout and stderr share one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// Cluster is a Redis Cluster of masters without replicas, each a Server.
type Cluster struct {
	t     testing.TB
	nodes []*Server

	mu      sync.Mutex
	clients []*redis.ClusterClient
}

// clusterTimeout bounds how long the nodes may take to agree that the
// cluster is up.
const clusterTimeout = 20 * time.Second

// StartCluster starts n redis-server nodes in cluster mode, joins them
// with redis-cli --cluster create, and waits until every node reports
// cluster_state:ok. Redis needs at least three masters for a cluster, so n
// below 3 is a bug in the test. Where redis-cli is missing or the cluster
// cannot be formed, the test is skipped, or fails where Redis is required.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("redistest: a Redis Cluster needs at least 3 masters, asked for %d", n)
	}
	cli := lookPath(t, "redis-cli")
	lookPath(t, "redis-server")
	c := &Cluster{t: t}
	t.Cleanup(c.closeClients)
	conf := t.TempDir()
	addrs := make([]string, n)
	for i := range n {
		// Each node writes its view of the cluster to its own file.
		file := filepath.Join(conf, fmt.Sprintf("nodes-%d.conf", i))
		node := Start(t, "--cluster-enabled", "yes", "--cluster-config-file", file, "--cluster-node-timeout", "5000")
		c.nodes = append(c.nodes, node)
		addrs[i] = node.Addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	if err != nil {
		unavailable(t, "redistest: redis-cli --cluster create failed: %v\n%s", err, out)
	}
	if err := c.waitOK(ctx); err != nil {
		unavailable(t, "redistest: the cluster did not come up: %v", err)
	}
	return c
}

// waitOK polls CLUSTER INFO on every node until all say cluster_state:ok
// and agree on the number of known nodes.
func (c *Cluster) waitOK(ctx context.Context) error {
	want := "cluster_known_nodes:" + strconv.Itoa(len(c.nodes))
	for {
		var notOK string
		for _, node := range c.nodes {
			rdb := redis.NewClient(&redis.Options{Addr: node.Addr(), MaxRetries: -1})
			info, err := rdb.ClusterInfo(ctx).Result()
			_ = rdb.Close()
			if err != nil {
				notOK = node.Addr() + ": " + err.Error()
				break
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, want) {
				notOK = node.Addr() + ": " + strings.ReplaceAll(strings.TrimSpace(info), "\r\n", " ")
				break
			}
		}
		if notOK == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; last seen %s", ctx.Err(), notOK)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Addrs are the nodes' host:port addresses.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// Nodes are the cluster's servers.
func (c *Cluster) Nodes() []*Server { return c.nodes }

// Client returns a new cluster client, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	c.mu.Lock()
	c.clients = append(c.clients, rdb)
	c.mu.Unlock()
	return rdb
}

func (c *Cluster) closeClients() {
	c.mu.Lock()
	clients := c.clients
	c.clients = nil
	c.mu.Unlock()
	for _, rdb := range clients {
		_ = rdb.Close()
	}
}
