package bigcommercetest

import (
	"fmt"
	"net/url"
	"strings"
)

// App is an app registered with a Platform, as in BigCommerce's developer
// portal: its credentials, its callbacks and the scope it asks for.
type App struct {
	// Name is what the control panel shows; "App" when empty.
	Name string
	// ClientID and ClientSecret are the app's credentials, random when
	// empty. String and Format print the secret as redacted.
	ClientID, ClientSecret string
	// AuthCallbackURL is the redirect URI, where the merchant's browser is
	// sent with an install's code; the login server accepts no other
	// redirect_uri. It is required.
	AuthCallbackURL string
	// LoadURL, UninstallURL and RemoveUserURL are the callbacks that get a
	// signed payload; each may be empty, as BigCommerce requires only the
	// auth and load callbacks.
	LoadURL, UninstallURL, RemoveUserURL string
	// Scope is the scope the merchant approves at install, space
	// separated; "store_v2_customers" when empty.
	Scope string
}

// String describes the app with its secret redacted, so that a test log
// never shows it.
func (a App) String() string {
	return fmt.Sprintf("bigcommercetest.App{Name: %q, ClientID: %q, ClientSecret: (redacted), AuthCallbackURL: %q, LoadURL: %q, UninstallURL: %q, RemoveUserURL: %q, Scope: %q}",
		a.Name, a.ClientID, a.AuthCallbackURL, a.LoadURL, a.UninstallURL, a.RemoveUserURL, a.Scope)
}

// Format prints String for every verb, %#v and %+v included.
func (a App) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// WithCallbacksAt returns a copy of a whose four callbacks are under base,
// as most apps lay them out: base+"/auth", "/load", "/uninstall" and
// "/remove_user".
func (a App) WithCallbacksAt(base string) App {
	base = strings.TrimSuffix(base, "/")
	a.AuthCallbackURL = base + "/auth"
	a.LoadURL = base + "/load"
	a.UninstallURL = base + "/uninstall"
	a.RemoveUserURL = base + "/remove_user"
	return a
}

// RegisterApp registers app and returns it with its defaults filled in:
// the random credentials, the name and the scope. The callbacks must be
// absolute http or https URLs, and the client ID must not be taken.
func (p *Platform) RegisterApp(app App) (App, error) {
	if app.Name == "" {
		app.Name = "App"
	}
	if app.ClientID == "" {
		app.ClientID = randomString(31)
	}
	if app.ClientSecret == "" {
		app.ClientSecret = randomString(51)
	}
	if app.Scope == "" {
		app.Scope = scopeCustomers
	}
	if err := checkApp(app); err != nil {
		return App{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, taken := p.apps[app.ClientID]; taken {
		return App{}, fmt.Errorf("bigcommercetest: RegisterApp: ClientID %q is taken by another app", app.ClientID)
	}
	p.apps[app.ClientID] = app
	p.appOrder = append(p.appOrder, app.ClientID)
	return app, nil
}

// Apps returns the registered apps, in the order they were registered.
func (p *Platform) Apps() []App {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]App, len(p.appOrder))
	for i, id := range p.appOrder {
		out[i] = p.apps[id]
	}
	return out
}

func checkApp(app App) error {
	if err := checkCredential("ClientID", app.ClientID); err != nil {
		return err
	}
	if err := checkCredential("ClientSecret", app.ClientSecret); err != nil {
		return err
	}
	if app.AuthCallbackURL == "" {
		return fmt.Errorf("bigcommercetest: RegisterApp: AuthCallbackURL is required: it is where an install sends the merchant")
	}
	for _, u := range []struct{ field, value string }{
		{"AuthCallbackURL", app.AuthCallbackURL},
		{"LoadURL", app.LoadURL},
		{"UninstallURL", app.UninstallURL},
		{"RemoveUserURL", app.RemoveUserURL},
	} {
		if u.value == "" {
			continue
		}
		parsed, err := url.Parse(u.value)
		if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			return fmt.Errorf("bigcommercetest: RegisterApp: %s must be an absolute http or https URL, got %q", u.field, u.value)
		}
	}
	if strings.ContainsFunc(app.Scope, isControl) {
		return fmt.Errorf("bigcommercetest: RegisterApp: Scope must have no control characters")
	}
	return nil
}

// checkCredential names the field and the rule, never the value, which
// may be a secret.
func checkCredential(field, value string) error {
	if strings.ContainsFunc(value, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("bigcommercetest: RegisterApp: %s must have no spaces or control characters", field)
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }
