// Export writes every customer group of a store to standard output, as CSV
// or as JSON lines, walking the store page by page so that memory stays
// flat however many groups there are.
//
//	go run ./examples/export > groups.csv
//	go run ./examples/export -format jsonl -name-like wholesale -default=false
//
// Flags:
//
//	-name-like text      only groups whose name contains text
//	-default true|false  only groups that are (or are not) the default for new customers
//	-guests true|false   only the guest group (or every other group)
//	-format csv|jsonl    output format (default csv)
//	-limit-per-page n    groups per request, 1 to 250 (default 250)
//
// CSV has one header line and one row per group with the columns id, name,
// is_default, is_group_for_guests, category_access, categories,
// discount_rules, date_created and date_modified. Categories are ids joined
// by ";". Each discount rule reads type[=id][:method:amount], such as
// "all:percent:5.0000", "category=22:fixed:2.5000" or "price_list=2", and
// rules are joined by ";". Dates are RFC 3339 in UTC. JSON lines hold one
// bigcommerce.CustomerGroup per line, as encoding/json writes it.
//
// Progress ("exported N groups") goes to standard error every 1,000
// groups. Credentials come from BIGCOMMERCE_STORE_HASH and
// BIGCOMMERCE_ACCESS_TOKEN (BIGCOMMERCE_CLIENT_ID is optional); without
// them the program exports from bigcommercetest, the SDK's fake store,
// started in the same process with 1,200 sample groups, and says so on
// standard error. The export only reads.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

const (
	userAgent = "export-example"
	// fakeSeed is how many sample groups the built-in fake starts with:
	// enough for several pages and a progress line.
	fakeSeed = 1200
	// progressEvery is how many groups pass between progress lines.
	progressEvery = 1000
	maxPerPage    = 250
)

// csvHeader names the CSV columns, in order.
var csvHeader = []string{
	"id", "name", "is_default", "is_group_for_guests", "category_access",
	"categories", "discount_rules", "date_created", "date_modified",
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	cancel()
	var usage *usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		fmt.Fprintf(os.Stderr, "export: %v (run with -h for help)\n", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line: nothing was sent.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// optionalBool is a flag that is true, false or not given at all, which
// is what a filter needs: unset sends nothing.
type optionalBool struct{ v *bool }

func (b *optionalBool) String() string {
	if b.v == nil {
		return ""
	}
	return strconv.FormatBool(*b.v)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("must be true or false")
	}
	b.v = &v
	return nil
}

type options struct {
	filter  bigcommerce.CustomerGroupFilter
	format  string
	perPage int
}

// parseArgs reads the command line; -h gives flag.ErrHelp after printing
// the usage to stderr.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	var (
		o                 options
		isDefault, guests optionalBool
	)
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	// Parse errors come back to the caller, which reports them once.
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.filter.NameLike, "name-like", "", "keep only groups whose name contains `text`")
	fs.Var(&isDefault, "default", "keep only groups whose is_default is `true|false` (unset: both)")
	fs.Var(&guests, "guests", "keep only groups whose is_group_for_guests is `true|false` (unset: both)")
	fs.StringVar(&o.format, "format", "csv", "output `format`: csv or jsonl")
	fs.IntVar(&o.perPage, "limit-per-page", maxPerPage, "groups per request, 1 to 250")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "Usage: export [flags] > groups.csv\n\nWrites every customer group of the store to stdout.")
			fs.PrintDefaults()
			return o, err
		}
		return o, &usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usagef("unexpected argument %q; flags take the form -name=value", fs.Arg(0))
	}
	if o.format != "csv" && o.format != "jsonl" {
		return o, usagef("-format must be csv or jsonl, got %q", o.format)
	}
	if o.perPage < 1 || o.perPage > maxPerPage {
		return o, usagef("-limit-per-page must be between 1 and %d, got %d", maxPerPage, o.perPage)
	}
	o.filter.IsDefault, o.filter.IsGroupForGuests = isDefault.v, guests.v
	return o, nil
}

// run exports the groups of the store that env points at, or of a fake of
// its own when env holds no credentials.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) error {
	return runOn(ctx, args, stdout, stderr, env, nil)
}

// runOn is run with the fake to use when env holds no credentials; a nil
// fake means starting one. Tests pass their own to compare against it.
func runOn(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string, fake *bigcommercetest.Server) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	client, closeStore, err := connect(env, stderr, fake)
	if err != nil {
		return err
	}
	defer closeStore()
	return export(ctx, client, o, stdout, stderr)
}

