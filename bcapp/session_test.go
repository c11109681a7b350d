package bcapp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/golang-jwt/jwt/v5"
)

// page is an app page behind RequireSession that writes the session it
// got.
func page(e *env) http.Handler {
	return e.app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := bcapp.SessionFrom(r.Context())
		if !ok {
			http.Error(w, "no session in the context", http.StatusTeapot)
			return
		}
		fmt.Fprintf(w, "%s %d %s", s.StoreHash, s.User.ID, s.Token())
	}))
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// sessionFromLoad runs /load for the store and returns the session token
// it redirects with.
func sessionFromLoad(t *testing.T, e *env, hash string) string {
	t.Helper()
	w := e.callback(t, "/load", claims(hash))
	loc, err := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusSeeOther || err != nil {
		t.Fatalf("load: %d %s", w.Code, w.Body)
	}
	return loc.Query().Get(bcapp.SessionParam)
}

// TestRequireSessionServesTheLoadedStore: the token /load gives opens the
// app's pages, carried in the query, a bearer header or a posted form;
// the page reads the store and the user from the request's context, with
// the headers a framed page needs.
func TestRequireSessionServesTheLoadedStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.install(t, "abc123")
	tok := sessionFromLoad(t, e, "abc123")
	h := page(e)
	bearer := httptest.NewRequest(http.MethodGet, "/groups", nil)
	bearer.Header.Set("Authorization", "Bearer "+tok)
	form := httptest.NewRequest(http.MethodPost, "/groups", strings.NewReader(url.Values{bcapp.SessionParam: {tok}, "name": {"VIP"}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, r := range map[string]*http.Request{
		"query":  httptest.NewRequest(http.MethodGet, "/groups?"+bcapp.SessionParam+"="+tok, nil),
		"bearer": bearer,
		"form":   form,
	} {
		w := serve(h, r)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "abc123 9128 ") {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
		hd := w.Header()
		if hd.Get("Content-Security-Policy") != "frame-ancestors "+bcapp.DefaultFrameAncestors || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", name, hd)
		}
	}
}

// TestRequireSessionRefuses: no token, a forged or expired one, a
// BigCommerce payload, another app's session, or a store that uninstalled
// the app since: the page is not served.
func TestRequireSessionRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.install(t, "abc123")
	e.install(t, "gone99")
	other := newEnv(t, func(c *bcapp.Config) { c.ClientSecret = "anotherSECRET" })
	otherSession, err := other.app.NewSession("abc123", bcapp.User{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Another app whose secret is the same signs with the same key: only
	// the audience tells its sessions apart.
	sibling := newEnv(t, func(c *bcapp.Config) { c.ClientID = "sibling-client" })
	siblingSession, err := sibling.app.NewSession("abc123", bcapp.User{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	goneSession, err := e.app.NewSession("gone99", bcapp.User{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if w := e.callback(t, "/uninstall", claims("gone99")); w.Code != http.StatusNoContent {
		t.Fatal(w.Code)
	}
	stale, err := e.app.NewSession("abc123", bcapp.User{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	later := newEnv(t)
	later.install(t, "abc123")
	bcapp.SetClock(later.app, func() time.Time { return now.Add(bcapp.DefaultSessionTTL + bcapp.DefaultLeeway + time.Second) })
	for _, tt := range []struct {
		name, token string
		app         *env
		status      int
	}{
		{"no token", "", e, http.StatusUnauthorized},
		{"garbage", "abc.def.ghi", e, http.StatusUnauthorized},
		{"a BigCommerce payload", sign(t, claims("abc123")), e, http.StatusUnauthorized},
		{"another app's session", otherSession.Token(), e, http.StatusUnauthorized},
		{"a session of another client ID with the same secret", siblingSession.Token(), e, http.StatusUnauthorized},
		{"an expired session", stale.Token(), later, http.StatusUnauthorized},
		{"alg none", noneSession(t), e, http.StatusUnauthorized},
		{"a store that uninstalled", goneSession.Token(), e, http.StatusForbidden},
	} {
		r := httptest.NewRequest(http.MethodGet, "/groups?"+bcapp.SessionParam+"="+url.QueryEscape(tt.token), nil)
		w := serve(page(tt.app), r)
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, w.Code, tt.status, w.Body)
		}
		if tt.token != "" && strings.Contains(w.Body.String(), tt.token) {
			t.Errorf("%s: the page quotes the token", tt.name)
		}
	}
	if _, err := e.app.VerifySession(stale.Token()); err != nil {
		t.Errorf("a fresh session refused: %v", err)
	}
	if _, err := later.app.VerifySession(stale.Token()); !errors.Is(err, bcapp.ErrInvalidSession) {
		t.Errorf("an expired session: %v, want ErrInvalidSession", err)
	}
}

// noneSession is a session token with alg none.
func noneSession(t *testing.T) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"iss": "bcapp-session", "aud": clientID, "sub": "stores/abc123", "exp": now.Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRequireSessionRenewsAnAgingSession: past half its life, the page
// gets a fresh token, so that a merchant at work is not logged out.
func TestRequireSessionRenewsAnAgingSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.install(t, "abc123")
	s, err := e.app.NewSession("abc123", bcapp.User{ID: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got *bcapp.Session
	h := e.app.RequireSession(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got, _ = bcapp.SessionFrom(r.Context()) }))
	r := httptest.NewRequest(http.MethodGet, s.Link("/groups"), nil)
	serve(h, r)
	if got == nil || got.Token() != s.Token() {
		t.Fatalf("a fresh session was renewed or refused: %v", got)
	}
	bcapp.SetClock(e.app, func() time.Time { return now.Add(bcapp.DefaultSessionTTL/2 + time.Minute) })
	serve(h, r)
	if got.Token() == s.Token() || !got.ExpiresAt.After(s.ExpiresAt) {
		t.Errorf("a session past half its life kept its token (expires %s, was %s)", got.ExpiresAt, s.ExpiresAt)
	}
	if v, err := e.app.VerifySession(got.Token()); err != nil || v.StoreHash != "abc123" || v.User.ID != 3 {
		t.Errorf("the renewed token: %v, %v", v, err)
	}
}

// TestSessionLink adds the token to a path, with or without a query.
func TestSessionLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, err := e.app.NewSession("abc123", bcapp.User{ID: 3})
	if err != nil {
		t.Fatal(err)
	}
	for path, prefix := range map[string]string{"/groups": "/groups?", "/groups?page=2": "/groups?page=2&"} {
		if got := s.Link(path); got != prefix+bcapp.SessionParam+"="+s.Token() {
			t.Errorf("Link(%q) = %q", path, got)
		}
	}
	if _, err := e.app.NewSession("ABC", bcapp.User{}); err == nil {
		t.Error("NewSession took an invalid store hash")
	}
	if _, ok := bcapp.SessionFrom(context.Background()); ok {
		t.Error("SessionFrom found a session in a bare context")
	}
}
