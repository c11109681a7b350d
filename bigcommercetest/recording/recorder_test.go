package recording_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// mustNotContain fails the test if any file in dir holds one of the
// values, naming the file but not the value, which may be a secret.
func mustNotContain(t *testing.T, dir string, values ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range values {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds value %d of %d that must not be written", e.Name(), i+1, len(values))
			}
		}
	}
}

// readAll returns the files of dir by name, in name order.
func readAll(t *testing.T, dir string) ([]string, map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
		files[e.Name()] = string(b)
	}
	return names, files
}

func do(t *testing.T, hc *http.Client, req *http.Request) string {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecorderRedactsEverySecret(t *testing.T) {
	t.Parallel()
	const token = "tok+PLANTED/one="
	srv := newFake(t, bigcommercetest.WithStoreHash("shop42"), bigcommercetest.WithAccessToken(token))
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil,
		recording.HideStoreHash("shop42"), recording.RedactSecrets("extra-PLANTED-four"))
	hc := &http.Client{Transport: rec}

	// Headers, and the token echoed in a query, escaped as a query escapes it.
	q := url.Values{"name:like": {token}, "note": {"extra-PLANTED-four"}}
	req, _ := http.NewRequest("GET", srv.OAuthBaseURL()+"/customer_groups?"+q.Encode(), nil)
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-Auth-Client", "client-PLANTED-two")
	req.Header.Set("Cookie", "session=cookie-PLANTED-three")
	do(t, hc, req)

	// The token in a request body, which the store echoes in its answer.
	req, _ = http.NewRequest("POST", srv.OAuthBaseURL()+"/customer_groups",
		strings.NewReader(`{"name":"Echo `+token+` extra-PLANTED-four"}`))
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("Content-Type", "application/json")
	if got := do(t, hc, req); !strings.Contains(got, token) {
		t.Errorf("the client got %q: the recorder must hand back what the store sent, unredacted", got)
	}

	// Basic auth: the API key, whether as itself or inside the header.
	req, _ = http.NewRequest("GET", srv.BasicBaseURL()+"/customer_groups/count?key="+srv.APIKey, nil)
	req.SetBasicAuth(srv.Username, srv.APIKey)
	do(t, hc, req)

	// A cookie set by the server and echoed in its body.
	cookies := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "cookie-PLANTED-five"})
		w.Write([]byte(`{"sid":"cookie-PLANTED-five"}`))
	}))
	t.Cleanup(cookies.Close)
	req, _ = http.NewRequest("GET", cookies.URL+"/session", nil)
	do(t, hc, req)

	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(srv.Username + ":" + srv.APIKey))
	mustNotContain(t, dir, "PLANTED", srv.APIKey, basic, "shop42")
	names, files := readAll(t, dir)
	if len(names) != 4 {
		t.Fatalf("files %v, want one per exchange", names)
	}
	for _, want := range []string{
		"GET /stores/{store_hash}/v2/customer_groups?",
		"X-Auth-Token: REDACTED\n", "X-Auth-Client: REDACTED\n", "Cookie: REDACTED\n",
	} {
		if !strings.Contains(files[names[0]], want) {
			t.Errorf("%s lacks %q:\n%s", names[0], want, files[names[0]])
		}
	}
	if !strings.Contains(files[names[2]], "Authorization: REDACTED\n") {
		t.Errorf("%s lacks the redacted Authorization header:\n%s", names[2], files[names[2]])
	}
	if !strings.Contains(files[names[3]], "Set-Cookie: REDACTED\n") {
		t.Errorf("%s lacks the redacted Set-Cookie header:\n%s", names[3], files[names[3]])
	}
}

// TestRecorderWritesOneReadableFilePerExchange: numbered in request order,
// named for the call, the request above the response, JSON indented, and
// nothing else (no temporary files) left in the directory.
func TestRecorderWritesOneReadableFilePerExchange(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithStoreHash("shop7"))
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil, recording.HideStoreHash("shop7"))
	client := recordingClient(t, srv, rec)
	ctx := context.Background()
	g, _, err := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.CustomerGroups.Get(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	names, files := readAll(t, dir)
	want := []string{"0001-post-customer_groups.http", "0002-get-customer_groups-1.http", "0003-get-customer_groups-count.http"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	create := files[want[0]]
	for _, re := range []string{
		`^POST /stores/\{store_hash\}/v2/customer_groups HTTP/1\.1\n`,
		`\nContent-Length: \d+\n`,
		`\n\n\{\n  "name": "Wholesale"\n\}\n\nHTTP/1\.1 201 Created\n`,
		`\nX-Rate-Limit-Requests-Left: \d+\n`,
		`\n\n\{\n  "id": 1,\n  "name": "Wholesale",\n`,
	} {
		if !regexp.MustCompile(re).MatchString(create) {
			t.Errorf("%s does not match %s:\n%s", want[0], re, create)
		}
	}
}

// recordingClient returns an SDK client for srv whose requests go through rec.
func recordingClient(t *testing.T, srv *bigcommercetest.Server, rec *recording.Recorder) *bigcommerce.Client {
	t.Helper()
	tg := srv.Target()
	tg.HTTPClient = &http.Client{Transport: rec}
	c, err := tg.Client(bigcommerce.WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRecorderRefusesToWriteOverARecording(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	const old = "0001-get-customer_groups.http"
	if err := os.WriteFile(filepath.Join(dir, old), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := recording.NewRecorder(dir, nil)
	_, _, err := recordingClient(t, srv, rec).CustomerGroups.Count(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "OverwriteRecording") {
		t.Errorf("Count: err %v, want the refusal naming OverwriteRecording", err)
	}
	if rec.Err() == nil || rec.Save() == nil {
		t.Error("Err() or Save() is nil after a refusal")
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("the store got %d requests; a refused recording must send none", n)
	}
	names, files := readAll(t, dir)
	if len(names) != 1 || files[old] != "kept" {
		t.Errorf("the old recording changed: %v", files)
	}
}

func TestRecorderOverwritesWhenTold(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	for _, name := range []string{"0001-get-customer_groups.http", "0002-get-customer_groups.http"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := recording.NewRecorder(dir, nil, recording.OverwriteRecording())
	if _, _, err := recordingClient(t, srv, rec).CustomerGroups.Count(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	names, _ := readAll(t, dir)
	if !slices.Equal(names, []string{"0001-get-customer_groups-count.http"}) {
		t.Errorf("files %v, want only the new exchange", names)
	}
}

// TestRecorderUnderConcurrentRequests: requests in flight together each get
// a number and a file of their own, and the recording replays.
func TestRecorderUnderConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(2))
	dir := t.TempDir()
	rec := recording.NewRecorder(dir, nil, recording.HideStoreHash(srv.StoreHash))
	client := recordingClient(t, srv, rec)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, _, err := client.CustomerGroups.Count(context.Background(), nil)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	names, _ := readAll(t, dir)
	if len(names) != n || names[0] != "0001-get-customer_groups-count.http" || names[n-1] != "0008-get-customer_groups-count.http" {
		t.Fatalf("files %v, want 0001 to 0008", names)
	}
	replay, err := bigcommerce.NewClient(bigcommerce.NewOAuth("elsewhere", "tok"),
		bigcommerce.WithHTTPClient(recording.Replay(t, dir, recording.FailIfUnused())))
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if got, _, err := replay.CustomerGroups.Count(context.Background(), nil); err != nil || got != 2 {
			t.Fatalf("replayed count %d, %v; want 2", got, err)
		}
	}
}
