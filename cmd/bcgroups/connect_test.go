package main

import (
	"strings"
	"testing"
)

func TestAStoreHashThatDisagreesWithTheBaseURLIsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	other := srv.URL + "/stores/otherstore/v2"
	for _, tc := range []struct {
		name string
		c    cli
		args []string
		want []string
	}{
		{"flags", cli{}, []string{"--base-url", other, "--store-hash", srv.StoreHash, "--token", srv.AccessToken, "list"},
			[]string{`store hash "` + srv.StoreHash + `" (--store-hash)`, `store "otherstore" in the base URL (--base-url)`}},
		{"environment", cli{env: map[string]string{"BIGCOMMERCE_BASE_URL": other, "BIGCOMMERCE_STORE_HASH": srv.StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": srv.AccessToken}}, []string{"list"},
			[]string{`(BIGCOMMERCE_STORE_HASH)`, `"otherstore" in the base URL (BIGCOMMERCE_BASE_URL)`}},
		{"flag against environment", cli{env: map[string]string{"BIGCOMMERCE_BASE_URL": other, "BIGCOMMERCE_ACCESS_TOKEN": srv.AccessToken}}, []string{"--store-hash", srv.StoreHash, "delete", "--yes", "3"},
			[]string{`(--store-hash)`, `(BIGCOMMERCE_BASE_URL)`}},
	} {
		r := tc.c.run(t, tc.args...)
		r.wantCode(t, exitUsage)
		for _, want := range tc.want {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr = %q, want %q", tc.name, r.stderr, want)
			}
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent to a store named twice, want none", n)
	}
}

func TestABaseURLWithoutTheStorePathGetsAHintInsteadOfNotFound(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{}.run(t, "--base-url", srv.URL, "--store-hash", srv.StoreHash, "--token", srv.AccessToken, "get", "3")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "hint: --base-url has no /stores/"+srv.StoreHash+"/v2 in its path") {
		t.Errorf("stderr = %q, want the hint", r.stderr)
	}
	// The right root still finds a missing group as missing.
	runOn(t, srv, "get", "404").wantCode(t, exitNotFound)
}

func TestQuestionsNameTheStoreByHostForBasicAuth(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	basic := map[string]string{"BIGCOMMERCE_STORE_URL": srv.URL, "BIGCOMMERCE_USERNAME": srv.Username, "BIGCOMMERCE_API_KEY": srv.APIKey}
	r := cli{env: basic, inTTY: true, stdin: "n\n"}.run(t, "delete", "3", "4")
	r.wantCode(t, exitFailure)
	if want := `Delete 2 groups from store ` + hostOf(srv.URL) + `: "Wholesale" (id 3), "VIP" (id 4)?`; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
}