// connect returns a client for the real store when both credentials are
// set, else for the fake, and says which on stderr.
func connect(env func(string) string, stderr io.Writer, fake *bigcommercetest.Server) (*bigcommerce.Client, func(), error) {
	hash := strings.TrimSpace(env("BIGCOMMERCE_STORE_HASH"))
	token := strings.TrimSpace(env("BIGCOMMERCE_ACCESS_TOKEN"))
	if hash != "" && token != "" {
		auth := bigcommerce.NewOAuth(hash, token)
		auth.ClientID = strings.TrimSpace(env("BIGCOMMERCE_CLIENT_ID"))
		opts := []bigcommerce.Option{bigcommerce.WithUserAgent(userAgent)}
		// BIGCOMMERCE_BASE_URL points at a proxy or at cmd/bigcommerce-fake.
		if base := strings.TrimSpace(env("BIGCOMMERCE_BASE_URL")); base != "" {
			opts = append(opts, bigcommerce.WithBaseURL(base))
		}
		client, err := bigcommerce.NewClient(auth, opts...)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(stderr, "Exporting from the real store %q (BIGCOMMERCE_STORE_HASH).\n", hash)
		return client, func() {}, nil
	}
	closeStore := func() {}
	if fake == nil {
		fake = bigcommercetest.NewServer(bigcommercetest.WithSeed(fakeSeed))
		closeStore = fake.Close
	}
	fmt.Fprintf(stderr, "No BIGCOMMERCE_STORE_HASH/BIGCOMMERCE_ACCESS_TOKEN set: exporting from the built-in fake store (bigcommercetest, %d groups).\n", len(fake.Groups()))
	return fake.Client(bigcommerce.WithUserAgent(userAgent)), closeStore, nil
}

// groupWriter writes groups in one output format.
type groupWriter interface {
	write(bigcommerce.CustomerGroup) error
	// flush writes out what is buffered and reports any earlier error.
	flush() error
}

func export(ctx context.Context, client *bigcommerce.Client, o options, stdout, stderr io.Writer) error {
	buf := bufio.NewWriter(stdout)
	var w groupWriter
	if o.format == "jsonl" {
		w = &jsonlWriter{w: buf}
	} else {
		cw := &csvWriter{w: csv.NewWriter(buf)}
		if err := cw.w.Write(csvHeader); err != nil {
			return err
		}
		w = cw
	}

	opts := &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: o.filter,
		ListOptions:         bigcommerce.ListOptions{Limit: o.perPage},
	}
	n := 0
	for g, err := range client.CustomerGroups.All(ctx, opts) {
		if err != nil {
			// Keep the rows already written: they are correct, and the
			// message says how far the export got.
			_ = w.flush()
			return fmt.Errorf("after %d groups: %w", n, err)
		}
		if err := w.write(g); err != nil {
			return err
		}
		n++
		if n%progressEvery == 0 {
			fmt.Fprintf(stderr, "exported %d groups\n", n)
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "done: exported %d groups\n", n)
	return nil
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) write(g bigcommerce.CustomerGroup) error {
	return c.w.Write([]string{
		strconv.Itoa(g.ID),
		g.Name,
		strconv.FormatBool(g.IsDefault),
		strconv.FormatBool(g.IsGroupForGuests),
		string(g.CategoryAccess.Type),
		joinInts(g.CategoryAccess.Categories),
		rulesSummary(g.DiscountRules),
		dateText(g.DateCreated),
		dateText(g.DateModified),
	})
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonlWriter writes through a bufio.Writer, which keeps the first write
// error and reports it on Flush.
type jsonlWriter struct{ w *bufio.Writer }

func (j *jsonlWriter) write(g bigcommerce.CustomerGroup) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	j.w.Write(b)
	return j.w.WriteByte('\n')
}

func (j *jsonlWriter) flush() error { return j.w.Flush() }

func joinInts(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ";")
}

// rulesSummary writes each rule as type[=id][:method:amount], joined by
// ";": short enough for a spreadsheet cell, complete enough to rebuild
// the rules from.
func rulesSummary(rules []bigcommerce.DiscountRule) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		s := string(r.Type)
		switch r.Type {
		case bigcommerce.DiscountRuleProduct:
			s += "=" + strconv.Itoa(r.ProductID)
		case bigcommerce.DiscountRuleCategory:
			s += "=" + strconv.Itoa(r.CategoryID)
		case bigcommerce.DiscountRulePriceList:
			s += "=" + strconv.Itoa(r.PriceListID)
		}
		if r.Method != "" || r.Amount != "" {
			s += ":" + string(r.Method) + ":" + string(r.Amount)
		}
		parts[i] = s
	}
	return strings.Join(parts, ";")
}

// dateText is RFC 3339 in UTC, or empty for a date the store did not send.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
