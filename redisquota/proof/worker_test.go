package proof

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// workerEnv holds a worker's configuration, as JSON, when the test binary
// runs as a worker process.
const workerEnv = "BIGCOMMERCE_PROOF_WORKER"

// workerConfig is what a worker process is told to do.
type workerConfig struct {
	Name       string // sent as the User-Agent, to tell the workers apart in the server's records
	APIRoot    string
	StoreHash  string
	Token      string
	Redis      string // address of the shared Redis; "" paces with the Client's defaults
	Calls      int
	Goroutines int
	// NoPacing turns the Client's pacing off (WithoutThrottling), as an
	// app that does not pace at all: it only retries its 429s.
	NoPacing bool
	// GetOne makes each call a Get of group 1 instead of a Count.
	GetOne bool
	// RetryMax, when set, is given to the Client with WithRetryMax.
	RetryMax *int
}

// workerResult is what a worker process did.
type workerResult struct {
	Name  string
	Calls int
	// RateLimited is the calls that failed with an error matching
	// bigcommerce.ErrRateLimited; Failed is every failed call, those too.
	RateLimited, Failed int
	// WaitedTooLong is the calls the rate limiter refused rather than
	// keep waiting (a *bigcommerce.ThrottleError), which RateLimited
	// counts too.
	WaitedTooLong int
	// RetryAfter is what the first rate-limited call's error said to wait.
	RetryAfter time.Duration
	// Errors holds the first few errors, for a failure message.
	Errors []string
}

func TestMain(m *testing.M) {
	if os.Getenv(spinnerEnv) == "1" {
		spin()
		os.Exit(0)
	}
	if cfg := os.Getenv(workerEnv); cfg != "" {
		if err := work(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "proof worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// work builds its Client, says "ready", waits for the parent's "go" on
// standard input so that all workers start together, makes its calls from
// its goroutines and prints its result as one line of JSON. A parent that
// exits closes standard input, which ends a worker still waiting.
func work(raw string) error {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return err
	}
	// Without Redis, the worker runs with the Client's default options:
	// the default pacing is the one measured.
	opts := []bigcommerce.Option{bigcommerce.WithBaseURL(cfg.APIRoot), bigcommerce.WithUserAgent(cfg.Name)}
	if cfg.Redis != "" {
		rl, closeRedis := sharedLimiter(cfg.Redis)
		defer closeRedis()
		opts = append(opts, bigcommerce.WithRateLimiter(rl))
	}
	if cfg.NoPacing {
		opts = append(opts, bigcommerce.WithoutThrottling())
	}

	if cfg.RetryMax != nil {
		opts = append(opts, bigcommerce.WithRetryMax(*cfg.RetryMax))
	}
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(cfg.StoreHash, cfg.Token), opts...)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "go" {
		return errors.New("standard input closed before the start")
	}

	res := workerResult{Name: cfg.Name, Calls: cfg.Calls}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range cfg.Goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(cfg.Calls) {
				var err error
				if cfg.GetOne {
					_, _, err = client.CustomerGroups.Get(context.Background(), 1)
				} else {
					_, _, err = client.CustomerGroups.Count(context.Background(), nil)
				}
				if err == nil {
					continue
				}
				mu.Lock()
				res.Failed++
				if errors.Is(err, bigcommerce.ErrRateLimited) {
					if res.RateLimited == 0 {
						res.RetryAfter, _ = bigcommerce.RetryAfter(err)
					}
					res.RateLimited++
				}
				var throttled *bigcommerce.ThrottleError
				if errors.As(err, &throttled) {
					res.WaitedTooLong++
				}
				if len(res.Errors) < 5 {
					res.Errors = append(res.Errors, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return json.NewEncoder(os.Stdout).Encode(res)
}
