package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestEachKindOfFailureHasItsExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault *bigcommercetest.Fault
		args  []string
		code  int
	}{
		{"success", nil, []string{"count"}, exitOK},
		{"usage", nil, []string{"list", "--limit", "many"}, exitUsage},
		{"unknown command", nil, []string{"lsit"}, exitUsage},
		{"not found", nil, []string{"get", "404"}, exitNotFound},
		{"rate limited", &bigcommercetest.Fault{Status: http.StatusTooManyRequests, Count: 10}, []string{"list"}, exitRateLimited},
		{"server failure", &bigcommercetest.Fault{Status: http.StatusInternalServerError, Count: 10}, []string{"list"}, exitFailure},
		{"forbidden", &bigcommercetest.Fault{Status: http.StatusForbidden}, []string{"count"}, exitFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newStore(t)
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			r := runOn(t, srv, tc.args...)
			r.wantCode(t, tc.code)
			if tc.code != exitOK && (!strings.HasPrefix(r.stderr, "bcgroups: ") || strings.Count(r.stderr, "\n") != 1) {
				t.Errorf("stderr = %q, want one line", r.stderr)
			}
		})
	}
}

func TestRunWithoutCredentialsNamesBothWaysToConnect(t *testing.T) {
	for _, k := range []string{"BIGCOMMERCE_STORE_HASH", "BIGCOMMERCE_ACCESS_TOKEN", "BIGCOMMERCE_STORE_URL", "BIGCOMMERCE_USERNAME", "BIGCOMMERCE_API_KEY", "BIGCOMMERCE_BASE_URL"} {
		t.Setenv(k, "")
	}
	// No profile of the machine's user may count as credentials.
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"list"}, strings.NewReader(""), &out, &errOut)
	if code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"BIGCOMMERCE_ACCESS_TOKEN", "--token", "BIGCOMMERCE_API_KEY", "--fake"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr = %q, want it to mention %s", errOut.String(), want)
		}
	}
}

func TestVersionPrintsTheToolsAndTheSDKsVersions(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"version"}, strings.NewReader(""), &out, &errOut)
	if code != 0 || !strings.HasPrefix(out.String(), "bcgroups ") || !strings.Contains(out.String(), "customergroups 0.2.0") {
		t.Errorf("version: code %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

func TestCompletionScriptsAreBuiltIn(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{
		"bash":       "__start_bcgroups",
		"zsh":        "#compdef bcgroups",
		"fish":       "complete -c bcgroups",
		"powershell": "Register-ArgumentCompleter",
	} {
		r := cli{}.run(t, "completion", shell)
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s printed %d bytes without %q", shell, len(r.stdout), want)
		}
	}
	// The script asks the program itself; the answer must list commands.
	r := cli{}.run(t, "__complete", "")
	r.wantCode(t, 0)
	for _, cmd := range []string{"apply", "delete-all", "export", "list"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("completing a command does not offer %s:\n%s", cmd, r.stdout)
		}
	}
}

// Some failures are hard to provoke end to end: the SDK refusing a
// request the tool's own checks let through, or the client-side throttle
// refusing to send.
func TestExitCodesOfWrappedSDKErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("apply stopped: %w", &bigcommerce.ValidationError{Field: "name", Rule: "must not be blank"}), exitUsage},
		{fmt.Errorf("listing: %w", &bigcommerce.ThrottleError{RetryAfter: time.Minute}), exitRateLimited},
		{fmt.Errorf("x: %w", &bigcommerce.APIError{StatusCode: 509}), exitRateLimited},
		{fmt.Errorf("x: %w", &bigcommerce.APIError{StatusCode: 404}), exitNotFound},
		{fmt.Errorf("x: %w", &bigcommerce.RequestError{Err: context.Canceled}), exitFailure},
		{errDeclined, exitFailure},
		{errDrift, exitDrift},
	} {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
	}
}
