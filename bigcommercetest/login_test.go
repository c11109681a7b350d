package bigcommercetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// registerApp registers an app whose callbacks nobody serves: enough for
// the login server, which never calls them.
func registerApp(t *testing.T, p *bigcommercetest.Platform, app bigcommercetest.App) bigcommercetest.App {
	t.Helper()
	if app.AuthCallbackURL == "" {
		app.AuthCallbackURL = "https://app.example/auth"
	}
	app, err := p.RegisterApp(app)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// exchangeForm is the form an app posts for the code of installURL, as
// API-NOTES describes it.
func exchangeForm(t *testing.T, app bigcommercetest.App, installURL string) url.Values {
	t.Helper()
	u, err := url.Parse(installURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	return url.Values{
		"client_id":     {app.ClientID},
		"client_secret": {app.ClientSecret},
		"code":          {q.Get("code")},
		"context":       {q.Get("context")},
		"scope":         {q.Get("scope")},
		"grant_type":    {"authorization_code"},
		"redirect_uri":  {app.AuthCallbackURL},
	}
}

func postToken(t *testing.T, p *bigcommercetest.Platform, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := http.PostForm(p.LoginURL()+"/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// wantOAuthError checks a refusal's status and RFC 6749 error code.
func wantOAuthError(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("refusal %q (%s) is not a JSON error: %v", body, resp.Header.Get("Content-Type"), err)
	}
	if resp.StatusCode != status || e.Error != code || e.Description == "" {
		t.Errorf("refusal %d %+v, want %d %s with a description", resp.StatusCode, e, status, code)
	}
}

func TestLoginServerAnswersAnInstallCodeWithTheStoresToken(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p, bigcommercetest.WithStoreHash("abc123"), bigcommercetest.WithSeed(3))
	app := registerApp(t, p, bigcommercetest.App{AuthCallbackURL: "https://app.example/bc/auth?tenant=7"})

	install, err := p.StartInstall(app.ClientID, "abc123", "")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(install)
	q := u.Query()
	if u.Host != "app.example" || u.Path != "/bc/auth" || q.Get("tenant") != "7" || q.Get("code") == "" ||
		q.Get("scope") != "store_v2_customers" || q.Get("context") != "stores/abc123" {
		t.Fatalf("install URL %s: want the auth callback, its own query kept, with code, scope and context", install)
	}

	resp, body := postToken(t, p, exchangeForm(t, app, install))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("exchange: %d %s (Cache-Control %q)", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	var answer map[string]any
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(answer))
	if want := []string{"access_token", "account_uuid", "context", "owner", "scope", "user"}; !slices.Equal(keys, want) {
		t.Errorf("answer keys %v, want %v", keys, want)
	}
	owner, _ := p.Owner("abc123")
	wantPerson := map[string]any{"id": float64(owner.ID), "username": owner.Username, "email": owner.Email}
	for _, who := range []string{"user", "owner"} {
		if got, _ := answer[who].(map[string]any); !maps.Equal(got, wantPerson) {
			t.Errorf("%s %v, want the store's owner %v", who, answer[who], wantPerson)
		}
	}
	if answer["context"] != "stores/abc123" || answer["scope"] != "store_v2_customers" {
		t.Errorf("context %v, scope %v", answer["context"], answer["scope"])
	}
	if uuid, _ := answer["account_uuid"].(string); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(uuid) {
		t.Errorf("account_uuid %q is not a UUID", uuid)
	}
	token, _ := answer["access_token"].(string)
	if status, n := countGroups(t, store, token); status != http.StatusOK || n != 3 {
		t.Errorf("the issued token on its store: %d, %d groups; want 200 and 3", status, n)
	}
	if !p.Installed(app.ClientID, "abc123") {
		t.Error("Installed is false after the exchange")
	}
}

// TestExchangeInstallCodeAgainstTheLoginServer: the core's exchange, with
// x/oauth2 underneath, gets a token and a store hash from the fake.
func TestExchangeInstallCodeAgainstTheLoginServer(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p, bigcommercetest.WithSeed(2))
	a := newTestApp(t, p)
	token := a.install(t, store.StoreHash)
	if status, n := countGroups(t, store, token); token == "" || status != http.StatusOK || n != 2 {
		t.Errorf("token %t, count %d %d: want the app's token to read the store's 2 groups", token != "", status, n)
	}
}

// TestTokenEndpointRefusals changes one field of a good exchange at a
// time: each is refused as RFC 6749 says, echoing no secret, and none
// uses up the code, which then still works.
func TestTokenEndpointRefusals(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	addStore(t, p, bigcommercetest.WithStoreHash("abc123"))
	addStore(t, p, bigcommercetest.WithStoreHash("def456"))
	app := registerApp(t, p, bigcommercetest.App{})
	other := registerApp(t, p, bigcommercetest.App{AuthCallbackURL: "https://other.example/auth"})
	install, err := p.StartInstall(app.ClientID, "abc123", "")
	if err != nil {
		t.Fatal(err)
	}
	good := exchangeForm(t, app, install)
	set := func(field, value string) url.Values {
		f := maps.Clone(good)
		if value == "" {
			delete(f, field)
		} else {
			f[field] = []string{value}
		}
		return f
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"client_id missing", set("client_id", ""), 401, "invalid_client"},
		{"client_id unknown", set("client_id", "nobody"), 401, "invalid_client"},
		{"client_secret wrong", set("client_secret", "guessed-secret"), 401, "invalid_client"},
		{"client_secret missing", set("client_secret", ""), 401, "invalid_client"},
		{"another app's credentials", set("client_secret", other.ClientSecret), 401, "invalid_client"},
		{"grant_type missing", set("grant_type", ""), 400, "unsupported_grant_type"},
		{"grant_type client_credentials", set("grant_type", "client_credentials"), 400, "unsupported_grant_type"},
		{"code missing", set("code", ""), 400, "invalid_request"},
		{"code unknown", set("code", "no-such-code"), 400, "invalid_grant"},
		{"redirect_uri missing", set("redirect_uri", ""), 400, "redirect_uri_mismatch"},
		{"redirect_uri another", set("redirect_uri", "https://evil.example/auth"), 400, "redirect_uri_mismatch"},
		{"context missing", set("context", ""), 400, "invalid_grant"},
		{"context another store", set("context", "stores/def456"), 400, "invalid_grant"},
		{"scope missing", set("scope", ""), 400, "invalid_scope"},
		{"scope widened", set("scope", "store_v2_customers store_v2_orders"), 400, "invalid_scope"},
	} {
		resp, body := postToken(t, p, c.form)
		t.Run(c.name, func(t *testing.T) {
			wantOAuthError(t, resp, body, c.status, c.code)
			for _, secret := range []string{app.ClientSecret, other.ClientSecret, "guessed-secret", good.Get("code")} {
				if strings.Contains(body, secret) {
					t.Errorf("refusal %s echoes a secret or the code", body)
				}
			}
		})
	}
	if p.Installed(app.ClientID, "abc123") {
		t.Fatal("a refused exchange installed the app")
	}
	// The code of one app is unknown to another, even with its own
	// credentials and redirect URI.
	stolen := exchangeForm(t, other, install)
	resp, body := postToken(t, p, stolen)
	wantOAuthError(t, resp, body, 400, "invalid_grant")

	if resp, body := postToken(t, p, good); resp.StatusCode != http.StatusOK {
		t.Errorf("the good exchange after the refusals: %d %s", resp.StatusCode, body)
	}
}

