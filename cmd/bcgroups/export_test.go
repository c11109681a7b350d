package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestExportWritesEveryGroupInEachFormat(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct{ format, golden string }{
		{"", "export.json"},
		{"ndjson", "export.ndjson"},
		{"csv", "export.csv"},
	} {
		args := []string{"export"}
		if tc.format != "" {
			args = append(args, "-o", tc.format)
		}
		// Even on a terminal, export's default is JSON, the format apply reads.
		r := cli{srv: srv, outTTY: true}.run(t, args...)
		r.wantCode(t, 0)
		golden(t, tc.golden, r.stdout)
	}
}

func TestExportRefusesATable(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "export", "-o", "table")
	r.wantCode(t, exitUsage)
	if len(srv.Requests()) != 0 {
		t.Error("export -o table sent requests")
	}
}

func TestExportThenApplyToTheSameStoreChangesNothing(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "ndjson", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			srv := newStore(t)
			srv.Seed(300) // more than a page
			path := filepath.Join(t.TempDir(), "groups."+format)
			runOn(t, srv, "export", "-o", format, "--file", path).wantCode(t, 0)
			srv.ResetRequests()
			r := runOn(t, srv, "apply", "-f", path, "--yes", "--prune")
			r.wantCode(t, 0)
			if !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 308 unchanged, 0 to delete.") {
				t.Errorf("plan:\n%s", r.stdout)
			}
			if n := writes(srv); n != 0 {
				t.Errorf("applying the store's own export made %d writes, want 0", n)
			}
		})
	}
}

func TestExportDrawsProgressOnlyWhenStandardErrorIsATerminal(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.Seed(600)
	path := filepath.Join(t.TempDir(), "out.json")
	r := cli{srv: srv, errTTY: true}.run(t, "export", "--file", path)
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "page 3/3") || !strings.Contains(r.stderr, "608/608") {
		t.Errorf("stderr on a terminal = %q, want a bar counting 608 groups over 3 pages", r.stderr)
	}
	if n := strings.Count(r.stderr, "\r"); n > 60 {
		t.Errorf("the bar was redrawn %d times for 608 groups; want a few times a second, not once per group", n)
	}
	if srv.Requests()[0].Path != "/stores/"+srv.StoreHash+"/v2/customer_groups/count" {
		t.Errorf("the first request was %s, want the count for the bar's total", srv.Requests()[0].Path)
	}
	srv.ResetRequests()
	r = runOn(t, srv, "export", "--file", path)
	r.wantCode(t, 0)
	if r.stderr != "exported 608 groups to "+path+"\n" {
		t.Errorf("stderr in a pipe = %q, want no bar", r.stderr)
	}
	for _, req := range srv.Requests() {
		if strings.HasSuffix(req.Path, "/count") {
			t.Error("export counted the groups with no bar to show")
		}
	}
	if b, err := os.ReadFile(path); err != nil || strings.Count(string(b), `"id"`) != 608 {
		t.Errorf("the file holds %d groups (%v), want 608", strings.Count(string(b), `"id"`), err)
	}
}

func TestExportQuotesNamesThatCSVWouldSplitAndApplyReadsThemBack(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	awkward := "Smith, \"Jr\" & Sons\nEast"
	srv.Add(bigcommercetest.Group{Name: awkward, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	r := runOn(t, srv, "export", "-o", "csv")
	r.wantCode(t, 0)
	if want := "\"Smith, \"\"Jr\"\" & Sons\nEast\",false,false,all,"; !strings.Contains(r.stdout, want) {
		t.Errorf("CSV export lacks the quoted name %q:\n%s", want, r.stdout)
	}
	path := writeFile(t, "groups.csv", r.stdout)
	srv.ResetRequests()
	r = runOn(t, srv, "apply", "-f", path, "--prune", "--yes")
	r.wantCode(t, 0)
	if n := writes(srv); n != 0 || !strings.Contains(r.stdout, "9 unchanged") {
		t.Errorf("applying the CSV back made %d writes; plan:\n%s", n, r.stdout)
	}
}
