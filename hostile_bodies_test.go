package bigcommerce

// Hostile and broken servers, part one: what the SDK does with bodies no
// honest server sends, over a mock transport. hostile_conns_test.go has
// the connections that stall, break or lead elsewhere. Every row states
// the exact outcome, must end well within a few seconds, and must not
// panic.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// hostileLimit bounds every call in this file. No row should come near
// it: a row that reaches it has hung.
const hostileLimit = 5 * time.Second

// hostileOutcome is what one SDK call returned.
type hostileOutcome struct {
	group   *CustomerGroup
	groups  []CustomerGroup
	count   int
	resp    *Response
	err     error
	elapsed time.Duration
}

type hostileCall func(ctx context.Context, c *Client) hostileOutcome

func hostileGet(ctx context.Context, c *Client) hostileOutcome {
	g, resp, err := c.CustomerGroups.Get(ctx, 1)
	return hostileOutcome{group: g, resp: resp, err: err}
}

func hostileList(ctx context.Context, c *Client) hostileOutcome {
	gs, resp, err := c.CustomerGroups.List(ctx, nil)
	return hostileOutcome{groups: gs, resp: resp, err: err}
}

func hostileCount(ctx context.Context, c *Client) hostileOutcome {
	n, resp, err := c.CustomerGroups.Count(ctx, nil)
	return hostileOutcome{count: n, resp: resp, err: err}
}

func hostileCreate(ctx context.Context, c *Client) hostileOutcome {
	g, resp, err := c.CustomerGroups.Create(ctx, &CreateCustomerGroupRequest{Name: "Wholesale"})
	return hostileOutcome{group: g, resp: resp, err: err}
}

// hostileRun makes the call under a context that ends after timeout and
// fails the test, instead of crashing or hanging the binary, when the call
// panics or outlives hostileLimit.
func hostileRun(t *testing.T, c *Client, call hostileCall, timeout time.Duration) hostileOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type result struct {
		out   hostileOutcome
		panic any
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p}
			}
		}()
		done <- result{out: call(ctx, c)}
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("the SDK panicked: %v", r.panic)
		}
		r.out.elapsed = time.Since(start)
		return r.out
	case <-time.After(hostileLimit):
		t.Fatalf("the call still runs after %s although its context ended after %s", hostileLimit, timeout)
		return hostileOutcome{}
	}
}

// hostileWantDecodeError asserts a *DecodeError for a 200 and no result.
func hostileWantDecodeError(t *testing.T, o hostileOutcome) *DecodeError {
	t.Helper()
	var decErr *DecodeError
	if !errors.As(o.err, &decErr) {
		t.Fatalf("error = %v (%T), want a *DecodeError", o.err, o.err)
	}
	if decErr.StatusCode != http.StatusOK {
		t.Errorf("DecodeError.StatusCode = %d, want 200", decErr.StatusCode)
	}
	if o.group != nil || o.groups != nil || o.count != 0 {
		t.Errorf("a result came back beside the error: %+v %+v %d", o.group, o.groups, o.count)
	}
	if o.resp == nil {
		t.Error("no *Response although the server answered")
	}
	return decErr
}

func hostileWantSyntaxError(t *testing.T, o hostileOutcome) {
	t.Helper()
	hostileWantDecodeError(t, o)
	if !isSyntaxError(o.err) {
		t.Errorf("error = %v, want it to wrap a JSON syntax error", o.err)
	}
}

func hostileWantTypeError(t *testing.T, o hostileOutcome) {
	t.Helper()
	hostileWantDecodeError(t, o)
	if !isTypeError(o.err) {
		t.Errorf("error = %v, want it to wrap a JSON type error", o.err)
	}
}

// hostileWantGroup asserts a decoded group and no error.
func hostileWantGroup(t *testing.T, o hostileOutcome) *CustomerGroup {
	t.Helper()
	if o.err != nil || o.group == nil {
		t.Fatalf("group %+v, error %v; want a group", o.group, o.err)
	}
	return o.group
}

func hostileGzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileLatin1Page is a proxy's error page in ISO-8859-1 (é as the
// single byte 0xE9, which is not UTF-8), longer than the error-text cap.
var hostileLatin1Page = "<html><head><title>Erreur 502</title></head><body><h1>Passerelle d\xe9faillante (Bad Gateway)</h1><p>" +
	strings.Repeat("Le serveur amont n'a pas r\xe9pondu. ", 120) + "</p></body></html>"

func TestHostileBodies(t *testing.T) {
	t.Parallel()
	gzipped := hostileGzip(t, []byte(`{"id":1,"name":"zipped"}`))
	tests := []struct {
		name      string
		method    string // of the call; "" means GET
		path      string // after the API root
		responder httpmock.Responder
		call      hostileCall
		opts      []Option
		requests  int // how many requests the row must send; 0 means 1
		check     func(t *testing.T, o hostileOutcome, c *Client)
	}{
		{
			name: "malformed JSON object", path: "/customer_groups/1",
			responder: respond(200, `{"id":1 "name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "malformed JSON page", path: "/customer_groups",
			responder: respond(200, `[{"id":1},,{"id":2}]`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "an object where a list is expected", path: "/customer_groups",
			responder: respond(200, `{"id":1,"name":"Retail"}`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "a list where an object is expected", path: "/customer_groups/1",
			responder: respond(200, `[{"id":1,"name":"Retail"}]`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "valid prefix then EOF", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"name":"Who`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "page cut after a whole group gives no partial page", path: "/customer_groups",
			responder: respond(200, `[{"id":1,"name":"a"},{"id":2`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "200 with an HTML page", path: "/customer_groups/1",
			responder: respond(200, "<!DOCTYPE html>\n<html><body>Maintenance</body></html>", "Content-Type", "text/html"),
			call:      hostileGet,
			check:     func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "id 1e30", path: "/customer_groups/1",
			responder: respond(200, `{"id":1e30,"name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "id 99999999999999999999", path: "/customer_groups/1",
			responder: respond(200, `{"id":99999999999999999999,"name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "string category id beyond int64", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"discount_rules":[{"type":"category","category_id":"99999999999999999999","method":"fixed","amount":"1"}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				hostileWantDecodeError(t, o)
				if !strings.Contains(o.err.Error(), "not an integer id") {
					t.Errorf("error = %v, want it to name the bad id", o.err)
				}
			},
		},
		{
			name: "count 1e30", path: "/customer_groups/count",
			responder: respond(200, `{"count":1e30}`), call: hostileCount,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			name: "amount 1e400 is written out in full", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":1e400}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				if a := g.DiscountRules[0].Amount; a != Amount("1"+strings.Repeat("0", 400)) {
					t.Errorf("amount = %q", a)
				}
			},
		},
		{
			name: "amount 1e999999999 is kept as text and is not Valid", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":1e999999999}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				a := g.DiscountRules[0].Amount
				if _, err := a.Rat(); a != "1e999999999" || a.Valid() || err == nil {
					t.Errorf("amount %q, valid %v, Rat error %v", a, a.Valid(), err)
				}
			},
		},
		{
			// SDK bug: every amount with an exponent went through
			// big.Rat before its exponent was checked, some 30 ms each;
			// decoding ignores the context, so a 4 MiB page of them
			// would run for hours.
			name: "1000 amounts of 1e999999 decode at once", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"discount_rules":[`+strings.Repeat(`{"type":"product","method":"fixed","amount":1e999999},`, 999)+`{"amount":1e999999}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				// TestHugeAmountsDecodeAsFastAsText holds the time.
				if a := g.DiscountRules[0].Amount; a != "1e999999" {
					t.Errorf("amount %q, want it kept as text", a)
				}
			},
		},
		{
			// SDK bug: the same through the length of the digits, which
			// big.Rat reads in quadratic time.
			name: "an amount of a million digits with an exponent decodes at once", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"discount_rules":[{"amount":`+strings.Repeat("9", 1<<20)+`e1}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				// TestHugeAmountsDecodeAsFastAsText holds the time.
				if a := g.DiscountRules[0].Amount; len(a) != 1<<20+2 {
					t.Errorf("amount of %d bytes, want it kept as text", len(a))
				}
			},
		},
		{
			name: "nesting deeper than encoding/json allows", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"name":`+strings.Repeat("[", 100000)), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				hostileWantDecodeError(t, o)
				if !strings.Contains(o.err.Error(), "exceeded max depth") {
					t.Errorf("error = %v, want the depth limit", o.err)
				}
			},
		},
		{
			name: "NUL and invalid UTF-8 in a name", path: "/customer_groups/1",
			responder: respond(200, "{\"id\":1,\"name\":\"a\\u0000b\xffc\"}"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if g := hostileWantGroup(t, o); g.Name != "a\x00b\uFFFDc" {
					t.Errorf("name = %q", g.Name)
				}
			},
		},
		{
			name: `"method": true reads as no method`, path: "/customer_groups/1",
			responder: respond(200, `{"id":8,"discount_rules":[{"type":"percent","method":true,"amount":"7.0000"}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				if r := g.DiscountRules[0]; r.Method != "" || r.Amount != "7.0000" {
					t.Errorf("rule = %+v", r)
				}
			},
		},
		{
			name: "gzip bytes without Content-Encoding", path: "/customer_groups/1",
			responder: respond(200, string(gzipped), "Content-Type", "application/json"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			// The SDK never looks at Content-Type: a JSON body decodes
			// whatever the label says.
			name: "JSON body labelled text/html decodes", path: "/customer_groups/1",
			responder: respond(200, `{"id":1,"name":"Retail"}`, "Content-Type", "text/html; charset=utf-8"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if g := hostileWantGroup(t, o); g.ID != 1 || g.Name != "Retail" {
					t.Errorf("group = %+v", g)
				}
			},
		},
		{
			name: "empty 200 for Get", path: "/customer_groups/1",
			responder: respond(200, ""), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				hostileWantDecodeError(t, o)
				if !errors.Is(o.err, errEmptyBody) {
					t.Errorf("error = %v, want errEmptyBody", o.err)
				}
			},
		},
		{
			// SDK bug: a null body gave a zero group (id 0) and no error.
			name: "200 null for Get", path: "/customer_groups/1",
			responder: respond(200, "null"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			// SDK bug: same as above, for a create.
			name: "201 null for Create", method: http.MethodPost, path: "/customer_groups",
			responder: respond(201, "null"), call: hostileCreate,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var decErr *DecodeError
				if !errors.As(o.err, &decErr) || decErr.StatusCode != 201 || o.group != nil {
					t.Fatalf("group %+v, error %v; want a *DecodeError", o.group, o.err)
				}
			},
		},
		{
			name: "200 null for List is an empty page", path: "/customer_groups",
			responder: respond(200, "null"), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if o.err != nil || len(o.groups) != 0 {
					t.Errorf("groups %+v, error %v; want none and no error", o.groups, o.err)
				}
			},
		},
		{
			// SDK bug: the null came back as a group with id 0.
			name: "page with a null element", path: "/customer_groups",
			responder: respond(200, `[{"id":1,"name":"a"},null,{"id":3,"name":"c"}]`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			name: "body over WithMaxResponseBytes with its Content-Length", path: "/customer_groups",
			responder: respond(200, "["+strings.Repeat(`{"id":1},`, 200)+`{"id":2}]`), call: hostileList,
			opts: []Option{WithMaxResponseBytes(512)},
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var tooLarge *BodyTooLargeError
				if !errors.As(o.err, &tooLarge) || tooLarge.Limit != 512 || o.groups != nil {
					t.Errorf("groups %d, error %v; want a *BodyTooLargeError", len(o.groups), o.err)
				}
			},
		},
		{
			name: "negative and non-numeric rate headers are ignored", path: "/customer_groups/1",
			responder: respond(200, `{"id":1}`, headerQuota, "abc", headerLeft, "-5", headerResetMs, "-1", headerWindowMs, "NaN"),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, c *Client) {
				hostileWantGroup(t, o)
				if o.resp.Rate != (Rate{}) || c.Rate() != (Rate{}) {
					t.Errorf("Rate = %+v, client Rate = %+v; want both zero", o.resp.Rate, c.Rate())
				}
			},
		},
		{
			name: "only the usable rate headers are kept", path: "/customer_groups/1",
			responder: respond(200, `{"id":1}`, headerQuota, "-150", headerLeft, "10", headerResetMs, "soon", headerWindowMs, "1e400"),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				hostileWantGroup(t, o)
				if o.resp.Rate != (Rate{Remaining: 10}) {
					t.Errorf("Rate = %+v, want only Remaining 10", o.resp.Rate)
				}
			},
		},
		{
			name: "429 asking for 999999 s fails at once", path: "/customer_groups/1",
			responder: respond(429, "", headerRetryAfter, "999999"), call: hostileGet,
			opts: []Option{WithMaxRateLimitWait(30 * time.Second)},
			check: func(t *testing.T, o hostileOutcome, c *Client) {
				var apiErr *APIError
				if !errors.As(o.err, &apiErr) || !errors.Is(o.err, ErrRateLimited) || apiErr.RetryAfter != 999999*time.Second {
					t.Fatalf("error = %v (%T), want the server's ErrRateLimited with RetryAfter 999999s", o.err, o.err)
				}
				if o.elapsed > time.Second {
					t.Errorf("took %s, want at once", o.elapsed)
				}
				// The store said to wait: the next call is refused
				// without being sent (the row counts one request).
				next := hostileRun(t, c, hostileGet, time.Second)
				var throttled *ThrottleError
				if !errors.As(next.err, &throttled) || !errors.Is(next.err, ErrRateLimited) {
					t.Errorf("next call: %v, want a local ErrRateLimited (*ThrottleError)", next.err)
				}
			},
		},
		{
			name: "429 with a negative X-Retry-After is retried as if it had none", path: "/customer_groups/1",
			responder: sequence(respond(429, "", headerRetryAfter, "-5"), respond(200, `{"id":1}`)),
			call:      hostileGet, requests: 2,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantGroup(t, o) },
		},
		{
			name: "429 with X-Retry-After +Inf saturates and fails at once", path: "/customer_groups/1",
			responder: respond(429, "", headerRetryAfter, "+Inf"), call: hostileGet,
			opts: []Option{WithMaxRateLimitWait(30 * time.Second)},
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var apiErr *APIError
				if !errors.As(o.err, &apiErr) || apiErr.RetryAfter != math.MaxInt32*time.Second {
					t.Fatalf("error = %v, want RetryAfter of MaxInt32 seconds", o.err)
				}
			},
		},
		{
			// SDK bug: JSON messages were neither capped nor cleaned.
			name: "1 MiB error message is capped", path: "/customer_groups/1",
			responder: respond(400, `[{"status":400,"message":"`+strings.Repeat("A", 1<<20)+`"}]`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var apiErr *APIError
				if !errors.As(o.err, &apiErr) || apiErr.StatusCode != 400 {
					t.Fatalf("error = %T, want an *APIError", o.err)
				}
				if n := len(apiErr.Message()); n == 0 || n > maxErrorText+fuzzErrorSlack {
					t.Errorf("message is %d bytes, want 1 to %d", n, maxErrorText)
				}
			},
		},
		{
			name: "error message with line breaks and escapes stays on one line", path: "/customer_groups/1",
			responder: respond(400, `[{"status":400,"message":"bad name\n2024-06-11 level=INFO msg=\"forged\"\r\u001b[2K"}]`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				msg := o.err.Error()
				if strings.ContainsAny(msg, "\r\n\x1b") || !strings.Contains(msg, "bad name") {
					t.Errorf("Error() = %q, want one clean line", msg)
				}
			},
		},
		{
			// SDK bug: one byte that is not UTF-8 emptied the message of
			// a non-JSON body longer than the cap.
			name: "Latin-1 error page over the cap keeps its text", path: "/customer_groups/1",
			responder: respond(502, hostileLatin1Page, "Content-Type", "text/html; charset=iso-8859-1"), call: hostileGet,
			opts: []Option{WithRetryMax(0)},
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var apiErr *APIError
				if !errors.As(o.err, &apiErr) || !errors.Is(o.err, ErrServer) {
					t.Fatalf("error = %v, want an ErrServer *APIError", o.err)
				}
				if msg := apiErr.Message(); !strings.Contains(msg, "Bad Gateway") || len(msg) > maxErrorText {
					t.Errorf("message = %q (%d bytes)", msg, len(msg))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t, tt.opts...)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			mt.RegisterResponder(method, testBaseURL+tt.path, tt.responder)
			o := hostileRun(t, c, tt.call, 2*time.Second)
			tt.check(t, o, c)
			want := max(tt.requests, 1)
			if n := rec.count(); n != want {
				t.Errorf("%d requests sent, want %d", n, want)
			}
		})
	}
}

