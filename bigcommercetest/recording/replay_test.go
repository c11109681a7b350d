package recording_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// fakeTB stands in for the test given to Replay, so that a test can see the
// failures Replay reports instead of failing itself.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...) }

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// finish runs the cleanups, as the end of a test would.
func (f *fakeTB) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func (f *fakeTB) failures() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// exchange writes one recorded exchange in the Recorder's format.
func exchange(t *testing.T, dir, name, request, body, response string) {
	t.Helper()
	text := request + "\n"
	if body != "" {
		text += fmt.Sprintf("Content-Length: %d\n\n%s\n", len(body), body)
	} else {
		text += "\n\n"
	}
	text += response
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	countOf3 = "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"count\": 3}\n"
	created  = "HTTP/1.1 201 Created\nContent-Type: application/json\n\n{\"id\": 9, \"name\": \"Gold\"}\n"
)

// call sends method and target (a path under the store's root, with any
// query) through hc, and returns the status and body, or the error.
func call(hc *http.Client, method, target, body string) (int, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "https://api.bigcommerce.com/stores/live7/v2"+target, rd)
	if err != nil {
		return 0, "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestReplayMatchesTheQueryInAnyOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-get-customer_groups.http",
		"GET /stores/{store_hash}/v2/customer_groups?limit=2&name%3Alike=gold&page=1&id%3Ain=3&id%3Ain=1 HTTP/1.1", "", countOf3)
	hc := recording.Replay(t, dir)
	status, _, err := call(hc, "GET", "/customer_groups?id%3Ain=1&page=1&name%3Alike=gold&id%3Ain=3&limit=2", "")
	if err != nil || status != 200 {
		t.Errorf("keys and repeated values in another order: status %d, err %v; want the recorded 200", status, err)
	}
}

func TestReplayMatchesJSONBodiesByValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-post-customer_groups.http", "POST /stores/{store_hash}/v2/customer_groups HTTP/1.1",
		`{"name": "Gold", "discount_rules": [{"type": "all", "amount": "5", "n": 5.0}]}`, created)
	hc := recording.Replay(t, dir)
	status, body, err := call(hc, "POST", "/customer_groups", `{"discount_rules":[{"n":5,"amount":"5","type":"all"}],"name":"Gold"}`)
	if err != nil || status != 201 || !strings.Contains(body, `"id": 9`) {
		t.Errorf("the same JSON, keys reordered, spaced and 5.0 as 5: %d %q %v; want the recorded 201", status, body, err)
	}
}

