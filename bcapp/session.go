package bcapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SessionParam is the query parameter, form field or bearer token that
// carries a session token to the app's pages.
//
// The app's pages are shown in an iframe of the BigCommerce control
// panel, on another site than the app's. Safari blocks third-party
// cookies in such frames, and Chrome and Firefox partition or block them,
// so a cookie set by the app may never come back. The session therefore
// travels in the URL: /load redirects to Config.AppURL with the token in
// this parameter, and the app's pages carry it on in their links and
// forms (Session.Link, or a hidden field named SessionParam), or in an
// Authorization: Bearer header from scripts. No cookie means no ambient
// authority either: a page of another site cannot make the browser send
// the session, so forms need no CSRF token beyond it. (A cookie of the
// app's own in the frame would need SameSite=None, Secure and, for the
// browsers that partition third-party cookies, Partitioned; Safari drops
// it all the same.)
//
// A token in a URL can leak through the Referer header, browser history
// and access logs; RequireSession sends Referrer-Policy: no-referrer and
// Cache-Control: no-store on the app's pages, tokens last Config.SessionTTL
// (an hour by default), and each names one store and one user only.
const SessionParam = "bcapp_session"

// DefaultSessionTTL is how long a session token lasts unless
// Config.SessionTTL says otherwise.
const DefaultSessionTTL = time.Hour

// sessionIssuer sets session tokens apart from BigCommerce's payloads,
// which are signed with another key anyway.
const sessionIssuer = "bcapp-session"

// Session is a verified session: the store and the user that the app's
// page serves. Printing a Session never shows its token.
type Session struct {
	StoreHash string
	User      User
	ExpiresAt time.Time
	token     string
}

// Token is the session token, for a page to carry on in its links, forms
// and requests. RequireSession renews it when half its life is spent, so
// pages should take it from the Session of each request.
func (s *Session) Token() string { return s.token }

// Link returns path with the session token added to its query, for links
// and form actions in the app's pages.
func (s *Session) Link(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + SessionParam + "=" + s.token
}

// String shows the session without its token.
func (s Session) String() string {
	return fmt.Sprintf("bcapp.Session{StoreHash: %q, User: %d, ExpiresAt: %s, Token: (redacted)}", s.StoreHash, s.User.ID, s.ExpiresAt.Format(time.RFC3339))
}

// Format makes every fmt verb print String.
func (s Session) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue keeps the token out of slog records.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store_hash", s.StoreHash), slog.Int("user_id", s.User.ID))
}

type sessionUser struct {
	ID       int    `json:"id"`
	Email    string `json:"email,omitempty"`
	Username string `json:"username,omitempty"`
}

type sessionClaims struct {
	jwt.RegisteredClaims
	User sessionUser `json:"user"`
}

// deriveSessionKey makes the key session tokens are signed with from the
// client secret, so that the app has no other secret to keep, a session
// token can never pass for a BigCommerce payload, and a new client secret
// ends every session.
func deriveSessionKey(clientSecret string) []byte {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte("bcapp session key v1"))
	return m.Sum(nil)
}

func newSessionParser(clientID string, leeway time.Duration, now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(sessionIssuer),
		jwt.WithAudience(clientID),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
	)
}

// NewSession signs a session token for a user of a store, as /load does
// after it verified the payload. Apps rarely need it; it serves an app
// that verifies payloads itself, and tests.
func (a *App) NewSession(storeHash string, user User) (*Session, error) {
	if !validStoreHash(storeHash) {
		return nil, fmt.Errorf("bcapp: NewSession: the store hash must be lowercase letters and digits, got %q", storeHash)
	}
	now := a.now()
	exp := now.Add(a.sessionTTL)
	claims := sessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    sessionIssuer,
			Audience:  jwt.ClaimStrings{a.clientID},
			Subject:   "stores/" + storeHash,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		User: sessionUser(user),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(a.sessionKey))
	if err != nil {
		return nil, fmt.Errorf("bcapp: signing a session: %w", err)
	}
	return &Session{StoreHash: storeHash, User: user, ExpiresAt: exp.Truncate(time.Second), token: tok}, nil
}

// VerifySession checks a session token that NewSession or /load signed.
// Its refusals match ErrInvalidSession and never quote the token.
func (a *App) VerifySession(token string) (*Session, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: no session token", ErrInvalidSession)
	}
	if len(token) > maxPayloadBytes {
		return nil, fmt.Errorf("%w: the session token is too long", ErrInvalidSession)
	}
	var sc sessionClaims
	if _, err := a.sessions.ParseWithClaims(token, &sc, a.sessionKeyFunc); err != nil {
		reason := "it was not signed by this app"
		if errors.Is(err, jwt.ErrTokenExpired) {
			reason = "it has expired"
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalidSession, reason)
	}
	hash, ok := strings.CutPrefix(sc.Subject, "stores/")
	if !ok || !validStoreHash(hash) {
		return nil, fmt.Errorf("%w: it names no store", ErrInvalidSession)
	}
	return &Session{
		StoreHash: hash,
		User:      User(sc.User),
		ExpiresAt: sc.ExpiresAt.Time,
		token:     token,
	}, nil
}

func (a *App) sessionKeyFunc(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, errors.New("unexpected algorithm")
	}
	return []byte(a.sessionKey), nil
}

type sessionContextKey struct{}

// SessionFrom returns the Session that RequireSession verified for the
// request whose context ctx is.
func SessionFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionContextKey{}).(*Session)
	return s, ok
}

// RequireSession serves next only to requests that carry a valid session
// token (see SessionParam) for a store that has the app installed, and
// puts the Session in the request's context for SessionFrom. Other
// requests get a plain page: 401 without a valid session, 403 when the
// store has uninstalled the app. A session past half its life is renewed:
// the Session's Token is then a fresh one.
//
// It sets the headers a page in the control panel's iframe needs:
// Content-Security-Policy: frame-ancestors with Config.FrameAncestors, so
// that only the control panel may frame the page; Referrer-Policy:
// no-referrer and Cache-Control: no-store, since the page's URL holds the
// token. A handler that sets its own Content-Security-Policy must keep a
// frame-ancestors directive in it.
func (a *App) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "frame-ancestors "+a.frameAncestors)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		s, err := a.VerifySession(sessionToken(r))
		if err != nil {
			a.log.LogAttrs(r.Context(), slog.LevelInfo, "bcapp: page refused", slog.String("path", r.URL.Path), slog.String("reason", err.Error()))
			a.page(w, http.StatusUnauthorized, "Your session has ended. Open the app again from the BigCommerce control panel.")
			return
		}
		if _, err := a.Client(r.Context(), s.StoreHash); err != nil {
			if errors.Is(err, ErrNotInstalled) {
				a.page(w, http.StatusForbidden, "This store no longer has the app installed.")
				return
			}
			a.log.LogAttrs(r.Context(), slog.LevelError, "bcapp: page refused: the store's client failed", slog.String("store_hash", s.StoreHash), slog.String("error", err.Error()))
			a.page(w, http.StatusInternalServerError, "The app could not open. Try again in a moment.")
			return
		}
		if s.ExpiresAt.Sub(a.now()) < a.sessionTTL/2 {
			if fresh, err := a.NewSession(s.StoreHash, s.User); err == nil {
				s = fresh
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionContextKey{}, s)))
	})
}

// sessionToken finds the token in the query, an Authorization: Bearer
// header, or a posted form, in that order.
func sessionToken(r *http.Request) string {
	if t := r.URL.Query().Get(SessionParam); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	if r.Method == http.MethodPost {
		return r.PostFormValue(SessionParam)
	}
	return ""
}
