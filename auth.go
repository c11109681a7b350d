package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Authenticator chooses both the API root and the credential header,
// because BigCommerce's two schemes differ in both: OAuth tokens go to
// api.bigcommerce.com with X-Auth-Token, legacy API keys to the store's
// own domain with HTTP Basic.
type Authenticator interface {
	// BaseURL is the API root, without a trailing slash.
	BaseURL() string
	// Authenticate adds the credentials to a request.
	Authenticate(*http.Request) error
}

// OAuthAPIHost is the host of BigCommerce's OAuth API.
const OAuthAPIHost = "https://api.bigcommerce.com"

// TokenURL is BigCommerce's endpoint for exchanging an app's install code.
const TokenURL = "https://login.bigcommerce.com/oauth2/token"

// OAuth authenticates with an app's or API account's access token, sent in
// the X-Auth-Token header (never as Authorization: Bearer, which the v2
// API does not read). Printing an OAuth value never shows the token.
type OAuth struct {
	// StoreHash identifies the store, e.g. "abc123".
	StoreHash string
	// ClientID is sent as X-Auth-Client when set. BigCommerce no longer
	// needs it, but it does no harm.
	ClientID string
	// TokenSource yields the access token. BigCommerce tokens do not
	// expire with time, so a static source is the common case.
	TokenSource oauth2.TokenSource
}

// NewOAuth returns an OAuth authenticator for a store and an access token.
func NewOAuth(storeHash, accessToken string) *OAuth {
	return &OAuth{StoreHash: storeHash, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken})}
}

// BaseURL returns https://api.bigcommerce.com/stores/{store_hash}/v2.
func (a *OAuth) BaseURL() string {
	return OAuthAPIHost + "/stores/" + a.StoreHash + "/v2"
}

// Authenticate sets X-Auth-Token, and X-Auth-Client when ClientID is set.
func (a *OAuth) Authenticate(r *http.Request) error {
	if a.TokenSource == nil {
		return invalidf("OAuth.TokenSource", "is required")
	}
	tok, err := a.TokenSource.Token()
	if err != nil {
		// The token source's own message may quote a token endpoint's
		// answer; keep only its type so that nothing secret is echoed.
		return fmt.Errorf("bigcommerce: getting the access token failed (%T)", err)
	}
	if tok == nil || tok.AccessToken == "" {
		return invalidf("OAuth access token", "must not be empty")
	}
	r.Header.Set("X-Auth-Token", tok.AccessToken)
	if a.ClientID != "" {
		r.Header.Set("X-Auth-Client", a.ClientID)
	}
	return nil
}

// Validate checks the store hash and the token source before anything is
// sent; NewClient calls it.
func (a *OAuth) Validate() error {
	if err := validateStoreHash(a.StoreHash); err != nil {
		return err
	}
	if a.TokenSource == nil {
		return invalidf("OAuth.TokenSource", "is required (use NewOAuth for a static token)")
	}
	return nil
}

// String hides the token. Like Format and LogValue it has a value
// receiver, so an OAuth value, not only a pointer, prints safely.
func (a OAuth) String() string {
	return fmt.Sprintf("bigcommerce.OAuth{StoreHash: %q, ClientID: %q, TokenSource: (redacted)}", a.StoreHash, a.ClientID)
}

// Format makes every fmt verb, %#v and %+v included, print String.
func (a OAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue keeps the token out of slog records.
func (a OAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store_hash", a.StoreHash), slog.String("client_id", a.ClientID))
}

// BasicAuth authenticates with a legacy API account's username and API key
// against the store's own domain. BigCommerce stopped creating such
// accounts in 2018; existing ones still work. Printing a BasicAuth value
// never shows the key.
type BasicAuth struct {
	// StoreURL is the store's address, e.g.
	// "https://store-abc123.mybigcommerce.com".
	StoreURL string
	Username string
	APIKey   string
}

// BaseURL returns {StoreURL}/api/v2.
func (a *BasicAuth) BaseURL() string {
	return strings.TrimRight(a.StoreURL, "/") + "/api/v2"
}

// Authenticate sets HTTP Basic credentials.
func (a *BasicAuth) Authenticate(r *http.Request) error {
	r.SetBasicAuth(a.Username, a.APIKey)
	return nil
}

// Validate checks the store URL and that both credentials are present.
func (a *BasicAuth) Validate() error {
	u, err := url.Parse(a.StoreURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return invalidf("BasicAuth.StoreURL", "must be an absolute URL such as https://store-abc123.mybigcommerce.com, got %q", sanitizeURL(a.StoreURL))
	}
	if u.User != nil {
		return invalidf("BasicAuth.StoreURL", "must not carry credentials; set Username and APIKey instead")
	}
	if a.Username == "" {
		return invalidf("BasicAuth.Username", "must not be empty")
	}
	if a.APIKey == "" {
		return invalidf("BasicAuth.APIKey", "must not be empty")
	}
	return nil
}

// String hides the API key. Like Format and LogValue it has a value
// receiver, so a BasicAuth value, not only a pointer, prints safely.
func (a BasicAuth) String() string {
	return fmt.Sprintf("bigcommerce.BasicAuth{StoreURL: %q, Username: %q, APIKey: (redacted)}", sanitizeURL(a.StoreURL), a.Username)
}

// Format makes every fmt verb print String.
func (a BasicAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue keeps the key out of slog records.
func (a BasicAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store_url", sanitizeURL(a.StoreURL)), slog.String("username", a.Username))
}

// validateStoreHash accepts what BigCommerce issues: short lowercase
// letters and digits. No format is published, so the rule is only strict
// enough to catch a URL, a path or a typo pasted in by mistake.
func validateStoreHash(h string) error {
	if h == "" {
		return invalidf("store hash", "must not be empty")
	}
	if len(h) > 64 {
		return invalidf("store hash", "must be at most 64 characters, got %d", len(h))
	}
	for _, r := range h {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return invalidf("store hash", "must be lowercase letters and digits (like \"abc123\"), got %q", h)
		}
	}
	return nil
}

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
		return "", errors.Join(ErrInvalidRequest, errors.New(`bigcommerce: the token response has no "context" field of the form "stores/{hash}"`))
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
