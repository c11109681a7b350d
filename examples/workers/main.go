// Command workers runs several worker processes against one store, sharing
// its API quota through Redis with redisquota, and prints what they did.
//
// The store is the SDK's embedded fake (bigcommercetest), started here on
// loopback with BigCommerce's limits scaled down so the run takes seconds:
// 20 requests per second instead of 150 per 30 seconds, and at most 40 in
// flight at once, as on the real customer-group endpoints. The workers are
// this program started again, as a deployment would start several copies
// of one service.
//
//	go run ./examples/workers                 # 4 workers
//	go run ./examples/workers -workers 8
//	REDIS_URL=redis://localhost:6379/0 go run ./examples/workers
//	go run ./examples/workers -metrics-addr 127.0.0.1:9464
//
// Redis comes from -redis or REDIS_URL; without either, a redis-server on
// PATH is started on a free port for the run. A Redis that does not answer
// does not stop the run: the workers pace alone, each with the share of
// the store it learns, and the output says so. The warnings the workers'
// Clients log, when they lose Redis and when it is back, are relayed as
// they happen.
//
// With -metrics-addr each worker also serves its Client's metrics on
// /metrics, through bcotel and OpenTelemetry's Prometheus exporter: worker
// 1 on the address given, worker 2 on the next port, and so on (with port
// 0, each on a free port). After the run the workers keep serving, so that
// Prometheus or curl can read the final values, until the program is
// interrupted.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota"
	"github.com/redis/go-redis/v9"
)

// The fake store's limits.
const (
	quota       = 20
	window      = time.Second
	maxInFlight = 40
	latency     = 20 * time.Millisecond
)

// workerEnv carries a worker's configuration, as JSON, to the worker
// processes; the parent process is the one without it.
const workerEnv = "BIGCOMMERCE_WORKERS_EXAMPLE"

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr, exec.LookPath))
}

// cli runs a worker when started as one, else the whole example. lookPath
// finds redis-server.
func cli(args []string, stdout, stderr io.Writer, lookPath func(string) (string, error)) int {
	if raw := os.Getenv(workerEnv); raw != "" {
		if err := runWorker(raw, os.Stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "worker:", err)
			return 1
		}
		return 0
	}
	fs := flag.NewFlagSet("workers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workers := fs.Int("workers", 4, "worker processes to start")
	goroutines := fs.Int("goroutines", 8, "goroutines in each worker")
	calls := fs.Int("calls", 15, "calls each worker makes")
	redisURL := fs.String("redis", os.Getenv("REDIS_URL"), "Redis URL, such as redis://localhost:6379/0 (default $REDIS_URL; without it, a redis-server on PATH is started)")
	metricsAddr := fs.String("metrics-addr", "", "serve each worker's metrics on /metrics, from this host:port on, and keep serving after the run until interrupted")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *workers < 1 || *goroutines < 1 || *calls < 1 {
		fmt.Fprintln(stderr, "workers: -workers, -goroutines and -calls must be at least 1")
		return 2
	}
	if err := run(*redisURL, *workers, *goroutines, *calls, *metricsAddr, untilInterrupted, stdout, lookPath); err != nil {
		fmt.Fprintln(stderr, "workers:", err)
		return 1
	}
	return 0
}

// errNoRedis is the advice given when there is no Redis to share.
var errNoRedis = errors.New(`no Redis: set REDIS_URL (or -redis) to one, or install redis-server and run again:
    apt-get install redis-server      # Debian, Ubuntu
    brew install redis                # macOS
    docker run --rm -p 6379:6379 redis   # then REDIS_URL=redis://localhost:6379/0`)

// untilInterrupted holds the run's end until SIGINT or SIGTERM, while the
// workers serve their metrics.
func untilInterrupted([]string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}

