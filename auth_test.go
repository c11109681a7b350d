package bigcommerce

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
)

func TestOAuthSendsXAuthToken(t *testing.T) {
	t.Parallel()
	auth := NewOAuth(testStoreHash, testToken)
	auth.ClientID = "client-1"
	c, mt, rec := setup(t)
	c.auth = auth
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/count", jsonResponder(200, `{"count":3}`))
	if _, _, err := c.CustomerGroups.Count(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	h := rec.last(t).Header
	if got := h.Get("X-Auth-Token"); got != testToken {
		t.Errorf("X-Auth-Token = %q", got)
	}
	if got := h.Get("X-Auth-Client"); got != "client-1" {
		t.Errorf("X-Auth-Client = %q", got)
	}
	if got := h.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none: the v2 API reads X-Auth-Token", got)
	}
}

func TestOAuthWithoutClientIDSendsNoXAuthClient(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/count", jsonResponder(200, `{"count":3}`))
	if _, _, err := c.CustomerGroups.Count(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.last(t).Header["X-Auth-Client"]; ok {
		t.Error("X-Auth-Client sent without a ClientID")
	}
}

func TestAuthenticatorRoots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth Authenticator
		want string
	}{
		{"OAuth goes to api.bigcommerce.com", NewOAuth("abc123", "t"), "https://api.bigcommerce.com/stores/abc123/v2"},
		{"Basic goes to the store's own /api/v2", &BasicAuth{StoreURL: "https://store-abc123.mybigcommerce.com", Username: "u", APIKey: "k"}, "https://store-abc123.mybigcommerce.com/api/v2"},
		{"Basic tolerates a trailing slash", &BasicAuth{StoreURL: "https://shop.example.com/", Username: "u", APIKey: "k"}, "https://shop.example.com/api/v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.auth)
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL() != tt.want {
				t.Errorf("BaseURL = %q, want %q", c.BaseURL(), tt.want)
			}
		})
	}
}

