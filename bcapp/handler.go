package bcapp

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"golang.org/x/oauth2"
)

// Handler serves BigCommerce's four callbacks at its root: GET /auth (the
// install), /load, /uninstall and /remove_user. Mount it with
// http.StripPrefix under the paths registered with BigCommerce.
//
//   - /auth exchanges the code, scope and context at the login server's
//     /oauth2/token, with AuthCallbackURL as redirect_uri, within
//     Config.ExchangeTimeout. It trusts the store named by the token
//     answer's context and refuses an answer naming another store than the
//     install link. It saves the token with the install's user, owner and
//     scope, drops the store's pooled client (a reinstall brings a new
//     token), runs OnInstall, and redirects the installer to AppURL with a
//     session, as /load does. A failed exchange saves nothing and shows a
//     plain page that repeats nothing the login server said.
//   - /load verifies the payload, checks that the store has the app
//     installed (404 otherwise), runs OnLoad and redirects (303) to AppURL
//     with a session token in SessionParam.
//   - /uninstall verifies the payload, deletes the token, drops the pooled
//     client, forgets the store's shared-quota state when the
//     RateLimiter can, runs OnUninstall and answers 204, every time it is
//     called.
//   - /remove_user verifies the payload, runs OnRemoveUser and answers 204.
//
// A missing or invalid payload gets 401, and no hook runs. Every page is
// plain HTML that quotes nothing from the request, sent with
// Content-Security-Policy (no resources; frame-ancestors
// Config.FrameAncestors), Referrer-Policy: no-referrer and Cache-Control:
// no-store.
func (a *App) Handler() http.Handler { return a.handler }

