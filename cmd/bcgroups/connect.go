package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

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
	// rootHint is set when an OAuth base URL lacks /stores/{hash}/v2: a
	// 404 from such a root more likely means a wrong URL than a missing
	// group, and the error says so.
	rootHint string
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
		if baseURL != "" {
			hint, err := checkOAuthRoot(baseURL, hash, a.flags.baseURL != "", a.flags.storeHash != "")
			if err != nil {
				return nil, err
			}
			conn.rootHint = hint
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

// checkOAuthRoot compares an OAuth base URL with the store hash before any
// request is sent. A URL that names another store is refused, naming both:
// the token would be sent to the store in the URL while every message
// named the other, and a delete would hit the wrong store. A URL without
// /stores/{hash}/v2 may be a proxy that adds it; it is allowed, with a
// hint kept for a 404.
func checkOAuthRoot(baseURL, hash string, urlFromFlag, hashFromFlag bool) (hint string, err error) {
	urlFrom, hashFrom := "BIGCOMMERCE_BASE_URL", "BIGCOMMERCE_STORE_HASH"
	if urlFromFlag {
		urlFrom = "--base-url"
	}
	if hashFromFlag {
		hashFrom = "--store-hash"
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "", usageErrorf("%s: %q is not an absolute URL such as https://api.bigcommerce.com/stores/%s/v2", urlFrom, baseURL, hash)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] != "stores" || parts[i+2] != "v2" {
			continue
		}
		if parts[i+1] != hash {
			return "", usageErrorf("the store hash %q (%s) disagrees with the store %q in the base URL (%s): refusing to guess which store you mean; make them agree", hash, hashFrom, parts[i+1], urlFrom)
		}
		return "", nil
	}
	return fmt.Sprintf("%s has no /stores/%s/v2 in its path, which BigCommerce's OAuth API root has (https://api.bigcommerce.com/stores/%s/v2), so the 404 more likely means a wrong base URL than a missing group", urlFrom, hash, hash), nil
}

// explainNotFound turns a 404 from a base URL that lacks /stores/{hash}/v2
// into what it most likely is: a wrong URL, not a missing group. The
// result no longer matches ErrNotFound, so the exit code is 1, not 3.
func (a *app) explainNotFound(err error) error {
	if a.conn == nil || a.conn.rootHint == "" || !errors.Is(err, bigcommerce.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%v; hint: %s", err, a.conn.rootHint)
}

// close stops the fake store, if one was started.
func (a *app) close() {
	if a.conn != nil && a.conn.fake != nil {
		a.conn.fake.Close()
	}
}
