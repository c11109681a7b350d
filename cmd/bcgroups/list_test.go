package main

import (
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestListPrintsOnePageInEachFormat(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct{ format, golden string }{
		{"table", "list.table"},
		{"json", "list.json"},
		{"ndjson", "list.ndjson"},
		{"csv", "list.csv"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r := runOn(t, srv, "list", "-o", tc.format)
			r.wantCode(t, 0)
			golden(t, tc.golden, r.stdout)
		})
	}
}

func TestListDefaultsToATableOnATerminalAndJSONElsewhere(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	term := cli{srv: srv, outTTY: true}.run(t, "list")
	term.wantCode(t, 0)
	if !strings.HasPrefix(term.stdout, "ID  NAME") {
		t.Errorf("on a terminal, list printed:\n%s\nwant a table", term.stdout)
	}
	pipe := runOn(t, srv, "list")
	pipe.wantCode(t, 0)
	if !strings.HasPrefix(pipe.stdout, "[\n") {
		t.Errorf("in a pipe, list printed:\n%s\nwant a JSON array", pipe.stdout)
	}
}

func TestListSendsTheFiltersAsTheSDKDoes(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "list", "--name-like", "sale", "--default=false", "--guest=false",
		"--created-min", "2024-03-02", "--created-max", "2024-03-03", "--modified-min", "2024-03-12 00:00:00",
		"--modified-max", "2024-03-20T00:00:00Z", "--page", "1", "--limit", "5", "-o", "csv")
	r.wantCode(t, 0)
	golden(t, "list-filtered.csv", r.stdout)
	q := srv.Requests()[0].Query
	want := map[string]string{
		"name:like": "sale", "is_default": "false", "is_group_for_guests": "false",
		"date_created:min": "2024-03-02T00:00:00Z", "date_created:max": "2024-03-03T23:59:59Z",
		"date_modified:min": "2024-03-12T00:00:00Z", "date_modified:max": "2024-03-20T00:00:00Z",
		"page": "1", "limit": "5",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q (query %v)", k, q.Get(k), v, q)
		}
	}
}

func TestListAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.Seed(600)
	r := runOn(t, srv, "list", "--all", "-o", "ndjson")
	r.wantCode(t, 0)
	if n := strings.Count(r.stdout, "\n"); n != 608 {
		t.Errorf("list --all printed %d groups, want 608", n)
	}
	if len(srv.Requests()) != 3 {
		t.Errorf("list --all sent %d requests, want 3 pages of 250", len(srv.Requests()))
	}
}

func TestListRefusesADateItCannotReadNamingTheFlag(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, flag := range []string{"--created-min", "--created-max", "--modified-min", "--modified-max"} {
		r := runOn(t, srv, "list", flag, "03/05/2024")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, flag+": \"03/05/2024\" is not a date") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr = %q, want one line naming %s", r.stderr, flag)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent for bad dates, want none", n)
	}
}

func TestCountPrintsANumberOrAnObject(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, outTTY: true}.run(t, "count", "--name-like", "e")
	r.wantCode(t, 0)
	if r.stdout != "6\n" {
		t.Errorf("count on a terminal printed %q, want \"6\\n\"", r.stdout)
	}
	r = runOn(t, srv, "count", "--default")
	r.wantCode(t, 0)
	if r.stdout != "{\"count\":1}\n" {
		t.Errorf("count -o json printed %q", r.stdout)
	}
	if q := srv.Requests()[1].Query; q.Get("is_default") != "true" {
		t.Errorf("count --default sent %v", q)
	}
}

func TestGetPrintsTheGroupsAskedFor(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, outTTY: true}.run(t, "get", "3", "4")
	r.wantCode(t, 0)
	golden(t, "get.table", r.stdout)
	r = runOn(t, srv, "get", "5")
	r.wantCode(t, 0)
	golden(t, "get.json", r.stdout)
}

func TestGetOfAMissingGroupExitsThree(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "get", "3", "99")
	r.wantCode(t, exitNotFound)
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing when a group is missing", r.stdout)
	}
}

func TestAnIDThatIsNotAPositiveNumberIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, args := range [][]string{{"get", "3", "x"}, {"get", "0"}, {"delete", "--yes", "4x"}, {"update", "1.5", "--name", "A"}} {
		r := runOn(t, srv, args...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "is not a positive whole number") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr = %q, want one line naming the id and the rule", args, r.stderr)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
}

func TestTheFakeStoreSaysItIsAFake(t *testing.T) {
	t.Parallel()
	r := cli{}.run(t, "--fake", "list", "-o", "table")
	r.wantCode(t, 0)
	golden(t, "list.table", r.stdout)
	if !strings.Contains(r.stderr, "FAKE store") {
		t.Errorf("stderr = %q, want it to say the store is a fake", r.stderr)
	}
}

func TestListAllThatFailsHalfwayLeavesNoOutputThatLooksWhole(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.Seed(300)
	srv.InjectFault(bigcommercetest.Fault{Method: "GET"}) // the first page goes through
	srv.InjectFault(bigcommercetest.Fault{Method: "GET", Status: 500, Count: 10})
	r := runOn(t, srv, "list", "--all")
	r.wantCode(t, exitFailure)
	if strings.HasSuffix(r.stdout, "]\n") {
		t.Errorf("stdout ends like a complete JSON array after a failure:\n%s", r.stdout[max(0, len(r.stdout)-200):])
	}
}
