package proof

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// The store every run is measured against: the real quota of 150 requests
// per 30 s scaled down to 60 per second so that a run of ten windows takes
// ten seconds, the real cap of 40 requests in flight, and a latency that
// keeps requests in flight long enough for the cap to matter.
const (
	quota       = 60
	window      = time.Second
	latency     = 5 * time.Millisecond
	maxInFlight = 40
	goroutines  = 16
	// totalCalls makes a run about ten windows long at the quota.
	totalCalls = 600
)

// fleet describes one run.
type fleet struct {
	procs int  // worker processes of the app
	redis bool // whether they share the quota through redisquota
	// otherApp adds one more process, of another app on the same store,
	// that paces itself with the in-process throttle alone and makes as
	// many calls as one of the app's processes.
	otherApp bool
	// outage kills Redis this long after the start and restarts it
	// outageFor later.
	outage, outageFor time.Duration
}

// outcome is what a run did, as the workers and the server saw it.
type outcome struct {
	fleet
	workers []workerResult // the app's processes, then the other app's
	stats   bigcommercetest.Stats
	records []bigcommercetest.RecordedRequest
	// start is when the workers were told to go, end when the last one
	// reported; down and up are when Redis was killed and was back.
	start, end, down, up time.Time
}

// runFleet runs f against a fresh server and, when f uses Redis, rdb.
func runFleet(t *testing.T, f fleet, rdb *redistest.Server) outcome {
	t.Helper()
	srv := bigcommercetest.NewServer(
		bigcommercetest.WithRateLimit(quota, window),
		bigcommercetest.WithLatency(latency),
		bigcommercetest.WithConcurrencyLimit(maxInFlight),
		bigcommercetest.WithSeed(3),
	)
	defer srv.Close()

	var cfgs []workerConfig
	for i := range f.procs {
		calls := totalCalls / f.procs
		if i < totalCalls%f.procs {
			calls++
		}
		cfg := workerConfig{Name: fmt.Sprintf("proof-app-%02d", i+1), Calls: calls}
		if f.redis {
			cfg.Redis = rdb.Addr()
		}
		cfgs = append(cfgs, cfg)
	}
	if f.otherApp {
		cfgs = append(cfgs, workerConfig{Name: "proof-other-app", Calls: totalCalls / f.procs})
	}
	procs := make([]*worker, len(cfgs))
	defer func() {
		for _, p := range procs {
			if p != nil {
				p.stop()
			}
		}
	}()
	for i, cfg := range cfgs {
		cfg.APIRoot, cfg.StoreHash, cfg.Token, cfg.Goroutines = srv.OAuthBaseURL(), srv.StoreHash, srv.AccessToken, goroutines
		p, err := startWorker(cfg)
		if err != nil {
			t.Fatalf("starting %s: %v", cfg.Name, err)
		}
		procs[i] = p
	}

	out := outcome{fleet: f, start: time.Now()}
	for _, p := range procs {
		if err := p.start(); err != nil {
			t.Fatalf("%s: %v\n%s", p.cfg.Name, err, p.stderr.String())
		}
	}
	// Every call is bounded by the Client's two-minute default timeout;
	// the runs take seconds, so a minute more than the slowest possible
	// means a worker is stuck.
	deadline := time.After(3 * time.Minute)
	results := make(chan error, len(procs))
	for _, p := range procs {
		p.done = make(chan struct{})
		go func() { defer close(p.done); results <- p.wait() }()
	}
	if f.outage > 0 {
		// Kill and Restart may fail the test, so they run here, on the
		// test's goroutine, while the workers run on.
		time.Sleep(time.Until(out.start.Add(f.outage)))
		rdb.Kill()
		out.down = time.Now()
		time.Sleep(f.outageFor)
		rdb.Restart()
		out.up = time.Now()
	}
	for range procs {
		select {
		case err := <-results:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			var stuck []string
			for _, p := range procs {
				select {
				case <-p.done:
				default:
					stuck = append(stuck, p.cfg.Name+": "+p.stderr.String())
				}
			}
			t.Fatalf("the workers did not finish within three minutes; still running:\n%s", strings.Join(stuck, "\n"))
		}
	}
	out.end = time.Now()
	for _, p := range procs {
		out.workers = append(out.workers, p.result)
	}
	out.stats, out.records = srv.Stats(), srv.Requests()
	return out
}

// worker is one worker process.
type worker struct {
	cfg    workerConfig
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr syncBuffer
	result workerResult
	done   chan struct{} // closed once wait returns, if it was started
}

