package bigcommercetest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func newPlatform(t *testing.T, opts ...bigcommercetest.PlatformOption) *bigcommercetest.Platform {
	t.Helper()
	p := bigcommercetest.NewPlatform(opts...)
	t.Cleanup(p.Close)
	return p
}

func addStore(t *testing.T, p *bigcommercetest.Platform, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	s, err := p.AddStore(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testApp is an app as a user would write one, on the core SDK alone: its
// auth callback exchanges the code with ExchangeInstallCode and keeps the
// token; its other callbacks verify the payload by hand and note it.
type testApp struct {
	bigcommercetest.App
	srv *httptest.Server
	p   *bigcommercetest.Platform

	mu     sync.Mutex
	tokens map[string]string // by store hash
	calls  []callback
	status int // what the signed callbacks answer; 0 is 200
}

type callback struct {
	name   string
	claims map[string]any
	broken []string
}

// newTestApp serves an app and registers it with p, with all four
// callbacks.
func newTestApp(t *testing.T, p *bigcommercetest.Platform) *testApp {
	t.Helper()
	a := &testApp{p: p, tokens: make(map[string]string)}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	app, err := p.RegisterApp(bigcommercetest.App{Name: "Test app"}.WithCallbacksAt(a.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	a.App = app
	return a
}

func (a *testApp) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path == "/auth" {
		cfg := bigcommerce.OAuthConfig(a.ClientID, a.ClientSecret, a.AuthCallbackURL)
		cfg.Endpoint.TokenURL = a.p.LoginURL() + "/oauth2/token"
		tok, err := bigcommerce.ExchangeInstallCode(r.Context(), cfg, q.Get("code"), q.Get("scope"), q.Get("context"))
		if err != nil {
			http.Error(w, "install failed", http.StatusBadGateway)
			return
		}
		hash, err := bigcommerce.StoreHashFromToken(tok)
		if err != nil {
			http.Error(w, "install failed", http.StatusBadGateway)
			return
		}
		a.mu.Lock()
		a.tokens[hash] = tok.AccessToken
		a.mu.Unlock()
		w.Write([]byte("installed on " + hash))
		return
	}
	claims, broken := verifyPayload(q.Get("signed_payload_jwt"), a.ClientSecret, a.ClientID, time.Now())
	a.mu.Lock()
	a.calls = append(a.calls, callback{name: strings.TrimPrefix(r.URL.Path, "/"), claims: claims, broken: broken})
	status := a.status
	a.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
	}
	w.Write([]byte("seen"))
}

func (a *testApp) token(hash string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens[hash]
}

func (a *testApp) callbacks() []callback {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]callback(nil), a.calls...)
}

func (a *testApp) answer(status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.status = status
}

// install runs an install through the app's auth callback, as the
// merchant's browser would, and returns the token the app got.
func (a *testApp) install(t *testing.T, hash string) string {
	t.Helper()
	u, err := a.p.StartInstall(a.ClientID, hash, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, http.DefaultClient, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("auth callback: %d %s", resp.StatusCode, body)
	}
	return a.token(hash)
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// countGroups asks the store's API how many groups it has, with token.
func countGroups(t *testing.T, s *bigcommercetest.Server, token string) (int, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.OAuthBaseURL()+"/customer_groups/count", nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Count int }
	json.NewDecoder(resp.Body).Decode(&got)
	return resp.StatusCode, got.Count
}

var storeSubject = regexp.MustCompile(`^stores/[a-z0-9]+$`)

// verifyPayload checks a signed_payload_jwt by hand, with its HMAC worked
// out here rather than by the fake, and returns its claims and every rule
// it breaks: "alg" (not HS256), "signature" (under the header's own
// algorithm, so that a pinned algorithm is all that refuses HS512 or
// none), "iss", "aud", "exp" (missing or past), "nbf" (future), "sub".
func verifyPayload(jwt, secret, clientID string, now time.Time) (map[string]any, []string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, []string{"form"}
	}
	var header struct{ Alg, Typ string }
	var claims map[string]any
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return nil, []string{"form"}
	}
	var broken []string
	if header.Alg != "HS256" || header.Typ != "JWT" {
		broken = append(broken, "alg")
	}
	want := ""
	if header.Alg != "none" {
		h := map[string]func() hash.Hash{"HS256": sha256.New, "HS512": sha512.New}[header.Alg]
		if h == nil {
			h = sha256.New
		}
		m := hmac.New(h, []byte(secret))
		m.Write([]byte(parts[0] + "." + parts[1]))
		want = base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	if !hmac.Equal([]byte(parts[2]), []byte(want)) {
		broken = append(broken, "signature")
	}
	if claims["iss"] != "bc" {
		broken = append(broken, "iss")
	}
	if claims["aud"] != clientID {
		broken = append(broken, "aud")
	}
	if exp, ok := claims["exp"].(float64); !ok || !now.Before(time.Unix(int64(exp), 0)) {
		broken = append(broken, "exp")
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Before(time.Unix(int64(nbf), 0)) {
		broken = append(broken, "nbf")
	}
	if sub, _ := claims["sub"].(string); !storeSubject.MatchString(sub) {
		broken = append(broken, "sub")
	}
	return claims, broken
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// payloadOf reads the signed_payload_jwt of a callback URL.
func payloadOf(t *testing.T, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	jwt := parsed.Query().Get("signed_payload_jwt")
	if jwt == "" {
		t.Fatalf("%s has no signed_payload_jwt", parsed.Path)
	}
	return jwt
}
