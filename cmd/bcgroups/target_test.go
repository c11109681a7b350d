package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// The tests in this file back what README.md promises about where tokens
// go and which store a command uses.

// saveProfiles writes a configuration of profiles into dir, as auth login
// leaves it with the tokens in the file.
func saveProfiles(t *testing.T, dir string, c config) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "bcgroups"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bcgroups", "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// capture stands for every host on the network: it answers every request
// as a store would answer a count, and records which token went to which
// host.
type capture struct {
	mu   sync.Mutex
	sent []delivery
}

type delivery struct{ host, token string }

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	token := req.Header.Get("X-Auth-Token")
	if _, key, ok := req.BasicAuth(); ok {
		token = key
	}
	c.mu.Lock()
	c.sent = append(c.sent, delivery{req.URL.Host, token})
	c.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"count":1}`)), Request: req}, nil
}

func (c *capture) deliveries() []delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]delivery(nil), c.sent...)
}

const apiHost = "api.bigcommerce.com"

// TestATokenReachesNoHostButItsOwn runs count under every combination of
// store hash, token and base URL given as flags and in the environment,
// with no profile, the current profile or --profile, whose own base URL is
// set or not. Each token may reach only the host named beside it (its
// profile's base URL; BIGCOMMERCE_BASE_URL beside BIGCOMMERCE_ACCESS_TOKEN;
// --base-url beside --token), or BigCommerce's API host when none is. A
// run either succeeds within that rule or is refused before any request.
func TestATokenReachesNoHostButItsOwn(t *testing.T) {
	t.Parallel()
	type setting struct{ flag, env, value string }
	settings := []setting{
		{"--store-hash", "", "flaghash"}, {"--token", "", "tok-flag"}, {"--base-url", "", "https://flag.example/stores/flaghash/v2"},
		{"", "BIGCOMMERCE_STORE_HASH", "envhash"}, {"", "BIGCOMMERCE_ACCESS_TOKEN", "tok-env"}, {"", "BIGCOMMERCE_BASE_URL", "https://env.example/stores/envhash/v2"},
	}
	profileDirs := map[string]string{} // profile's base URL -> config folder
	for _, base := range []string{"", "https://profile.example/stores/profhash/v2"} {
		dir := t.TempDir()
		saveProfiles(t, dir, config{Current: "shop", Profiles: map[string]*profile{"shop": {StoreHash: "profhash", BaseURL: base, Token: "tok-profile"}}})
		profileDirs[base] = dir
	}
	runs, refused := 0, 0
	for mask := range 1 << len(settings) {
		for _, mode := range []string{"no profile", "current profile", "--profile"} {
			for profURL, dir := range profileDirs {
				if mode == "no profile" {
					if profURL != "" {
						continue
					}
					dir = t.TempDir()
				}
				var args []string
				env := map[string]string{}
				own := map[string]string{"tok-profile": apiHost, "tok-env": apiHost, "tok-flag": apiHost}
				if profURL != "" {
					own["tok-profile"] = hostOf(profURL)
				}
				for i, s := range settings {
					if mask&(1<<i) == 0 {
						continue
					}
					if s.flag != "" {
						args = append(args, s.flag, s.value)
					} else {
						env[s.env] = s.value
					}
					switch s.flag + s.env {
					case "--base-url":
						own["tok-flag"] = hostOf(s.value)
					case "BIGCOMMERCE_BASE_URL":
						own["tok-env"] = hostOf(s.value)
					}
				}
				if mode == "--profile" {
					args = append(args, "--profile", "shop")
				}
				net := &capture{}
				c := cli{env: env, configDir: dir, keyring: noKeyring{}, sdk: []bigcommerce.Option{bigcommerce.WithHTTPClient(&http.Client{Transport: net})}}
				r := c.run(t, append(args, "count")...)
				runs++
				sent := net.deliveries()
				name := fmt.Sprintf("%s (profile base URL %q), args %q, env %v", mode, profURL, args, env)
				switch {
				case r.code == exitUsage && len(sent) == 0:
					refused++
				case r.code == 0 && len(sent) > 0:
				default:
					t.Errorf("%s: exit %d with %d requests, want a count or a refusal before any request\nstderr: %s", name, r.code, len(sent), r.stderr)
				}
				for _, d := range sent {
					if want, ok := own[d.token]; !ok || d.host != want {
						t.Errorf("%s: token %q went to %s; it may go only to %q", name, d.token, d.host, want)
					}
				}
			}
		}
	}
	t.Logf("%d runs, %d refused", runs, refused)
	if refused == 0 || refused == runs {
		t.Errorf("%d of %d runs were refused; the table must hold runs of both kinds to prove anything", refused, runs)
	}
}

// TestAProfilesTokenDoesNotFollowBIGCOMMERCE_BASE_URL is the first finding
// of issue 21: with a profile current, BIGCOMMERCE_BASE_URL alone sent the
// profile's token to whatever host it named, and --profile sent it to the
// profile's own host: the two paths now agree, and refuse, naming both
// sources.
func TestAProfilesTokenDoesNotFollowBIGCOMMERCE_BASE_URL(t *testing.T) {
	t.Parallel()
	srv, thief := newStore(t), newStore(t)
	for _, profURL := range []string{srv.OAuthBaseURL(), ""} {
		dir := t.TempDir()
		saveProfiles(t, dir, config{Current: "shopA", Profiles: map[string]*profile{"shopA": {StoreHash: srv.StoreHash, BaseURL: profURL, Token: srv.AccessToken}}})
		env := map[string]string{"BIGCOMMERCE_BASE_URL": thief.URL + "/stores/" + srv.StoreHash + "/v2"}
		for _, args := range [][]string{{"count"}, {"--profile", "shopA", "count"}, {"-v", "count"}} {
			r := cli{env: env, configDir: dir}.run(t, args...)
			r.wantCode(t, exitUsage)
			for _, want := range []string{`the token from profile "shopA"`, "base URL from BIGCOMMERCE_BASE_URL", hostOf(thief.URL)} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("profile base URL %q, %v: stderr = %q, want %q", profURL, args, r.stderr, want)
				}
			}
		}
	}
	if n := len(thief.Requests()) + len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
}

// TestAProfileBesideAnotherStoreInTheEnvironmentSaysWhichIsUsed is the
// second finding: --profile answered store A while the environment named
// store B, without a word. As gh does with GH_TOKEN beside a saved login,
// the documented order decides (--profile, then the environment, then the
// current profile), and one line says which store won and why.
func TestAProfileBesideAnotherStoreInTheEnvironmentSaysWhichIsUsed(t *testing.T) {
	t.Parallel()
	a, b := newStore(t), newStore(t)
	dir := t.TempDir()
	saveProfiles(t, dir, config{Current: "shopA", Profiles: map[string]*profile{"shopA": {StoreHash: a.StoreHash, BaseURL: a.OAuthBaseURL(), Token: a.AccessToken}}})
	envB := map[string]string{"BIGCOMMERCE_STORE_HASH": b.StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": b.AccessToken, "BIGCOMMERCE_BASE_URL": b.OAuthBaseURL()}

	r := cli{env: envB, configDir: dir}.run(t, "--profile", "shopA", "count")
	r.wantCode(t, 0)
	if want := `using profile "shopA" (store ` + a.StoreHash + `), as --profile asks; the store that the environment names (BIGCOMMERCE_STORE_HASH=` + b.StoreHash + `) is not used`; !strings.Contains(r.stderr, want) {
		t.Errorf("--profile beside the environment: stderr = %q, want %q", r.stderr, want)
	}
	if len(a.Requests()) != 1 || len(b.Requests()) != 0 {
		t.Errorf("requests: %d to the profile's store, %d to the environment's; want 1 and 0", len(a.Requests()), len(b.Requests()))
	}

	r = cli{env: envB, configDir: dir}.run(t, "count")
	r.wantCode(t, 0)
	if want := `using the store that BIGCOMMERCE_STORE_HASH names, not the current profile "shopA" (store ` + a.StoreHash + `)`; !strings.Contains(r.stderr, want) {
		t.Errorf("the environment beside the current profile: stderr = %q, want %q", r.stderr, want)
	}
	if len(b.Requests()) != 1 {
		t.Errorf("the environment's store got %d requests, want 1", len(b.Requests()))
	}

	// The same store named both ways is no disagreement.
	envA := map[string]string{"BIGCOMMERCE_STORE_HASH": a.StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": a.AccessToken, "BIGCOMMERCE_BASE_URL": a.OAuthBaseURL()}
	if r := (cli{env: envA, configDir: dir}).run(t, "--profile", "shopA", "count"); r.code != 0 || strings.Contains(r.stderr, "using") {
		t.Errorf("the environment naming the profile's own store: exit %d, stderr %q, want no note", r.code, r.stderr)
	}

	// Two flags that contradict each other are refused.
	r = cli{configDir: dir}.run(t, "--profile", "shopA", "--store-hash", b.StoreHash, "--token", b.AccessToken, "count")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "--store-hash "+b.StoreHash+` disagrees with --profile "shopA"`) {
		t.Errorf("--store-hash against --profile: stderr = %q", r.stderr)
	}
}

func TestSwitchSaysWhenTheEnvironmentOutranksTheCurrentProfile(t *testing.T) {
	t.Parallel()
	a, b := newStore(t), newStore(t)
	dir := t.TempDir()
	saveProfiles(t, dir, config{Profiles: map[string]*profile{"shopA": {StoreHash: a.StoreHash, BaseURL: a.OAuthBaseURL(), Token: a.AccessToken}}})
	r := cli{env: map[string]string{"BIGCOMMERCE_STORE_HASH": b.StoreHash}, configDir: dir}.run(t, "auth", "switch", "shopA")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "the environment names a store (BIGCOMMERCE_STORE_HASH="+b.StoreHash+"), which commands use instead of the current profile") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

// TestPlansAndApplyLogsNameTheTarget is the third finding: neither the
// plan (text, JSON, --jq) nor apply's log named the store, so a CI log
// could not show which store was changed.
func TestPlansAndApplyLogsNameTheTarget(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	saveProfiles(t, dir, config{Current: "shopA", Profiles: map[string]*profile{"shopA": {StoreHash: srv.StoreHash, BaseURL: srv.OAuthBaseURL(), Token: srv.AccessToken}}})
	doc := writeFile(t, "g.json", `[{"name": "Trade 004"}]`)
	c := cli{configDir: dir}
	named := `profile "shopA" (` + where(srv) + `)`

	text := c.run(t, "apply", "-f", doc, "--dry-run")
	text.wantCode(t, 0)
	if !strings.HasPrefix(text.stdout, "Plan for "+named+":\n") {
		t.Errorf("the text plan starts %q, want it to name %s", text.stdout, named)
	}
	js := c.run(t, "apply", "-f", doc, "--dry-run", "-o", "json")
	js.wantCode(t, 0)
	var plan struct{ Target target }
	if err := json.Unmarshal([]byte(js.stdout), &plan); err != nil || plan.Target != (target{Profile: "shopA", StoreHash: srv.StoreHash, Host: hostOf(srv.URL)}) {
		t.Errorf("the JSON plan's target is %+v (%v)", plan.Target, err)
	}
	jq := c.run(t, "apply", "-f", doc, "--dry-run", "--jq", `.target | "\(.profile) \(.store_hash) \(.host)"`)
	if jq.stdout != "shopA "+srv.StoreHash+" "+hostOf(srv.URL)+"\n" {
		t.Errorf("--jq .target printed %q", jq.stdout)
	}

	applied := c.run(t, "apply", "-f", doc, "--yes")
	applied.wantCode(t, 0)
	for _, want := range []string{"applying 1 change to " + named + "\n", `create "Trade 004": done`, "applied to " + named + ": 1 created"} {
		if !strings.Contains(applied.stderr, want) {
			t.Errorf("apply's log:\n%s\nwant %q", applied.stderr, want)
		}
	}
}

// TestVerboseLogsTheHostOfEveryRequest: -v logged the path alone, so a
// token sent to the wrong host left no trace.
func TestVerboseLogsTheHostOfEveryRequest(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "-v", "list", "--all")
	r.wantCode(t, 0)
	u, _ := url.Parse(srv.URL)
	if !strings.Contains(r.stderr, "host="+u.Host+" path=/stores/"+srv.StoreHash+"/v2/customer_groups") || strings.Contains(r.stderr, srv.AccessToken) {
		t.Errorf("-v wrote:\n%s\nwant the host of each request and no token", r.stderr)
	}
}

// TestBasicAuthsKeyGoesOnlyToItsOwnStore: the legacy API key follows the
// same rule as a token.
func TestBasicAuthsKeyGoesOnlyToItsOwnStore(t *testing.T) {
	t.Parallel()
	srv, thief := newStore(t), newStore(t)
	basic := map[string]string{"BIGCOMMERCE_STORE_URL": srv.URL, "BIGCOMMERCE_USERNAME": srv.Username, "BIGCOMMERCE_API_KEY": srv.APIKey}
	r := cli{env: basic}.run(t, "--base-url", thief.URL+"/api/v2", "count")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "the token from BIGCOMMERCE_API_KEY goes only to "+hostOf(srv.URL)) || len(thief.Requests()) != 0 {
		t.Errorf("stderr = %q, %d requests to the other host", r.stderr, len(thief.Requests()))
	}
	cli{env: basic}.run(t, "count").wantCode(t, 0)
}

// TestLoginBindsTheTokenToTheBaseURLGivenWithIt: a token typed or piped in
// for a login goes to the base URL given with it, and that pair is what
// the profile keeps; a token from the environment keeps the rule of every
// command.
func TestLoginBindsTheTokenToTheBaseURLGivenWithIt(t *testing.T) {
	t.Parallel()
	srv, thief := newStore(t), newStore(t)
	dir := t.TempDir()
	r := cli{configDir: dir, env: map[string]string{"BIGCOMMERCE_ACCESS_TOKEN": srv.AccessToken}}.run(t,
		"--store-hash", srv.StoreHash, "--base-url", thief.URL+"/stores/"+srv.StoreHash+"/v2", "auth", "login", "bind")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "the token from BIGCOMMERCE_ACCESS_TOKEN goes only to "+apiHost) || len(thief.Requests()) != 0 {
		t.Errorf("stderr = %q, %d requests to the other host", r.stderr, len(thief.Requests()))
	}
	login(t, dir, noKeyring{}, srv, "bind").wantCode(t, 0)
	if file, _ := readConfigFile(t, dir); !strings.Contains(file, srv.OAuthBaseURL()) {
		t.Errorf("the profile does not keep the base URL its token was given with:\n%s", file)
	}
}