func TestTokenEndpointWantsAPostedForm(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	resp, body := get(t, http.DefaultClient, p.LoginURL()+"/oauth2/token")
	wantOAuthError(t, resp, body, http.StatusMethodNotAllowed, "invalid_request")
	if resp.Header.Get("Allow") != "POST" {
		t.Errorf("Allow %q, want POST", resp.Header.Get("Allow"))
	}
	resp, err := http.Post(p.LoginURL()+"/oauth2/token", "application/json", strings.NewReader(`{"client_id":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	wantOAuthError(t, resp, string(b), http.StatusBadRequest, "invalid_request")
}

func TestCodeIsGoodForOneExchange(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	app := registerApp(t, p, bigcommercetest.App{})
	install, _ := p.StartInstall(app.ClientID, store.StoreHash, "")
	form := exchangeForm(t, app, install)
	resp, body := postToken(t, p, form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first exchange: %d %s", resp.StatusCode, body)
	}
	var first struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(body), &first)

	resp, body = postToken(t, p, form)
	wantOAuthError(t, resp, body, 400, "invalid_grant")
	if !strings.Contains(body, "already") {
		t.Errorf("second exchange %s: want it to say the code was already used", body)
	}
	if status, _ := countGroups(t, store, first.AccessToken); status != http.StatusOK {
		t.Errorf("the first exchange's token answers %d after the replay, want 200", status)
	}
}

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestCodeExpiresAfterCodeLifetime(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	p := newPlatform(t, bigcommercetest.WithClock(clk.Now))
	store := addStore(t, p)
	app := registerApp(t, p, bigcommercetest.App{})
	late, _ := p.StartInstall(app.ClientID, store.StoreHash, "")
	clk.Advance(time.Second)
	inTime, _ := p.StartInstall(app.ClientID, store.StoreHash, "")
	clk.Advance(bigcommercetest.CodeLifetime - time.Second)

	resp, body := postToken(t, p, exchangeForm(t, app, late))
	wantOAuthError(t, resp, body, 400, "invalid_grant")
	if !strings.Contains(body, "expired") {
		t.Errorf("exchange at the end of the code's life: %s; want it to say the code expired", body)
	}
	if resp, body := postToken(t, p, exchangeForm(t, app, inTime)); resp.StatusCode != http.StatusOK {
		t.Errorf("exchange a second before the end of the code's life: %d %s", resp.StatusCode, body)
	}
}

func TestIssuedTokenIsGoodOnItsStoreOnly(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	mine := addStore(t, p, bigcommercetest.WithSeed(1))
	theirs := addStore(t, p, bigcommercetest.WithSeed(1))
	a := newTestApp(t, p)
	token := a.install(t, mine.StoreHash)
	if status, _ := countGroups(t, mine, token); status != http.StatusOK {
		t.Errorf("on its store: %d, want 200", status)
	}
	if status, _ := countGroups(t, theirs, token); status != http.StatusUnauthorized {
		t.Errorf("on another store: %d, want 401", status)
	}
}

func TestReinstallIssuesANewTokenAndRevokesTheOld(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	old := a.install(t, store.StoreHash)
	fresh := a.install(t, store.StoreHash)
	if fresh == old {
		t.Fatal("the reinstall gave the same token")
	}
	if status, _ := countGroups(t, store, old); status != http.StatusUnauthorized {
		t.Errorf("old token after the reinstall: %d, want 401", status)
	}
	if status, _ := countGroups(t, store, fresh); status != http.StatusOK {
		t.Errorf("new token: %d, want 200", status)
	}
}

// TestScopeDecidesWhatTheTokenMayDo: the scope the merchant approved is
// what the store's API allows the token.
func TestScopeDecidesWhatTheTokenMayDo(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	app := registerApp(t, p, bigcommercetest.App{})
	ctx := context.Background()
	for _, c := range []struct {
		scope         string
		read, written error
	}{
		{"store_v2_customers store_v2_orders", nil, nil},
		{"store_v2_customers_read_only", nil, bigcommerce.ErrForbidden},
		{"store_v2_orders", bigcommerce.ErrForbidden, bigcommerce.ErrForbidden},
	} {
		install, err := p.StartInstall(app.ClientID, store.StoreHash, c.scope)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := postToken(t, p, exchangeForm(t, app, install))
		var answer struct {
			AccessToken string `json:"access_token"`
			Scope       string `json:"scope"`
		}
		json.Unmarshal([]byte(body), &answer)
		if resp.StatusCode != http.StatusOK || answer.Scope != c.scope {
			t.Fatalf("exchange with scope %q: %d %s", c.scope, resp.StatusCode, body)
		}
		client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(store.StoreHash, answer.AccessToken), bigcommerce.WithBaseURL(store.OAuthBaseURL()))
		if err != nil {
			t.Fatal(err)
		}
		_, _, readErr := client.CustomerGroups.Count(ctx, nil)
		_, _, writeErr := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Scope " + c.scope})
		if !errorIs(readErr, c.read) || !errorIs(writeErr, c.written) {
			t.Errorf("scope %q: read %v, write %v; want %v and %v", c.scope, readErr, writeErr, c.read, c.written)
		}
	}
}

func errorIs(err, target error) bool {
	if target == nil {
		return err == nil
	}
	return errors.Is(err, target)
}
