package main

import (
	"context"
	"errors"
	"fmt"
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
	// target names the store in questions, plans and logs.
	target target
	fake   *bigcommercetest.Server
	// rootHint is set when an OAuth base URL lacks /stores/{hash}/v2: a
	// 404 from such a root more likely means a wrong URL than a missing
	// group, and the error says so.
	rootHint string
}

// target is the store that a command writes to, as plans, questions and
// logs name it: an agency's CI log must show which store was changed.
type target struct {
	Profile   string `json:"profile,omitempty"`
	StoreHash string `json:"store_hash,omitempty"`
	Host      string `json:"host,omitempty"`
	Fake      bool   `json:"fake,omitempty"`
}

func (t target) String() string {
	switch {
	case t.Fake:
		return "the fake store"
	case t.Profile != "":
		return fmt.Sprintf("profile %s (store %s at %s)", quote(t.Profile), t.StoreHash, t.Host)
	case t.StoreHash != "":
		return fmt.Sprintf("store %s at %s", t.StoreHash, t.Host)
	}
	return "store " + t.Host
}

// The places a setting comes from. A token is bound to the place it came
// from: it is sent only to the host that the same place names, or to the
// API's own host when that place names none.
const (
	fromFlags   = "flags"
	fromEnv     = "the environment"
	fromProfile = "profile"
)

// source is a setting's value, what it is called in messages, and the
// place it came from.
type source struct{ value, from, place string }

// first is the first setting that is set.
func first(sources ...source) source {
	for _, s := range sources {
		if s.value != "" {
			return s
		}
	}
	return source{}
}

// connect builds the client from the flags, the profiles and the
// environment, once per run. Only commands that talk to a store call it,
// so "version" and "--help" need no credentials.
func (a *app) connect(ctx context.Context) (*connection, error) {
	if a.conn != nil {
		return a.conn, nil
	}
	opts := []bigcommerce.Option{bigcommerce.WithUserAgent("bcgroups/" + toolVersion())}
	if a.flags.verbose {
		opts = append(opts, bigcommerce.WithTracer(newRequestLog(a.io.ErrOut)))
	}
	if a.flags.fake {
		srv := bigcommercetest.NewServer()
		seedSample(srv)
		a.secrets = append(a.secrets, srv.AccessToken, srv.ReadOnlyToken, srv.APIKey)
		fmt.Fprintf(a.io.ErrOut, "bcgroups: using a built-in FAKE store with %d sample groups; nothing reaches BigCommerce, and changes vanish when the command ends\n", len(srv.Groups()))
		a.conn = &connection{client: srv.Client(append(opts, a.sdkOptions...)...), confirmWord: "fake", target: target{Fake: true}, fake: srv}
		return a.conn, nil
	}

	s, err := a.resolveStore()
	if err != nil {
		return nil, err
	}
	a.secrets = append(a.secrets, s.token.value, s.apiKey)
	conn := &connection{}
	var auth bigcommerce.Authenticator
	if s.basic {
		auth = &bigcommerce.BasicAuth{StoreURL: s.storeURL, Username: s.user, APIKey: s.apiKey}
	} else {
		oauth := bigcommerce.NewOAuth(s.hash.value, s.token.value)
		oauth.ClientID = s.clientID
		auth = oauth
		if s.baseURL.value != "" {
			hint, err := checkOAuthRoot(s.baseURL.value, s.hash.value, s.baseURL.from, s.hash.from)
			if err != nil {
				return nil, err
			}
			conn.rootHint = hint
		}
	}
	if err := checkTokenHost(auth, s); err != nil {
		return nil, err
	}
	if s.baseURL.value != "" {
		opts = append(opts, bigcommerce.WithBaseURL(s.baseURL.value))
	}
	client, err := bigcommerce.NewClient(auth, append(opts, a.sdkOptions...)...)
	if err != nil {
		return nil, err
	}
	conn.client = client
	conn.target = target{Profile: s.profile, StoreHash: s.hash.value, Host: hostOf(client.BaseURL())}
	conn.confirmWord = s.hash.value
	if s.basic {
		conn.confirmWord = hostName(s.storeURL)
	}
	for _, n := range s.notes {
		a.say("bcgroups: %s", n)
	}
	a.conn = conn
	return conn, nil
}

