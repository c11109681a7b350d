package bcapp_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bcapp/internal/pgtest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/golang-jwt/jwt/v5"
)

// The app's credentials in tests. The secret and the tokens have markers
// that a leak test can look for in logs, pages and errors.
const (
	clientID     = "test-client-id"
	clientSecret = "SECRETclientsecret42"
)

// now is the tests' clock: a whole second, since JWT times are seconds.
var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// env is an App on a fake BigCommerce (bcapptest's platform, whose login
// server and stores' APIs it calls), with its logs at debug level and its
// clock, and the platform's, at now.
type env struct {
	app   *bcapp.App
	store bcapp.TokenStore
	p     *bcapptest.Platform
	logs  *pgtest.SyncBuffer
}

func newEnv(t *testing.T, mutate ...func(*bcapp.Config)) *env {
	t.Helper()
	return newEnvOn(t, nil, mutate...)
}

// newEnvOn is newEnv on the platform p, as a second instance of the same
// app: p serves the first instance's handler, and the second one is
// reached in process only. A nil p starts a platform.
func newEnvOn(t *testing.T, p *bcapptest.Platform, mutate ...func(*bcapp.Config)) *env {
	t.Helper()
	first := p == nil
	if first {
		p = bcapptest.New(t, bcapptest.Credentials(clientID, clientSecret), bcapptest.CallbacksAt(""),
			bcapptest.PlatformOptions(bigcommercetest.WithClock(func() time.Time { return now })))
		p.Config.Tokens = bcapp.NewMemoryStore()
	}
	e := &env{p: p, logs: &pgtest.SyncBuffer{}}
	cfg := p.Config
	cfg.FrameAncestors = "" // BigCommerce's, as an app has it
	cfg.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, m := range mutate {
		m(&cfg)
	}
	e.store = cfg.Tokens
	app, err := bcapp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bcapp.SetClock(app, func() time.Time { return now })
	e.app = app
	if first {
		p.Serve(e.mux())
	}
	return e
}

// mux is the app as the platform reaches it: the callbacks at the root,
// and at / the page that the install and the load send the merchant to
// (a test that follows them sets no other AppURL).
func (e *env) mux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", e.app.Handler())
	mux.Handle("/{$}", page(e))
	return mux
}

// get serves a GET of target by the app's Handler.
func (e *env) get(target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.app.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// addStore adds the store to the platform, unless it is there.
func (e *env) addStore(t *testing.T, hash string) *bigcommercetest.Server {
	t.Helper()
	if srv, ok := e.p.Store(hash); ok {
		return srv
	}
	srv, err := e.p.AddStore(bigcommercetest.WithStoreHash(hash))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// install runs the install of a store through /auth, its code traded at
// the platform's login server, and fails the test unless it redirects to
// the app. It does not follow the redirect, whose page would build the
// store's client.
func (e *env) install(t *testing.T, hash string) {
	t.Helper()
	if w := e.get(e.authLink(t, hash)); w.Code != http.StatusSeeOther {
		t.Fatalf("install of %s: %d %s\nlogs:\n%s", hash, w.Code, w.Body, e.logs)
	}
}

// authLink starts an install of the store on the platform and returns the
// install link's path and query, for the app's Handler in process.
func (e *env) authLink(t *testing.T, hash string) string {
	t.Helper()
	e.addStore(t, hash)
	u, err := e.p.StartInstall(clientID, hash, "")
	if err != nil {
		t.Fatal(err)
	}
	return "/auth?" + u[strings.Index(u, "?")+1:]
}

// callback serves a callback with a payload signed for it.
func (e *env) callback(t *testing.T, path string, claims jwt.MapClaims) *httptest.ResponseRecorder {
	t.Helper()
	return e.get(path + "?signed_payload_jwt=" + url.QueryEscape(sign(t, claims)))
}

// count calls the store's API through App.Client.
func (e *env) count(t *testing.T, hash string) error {
	t.Helper()
	c, err := e.app.Client(context.Background(), hash)
	if err != nil {
		return err
	}
	_, _, err = c.CustomerGroups.Count(context.Background(), nil)
	return err
}

// requests counts the requests that reached the store's API.
func (e *env) requests(t *testing.T, hash string) int {
	t.Helper()
	return len(e.addStore(t, hash).Requests())
}

// answeringLogin makes the app exchange its codes at a login server that
// answers with h: for the answers that a login server should never give
// (another store, a malformed token, a redirect, an echo of the secret,
// none at all), which the platform's does not.
func answeringLogin(t *testing.T, h http.HandlerFunc) func(*bcapp.Config) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return func(c *bcapp.Config) { c.LoginURL = srv.URL }
}

// claims are a valid payload for the store, as BigCommerce signs them.
func claims(hash string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":        "bc",
		"aud":        clientID,
		"iat":        now.Add(-10 * time.Second).Unix(),
		"nbf":        now.Add(-10 * time.Second).Unix(),
		"exp":        now.Add(24 * time.Hour).Unix(),
		"jti":        "jti-" + hash + "-1",
		"sub":        "stores/" + hash,
		"user":       map[string]any{"id": 9128, "email": "user@example.com", "locale": "en"},
		"owner":      map[string]any{"id": 9127, "email": "owner@example.com"},
		"url":        "/",
		"channel_id": nil,
	}
}

// with returns a copy of c with the given claims set, or removed when nil.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// sign signs claims with HS256 and the client secret, as BigCommerce does.
// The verification tests break one rule at a time, some by a claim's type
// (a text exp, an aud list), which bigcommercetest.Payload's typed fields
// cannot hold; so they sign map claims with golang-jwt.
func sign(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(clientSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// httptestPost serves a POST of target and returns its status.
func httptestPost(e *env, target string) int {
	w := httptest.NewRecorder()
	e.app.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader("")))
	return w.Code
}