// syncBuffer is the worker's standard error, read by the test while the
// process may still write to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startWorker(cfg workerConfig) (*worker, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	w := &worker{cfg: cfg, cmd: exec.Command(os.Args[0], "-test.run=^$")}
	w.cmd.Env = append(os.Environ(), workerEnv+"="+string(raw))
	w.cmd.Stderr = &w.stderr
	if w.stdin, err = w.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w.stdout = bufio.NewReader(stdout)
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// start waits for the worker to be ready and tells it to go.
func (w *worker) start() error {
	line, err := w.stdout.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		return fmt.Errorf("not ready: %q, %v", line, err)
	}
	_, err = io.WriteString(w.stdin, "go\n")
	return err
}

// wait reads the worker's result and waits for it to exit.
func (w *worker) wait() error {
	line, rerr := w.stdout.ReadString('\n')
	werr := w.cmd.Wait()
	if rerr != nil || werr != nil {
		return fmt.Errorf("%s: %v %v\n%s", w.cfg.Name, rerr, werr, w.stderr.String())
	}
	if err := json.Unmarshal([]byte(line), &w.result); err != nil {
		return fmt.Errorf("%s: result %q: %v", w.cfg.Name, line, err)
	}
	return nil
}

// stop ends the worker if it still runs and waits for it to exit.
func (w *worker) stop() {
	w.stdin.Close()
	_ = w.cmd.Process.Kill() // an error only says it had exited
	if w.done != nil {
		<-w.done
	} else {
		_ = w.cmd.Wait()
	}
}

// What the outcome says, as the store saw it.

// calls is what the app's processes (not the other app) made, and how many
// of those failed.
func (o outcome) appCalls() (calls, failed, rateLimited int) {
	for _, w := range o.workers[:o.procs] {
		calls += w.Calls
		failed += w.Failed
		rateLimited += w.RateLimited
	}
	return calls, failed, rateLimited
}

func (o outcome) allCalls() (calls, failed int) {
	for _, w := range o.workers {
		calls += w.Calls
		failed += w.Failed
	}
	return calls, failed
}

// refused is the requests the server answered 429, for the quota or for
// concurrency.
func (o outcome) refused() int { return o.stats.RateLimited + o.stats.ConcurrencyLimited }

func (o outcome) refusedShare() float64 {
	return float64(o.refused()) / float64(max(o.stats.Requests, 1))
}

// windows is how many windows the run took, from the start to the last
// worker's result.
func (o outcome) windows() float64 { return float64(o.end.Sub(o.start)) / float64(window) }

// idealWindows is the fewest windows the calls could take at the quota.
func (o outcome) idealWindows() float64 {
	calls, _ := o.allCalls()
	return float64(calls) / quota
}

// perWindow counts the requests answered, and those answered 429, in each
// window from the start.
func (o outcome) perWindow() (answered, refused []int) {
	n := int(math.Ceil(o.windows())) + 1
	answered, refused = make([]int, n), make([]int, n)
	for _, r := range o.records {
		if r.Status == 0 {
			continue
		}
		i := min(max(int(r.Answered.Sub(o.start)/window), 0), n-1)
		answered[i]++
		if r.Status == http.StatusTooManyRequests {
			refused[i]++
		}
	}
	return answered, refused
}

// refusedAfter counts the requests answered, and those answered 429,
// from from to the end.
func (o outcome) refusedAfter(from time.Time) (answered, refused int) {
	for _, r := range o.records {
		if r.Status == 0 || r.Answered.Before(from) {
			continue
		}
		answered++
		if r.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	return answered, refused
}

func (o outcome) String() string {
	var b strings.Builder
	calls, failed := o.allCalls()
	fmt.Fprintf(&b, "%d processes (redis %v, other app %v): %d calls, %d failed; server: %d requests, %d answered 429 (%.2f%%: %d quota, %d concurrency), most in flight %d; %.2f windows, ideal %.2f\n",
		o.procs, o.redis, o.otherApp, calls, failed, o.stats.Requests, o.refused(), 100*o.refusedShare(),
		o.stats.RateLimited, o.stats.ConcurrencyLimited, o.stats.MaxInFlight, o.windows(), o.idealWindows())
	answered, refused := o.perWindow()
	fmt.Fprintf(&b, "  per window (answered/429):")
	for i := range answered {
		fmt.Fprintf(&b, " %d/%d", answered[i], refused[i])
	}
	b.WriteByte('\n')
	if !o.down.IsZero() {
		fmt.Fprintf(&b, "  redis down at %.2fs, back at %.2fs\n", o.down.Sub(o.start).Seconds(), o.up.Sub(o.start).Seconds())
	}
	for _, w := range o.workers {
		if w.Failed > 0 {
			fmt.Fprintf(&b, "  %s: %d of %d calls failed (%d rate limited), first: %s\n", w.Name, w.Failed, w.Calls, w.RateLimited, strings.Join(w.Errors, "; "))
		}
	}
	return b.String()
}