// storeSettings is what resolveStore found: the store, the credentials
// and where each came from.
type storeSettings struct {
	hash, token, baseURL source
	clientID             string
	// profile names the profile whose token is used, if one is.
	profile string
	// ownRoot is the API root that the token's own place names: the
	// profile's base URL, BIGCOMMERCE_BASE_URL beside the environment's
	// token, --base-url beside --token; "" for the API's default.
	ownRoot string
	basic   bool
	// storeURL, user and apiKey are Basic auth's, from the environment.
	storeURL, user, apiKey string
	// notes say which source won where a profile and the flags or the
	// environment name different stores.
	notes []string
}

// resolveStore decides which store a command talks to, and with which
// credentials. Each setting comes from the first of: its flag, the profile
// named by --profile, the environment, the current profile; the current
// profile only when neither flags nor the environment name a store, so
// that a script which sets BIGCOMMERCE_* is never redirected by an
// earlier auth switch. When a profile and the flags or the environment
// name different stores, a note says which one is used and why; a
// --store-hash that contradicts --profile is refused.
func (a *app) resolveStore() (*storeSettings, error) {
	env := func(k string) source { return source{a.getenv(k), k, fromEnv} }
	envHash, envToken, envURL := env("BIGCOMMERCE_STORE_HASH"), env("BIGCOMMERCE_ACCESS_TOKEN"), env("BIGCOMMERCE_BASE_URL")
	storeURL, user, key := a.getenv("BIGCOMMERCE_STORE_URL"), a.getenv("BIGCOMMERCE_USERNAME"), a.getenv("BIGCOMMERCE_API_KEY")
	envBasic := storeURL != "" || user != "" || key != ""
	envNamesStore := envHash.value != "" || envToken.value != "" || envBasic
	flagHash := source{a.flags.storeHash, "--store-hash", fromFlags}
	flagToken := source{a.flags.token, "--token", fromFlags}
	flagURL := source{a.flags.baseURL, "--base-url", fromFlags}
	flagsNameStore := flagHash.value != "" || flagToken.value != ""

	explicit, current, err := a.profiles()
	if err != nil {
		return nil, err
	}
	if explicit != nil && flagHash.value != "" && flagHash.value != explicit.p.StoreHash {
		return nil, usageErrorf("--store-hash %s disagrees with --profile %s, whose store is %s: give one or the other", flagHash.value, quote(explicit.name), explicit.p.StoreHash)
	}
	var other *namedProfile // the current profile, left unused
	if current != nil && (envNamesStore || flagsNameStore) {
		other, current = current, nil
	}
	chosen := explicit
	if chosen == nil {
		chosen = current
	}
	fromProf := func(field func(*profile) string) source {
		if chosen == nil {
			return source{}
		}
		return source{field(chosen.p), "profile " + quote(chosen.name), fromProfile}
	}
	profHash := fromProf(func(p *profile) string { return p.StoreHash })
	profURL := fromProf(func(p *profile) string { return p.BaseURL })

	s := &storeSettings{}
	if explicit != nil {
		s.hash = first(flagHash, profHash, envHash)
	} else {
		s.hash = first(flagHash, envHash, profHash)
	}
	// BIGCOMMERCE_BASE_URL belongs to the store that the environment
	// names, which --profile sets aside whole; alone, it would reroute
	// whatever token is used, and the check below decides whether it may.
	if explicit != nil && envNamesStore {
		s.baseURL = first(flagURL, profURL)
	} else {
		s.baseURL = first(flagURL, envURL, profURL)
	}
	s.clientID = first(fromProf(func(p *profile) string { return p.ClientID }), env("BIGCOMMERCE_CLIENT_ID")).value

	switch {
	case flagToken.value != "":
		s.token, s.ownRoot = flagToken, flagURL.value
	case chosen != nil:
		token, err := a.profileToken(chosen.name, chosen.p)
		if err != nil {
			return nil, err
		}
		s.token, s.ownRoot, s.profile = source{token, "profile " + quote(chosen.name), fromProfile}, chosen.p.BaseURL, chosen.name
	case envToken.value != "":
		s.token, s.ownRoot = envToken, envURL.value
	}

	switch {
	case s.hash.value != "" || s.token.value != "":
		if s.hash.value == "" {
			return nil, usageErrorf("an access token was given but no store hash: set BIGCOMMERCE_STORE_HASH or pass --store-hash")
		}
		if s.token.value == "" {
			return nil, usageErrorf("a store hash was given but no access token: set BIGCOMMERCE_ACCESS_TOKEN or pass --token")
		}
	case envBasic:
		if storeURL == "" || user == "" || key == "" {
			return nil, usageErrorf("Basic auth needs all of BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME and BIGCOMMERCE_API_KEY")
		}
		if hostName(storeURL) == "" {
			return nil, usageErrorf("BIGCOMMERCE_STORE_URL: must be the store's address, such as https://store-abc123.mybigcommerce.com")
		}
		s.basic, s.storeURL, s.user, s.apiKey = true, storeURL, user, key
		s.token, s.ownRoot = source{key, "BIGCOMMERCE_API_KEY", fromEnv}, envURL.value
	default:
		return nil, usageErrorf("no store to talk to: set BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN (or pass --store-hash and --token), " +
			"or BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME and BIGCOMMERCE_API_KEY for Basic auth; or save a profile with bcgroups auth login; or pass --fake to try a built-in sample store")
	}

	// Say which source won where a profile and the rest disagree.
	if explicit != nil && envNamesStore && envDiffers(explicit.p, envHash.value, envBasic) {
		s.notes = append(s.notes, fmt.Sprintf("using profile %s (store %s), as --profile asks; the store that the environment names (%s) is not used", quote(explicit.name), explicit.p.StoreHash, envStoreName(envHash.value, storeURL)))
	}
	if other != nil && other.p.StoreHash != s.hash.value {
		winner := s.hash.from
		if s.basic {
			winner = "BIGCOMMERCE_STORE_URL"
		}
		s.notes = append(s.notes, fmt.Sprintf("using the store that %s names, not the current profile %s (store %s), which is used only when neither flags nor the environment name a store", winner, quote(other.name), other.p.StoreHash))
	}
	return s, nil
}