// TestReplayExplainsAnUnmatchedRequest checks that a request nothing
// answers fails the test and the call, naming the nearest recorded
// exchange and what differs.
func TestReplayExplainsAnUnmatchedRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-get-customer_groups-count.http", "GET /stores/{store_hash}/v2/customer_groups/count HTTP/1.1", "", countOf3)
	exchange(t, dir, "0002-get-customer_groups.http", "GET /stores/{store_hash}/v2/customer_groups?limit=2&page=1 HTTP/1.1", "", countOf3)
	exchange(t, dir, "0003-post-customer_groups.http", "POST /stores/{store_hash}/v2/customer_groups HTTP/1.1",
		`{"name": "Gold", "discount_rules": [{"type": "all", "amount": "5"}]}`, created)
	for _, tc := range []struct {
		name, method, target, body string
		want                       []string
	}{
		{"another method", "PUT", "/customer_groups/count", "",
			[]string{"0001-get-customer_groups-count.http", "method PUT, recorded GET"}},
		{"another path", "GET", "/customer_groups/counts", "",
			[]string{"0001-get-customer_groups-count.http", "path /stores/live7/v2/customer_groups/counts, recorded /stores/{store_hash}/v2/customer_groups/count"}},
		{"a query value", "GET", "/customer_groups?limit=2&page=2", "",
			[]string{"0002-get-customer_groups.http", `query key "page" sent as "2", recorded as "1"`}},
		{"a query key too many", "GET", "/customer_groups?limit=2&page=1&name=Gold", "",
			[]string{"0002-get-customer_groups.http", `query key "name" sent as "Gold", not recorded`}},
		{"a body field", "POST", "/customer_groups", `{"name": "Gold", "discount_rules": [{"type": "all", "amount": "6"}]}`,
			[]string{"0003-post-customer_groups.http", `body field discount_rules[0].amount sent as "6", recorded as "5"`}},
		{"a missing body field", "POST", "/customer_groups", `{"name": "Gold"}`,
			[]string{"0003-post-customer_groups.http", `body field discount_rules not sent, recorded as [{"amount":"5","type":"all"}]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := &fakeTB{TB: t}
			_, _, err := call(recording.Replay(tb, dir), tc.method, tc.target, tc.body)
			fails := tb.failures()
			if len(fails) != 1 {
				t.Fatalf("test failures %q, want one", fails)
			}
			t.Log(fails[0])
			if err == nil || !strings.Contains(err.Error(), fails[0]) {
				t.Errorf("the client got %v, want the same message as the test", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(fails[0], w) {
					t.Errorf("message %q lacks %q", fails[0], w)
				}
			}
		})
	}
}

func TestReplayAnswersRepeatedRequestsInRecordedOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, n := range []int{3, 4} {
		exchange(t, dir, fmt.Sprintf("%04d-get-customer_groups-count.http", i+1), "GET /stores/{store_hash}/v2/customer_groups/count HTTP/1.1", "",
			fmt.Sprintf("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"count\": %d}\n", n))
	}
	tb := &fakeTB{TB: t}
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth("live7", "tok"),
		bigcommerce.WithHTTPClient(recording.Replay(tb, dir)), bigcommerce.WithRetryMax(0))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for range 2 {
		n, _, err := client.CustomerGroups.Count(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if fmt.Sprint(got) != "[3 4]" {
		t.Errorf("counts %v, want the recorded [3 4] in order", got)
	}
	if _, _, err := client.CustomerGroups.Count(context.Background(), nil); err == nil {
		t.Error("a third count was answered; only two were recorded")
	}
	if fails := tb.failures(); len(fails) != 1 || !strings.Contains(fails[0], "the 2 recorded like it were all answered already") {
		t.Errorf("failures %q, want one saying both recorded counts were used", fails)
	}
}

func TestReplayFailIfUnused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-get-customer_groups-count.http", "GET /stores/{store_hash}/v2/customer_groups/count HTTP/1.1", "", countOf3)
	exchange(t, dir, "0002-post-customer_groups.http", "POST /stores/{store_hash}/v2/customer_groups HTTP/1.1", `{"name":"Gold"}`, created)
	for _, strict := range []bool{false, true} {
		tb := &fakeTB{TB: t}
		var opts []recording.ReplayOption
		if strict {
			opts = append(opts, recording.FailIfUnused())
		}
		if _, _, err := call(recording.Replay(tb, dir, opts...), "GET", "/customer_groups/count", ""); err != nil {
			t.Fatal(err)
		}
		tb.finish()
		fails := tb.failures()
		switch {
		case !strict && len(fails) != 0:
			t.Errorf("without FailIfUnused: failures %q, want none", fails)
		case strict && (len(fails) != 1 || !strings.Contains(fails[0], "1 of 2 recorded exchanges were never requested: 0002-post-customer_groups.http")):
			t.Errorf("with FailIfUnused: failures %q, want one naming 0002-post-customer_groups.http", fails)
		}
	}
}

func TestReplayWithoutARecordingFailsAtOnce(t *testing.T) {
	t.Parallel()
	tb := &fakeTB{TB: t}
	if hc := recording.Replay(tb, t.TempDir()); hc != nil {
		t.Error("Replay returned a client for an empty directory")
	}
	if fails := tb.failures(); len(fails) != 1 || !strings.Contains(fails[0], "no recording in") {
		t.Errorf("failures %q, want one saying there is no recording", fails)
	}
}

// TestReplayMatchesPlaceholdersAndRedactions: where the recorder hid the
// store hash or a secret, any value matches, so a client with other
// credentials on another store still replays; the text around them must
// still match.
func TestReplayMatchesPlaceholdersAndRedactions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-post-customer_groups.http", "POST /stores/{store_hash}/v2/customer_groups?note=REDACTED HTTP/1.1",
		`{"name": "Gold of {store_hash}", "token": "REDACTED"}`, created)
	for _, tc := range []struct {
		target, body string
		match        bool
	}{
		{"/customer_groups?note=s3cret", `{"name": "Gold of live7", "token": "t0ken"}`, true},
		{"/customer_groups?note=s3cret", `{"name": "Silver of live7", "token": "t0ken"}`, false},
		{"/customer_groups?note=", `{"name": "Gold of live7", "token": "t0ken"}`, false},
	} {
		tb := &fakeTB{TB: t}
		status, _, err := call(recording.Replay(tb, dir), "POST", tc.target, tc.body)
		if got := err == nil && status == 201; got != tc.match {
			t.Errorf("%s with %s: matched %v (err %v), want %v", tc.target, tc.body, got, err, tc.match)
		}
	}
}

// roundTripFunc counts or changes requests on their way to a transport.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestReplayMissIsOneRoundAndOneFailure: an SDK client with its default
// retries asks the replay once for a request the recording lacks, the
// test is told once, and the error names the recording and the nearest
// exchange but not the API host that the client's credentials point at
// and that no one contacted.
func TestReplayMissIsOneRoundAndOneFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-get-customer_groups-count.http", "GET /stores/{store_hash}/v2/customer_groups/count HTTP/1.1", "", countOf3)
	tb := &fakeTB{TB: t}
	hc := recording.Replay(tb, dir)
	var rounds atomic.Int32
	replay := hc.Transport
	hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rounds.Add(1)
		return replay.RoundTrip(r)
	})
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth("live7", "tok"), bigcommerce.WithHTTPClient(hc), bigcommerce.WithRetryWait(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.CustomerGroups.Get(context.Background(), 17)
	if n := rounds.Load(); n != 1 {
		t.Errorf("the replay was asked %d times, want once", n)
	}
	if fails := tb.failures(); len(fails) != 1 {
		t.Errorf("the test was told %d times, want once: %q", len(fails), fails)
	}
	var miss *recording.MissError
	if !errors.As(err, &miss) || miss.Dir != dir || miss.Nearest != "0001-get-customer_groups-count.http" {
		t.Fatalf("err = %v, want a *MissError naming %s and its nearest exchange", err, dir)
	}
	for _, want := range []string{dir, "0001-get-customer_groups-count.http", "GET /stores/live7/v2/customer_groups/17"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "api.bigcommerce.com") {
		t.Errorf("error %q names a host the test never contacted", err)
	}
}

// TestReplayMissQuotesNoSecret: a request that the recording cannot answer
// is described field by field, but the values of its secret-named query
// parameters, form fields and JSON fields, and its credential headers, are
// not: the test log and the error must not carry what the recording was
// careful to leave out.
func TestReplayMissQuotesNoSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exchange(t, dir, "0001-post-oauth2-token.http", "POST /oauth2/token HTTP/1.1\nContent-Type: application/x-www-form-urlencoded",
		"client_id=REDACTED&client_secret=REDACTED&code=REDACTED&grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fauth",
		created)
	exchange(t, dir, "0002-post-customer_groups.http", "POST /stores/{store_hash}/v2/customer_groups HTTP/1.1",
		`{"name": "Gold"}`, created)
	const (
		querySecret = "qs-Secret-0123456789"
		formSecret  = "fs-Secret-0123456789"
		newSecret   = "nf-Secret-0123456789"
		jsonSecret  = "js-Secret-0123456789"
		header      = "hd-Secret-0123456789"
		short       = "x1"
	)
	for _, tc := range []struct {
		name, method, target, contentType, body string
		want                                    string
	}{
		{"a query and a form", "POST", "/oauth2/token?access_token=" + querySecret + "&code=" + short, "application/x-www-form-urlencoded",
			"client_id=app&client_secret=" + formSecret + "&code=c0de&grant_type=authorization_code&refresh_token=" + newSecret + "&redirect_uri=https%3A%2F%2Fother.example%2Fauth",
			`form field "redirect_uri"`},
		{"a JSON body", "POST", "/stores/live7/v2/customer_groups", "application/json",
			`{"name": "Gold", "auth": {"client_secret": "` + jsonSecret + `", "code": "` + short + `"}, "password": "` + short + `"}`,
			"body field auth"},
		{"a body of text", "POST", "/stores/live7/v2/customer_groups", "text/plain", "token " + header, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := &fakeTB{TB: t}
			req, err := http.NewRequest(tc.method, "https://api.bigcommerce.com"+tc.target, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("X-Auth-Token", header)
			_, err = recording.Replay(tb, dir).Do(req)
			fails := tb.failures()
			// A bare http.Client wraps the miss in a *url.Error that names
			// the URL; the SDK unwraps it (OfflineError).
			var miss *recording.MissError
			if len(fails) != 1 || !errors.As(err, &miss) {
				t.Fatalf("failures %q, error %v: want one miss", fails, err)
			}
			t.Log(fails[0])
			for _, msg := range []string{fails[0], miss.Error()} {
				if !strings.Contains(msg, tc.want) {
					t.Errorf("the miss %q does not name %q", msg, tc.want)
				}
				for _, secret := range []string{querySecret, formSecret, newSecret, jsonSecret, header, `"` + short + `"`, "=" + short} {
					if strings.Contains(msg, secret) {
						t.Errorf("the miss quotes secret %q: %s", secret, msg)
					}
				}
			}
		})
	}
}
