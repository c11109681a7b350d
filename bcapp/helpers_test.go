package bcapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
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

// tokenFor is the access token the login server issues for a store.
func tokenFor(hash string) string { return "TOKEN" + hash + "x7" }

// syncBuffer is a log sink shared by the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// env is an App against a login server and an API of its own, with its
// logs at debug level.
type env struct {
	app   *bcapp.App
	store bcapp.TokenStore
	login *loginServer
	api   *apiServer
	logs  *syncBuffer
}

func newEnv(t *testing.T, mutate ...func(*bcapp.Config)) *env {
	t.Helper()
	e := &env{store: bcapp.NewMemoryStore(), login: newLoginServer(t), api: newAPIServer(t), logs: &syncBuffer{}}
	cfg := bcapp.Config{
		ClientID:        clientID,
		ClientSecret:    clientSecret,
		AuthCallbackURL: "https://app.example.com/bc/auth",
		Tokens:          e.store,
		APIURL:          e.api.srv.URL,
		LoginURL:        e.login.srv.URL,
		Logger:          slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	app, err := bcapp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bcapp.SetClock(app, func() time.Time { return now })
	e.app = app
	return e
}

// get serves a GET of target by the app's Handler.
func (e *env) get(target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.app.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// install runs the install of a store through /auth and fails the test
// unless it redirects to the app.
func (e *env) install(t *testing.T, hash string) {
	t.Helper()
	code := e.login.grant(hash, tokenFor(hash))
	w := e.get("/auth?" + url.Values{"code": {code}, "scope": {"store_v2_customers"}, "context": {"stores/" + hash}}.Encode())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("install of %s: %d %s\nlogs:\n%s", hash, w.Code, w.Body, e.logs)
	}
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
func sign(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(clientSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// loginServer answers /oauth2/token for the codes it granted.
type loginServer struct {
	srv *httptest.Server
	mu  sync.Mutex
	// codes maps each code granted to its store and token.
	codes    map[string][2]string
	requests []url.Values
	// answer, when set, answers instead of the grant.
	answer http.HandlerFunc
}

func newLoginServer(t *testing.T) *loginServer {
	l := &loginServer{codes: map[string][2]string{}}
	l.srv = httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(l.srv.Close)
	return l
}

// grant makes a code for the store's install and returns it.
func (l *loginServer) grant(hash, token string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	code := fmt.Sprintf("CODE%dq", len(l.codes)+1)
	l.codes[code] = [2]string{hash, token}
	return code
}

func (l *loginServer) form(i int) url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i >= len(l.requests) {
		return nil
	}
	return l.requests[i]
}

func (l *loginServer) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	l.mu.Lock()
	l.requests = append(l.requests, r.PostForm)
	grant, ok := l.codes[r.PostForm.Get("code")]
	answer := l.answer
	l.mu.Unlock()
	if answer != nil {
		answer(w, r)
		return
	}
	if r.URL.Path != "/oauth2/token" || r.Method != http.MethodPost || !ok ||
		r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != clientSecret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": grant[1],
		"scope":        "store_v2_customers store_v2_information_read_only",
		"user":         map[string]any{"id": 24, "username": "ann", "email": "ann@example.com"},
		"owner":        map[string]any{"id": 7, "username": "olga", "email": "olga@example.com"},
		"context":      "stores/" + grant[0],
		"account_uuid": "acc-1",
	})
}

// apiServer answers GET /stores/{hash}/v2/customer_groups/count for the
// stores whose token it knows, and 401 to any other token.
type apiServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tokens map[string]string // store hash -> the token it accepts
	seen   map[string]int    // store hash -> requests
	agents map[string]string // store hash -> the last User-Agent
}

func newAPIServer(t *testing.T) *apiServer {
	a := &apiServer{tokens: map[string]string{}, seen: map[string]int{}, agents: map[string]string{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

// accept makes the store accept token, and only it.
func (a *apiServer) accept(hash, token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens[hash] = token
}

func (a *apiServer) requests(hash string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[hash]
}

func (a *apiServer) serve(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/stores/")
	hash, path, _ := strings.Cut(rest, "/")
	a.mu.Lock()
	a.seen[hash]++
	a.agents[hash] = r.UserAgent()
	want, ok := a.tokens[hash]
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok || r.Header.Get("X-Auth-Token") != want {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `[{"status":401,"message":"You are not authorized."}]`)
		return
	}
	if path != "v2/customer_groups/count" {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, `{"count": 3}`)
}

// httptestPost serves a POST of target and returns its status.
func httptestPost(e *env, target string) int {
	w := httptest.NewRecorder()
	e.app.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, strings.NewReader("")))
	return w.Code
}
