package bcapp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// The defaults of a Config.
const (
	DefaultAPIURL          = "https://api.bigcommerce.com"
	DefaultLoginURL        = "https://login.bigcommerce.com"
	DefaultAppURL          = "/"
	DefaultFrameAncestors  = "https://*.bigcommerce.com https://*.mybigcommerce.com"
	DefaultMaxClients      = 10000
	DefaultExchangeTimeout = 15 * time.Second
	// MaxSessionTTL bounds Config.SessionTTL: a session token travels in
	// URLs, so it should not outlive a working day.
	MaxSessionTTL = 24 * time.Hour
)

// Config describes an app as registered with BigCommerce, and how it
// keeps its stores. ClientID, ClientSecret, AuthCallbackURL and Tokens are
// required; the rest have defaults. Printing a Config never shows the
// client secret.
type Config struct {
	// ClientID and ClientSecret are the app's, from the developer portal.
	ClientID     string
	ClientSecret string
	// AuthCallbackURL is the auth callback URL registered with
	// BigCommerce, where the Handler's /auth is served; the install
	// exchange sends it as redirect_uri, and it must match exactly.
	AuthCallbackURL string
	// Tokens keeps each store's install.
	Tokens TokenStore

	// APIURL is the API's root; store clients use
	// APIURL + "/stores/{hash}/v2". LoginURL is the login server's root,
	// whose /oauth2/token the install code is exchanged at. Both take
	// https, or plain http to a loopback address for tests and fakes.
	// The defaults are DefaultAPIURL and DefaultLoginURL.
	APIURL   string
	LoginURL string

	// ClientOptions are applied to every store's client, once, when it
	// is built. WithBaseURL and WithHTTPClient among them are overridden:
	// use APIURL and HTTPClient. Give a shared rate limiter as
	// RateLimiter rather than WithRateLimiter, so that an uninstall can
	// make it forget the store.
	ClientOptions []bigcommerce.Option
	// RateLimiter, when set, paces every store's client (one limiter
	// serves all the stores, each by its API root), and when it has a
	// Forget(ctx, apiRoot) method, as redisquota.Limiter has, an
	// uninstall calls it to drop the store's shared-quota state.
	RateLimiter bigcommerce.RateLimiter
	// HTTPClient sends the store clients' requests and the install
	// exchange. By default they share one transport, so that connections
	// to the API are reused across stores.
	HTTPClient *http.Client
	// MaxClients bounds the store clients kept for reuse; past it the
	// least recently used is dropped. The default is DefaultMaxClients.
	MaxClients int

	// AppURL is where /auth and /load send the merchant once the store is
	// known, with a session token in SessionParam: a path such as
	// "/app", or an absolute URL. The default is DefaultAppURL.
	AppURL string
	// FrameAncestors is the frame-ancestors source list of the pages'
	// Content-Security-Policy: who may frame the app. The default,
	// DefaultFrameAncestors, is BigCommerce's control panel.
	FrameAncestors string
	// SessionTTL is how long a session token lasts, from a minute to
	// MaxSessionTTL; the default is DefaultSessionTTL.
	SessionTTL time.Duration
	// Leeway is the clock skew allowed on payloads' and sessions' times,
	// up to MaxLeeway; the default is DefaultLeeway.
	Leeway time.Duration
	// ExchangeTimeout bounds the install code's exchange; the default is
	// DefaultExchangeTimeout.
	ExchangeTimeout time.Duration
	// Replays, when set, makes Verify refuse a payload whose jti it has
	// seen. It is nil by default, and payloads may be verified again while
	// they are valid: a merchant who reloads the app's frame sends the
	// same load URL, with the same payload, and would otherwise get an
	// error page. A replayed payload gives nothing its first use did not:
	// it names one store and one user, and BigCommerce gives it a short
	// life. Apps that want more, or that treat the uninstall callback as
	// a one-time event, set it (see NewReplayCache).
	Replays ReplayCache

	// Logger receives what the Handler does: installs, refusals and
	// failures, with store hashes and user ids, never a token, a code or
	// a secret. Nil logs nothing.
	Logger *slog.Logger

	// The hooks run after the Handler did its part of each callback; an
	// error from one makes the callback answer 500. Each may be called
	// again for the same event (a callback retried, an uninstall sent
	// twice), so they should be idempotent.
	//
	// OnInstall runs once the store's token is saved: App.Client works
	// for the store from then on.
	OnInstall func(ctx context.Context, in InstallInfo) error
	// OnLoad runs when a user opens the app, before the redirect to
	// AppURL.
	OnLoad func(ctx context.Context, c *Claims) error
	// OnUninstall runs once the store's token is deleted.
	OnUninstall func(ctx context.Context, c *Claims) error
	// OnRemoveUser runs when the store's owner removes a user's access.
	OnRemoveUser func(ctx context.Context, c *Claims) error
}

