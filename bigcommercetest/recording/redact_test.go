package recording_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// secretFieldNames are the query parameters, form fields and JSON fields
// the recorder must redact by name: those of BigCommerce's OAuth and app
// flows, and the usual ones elsewhere.
var secretFieldNames = []string{
	"access_token", "client_id", "client_secret", "code", "token", "password", "api_key",
	"refresh_token", "signed_payload", "signed_payload_jwt", "id_token", "secret",
	"customer_impersonation_token", "accessToken", "clientSecret",
}

// echoEncodings are the forms in which the echo server sends back each
// secret it receives, and so what no file may hold: raw, JSON-escaped with
// and without HTML escaping, percent-encoded as a query and as a path in
// either case of hex, and base64 in both alphabets with and without
// padding.
func echoEncodings(v string) []string {
	htmlEscaped, _ := json.Marshal(v)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	lower := regexp.MustCompile(`%[0-9A-F]{2}`)
	out := []string{
		v,
		strings.Trim(string(htmlEscaped), `"`),
		strings.Trim(strings.TrimSpace(plain.String()), `"`),
		url.QueryEscape(v),
		url.PathEscape(v),
		lower.ReplaceAllStringFunc(url.QueryEscape(v), strings.ToLower),
		lower.ReplaceAllStringFunc(url.PathEscape(v), strings.ToLower),
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out = append(out, e.EncodeToString([]byte(v)))
	}
	return out
}

// echoServer sends back, in the body and in headers, every secret it
// receives wherever it receives it, in every echoEncodings form; its
// token endpoint answers new tokens, which the client never sent.
type echoServer struct {
	mu     sync.Mutex
	issued []string // tokens the token endpoint answered
}

func (e *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var got []string
	for _, h := range []string{"X-Auth-Token", "X-Auth-Client", "X-Shop-Key"} {
		if v := r.Header.Get(h); v != "" {
			got = append(got, v)
		}
	}
	if user, pass, ok := r.BasicAuth(); ok {
		got = append(got, user+":"+pass, pass)
	} else if a := r.Header.Get("Authorization"); a != "" {
		got = append(got, strings.TrimPrefix(a, "Bearer "))
	}
	for _, c := range r.Cookies() {
		got = append(got, c.Value)
	}
	for _, vs := range r.URL.Query() {
		got = append(got, vs...)
	}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(body))
		for _, vs := range form {
			got = append(got, vs...)
		}
	}
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		got = append(got, jsonStrings(doc)...)
	}

	if strings.HasSuffix(r.URL.Path, "/oauth2/token") {
		e.token(w, r, got)
		return
	}
	var echoes []string
	for _, v := range got {
		echoes = append(echoes, echoEncodings(v)...)
	}
	for i, v := range got {
		w.Header().Add("X-Echo", url.QueryEscape(v))
		w.Header().Add("X-Echo-B64", base64.StdEncoding.EncodeToString([]byte(v)))
		http.SetCookie(w, &http.Cookie{Name: fmt.Sprintf("echo%d", i), Value: base64.RawURLEncoding.EncodeToString([]byte(v))})
	}
	if len(got) > 0 {
		w.Header().Set("Location", "/callback?state=xyz&code="+url.QueryEscape(got[0]))
	}
	if r.Header.Get("Accept") == "application/json" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"echo": echoes, "path": r.URL.Path})
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s\n%s\n", r.URL.Path, strings.Join(echoes, "\n"))
}

// token answers a token request with tokens the client has not seen, as
// JSON or, for a client asking for text, as a form in a text/plain body.
func (e *echoServer) token(w http.ResponseWriter, r *http.Request, got []string) {
	access, refresh, id := "at-PLANTED-"+randomToken(), "rt-PLANTED-"+randomToken(), "idt-PLANTED-"+randomToken()
	// A credential under a name no list of secret names holds: the whole
	// answer of a token endpoint is secret, whatever its fields are called.
	unnamed := "gr-PLANTED-" + randomToken()
	e.mu.Lock()
	e.issued = append(e.issued, access, refresh, id, unnamed)
	e.mu.Unlock()
	// The new token echoed in a header of its own answer, which a file
	// shows above the body it is learnt from.
	w.Header().Set("X-Issued", access)
	if r.Header.Get("Accept") == "text/plain" {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "access_token=%s&token_type=bearer", url.QueryEscape(access))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "refresh_token": refresh, "id_token": id, "scope": "store_v2_customers",
		"user": map[string]any{"id": 9, "email": "merchant@example.com"}, "context": "stores/shop42",
		"grant":    map[string]any{"value": unnamed},
		"received": got,
	})
}

func (e *echoServer) tokens() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.issued...)
}

// jsonStrings lists every string in a decoded JSON value.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	}
	return nil
}

func randomToken() string { return strings.ToLower(rand.Text()) }

