package bigcommercetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// LoadURL returns the URL the control panel puts in its frame when the
// store's owner opens the app: the app's load callback with a fresh
// signed_payload_jwt, broken by each of flaws, for negative tests.
func (p *Platform) LoadURL(clientID, storeHash string, flaws ...Flaw) (string, error) {
	pl, err := p.NewPayload(clientID, storeHash)
	if err != nil {
		return "", err
	}
	return p.callbackURL(clientID, "load", pl, flaws...)
}

// Uninstall uninstalls the app from the store, as BigCommerce does when
// the owner clicks Uninstall: the app's token is revoked at once, so the
// store's API answers it 401 from then on, and then the platform calls the
// app's uninstall callback, server to server, with a fresh signed payload.
// It returns a *CallbackError when the callback answers other than 2xx.
// The callback is called even when the app was not installed, as a
// repeated delivery would be, so that a test can check that the app
// answers it 2xx again; an app without an uninstall callback is not
// called.
func (p *Platform) Uninstall(ctx context.Context, clientID, storeHash string) error {
	pl, err := p.NewPayload(clientID, storeHash)
	if err != nil {
		return err
	}
	srv, _ := p.Store(storeHash)
	srv.revokeToken(clientID)
	return p.call(ctx, clientID, "uninstall", pl)
}

// RemoveUser tells the app that the store's owner took user's access away,
// as BigCommerce does: the platform calls the app's remove-user callback,
// server to server, with a payload whose user is user. It returns a
// *CallbackError when the callback answers other than 2xx; an app without
// a remove-user callback is not called.
func (p *Platform) RemoveUser(ctx context.Context, clientID, storeHash string, user User) error {
	pl, err := p.NewPayload(clientID, storeHash)
	if err != nil {
		return err
	}
	pl.User = user
	return p.call(ctx, clientID, "remove_user", pl)
}

// CallbackError is an app callback's answer other than 2xx.
type CallbackError struct {
	// Callback is "uninstall" or "remove_user".
	Callback string
	// StatusCode is the status the app answered.
	StatusCode int
}

// Error names the callback and the status, never the URL, whose query
// carries the signed payload.
func (e *CallbackError) Error() string {
	return fmt.Sprintf("bigcommercetest: the app's %s callback answered %d %s", e.Callback, e.StatusCode, http.StatusText(e.StatusCode))
}

// call makes a server-to-server callback; its errors leave the URL out,
// since its query carries the signed payload.
func (p *Platform) call(ctx context.Context, clientID, callback string, pl Payload) error {
	u, err := p.callbackURL(clientID, callback, pl)
	if err != nil || u == "" {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("bigcommercetest: the app's %s callback URL does not make a request", callback)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.cfg.client.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("bigcommercetest: calling the app's %s callback: %w", callback, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return &CallbackError{Callback: callback, StatusCode: resp.StatusCode}
	}
	return nil
}

// callbackURL is the app's callback with the signed payload in its query,
// or "" for a callback the app has none of, except load, which every app
// must have.
func (p *Platform) callbackURL(clientID, callback string, pl Payload, flaws ...Flaw) (string, error) {
	p.mu.Lock()
	app := p.apps[clientID]
	p.mu.Unlock()
	base := map[string]string{"load": app.LoadURL, "uninstall": app.UninstallURL, "remove_user": app.RemoveUserURL}[callback]
	if base == "" {
		if callback == "load" {
			return "", errors.New("bigcommercetest: the app has no LoadURL")
		}
		return "", nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("bigcommercetest: the app's %s callback URL does not parse", callback)
	}
	q := u.Query()
	q.Set("signed_payload_jwt", SignPayload(pl, app.ClientSecret, flaws...))
	u.RawQuery = q.Encode()
	return u.String(), nil
}
