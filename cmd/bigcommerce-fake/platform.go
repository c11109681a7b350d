package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// appFlags are the flags of an app to install, and of the stores to
// install it on.
type appFlags struct {
	stores                                                string
	name, clientID, clientSecret, scope                   string
	appURL, authURL, loadURL, uninstallURL, removeUserURL string
}

func (a *appFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.stores, "stores", "", "comma-separated hashes of the stores to serve, for an app (e.g. abc,def)")
	fs.StringVar(&a.appURL, "app-url", "", "the app's base URL, under which its callbacks are /auth, /load, /uninstall and /remove_user")
	fs.StringVar(&a.authURL, "auth-url", "", "the app's auth callback URL (its redirect URI), instead of the one under -app-url")
	fs.StringVar(&a.loadURL, "load-url", "", "the app's load callback URL, instead of the one under -app-url")
	fs.StringVar(&a.uninstallURL, "uninstall-url", "", "the app's uninstall callback URL, instead of the one under -app-url")
	fs.StringVar(&a.removeUserURL, "remove-user-url", "", "the app's remove-user callback URL, instead of the one under -app-url")
	fs.StringVar(&a.clientID, "client-id", "", "the app's client ID (random when empty)")
	fs.StringVar(&a.clientSecret, "client-secret", "", "the app's client secret (random when empty)")
	fs.StringVar(&a.scope, "scope", "", "the scope a merchant approves at install (default store_v2_customers)")
	fs.StringVar(&a.name, "app-name", "", "the app's name in the control panel")
}

// given reports whether any flag of an app was set.
func (a *appFlags) given() bool {
	return a.appURL != "" || a.authURL != "" || a.loadURL != "" || a.uninstallURL != "" || a.removeUserURL != "" ||
		a.clientID != "" || a.clientSecret != "" || a.scope != "" || a.name != ""
}

func (a *appFlags) app() (bigcommercetest.App, error) {
	app := bigcommercetest.App{Name: a.name, ClientID: a.clientID, ClientSecret: a.clientSecret, Scope: a.scope}
	if a.appURL != "" {
		app = app.WithCallbacksAt(a.appURL)
	}
	for _, f := range []struct {
		flag string
		dst  *string
	}{
		{a.authURL, &app.AuthCallbackURL},
		{a.loadURL, &app.LoadURL},
		{a.uninstallURL, &app.UninstallURL},
		{a.removeUserURL, &app.RemoveUserURL},
	} {
		if f.flag != "" {
			*f.dst = f.flag
		}
	}
	if app.AuthCallbackURL == "" {
		return app, errors.New("an app needs -app-url or -auth-url: the auth callback is where an install sends the merchant")
	}
	return app, nil
}

// platformSetup is what servePlatform needs from the flags: opts are the
// options of every store, -token's included.
type platformSetup struct {
	addr, storeHash, token string
	seed                   int
	app                    appFlags
	opts                   []bigcommercetest.Option
	log                    io.Writer
}

// storeHashes is the stores to serve: those of -stores, else -store-hash's,
// else one with a random hash.
func (s platformSetup) storeHashes() ([]string, error) {
	if s.app.stores == "" {
		return []string{s.storeHash}, nil
	}
	if s.storeHash != "" {
		return nil, errors.New("-stores and -store-hash name the stores twice; use one")
	}
	hashes := strings.Split(s.app.stores, ",")
	seen := make(map[string]bool)
	for _, h := range hashes {
		if !isStoreHash(h) {
			return nil, fmt.Errorf("-stores: each store hash must be lowercase letters and digits, got %q", h)
		}
		if seen[h] {
			return nil, fmt.Errorf("-stores: %q is named twice", h)
		}
		seen[h] = true
	}
	if s.token != "" && len(hashes) > 1 {
		return nil, errors.New("-token fixes one store's token; with several -stores each has its own, printed at start")
	}
	return hashes, nil
}

// servePlatform serves stores, a login server and a control panel, with
// the app of the flags registered, until ctx ends.
func servePlatform(ctx context.Context, s platformSetup, stdout io.Writer) error {
	hashes, err := s.storeHashes()
	if err != nil {
		return err
	}
	var app bigcommercetest.App
	if s.app.given() {
		if app, err = s.app.app(); err != nil {
			return err
		}
	}
	var popts []bigcommercetest.PlatformOption
	if s.log != nil {
		popts = append(popts, bigcommercetest.WithPlatformLog(s.log))
	}
	p, err := bigcommercetest.ListenPlatform(s.addr, popts...)
	if err != nil {
		return err
	}
	defer p.Close()
	if s.app.given() {
		if app, err = p.RegisterApp(app); err != nil {
			return err
		}
	}
	var stores []*bigcommercetest.Server
	for _, h := range hashes {
		opts := s.opts
		if h != "" {
			opts = append(opts[:len(opts):len(opts)], bigcommercetest.WithStoreHash(h))
		}
		srv, err := p.AddStore(opts...)
		if err != nil {
			return err
		}
		stores = append(stores, srv)
	}
	printPlatform(stdout, p, app, stores, s.seed)
	<-ctx.Done()
	fmt.Fprintln(stdout, "bigcommerce-fake: shutting down")
	return nil
}

func printPlatform(w io.Writer, p *bigcommercetest.Platform, app bigcommercetest.App, stores []*bigcommercetest.Server, seed int) {
	fmt.Fprintf(w, "bigcommerce-fake: BigCommerce for apps on %s (%d stores, %d sample groups each)\n\n", p.URL, len(stores), seed)
	fmt.Fprintf(w, "  control panel    %s\n\n", p.ControlPanelURL())
	if app.ClientID != "" {
		fmt.Fprintf(w, "  app              %s\n", app.Name)
		for _, l := range [][2]string{
			{"client id", app.ClientID},
			{"client secret", app.ClientSecret},
			{"auth callback", app.AuthCallbackURL},
			{"load callback", app.LoadURL},
			{"uninstall", app.UninstallURL},
			{"remove user", app.RemoveUserURL},
			{"scope", app.Scope},
		} {
			if l[1] != "" {
				fmt.Fprintf(w, "    %-14s %s\n", l[0], l[1])
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  API URL          %s   (a store's root is the API URL + /stores/{hash}/v2)\n", p.APIURL())
	fmt.Fprintf(w, "  login URL        %s   (its token endpoint is the login URL + /oauth2/token)\n\n", p.LoginURL())
	for _, srv := range stores {
		fmt.Fprintf(w, "  store %-10s access token %s, read-only %s\n", srv.StoreHash, srv.AccessToken, srv.ReadOnlyToken)
	}
	fmt.Fprint(w, `
Open the control panel and click Install: the app's auth callback runs in
its frame, as in BigCommerce's. Serve the app on another host than the
panel (localhost rather than 127.0.0.1, say), so that its frame is
cross-site, as it is in production.

Stop with Ctrl+C.
`)
}