// planted makes a secret that holds every character an encoding treats
// specially; headers get the ASCII ones only, since net/http would not
// send the others as they are.
func planted(prefix string, ascii bool) string {
	s := prefix + "-PLANTED-" + randomToken()[:8] + `<a>&b/c+d=e "q"\z`
	if !ascii {
		s += "é€😀"
	}
	return s
}

// echoCall is one request of the recording the echo test makes.
type echoCall struct {
	method, path, accept, contentType, body string
	header                                  http.Header
}

// echoCalls builds the requests that carry a secret in every place one can
// be, each one new; newToken is the token the token endpoint answered.
func echoCalls(secrets *[]string, step int, newToken string) []echoCall {
	keep := func(s string) string { *secrets = append(*secrets, s); return s }
	query := url.Values{}
	form := url.Values{}
	nested := map[string]any{}
	for _, name := range secretFieldNames {
		query.Set(name, keep(planted("q-"+name, false)))
		form.Set(name, keep(planted("f-"+name, false)))
		nested[name] = keep(planted("j-"+name, false))
	}
	query.Set("shop_pin", keep(planted("pin", false)))
	query.Set("name", "Wholesale")
	doc, _ := json.Marshal(map[string]any{
		"name": "Wholesale", "auth": nested,
		"list": []any{map[string]any{"password": keep(planted("jlist", false)), "note": "kept"}},
	})
	refresh, _ := json.Marshal(map[string]string{"grant_type": "refresh_token", "refresh_token": keep(planted("refresh", false))})
	auth := func(token string) http.Header { return http.Header{"X-Auth-Token": {token}} }
	basic := http.Header{}
	(&http.Request{Header: basic}).SetBasicAuth("merchant", keep(planted("basic", true)))
	calls := []echoCall{
		{method: "POST", path: "/oauth2/token", accept: "application/json", contentType: "application/x-www-form-urlencoded", body: form.Encode(),
			header: http.Header{}},
		{method: "GET", path: "/stores/shop42/v2/customer_groups?" + query.Encode(), accept: "application/json",
			header: http.Header{
				"X-Auth-Token": {keep(planted("hdr", true))}, "X-Auth-Client": {keep(planted("client", true))},
				"X-Shop-Key": {keep(planted("shopkey", true))}, "Cookie": {"sid=" + keep("cookie-PLANTED-"+randomToken())},
			}},
		{method: "POST", path: "/stores/shop42/v2/customer_groups", accept: "text/plain", contentType: "application/json", body: string(doc),
			header: http.Header{"Authorization": {"Bearer " + keep(planted("bearer", true))}}},
		{method: "GET", path: "/api/v2/customer_groups/count", accept: "application/json", header: basic},
		{method: "GET", path: "/stores/shop42/v2/customer_groups/count", accept: "text/plain", header: auth(newToken)},
		{method: "POST", path: "/oauth2/token", accept: "text/plain", contentType: "application/json",
			body: string(refresh), header: http.Header{}},
	}
	return calls[step:]
}

// send makes c through hc to base and returns the body the client got.
func send(t *testing.T, hc *http.Client, base string, c echoCall) string {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header.Clone()
	req.Header.Set("Accept", c.accept)
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	return do(t, hc, req)
}