func (a *App) newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", a.serveAuth)
	mux.HandleFunc("GET /load", a.serveLoad)
	mux.HandleFunc("GET /uninstall", a.serveUninstall)
	mux.HandleFunc("GET /remove_user", a.serveRemoveUser)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors "+a.frameAncestors)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	})
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Status}}</title></head>
<body><p>{{.Message}}</p></body></html>
`))

// page answers with a plain page; message is always one of the package's
// own sentences.
func (a *App) page(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, struct {
		Status  string
		Message string
	}{http.StatusText(status), message})
}

func (a *App) serveAuth(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	code, scope, storeContext := q.Get("code"), q.Get("scope"), q.Get("context")
	queryHash, ok := strings.CutPrefix(storeContext, "stores/")
	if code == "" || !ok || !validStoreHash(queryHash) {
		a.log.LogAttrs(ctx, slog.LevelInfo, "bcapp: install refused: the link lacks a code or a context of the form stores/{hash}")
		a.page(w, http.StatusBadRequest, "This install link is incomplete. Install the app again from the BigCommerce control panel.")
		return
	}
	in, err := a.exchange(ctx, code, scope, storeContext, queryHash)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "bcapp: install failed: the code exchange did not give a usable token; nothing was saved",
			slog.String("store_hash", queryHash), slog.String("reason", err.Error()))
		a.page(w, http.StatusBadGateway, "BigCommerce did not complete the install. Install the app again from the BigCommerce control panel.")
		return
	}
	if err := a.tokens.Save(ctx, in); err != nil {
		a.log.LogAttrs(ctx, slog.LevelError, "bcapp: install failed: saving the token", slog.String("store_hash", in.StoreHash), slog.String("error", err.Error()))
		a.page(w, http.StatusInternalServerError, "The app could not save the install. Try again in a moment.")
		return
	}
	a.drop(in.StoreHash)
	a.log.LogAttrs(ctx, slog.LevelInfo, "bcapp: installed", slog.String("store_hash", in.StoreHash),
		slog.Int("user_id", in.User.ID), slog.String("scope", in.Scope))
	if a.hooks.install != nil {
		if err := a.hooks.install(ctx, in.InstallInfo); err != nil {
			a.hookFailed(w, r, "install", in.StoreHash, err)
			return
		}
	}
	a.redirectWithSession(w, r, in.StoreHash, in.User)
}

// exchange trades the install code for the store's token and checks the
// answer. Its errors say what was wrong in the package's own words, never
// in the login server's, which may quote what was sent.
func (a *App) exchange(ctx context.Context, code, scope, storeContext, queryHash string) (Install, error) {
	ctx, cancel := context.WithTimeout(ctx, a.exchangeTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, a.loginHTTP)
	tok, err := bigcommerce.ExchangeInstallCode(ctx, a.oauth, code, scope, storeContext)
	if err != nil {
		return Install{}, exchangeFailure(ctx, err)
	}
	hash, err := bigcommerce.StoreHashFromToken(tok)
	if err != nil {
		return Install{}, errors.New(`the token answer has no context of the form "stores/{hash}"`)
	}
	if hash != queryHash {
		return Install{}, fmt.Errorf("the token answer is for store %q, not the store of the install link", hash)
	}
	user, owner, err := bigcommerce.InstallUsers(tok)
	if err != nil {
		return Install{}, errors.New("the token answer lacks a valid user or owner")
	}
	if err := bigcommerce.NewOAuth(hash, tok.AccessToken).Validate(); err != nil {
		return Install{}, errors.New("the token answer's access token is malformed (empty, or with spaces or control characters)")
	}
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		scope = s
	}
	return Install{
		InstallInfo: InstallInfo{
			StoreHash:   hash,
			Scope:       scope,
			User:        User{ID: user.ID, Email: user.Email, Username: user.Username},
			Owner:       User{ID: owner.ID, Email: owner.Email, Username: owner.Username},
			InstalledAt: a.now(),
		},
		AccessToken: tok.AccessToken,
	}, nil
}

// oauthErrorCode is the shape of an OAuth error code (RFC 6749 allows
// printable ASCII; the codes in use are words with underscores).
var oauthErrorCode = regexp.MustCompile(`^[a-z_]{1,40}$`)

// exchangeFailure says why the exchange failed: the login server's status
// and OAuth error code, a timeout, or a transport failure. It keeps
// nothing the server wrote in free text, nor its body.
func exchangeFailure(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	var ue *url.Error
	var ve *bigcommerce.ValidationError
	switch {
	case errors.As(err, &re) && re.Response != nil:
		msg := fmt.Sprintf("the login server answered %d", re.Response.StatusCode)
		if oauthErrorCode.MatchString(re.ErrorCode) {
			msg += " (" + re.ErrorCode + ")"
		}
		return errors.New(msg)
	case ctx.Err() != nil:
		return errors.New("the login server did not answer within the exchange timeout")
	case errors.As(err, &ue):
		return fmt.Errorf("the login server could not be reached (%T)", ue.Err)
	case errors.As(err, &ve):
		return errors.New(ve.Field + " " + ve.Rule)
	}
	return fmt.Errorf("the token answer could not be read (%T)", err)
}

func (a *App) serveLoad(w http.ResponseWriter, r *http.Request) {
	c, ok := a.verifyRequest(w, r, "load")
	if !ok {
		return
	}
	ctx := r.Context()
	if _, err := a.Client(ctx, c.StoreHash); err != nil {
		if errors.Is(err, ErrNotInstalled) {
			a.log.LogAttrs(ctx, slog.LevelInfo, "bcapp: load refused: the store has not installed the app", slog.String("store_hash", c.StoreHash))
			a.page(w, http.StatusNotFound, "This store does not have the app installed. Install it from the BigCommerce control panel.")
			return
		}
		a.log.LogAttrs(ctx, slog.LevelError, "bcapp: load failed: the store's client", slog.String("store_hash", c.StoreHash), slog.String("error", err.Error()))
		a.page(w, http.StatusInternalServerError, "The app could not open. Try again in a moment.")
		return
	}
	if a.hooks.load != nil {
		if err := a.hooks.load(ctx, c); err != nil {
			a.hookFailed(w, r, "load", c.StoreHash, err)
			return
		}
	}
	a.redirectWithSession(w, r, c.StoreHash, c.User)
}

func (a *App) serveUninstall(w http.ResponseWriter, r *http.Request) {
	c, ok := a.verifyRequest(w, r, "uninstall")
	if !ok {
		return
	}
	ctx := r.Context()
	if err := a.tokens.Delete(ctx, c.StoreHash); err != nil {
		a.log.LogAttrs(ctx, slog.LevelError, "bcapp: uninstall failed: deleting the token", slog.String("store_hash", c.StoreHash), slog.String("error", err.Error()))
		a.page(w, http.StatusInternalServerError, "The app could not finish the uninstall.")
		return
	}
	a.drop(c.StoreHash)
	if a.forgetter != nil {
		if err := a.forgetter.Forget(ctx, a.apiRoot(c.StoreHash)); err != nil {
			// The shared-quota state expires on its own; a failure here
			// costs memory for a while, not correctness.
			a.log.LogAttrs(ctx, slog.LevelWarn, "bcapp: uninstall: forgetting the store's shared-quota state failed; it will expire",
				slog.String("store_hash", c.StoreHash), slog.String("error", err.Error()))
		}
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "bcapp: uninstalled", slog.String("store_hash", c.StoreHash), slog.Int("user_id", c.User.ID))
	if a.hooks.uninstall != nil {
		if err := a.hooks.uninstall(ctx, c); err != nil {
			a.hookFailed(w, r, "uninstall", c.StoreHash, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) serveRemoveUser(w http.ResponseWriter, r *http.Request) {
	c, ok := a.verifyRequest(w, r, "remove_user")
	if !ok {
		return
	}
	if a.hooks.rmUser != nil {
		if err := a.hooks.rmUser(r.Context(), c); err != nil {
			a.hookFailed(w, r, "remove_user", c.StoreHash, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// verifyRequest verifies the request's signed_payload_jwt, or answers 401.
func (a *App) verifyRequest(w http.ResponseWriter, r *http.Request, callback string) (*Claims, bool) {
	c, err := a.Verify(r.URL.Query().Get("signed_payload_jwt"))
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelWarn, "bcapp: callback refused", slog.String("callback", callback), slog.String("reason", err.Error()))
		a.page(w, http.StatusUnauthorized, "This request was not signed by BigCommerce for this app.")
		return nil, false
	}
	return c, true
}

func (a *App) hookFailed(w http.ResponseWriter, r *http.Request, callback, storeHash string, err error) {
	a.log.LogAttrs(r.Context(), slog.LevelError, "bcapp: the app's hook failed", slog.String("callback", callback),
		slog.String("store_hash", storeHash), slog.String("error", err.Error()))
	a.page(w, http.StatusInternalServerError, "The app could not finish. Try again in a moment.")
}

// redirectWithSession sends the user to AppURL with a session for the
// store.
func (a *App) redirectWithSession(w http.ResponseWriter, r *http.Request, storeHash string, user User) {
	s, err := a.NewSession(storeHash, user)
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelError, "bcapp: signing a session failed", slog.String("error", err.Error()))
		a.page(w, http.StatusInternalServerError, "The app could not open. Try again in a moment.")
		return
	}
	http.Redirect(w, r, s.Link(a.appURL), http.StatusSeeOther)
}
