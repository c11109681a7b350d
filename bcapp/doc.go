// Package bcapp is a BigCommerce app on many stores, from the merchant's
// install click to the first call on the store: it verifies BigCommerce's
// callbacks, keeps each store's token encrypted, opens the app's pages
// inside the control panel, and hands out one client per store.
//
// # Wiring an app
//
// New takes the app's client ID and secret, the auth callback URL
// registered with BigCommerce, and a TokenStore. App.Handler serves the
// four callbacks at its root; mount it under the prefix registered with
// BigCommerce:
//
//	app, err := bcapp.New(bcapp.Config{
//		ClientID:        os.Getenv("BIGCOMMERCE_CLIENT_ID"),
//		ClientSecret:    os.Getenv("BIGCOMMERCE_CLIENT_SECRET"),
//		AuthCallbackURL: "https://app.example.com/bc/auth",
//		Tokens:          store, // bcapp.OpenSQLite or bcapp.OpenPostgres
//		AppURL:          "/app",
//	})
//	mux.Handle("/bc/", http.StripPrefix("/bc", app.Handler()))
//	mux.Handle("/app", app.RequireSession(page))
//
// A page behind RequireSession reads its store and user with SessionFrom
// and calls the store with App.Client. Hooks in Config (OnInstall,
// OnLoad, OnUninstall, OnRemoveUser) run the app's own work at each
// callback.
//
// # What is verified
//
// BigCommerce signs the load, uninstall and remove_user callbacks with the
// app's client secret. App.Verify checks them with golang-jwt: HS256 only
// (none, HS512 and RS256 are refused), iss "bc", aud the client ID, exp
// required, exp, nbf and iat within a leeway of a minute for clock skew
// (Config.Leeway, five minutes at most), and sub "stores/{hash}" with a
// valid hash. Refusals match ErrInvalidPayload and name the check. The
// install (/auth) carries no signature: its code is exchanged at the login
// server, over https, with the client secret, and the store named by the
// login server's answer is the one trusted.
//
// A payload may be verified again while it is valid, since a merchant who
// reloads the app's frame sends the same one; Config.Replays refuses a
// repeated jti where an app wants that.
//
// # Pages in the control panel's iframe
//
// The app's pages are framed by the control panel, on another site, where
// browsers block or partition third-party cookies. So /load redirects to
// Config.AppURL with a session token in the URL (SessionParam), signed
// with a key derived from the client secret and valid for an hour, and
// pages carry it on in links and forms (Session.Link). RequireSession
// checks it, renews it past half its life, and sends
// Content-Security-Policy: frame-ancestors (Config.FrameAncestors, the
// control panel's domains by default), Referrer-Policy: no-referrer and
// Cache-Control: no-store. With no cookie there is no ambient credential
// for another site to ride on, so forms need no other CSRF token.
//
// # Tokens at rest
//
// NewMemoryStore keeps installs in memory, for tests. OpenSQLite keeps
// them in an SQLite file (pure Go, no cgo), for an app on one machine;
// OpenPostgres in a PostgreSQL table, for an app on many. Both encrypt
// each token with AES-256-GCM under a key the app supplies, bound to its
// store, so a copied file, its write-ahead log or a backup holds no usable
// token; a wrong key is an error matching ErrUndecryptable, never a client
// with a garbage token. Keyring describes how to rotate the key. Several
// App values, in one process or many, may share one store. Another
// database can serve as a TokenStore; the package tokenstoretest checks
// that it keeps the contract.
//
// # A client per store
//
// App.Client returns the store's *bigcommerce.Client, built once from the
// saved token with Config.ClientOptions and shared by every goroutine, so
// that the store's pacing sees all its requests. Clients are kept up to
// Config.MaxClients, the least recently used dropped first; a reinstall,
// an uninstall or a 401 from the store drops the store's client, so the
// next call loads the token again. Config.RateLimiter paces every store
// through one shared limiter, such as redisquota's, and an uninstall makes
// it forget the store.
//
// # Testing an app
//
// Config.LoginURL and Config.APIURL take plain http to a loopback address,
// so a test can run the whole app against fakes of BigCommerce's login
// server and API. The package bcapptest does that with bigcommercetest's
// fake of many stores: it gives a Config that points at the fake, installs
// and loads stores through the app's own callbacks, and uninstalls them as
// BigCommerce does.
package bcapp
