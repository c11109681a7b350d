package bigcommerce

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

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

// Validator is implemented by an Authenticator that can check its
// credentials before anything is sent. NewClient calls Validate and
// refuses to build a Client when it fails, so that a blank or mangled
// credential is reported where it was given, not at the first call. OAuth
// and BasicAuth implement it; a custom Authenticator may.
type Validator interface {
	Validate() error
}

// OAuthAPIHost is the host of BigCommerce's OAuth API.
const OAuthAPIHost = "https://api.bigcommerce.com"

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

	// static is the token given to NewOAuth, so that Validate can check it
	// without asking the TokenSource, which may do I/O.
	static *string
}

// NewOAuth returns an OAuth authenticator for a store and an access token.
// NewClient checks the token (see OAuth.Validate).
func NewOAuth(storeHash, accessToken string) *OAuth {
	return &OAuth{
		StoreHash:   storeHash,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken}),
		static:      &accessToken,
	}
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
	if tok == nil {
		return invalidf("OAuth access token", "must not be empty")
	}
	if err := validateToken("OAuth access token", tok.AccessToken); err != nil {
		return err
	}
	r.Header.Set("X-Auth-Token", tok.AccessToken)
	if a.ClientID != "" {
		r.Header.Set("X-Auth-Client", a.ClientID)
	}
	return nil
}

// Validate checks the store hash, the client id and, for a token given to
// NewOAuth, the token: not empty, no spaces or control characters, and no
// "Bearer " in front. A token from another TokenSource is checked the same
// way each time it is used, before the request is sent.
func (a *OAuth) Validate() error {
	if err := validateStoreHash(a.StoreHash); err != nil {
		return err
	}
	if a.TokenSource == nil {
		return invalidf("OAuth.TokenSource", "is required (use NewOAuth for a static token)")
	}
	if a.ClientID != "" {
		if err := validateToken("OAuth.ClientID", a.ClientID); err != nil {
			return err
		}
	}
	if a.static != nil {
		return validateToken("OAuth access token", *a.static)
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
	if err := checkCredentialText("BasicAuth.Username", a.Username, false); err != nil {
		return err
	}
	return validateToken("BasicAuth.APIKey", a.APIKey)
}

// validateToken checks a token, key or client id as pasted from a file, an
// environment variable or a settings page: the store answers 401 to a
// token with a space in it, and a trailing newline makes net/http refuse
// the header with an error that reads like a network failure.
func validateToken(field, v string) error {
	if v == "" {
		return invalidf(field, "must not be empty")
	}
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return invalidf(field, `must be the token alone, without "Bearer " in front: BigCommerce reads it from X-Auth-Token`)
	}
	return checkCredentialText(field, v, true)
}

// checkCredentialText refuses control characters anywhere, and spaces
// anywhere when noSpace is set or at either end otherwise.
func checkCredentialText(field, v string, noSpace bool) error {
	for i, r := range v {
		switch {
		case r == '\n' || r == '\r':
			return invalidf(field, "contains a line break at byte %d; a trailing newline often comes from a file or an environment variable: trim it", i)
		case unicode.IsControl(r):
			return invalidf(field, "contains a control character at byte %d", i)
		case unicode.IsSpace(r) && (noSpace || i == 0 || i == len(v)-utf8.RuneLen(r)):
			return invalidf(field, "contains whitespace at byte %d; credentials have none: check what was pasted", i)
		}
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
