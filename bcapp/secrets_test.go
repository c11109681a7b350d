package bcapp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestNoSecretInLogsPagesErrorsOrPanics runs an app's life with every
// log on, its store clients logging too, and checks that no log line, page,
// header, error or printed value holds the client secret, a token or an
// install code.
func TestNoSecretInLogsPagesErrorsOrPanics(t *testing.T) {
	t.Parallel()
	var out []string // every page, header, error and printed value
	var e *env
	e = newEnv(t, func(c *bcapp.Config) {
		c.ClientOptions = []bigcommerce.Option{bigcommerce.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{e: &e}, &slog.HandlerOptions{Level: slog.LevelDebug})))}
		c.OnInstall = func(_ context.Context, in bcapp.InstallInfo) error {
			if in.StoreHash == "abc123" {
				return fmt.Errorf("hook saw %v", in)
			}
			return nil
		}
	})
	keep := func(w *httptest.ResponseRecorder) {
		out = append(out, w.Body.String(), fmt.Sprint(w.Header()))
	}
	ctx := context.Background()

	// Installs: one that succeeds (its hook fails, quoting its argument),
	// one refused by a login server that echoes what it was sent.
	link := e.authLink(t, "abc123")
	keep(e.get(link))
	e.install(t, "def456")
	echoing := newEnvOn(t, e.p, answeringLogin(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_request","error_description":"%s"}`, r.PostForm.Encode())
	}), func(c *bcapp.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&syncWriter{e: &e}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	keep(echoing.get(authURL("CODE99q", "ggg777")))

	// The secrets of this life: the app's, the codes, the tokens issued.
	u, _ := url.Parse(link)
	secrets := []string{clientSecret, "CODE99q", u.Query().Get("code")}
	for _, h := range []string{"abc123", "def456"} {
		in, err := e.store.Load(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, in.AccessToken)
	}

	// Calls, a 401 that drops a client, callbacks good and bad, pages.
	if err := e.count(t, "abc123"); err != nil {
		t.Fatal(err)
	}
	e.addStore(t, "abc123").InjectFault(bigcommercetest.Fault{Status: http.StatusUnauthorized})
	if err := e.count(t, "abc123"); err == nil {
		t.Fatal("a revoked token worked")
	} else {
		out = append(out, err.Error())
	}
	keep(e.callback(t, "/load", claims("def456")))
	forged := with(claims("def456"), "note", clientSecret)
	keep(e.get("/load?signed_payload_jwt=" + sign(t, forged) + "x"))
	keep(e.callback(t, "/remove_user", claims("def456")))
	keep(e.callback(t, "/uninstall", claims("def456")))
	s, err := e.app.NewSession("abc123", bcapp.User{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	keep(serve(page(e), httptest.NewRequest(http.MethodGet, s.Link("/"), nil)))
	for _, err := range []error{
		e.count(t, "def456"),
		func() error { _, err := e.app.Verify(sign(t, forged) + "x"); return err }(),
		func() error { _, err := e.app.VerifySession(s.Token() + "x"); return err }(),
		func() error {
			_, err := bcapp.New(bcapp.Config{ClientID: clientID, ClientSecret: clientSecret + " "})
			return err
		}(),
	} {
		if err == nil {
			t.Fatal("a failure gave no error")
		}
		out = append(out, err.Error())
	}

	// Printed values, as a log line or a panic would print them.
	in, err := e.store.Load(ctx, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	cfg := bcapp.Config{ClientID: clientID, ClientSecret: clientSecret}
	kr := keyring(t, []byte(strings.Repeat("k", bcapp.KeySize)))
	for _, v := range []any{in, &in, cfg, &cfg, e.app, *s, s, kr, []any{in, cfg}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out = append(out, fmt.Sprintf(verb, v), panicked(v))
		}
		slog.New(slog.NewTextHandler(&syncWriter{e: &e}, nil)).Info("value", "v", v)
	}
	out = append(out, e.logs.String())
	if !strings.Contains(e.logs.String(), "bcapp: installed") || !strings.Contains(e.logs.String(), "bigcommerce: request") {
		t.Fatalf("the logs lack the app's or the clients' lines; the test sees nothing:\n%s", e.logs)
	}
	for _, o := range out {
		for _, secret := range secrets {
			if strings.Contains(o, secret) {
				t.Errorf("%q appears in:\n%s", secret, o)
			}
		}
		if strings.Contains(o, "kkkkkkkk") {
			t.Errorf("a key appears in:\n%s", o)
		}
	}
}

// panicked is what a recovered panic with v prints.
func panicked(v any) (s string) {
	defer func() { s = fmt.Sprint(recover()) }()
	panic(v)
}

// syncWriter writes to the env's log, so that the clients' lines join
// the app's.
type syncWriter struct{ e **env }

func (w *syncWriter) Write(p []byte) (int, error) { return (*w.e).logs.Write(p) }

// TestConfigErrorsNameTheField: New refuses a bad Config with a
// *ConfigError that names the field.
func TestConfigErrorsNameTheField(t *testing.T) {
	t.Parallel()
	good := func() bcapp.Config {
		return bcapp.Config{ClientID: "id", ClientSecret: "secret", AuthCallbackURL: "https://app.example.com/auth", Tokens: bcapp.NewMemoryStore()}
	}
	for _, tt := range []struct {
		field string
		edit  func(*bcapp.Config)
	}{
		{"ClientID", func(c *bcapp.Config) { c.ClientID = "" }},
		{"ClientSecret", func(c *bcapp.Config) { c.ClientSecret = "secret\n" }},
		{"Tokens", func(c *bcapp.Config) { c.Tokens = nil }},
		{"AuthCallbackURL", func(c *bcapp.Config) { c.AuthCallbackURL = "/auth" }},
		{"AuthCallbackURL", func(c *bcapp.Config) { c.AuthCallbackURL = "http://app.example.com/auth" }},
		{"APIURL", func(c *bcapp.Config) { c.APIURL = "http://api.example.com" }},
		{"APIURL", func(c *bcapp.Config) { c.APIURL = "https://user:pw@api.example.com" }},
		{"LoginURL", func(c *bcapp.Config) { c.LoginURL = "ftp://login.example.com" }},
		{"LoginURL", func(c *bcapp.Config) { c.LoginURL = "https://login.example.com?x=1" }},
		{"MaxClients", func(c *bcapp.Config) { c.MaxClients = -1 }},
		{"AppURL", func(c *bcapp.Config) { c.AppURL = "//evil.example.com/" }},
		{"AppURL", func(c *bcapp.Config) { c.AppURL = "app" }},
		{"FrameAncestors", func(c *bcapp.Config) { c.FrameAncestors = "https://a.example; script-src *" }},
		{"SessionTTL", func(c *bcapp.Config) { c.SessionTTL = 48 * 3600e9 }},
		{"Leeway", func(c *bcapp.Config) { c.Leeway = bcapp.MaxLeeway + 1 }},
		{"ExchangeTimeout", func(c *bcapp.Config) { c.ExchangeTimeout = -1 }},
		{"ClientOptions[0]", func(c *bcapp.Config) { c.ClientOptions = []bigcommerce.Option{nil} }},
	} {
		cfg := good()
		tt.edit(&cfg)
		_, err := bcapp.New(cfg)
		var ce *bcapp.ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, bcapp.ErrInvalidConfig) || ce.Field != tt.field {
			t.Errorf("%s: New = %v; want a *ConfigError on %s", tt.field, err, tt.field)
		}
	}
	cfg := good()
	cfg.APIURL, cfg.LoginURL, cfg.AppURL = "http://127.0.0.1:8080/", "http://localhost:9", "https://app.example.com/ui"
	if _, err := bcapp.New(cfg); err != nil {
		t.Errorf("loopback http and an absolute AppURL: %v", err)
	}
}
