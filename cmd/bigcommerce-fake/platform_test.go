package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// startApp runs the program in app mode with args and reads its banner up
// to the last line, returning each labelled value (control panel, login
// URL, client id, ...) by its label.
func startApp(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	label := regexp.MustCompile(`^\s+(control panel|login URL|API URL|client id|client secret|store \w+)\s+(\S+)`)
	banner := make(map[string]string)
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "Stop with") {
		if m := label.FindStringSubmatch(lines.Text()); m != nil {
			banner[m[1]] = m[2]
		}
	}
	go io.Copy(io.Discard, out)
	if banner["control panel"] == "" {
		t.Fatalf("no control panel in the banner: %v", banner)
	}
	return banner
}

// app is an app built on the core SDK only: it exchanges install codes at
// the login server the banner named, and notes the signed callbacks.
type app struct {
	srv                    *httptest.Server
	mu                     sync.Mutex
	loginURL, id, secret   string
	tokens                 map[string]string
	callbacks, badPayloads []string
}

func newApp(t *testing.T) *app {
	a := &app{tokens: make(map[string]string)}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) configure(banner map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.loginURL, a.id, a.secret = banner["login URL"], banner["client id"], banner["client secret"]
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := r.URL.Query()
	if r.URL.Path == "/auth" {
		cfg := bigcommerce.OAuthConfig(a.id, a.secret, a.srv.URL+"/auth")
		cfg.Endpoint.TokenURL = a.loginURL + "/oauth2/token"
		tok, err := bigcommerce.ExchangeInstallCode(r.Context(), cfg, q.Get("code"), q.Get("scope"), q.Get("context"))
		if err != nil {
			http.Error(w, "install failed", http.StatusBadGateway)
			return
		}
		hash, _ := bigcommerce.StoreHashFromToken(tok)
		a.tokens[hash] = tok.AccessToken
		w.Write([]byte("installed"))
		return
	}
	a.callbacks = append(a.callbacks, r.URL.Path)
	if !validPayload(q.Get("signed_payload_jwt"), a.secret, a.id) {
		a.badPayloads = append(a.badPayloads, r.URL.Path)
	}
}

// validPayload checks the HMAC by hand, and the audience.
func validPayload(jwt, secret, clientID string) bool {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(parts[0] + "." + parts[1]))
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Aud string }
	json.Unmarshal(raw, &claims)
	return hmac.Equal([]byte(parts[2]), []byte(base64.RawURLEncoding.EncodeToString(m.Sum(nil)))) && claims.Aud == clientID
}

func (a *app) token(hash string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens[hash]
}

var frameSrc = regexp.MustCompile(`<iframe src="([^"]+)"`)

// click posts a control panel button and returns the page and its frame.
func click(t *testing.T, panel, action, store, clientID string) (string, string) {
	t.Helper()
	resp, err := http.PostForm(panel+"/"+action, url.Values{"store": {store}, "client_id": {clientID}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s on %s: %d\n%s", action, store, resp.StatusCode, b)
	}
	frame := ""
	if m := frameSrc.FindSubmatch(b); m != nil {
		frame = html.UnescapeString(string(m[1]))
	}
	return string(b), frame
}

func status(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestInstallClickThrough clicks through the control panel as a developer
// would, with the random credentials the banner printed: install on one
// store, open, uninstall.
func TestInstallClickThrough(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	banner := startApp(t, "-stores", "abc,def", "-app-url", a.srv.URL, "-app-name", "Groups app", "-seed", "3")
	a.configure(banner)
	if len(banner["client id"]) < 20 || len(banner["client secret"]) < 20 {
		t.Fatalf("banner credentials %q / %q: want random ones", banner["client id"], banner["client secret"])
	}
	panel := banner["control panel"]
	resp, err := http.Get(panel)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"abc", "def", "Groups app", "Install"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("control panel does not show %q:\n%s", want, page)
		}
	}

	_, frame := click(t, panel, "install", "abc", a.id)
	if !strings.HasPrefix(frame, a.srv.URL+"/auth?") {
		t.Fatalf("install frames %q, want the app's auth callback", frame)
	}
	if resp, err := http.Get(frame); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the app's auth callback in the frame: %v %v", resp, err)
	}
	token := a.token("abc")
	api := banner["API URL"] + "/stores/%s/v2/customer_groups/count"
	if got := status(t, strings.Replace(api, "%s", "abc", 1), token); token == "" || got != http.StatusOK {
		t.Fatalf("the installed app's token on abc: %d", got)
	}
	if got := status(t, strings.Replace(api, "%s", "def", 1), token); got != http.StatusUnauthorized {
		t.Errorf("abc's token on def: %d, want 401", got)
	}

	if _, frame := click(t, panel, "load", "abc", a.id); !strings.HasPrefix(frame, a.srv.URL+"/load?") || !validPayload(payloadIn(frame), a.secret, a.id) {
		t.Errorf("open frames %q, want the load callback with a payload signed by the printed secret", frame)
	}
	page2, _ := click(t, panel, "uninstall", "abc", a.id)
	if got := status(t, strings.Replace(api, "%s", "abc", 1), token); got != http.StatusUnauthorized {
		t.Errorf("the token after uninstall: %d, want 401", got)
	}
	a.mu.Lock()
	calls, bad := a.callbacks, a.badPayloads
	a.mu.Unlock()
	if strings.Join(calls, " ") != "/uninstall" || len(bad) != 0 {
		t.Errorf("the app's signed callbacks %v (bad payloads %v), want one good /uninstall", calls, bad)
	}
	if strings.Contains(string(page)+page2, a.secret) {
		t.Error("the control panel shows the client secret")
	}
}

func TestAppFlagsFixTheCredentialsAndCallbacks(t *testing.T) {
	t.Parallel()
	banner := startApp(t, "-store-hash", "dev", "-auth-url", "http://localhost:3000/bc/auth", "-client-id", "devclient", "-client-secret", "devsecret")
	if banner["client id"] != "devclient" || banner["client secret"] != "devsecret" || banner["store dev"] == "" {
		t.Errorf("banner %v: want the fixed credentials and the store dev", banner)
	}
	form := url.Values{"client_id": {"devclient"}, "client_secret": {"wrong"}, "grant_type": {"authorization_code"}, "code": {"x"}}
	resp, err := http.PostForm(banner["login URL"]+"/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong secret for the fixed client id: %d, want 401", resp.StatusCode)
	}
}

// payloadIn reads the signed payload of a callback URL.
func payloadIn(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return parsed.Query().Get("signed_payload_jwt")
}
