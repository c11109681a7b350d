package main

import (
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestDeleteRefusesWithoutYesWhenStandardInputIsNotATerminal(t *testing.T) {
	t.Parallel()
	for _, cmd := range [][]string{{"delete", "3"}, {"delete-all"}} {
		srv := newStore(t)
		r := runOn(t, srv, cmd...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "pass --yes") {
			t.Errorf("%v: stderr = %q, want it to ask for --yes", cmd, r.stderr)
		}
		if len(srv.Requests()) != 0 || len(srv.Groups()) != 8 {
			t.Errorf("%v: %d requests were sent and %d groups are left, want none sent and all 8 left", cmd, len(srv.Requests()), len(srv.Groups()))
		}
	}
}

func TestDeleteOnATerminalAsksAndHonoursTheAnswer(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, inTTY: true, stdin: "n\n"}.run(t, "delete", "3", "4")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "Delete 2 groups from "+where(srv)+`: "Wholesale" (id 3), "VIP" (id 4)?`) {
		t.Errorf("stderr = %q, want the question", r.stderr)
	}
	if writes(srv) != 0 {
		t.Fatalf("answering no sent %d writes", writes(srv))
	}
	r = cli{srv: srv, inTTY: true, stdin: "y\n"}.run(t, "delete", "3", "4")
	r.wantCode(t, 0)
	if _, ok := srv.Group(3); ok {
		t.Error("group 3 is still there after answering yes")
	}
	if _, ok := srv.Group(4); ok {
		t.Error("group 4 is still there after answering yes")
	}
}

func TestDeleteOfAMissingGroupDeletesNothing(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "delete", "--yes", "2", "99", "5")
	r.wantCode(t, exitNotFound)
	if writes(srv) != 0 || len(srv.Groups()) != 8 {
		t.Errorf("%d writes for a delete with a missing id, want none", writes(srv))
	}
	if !strings.Contains(r.stderr, "looking up group 99 (nothing was deleted)") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestDeleteThatFailsAfterSomeDeletesHasItsOwnExitCode(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.InjectFault(bigcommercetest.Fault{Method: "DELETE"})
	srv.InjectFault(bigcommercetest.Fault{Method: "DELETE", Status: 500, Count: 10})
	r := runOn(t, srv, "delete", "--yes", "2", "5")
	r.wantCode(t, exitPartial)
	if !strings.Contains(r.stderr, "not deleted: ") || !strings.Contains(r.stderr, "(id 5)") {
		t.Errorf("stderr = %q, want what was deleted and what was not", r.stderr)
	}
}

func TestDeleteAllMakesTheUserTypeTheStoreHash(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, inTTY: true, stdin: "yes\n"}.run(t, "delete-all")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "February 2024") || !strings.Contains(r.stderr, "Type \""+srv.StoreHash+"\" to confirm") {
		t.Errorf("stderr = %q, want the note about the reference and the hash to type", r.stderr)
	}
	if writes(srv) != 0 || len(srv.Groups()) != 8 {
		t.Fatal("typing yes instead of the hash deleted groups")
	}
	r = cli{srv: srv, inTTY: true, stdin: srv.StoreHash + "\n"}.run(t, "delete-all")
	r.wantCode(t, 0)
	if n := len(srv.Groups()); n != 0 {
		t.Errorf("%d groups are left after delete-all", n)
	}
}

func TestDeleteAllOnTheFakeAsksForTheWordFake(t *testing.T) {
	t.Parallel()
	r := cli{inTTY: true, stdin: "fake\n"}.run(t, "--fake", "delete-all")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, `Type "fake" to confirm`) || !strings.Contains(r.stderr, "deleted every customer group of the fake store (8 before)") {
		t.Errorf("stderr = %q", r.stderr)
	}
}