// String shows the Config without its client secret.
func (c Config) String() string {
	return fmt.Sprintf("bcapp.Config{ClientID: %q, ClientSecret: (redacted), AuthCallbackURL: %q, APIURL: %q, LoginURL: %q}",
		c.ClientID, c.AuthCallbackURL, c.APIURL, c.LoginURL)
}

// Format makes every fmt verb print String.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue keeps the client secret out of slog records.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", c.ClientID), slog.String("auth_callback_url", c.AuthCallbackURL))
}

// Forgetter is the method of a shared RateLimiter that lets an uninstall
// drop a store's shared-quota state; redisquota.Limiter has it.
type Forgetter interface {
	Forget(ctx context.Context, apiRoot string) error
}

// secret is a string that prints as "(redacted)", for the fields of App.
type secret string

func (secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("(redacted)")) }

// App is a BigCommerce app on many stores: it verifies BigCommerce's
// callbacks and serves them (Handler), keeps each store's token (in
// Config.Tokens), and hands out one client per store (Client). It is safe
// for concurrent use. Printing an App never shows its secrets.
type App struct {
	clientID        string
	secret          secret
	sessionKey      secret
	authCallbackURL string
	apiURL          string
	tokens          TokenStore
	opts            []bigcommerce.Option
	limiter         bigcommerce.RateLimiter
	forgetter       Forgetter
	apiHTTP         *http.Client
	loginHTTP       *http.Client
	oauth           *oauth2.Config
	appURL          string
	frameAncestors  string
	sessionTTL      time.Duration
	leeway          time.Duration
	exchangeTimeout time.Duration
	replays         ReplayCache
	log             *slog.Logger
	hooks           hooks
	payloads        *jwt.Parser
	sessions        *jwt.Parser
	handler         http.Handler
	pool            *pool
	// now is the clock of every check; tests move it.
	now func() time.Time
}

type hooks struct {
	install                 func(context.Context, InstallInfo) error
	load, uninstall, rmUser func(context.Context, *Claims) error
}

// String names the app by its client ID only.
func (a *App) String() string { return fmt.Sprintf("bcapp.App{ClientID: %q}", a.clientID) }

