package main

import (
	"strings"
	"testing"
)

func TestOutputFlagCompletesTheFormats(t *testing.T) {
	t.Parallel()
	r := cli{}.run(t, "__complete", "list", "-o", "")
	r.wantCode(t, 0)
	for _, f := range outputFormats {
		if !strings.Contains(r.stdout, f+"\n") {
			t.Errorf("completion of -o offers:\n%s\nwant %s", r.stdout, f)
		}
	}
}

func TestListRefusesAPageSizeOutsideOneTo250(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, limit := range []string{"0", "-1", "251"} {
		r := runOn(t, srv, "list", "--limit", limit)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "--limit: must be between 1 and 250, got "+limit) {
			t.Errorf("--limit %s: stderr = %q", limit, r.stderr)
		}
	}
	runOn(t, srv, "list", "--page", "0").wantCode(t, exitUsage)
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for bad page sizes, want none", n)
	}
	runOn(t, srv, "list", "--limit", "250").wantCode(t, 0)
}

func TestAnErrorSaysEachThingOnce(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	base := srv.OAuthBaseURL()
	srv.Close() // nothing listens there any more
	r := cli{}.run(t, "--base-url", base, "--store-hash", srv.StoreHash, "--token", srv.AccessToken, "export")
	r.wantCode(t, exitFailure)
	if strings.Count(r.stderr, "customer_groups") != 1 || strings.Contains(r.stderr, "limit=250") || !strings.Contains(r.stderr, "bcgroups: export failed: bigcommerce: GET /stores/") {
		t.Errorf("stderr = %q, want the call named once and the reason", r.stderr)
	}
}
