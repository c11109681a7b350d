package bcapp_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/golang-jwt/jwt/v5"
)

// countingLimiter is a shared RateLimiter that lets every request go and
// records which stores asked and which it was told to forget.
type countingLimiter struct {
	mu        sync.Mutex
	acquired  map[string]int
	forgotten []string
}

func newCountingLimiter() *countingLimiter { return &countingLimiter{acquired: map[string]int{}} }

func (l *countingLimiter) Acquire(_ context.Context, apiRoot string, _ time.Duration) (bigcommerce.Permit, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acquired[apiRoot]++
	return permit{}, nil
}

func (l *countingLimiter) Rate(string) bigcommerce.Rate { return bigcommerce.Rate{} }

func (l *countingLimiter) Forget(_ context.Context, apiRoot string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgotten = append(l.forgotten, apiRoot)
	return nil
}

func (l *countingLimiter) roots() (acquired map[string]int, forgotten []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	acquired = map[string]int{}
	for k, v := range l.acquired {
		acquired[k] = v
	}
	return acquired, slices.Clone(l.forgotten)
}

type permit struct{}

func (permit) Report(int, http.Header) {}
func (permit) Release()                {}

// hookLog records the hooks' calls.
type hookLog struct {
	mu    sync.Mutex
	calls []string
}

func (h *hookLog) add(name string, c *bcapp.Claims) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, name+":"+c.StoreHash)
	return nil
}

func (h *hookLog) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

func (h *hookLog) config(c *bcapp.Config) {
	c.OnLoad = func(_ context.Context, cl *bcapp.Claims) error { return h.add("load", cl) }
	c.OnUninstall = func(_ context.Context, cl *bcapp.Claims) error { return h.add("uninstall", cl) }
	c.OnRemoveUser = func(_ context.Context, cl *bcapp.Claims) error { return h.add("remove_user", cl) }
	c.OnInstall = func(_ context.Context, in bcapp.InstallInfo) error {
		return h.add("install", &bcapp.Claims{StoreHash: in.StoreHash})
	}
}

// TestLoadRedirectsToTheAppWithASession: a verified load of an installed
// store runs the hook and sends the user to AppURL with a session for the
// store and the user the payload names.
func TestLoadRedirectsToTheAppWithASession(t *testing.T) {
	t.Parallel()
	hooks := &hookLog{}
	e := newEnv(t, hooks.config, func(c *bcapp.Config) { c.AppURL = "/app?tab=groups" })
	e.install(t, "abc123")
	w := e.callback(t, "/load", claims("abc123"))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || loc.Path != "/app" || loc.Query().Get("tab") != "groups" {
		t.Fatalf("redirect to %q, want /app?tab=groups&...", w.Header().Get("Location"))
	}
	s, err := e.app.VerifySession(loc.Query().Get(bcapp.SessionParam))
	if err != nil || s.StoreHash != "abc123" || s.User != (bcapp.User{ID: 9128, Email: "user@example.com"}) {
		t.Errorf("session %v, %v; want one for abc123 and user 9128", s, err)
	}
	if got := hooks.list(); !slices.Equal(got, []string{"install:abc123", "load:abc123"}) {
		t.Errorf("hooks ran %v", got)
	}
}

// TestLoadRefusesAStoreWithoutTheApp: a store that never installed the
// app, or uninstalled it, gets a 4xx and no hook runs.
func TestLoadRefusesAStoreWithoutTheApp(t *testing.T) {
	t.Parallel()
	hooks := &hookLog{}
	e := newEnv(t, hooks.config)
	if w := e.callback(t, "/load", claims("never1")); w.Code != http.StatusNotFound {
		t.Errorf("a store never installed: status %d, want 404", w.Code)
	}
	e.install(t, "abc123")
	if w := e.callback(t, "/uninstall", claims("abc123")); w.Code != http.StatusNoContent {
		t.Fatalf("uninstall: %d", w.Code)
	}
	if w := e.callback(t, "/load", with(claims("abc123"), "jti", "2")); w.Code != http.StatusNotFound {
		t.Errorf("an uninstalled store: status %d, want 404", w.Code)
	}
	if got := hooks.list(); !slices.Equal(got, []string{"install:abc123", "uninstall:abc123"}) {
		t.Errorf("hooks ran %v; want no load hook", got)
	}
}