// Format makes every fmt verb print String.
func (a *App) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// New checks cfg and returns its App. Its errors are *ConfigError values,
// matching ErrInvalidConfig, that name the field and the rule.
func New(cfg Config) (*App, error) {
	for _, c := range []struct{ field, value string }{{"ClientID", cfg.ClientID}, {"ClientSecret", cfg.ClientSecret}} {
		if rule := credentialRule(c.value); rule != "" {
			return nil, &ConfigError{c.field, rule}
		}
	}
	if cfg.Tokens == nil {
		return nil, &ConfigError{"Tokens", "is required: NewMemoryStore for tests, OpenSQLite or OpenPostgres otherwise"}
	}
	callback, err := checkURL("AuthCallbackURL", cfg.AuthCallbackURL, true)
	if err != nil {
		return nil, err
	}
	apiURL, err := checkURL("APIURL", withDefault(cfg.APIURL, DefaultAPIURL), false)
	if err != nil {
		return nil, err
	}
	loginURL, err := checkURL("LoginURL", withDefault(cfg.LoginURL, DefaultLoginURL), false)
	if err != nil {
		return nil, err
	}
	a := &App{
		clientID:        cfg.ClientID,
		secret:          secret(cfg.ClientSecret),
		sessionKey:      secret(deriveSessionKey(cfg.ClientSecret)),
		authCallbackURL: callback,
		apiURL:          apiURL,
		tokens:          cfg.Tokens,
		opts:            append([]bigcommerce.Option(nil), cfg.ClientOptions...),
		limiter:         cfg.RateLimiter,
		appURL:          withDefault(cfg.AppURL, DefaultAppURL),
		frameAncestors:  withDefault(cfg.FrameAncestors, DefaultFrameAncestors),
		sessionTTL:      cfg.SessionTTL,
		leeway:          cfg.Leeway,
		exchangeTimeout: cfg.ExchangeTimeout,
		replays:         cfg.Replays,
		log:             cfg.Logger,
		hooks:           hooks{cfg.OnInstall, cfg.OnLoad, cfg.OnUninstall, cfg.OnRemoveUser},
		now:             time.Now,
	}
	if err := a.checkDurations(); err != nil {
		return nil, err
	}
	if err := checkAppURL(a.appURL); err != nil {
		return nil, err
	}
	if strings.ContainsAny(a.frameAncestors, ";,\r\n") {
		return nil, &ConfigError{"FrameAncestors", "must be a space-separated source list, without ';', ',' or line breaks"}
	}
	maxClients := cfg.MaxClients
	switch {
	case maxClients < 0:
		return nil, &ConfigError{"MaxClients", fmt.Sprintf("must not be negative, got %d", maxClients)}
	case maxClients == 0:
		maxClients = DefaultMaxClients
	}
	for i, o := range a.opts {
		if o == nil {
			return nil, &ConfigError{fmt.Sprintf("ClientOptions[%d]", i), "must not be nil"}
		}
	}
	if f, ok := cfg.RateLimiter.(Forgetter); ok {
		a.forgetter = f
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.apiHTTP, a.loginHTTP = httpClients(cfg.HTTPClient)
	a.oauth = bigcommerce.OAuthConfig(a.clientID, string(a.secret), a.authCallbackURL)
	a.oauth.Endpoint.TokenURL = loginURL + "/oauth2/token"
	clock := func() time.Time { return a.now() }
	a.payloads = newPayloadParser(a.clientID, a.leeway, clock)
	a.sessions = newSessionParser(a.clientID, a.leeway, clock)
	a.pool = newPool(maxClients)
	a.handler = a.newHandler()
	return a, nil
}

func withDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// checkDurations fills in the default durations and refuses the others
// out of bounds.
func (a *App) checkDurations() error {
	for _, d := range []struct {
		field    string
		v        *time.Duration
		def, min time.Duration
		max      time.Duration
	}{
		{"SessionTTL", &a.sessionTTL, DefaultSessionTTL, time.Minute, MaxSessionTTL},
		{"Leeway", &a.leeway, DefaultLeeway, 0, MaxLeeway},
		{"ExchangeTimeout", &a.exchangeTimeout, DefaultExchangeTimeout, 0, time.Hour},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < d.min || *d.v > d.max {
			return &ConfigError{d.field, fmt.Sprintf("must be between %s and %s, got %s", d.min, d.max, *d.v)}
		}
	}
	return nil
}

// checkURL parses an absolute http or https URL, refusing plain http to
// anything but a loopback address as the core does, since credentials
// travel there; it returns it without a trailing slash. A callback may
// have a query; the roots may not.
func checkURL(field, raw string, callback bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", &ConfigError{field, "must be an absolute http or https URL"}
	}
	if u.User != nil {
		return "", &ConfigError{field, "must not carry credentials"}
	}
	if u.Fragment != "" || (!callback && u.RawQuery != "") {
		return "", &ConfigError{field, "must not have a query or a fragment"}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", &ConfigError{field, fmt.Sprintf("must use https: plain http would expose codes and tokens on the network (it is allowed for loopback addresses only), got host %q", u.Host)}
		}
	default:
		return "", &ConfigError{field, fmt.Sprintf("scheme must be http or https, got %q", u.Scheme)}
	}
	if callback {
		return u.String(), nil
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAppURL accepts a path of the app's own site or an absolute http or
// https URL: /load redirects there.
func checkAppURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return &ConfigError{"AppURL", "must be a path such as /app or an absolute URL"}
	case u.Fragment != "":
		return &ConfigError{"AppURL", "must not have a fragment"}
	case u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	case !u.IsAbs() && u.Host == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(raw, "//"):
		return nil
	}
	return &ConfigError{"AppURL", "must be a path such as /app or an absolute http or https URL"}
}

// httpClients returns the client for the store clients and the one for
// the install exchange. The exchange's never follows a redirect: its
// request carries the client secret, and a 307 would send it on.
func httpClients(hc *http.Client) (api, login *http.Client) {
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// Every store's client sends to the same API host: one idle
		// pool, large enough for many stores at once, serves them all.
		tr.MaxIdleConnsPerHost = 64
		tr.ResponseHeaderTimeout = time.Minute
		hc = &http.Client{Transport: tr}
	}
	l := *hc
	l.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc, &l
}

// apiRoot is the API root of a store's client, as the client reports it.
func (a *App) apiRoot(storeHash string) string {
	return a.apiURL + "/stores/" + storeHash + "/v2"
}
