package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// noKeyring is a machine without an OS keyring, as a server without a
// desktop session is.
type noKeyring struct{}

var errNoKeyring = errors.New("no Secret Service on the session bus")

func (noKeyring) Get(string) (string, error) { return "", errNoKeyring }
func (noKeyring) Set(string, string) error   { return errNoKeyring }
func (noKeyring) Delete(string) error        { return errNoKeyring }

// login saves srv as profile name in dir, with the token on standard input.
func login(t *testing.T, dir string, kr secretStore, srv *bigcommercetest.Server, name string) result {
	t.Helper()
	return cli{configDir: dir, keyring: kr, stdin: srv.AccessToken + "\n"}.run(t,
		"--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", name, "--with-token")
}

func readConfigFile(t *testing.T, dir string) (string, os.FileMode) {
	t.Helper()
	path := filepath.Join(dir, "bcgroups", "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), info.Mode().Perm()
}

func TestLoginKeepsTheTokenInTheKeyringAndTheRestInTheConfigFile(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	r := login(t, dir, nil, srv, "kr-shop")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, `as profile "kr-shop", now the current profile; the token is in the OS keyring`) {
		t.Errorf("stderr = %q", r.stderr)
	}
	file, mode := readConfigFile(t, dir)
	if strings.Contains(file, srv.AccessToken) || !strings.Contains(file, srv.StoreHash) || mode != 0o600 {
		t.Errorf("config file (mode %v):\n%s\nwant the store but not the token, mode 0600", mode, file)
	}
	if token, err := mockKeyring.Get("kr-shop"); err != nil || token != srv.AccessToken {
		t.Errorf("keyring holds %q (%v)", token, err)
	}
	// The current profile is used with no flags and no environment.
	srv.ResetRequests()
	c := cli{configDir: dir}.run(t, "count")
	c.wantCode(t, 0)
	if c.stdout != "{\"count\":8}\n" || len(srv.Requests()) != 1 {
		t.Errorf("count with the profile: %q, %d requests", c.stdout, len(srv.Requests()))
	}
}

func TestLoginWithoutAKeyringSavesTheTokenInAPrivateFileAndSaysSo(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	r := login(t, dir, noKeyring{}, srv, "file-shop")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "no OS keyring is available") || !strings.Contains(r.stderr, "only you can read (mode 0600)") {
		t.Errorf("stderr = %q, want it to say where the token went", r.stderr)
	}
	if strings.Contains(r.stderr, srv.AccessToken) {
		t.Error("login printed the token")
	}
	file, mode := readConfigFile(t, dir)
	if !strings.Contains(file, srv.AccessToken) || mode != 0o600 {
		t.Errorf("config file mode %v, want the token in it and mode 0600", mode)
	}
	c := cli{configDir: dir, keyring: noKeyring{}}.run(t, "count")
	c.wantCode(t, 0)
}

func TestLoginChecksTheTokenBeforeSavingIt(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	r := cli{configDir: dir, stdin: "not-the-token\n"}.run(t, "--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", "bad-shop", "--with-token")
	if r.code == 0 || !strings.Contains(r.stderr, "nothing was saved") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bcgroups", "config.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a config file was written for a bad token: %v", err)
	}
}

func TestAuthListShowsProfilesButNeverTheirTokens(t *testing.T) {
	t.Parallel()
	a, b := newStore(t), newStore(t)
	dir := t.TempDir()
	login(t, dir, nil, a, "list-a").wantCode(t, 0)
	login(t, dir, noKeyring{}, b, "list-b").wantCode(t, 0)
	for _, args := range [][]string{{"auth", "list"}, {"auth", "list", "-o", "json"}, {"-v", "auth", "list"}} {
		r := cli{configDir: dir, outTTY: args[len(args)-1] == "list"}.run(t, args...)
		r.wantCode(t, 0)
		if strings.Contains(r.stdout+r.stderr, a.AccessToken) || strings.Contains(r.stdout+r.stderr, b.AccessToken) {
			t.Errorf("%v printed a token:\n%s%s", args, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "list-a") || !strings.Contains(r.stdout, b.StoreHash) {
			t.Errorf("%v:\n%s", args, r.stdout)
		}
	}
	r := cli{configDir: dir}.run(t, "auth", "list", "-o", "json")
	var rows []profileListing
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 || rows[0].TokenIn != "keyring" || rows[1].TokenIn != "file" || !rows[1].Current {
		t.Errorf("auth list -o json: %+v (%v)", rows, err)
	}
	// --verbose logs every request of a command that uses the profile,
	// without its token.
	v := cli{configDir: dir, keyring: noKeyring{}}.run(t, "-v", "count")
	v.wantCode(t, 0)
	if strings.Contains(v.stderr, b.AccessToken) || !strings.Contains(v.stderr, "customer_groups/count") {
		t.Errorf("--verbose with a profile:\n%s", v.stderr)
	}
}

func TestSwitchAndProfileChooseTheStoreAndQuestionsNameIt(t *testing.T) {
	t.Parallel()
	a, b := newStore(t), newStore(t)
	dir := t.TempDir()
	login(t, dir, nil, a, "sw-a").wantCode(t, 0)
	login(t, dir, nil, b, "sw-b").wantCode(t, 0) // now current
	cli{configDir: dir}.run(t, "auth", "switch", "sw-a").wantCode(t, 0)
	a.ResetRequests()
	b.ResetRequests()
	cli{configDir: dir}.run(t, "count").wantCode(t, 0)
	if len(a.Requests()) != 1 || len(b.Requests()) != 0 {
		t.Errorf("after switching to sw-a, count went to a %d times and b %d times", len(a.Requests()), len(b.Requests()))
	}
	r := cli{configDir: dir, inTTY: true, stdin: "n\n"}.run(t, "--profile", "sw-b", "delete", "3")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, `Delete 1 group from profile "sw-b" (`+where(b)+`): "Wholesale" (id 3)?`) {
		t.Errorf("the question does not name the profile and store:\n%s", r.stderr)
	}
	if n := (cli{configDir: dir}).run(t, "--profile", "nope", "count"); n.code != exitUsage || !strings.Contains(n.stderr, `"sw-a", "sw-b"`) {
		t.Errorf("an unknown --profile: exit %d, %q", n.code, n.stderr)
	}
}