// hostileNames hold the characters most likely to break a query string or
// a JSON body.
var hostileNames = []string{
	"Großhandel & Co. 50% / #1?",
	"emoji 🛒 and family 👩‍👩‍👧 and flag 🇫🇷",
	"a+b=c&d=e;f",
	"line one\nline two\r\ttab",
	`quotes " ' and \ backslash`,
	"%2B already %zz encoded",
	"<script>alert(1)</script>",
	"日本語 العربية עברית",
	"NUL\x00inside",
	"  padded  ",
	"?name=evil&limit=9999",
}

func TestHostileNamesRoundTripThroughTheQuery(t *testing.T) {
	t.Parallel()
	for _, name := range hostileNames {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodGet, testBaseURL+"/customer_groups", respond(204, ""))
			mt.RegisterResponder(http.MethodGet, testBaseURL+"/customer_groups/count", respond(200, `{"count":0}`))
			opts := &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{Name: name, NameLike: name}}
			if _, _, err := c.CustomerGroups.List(t.Context(), opts); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.CustomerGroups.Count(t.Context(), &opts.CustomerGroupFilter); err != nil {
				t.Fatal(err)
			}
			for _, r := range rec.all() {
				q, err := url.ParseQuery(r.Query)
				if err != nil {
					t.Fatalf("%s: the server cannot parse the query %q: %v", r.Path, r.Query, err)
				}
				if got := q["name"]; len(got) != 1 || got[0] != name {
					t.Errorf("%s: name = %q, want %q", r.Path, got, name)
				}
				if got := q["name:like"]; len(got) != 1 || got[0] != name {
					t.Errorf("%s: name:like = %q, want %q", r.Path, got, name)
				}
				if len(q) != 2 {
					t.Errorf("%s: the query grew other parameters: %q", r.Path, r.Query)
				}
			}
		})
	}
}

func TestHostileNamesRoundTripThroughJSON(t *testing.T) {
	t.Parallel()
	for _, name := range hostileNames {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			t.Parallel()
			c, mt, _ := setup(t)
			// The server decodes the create body and echoes the name it
			// read.
			mt.RegisterResponder(http.MethodPost, testBaseURL+"/customer_groups", func(req *http.Request) (*http.Response, error) {
				var in struct {
					Name string `json:"name"`
				}
				if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
					return httpmock.NewStringResponse(400, `[{"status":400,"message":"bad JSON"}]`), nil
				}
				out, _ := json.Marshal(map[string]any{"id": 7, "name": in.Name})
				return httpmock.NewBytesResponse(201, out), nil
			})
			g, _, err := c.CustomerGroups.Create(t.Context(), &CreateCustomerGroupRequest{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if g.Name != name {
				t.Errorf("name came back as %q, want %q", g.Name, name)
			}
		})
	}
}
