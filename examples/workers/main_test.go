package main

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The test binary is started again as the workers, as the program is.
func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		os.Exit(cli(nil, os.Stdout, os.Stderr, exec.LookPath))
	}
	os.Exit(m.Run())
}

// needRedis skips without a Redis to use, unless BIGCOMMERCE_REQUIRE_REDIS=1
// makes that a failure, as in CI.
func needRedis(t *testing.T) {
	t.Helper()
	if os.Getenv("REDIS_URL") != "" {
		return
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("BIGCOMMERCE_REQUIRE_REDIS") == "1" {
			t.Fatal("BIGCOMMERCE_REQUIRE_REDIS=1 but there is no redis-server on PATH and no REDIS_URL")
		}
		t.Skip("no redis-server on PATH and no REDIS_URL")
	}
}

var (
	workerLine = regexp.MustCompile(`(?m)^\s*(worker-\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)
	storeLine  = regexp.MustCompile(`The store saw (\d+) requests in [\d.]+s \((\d+) calls at 20 a window need (\d+) windows\): (\d+) answered 429, at most (\d+) in flight at once\.`)
)

func TestWorkersShareTheQuotaThroughRedis(t *testing.T) {
	needRedis(t)
	var stdout, stderr strings.Builder
	if code := cli([]string{"-workers", "3", "-goroutines", "4", "-calls", "10"}, &stdout, &stderr, exec.LookPath); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	t.Log("\n" + out)
	if !strings.Contains(out, "3 workers of 4 goroutines, 10 calls each, sharing the quota through Redis") {
		t.Errorf("no summary of the run in:\n%s", out)
	}

	rows := workerLine.FindAllStringSubmatch(out, -1)
	if len(rows) != 3 {
		t.Fatalf("%d worker rows, want 3:\n%s", len(rows), out)
	}
	refusedByWorker := 0
	for i, r := range rows {
		if want := "worker-" + strconv.Itoa(i+1); r[1] != want {
			t.Errorf("row %d names %s, want %s", i, r[1], want)
		}
		if r[2] != "10" || r[4] != "0" {
			t.Errorf("%s: %s calls, %s failed; want 10 and none", r[1], r[2], r[4])
		}
		n, _ := strconv.Atoi(r[3])
		refusedByWorker += n
	}

	m := storeLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line on what the store saw:\n%s", out)
	}
	requests, _ := strconv.Atoi(m[1])
	refused, _ := strconv.Atoi(m[4])
	inFlight, _ := strconv.Atoi(m[5])
	if m[2] != "30" || m[3] != "2" {
		t.Errorf("%s calls needing %s windows, want 30 and 2", m[2], m[3])
	}
	// Every call is at least one request; each 429 is one more.
	if requests != 30+refused {
		t.Errorf("the store saw %d requests, want the 30 calls plus the %d answered 429", requests, refused)
	}
	if refused != refusedByWorker {
		t.Errorf("%d answered 429 in all, but the worker rows add up to %d", refused, refusedByWorker)
	}
	if inFlight < 1 || inFlight > 12 {
		t.Errorf("at most %d in flight, want between 1 and the 12 goroutines", inFlight)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", &stderr)
	}
}

func TestWithoutRedisItSaysHowToGetOne(t *testing.T) {
	var stdout, stderr strings.Builder
	noRedisServer := func(string) (string, error) { return "", exec.ErrNotFound }
	code := cli([]string{"-redis", ""}, &stdout, &stderr, noRedisServer)
	if code == 0 {
		t.Fatalf("exit code 0 without Redis; stdout:\n%s", &stdout)
	}
	for _, want := range []string{"REDIS_URL", "apt-get install redis-server", "brew install redis", "docker run"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &stderr)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing: no store was started", &stdout)
	}
}

// TestARedisNeverReachedIsAWarningNotASilentFallback: with REDIS_URL at a
// port where nothing listens, the run still completes, with each worker
// pacing alone, but says so plainly, relays the workers' own warnings, and
// never prints the Redis password.
func TestARedisNeverReachedIsAWarningNotASilentFallback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	var stdout, stderr strings.Builder
	args := []string{"-workers", "2", "-goroutines", "2", "-calls", "3", "-redis", "redis://:s3cret-password@" + addr + "/0"}
	if code := cli(args, &stdout, &stderr, exec.LookPath); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	t.Log("\n" + out)
	for _, want := range []string{
		"WARNING: Redis does not answer",
		"NOT sharing the quota: each paces alone until Redis answers",
		"worker-1 warned: bigcommerce: the shared rate limiter is unavailable",
		"worker-2 warned: bigcommerce: the shared rate limiter is unavailable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if strings.Contains(out, "sharing the quota through Redis") {
		t.Error("the output claims the quota is shared through a Redis that never answered")
	}
	if strings.Contains(out, "s3cret-password") {
		t.Error("the output shows the Redis password")
	}
	for _, r := range workerLine.FindAllStringSubmatch(out, -1) {
		if r[4] != "0" {
			t.Errorf("%s: %s calls failed without Redis, want none", r[1], r[4])
		}
	}
}
