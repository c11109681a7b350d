package bigcommerce

// Hostile and broken servers: what the SDK does with bodies no honest
// server sends (over a mock transport) and with connections that stall,
// break or lead elsewhere (over real loopback servers). Every row states
// the exact outcome, must end well within a few seconds, and must not
// panic.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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

// hostileRespond answers with status, body and extra headers given as
// name, value pairs.
func hostileRespond(status int, body string, headers ...string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for i := 0; i+1 < len(headers); i += 2 {
			resp.Header.Set(headers[i], headers[i+1])
		}
		resp.Request = req
		return resp, nil
	}
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
			responder: hostileRespond(200, `{"id":1 "name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "malformed JSON page", path: "/customer_groups",
			responder: hostileRespond(200, `[{"id":1},,{"id":2}]`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "an object where a list is expected", path: "/customer_groups",
			responder: hostileRespond(200, `{"id":1,"name":"Retail"}`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "a list where an object is expected", path: "/customer_groups/1",
			responder: hostileRespond(200, `[{"id":1,"name":"Retail"}]`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "valid prefix then EOF", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"name":"Who`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "page cut after a whole group gives no partial page", path: "/customer_groups",
			responder: hostileRespond(200, `[{"id":1,"name":"a"},{"id":2`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "200 with an HTML page", path: "/customer_groups/1",
			responder: hostileRespond(200, "<!DOCTYPE html>\n<html><body>Maintenance</body></html>", "Content-Type", "text/html"),
			call:      hostileGet,
			check:     func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			name: "id 1e30", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1e30,"name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "id 99999999999999999999", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":99999999999999999999,"name":"x"}`), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantTypeError(t, o) },
		},
		{
			name: "string category id beyond int64", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"discount_rules":[{"type":"category","category_id":"99999999999999999999","method":"fixed","amount":"1"}]}`),
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
			responder: hostileRespond(200, `{"count":1e30}`), call: hostileCount,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			name: "amount 1e400 is written out in full", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":1e400}]}`),
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
			responder: hostileRespond(200, `{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":1e999999999}]}`),
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
			responder: hostileRespond(200, `{"id":1,"discount_rules":[`+strings.Repeat(`{"type":"product","method":"fixed","amount":1e999999},`, 999)+`{"amount":1e999999}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				if a := g.DiscountRules[0].Amount; a != "1e999999" || o.elapsed > time.Second {
					t.Errorf("amount %q after %s; want it kept as text, at once", a, o.elapsed)
				}
			},
		},
		{
			// SDK bug: the same through the length of the digits, which
			// big.Rat reads in quadratic time.
			name: "an amount of a million digits with an exponent decodes at once", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"discount_rules":[{"amount":`+strings.Repeat("9", 1<<20)+`e1}]}`),
			call:      hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				g := hostileWantGroup(t, o)
				if a := g.DiscountRules[0].Amount; len(a) != 1<<20+2 || o.elapsed > time.Second {
					t.Errorf("amount of %d bytes after %s; want it kept as text, at once", len(a), o.elapsed)
				}
			},
		},
		{
			name: "nesting deeper than encoding/json allows", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"name":`+strings.Repeat("[", 100000)), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				hostileWantDecodeError(t, o)
				if !strings.Contains(o.err.Error(), "exceeded max depth") {
					t.Errorf("error = %v, want the depth limit", o.err)
				}
			},
		},
		{
			name: "NUL and invalid UTF-8 in a name", path: "/customer_groups/1",
			responder: hostileRespond(200, "{\"id\":1,\"name\":\"a\\u0000b\xffc\"}"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if g := hostileWantGroup(t, o); g.Name != "a\x00b\uFFFDc" {
					t.Errorf("name = %q", g.Name)
				}
			},
		},
		{
			name: `"method": true reads as no method`, path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":8,"discount_rules":[{"type":"percent","method":true,"amount":"7.0000"}]}`),
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
			responder: hostileRespond(200, string(gzipped), "Content-Type", "application/json"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantSyntaxError(t, o) },
		},
		{
			// The SDK never looks at Content-Type: a JSON body decodes
			// whatever the label says.
			name: "JSON body labelled text/html decodes", path: "/customer_groups/1",
			responder: hostileRespond(200, `{"id":1,"name":"Retail"}`, "Content-Type", "text/html; charset=utf-8"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if g := hostileWantGroup(t, o); g.ID != 1 || g.Name != "Retail" {
					t.Errorf("group = %+v", g)
				}
			},
		},
		{
			name: "empty 200 for Get", path: "/customer_groups/1",
			responder: hostileRespond(200, ""), call: hostileGet,
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
			responder: hostileRespond(200, "null"), call: hostileGet,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			// SDK bug: same as above, for a create.
			name: "201 null for Create", method: http.MethodPost, path: "/customer_groups",
			responder: hostileRespond(201, "null"), call: hostileCreate,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				var decErr *DecodeError
				if !errors.As(o.err, &decErr) || decErr.StatusCode != 201 || o.group != nil {
					t.Fatalf("group %+v, error %v; want a *DecodeError", o.group, o.err)
				}
			},
		},
		{
			name: "200 null for List is an empty page", path: "/customer_groups",
			responder: hostileRespond(200, "null"), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) {
				if o.err != nil || len(o.groups) != 0 {
					t.Errorf("groups %+v, error %v; want none and no error", o.groups, o.err)
				}
			},
		},
		{
			// SDK bug: the null came back as a group with id 0.
			name: "page with a null element", path: "/customer_groups",
			responder: hostileRespond(200, `[{"id":1,"name":"a"},null,{"id":3,"name":"c"}]`), call: hostileList,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantDecodeError(t, o) },
		},
		{
			name: "body over WithMaxResponseBytes with its Content-Length", path: "/customer_groups",
			responder: hostileRespond(200, "["+strings.Repeat(`{"id":1},`, 200)+`{"id":2}]`), call: hostileList,
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
			responder: hostileRespond(200, `{"id":1}`, headerQuota, "abc", headerLeft, "-5", headerResetMs, "-1", headerWindowMs, "NaN"),
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
			responder: hostileRespond(200, `{"id":1}`, headerQuota, "-150", headerLeft, "10", headerResetMs, "soon", headerWindowMs, "1e400"),
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
			responder: hostileRespond(429, "", headerRetryAfter, "999999"), call: hostileGet,
			opts: []Option{WithRetryWait(0, 30*time.Second)},
			check: func(t *testing.T, o hostileOutcome, c *Client) {
				var apiErr *APIError
				if !errors.As(o.err, &apiErr) || !errors.Is(o.err, ErrRateLimited) || apiErr.RetryAfter != 999999*time.Second || apiErr.local {
					t.Fatalf("error = %v (%T), want the server's ErrRateLimited with RetryAfter 999999s", o.err, o.err)
				}
				if o.elapsed > time.Second {
					t.Errorf("took %s, want at once", o.elapsed)
				}
				// The store said to wait: the next call is refused
				// without being sent (the row counts one request).
				next := hostileRun(t, c, hostileGet, time.Second)
				if !errors.As(next.err, &apiErr) || !errors.Is(next.err, ErrRateLimited) || !apiErr.local {
					t.Errorf("next call: %v, want a local ErrRateLimited", next.err)
				}
			},
		},
		{
			name: "429 with a negative X-Retry-After is retried as if it had none", path: "/customer_groups/1",
			responder: sequence(hostileRespond(429, "", headerRetryAfter, "-5"), hostileRespond(200, `{"id":1}`)),
			call:      hostileGet, requests: 2,
			check: func(t *testing.T, o hostileOutcome, _ *Client) { hostileWantGroup(t, o) },
		},
		{
			name: "429 with X-Retry-After +Inf saturates and fails at once", path: "/customer_groups/1",
			responder: hostileRespond(429, "", headerRetryAfter, "+Inf"), call: hostileGet,
			opts: []Option{WithRetryWait(0, 30*time.Second)},
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
			responder: hostileRespond(400, `[{"status":400,"message":"`+strings.Repeat("A", 1<<20)+`"}]`), call: hostileGet,
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
			responder: hostileRespond(400, `[{"status":400,"message":"bad name\n2024-06-11 level=INFO msg=\"forged\"\r\u001b[2K"}]`),
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
			responder: hostileRespond(502, hostileLatin1Page, "Content-Type", "text/html; charset=iso-8859-1"), call: hostileGet,
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
			mt.RegisterResponder(http.MethodGet, testBaseURL+"/customer_groups", hostileRespond(204, ""))
			mt.RegisterResponder(http.MethodGet, testBaseURL+"/customer_groups/count", hostileRespond(200, `{"count":0}`))
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

// hostileRawServer is a loopback listener whose connections are handled by
// a function that speaks (or does not speak) HTTP by hand.
type hostileRawServer struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newHostileRawServer(t *testing.T, handle func(net.Conn)) *hostileRawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileRawServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *hostileRawServer) url() string { return "http://" + s.ln.Addr().String() }

