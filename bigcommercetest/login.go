package bigcommercetest

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CodeLifetime is how long an install's code can be exchanged. BigCommerce
// does not publish its own; this is the most RFC 6749 recommends.
const CodeLifetime = 10 * time.Minute

// installCode is what an install's code stands for: one exchange, by one
// app, for one store, with one redirect_uri and scope, before it expires.
type installCode struct {
	clientID, storeHash, redirectURI, scope string
	expires                                 time.Time
	used                                    bool
}

// StartInstall begins an install of the app on the store, as the
// merchant's click on Install does, and returns the URL BigCommerce sends
// the merchant's browser to: the app's auth callback with code, scope and
// context ("stores/{hash}"). An empty scope stands for the app's own. The
// code can be exchanged once, by this app, with its auth callback URL as
// redirect_uri, within CodeLifetime by the platform's clock.
func (p *Platform) StartInstall(clientID, storeHash, scope string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	app, err := p.appLocked(clientID)
	if err != nil {
		return "", err
	}
	if _, err := p.storeLocked(storeHash); err != nil {
		return "", err
	}
	if scope == "" {
		scope = app.Scope
	}
	if strings.ContainsFunc(scope, isControl) {
		return "", fmt.Errorf("bigcommercetest: StartInstall: scope must have no control characters")
	}
	u, err := url.Parse(app.AuthCallbackURL)
	if err != nil {
		return "", fmt.Errorf("bigcommercetest: StartInstall: the app's AuthCallbackURL does not parse: %w", err)
	}
	code := randomString(32)
	p.codes[code] = &installCode{
		clientID:    clientID,
		storeHash:   storeHash,
		redirectURI: app.AuthCallbackURL,
		scope:       scope,
		expires:     p.cfg.clock().Add(CodeLifetime),
	}
	q := u.Query()
	q.Set("code", code)
	q.Set("scope", scope)
	q.Set("context", "stores/"+storeHash)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// tokenAnswer is the login server's answer to a good exchange.
type tokenAnswer struct {
	AccessToken string      `json:"access_token"`
	Scope       string      `json:"scope"`
	User        tokenPerson `json:"user"`
	Owner       tokenPerson `json:"owner"`
	Context     string      `json:"context"`
	AccountUUID string      `json:"account_uuid"`
}

type tokenPerson struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// oauthError is a refusal in the shape of RFC 6749's token errors, which
// is what BigCommerce's login server answers. Its description never holds
// what the app sent, which may be a secret.
type oauthError struct {
	status      int
	code        string
	description string
}

// serveToken answers POST /oauth2/token. Client authentication failures
// are 401 and the rest 400, as RFC 6749 section 5.2 allows.
func (p *Platform) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, &oauthError{405, "invalid_request", "The token endpoint takes a POST."})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		writeOAuthError(w, &oauthError{400, "invalid_request", "The body must be a form (application/x-www-form-urlencoded)."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{400, "invalid_request", "The form could not be read."})
		return
	}
	answer, oerr := p.exchange(r.PostForm)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, answer)
}

// exchange checks an exchange in the order a login server can: the
// client first, then the code, then what the code is bound to. A refused
// exchange leaves the code as it was.
func (p *Platform) exchange(f url.Values) (*tokenAnswer, *oauthError) {
	p.mu.Lock()
	defer p.mu.Unlock()
	app, ok := p.apps[f.Get("client_id")]
	if !ok {
		return nil, &oauthError{401, "invalid_client", "client_id is missing or names no registered app."}
	}
	if subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(app.ClientSecret)) != 1 {
		return nil, &oauthError{401, "invalid_client", "client_secret does not match the app's."}
	}
	if g := f.Get("grant_type"); g != "authorization_code" {
		return nil, &oauthError{400, "unsupported_grant_type", "grant_type must be authorization_code."}
	}
	if f.Get("code") == "" {
		return nil, &oauthError{400, "invalid_request", "code is required."}
	}
	c, ok := p.codes[f.Get("code")]
	switch {
	case !ok || c.clientID != app.ClientID:
		return nil, &oauthError{400, "invalid_grant", "The code is unknown, or was issued to another app."}
	case c.used:
		return nil, &oauthError{400, "invalid_grant", "The code was already exchanged: a code is good for one exchange."}
	case !p.cfg.clock().Before(c.expires):
		return nil, &oauthError{400, "invalid_grant", fmt.Sprintf("The code has expired: a code is good for %v.", CodeLifetime)}
	case f.Get("redirect_uri") != c.redirectURI:
		return nil, &oauthError{400, "redirect_uri_mismatch", "redirect_uri does not match the app's auth callback URL."}
	case f.Get("context") != "stores/"+c.storeHash:
		return nil, &oauthError{400, "invalid_grant", "context does not name the store the code was issued for."}
	case f.Get("scope") != c.scope:
		return nil, &oauthError{400, "invalid_scope", "scope differs from the scope the merchant approved."}
	}
	c.used = true
	st := p.stores[c.storeHash]
	owner := tokenPerson{ID: st.owner.ID, Username: st.owner.Username, Email: st.owner.Email}
	return &tokenAnswer{
		AccessToken: st.srv.issueToken(app.ClientID, c.scope),
		Scope:       c.scope,
		User:        owner,
		Owner:       owner,
		Context:     "stores/" + c.storeHash,
		AccountUUID: st.account,
	}, nil
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}
