// Package bcapptest tests an app built with bcapp end to end, with no
// network: a fake BigCommerce of many stores (bigcommercetest's Platform),
// the app registered with it, and the app's handler on a test server of
// its own, driven as a merchant's browser and BigCommerce drive it.
//
//	p := bcapptest.New(t, bcapptest.Stores("abc", "def"))
//	app, err := bcapp.New(p.Config) // set hooks, AppURL, ... first
//	if err != nil {
//		t.Fatal(err)
//	}
//	p.Serve(myRoutes(app)) // app.Handler() under /bc/, the pages beside it
//	p.Install("abc")       // Install clicked: /bc/auth, then the app's page
//	page := p.Load("abc")  // the app opened: /bc/load, then the page with its session
//	page = p.Post(page.URL, url.Values{"name": {"VIP"}})
//	p.Uninstall("abc")     // BigCommerce revokes the token and calls /bc/uninstall
//
// The requests go over real HTTP, as a browser sends them, with no cookie
// jar: the app's pages live in the control panel's iframe, where browsers
// drop third-party cookies, so an app that relies on one fails here as
// it would there. The app is served at http://localhost:PORT and the
// platform at http://127.0.0.1:PORT, two sites, as the control panel and
// an app are in production; Config.FrameAncestors lets the fake's control
// panel (Platform.ControlPanelURL) frame the app, for tests in a real
// browser.
package bcapptest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TB is the part of testing.TB that bcapptest uses; *testing.T and
// *testing.B have it. A failure to set up the platform, or a step that
// cannot go on (an install that does not reach the app's page), ends the
// test through Fatalf, which must not return, as testing.T's does not.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Timeout bounds each request a Platform sends, and each callback it
// makes, so that an app that hangs fails the test instead of stalling it.
const Timeout = 30 * time.Second

// DefaultCallbacks is where the app's callbacks are registered unless
// CallbacksAt says otherwise: bcapp's Handler mounted under /bc/, as
// bcapp's documentation wires it.
const DefaultCallbacks = "/bc"

// Platform is a fake BigCommerce with one app registered and that app's
// test server. The embedded bigcommercetest.Platform gives the stores
// (Stores, Store, with their groups and requests), signed payloads and the
// control panel.
type Platform struct {
	*bigcommercetest.Platform
	// App is the app as registered: its credentials and its callbacks'
	// URLs, under URL.
	App bigcommercetest.App
	// URL is the root of the app's test server, http://localhost:PORT.
	URL string
	// Config is the app's configuration on this platform: ClientID,
	// ClientSecret, AuthCallbackURL, APIURL, LoginURL and FrameAncestors
	// point at the fake, and Tokens is a memory store. Set the app's own
	// fields (hooks, AppURL, another TokenStore) on it before bcapp.New;
	// HasToken looks in Config.Tokens.
	Config bcapp.Config

	t       TB
	browser *http.Client

	mu      sync.Mutex
	handler http.Handler
}

type options struct {
	app       bigcommercetest.App
	stores    []string
	storeOpts []bigcommercetest.Option
	platform  []bigcommercetest.PlatformOption
	callbacks string
}

// Option configures New.
type Option func(*options)

// Stores names the stores to add, by hash; the default is one store,
// "store1".
func Stores(hashes ...string) Option {
	return func(o *options) { o.stores = append(o.stores, hashes...) }
}

// StoreOptions configure every store, as bigcommercetest.NewServer's
// options do: WithSeed, WithRateLimit, ... (WithStoreHash is Stores'
// job).
func StoreOptions(opts ...bigcommercetest.Option) Option {
	return func(o *options) { o.storeOpts = append(o.storeOpts, opts...) }
}

// PlatformOptions configure the platform, such as
// bigcommercetest.WithClock.
func PlatformOptions(opts ...bigcommercetest.PlatformOption) Option {
	return func(o *options) { o.platform = append(o.platform, opts...) }
}

