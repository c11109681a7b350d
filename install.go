package bigcommerce

import (
	"context"
	"math"
	"strings"

	"golang.org/x/oauth2"
)

// TokenURL is BigCommerce's endpoint for exchanging an app's install code.
const TokenURL = "https://login.bigcommerce.com/oauth2/token"

// OAuthConfig returns the oauth2 configuration of a BigCommerce app, for
// the install flow: BigCommerce sends the merchant to redirectURL with
// code, scope and context parameters, and the app exchanges them with
// ExchangeInstallCode. The token endpoint takes the client credentials in
// the request body.
func OAuthConfig(clientID, clientSecret, redirectURL string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			TokenURL:  TokenURL,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// ExchangeInstallCode trades the code, scope and context that BigCommerce
// passed to the app's install callback for an access token. The store hash
// is then StoreHashFromToken(token).
func ExchangeInstallCode(ctx context.Context, cfg *oauth2.Config, code, scope, storeContext string) (*oauth2.Token, error) {
	if code == "" {
		return nil, invalidf("code", "must not be empty")
	}
	if _, err := hashFromContext(storeContext); err != nil {
		return nil, err
	}
	return cfg.Exchange(ctx, code,
		oauth2.SetAuthURLParam("scope", scope),
		oauth2.SetAuthURLParam("context", storeContext))
}

// StoreHashFromToken reads the store hash from the "context" field
// ("stores/{hash}") of the install token response.
func StoreHashFromToken(tok *oauth2.Token) (string, error) {
	if tok == nil {
		return "", invalidf("token", "must not be nil")
	}
	c, _ := tok.Extra("context").(string)
	if c == "" {
		return "", invalidf("token", `the token response has no "context" field of the form "stores/{hash}"`)
	}
	return hashFromContext(c)
}

func hashFromContext(c string) (string, error) {
	hash, ok := strings.CutPrefix(c, "stores/")
	if !ok {
		return "", invalidf("context", `must be of the form "stores/{hash}", got %q`, c)
	}
	if err := validateStoreHash(hash); err != nil {
		return "", err
	}
	return hash, nil
}

// InstallUser is a user as the install's token answer names it: the
// merchant user who installed the app ("user") or the store's owner
// ("owner").
type InstallUser struct {
	ID       int
	Username string
	Email    string
}

// InstallUsers reads the "user" and "owner" objects of the install token
// answer, which oauth2 hands back untyped. Each must carry a whole, positive
// "id"; username and email are read when they are strings.
func InstallUsers(tok *oauth2.Token) (user, owner InstallUser, err error) {
	if tok == nil {
		return user, owner, invalidf("token", "must not be nil")
	}
	if user, err = installUser(tok, "user"); err != nil {
		return user, owner, err
	}
	owner, err = installUser(tok, "owner")
	return user, owner, err
}

func installUser(tok *oauth2.Token, field string) (InstallUser, error) {
	m, _ := tok.Extra(field).(map[string]any)
	if m == nil {
		return InstallUser{}, invalidf("token", "the token response has no %q object", field)
	}
	id, _ := m["id"].(float64)
	if id < 1 || id != math.Trunc(id) || id > math.MaxInt32 {
		return InstallUser{}, invalidf("token", "the token response's %q has no whole, positive id", field)
	}
	u := InstallUser{ID: int(id)}
	u.Username, _ = m["username"].(string)
	u.Email, _ = m["email"].(string)
	return u, nil
}
