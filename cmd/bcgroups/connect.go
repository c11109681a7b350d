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

// connect builds the client from the flags, the profiles and the
// environment, once per run. Only commands that talk to a store call it, so "version" and
// "--help" need no credentials.
func (a *app) connect(ctx context.Context) (*connection, error) {
	if a.conn != nil {
		return a.conn, nil
	}
	opts := []bigcommerce.Option{bigcommerce.WithUserAgent("bcgroups/" + toolVersion())}
	if a.flags.verbose {
		opts = append(opts, bigcommerce.WithLogger(slog.New(slog.NewTextHandler(a.io.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if a.flags.fake {
		srv := bigcommercetest.NewServer()
		seedSample(srv)
		a.secrets = append(a.secrets, srv.AccessToken, srv.ReadOnlyToken, srv.APIKey)
		fmt.Fprintf(a.io.ErrOut, "bcgroups: using a built-in FAKE store with %d sample groups; nothing reaches BigCommerce, and changes vanish when the command ends\n", len(srv.Groups()))
		a.conn = &connection{client: srv.Client(append(opts, a.sdkOptions...)...), confirmWord: "fake", what: "the fake store", fake: srv}
		return a.conn, nil
	}

	storeURL, user, key := a.getenv("BIGCOMMERCE_STORE_URL"), a.getenv("BIGCOMMERCE_USERNAME"), a.getenv("BIGCOMMERCE_API_KEY")
	envHash, envToken := a.getenv("BIGCOMMERCE_STORE_HASH"), a.getenv("BIGCOMMERCE_ACCESS_TOKEN")
	envNamesStore := envHash != "" || envToken != "" || storeURL != "" || user != "" || key != ""

	// The precedence that the root command's help states: flag, --profile,
	// environment, current profile.
	prof, profName, err := a.selectProfile(envNamesStore)
	if err != nil {
		return nil, err
	}
	var explicit, current profile
	if prof != nil && a.flags.profile != "" {
		explicit = *prof
	} else if prof != nil {
		current = *prof
	}
	hash, hashFrom := first(
		source{a.flags.storeHash, "--store-hash"}, source{explicit.StoreHash, "profile " + quote(profName)},
		source{envHash, "BIGCOMMERCE_STORE_HASH"}, source{current.StoreHash, "profile " + quote(profName)})
	baseURL, urlFrom := first(
		source{a.flags.baseURL, "--base-url"}, source{explicit.BaseURL, "profile " + quote(profName)},
		source{a.getenv("BIGCOMMERCE_BASE_URL"), "BIGCOMMERCE_BASE_URL"}, source{current.BaseURL, "profile " + quote(profName)})
	clientID, _ := first(source{explicit.ClientID, ""}, source{a.getenv("BIGCOMMERCE_CLIENT_ID"), ""}, source{current.ClientID, ""})
	token, _ := first(source{a.flags.token, ""}, source{envToken, ""})
	// A profile's token goes only to the profile's own store, whatever
	// flags or the environment changed around it.
	useProfile := prof != nil && hash == prof.StoreHash
	if useProfile && a.flags.token == "" {
		if token, err = a.profileToken(profName, prof); err != nil {
			return nil, err
		}
	}
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
			hint, err := checkOAuthRoot(baseURL, hash, urlFrom, hashFrom)
			if err != nil {
				return nil, err
			}
			conn.rootHint = hint
		}
		oauth := bigcommerce.NewOAuth(hash, token)
		oauth.ClientID = clientID
		auth = oauth
		conn.confirmWord, conn.what = hash, "store "+hash
		if useProfile {
			conn.what = fmt.Sprintf("profile %s (store %s)", quote(profName), hash)
		}
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
			"or BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME and BIGCOMMERCE_API_KEY for Basic auth; or save a profile with bcgroups auth login; or pass --fake to try a built-in sample store")
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
func checkOAuthRoot(baseURL, hash, urlFrom, hashFrom string) (hint string, err error) {
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

// source is a setting's value and where it came from, for messages.
type source struct{ value, from string }

// first is the first setting that is set, and where it came from.
func first(sources ...source) (string, string) {
	for _, s := range sources {
		if s.value != "" {
			return s.value, s.from
		}
	}
	return "", ""
}

// selectProfile finds the profile to use: the one --profile names, or
// else the current one, unless the environment names a store (a script
// that sets BIGCOMMERCE_* must not be overridden by what someone once
// chose with auth switch).
func (a *app) selectProfile(envNamesStore bool) (*profile, string, error) {
	if a.flags.profile == "" && envNamesStore {
		return nil, "", nil
	}
	c, _, err := a.loadConfig()
	if err != nil {
		if a.flags.profile == "" {
			return nil, "", nil // no profiles to fall back on is not an error
		}
		return nil, "", err
	}
	name := a.flags.profile
	if name == "" {
		name = c.Current
		if name == "" {
			return nil, "", nil
		}
	}
	p, ok := c.Profiles[name]
	if !ok {
		if a.flags.profile == "" {
			return nil, "", nil
		}
		return nil, "", usageErrorf("--profile: no profile %s; the profiles are %s (bcgroups auth login adds one)", quote(name), listOrNone(c.names()))
	}
	return p, name, nil
}

// listOrNone joins names for a message.
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none yet"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = quote(n)
	}
	return strings.Join(quoted, ", ")
}

// close stops the fake store, if one was started.
func (a *app) close() {
	if a.conn != nil && a.conn.fake != nil {
		a.conn.fake.Close()
	}
}