func TestFlagsAndTheEnvironmentWinOverTheCurrentProfile(t *testing.T) {
	t.Parallel()
	a, other := newStore(t), newStore(t)
	dir := t.TempDir()
	login(t, dir, nil, a, "prec-a").wantCode(t, 0)
	a.ResetRequests()

	// The environment names another store: the current profile is not used.
	env := map[string]string{"BIGCOMMERCE_STORE_HASH": other.StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": other.AccessToken, "BIGCOMMERCE_BASE_URL": other.OAuthBaseURL()}
	cli{configDir: dir, env: env}.run(t, "count").wantCode(t, 0)
	if len(a.Requests()) != 0 || len(other.Requests()) != 1 {
		t.Errorf("with the environment set, the profile's store got %d requests", len(a.Requests()))
	}

	// A flag names another store: the profile's token must not go there.
	r := cli{configDir: dir}.run(t, "--store-hash", other.StoreHash, "--base-url", other.OAuthBaseURL(), "count")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "no access token") {
		t.Errorf("stderr = %q", r.stderr)
	}
	for _, req := range append(a.Requests(), other.Requests()...) {
		if strings.Contains(req.Header.Get("X-Auth-Token"), a.AccessToken) && strings.Contains(req.Path, other.StoreHash) {
			t.Error("the profile's token was sent to another store")
		}
	}

	// --profile wins over the environment.
	other.ResetRequests()
	cli{configDir: dir, env: env}.run(t, "--profile", "prec-a", "count").wantCode(t, 0)
	if len(a.Requests()) != 1 || len(other.Requests()) != 0 {
		t.Errorf("--profile did not win over the environment: %d, %d", len(a.Requests()), len(other.Requests()))
	}
}

func TestLogoutRemovesTheProfileAndItsToken(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	login(t, dir, nil, srv, "out-shop").wantCode(t, 0)
	r := cli{configDir: dir}.run(t, "auth", "logout")
	r.wantCode(t, 0)
	if _, err := mockKeyring.Get("out-shop"); err == nil {
		t.Error("the token is still in the keyring")
	}
	if file, _ := readConfigFile(t, dir); strings.Contains(file, "out-shop") {
		t.Errorf("the profile is still in the file:\n%s", file)
	}
	cli{configDir: dir}.run(t, "count").wantCode(t, exitUsage)
}

// TestProfilesLiveUnderTheUserConfigDir runs the program as main does,
// with XDG_CONFIG_HOME and HOME pointed at temporary folders, so it
// cannot run in parallel.
func TestProfilesLiveUnderTheUserConfigDir(t *testing.T) {
	srv := newStore(t)
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"BIGCOMMERCE_STORE_HASH", "BIGCOMMERCE_ACCESS_TOKEN", "BIGCOMMERCE_STORE_URL", "BIGCOMMERCE_USERNAME", "BIGCOMMERCE_API_KEY", "BIGCOMMERCE_BASE_URL"} {
		t.Setenv(k, "")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", "xdg-shop", "--with-token"},
		strings.NewReader(srv.AccessToken), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(config, "bcgroups", "config.json")); err != nil {
		t.Errorf("no config under XDG_CONFIG_HOME: %v", err)
	}
}

func TestInsecureStorageKeepsTheTokenInTheFileEvenWithAKeyring(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	dir := t.TempDir()
	mockKeyring.Set("insecure-shop", "an-older-token")
	r := cli{configDir: dir, stdin: srv.AccessToken}.run(t, "--store-hash", srv.StoreHash, "--base-url", srv.OAuthBaseURL(), "auth", "login", "insecure-shop", "--with-token", "--insecure-storage")
	r.wantCode(t, 0)
	if file, mode := readConfigFile(t, dir); !strings.Contains(file, srv.AccessToken) || mode != 0o600 {
		t.Errorf("mode %v; the file lacks the token", mode)
	}
	if _, err := mockKeyring.Get("insecure-shop"); err == nil {
		t.Error("an older token was left in the keyring")
	}
}
