package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// connection is the store a command talks to.
type connection struct {
	client *bigcommerce.Client
	// confirmWord is what delete-all makes the user type: the store hash
	// for OAuth, the store's host name for Basic auth, "fake" for the fake.
	confirmWord string
	// what names the store in messages.
	what string
	fake *bigcommercetest.Server
}

// connect builds the client from the flags and the environment, once per
// run. Only commands that talk to a store call it, so "version" and
// "--help" need no credentials.
func (a *app) connect(ctx context.Context) (*connection, error) {
	if a.conn != nil {
		return a.conn, nil
	}
	opts := []bigcommerce.Option{bigcommerce.WithUserAgent("bcgroups/" + toolVersion())}
	if a.flags.verbose {
		opts = append(opts, bigcommerce.WithLogger(slog.New(slog.NewTextHandler(a.io.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	env := func(flag, name string) string {
		if flag != "" {
			return flag
		}
		return a.getenv(name)
	}
	baseURL := env(a.flags.baseURL, "BIGCOMMERCE_BASE_URL")

	if a.flags.fake {
		srv := bigcommercetest.NewServer()
		seedSample(srv)
		a.secrets = append(a.secrets, srv.AccessToken, srv.ReadOnlyToken, srv.APIKey)
		fmt.Fprintf(a.io.ErrOut, "bcgroups: using a built-in FAKE store with %d sample groups; nothing reaches BigCommerce, and changes vanish when the command ends\n", len(srv.Groups()))
		a.conn = &connection{client: srv.Client(append(opts, a.sdkOptions...)...), confirmWord: "fake", what: "the fake store", fake: srv}
		return a.conn, nil
	}

	hash := env(a.flags.storeHash, "BIGCOMMERCE_STORE_HASH")
	token := env(a.flags.token, "BIGCOMMERCE_ACCESS_TOKEN")
	storeURL, user, key := a.getenv("BIGCOMMERCE_STORE_URL"), a.getenv("BIGCOMMERCE_USERNAME"), a.getenv("BIGCOMMERCE_API_KEY")
	a.secrets = append(a.secrets, token, key)

	var auth bigcommerce.Authenticator
	conn := &connection{}
	switch {
	case hash != "" || token != "":
		if hash == "" {
			return nil, usageErrorf("an access token was given but no store hash: set BIGCOMMERCE_STORE_HASH or pass --store-hash")
		}
		if token == "" {
			return nil, usageErrorf("a store hash was given but no access token: set BIGCOMMERCE_ACCESS_TOKEN or pass --token")
		}
		oauth := bigcommerce.NewOAuth(hash, token)
		oauth.ClientID = a.getenv("BIGCOMMERCE_CLIENT_ID")
		auth = oauth
		conn.confirmWord, conn.what = hash, "store "+hash
	case storeURL != "" || user != "" || key != "":
		if storeURL == "" || user == "" || key == "" {
			return nil, usageErrorf("Basic auth needs all of BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME and BIGCOMMERCE_API_KEY")
		}
		u, err := url.Parse(storeURL)
		if err != nil || u.Host == "" {
			return nil, usageErrorf("BIGCOMMERCE_STORE_URL: must be the store's address, such as https://store-abc123.mybigcommerce.com")
		}
		auth = &bigcommerce.BasicAuth{StoreURL: storeURL, Username: user, APIKey: key}
		conn.confirmWord, conn.what = u.Hostname(), "store "+u.Hostname()
	default:
		return nil, usageErrorf("no store to talk to: set BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN (or pass --store-hash and --token), " +
			"or BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME and BIGCOMMERCE_API_KEY for Basic auth; or pass --fake to try a built-in sample store")
	}
	if baseURL != "" {
		opts = append(opts, bigcommerce.WithBaseURL(baseURL))
	}
	client, err := bigcommerce.NewClient(auth, append(opts, a.sdkOptions...)...)
	if err != nil {
		return nil, err
	}
	conn.client = client
	a.conn = conn
	return conn, nil
}

// close stops the fake store, if one was started.
func (a *app) close() {
	if a.conn != nil && a.conn.fake != nil {
		a.conn.fake.Close()
	}
}