// Credentials registers the app with this client ID and secret rather
// than random ones, for a test that signs payloads itself or looks for the
// secret in what the app logs.
func Credentials(clientID, clientSecret string) Option {
	return func(o *options) { o.app.ClientID, o.app.ClientSecret = clientID, clientSecret }
}

// CallbacksAt is the path under which the app serves bcapp's Handler, so
// that its callbacks are path+"/auth", "/load", "/uninstall" and
// "/remove_user"; "" is the root. The default is DefaultCallbacks.
func CallbacksAt(path string) Option {
	return func(o *options) { o.callbacks = strings.TrimSuffix(path, "/") }
}

// New starts a platform with its stores, registers an app whose callbacks
// point at a test server, and stops both when the test ends. The server
// answers 503 until Serve gives it the app's handler.
func New(t TB, opts ...Option) *Platform {
	t.Helper()
	o := options{callbacks: DefaultCallbacks, app: bigcommercetest.App{Name: "App under test"}}
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.stores) == 0 {
		o.stores = []string{"store1"}
	}
	if o.callbacks != "" && !strings.HasPrefix(o.callbacks, "/") {
		t.Fatalf("bcapptest: CallbacksAt(%q): the path must start with /", o.callbacks)
	}
	p := &Platform{t: t, browser: &http.Client{Timeout: Timeout}}
	p.Platform = bigcommercetest.NewPlatform(o.platform...)
	t.Cleanup(p.Platform.Close)
	for _, hash := range o.stores {
		if _, err := p.AddStore(append([]bigcommercetest.Option{bigcommercetest.WithStoreHash(hash)}, o.storeOpts...)...); err != nil {
			t.Fatalf("bcapptest: %v", err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	// The same listener under another name: localhost and 127.0.0.1 are
	// two sites to a browser, as the app and the control panel are.
	p.URL = strings.Replace(srv.URL, "://127.0.0.1:", "://localhost:", 1)
	app, err := p.RegisterApp(o.app.WithCallbacksAt(p.URL + o.callbacks))
	if err != nil {
		t.Fatalf("bcapptest: %v", err)
	}
	p.App = app
	p.Config = bcapp.Config{
		ClientID:        app.ClientID,
		ClientSecret:    app.ClientSecret,
		AuthCallbackURL: app.AuthCallbackURL,
		APIURL:          p.APIURL(),
		LoginURL:        p.LoginURL(),
		Tokens:          bcapp.NewMemoryStore(),
		FrameAncestors:  p.Platform.URL,
	}
	return p
}

// Serve makes the app's test server serve h: the app's whole handler,
// with bcapp's Handler under the callbacks' path and the app's pages.
func (p *Platform) Serve(h http.Handler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handler = h
}

func (p *Platform) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	h := p.handler
	p.mu.Unlock()
	if h == nil {
		http.Error(w, "bcapptest: the app is not served yet: call Serve with its handler", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// Page is where a request ended, after every redirect, as a browser shows
// it.
type Page struct {
	// URL is the page's address: for an app's page, with the session in
	// its query, so that Get and Post can go on from it.
	URL    string
	Status int
	Header http.Header
	Body   string
}

// Install installs the app on the store as the merchant's click does:
// the platform starts the install, and the browser opens the app's auth
// callback with its code, which the app exchanges at the fake's login
// server, and follows the redirects to the app's page. The test fails
// unless that page answers 2xx.
func (p *Platform) Install(storeHash string) *Page {
	p.t.Helper()
	u, err := p.StartInstall(p.App.ClientID, storeHash, "")
	if err != nil {
		p.t.Fatalf("bcapptest: Install: %v", err)
	}
	page := p.Get(u)
	if page.Status/100 != 2 {
		p.t.Fatalf("bcapptest: the install on store %s ended on %s with %d %s (is bcapp's Handler under the callbacks' path, %s?):\n%s",
			storeHash, pathOf(page.URL), page.Status, http.StatusText(page.Status), pathOf(p.App.AuthCallbackURL), snippet(page.Body))
	}
	return page
}

// Load opens the app on the store as the control panel does when the
// store's owner clicks it: the app's load callback with a fresh signed
// payload, broken by each of flaws (bigcommercetest.Expired, Forged, ...)
// for negative tests, and the redirects after it. It returns the page
// whatever its status, for the test to check.
func (p *Platform) Load(storeHash string, flaws ...bigcommercetest.Flaw) *Page {
	p.t.Helper()
	return p.Callback("load", storeHash, flaws...)
}

// Callback sends one of the app's signed callbacks, "load", "uninstall"
// or "remove_user", with a fresh payload for the store's owner, broken by
// each of flaws, and returns the page. Unlike Uninstall, it changes
// nothing on the platform: the token stays good. It serves tests of what
// a callback refuses.
func (p *Platform) Callback(callback, storeHash string, flaws ...bigcommercetest.Flaw) *Page {
	p.t.Helper()
	base := map[string]string{"load": p.App.LoadURL, "uninstall": p.App.UninstallURL, "remove_user": p.App.RemoveUserURL}[callback]
	if base == "" {
		p.t.Fatalf("bcapptest: Callback(%q): the callbacks are load, uninstall and remove_user", callback)
	}
	payload, err := p.SignedPayload(p.App.ClientID, storeHash, flaws...)
	if err != nil {
		p.t.Fatalf("bcapptest: Callback: %v", err)
	}
	return p.Get(base + "?" + url.Values{"signed_payload_jwt": {payload}}.Encode())
}

// Uninstall uninstalls the app from the store as BigCommerce does: the
// token is revoked, then the app's uninstall callback is called server to
// server. The test fails unless the callback answers 2xx.
func (p *Platform) Uninstall(storeHash string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := p.Platform.Uninstall(ctx, p.App.ClientID, storeHash); err != nil {
		p.t.Fatalf("bcapptest: Uninstall of store %s: %v", storeHash, err)
	}
}

// RemoveUser takes a user other than the owner off the store, as
// BigCommerce does, and calls the app's remove-user callback server to
// server; it returns the user removed. The test fails unless the callback
// answers 2xx.
func (p *Platform) RemoveUser(storeHash string) bigcommercetest.User {
	p.t.Helper()
	user, err := p.Staff(storeHash)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		err = p.Platform.RemoveUser(ctx, p.App.ClientID, storeHash, user)
	}
	if err != nil {
		p.t.Fatalf("bcapptest: RemoveUser on store %s: %v", storeHash, err)
	}
	return user
}

// HasToken reports whether Config.Tokens holds an install for the store.
func (p *Platform) HasToken(storeHash string) bool {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	_, err := p.Config.Tokens.Load(ctx, storeHash)
	switch {
	case err == nil:
		return true
	case errors.Is(err, bcapp.ErrNotInstalled):
		return false
	}
	p.t.Fatalf("bcapptest: HasToken(%q): %v", storeHash, err)
	return false
}

// Get opens a URL as the browser does, following redirects.
func (p *Platform) Get(u string) *Page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		p.t.Fatalf("bcapptest: Get: %v", err)
	}
	return p.do(req)
}

// Post submits a form to a URL as the browser does, following the
// redirect after it: pass a Page's URL to submit a form whose action is
// the page itself, with the session in its query.
func (p *Platform) Post(u string, form url.Values) *Page {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		p.t.Fatalf("bcapptest: Post: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

func (p *Platform) do(req *http.Request) *Page {
	p.t.Helper()
	resp, err := p.browser.Do(req)
	if err != nil {
		// The URL's query may hold a code or a session: name its path.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		p.t.Fatalf("bcapptest: %s %s: %v", req.Method, pathOf(req.URL.String()), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		p.t.Fatalf("bcapptest: reading %s: %v", pathOf(resp.Request.URL.String()), err)
	}
	return &Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// pathOf is a URL without its query, which may hold a code or a session,
// for failure messages.
func pathOf(u string) string {
	s, _, _ := strings.Cut(u, "?")
	return s
}

// snippet is the start of a page, for failure messages.
func snippet(body string) string {
	const max = 500
	if len(body) > max {
		return fmt.Sprintf("%s... (%d bytes)", body[:max], len(body))
	}
	return body
}
