// Command bigcommerce-fake serves the bigcommercetest fake of BigCommerce's
// v2 customer-groups API on a fixed address, for trying a client or the
// examples by hand without a real store:
//
//	go run ./cmd/bigcommerce-fake -addr 127.0.0.1:8080 -seed 20 -quota 150 -window 30s
//
// It prints the credentials, both API roots and a curl command to start
// with, and runs until interrupted. The fake keeps everything in memory, so
// each run starts afresh.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bigcommerce-fake:", err)
		}
		os.Exit(2)
	}
}

// run serves until ctx ends. It is main without the process around it, so
// a test can start it on port 0 and stop it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bigcommerce-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Loopback by default: the fake has fixed-for-the-run credentials and
	// no TLS, so it should not be reachable from the network unless asked.
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	seed := fs.Int("seed", 0, "number of sample groups to start with")
	// A real Standard or Plus store allows 150 requests per 30s; starting
	// there shows how a client behaves under the real limit.
	quota := fs.Int("quota", 150, "requests allowed per rate-limit window")
	window := fs.Duration("window", 30*time.Second, "length of a rate-limit window")
	createStatus := fs.Int("create-status", 201, "status of a successful create: 201 or 200")
	dateFormat := fs.String("date-format", time.RFC1123Z, "Go time layout of dates in responses")
	latency := fs.Duration("latency", 0, "delay before every answer")
	allowDup := fs.Bool("allow-duplicate-names", false, "let two groups share a name instead of answering 409")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *createStatus != 200 && *createStatus != 201 {
		return fmt.Errorf("-create-status must be 200 or 201, got %d", *createStatus)
	}
	if *quota < 1 || *window <= 0 {
		return fmt.Errorf("-quota must be at least 1 and -window positive, got %d per %v", *quota, *window)
	}

	opts := []bigcommercetest.Option{
		bigcommercetest.WithSeed(*seed),
		bigcommercetest.WithRateLimit(*quota, *window),
		bigcommercetest.WithCreateStatus(*createStatus),
		bigcommercetest.WithDateFormat(*dateFormat),
		bigcommercetest.WithLatency(*latency),
	}
	if *allowDup {
		opts = append(opts, bigcommercetest.WithAllowDuplicateNames())
	}
	srv, err := bigcommercetest.Listen(*addr, opts...)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, `bigcommerce-fake: BigCommerce v2 customer groups on %s (%d sample groups)

  store hash       %s
  client id        %s
  access token     %s   (read and write)
  read-only token  %s
  basic auth       %s / %s

  OAuth base URL   %s
  Basic base URL   %s

Try:
  curl -s -H 'X-Auth-Token: %s' -H 'Accept: application/json' '%s/customer_groups?limit=5'

Stop with Ctrl+C.
`, srv.URL, *seed, srv.StoreHash, srv.ClientID, srv.AccessToken, srv.ReadOnlyToken, srv.Username, srv.APIKey,
		srv.OAuthBaseURL(), srv.BasicBaseURL(), srv.AccessToken, srv.OAuthBaseURL())

	<-ctx.Done()
	fmt.Fprintln(stdout, "bigcommerce-fake: shutting down")
	return nil
}
