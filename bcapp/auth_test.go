package bcapp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
)

// authURL is the install link BigCommerce sends the merchant to.
func authURL(code, hash string) string {
	return "/auth?" + url.Values{"code": {code}, "scope": {"store_v2_customers"}, "context": {"stores/" + hash}}.Encode()
}

// wantNothingSaved fails the test if any of the stores has an install.
func wantNothingSaved(t *testing.T, e *env, hashes ...string) {
	t.Helper()
	for _, h := range hashes {
		if _, err := e.store.Load(context.Background(), h); !errors.Is(err, bcapp.ErrNotInstalled) {
			t.Errorf("store %s: Load = %v, want nothing saved", h, err)
		}
	}
}

// TestInstallExchangesTheCodeAndSavesTheStore: /auth trades the code at
// the login server's /oauth2/token (the platform's, which takes it only
// with the app's client ID and secret, the registered redirect_uri, and
// the code's own scope and context), saves the token with a typed record,
// runs the hook, and sends the installer to the app with a session.
func TestInstallExchangesTheCodeAndSavesTheStore(t *testing.T) {
	t.Parallel()
	var hooked []bcapp.InstallInfo
	e := newEnv(t, func(c *bcapp.Config) {
		c.OnInstall = func(_ context.Context, in bcapp.InstallInfo) error { hooked = append(hooked, in); return nil }
	})
	link := e.authLink(t, "abc123")
	w := e.get(link)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d: %s\nlogs:\n%s", w.Code, w.Body, e.logs)
	}
	in, err := e.store.Load(context.Background(), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	owner, err := e.p.Owner("abc123")
	if err != nil {
		t.Fatal(err)
	}
	user := bcapp.User{ID: owner.ID, Email: owner.Email, Username: owner.Username}
	wantInfo := bcapp.InstallInfo{StoreHash: "abc123", Scope: "store_v2_customers", User: user, Owner: user, InstalledAt: now}
	if in.InstallInfo != wantInfo || in.AccessToken == "" || !e.p.Installed(clientID, "abc123") {
		t.Errorf("saved %+v\nwant %+v with the token issued", in.InstallInfo, wantInfo)
	}
	if len(hooked) != 1 || hooked[0] != wantInfo {
		t.Errorf("OnInstall got %+v, want once %+v", hooked, wantInfo)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	s, err := e.app.VerifySession(loc.Query().Get(bcapp.SessionParam))
	if loc.Path != "/" || err != nil || s.StoreHash != "abc123" || s.User.ID != owner.ID {
		t.Errorf("redirect to %s: session %v, %v; want / with a session for abc123 and user %d", loc.Path, s, err, owner.ID)
	}
	if err := e.count(t, "abc123"); err != nil {
		t.Errorf("the store's client after the install: %v", err)
	}
	// The code is good once: the same link again is refused by the login
	// server, and the install stays as it was.
	if again := e.get(link); again.Code != http.StatusBadGateway {
		t.Errorf("the install link used twice: %d", again.Code)
	}
	if kept, err := e.store.Load(context.Background(), "abc123"); err != nil || kept.AccessToken != in.AccessToken {
		t.Errorf("after a refused second use, the install is %v, %v", kept, err)
	}
}

// tokenAnswer answers the exchange with body, as a login server would.
func tokenAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// TestInstallTrustsTheAnswersStoreAndRefusesAnother: a token answer whose
// context names another store than the install link is refused, and
// nothing is saved for either store.
func TestInstallTrustsTheAnswersStoreAndRefusesAnother(t *testing.T) {
	t.Parallel()
	hooked := false
	e := newEnv(t, func(c *bcapp.Config) {
		c.OnInstall = func(context.Context, bcapp.InstallInfo) error { hooked = true; return nil }
	}, answeringLogin(t, tokenAnswer(http.StatusOK,
		`{"access_token":"TOKENother","scope":"s","user":{"id":1},"owner":{"id":1},"context":"stores/other9"}`)))
	w := e.get(authURL("code1", "abc123"))
	if w.Code != http.StatusBadGateway {
		t.Errorf("status %d, want 502", w.Code)
	}
	wantNothingSaved(t, e, "abc123", "other9")
	if hooked {
		t.Error("OnInstall ran for a refused install")
	}
	if !strings.Contains(e.logs.String(), `the token answer is for store \"other9\"`) {
		t.Errorf("the log does not say which store the answer named:\n%s", e.logs)
	}
}

// TestInstallFailureEchoesNothingAndSavesNothing: when the login server
// refuses, with an answer that quotes the secret, the page is plain, the
// log keeps only the status and the OAuth error code, and nothing is
// saved.
func TestInstallFailureEchoesNothingAndSavesNothing(t *testing.T) {
	t.Parallel()
	hooked := false
	e := newEnv(t, func(c *bcapp.Config) {
		c.OnInstall = func(context.Context, bcapp.InstallInfo) error { hooked = true; return nil }
	}, answeringLogin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"client_secret %s does not match; last token TOKENleaked"}`, r.PostFormValue("client_secret"))
	}))
	w := e.get(authURL("code1", "abc123"))
	if w.Code != http.StatusBadGateway {
		t.Errorf("status %d, want 502", w.Code)
	}
	for _, out := range []string{w.Body.String(), e.logs.String()} {
		for _, leak := range []string{clientSecret, "TOKENleaked", "does not match", "code1"} {
			if strings.Contains(out, leak) {
				t.Errorf("%q was echoed:\n%s", leak, out)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "the login server answered 401 (invalid_client)") {
		t.Errorf("the log does not say what the login server answered:\n%s", e.logs)
	}
	wantNothingSaved(t, e, "abc123")
	if hooked {
		t.Error("OnInstall ran for a failed install")
	}
}

// TestInstallTimesOut: a login server that never answers fails the
// install once Config.ExchangeTimeout passes.
func TestInstallTimesOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bcapp.Config) { c.ExchangeTimeout = 100 * time.Millisecond },
		answeringLogin(t, func(w http.ResponseWriter, r *http.Request) {
			// Once the body is read, the server sees the client go away.
			_ = r.ParseForm()
			<-r.Context().Done()
		}))
	done := make(chan int)
	go func() { done <- e.get(authURL("code1", "abc123")).Code }()
	select {
	case code := <-done:
		if code != http.StatusBadGateway {
			t.Errorf("status %d, want 502", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the install still waits for the login server after 30s")
	}
	if !strings.Contains(e.logs.String(), "within the exchange timeout") {
		t.Errorf("the log does not name the timeout:\n%s", e.logs)
	}
	wantNothingSaved(t, e, "abc123")
}

// TestInstallNeverFollowsARedirect: the token request carries the client
// secret, so a redirect from the login server, even one that keeps the
// body (307), is not followed.
func TestInstallNeverFollowsARedirect(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(elsewhere.Close)
	e := newEnv(t, answeringLogin(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/oauth2/token", http.StatusTemporaryRedirect)
	}))
	if code := e.get(authURL("code1", "abc123")).Code; code != http.StatusBadGateway {
		t.Errorf("status %d, want 502", code)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the redirect was followed: the other server got %d requests", n)
	}
	wantNothingSaved(t, e, "abc123")
}

// TestInstallRefusesAnIncompleteLink: without a code, or with a context
// that names no valid store, nothing is sent to the login server.
func TestInstallRefusesAnIncompleteLink(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	e := newEnv(t, answeringLogin(t, func(http.ResponseWriter, *http.Request) { asked.Add(1) }))
	for _, target := range []string{
		"/auth",
		"/auth?context=stores/abc123&scope=s",
		"/auth?code=c&scope=s",
		"/auth?code=c&scope=s&context=abc123",
		"/auth?code=c&scope=s&context=stores/ABC",
	} {
		if code := e.get(target).Code; code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, code)
		}
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the login server was asked %d times", n)
	}
}

// TestInstallRefusesAMalformedAnswer: a token that no client could send,
// or an answer without its user, is refused before anything is saved.
func TestInstallRefusesAMalformedAnswer(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"token with a space": `{"access_token":"TOKEN with space","scope":"s","user":{"id":1},"owner":{"id":1},"context":"stores/abc123"}`,
		"no user":            `{"access_token":"TOKENabc","scope":"s","owner":{"id":1},"context":"stores/abc123"}`,
		"no context":         `{"access_token":"TOKENabc","scope":"s","user":{"id":1},"owner":{"id":1}}`,
		"no token":           `{"scope":"s","user":{"id":1},"owner":{"id":1},"context":"stores/abc123"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, answeringLogin(t, tokenAnswer(http.StatusOK, body)))
			if code := e.get(authURL("code1", "abc123")).Code; code != http.StatusBadGateway {
				t.Errorf("status %d, want 502", code)
			}
			wantNothingSaved(t, e, "abc123")
			if strings.Contains(e.logs.String(), "TOKEN") {
				t.Errorf("the log quotes the token:\n%s", e.logs)
			}
		})
	}
}

// TestReinstallDropsThePooledClient: a reinstall brings a new token (the
// platform revokes the old one), and the store's next client sends it,
// not the old one.
func TestReinstallDropsThePooledClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.install(t, "abc123")
	first, err := e.app.Client(context.Background(), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	e.install(t, "abc123")
	second, err := e.app.Client(context.Background(), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("the client built with the old token is still pooled after the reinstall")
	}
	if err := e.count(t, "abc123"); err != nil {
		t.Errorf("a call after the reinstall: %v", err)
	}
}

// TestInstallHookFailureAnswers500: the hook's error makes a 500 page;
// the token is kept, since the hook may call the store and a retried
// install replaces it.
func TestInstallHookFailureAnswers500(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bcapp.Config) {
		c.OnInstall = func(context.Context, bcapp.InstallInfo) error { return errors.New("the app's database is down") }
	})
	w := e.get(e.authLink(t, "abc123"))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "database") {
		t.Errorf("status %d, body %s; want 500 with a page that does not quote the hook", w.Code, w.Body)
	}
	if !strings.Contains(e.logs.String(), "the app's database is down") {
		t.Errorf("the hook's error is not logged:\n%s", e.logs)
	}
}