// run runs the example. With metricsAddr set, hold is called with the
// workers' /metrics URLs once the run is reported, and the workers serve
// until it returns.
func run(redisURL string, workers, goroutines, calls int, metricsAddr string, hold func(urls []string), stdout io.Writer, lookPath func(string) (string, error)) error {
	metricsAddrs := make([]string, workers)
	if metricsAddr != "" {
		for i := range workers {
			var err error
			if metricsAddrs[i], err = workerMetricsAddr(metricsAddr, i); err != nil {
				return err
			}
		}
	}
	redisNote := redactURL(redisURL)
	if redisURL == "" {
		bin, err := lookPath("redis-server")
		if err != nil {
			return errNoRedis
		}
		rs, err := startRedis(bin)
		if err != nil {
			return fmt.Errorf("starting redis-server: %w", err)
		}
		defer rs.stop()
		redisURL, redisNote = rs.url, "redis-server started for this run on "+rs.addr
	}

	srv, err := bigcommercetest.Listen("127.0.0.1:0",
		bigcommercetest.WithRateLimit(quota, window),
		bigcommercetest.WithConcurrencyLimit(maxInFlight),
		bigcommercetest.WithLatency(latency),
		bigcommercetest.WithSeed(3))
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "Store: the embedded fake on %s, %d requests per %v, at most %d in flight\n", srv.URL, quota, window, maxInFlight)
	fmt.Fprintf(stdout, "Redis: %s\n", redisNote)
	// The workers run either way, as a deployment would: each falls back to
	// pacing alone. A Redis that was never reachable must not look like one
	// that works, so say so before they start.
	reachable := ping(redisURL)
	if reachable != nil {
		fmt.Fprintf(stdout, "WARNING: Redis does not answer (%v).\n", reachable)
		fmt.Fprintf(stdout, "%d workers of %d goroutines, %d calls each, NOT sharing the quota: each paces alone until Redis answers\n\n", workers, goroutines, calls)
	} else {
		fmt.Fprintf(stdout, "%d workers of %d goroutines, %d calls each, pacing through Redis\n\n", workers, goroutines, calls)
	}
	// The workers' warnings are relayed as they come, one line at a time.
	relay := &lockedWriter{w: stdout}

	start := time.Now()
	results := make([]workerResult, workers)
	errs := make([]error, workers)
	running := make([]*runningWorker, workers)
	defer func() {
		for _, w := range running {
			if w != nil {
				_ = w.stop()
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range workers {
		cfg := workerConfig{
			Name:        fmt.Sprintf("worker-%d", i+1),
			APIRoot:     srv.OAuthBaseURL(),
			StoreHash:   srv.StoreHash,
			Token:       srv.AccessToken,
			RedisURL:    redisURL,
			Goroutines:  goroutines,
			Calls:       calls,
			MetricsAddr: metricsAddrs[i],
		}
		wg.Go(func() { results[i], running[i], errs[i] = startWorker(cfg, relay) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}

	// The store's side: which answers were 429, by the worker they went to.
	refused := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Status == 429 {
			name, _, _ := strings.Cut(r.Header.Get("User-Agent"), " ")
			refused[name]++
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "worker\tcalls\t429s seen\tfailed\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", r.Name, r.Calls, refused[r.Name], r.Failed)
	}
	tw.Flush()
	st := srv.Stats()
	fmt.Fprintf(stdout, "\nThe store saw %d requests in %.1fs (%d calls at %d a window need %d windows): %d answered 429, at most %d in flight at once.\n",
		st.Requests, elapsed.Seconds(), workers*calls, quota, (workers*calls+quota-1)/quota,
		st.RateLimited+st.ConcurrencyLimited, st.MaxInFlight)
	for _, r := range results {
		for _, e := range r.Errors {
			fmt.Fprintf(stdout, "%s failed: %s\n", r.Name, e)
		}
	}
	if reachable == nil {
		fmt.Fprintln(stdout, sharing(results))
	}
	if metricsAddr == "" {
		return nil
	}
	urls := make([]string, len(results))
	fmt.Fprintln(stdout)
	for i, r := range results {
		urls[i] = r.MetricsURL
		fmt.Fprintf(stdout, "%s serves its metrics on %s\n", r.Name, r.MetricsURL)
	}
	fmt.Fprintln(stdout, "Serving metrics until interrupted (Ctrl-C).")
	hold(urls)
	var stopErrs []error
	for i, w := range running {
		stopErrs = append(stopErrs, w.stop())
		running[i] = nil
	}
	return errors.Join(stopErrs...)
}

// sharing says whether the workers shared the quota through Redis for the
// whole run, which only a run in which none of them lost it can claim.
func sharing(results []workerResult) string {
	var alone []string
	for _, r := range results {
		if r.LostRedis {
			alone = append(alone, r.Name)
		}
	}
	if len(alone) == 0 {
		return "The workers shared the quota through Redis for the whole run."
	}
	return fmt.Sprintf("%d of %d workers lost Redis during the run (%s) and paced alone meanwhile, each with the share of the store it had learnt; their warnings are above.",
		len(alone), len(results), strings.Join(alone, ", "))
}

// lockedWriter writes whole lines from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// redactURL hides a Redis URL's password, which must not reach the output.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a Redis URL that does not parse)"
	}
	return u.Redacted()
}

// ping asks Redis once, for as long as a worker's first request would
// wait, whether it answers.
func ping(redisURL string) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	opt.MaxRetries = -1
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), redisquota.DefaultMaxStepTimeout)
	defer cancel()
	return rdb.Ping(ctx).Err()
}

// workerConfig is what the parent tells a worker process.
type workerConfig struct {
	Name       string
	APIRoot    string
	StoreHash  string
	Token      string
	RedisURL   string
	Goroutines int
	Calls      int
	// MetricsAddr is where the worker serves /metrics, or "" for nowhere.
	MetricsAddr string
}

// workerResult is what a worker process reports at its end.
type workerResult struct {
	Name   string
	Calls  int
	Failed int
	Errors []string // the first few
	// LostRedis says that the worker's Client lost Redis at some point and
	// paced alone meanwhile.
	LostRedis bool
	// MetricsURL is where the worker serves its metrics, with -metrics-addr.
	MetricsURL string `json:",omitempty"`
}