// TestUninstallCleansUpAndCanBeRepeated: the token is deleted, the pooled
// client dropped, the shared limiter told to forget the store by the API
// root its clients use, the hook run, and a second uninstall answers 204
// too.
func TestUninstallCleansUpAndCanBeRepeated(t *testing.T) {
	t.Parallel()
	hooks := &hookLog{}
	limiter := newCountingLimiter()
	e := newEnv(t, hooks.config, func(c *bcapp.Config) { c.RateLimiter = limiter })
	e.install(t, "abc123")
	e.install(t, "kept42")
	if err := e.count(t, "abc123"); err != nil {
		t.Fatal(err)
	}
	c, _ := e.app.Client(context.Background(), "abc123")
	root := c.BaseURL()
	for i := range 2 {
		if w := e.callback(t, "/uninstall", claims("abc123")); w.Code != http.StatusNoContent {
			t.Fatalf("uninstall number %d: status %d, want 204", i+1, w.Code)
		}
	}
	if _, err := e.store.Load(context.Background(), "abc123"); !errors.Is(err, bcapp.ErrNotInstalled) {
		t.Errorf("the token is still saved: %v", err)
	}
	if _, err := e.app.Client(context.Background(), "abc123"); !errors.Is(err, bcapp.ErrNotInstalled) {
		t.Errorf("Client after the uninstall: %v, want ErrNotInstalled", err)
	}
	acquired, forgotten := limiter.roots()
	if acquired[root] == 0 || len(forgotten) == 0 || forgotten[0] != root {
		t.Errorf("the limiter paced %v and forgot %v; want the store's root %s forgotten", acquired, forgotten, root)
	}
	if _, err := e.app.Client(context.Background(), "kept42"); err != nil {
		t.Errorf("another store after the uninstall: %v", err)
	}
	if got := hooks.list(); !slices.Equal(got, []string{"install:abc123", "install:kept42", "uninstall:abc123", "uninstall:abc123"}) {
		t.Errorf("hooks ran %v", got)
	}
}

// TestRemoveUserRunsTheHook: a verified remove_user runs the hook with
// the user removed and answers 204.
func TestRemoveUserRunsTheHook(t *testing.T) {
	t.Parallel()
	var got *bcapp.Claims
	e := newEnv(t, func(c *bcapp.Config) {
		c.OnRemoveUser = func(_ context.Context, cl *bcapp.Claims) error { got = cl; return nil }
	})
	w := e.callback(t, "/remove_user", with(claims("abc123"), "user", map[string]any{"id": 55, "email": "gone@example.com"}))
	if w.Code != http.StatusNoContent {
		t.Fatalf("status %d", w.Code)
	}
	if got == nil || got.StoreHash != "abc123" || got.User.ID != 55 {
		t.Errorf("the hook got %+v", got)
	}
}

// TestABadPayloadGets401AndRunsNoHook: on every callback, a missing,
// forged or expired payload is answered 401, no hook runs, and the
// store's install is untouched.
func TestABadPayloadGets401AndRunsNoHook(t *testing.T) {
	t.Parallel()
	hooks := &hookLog{}
	e := newEnv(t, hooks.config)
	e.install(t, "abc123")
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims("abc123")).SignedString([]byte("not-the-secret"))
	if err != nil {
		t.Fatal(err)
	}
	expired := sign(t, with(claims("abc123"), "exp", now.Add(-time.Hour).Unix()))
	for _, path := range []string{"/load", "/uninstall", "/remove_user"} {
		for name, q := range map[string]string{"missing": "", "forged": forged, "expired": expired} {
			target := path
			if q != "" {
				target += "?signed_payload_jwt=" + q
			}
			if w := e.get(target); w.Code != http.StatusUnauthorized {
				t.Errorf("%s with a %s payload: status %d, want 401", path, name, w.Code)
			}
		}
	}
	if got := hooks.list(); !slices.Equal(got, []string{"install:abc123"}) {
		t.Errorf("hooks ran %v; want none after the install", got)
	}
	if _, err := e.store.Load(context.Background(), "abc123"); err != nil {
		t.Errorf("a refused uninstall deleted the token: %v", err)
	}
}

// TestCallbackHookFailureAnswers500: a hook's error is a 500, and for an
// uninstall the token is gone all the same.
func TestCallbackHookFailureAnswers500(t *testing.T) {
	t.Parallel()
	fail := func(context.Context, *bcapp.Claims) error { return errors.New("hook down") }
	e := newEnv(t, func(c *bcapp.Config) { c.OnLoad, c.OnUninstall, c.OnRemoveUser = fail, fail, fail })
	e.install(t, "abc123")
	for _, path := range []string{"/load", "/remove_user", "/uninstall"} {
		if w := e.callback(t, path, claims("abc123")); w.Code != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", path, w.Code)
		}
	}
	if _, err := e.store.Load(context.Background(), "abc123"); !errors.Is(err, bcapp.ErrNotInstalled) {
		t.Errorf("the token outlived the uninstall: %v", err)
	}
}

// TestHandlerPagesAreSafeInTheControlPanel: every answer may be framed by
// the control panel only, leaks no URL by Referer, is not cached, and
// only GET is served.
func TestHandlerPagesAreSafeInTheControlPanel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bcapp.Config) { c.FrameAncestors = "https://*.mybigcommerce.com" })
	e.install(t, "abc123")
	for _, target := range []string{"/load?signed_payload_jwt=" + sign(t, claims("abc123")), "/load", "/auth", "/nowhere"} {
		w := e.get(target)
		h := w.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://*.mybigcommerce.com") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", target, csp)
		}
		if h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", target, h)
		}
	}
	w := httptestPost(e, "/uninstall")
	if w != http.StatusMethodNotAllowed {
		t.Errorf("POST /uninstall: status %d, want 405", w)
	}
}
