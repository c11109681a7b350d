package main

import (
	"strings"
	"testing"
)

func TestCredentialsNeverAppearInOutputErrorsOrVerboseLogs(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	basic := map[string]string{"BIGCOMMERCE_STORE_URL": srv.URL, "BIGCOMMERCE_USERNAME": srv.Username, "BIGCOMMERCE_API_KEY": srv.APIKey}
	oauthEnv := map[string]string{"BIGCOMMERCE_STORE_HASH": srv.StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": srv.AccessToken, "BIGCOMMERCE_BASE_URL": srv.OAuthBaseURL()}
	runs := []struct {
		c    cli
		args []string
	}{
		{cli{srv: srv}, []string{"--verbose", "list", "--all"}},
		{cli{srv: srv}, []string{"--verbose", "get", "99"}},
		{cli{srv: srv}, []string{"--verbose", "create", "--name", "wholesale"}},
		{cli{srv: srv}, []string{"--verbose", "update", "3", "--name", "  "}},
		{cli{env: oauthEnv}, []string{"--verbose", "export", "-o", "csv"}},
		{cli{env: basic}, []string{"--verbose", "count"}},
		{cli{env: basic}, []string{"-v", "delete", "--yes", "8"}},
		// The token passed where the store hash belongs.
		{cli{}, []string{"--verbose", "--base-url", srv.OAuthBaseURL(), "--store-hash", srv.AccessToken, "--token", srv.AccessToken, "list"}},
	}
	logged := false
	for _, run := range runs {
		r := run.c.run(t, run.args...)
		all := r.stdout + r.stderr
		for _, secret := range []string{srv.AccessToken, srv.APIKey} {
			if strings.Contains(all, secret) {
				t.Errorf("%v: a credential appears in the output:\n%s", run.args, all)
			}
		}
		logged = logged || strings.Contains(r.stderr, "level=DEBUG")
	}
	if !logged {
		t.Error("--verbose logged nothing, so the check above proves little")
	}
	if _, ok := srv.Group(8); ok {
		t.Error("the Basic-auth delete did not reach the store")
	}
}