// workerLine is one line of JSON a worker writes on its standard output:
// a warning as its Client logs it, or, last, its report.
type workerLine struct {
	Warning string        `json:",omitempty"`
	Report  *workerResult `json:",omitempty"`
}

// runningWorker is a worker process that has sent its report and may
// still serve its metrics.
type runningWorker struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.Closer
	stdout io.Reader
	stderr *strings.Builder
	once   sync.Once
	err    error
}

// stop tells the worker to end, by closing its stdin, and waits for it.
func (w *runningWorker) stop() error {
	w.once.Do(func() {
		w.stdin.Close()
		_, _ = io.Copy(io.Discard, w.stdout)
		if err := w.cmd.Wait(); err != nil {
			w.err = fmt.Errorf("%s: %v\n%s", w.name, err, w.stderr.String())
		}
	})
	return w.err
}

// startWorker starts one worker process, relays its warnings as they
// come, and returns its report once it has made its calls; stop the worker
// when done with it.
func startWorker(cfg workerConfig, relay *lockedWriter) (workerResult, *runningWorker, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return workerResult{}, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return workerResult{}, nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), workerEnv+"="+string(raw))
	w := &runningWorker{name: cfg.Name, cmd: cmd, stderr: new(strings.Builder)}
	cmd.Stderr = w.stderr
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		return workerResult{}, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return workerResult{}, nil, err
	}
	w.stdout = stdout
	if err := cmd.Start(); err != nil {
		return workerResult{}, nil, err
	}
	// Warnings come first, as they happen; the report ends the run.
	lines := bufio.NewReader(stdout)
	for {
		raw, readErr := lines.ReadBytes('\n')
		var line workerLine
		if readErr != nil || json.Unmarshal(raw, &line) != nil {
			err := w.stop()
			return workerResult{}, nil, errors.Join(fmt.Errorf("%s: report %q: %v", cfg.Name, raw, readErr), err)
		}
		if line.Report != nil {
			return *line.Report, w, nil
		}
		relay.printf("%s warned: %s\n", cfg.Name, line.Warning)
	}
}

// runWorker is one worker process: a service that, like its siblings,
// talks to the same store and paces its calls through the same Redis.
//
// With a metrics address it serves /metrics, and goes on serving after its
// report until its stdin closes.
func runWorker(raw string, stdin io.Reader, stdout io.Writer) error {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return err
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	out := &warningLog{enc: json.NewEncoder(stdout)}
	opts := []bigcommerce.Option{
		bigcommerce.WithBaseURL(cfg.APIRoot), // a real store needs no base URL
		bigcommerce.WithUserAgent(cfg.Name),
		bigcommerce.WithLogger(slog.New(out)),
	}
	var limiterOpts []redisquota.Option
	res := workerResult{Name: cfg.Name, Calls: cfg.Calls}
	if cfg.MetricsAddr != "" {
		// Ctrl-C reaches the whole process group; the parent alone
		// decides when the workers stop, by closing their stdin.
		signal.Ignore(os.Interrupt)
		ms, meter, err := serveMetrics(cfg.MetricsAddr)
		if err != nil {
			return err
		}
		defer ms.close()
		res.MetricsURL = ms.url
		// One tracer hears the Client and the Limiter's round trips to
		// Redis, so that bigcommerce.ratelimit.limiter.duration is there.
		tr := bcotel.NewTracer(meter, bcotel.WithStoreAttribute())
		opts = append(opts, bigcommerce.WithTracer(tr))
		limiterOpts = append(limiterOpts, redisquota.WithStepObserver(tr.ObserveLimiterStep))
	}
	limiter, err := redisquota.New(rdb, limiterOpts...)
	if err != nil {
		return err
	}
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(cfg.StoreHash, cfg.Token), append(opts, bigcommerce.WithRateLimiter(limiter))...)
	if err != nil {
		return err
	}

	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range cfg.Goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(cfg.Calls) {
				_, _, err := client.CustomerGroups.Count(context.Background(), nil)
				if err != nil {
					mu.Lock()
					res.Failed++
					if len(res.Errors) < 3 {
						res.Errors = append(res.Errors, err.Error())
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	res.LostRedis = out.warned()
	if err := out.write(workerLine{Report: &res}); err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		// Serve until the parent is done with the metrics.
		_, _ = io.Copy(io.Discard, stdin)
	}
	return nil
}

// warningLog is a slog.Handler that passes each warning the worker's
// Client logs to the parent as it comes, as a line of JSON on standard
// output: that Redis is lost, and that it is back.
type warningLog struct {
	mu  sync.Mutex
	enc *json.Encoder
	n   int
}

func (w *warningLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (w *warningLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " (" + a.Key + ": " + a.Value.String() + ")"
		return true
	})
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
	return w.write(workerLine{Warning: msg})
}

func (w *warningLog) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warningLog) WithGroup(string) slog.Handler      { return w }

// write writes one line, whole, whichever goroutine writes it.
func (w *warningLog) write(l workerLine) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.enc.Encode(l)
}

// warned says whether the Client logged a warning: it logs one only when
// it loses its shared limiter, and when it has it back.
func (w *warningLog) warned() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n > 0
}
