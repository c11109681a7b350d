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
// per 30 s scaled down to 60 per second so that a window takes a second,
// the real cap of 40 requests in flight, and a latency that keeps requests
// in flight long enough for the cap to matter.
const (
	quota       = 60
	window      = time.Second
	latency     = 5 * time.Millisecond
	maxInFlight = 40
	goroutines  = 16
	// callsPerProc is each process's calls, as in issue 15: one window's
	// quota, so that a fleet of N takes N windows of the store's quota.
	callsPerProc = 60
)

// fleet describes one run.
type fleet struct {
	procs int  // worker processes of the app
	redis bool // whether they share the quota through redisquota
	// calls is each process's calls; 0 means callsPerProc.
	calls int
	// other adds one more process, of another app on the same store, that
	// never shares the app's Redis.
	other otherApp
	// busy starts this many CPU-bound processes beside the workers for the
	// whole run, as a machine shared with other work has.
	busy int
	// outage kills Redis this long after the start and restarts it
	// outageFor later.
	outage, outageFor time.Duration
	// stuck429 makes the store answer every Get of group 1 with 429, the
	// quota spent and a reset in 5 ms, and each worker make one such Get
	// with two retries.
	stuck429 bool
}

// otherApp is another app's process beside the fleet: none, one that
// paces with the Client's defaults, or one that does not pace at all.
type otherApp string

const (
	noOtherApp      otherApp = ""
	otherAppPacing  otherApp = "another app pacing with the defaults"
	otherAppNoPace  otherApp = "another app that does not pace"
	otherGoroutines          = 4 // the other app's, as in the measurement
)

// name says what the run was, for logs and the table.
func (f fleet) name() string {
	var b strings.Builder
	if f.procs == 1 {
		b.WriteString("1 process")
	} else {
		fmt.Fprintf(&b, "%d processes", f.procs)
	}
	if f.busy > 0 {
		fmt.Fprintf(&b, ", %d CPU-bound beside", f.busy)
	}
	if f.outage > 0 {
		fmt.Fprintf(&b, ", Redis killed for %s", f.outageFor)
	}
	if f.other != noOtherApp {
		b.WriteString(", " + string(f.other))
	}
	if f.stuck429 {
		b.WriteString(", a store stuck on 429")
	}
	return b.String()
}

func (f fleet) perProc() int {
	if f.calls > 0 {
		return f.calls
	}
	return callsPerProc
}

// midRunOutage is a fleet of procs sharing Redis, with Redis killed for two
// windows in the middle of the run.
func midRunOutage(procs int) fleet {
	ideal := time.Duration(procs*callsPerProc/quota-1) * window
	return fleet{procs: procs, redis: true, outage: max(window, (ideal-2*window)/2), outageFor: 2 * window}
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
		cfg := workerConfig{Name: fmt.Sprintf("proof-app-%02d", i+1), Calls: f.perProc(), Goroutines: goroutines}
		if f.redis {
			cfg.Redis = rdb.Addr()
		}
		if f.stuck429 {
			srv.InjectFault(bigcommercetest.Fault{Method: http.MethodGet, Path: "/customer_groups/1", Count: math.MaxInt32, Status: http.StatusTooManyRequests,
				Header: http.Header{"X-Rate-Limit-Requests-Left": {"0"}, "X-Rate-Limit-Time-Reset-Ms": {"5"}}})
			retries := 2
			cfg.GetOne, cfg.RetryMax, cfg.Calls, cfg.Goroutines = true, &retries, 1, 1
		}
		cfgs = append(cfgs, cfg)
	}
	if f.other != noOtherApp {
		cfgs = append(cfgs, workerConfig{Name: "proof-other-app", Calls: f.perProc(), Goroutines: otherGoroutines, NoPacing: f.other == otherAppNoPace})
	}
	for range f.busy {
		spinner, err := startSpinner()
		if err != nil {
			t.Fatalf("starting a CPU-bound process: %v", err)
		}
		defer spinner.stop()
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
		cfg.APIRoot, cfg.StoreHash, cfg.Token = srv.OAuthBaseURL(), srv.StoreHash, srv.AccessToken
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

// idealWindows is the shortest time, in windows, the calls could take at
// the quota, as issue 15 counts it: the first window's quota goes out at
// the start and the last one's as its window opens, so 480 calls at 60 a
// window take 7.
func (o outcome) idealWindows() float64 {
	calls, _ := o.allCalls()
	return max(math.Ceil(float64(calls)/quota)-1, 0)
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

// refusedBy counts the 429s by the process they answered.
func (o outcome) refusedBy() map[string]int {
	by := map[string]int{}
	for _, r := range o.records {
		if r.Status == http.StatusTooManyRequests {
			name, _, _ := strings.Cut(r.Header.Get("User-Agent"), " ")
			by[name]++
		}
	}
	return by
}

// waitedTooLong counts the calls refused because the quota would have kept
// them waiting longer than they may.
func (o outcome) waitedTooLong() int {
	n := 0
	for _, w := range o.workers {
		n += w.WaitedTooLong
	}
	return n
}

func (o outcome) String() string {
	var b strings.Builder
	calls, failed := o.allCalls()
	fmt.Fprintf(&b, "%s (redis %v): %d calls, %d failed (%d waited too long); server: %d requests, %d answered 429 (%.2f%%: %d quota, %d concurrency), most in flight %d; %.2f windows, ideal %.0f\n",
		o.name(), o.redis, calls, failed, o.waitedTooLong(), o.stats.Requests, o.refused(), 100*o.refusedShare(),
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
	if by := o.refusedBy(); len(by) > 0 {
		fmt.Fprintf(&b, "  429s by process: %v\n", by)
	}
	for _, w := range o.workers {
		if w.Failed > 0 {
			fmt.Fprintf(&b, "  %s: %d of %d calls failed (%d rate limited), first: %s\n", w.Name, w.Failed, w.Calls, w.RateLimited, strings.Join(w.Errors, "; "))
		}
	}
	return b.String()
}
