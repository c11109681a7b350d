package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func noEnv(string) string { return "" }

func newFake(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	srv := bigcommercetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// exportFrom runs the program against srv with args.
func exportFrom(t *testing.T, srv *bigcommercetest.Server, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err = runOn(ctx, args, &out, &errOut, noEnv, srv)
	return out.String(), errOut.String(), err
}

func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, text)
	}
	if len(rows) == 0 {
		t.Fatal("no CSV header")
	}
	if !slices.Equal(rows[0], csvHeader) {
		t.Fatalf("header %q, want %q", rows[0], csvHeader)
	}
	return rows[1:]
}

func ids(groups []bigcommercetest.Group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = strconv.Itoa(g.ID)
	}
	return out
}

func column(rows [][]string, i int) []string {
	out := make([]string, len(rows))
	for j, r := range rows {
		out[j] = r[i]
	}
	return out
}

func TestCSVHasTheHeaderAndOneRowPerGroup(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(1200))
	stdout, stderr, err := exportFrom(t, srv)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	groups := srv.Groups()
	rows := readCSV(t, stdout)
	if got, want := column(rows, 0), ids(groups); !slices.Equal(got, want) {
		t.Fatalf("exported %d rows, want one per stored group (%d), in id order", len(got), len(want))
	}

	date := func(id int, modified bool) string {
		g, _ := srv.Group(id)
		if modified {
			return g.DateModified.Format(time.RFC3339)
		}
		return g.DateCreated.Format(time.RFC3339)
	}
	// The seed gives each of the first groups a different kind of rule.
	want := [][]string{
		{"1", "Wholesale 001", "false", "false", "all", "", "all:percent:5.0000", date(1, false), date(1, true)},
		{"2", "Retail 002", "false", "false", "all", "", "product=102:fixed:2.5000;category=22:percent:10.0000", date(2, false), date(2, true)},
		{"3", "VIP 003", "false", "false", "specific", "18;22", "price_list=1", date(3, false), date(3, true)},
		{"4", "Trade 004", "false", "false", "all", "", "", date(4, false), date(4, true)},
	}
	if !reflect.DeepEqual(rows[:4], want) {
		t.Errorf("first rows\n got %q\nwant %q", rows[:4], want)
	}

	wantErr := "No BIGCOMMERCE_STORE_HASH/BIGCOMMERCE_ACCESS_TOKEN set: exporting from the built-in fake store (bigcommercetest, 1200 groups).\n" +
		"exported 1000 groups\n" +
		"done: exported 1200 groups\n"
	if stderr != wantErr {
		t.Errorf("stderr\n got %q\nwant %q", stderr, wantErr)
	}
}

func TestRunWithoutCredentialsExportsTheBuiltInFake(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, nil, &stdout, &stderr, noEnv); err != nil {
		t.Fatalf("run: %v\n%s", err, &stderr)
	}
	if rows := readCSV(t, stdout.String()); len(rows) != fakeSeed {
		t.Errorf("%d rows, want the fake's %d groups", len(rows), fakeSeed)
	}
	first, _, _ := strings.Cut(stderr.String(), "\n")
	if !strings.Contains(first, "built-in fake store") {
		t.Errorf("first stderr line %q does not say the fake is used", first)
	}
}

func TestJSONLinesDecodeBackToTheStoredGroups(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(300))
	stdout, stderr, err := exportFrom(t, srv, "-format", "jsonl")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	groups := srv.Groups()
	if len(lines) != len(groups) {
		t.Fatalf("%d lines, want one per stored group (%d)", len(lines), len(groups))
	}
	for i, line := range lines {
		var got bigcommerce.CustomerGroup
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d does not decode: %v\n%s", i+1, err, line)
		}
		want := groups[i]
		if got.ID != want.ID || got.Name != want.Name || got.IsDefault != want.IsDefault ||
			string(got.CategoryAccess.Type) != want.CategoryAccess.Type ||
			!slices.Equal(got.CategoryAccess.Categories, want.CategoryAccess.Categories) ||
			!got.DateCreated.Equal(want.DateCreated) || !got.DateModified.Equal(want.DateModified) {
			t.Fatalf("line %d is %+v, want the stored %+v", i+1, got, want)
		}
		if len(got.DiscountRules) != len(want.DiscountRules) {
			t.Fatalf("line %d has %d rules, want %d", i+1, len(got.DiscountRules), len(want.DiscountRules))
		}
		for j, r := range got.DiscountRules {
			w := want.DiscountRules[j]
			if string(r.Type) != w.Type || string(r.Method) != w.Method || string(r.Amount) != w.Amount ||
				r.ProductID != w.ProductID || r.CategoryID != w.CategoryID || r.PriceListID != w.PriceListID {
				t.Fatalf("line %d rule %d is %+v, want %+v", i+1, j, r, w)
			}
		}
	}
}

func TestFilterFlagsNarrowTheOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		keep func(bigcommercetest.Group) bool
		// query is what every list request must carry.
		query map[string]string
	}{
		{
			name:  "-name-like matches part of the name, ignoring case",
			args:  []string{"-name-like", "vip"},
			keep:  func(g bigcommercetest.Group) bool { return strings.Contains(strings.ToLower(g.Name), "vip") },
			query: map[string]string{"name:like": "vip"},
		},
		{
			name:  "-default=true keeps only default groups",
			args:  []string{"-default=true"},
			keep:  func(g bigcommercetest.Group) bool { return g.IsDefault },
			query: map[string]string{"is_default": "true"},
		},
		{
			name:  "-default false sends is_default=false",
			args:  []string{"-default", "false"},
			keep:  func(g bigcommercetest.Group) bool { return !g.IsDefault },
			query: map[string]string{"is_default": "false"},
		},
		{
			name:  "-guests=true keeps only the guest group",
			args:  []string{"-guests=true"},
			keep:  func(g bigcommercetest.Group) bool { return g.IsGroupForGuests },
			query: map[string]string{"is_group_for_guests": "true"},
		},
		{
			name: "flags combine",
			args: []string{"-name-like", "Default", "-default=false"},
			keep: func(g bigcommercetest.Group) bool {
				return strings.Contains(strings.ToLower(g.Name), "default") && !g.IsDefault
			},
			query: map[string]string{"name:like": "Default", "is_default": "false"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, bigcommercetest.WithSeed(40))
			srv.Add(bigcommercetest.Group{Name: "Default Retail", IsDefault: true})
			srv.Add(bigcommercetest.Group{Name: "Default VIP", IsDefault: true})
			srv.Add(bigcommercetest.Group{Name: "Not Default Either"})
			srv.Add(bigcommercetest.Group{Name: "Guests", IsGroupForGuests: true})

			stdout, stderr, err := exportFrom(t, srv, tt.args...)
			if err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			want := ids(slices.DeleteFunc(srv.Groups(), func(g bigcommercetest.Group) bool { return !tt.keep(g) }))
			if len(want) == 0 || len(want) == len(srv.Groups()) {
				t.Fatalf("the test data makes the filter keep %d of %d groups; it should narrow", len(want), len(srv.Groups()))
			}
			if got := column(readCSV(t, stdout), 0); !slices.Equal(got, want) {
				t.Errorf("exported ids %q, want %q", got, want)
			}
			reqs := srv.Requests()
			if len(reqs) == 0 {
				t.Fatal("no request was sent")
			}
			for _, r := range reqs {
				for k, v := range tt.query {
					if got := r.Query.Get(k); got != v {
						t.Errorf("%s %s?%s: %s=%q, want %q", r.Method, r.Path, r.RawQuery, k, got, v)
					}
				}
			}
		})
	}
}

func TestLimitPerPageSetsThePageSize(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(250))
	stdout, stderr, err := exportFrom(t, srv, "-limit-per-page", "100")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if rows := readCSV(t, stdout); len(rows) != 250 {
		t.Errorf("%d rows, want 250", len(rows))
	}
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.RawQuery)
	}
	want := []string{"limit=100&page=1", "limit=100&page=2", "limit=100&page=3"}
	if !slices.Equal(got, want) {
		t.Errorf("queries %q, want %q", got, want)
	}
}

func TestBadFlagsAreRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		mention string
	}{
		{"unknown format", []string{"-format", "xml"}, `-format must be csv or jsonl, got "xml"`},
		{"-default that is not a boolean", []string{"-default=maybe"}, `invalid value "maybe" for flag -default: must be true or false`},
		{"-guests without a value", []string{"-guests"}, "flag needs an argument: -guests"},
		{"zero groups per page", []string{"-limit-per-page", "0"}, "-limit-per-page must be between 1 and 250, got 0"},
		{"more groups per page than the API serves", []string{"-limit-per-page", "251"}, "-limit-per-page must be between 1 and 250, got 251"},
		{"-limit-per-page that is not a number", []string{"-limit-per-page", "ten"}, `invalid value "ten" for flag -limit-per-page`},
		{"unknown flag", []string{"-name", "x"}, "flag provided but not defined: -name"},
		{"stray argument", []string{"-default", "true", "false"}, `unexpected argument "false"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, bigcommercetest.WithSeed(3))
			stdout, stderr, err := exportFrom(t, srv, tt.args...)
			var usage *usageError
			if !errors.As(err, &usage) {
				t.Fatalf("error %v (%T), want a *usageError", err, err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if stdout != "" || stderr != "" {
				t.Errorf("output written: stdout %q, stderr %q", stdout, stderr)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestHelpPrintsTheUsage(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	_, stderr, err := exportFrom(t, srv, "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-format format", "-limit-per-page int", "-name-like text", "-default true|false", "-guests true|false"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("usage lacks %q:\n%s", want, stderr)
		}
	}
}

func TestFailedWalkReturnsTheErrorAfterTheRowsWritten(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(10))
	srv.InjectFault(bigcommercetest.Fault{Method: http.MethodGet, Path: "/customer_groups", Status: http.StatusForbidden})
	stdout, _, err := exportFrom(t, srv)
	if !errors.Is(err, bigcommerce.ErrForbidden) {
		t.Fatalf("error %v, want one matching bigcommerce.ErrForbidden", err)
	}
	if !strings.Contains(err.Error(), "after 0 groups") {
		t.Errorf("error %q does not say how far the export got", err)
	}
	if rows := readCSV(t, stdout); len(rows) != 0 {
		t.Errorf("%d rows written, want only the header", len(rows))
	}
}