// hostileReadRequest reads one request's head and body so that the client
// is done sending before the answer starts.
func hostileReadRequest(conn net.Conn) bool {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, req.Body)
	return true
}

// hostileTrickle writes s one byte every 100 ms until it is written or the
// connection fails.
func hostileTrickle(w io.Writer, flush func(), s string, stop <-chan struct{}) {
	for i := 0; i < len(s); i++ {
		if _, err := w.Write([]byte{s[i]}); err != nil {
			return
		}
		flush()
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hostileWantRequestError asserts that the call ended because its
// deadline passed, as a *RequestError, within a second of it.
func hostileWantRequestError(t *testing.T, o hostileOutcome, deadline time.Duration) {
	t.Helper()
	var reqErr *RequestError
	if !errors.As(o.err, &reqErr) || !errors.Is(o.err, context.DeadlineExceeded) {
		t.Errorf("error = %v (%T), want a *RequestError for the deadline", o.err, o.err)
	}
	if o.group != nil || o.groups != nil {
		t.Errorf("a result came back: %+v %+v", o.group, o.groups)
	}
	if o.elapsed > deadline+time.Second {
		t.Errorf("took %s with a %s deadline", o.elapsed, deadline)
	}
}

// hostileStreamed writes n bytes of a JSON page without a Content-Length
// (or with one, when declare is set) and reports how many bytes it got to
// write before the client went away.
func hostileStreamed(n int, declare bool, written chan<- int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declare {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		w.WriteHeader(200)
		chunk := []byte("[" + strings.Repeat(" ", 32<<10-1))
		total := 0
		for total < n {
			m, err := w.Write(chunk[:min(len(chunk), n-total)])
			total += m
			if err != nil {
				break
			}
			chunk[0] = ' '
		}
		written <- total
	}
}

// hostileBodies counts the response bodies its transport handed out and
// not yet closed.
type hostileBodies struct {
	base http.RoundTripper
	open atomic.Int32
}

func (h *hostileBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	h.open.Add(1)
	resp.Body = &hostileCountedBody{ReadCloser: resp.Body, open: &h.open}
	return resp, nil
}

type hostileCountedBody struct {
	io.ReadCloser
	open *atomic.Int32
	once sync.Once
}

func (b *hostileCountedBody) Close() error {
	b.once.Do(func() { b.open.Add(-1) })
	return b.ReadCloser.Close()
}

// TestHostileConnections runs the connection-level cases side by side, then
// checks that they left no response body open and no goroutine behind. It
// does not run in parallel with other top-level tests, so that the
// goroutine count is its own.
func TestHostileConnections(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := &http.Transport{}
	bodies := &hostileBodies{base: tr}
	client := func(t *testing.T, root string, opts ...Option) *Client {
		t.Helper()
		base := []Option{WithBaseURL(root + "/stores/" + testStoreHash + "/v2"), WithHTTPClient(&http.Client{Transport: bodies}), WithRetryWait(0, 0)}
		c, err := NewClient(NewOAuth(testStoreHash, testToken), append(base, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const short = 300 * time.Millisecond

	t.Run("cases", func(t *testing.T) {
		t.Run("Content-Length larger than the body", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":1,\"name\":")
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileGet, 2*time.Second)
			// SDK bug: this was an *APIError with status 200.
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want io.ErrUnexpectedEOF inside", o.err)
			}
			if n := s.accepted.Load(); n != 1 {
				t.Errorf("%d connections, want 1", n)
			}
		})
		t.Run("server closes mid-body", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n[{\"id\":1,\"name\":\r\n")
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileList, 2*time.Second)
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want io.ErrUnexpectedEOF inside", o.err)
			}
		})
		t.Run("slow loris body bounded by WithTimeout", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(200)
				hostileTrickle(w, w.(http.Flusher).Flush, `{"id":1,"name":"`+strings.Repeat("z", 100)+`"}`, r.Context().Done())
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL, WithTimeout(short)), hostileGet, 10*time.Second)
			// SDK bug: the timeout came back as an *APIError with status 200.
			hostileWantRequestError(t, o, short)
		})
		t.Run("slow loris body bounded by the context", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				hostileTrickle(w, w.(http.Flusher).Flush, `[{"id":1,"name":"`+strings.Repeat("z", 100)+`"}]`, r.Context().Done())
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileList, short)
			hostileWantRequestError(t, o, short)
		})
		t.Run("slow loris headers", func(t *testing.T) {
			t.Parallel()
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) })
			s := newHostileRawServer(t, func(conn net.Conn) {
				if hostileReadRequest(conn) {
					hostileTrickle(conn, func() {}, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "+strings.Repeat("p", 100)+"\r\n\r\n{}", stop)
				}
			})
			o := hostileRun(t, client(t, s.url()), hostileGet, short)
			hostileWantRequestError(t, o, short)
		})
		t.Run("accepts and never answers", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
			o := hostileRun(t, client(t, s.url()), hostileGet, short)
			hostileWantRequestError(t, o, short)
			if n := s.accepted.Load(); n != 1 {
				t.Errorf("%d connections, want 1: nothing is retried once the deadline has passed", n)
			}
		})
		t.Run("a request stuck first does not hold the next past its deadline", func(t *testing.T) {
			t.Parallel()
			s := newHostileRawServer(t, func(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) })
			c := client(t, s.url())
			ctx, cancel := context.WithCancel(context.Background())
			first := make(chan error, 1)
			go func() {
				_, _, err := c.CustomerGroups.Get(ctx, 1)
				first <- err
			}()
			// Wait until the first request is on the wire.
			for start := time.Now(); s.accepted.Load() == 0; {
				if time.Since(start) > 2*time.Second {
					t.Fatal("the first request never connected")
				}
				time.Sleep(time.Millisecond)
			}
			o := hostileRun(t, c, hostileList, short)
			cancel()
			hostileWantRequestError(t, o, short)
			if err := <-first; !errors.Is(err, context.Canceled) {
				t.Errorf("first request: %v, want it cancelled", err)
			}
		})
		for _, tc := range []struct {
			name   string
			status int
			call   hostileCall
		}{{"GET redirected to another host", http.StatusFound, hostileGet}, {"POST redirected to another host", http.StatusTemporaryRedirect, hostileCreate}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				var reached atomic.Int32
				evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					reached.Add(1)
					io.WriteString(w, `{"id":1,"name":"evil"}`)
				}))
				t.Cleanup(evil.Close)
				var asked atomic.Int32
				store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					asked.Add(1)
					http.Redirect(w, r, evil.URL+r.URL.Path, tc.status)
				}))
				t.Cleanup(store.Close)
				o := hostileRun(t, client(t, store.URL), tc.call, 2*time.Second)
				var reqErr *RequestError
				var redirErr *redirectError
				if !errors.As(o.err, &reqErr) || !errors.As(o.err, &redirErr) || o.group != nil {
					t.Fatalf("group %+v, error %v (%T); want a *RequestError from the redirect policy", o.group, o.err, o.err)
				}
				if n := reached.Load(); n != 0 {
					t.Errorf("the other host got %d requests, want none", n)
				}
				if n := asked.Load(); n != 1 {
					t.Errorf("the store got %d requests, want 1 (a refused redirect is not retried)", n)
				}
			})
		}
		t.Run("redirect loop on the same host", func(t *testing.T) {
			t.Parallel()
			var asked atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := asked.Add(1)
				http.Redirect(w, r, fmt.Sprintf("/stores/%s/v2/customer_groups/%d", testStoreHash, n+1), http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			var redirErr *redirectError
			if !errors.As(o.err, &redirErr) || !strings.Contains(o.err.Error(), "5 redirects") {
				t.Errorf("error = %v, want the redirect limit", o.err)
			}
			if n := asked.Load(); n != 5 {
				t.Errorf("the server got %d requests, want 5", n)
			}
		})
		for _, declare := range []bool{false, true} {
			t.Run(fmt.Sprintf("64 MiB body over a 1 KiB limit, Content-Length declared %v", declare), func(t *testing.T) {
				t.Parallel()
				const size = 64 << 20
				written := make(chan int, 1)
				srv := httptest.NewServer(hostileStreamed(size, declare, written))
				t.Cleanup(srv.Close)
				o := hostileRun(t, client(t, srv.URL, WithMaxResponseBytes(1<<10)), hostileList, 2*time.Second)
				var tooLarge *BodyTooLargeError
				if !errors.As(o.err, &tooLarge) || tooLarge.Limit != 1<<10 || o.groups != nil {
					t.Fatalf("groups %d, error %v; want a *BodyTooLargeError", len(o.groups), o.err)
				}
				select {
				case n := <-written:
					// What the server wrote went into socket buffers; the
					// client stopped reading long before the end.
					if n >= size/2 {
						t.Errorf("the server wrote %d of %d bytes: the client read on", n, size)
					}
				case <-time.After(2 * time.Second):
					t.Error("the server still writes: the connection was not closed")
				}
			})
		}
		t.Run("gzip Content-Encoding on a plain body", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				io.WriteString(w, `{"id":1,"name":"plain"}`)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			// SDK bug: this was an *APIError with status 200.
			hostileWantDecodeError(t, o)
			if !errors.Is(o.err, gzip.ErrHeader) {
				t.Errorf("error = %v, want gzip.ErrHeader inside", o.err)
			}
		})
		t.Run("deflate Content-Encoding on a gzip body", func(t *testing.T) {
			t.Parallel()
			body := hostileGzip(t, []byte(`{"id":1}`))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "deflate")
				w.Write(body)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			hostileWantSyntaxError(t, o)
		})
		t.Run("gzip body with a gzip Content-Encoding decodes", func(t *testing.T) {
			t.Parallel()
			body := hostileGzip(t, []byte(`{"id":1,"name":"zipped"}`))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(body)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL), hostileGet, 2*time.Second)
			if g := hostileWantGroup(t, o); g.Name != "zipped" {
				t.Errorf("group = %+v", g)
			}
		})
		t.Run("gzip bomb stops at the limit", func(t *testing.T) {
			t.Parallel()
			bomb := hostileGzip(t, bytes.Repeat([]byte(" "), 16<<20))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
			}))
			t.Cleanup(srv.Close)
			o := hostileRun(t, client(t, srv.URL, WithMaxResponseBytes(1<<20)), hostileList, 2*time.Second)
			var tooLarge *BodyTooLargeError
			if !errors.As(o.err, &tooLarge) {
				t.Errorf("error = %v, want a *BodyTooLargeError", o.err)
			}
		})
	})

	if n := bodies.open.Load(); n != 0 {
		t.Errorf("%d response bodies were never closed", n)
	}
	tr.CloseIdleConnections()
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(5 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