func TestBasicAuthSendsBasicCredentials(t *testing.T) {
	t.Parallel()
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"count":1}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(&BasicAuth{StoreURL: srv.URL, Username: "admin", APIKey: "key-SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CustomerGroups.Count(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/api/v2/customer_groups/count" {
		t.Errorf("path = %q", got.URL.Path)
	}
	user, key, ok := got.BasicAuth()
	if !ok || user != "admin" || key != "key-SECRET" {
		t.Errorf("basic auth = %q %q %v", user, key, ok)
	}
	if got.Header.Get("X-Auth-Token") != "" {
		t.Error("X-Auth-Token sent with Basic auth")
	}
}

func TestNewClientRefusesBadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		auth  Authenticator
		opts  []Option
		field string
	}{
		{"empty store hash", NewOAuth("", "t"), nil, "store hash"},
		{"store hash with capitals", NewOAuth("ABC123", "t"), nil, "store hash"},
		{"store hash that is a URL", NewOAuth("https://api.bigcommerce.com/stores/abc", "t"), nil, "store hash"},
		{"store hash with a slash", NewOAuth("abc/123", "t"), nil, "store hash"},
		{"store hash too long", NewOAuth(strings.Repeat("a", 65), "t"), nil, "store hash"},
		{"OAuth without a token source", &OAuth{StoreHash: "abc123"}, nil, "OAuth.TokenSource"},
		{"store URL that is not absolute", &BasicAuth{StoreURL: "store-abc.mybigcommerce.com", Username: "u", APIKey: "k"}, nil, "BasicAuth.StoreURL"},
		{"store URL with credentials", &BasicAuth{StoreURL: "https://u:p@shop.example.com", Username: "u", APIKey: "k"}, nil, "BasicAuth.StoreURL"},
		{"Basic without a username", &BasicAuth{StoreURL: "https://shop.example.com", APIKey: "k"}, nil, "BasicAuth.Username"},
		{"Basic without a key", &BasicAuth{StoreURL: "https://shop.example.com", Username: "u"}, nil, "BasicAuth.APIKey"},
		{"plain http to a remote host", &BasicAuth{StoreURL: "http://shop.example.com", Username: "u", APIKey: "k"}, nil, "base URL"},
		{"plain http base URL to a remote host", NewOAuth("abc123", "t"), []Option{WithBaseURL("http://10.1.2.3:8080/stores/abc123/v2")}, "base URL"},
		{"relative base URL", NewOAuth("abc123", "t"), []Option{WithBaseURL("/stores/abc123/v2")}, "base URL"},
		{"ftp base URL", NewOAuth("abc123", "t"), []Option{WithBaseURL("ftp://example.com/v2")}, "base URL"},
		{"negative retry max", NewOAuth("abc123", "t"), []Option{WithRetryMax(-1)}, "WithRetryMax"},
		{"retry wait min above max", NewOAuth("abc123", "t"), []Option{WithRetryWait(2, 1)}, "WithRetryWait"},
		{"nil HTTP client", NewOAuth("abc123", "t"), []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
		{"zero concurrency", NewOAuth("abc123", "t"), []Option{WithMaxConcurrentRequests(0)}, "WithMaxConcurrentRequests"},
		{"nil authenticator", nil, nil, "auth"},
		{"empty OAuth token", NewOAuth("abc123", ""), nil, "OAuth access token"},
		{"OAuth token with a trailing newline", NewOAuth("abc123", "tok123\n"), nil, "OAuth access token"},
		{"OAuth token with a space", NewOAuth("abc123", "tok 123"), nil, "OAuth access token"},
		{"OAuth token with a tab", NewOAuth("abc123", "tok123\t"), nil, "OAuth access token"},
		{"OAuth token with a control character", NewOAuth("abc123", "tok\x00123"), nil, "OAuth access token"},
		{"OAuth token with Bearer in front", NewOAuth("abc123", "Bearer tok123"), nil, "OAuth access token"},
		{"OAuth client id with a newline", &OAuth{StoreHash: "abc123", ClientID: "id\n", TokenSource: NewOAuth("abc123", "t").TokenSource}, nil, "OAuth.ClientID"},
		{"Basic key with a trailing newline", &BasicAuth{StoreURL: "https://shop.example.com", Username: "u", APIKey: "key123\n"}, nil, "BasicAuth.APIKey"},
		{"Basic key with a space", &BasicAuth{StoreURL: "https://shop.example.com", Username: "u", APIKey: "key 123"}, nil, "BasicAuth.APIKey"},
		{"Basic username with a trailing space", &BasicAuth{StoreURL: "https://shop.example.com", Username: "admin ", APIKey: "k"}, nil, "BasicAuth.Username"},
		{"WithoutThrottling with a shared limiter", NewOAuth("abc123", "t"), []Option{WithoutThrottling(), WithRateLimiter(&countingLimiter{})}, "WithoutThrottling"},
		{"nil rate limiter", NewOAuth("abc123", "t"), []Option{WithRateLimiter(nil)}, "WithRateLimiter"},
		{"negative rate-limit wait", NewOAuth("abc123", "t"), []Option{WithMaxRateLimitWait(-1)}, "WithMaxRateLimitWait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tt.auth, tt.opts...)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("err = %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestNewClientAllowsPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:8080/stores/abc123/v2", "http://localhost:1/api/v2", "http://[::1]:9/stores/abc123/v2", "https://proxy.example.com/bc/v2"} {
		c, err := NewClient(NewOAuth("abc123", "t"), WithBaseURL(u))
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		if c.BaseURL() != strings.TrimRight(u, "/") {
			t.Errorf("BaseURL = %q, want %q", c.BaseURL(), u)
		}
	}
}

func TestOAuthConfigPointsAtBigCommerce(t *testing.T) {
	t.Parallel()
	cfg := OAuthConfig("id", "secret", "https://app.example.com/auth", "store_v2_customers")
	if cfg.Endpoint.TokenURL != "https://login.bigcommerce.com/oauth2/token" {
		t.Errorf("TokenURL = %q", cfg.Endpoint.TokenURL)
	}
	if cfg.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		t.Errorf("AuthStyle = %v, want params in the body", cfg.Endpoint.AuthStyle)
	}
	if cfg.ClientID != "id" || cfg.ClientSecret != "secret" || cfg.RedirectURL != "https://app.example.com/auth" || len(cfg.Scopes) != 1 {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestExchangeInstallCode(t *testing.T) {
	t.Parallel()
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		form = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"tok-xyz","scope":"store_v2_customers","user":{"id":1,"email":"a@example.com"},"owner":{"id":1},"context":"stores/abc123","account_uuid":"u-1"}`)
	}))
	t.Cleanup(srv.Close)
	cfg := OAuthConfig("client-id", "client-secret", "https://app.example.com/auth", "store_v2_customers")
	cfg.Endpoint.TokenURL = srv.URL
	tok, err := ExchangeInstallCode(context.Background(), cfg, "code-1", "store_v2_customers", "stores/abc123")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"client_id": "client-id", "client_secret": "client-secret", "code": "code-1",
		"context": "stores/abc123", "scope": "store_v2_customers", "grant_type": "authorization_code",
		"redirect_uri": "https://app.example.com/auth",
	}
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	if tok.AccessToken != "tok-xyz" {
		t.Errorf("AccessToken = %q", tok.AccessToken)
	}
	hash, err := StoreHashFromToken(tok)
	if err != nil || hash != "abc123" {
		t.Errorf("StoreHashFromToken = %q, %v", hash, err)
	}
}

func TestStoreHashFromToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		context any
		want    string
		wantErr bool
	}{
		{"stores/hash", "stores/17hoqh4ddx", "17hoqh4ddx", false},
		{"missing context", nil, "", true},
		{"wrong prefix", "store/abc", "", true},
		{"malformed hash", "stores/ABC!", "", true},
		{"empty hash", "stores/", "", true},
		{"not a string", 42, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"context": tt.context})
			got, err := StoreHashFromToken(tok)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("got %q, %v", got, err)
			}
			var verr *ValidationError
			if err != nil && (!errors.As(err, &verr) || !errors.Is(err, ErrInvalidRequest)) {
				t.Errorf("err = %v (%T), want a *ValidationError matching ErrInvalidRequest", err, err)
			}
		})
	}
	if _, err := StoreHashFromToken(nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("nil token: %v", err)
	}
}

func TestExchangeInstallCodeRefusesBadContext(t *testing.T) {
	t.Parallel()
	cfg := OAuthConfig("id", "secret", "https://app.example.com/auth")
	cfg.Endpoint.TokenURL = "http://127.0.0.1:1/never"
	if _, err := ExchangeInstallCode(context.Background(), cfg, "code", "s", "nope"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("err = %v", err)
	}
	if _, err := ExchangeInstallCode(context.Background(), cfg, "", "s", "stores/abc"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("err = %v", err)
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	t.Parallel()
	oa := NewOAuth("abc123", testToken)
	ba := &BasicAuth{StoreURL: "https://shop.example.com", Username: "admin", APIKey: "key-SECRET-123"}
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("auth", "oauth", oa, "basic", ba)
	type config struct {
		Auth BasicAuth
		Name string
	}
	logger.Info("values", "oauth", *oa, "basic", *ba, "config", config{Auth: *ba, Name: "x"})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, v := range []any{oa, ba, *oa, *ba, config{Auth: *ba}, []any{ba}} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, testToken) || strings.Contains(out, "key-SECRET-123") {
				t.Errorf("%s printed a secret: %s", verb, out)
			}
		}
	}
	if strings.Contains(logged.String(), testToken) || strings.Contains(logged.String(), "key-SECRET-123") {
		t.Errorf("slog printed a secret: %s", logged.String())
	}
	if !strings.Contains(logged.String(), "abc123") {
		t.Errorf("slog record lost the store hash: %s", logged.String())
	}
}

// failingSource fails with a message quoting a secret, as an oauth2
// RetrieveError quoting a token endpoint's body might.
type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) {
	return nil, errors.New("oauth2: cannot fetch token: body: {\"access_token\":\"" + testToken + "\"}")
}

func TestTokenSourceErrorsDoNotEchoSecrets(t *testing.T) {
	t.Parallel()
	c, _, rec := setup(t)
	c.auth = &OAuth{StoreHash: "abc123", TokenSource: failingSource{}}
	_, _, err := c.CustomerGroups.Get(context.Background(), 1)
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
	if rec.count() != 0 {
		t.Errorf("a request was sent without credentials")
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte("admin:key-SECRET-123"))
	auths := map[string]Authenticator{
		"oauth": NewOAuth(testStoreHash, testToken),
		"basic": &BasicAuth{StoreURL: "https://shop.example.com", Username: "admin", APIKey: "key-SECRET-123"},
	}
	for name, auth := range auths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var logged bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
			// Without throttling, so that the 429 does not hold back the
			// calls after it and every one of them reaches the server.
			c, mt, _ := setup(t, WithLogger(logger), WithRetryMax(1), WithoutThrottling())
			c.auth = auth
			var echoed atomic.Int32
			mt.RegisterResponder("GET", testBaseURL+"/customer_groups/1", fixture(t, "error_401"))
			mt.RegisterResponder("GET", testBaseURL+"/customer_groups/2", fixture(t, "error_503_plain"))
			mt.RegisterResponder("GET", testBaseURL+"/customer_groups/3", fixture(t, "error_429"))
			mt.RegisterResponder("GET", testBaseURL+"/customer_groups/4", func(*http.Request) (*http.Response, error) {
				return nil, errors.New("connection reset by peer")
			})
			mt.RegisterResponder("GET", testBaseURL+"/customer_groups/5", func(req *http.Request) (*http.Response, error) {
				// A broken server echoing the request's credentials back.
				echoed.Add(1)
				return jsonResponder(500, fmt.Sprintf(`[{"status":500,"message":"boom: %s %s"}]`,
					req.Header.Get("X-Auth-Token"), req.Header.Get("Authorization")))(req)
			})
			var errs []string
			for id := 1; id <= 5; id++ {
				_, _, err := c.CustomerGroups.Get(context.Background(), id)
				if err == nil {
					t.Fatalf("Get(%d) succeeded", id)
				}
				errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			}
			// The echoing server was reached, so the checks below can fail.
			if echoed.Load() == 0 {
				t.Fatal("the echoing server was never asked")
			}
			all := strings.Join(errs, "\n") + logged.String()
			for _, secret := range []string{testToken, basic, "key-SECRET-123"} {
				if strings.Contains(all, secret) {
					t.Errorf("a secret appeared in errors or logs:\n%s", all)
				}
			}
			if !strings.Contains(logged.String(), "bigcommerce: retrying") || !strings.Contains(logged.String(), "/customer_groups/2") {
				t.Errorf("debug log lacks the retry records:\n%s", logged.String())
			}
		})
	}
}

// TestServerEchoOfCredentialsIsRedacted: a broken server or proxy that
// quotes the request's credentials in its error body must not get them
// into the error, for either scheme.
func TestServerEchoOfCredentialsIsRedacted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, key, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `[{"status":400,"message":"bad credentials: token=%s authorization=%s key=%s","details":{"echo":%q}}]`,
			r.Header.Get("X-Auth-Token"), r.Header.Get("Authorization"), key, r.Header.Get("X-Auth-Token")+r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	basic := base64.StdEncoding.EncodeToString([]byte("admin:key-SECRET-123"))
	clients := map[string]Authenticator{
		"oauth": NewOAuth("abc123", testToken),
		"basic": &BasicAuth{StoreURL: srv.URL, Username: "admin", APIKey: "key-SECRET-123"},
	}
	for name, auth := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(auth, WithBaseURL(srv.URL+"/stores/abc123/v2"))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.CustomerGroups.Get(context.Background(), 1)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
				t.Fatalf("err = %v", err)
			}
			all := err.Error() + fmt.Sprintf("%+v %#v", apiErr.Errors, apiErr.Errors)
			for _, secret := range []string{testToken, basic, "key-SECRET-123"} {
				if strings.Contains(all, secret) {
					t.Errorf("a credential survived in the error: %s", all)
				}
			}
			if !strings.Contains(all, "(redacted)") {
				t.Errorf("nothing was redacted: %s", all)
			}
		})
	}
}

func TestTheValidationErrorSaysWhereANewlineComesFrom(t *testing.T) {
	t.Parallel()
	_, err := NewClient(NewOAuth("abc123", "tok123\n"))
	if err == nil || !strings.Contains(err.Error(), "environment variable") || strings.Contains(err.Error(), "tok123") {
		t.Fatalf("err = %v: want a hint about files and environment variables, and no token", err)
	}
}

// checkedAuth is a custom Authenticator whose Validate refuses.
type checkedAuth struct{ calls *int }

func (a checkedAuth) BaseURL() string                  { return "https://api.bigcommerce.com/stores/abc123/v2" }
func (a checkedAuth) Authenticate(*http.Request) error { return nil }
func (a checkedAuth) Validate() error {
	*a.calls++
	return invalidf("custom", "refused")
}

// plainAuth is a custom Authenticator with no Validate.
type plainAuth struct{}

func (plainAuth) BaseURL() string                    { return "https://api.bigcommerce.com/stores/abc123/v2" }
func (plainAuth) Authenticate(r *http.Request) error { r.Header.Set("X-Auth-Token", "x"); return nil }

func TestNewClientCallsACustomAuthenticatorsValidator(t *testing.T) {
	t.Parallel()
	calls := 0
	var _ Validator = checkedAuth{}
	if _, err := NewClient(checkedAuth{&calls}); !errors.Is(err, ErrInvalidRequest) || calls != 1 {
		t.Fatalf("err = %v after %d Validate calls, want the validator's refusal after one", err, calls)
	}
	if _, err := NewClient(plainAuth{}); err != nil {
		t.Fatalf("an Authenticator without Validate: %v", err)
	}
}

func TestATokenFromATokenSourceIsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	c, _, rec := setupWith(t, &OAuth{StoreHash: testStoreHash, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok123\n"})})
	_, _, err := c.CustomerGroups.Get(context.Background(), 1)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "OAuth access token" || rec.count() != 0 {
		t.Fatalf("err = %v after %d requests, want a refusal naming the token before sending", err, rec.count())
	}
}
