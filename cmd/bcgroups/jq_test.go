package main

import (
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestJQFiltersTheJSONOfEachCommandInProcess(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--jq", ".[] | select(.is_default) | .name"}, "Retail\n"},
		{[]string{"list", "--all", "-o", "ndjson", "--jq", "select(.is_group_for_guests) | .id"}, "2\n"},
		{[]string{"count", "--jq", ".count"}, "8\n"},
		{[]string{"get", "3", "4", "--jq", "[.[].name]"}, "[\"Wholesale\",\"VIP\"]\n"},
		{[]string{"export", "-q", "map(select(.name == \"Staff\")) | .[0].discount_rules[0].amount"}, "25.0000\n"},
		{[]string{"apply", "-f", writeFile(t, "g.json", `[{"name": "Bronze"}]`), "--dry-run", "--jq", ".create[].name"}, "Bronze\n"},
	} {
		r := runOn(t, srv, tc.args...)
		r.wantCode(t, 0)
		if r.stdout != tc.want {
			t.Errorf("%v: stdout = %q, want %q", tc.args, r.stdout, tc.want)
		}
	}
	// On a terminal, JSON is still what --jq reads, whatever the default.
	r := cli{srv: srv, outTTY: true}.run(t, "list", "--jq", "length")
	if r.code != 0 || r.stdout != "8\n" {
		t.Errorf("on a terminal: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestJQErrorsAreUsageErrorsAndNothingIsSentForABadExpression(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--jq", ".["}, "--jq: "},
		{[]string{"list", "--jq", ".[] | nosuchfunction"}, "--jq: function not defined"},
		{[]string{"list", "-o", "csv", "--jq", "."}, "--jq: filters JSON"},
		{[]string{"delete", "3", "--yes", "--jq", "."}, "writes no JSON"},
		{[]string{"export", "--file", "x.json", "--jq", "."}, "cannot be combined with --file"},
		{[]string{"apply", "-f", "x.json", "--jq", "."}, "only together with --dry-run"},
	} {
		r := runOn(t, srv, tc.args...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr = %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
	// An error while the program runs is the expression's fault too.
	r := runOn(t, srv, "list", "--jq", ".[] | .name | tonumber")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "--jq: ") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestJQStringsOnATerminalAreEscaped(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	g := srv.Add(bigcommercetest.Group{Name: hostileName, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	r := cli{srv: srv, outTTY: true}.run(t, "get", itoa(g.ID), "--jq", ".[0].name")
	r.wantCode(t, 0)
	if strings.ContainsAny(r.stdout, "\x1b\u202e") || !strings.Contains(r.stdout, `Evil\x1b[2J`) {
		t.Errorf("stdout = %q, want the name escaped", r.stdout)
	}
	piped := runOn(t, srv, "get", itoa(g.ID), "--jq", ".[0].name")
	if piped.stdout != hostileName+"\n" {
		t.Errorf("in a pipe: %q, want the exact name", piped.stdout)
	}
}

// TestJQOnATerminalFiltersTheWholeNames: the terminal's cut and escapes
// apply to what --jq prints, never to the JSON it filters, or a select on
// a long name would find nothing on a terminal and something in a pipe.
func TestJQOnATerminalFiltersTheWholeNames(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	long := strings.Repeat("Trade tier ", 20) + "\u009b"
	g := srv.Add(bigcommercetest.Group{Name: long, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	expr := `.[] | select(.name == "` + strings.Repeat("Trade tier ", 20) + `\u009b") | [.id, .name]`
	r := cli{srv: srv, outTTY: true}.run(t, "list", "--jq", expr)
	r.wantCode(t, 0)
	if !strings.HasPrefix(r.stdout, "["+itoa(g.ID)+`,"Trade tier`) || !strings.Contains(r.stdout, "…") || strings.Contains(r.stdout, "\u009b") {
		t.Errorf("stdout = %q, want the group found, and shown cut and escaped", r.stdout)
	}
}
