package main

import (
	"context"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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
	workerRow = regexp.MustCompile(`(?m)^\s*(worker-\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)
	storeLine = regexp.MustCompile(`The store saw (\d+) requests in [\d.]+s \((\d+) calls at 20 a window need (\d+) windows\): (\d+) answered 429, at most (\d+) in flight at once\.`)
)

func TestWorkersShareTheQuotaThroughRedis(t *testing.T) {
	needRedis(t)
	var stdout, stderr strings.Builder
	if code := cli([]string{"-workers", "3", "-goroutines", "4", "-calls", "10"}, &stdout, &stderr, exec.LookPath); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	t.Log("\n" + out)
	if !strings.Contains(out, "3 workers of 4 goroutines, 10 calls each, pacing through Redis") ||
		!strings.Contains(out, "The workers shared the quota through Redis for the whole run.") {
		t.Errorf("no summary of the run in:\n%s", out)
	}

	rows := workerRow.FindAllStringSubmatch(out, -1)
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
	if strings.Contains(out, "through Redis") {
		t.Error("the output claims the quota is shared through a Redis that never answered")
	}
	// Relayed as they came, while the workers ran: before the table of
	// what they did.
	if w, table := strings.Index(out, "worker-1 warned:"), strings.Index(out, "calls  429s seen"); w < 0 || table < 0 || w > table {
		t.Errorf("the warnings come after the run's table, not as they happened")
	}
	if strings.Contains(out, "s3cret-password") {
		t.Error("the output shows the Redis password")
	}
	for _, r := range workerRow.FindAllStringSubmatch(out, -1) {
		if r[4] != "0" {
			t.Errorf("%s: %s calls failed without Redis, want none", r[1], r[4])
		}
	}
}

// TestARunInWhichAWorkerLostRedisDoesNotClaimToHaveSharedIt: the line
// after the table says the quota was shared through Redis only when no
// worker lost it.
func TestARunInWhichAWorkerLostRedisDoesNotClaimToHaveSharedIt(t *testing.T) {
	t.Parallel()
	all := []workerResult{{Name: "worker-1"}, {Name: "worker-2"}}
	if got := sharing(all); got != "The workers shared the quota through Redis for the whole run." {
		t.Errorf("no worker lost Redis: %q", got)
	}
	all[1].LostRedis = true
	if got := sharing(all); strings.Contains(got, "shared the quota through Redis") || !strings.Contains(got, "1 of 2 workers lost Redis during the run (worker-2)") {
		t.Errorf("worker-2 lost Redis: %q", got)
	}
}

// TestWorkersServeMetrics runs the example with -metrics-addr and scrapes
// each worker's /metrics while the run holds, parsing the Prometheus text
// format: every metric bcotel records is there, under the names the
// exporter gives them, and for the store.
func TestWorkersServeMetrics(t *testing.T) {
	needRedis(t)
	var stdout strings.Builder
	families := map[string]*dto.MetricFamily{}
	var scraped []string
	hold := func(urls []string) {
		for _, u := range urls {
			scraped = append(scraped, u)
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("GET %s: %v", u, err)
				continue
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			fams, err := parser.TextToMetricFamilies(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("GET %s: %d, %v", u, resp.StatusCode, err)
				continue
			}
			for name, f := range fams {
				families[name] = f
			}
		}
	}
	if err := run(os.Getenv("REDIS_URL"), 2, 4, 15, "127.0.0.1:0", hold, &stdout, exec.LookPath); err != nil {
		t.Fatalf("%v\nstdout:\n%s", err, &stdout)
	}
	out := stdout.String()
	t.Log("\n" + out)
	if len(scraped) != 2 || !strings.Contains(out, "worker-2 serves its metrics on "+scraped[1]) {
		t.Fatalf("scraped %q; want both workers' URLs, as printed", scraped)
	}
	// The exporter turns dots into underscores and adds the unit and, for
	// counters, _total; a unit in braces adds nothing.
	want := map[string]dto.MetricType{
		"bigcommerce_client_call_duration_seconds":           dto.MetricType_HISTOGRAM,
		"bigcommerce_client_call_attempts":                   dto.MetricType_HISTOGRAM,
		"http_client_request_duration_seconds":               dto.MetricType_HISTOGRAM,
		"bigcommerce_ratelimit_wait_duration_seconds":        dto.MetricType_HISTOGRAM,
		"bigcommerce_ratelimit_remaining":                    dto.MetricType_GAUGE,
		"bigcommerce_ratelimit_fallback":                     dto.MetricType_GAUGE,
		"bigcommerce_ratelimit_alone_duration_seconds_total": dto.MetricType_COUNTER,
		// The Limiter's round trips, through its step observer.
		"bigcommerce_ratelimit_limiter_duration_seconds": dto.MetricType_HISTOGRAM,
	}
	for name, typ := range want {
		f, ok := families[name]
		if !ok {
			t.Errorf("no %s among %d families", name, len(families))
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is a %v, want a %v", name, f.GetType(), typ)
		}
		for _, m := range f.GetMetric() {
			if !hasLabel(m, "bigcommerce_store", "") {
				t.Errorf("%s has a series without the store", name)
			}
		}
	}
	if f := families["bigcommerce_client_call_duration_seconds"]; f != nil {
		var calls uint64
		for _, m := range f.GetMetric() {
			if hasLabel(m, "bigcommerce_operation", "CustomerGroups.Count") {
				calls += m.GetHistogram().GetSampleCount()
			}
		}
		// The two scrapes are of the two workers, 15 calls each.
		if calls != 15 {
			t.Errorf("the last worker scraped counted %d Count calls, want 15", calls)
		}
	}
}

// documentedMetrics returns the Prometheus names in the metrics table of
// docs/observability.md, the second column.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "observability.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `[a-z.]+` \\| `([a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		names = append(names, m[1])
	}
	return names
}

// TestEveryMetricUnderItsPrometheusName drives one Client through a 429
// and a refused create, and reports one shared limiter's step, so that
// every metric bcotel records has a value, and reads them back through the
// exporter: the names in the table of docs/observability.md are the ones
// Prometheus sees.
func TestEveryMetricUnderItsPrometheusName(t *testing.T) {
	t.Parallel()
	ms, meter, err := serveMetrics("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ms.close()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(2))
	defer srv.Close()
	srv.InjectFault(bigcommercetest.Fault{Method: http.MethodGet, Status: http.StatusTooManyRequests, Header: http.Header{
		"X-Rate-Limit-Requests-Left": {"0"}, "X-Rate-Limit-Time-Reset-Ms": {"1"}}})
	tr := bcotel.NewTracer(meter, bcotel.WithStoreAttribute())
	client := srv.Client(bigcommerce.WithTracer(tr), bigcommerce.WithRetryWait(0, 0))
	defer client.CloseIdleConnections()
	if _, _, err := client.CustomerGroups.Get(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	_, _, _ = client.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{})
	// What redisquota reports through WithStepObserver for each round trip.
	tr.ObserveLimiterStep(context.Background(), "acquire", srv.OAuthBaseURL(), time.Millisecond, nil)

	resp, err := http.Get(ms.url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]dto.MetricType{
		"bigcommerce_client_call_duration_seconds":       dto.MetricType_HISTOGRAM,
		"bigcommerce_client_call_attempts":               dto.MetricType_HISTOGRAM,
		"http_client_request_duration_seconds":           dto.MetricType_HISTOGRAM,
		"bigcommerce_ratelimit_wait_duration_seconds":    dto.MetricType_HISTOGRAM,
		"bigcommerce_ratelimit_throttled_total":          dto.MetricType_COUNTER,
		"bigcommerce_ratelimit_remaining":                dto.MetricType_GAUGE,
		"bigcommerce_ratelimit_fallback":                 dto.MetricType_GAUGE,
		"bigcommerce_ratelimit_limiter_duration_seconds": dto.MetricType_HISTOGRAM,
	}
	if documented := documentedMetrics(t); !slices.Equal(slices.Sorted(maps.Keys(want)), slices.Sorted(slices.Values(documented))) {
		t.Errorf("docs/observability.md lists %q; the metrics are %q", documented, slices.Sorted(maps.Keys(want)))
	}
	for name, typ := range want {
		f, ok := fams[name]
		switch {
		case !ok:
			t.Errorf("no %s", name)
		case f.GetType() != typ:
			t.Errorf("%s is a %v, want a %v", name, f.GetType(), typ)
		case !hasLabel(f.GetMetric()[0], "bigcommerce_store", srv.StoreHash):
			t.Errorf("%s: no bigcommerce_store=%q", name, srv.StoreHash)
		}
	}
	if f := fams["bigcommerce_ratelimit_throttled_total"]; f != nil && !hasLabel(f.GetMetric()[0], "bigcommerce_ratelimit_cause", "quota") {
		t.Errorf("the 429 is not counted for the quota: %v", f.GetMetric()[0].GetLabel())
	}
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && (value == "" || l.GetValue() == value) {
			return true
		}
	}
	return false
}
