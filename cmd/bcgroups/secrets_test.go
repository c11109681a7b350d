package main

import (
	"net/http"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
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

func TestCredentialsNeverAppearInMessagesFromBeforeConnecting(t *testing.T) {
	t.Parallel()
	const token, apiKey = "tok-0123456789abcdef", "key-0123456789abcdef"
	env := map[string]string{"BIGCOMMERCE_STORE_HASH": "abc123", "BIGCOMMERCE_ACCESS_TOKEN": token, "BIGCOMMERCE_API_KEY": apiKey}
	for _, args := range [][]string{
		{"get", token},     // pasted where an id belongs
		{"delete", apiKey}, // the Basic-auth key, likewise
		{"--token", token, "update", token, "--name", "A"},
		{"--token", token, "lsit"},
		{token},
		{"list", "--help"},
		{"--token", token, "list", "--help"},
	} {
		r := cli{env: env}.run(t, args...)
		if all := r.stdout + r.stderr; strings.Contains(all, token) || strings.Contains(all, apiKey) {
			t.Errorf("%v: a credential appears in the output:\n%s", args, all)
		}
	}
}

// panickyTransport stands for a bug below the tool that panics with a
// request's credentials in its message.
type panickyTransport struct{}

func (panickyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	panic("cannot send " + req.Header.Get("X-Auth-Token"))
}

func TestAPanicIsReportedWithoutCredentials(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	c := cli{srv: srv, sdk: []bigcommerce.Option{bigcommerce.WithHTTPClient(&http.Client{Transport: panickyTransport{}})}}
	r := c.run(t, "list")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "internal error") || !strings.Contains(r.stderr, "cannot send (redacted)") || strings.Contains(r.stderr, srv.AccessToken) {
		t.Errorf("stderr = %q, want the panic reported with the token redacted", r.stderr)
	}
}