// TestRecordingAgainstAnEchoServerHoldsNoSecret records against a server
// that echoes every secret it receives, wherever it receives it, in every
// encoding a server may use, and whose token endpoint hands out tokens
// the client later sends: no file holds any of them in any of those
// forms, the client still got the answers unredacted, and the recording
// replays for a client with other secrets.
func TestRecordingAgainstAnEchoServerHoldsNoSecret(t *testing.T) {
	t.Parallel()
	echo := &echoServer{}
	srv := httptest.NewServer(echo)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil, recording.HideStoreHash("shop42"),
		recording.RedactHeaders("x-shop-key"), recording.RedactFields("Shop-Pin"))
	hc := &http.Client{Transport: rec}

	var secrets []string
	first := echoCalls(&secrets, 0, "")[0]
	if got := send(t, hc, srv.URL, first); !strings.Contains(got, echo.tokens()[0]) {
		t.Fatalf("the token endpoint's answer reached the client redacted: %s", got)
	}
	newToken := echo.tokens()[0]
	for _, c := range echoCalls(&secrets, 1, newToken) {
		if got := send(t, hc, srv.URL, c); !strings.Contains(got, "PLANTED") {
			t.Errorf("%s %s: the client got %.80q; the recorder must hand back what the server sent", c.method, c.path, got)
		}
	}
	// A later request puts a token learnt from an answer in its path.
	send(t, hc, srv.URL, echoCall{method: "GET", path: "/stores/shop42/v2/customers/" + url.PathEscape(newToken), accept: "application/json", header: http.Header{}})
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}

	secrets = append(secrets, echo.tokens()...)
	_, files := readAll(t, dir)
	if len(files) != 7 {
		t.Fatalf("%d files, want one per exchange", len(files))
	}
	for name, text := range files {
		if strings.Contains(text, "PLANTED") || strings.Contains(text, "shop42") {
			t.Errorf("%s holds a planted value or the store hash", name)
		}
		for i, s := range secrets {
			for j, e := range echoEncodings(s) {
				if strings.Contains(text, e) {
					t.Errorf("%s holds secret %d in encoding %d", name, i, j)
				}
			}
		}
	}
	for _, want := range []string{"X-Auth-Token: REDACTED\n", "X-Shop-Key: REDACTED\n", "Cookie: REDACTED\n", "shop_pin=REDACTED", "access_token=REDACTED"} {
		if !strings.Contains(strings.Join(mapValues(files), ""), want) {
			t.Errorf("no file holds %q", want)
		}
	}
	if t.Failed() {
		return
	}

	// Replay with a new set of secrets: every request is answered.
	tb := &fakeTB{TB: t}
	replay := recording.Replay(tb, dir, recording.FailIfUnused())
	var others []string
	for _, c := range echoCalls(&others, 0, "another-token-entirely") {
		send(t, replay, "https://api.bigcommerce.com", c)
	}
	send(t, replay, "https://api.bigcommerce.com", echoCall{method: "GET", path: "/stores/other/v2/customers/another-token-entirely", accept: "application/json", header: http.Header{}})
	tb.finish()
	if fails := tb.failures(); len(fails) != 0 {
		t.Errorf("replaying with other secrets: %q", fails)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestTokenAnswerIsRedactedWhole: a token endpoint's answer in a shape the
// recorder does not parse is replaced whole, and what it held is redacted
// wherever it is echoed later.
func TestTokenAnswerIsRedactedWhole(t *testing.T) {
	t.Parallel()
	const token = "opaque-token-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if strings.HasSuffix(r.URL.Path, "/oauth2/token") {
			io.WriteString(w, token)
			return
		}
		io.WriteString(w, "you sent "+r.Header.Get("X-Echo"))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil)
	hc := &http.Client{Transport: rec}
	req, _ := http.NewRequest("POST", srv.URL+"/oauth2/token", nil)
	do(t, hc, req)
	req, _ = http.NewRequest("GET", srv.URL+"/echo", nil)
	req.Header.Set("X-Echo", token)
	do(t, hc, req)
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	names, files := readAll(t, dir)
	if !strings.HasSuffix(files[names[0]], "\n\nREDACTED") || !strings.Contains(files[names[1]], "you sent REDACTED") {
		t.Errorf("files:\n%s\n%s", files[names[0]], files[names[1]])
	}
	mustNotContain(t, dir, token)
}

// TestTokenAnswerKeepsOnlyWhatAReplayNeeds: a token endpoint's JSON
// answer keeps its context, scope, token type and the users' ids, which
// replaying an install needs, and loses every other string, whatever its
// field is called; a bare JSON string is replaced whole.
func TestTokenAnswerKeepsOnlyWhatAReplayNeeds(t *testing.T) {
	t.Parallel()
	const (
		object = `{"access_token": "tok-0123456789", "scope": "store_v2_customers", "token_type": "bearer",` +
			` "user": {"id": 9, "email": "user@shop.example"}, "owner": {"id": 8, "username": "owner-name"},` +
			` "context": "stores/shop42", "grant": {"value": "grant-0123456789"}, "account_uuid": "acct-0123456789"}`
		bare = `"bare-0123456789"`
	)
	for name, answer := range map[string]string{"object": object, "bare string": bare} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, answer)
			}))
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			rec := recording.NewRecorder(dir, nil)
			req, _ := http.NewRequest("POST", srv.URL+"/oauth2/token", nil)
			do(t, &http.Client{Transport: rec}, req)
			if err := rec.Save(); err != nil {
				t.Fatal(err)
			}
			mustNotContain(t, dir, "tok-0123456789", "user@shop.example", "owner-name", "grant-0123456789", "acct-0123456789", "bare-0123456789")
			names, files := readAll(t, dir)
			file := files[names[0]]
			if name == "bare string" {
				if !strings.HasSuffix(file, "\n\nREDACTED") {
					t.Errorf("the file:\n%s", file)
				}
				return
			}
			for _, kept := range []string{`"scope": "store_v2_customers"`, `"token_type": "bearer"`, `"context": "stores/shop42"`, `"id": 9`, `"id": 8`} {
				if !strings.Contains(file, kept) {
					t.Errorf("the answer lost %s:\n%s", kept, file)
				}
			}
		})
	}
}

// TestShortValuesAreRedactedOnlyWhereFound: a secret-named field holding a
// short value is redacted there, but the value is not searched for
// elsewhere, where it would blot out unrelated text.
func TestShortValuesAreRedactedOnlyWhereFound(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code": "42", "count": 42, "name": "Group 42"}`)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil)
	req, _ := http.NewRequest("GET", srv.URL+"/things?code=42&page=42", nil)
	do(t, &http.Client{Transport: rec}, req)
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "0001-get-things.http"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"code=REDACTED&page=42", `"code": "REDACTED"`, `"count": 42`, `"name": "Group 42"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the file lacks %q:\n%s", want, b)
		}
	}
}
