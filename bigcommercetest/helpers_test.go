package bigcommercetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func newFake(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	s := bigcommercetest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// edit changes a request before send sends it.
type edit func(*http.Request)

func header(key, value string) edit {
	return func(r *http.Request) { r.Header.Set(key, value) }
}

func readOnly(s *bigcommercetest.Server) edit {
	return header("X-Auth-Token", s.ReadOnlyToken)
}

// basic moves the request to the Basic-auth root with the given credentials.
func basic(s *bigcommercetest.Server, user, key string) edit {
	return func(r *http.Request) {
		r.Header.Del("X-Auth-Token")
		r.URL.Path = "/api/v2" + strings.TrimPrefix(r.URL.Path, "/stores/"+s.StoreHash+"/v2")
		r.SetBasicAuth(user, key)
	}
}

// send makes a request under the OAuth root with the read-write token and,
// when there is a body, a JSON content type; edits adjust that.
func send(t *testing.T, s *bigcommercetest.Server, method, path, body string, edits ...edit) (*http.Response, []byte) {
	t.Helper()
	return sendWith(t, http.DefaultClient, s, method, path, body, edits...)
}

func sendWith(t *testing.T, c *http.Client, s *bigcommercetest.Server, method, path, body string, edits ...edit) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.OAuthBaseURL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", s.AccessToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, e := range edits {
		e(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// wantV2Error checks the v2 error shape: a JSON array of one object whose
// status matches the response and whose message mentions each of mention.
func wantV2Error(t *testing.T, resp *http.Response, body []byte, status int, mention ...string) {
	t.Helper()
	wantStatus(t, resp, body, status)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var errs []struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &errs); err != nil || len(errs) != 1 {
		t.Fatalf("body %s is not a v2 error array of one: %v", body, err)
	}
	if errs[0].Status != status || errs[0].Message == "" {
		t.Errorf("error %+v, want status %d and a message", errs[0], status)
	}
	for _, m := range mention {
		if !strings.Contains(errs[0].Message, m) {
			t.Errorf("message %q does not mention %q", errs[0].Message, m)
		}
	}
}

type object = map[string]any

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

// create posts body and returns the stored group as the server answered it.
func create(t *testing.T, s *bigcommercetest.Server, body string) object {
	t.Helper()
	resp, b := send(t, s, http.MethodPost, "/customer_groups", body)
	wantStatus(t, resp, b, http.StatusCreated)
	return decode[object](t, b)
}

// ids lists the ids of a list answer, in order.
func ids(t *testing.T, body []byte) []int {
	t.Helper()
	var out []int
	for _, g := range decode[[]object](t, body) {
		out = append(out, int(g["id"].(float64)))
	}
	return out
}

var withSeedOne = bigcommercetest.WithSeed(1)
