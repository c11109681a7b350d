// Command bigcommerce-fake serves the bigcommercetest fake of BigCommerce's
// v2 customer-groups API on a fixed address, for trying a client or the
// examples by hand without a real store:
//
//	go run ./cmd/bigcommerce-fake -addr 127.0.0.1:8080 -seed 20 -quota 150 -window 30s
//
// It prints the credentials, both API roots and a curl command to start
// with, and runs until interrupted. The fake keeps everything in memory, so
// each run starts afresh.
//
// The credentials are random unless -store-hash and -token fix them, so
// that scripts can be written once. -print-env prints them as shell export
// lines, which the examples and bcgroups read, and exits without serving:
//
//	go run ./cmd/bigcommerce-fake -store-hash dev -token devtoken &
//	eval "$(go run ./cmd/bigcommerce-fake -store-hash dev -token devtoken -print-env)"
//	go run ./examples/quickstart
//
// -log prints one line per request on stderr.
//
// Given an app (its callbacks under one base URL with -app-url, or one by
// one with -auth-url, -load-url, -uninstall-url and -remove-user-url), or
// several stores with -stores, it serves a BigCommerce for apps instead:
// the stores' APIs, the login server that an app's auth callback trades
// its code with, and a control panel page with Install, Open, Uninstall
// and Remove user buttons that shows the app in a frame, as BigCommerce's
// does. It prints the control panel's address and the app's credentials,
// random unless -client-id and -client-secret fix them:
//
//	go run ./cmd/bigcommerce-fake -stores abc,def -app-url http://localhost:3000 -seed 5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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
	storeHash := fs.String("store-hash", "", "store hash to accept (lowercase letters and digits; random when empty)")
	token := fs.String("token", "", "OAuth access token to accept (random when empty)")
	printEnv := fs.Bool("print-env", false, "print the credentials and API root as shell export lines and exit, without serving")
	logRequests := fs.Bool("log", false, "log every request on stderr")
	var app appFlags
	app.register(fs)
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
	if *storeHash != "" && !isStoreHash(*storeHash) {
		return fmt.Errorf("-store-hash must be lowercase letters and digits, got %q", *storeHash)
	}
	if *token != "" && strings.ContainsFunc(*token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("-token must have no spaces or control characters")
	}
	platform := app.given() || app.stores != ""
	if *printEnv {
		if platform {
			return errors.New("-print-env serves one store's credentials; it does not go with -stores or an app")
		}
		if *storeHash == "" || *token == "" {
			return errors.New("-print-env needs -store-hash and -token: random credentials would differ from those of the running fake")
		}
		fmt.Fprintf(stdout, "export BIGCOMMERCE_STORE_HASH=%s\nexport BIGCOMMERCE_ACCESS_TOKEN=%s\nexport BIGCOMMERCE_BASE_URL=http://%s/stores/%s/v2\n",
			*storeHash, *token, *addr, *storeHash)
		return nil
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
	if *token != "" {
		opts = append(opts, bigcommercetest.WithAccessToken(*token))
	}
	if *logRequests {
		opts = append(opts, bigcommercetest.WithRequestLog(stderr))
	}
	if platform {
		var log io.Writer
		if *logRequests {
			log = stderr
		}
		return servePlatform(ctx, platformSetup{addr: *addr, app: app, storeHash: *storeHash, token: *token, seed: *seed, opts: opts, log: log}, stdout)
	}
	if *storeHash != "" {
		opts = append(opts, bigcommercetest.WithStoreHash(*storeHash))
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

func isStoreHash(h string) bool {
	return h != "" && strings.Trim(h, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}