// envDiffers reports whether the environment names another store than p:
// another store hash, or Basic auth, which no profile holds. A token alone
// in the environment cannot be told apart from p's, so it counts.
func envDiffers(p *profile, envHash string, envBasic bool) bool {
	return envBasic || envHash != p.StoreHash
}

// envStoreName names the store the environment sets, without its token.
func envStoreName(hash, storeURL string) string {
	switch {
	case hash != "":
		return "BIGCOMMERCE_STORE_HASH=" + hash
	case storeURL != "":
		return "BIGCOMMERCE_STORE_URL=" + storeURL
	}
	return "BIGCOMMERCE_ACCESS_TOKEN"
}

// namedProfile is a profile and its name.
type namedProfile struct {
	name string
	p    *profile
}

// profiles reads the profile --profile names, if any, and the current
// profile. A configuration that cannot be read is an error only when
// --profile needs it.
func (a *app) profiles() (explicit, current *namedProfile, err error) {
	c, _, err := a.loadConfig()
	if err != nil {
		if a.flags.profile == "" {
			return nil, nil, nil // no profiles to fall back on is not an error
		}
		return nil, nil, err
	}
	if a.flags.profile != "" {
		p, ok := c.Profiles[a.flags.profile]
		if !ok {
			return nil, nil, usageErrorf("--profile: no profile %s; the profiles are %s (bcgroups auth login adds one)", quote(a.flags.profile), listOrNone(c.names()))
		}
		return &namedProfile{a.flags.profile, p}, nil, nil
	}
	if p, ok := c.Profiles[c.Current]; ok && c.Current != "" {
		return nil, &namedProfile{c.Current, p}, nil
	}
	return nil, nil, nil
}

// checkTokenHost refuses to send a token to a host other than the one its
// own place names. A base URL and a token from different places (a
// profile's token beside BIGCOMMERCE_BASE_URL, say) would otherwise send
// the profile's token to whatever host the environment names.
func checkTokenHost(auth bigcommerce.Authenticator, s *storeSettings) error {
	own := s.ownRoot
	if own == "" {
		own = auth.BaseURL()
	}
	if s.baseURL.value == "" || s.baseURL.place == s.token.place || origin(s.baseURL.value) == origin(own) {
		return nil
	}
	return usageErrorf("the token from %s goes only to %s, but the base URL from %s points at %s: refusing to send it there; give the base URL and the token from the same place (flags, the environment or a profile)",
		s.token.from, hostOf(own), s.baseURL.from, hostOf(s.baseURL.value))
}

// origin is a URL's scheme and host, which decide where a request goes.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// hostOf is a URL's host and port, for messages; a URL that cannot be
// parsed is shown whole, since it still says where requests would go.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// hostName is a store address's host name, or "" if it has none.
func hostName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
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
