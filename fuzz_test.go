package bigcommerce

// Fuzz tests for everything that reads what a server sent. Plain `go test`
// runs each target over its seeds: the f.Add calls below (the bodies of
// every recorded response in testdata/responses plus hostile inputs) and
// the corpus files in testdata/fuzz/FuzzXxx, which also keep the inputs
// that once found a bug. To search for more:
//
//	go test -run='^$' -fuzz='^FuzzDecodeCustomerGroup$' -fuzztime=30s .

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
)

// fuzzFixture is the body of one recorded response.
type fuzzFixture struct {
	name string // file name, such as error_404.http
	body []byte
}

// fuzzFixtureBodies returns the body of every recorded response in
// testdata/responses, in file name order.
func fuzzFixtureBodies(tb testing.TB) []fuzzFixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "responses", "*.http"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no recorded responses found (%v)", err)
	}
	var out []fuzzFixture
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		var body bytes.Buffer
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		out = append(out, fuzzFixture{filepath.Base(p), body.Bytes()})
	}
	return out
}

// fuzzHostileJSON is a set of bodies no honest server sends: deep nesting,
// numbers no Go integer holds, broken UTF-8, NUL bytes, long strings, and
// the quirks BigCommerce really has shown, pushed further.
func fuzzHostileJSON() []string {
	long := strings.Repeat("Ab1 ", 4096)
	return []string{
		``,
		` `,
		`null`,
		`[]`,
		`{}`,
		`[null]`,
		`[null,{"id":2}]`,
		`"just a string"`,
		`0`,
		strings.Repeat("[", 20000),
		strings.Repeat(`{"a":`, 12000) + "1" + strings.Repeat("}", 12000),
		`{"id":1,"discount_rules":` + strings.Repeat("[", 11000) + strings.Repeat("]", 11000) + `}`,
		`{"id":1e30}`,
		`{"id":99999999999999999999}`,
		`{"id":-0}`,
		`{"id":"0x10"}`,
		`{"id":1e400}`,
		`{"id":1,"discount_rules":[{"type":"category","category_id":"99999999999999999999","method":"fixed","amount":"1"}]}`,
		`{"id":1,"discount_rules":[{"type":"product","product_id":1e400,"method":"fixed","amount":1e400}]}`,
		`{"id":1,"discount_rules":[{"type":"percent","method":true,"amount":"7.0000"}]}`,
		`{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":-0}]}`,
		`{"id":1,"discount_rules":[{"type":"all","method":"percent","amount":"0x10"}]}`,
		`{"id":1,"category_access":{"type":"specific","categories":["20",21,"",null,20.0]}}`,
		`{"id":1,"category_access":{"type":true,"categories":{}}}`,
		"{\"id\":1,\"name\":\"bad \xff\xfe utf8\"}",
		"{\"id\":1,\"name\":\"nul \x00 inside\"}",
		"{\"id\":1,\"name\":\"escaped nul \\u0000 and \\ud800 lone surrogate\"}",
		"\x00",
		"\xef\xbb\xbf{\"id\":1}",
		`{"id":1,"name":"` + long + `"}`,
		`{"id":1,"date_created":"2023-07-17 06:30:41.123456","date_modified":"Wed, 10 Jan 2018 21:02:23 +0000"}`,
		`{"id":1,"date_created":"0000-00-00 00:00:00","date_modified":""}`,
		`{"id":1,"date_created":"Wed, 10 Jan 2018 21:02:23 +2359"}`,
		`{"id":1,"date_created":"Wed, 10 Jan 2018 21:02:23 +2400","date_modified":"Wed, 10 Jan 2018 21:02:23 GMT+5"}`,
		`{"id":1,"date_created":1700000000}`,
		`{"id":1,"ID":2,"Name":"case","name":"last"}`,
		`{"id":1,"name":"x"}trailing`,
	}
}

// fuzzSameGroup compares two groups the way a caller would: nil and empty
// slices alike, dates by instant.
func fuzzSameGroup(a, b CustomerGroup) bool {
	return a.ID == b.ID && a.Name == b.Name && a.IsDefault == b.IsDefault &&
		a.IsGroupForGuests == b.IsGroupForGuests &&
		a.CategoryAccess.Type == b.CategoryAccess.Type &&
		slices.Equal(a.CategoryAccess.Categories, b.CategoryAccess.Categories) &&
		slices.Equal(a.DiscountRules, b.DiscountRules) &&
		a.DateCreated.Equal(b.DateCreated) && a.DateModified.Equal(b.DateModified)
}

// FuzzDecodeCustomerGroup: decoding a group, as the client does and
// through encoding/json as a caller would, never panics, and what decodes
// survives a JSON round trip, so a caller can cache groups as JSON.
func FuzzDecodeCustomerGroup(f *testing.F) {
	for _, fx := range fuzzFixtureBodies(f) {
		f.Add(fx.body)
	}
	for _, s := range fuzzHostileJSON() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fromClient CustomerGroup
		_ = decodeBody(data, &fromClient)
		var g CustomerGroup
		if err := json.Unmarshal(data, &g); err != nil {
			return
		}
		out, err := json.Marshal(g)
		if err != nil {
			t.Fatalf("a decoded group does not marshal: %v (%+v)", err, g)
		}
		var back CustomerGroup
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("a marshalled group does not decode: %v\n%s", err, out)
		}
		if !fuzzSameGroup(g, back) {
			t.Fatalf("round trip changed the group:\n was %+v\n now %+v", g, back)
		}
	})
}

// fuzzStatuses are the statuses FuzzListPage answers with, picked by its
// second argument.
var fuzzStatuses = []int{200, 201, 204, 207, 400, 404, 413, 429, 500, 502, 509}

// FuzzListPage sends any body through List over a mock transport: a 2xx
// either decodes to exactly what encoding/json gives a caller decoding
// into []CustomerGroup or is a *DecodeError, and every other status is an
// *APIError with that status.
func FuzzListPage(f *testing.F) {
	for _, fx := range fuzzFixtureBodies(f) {
		status := uint8(0)
		for i, s := range fuzzStatuses {
			if strings.HasPrefix(strings.TrimPrefix(fx.name, "error_"), strconv.Itoa(s)) {
				status = uint8(i)
			}
		}
		f.Add(fx.body, status)
	}
	for _, s := range fuzzHostileJSON() {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(`[{"status":404,"message":"gone"}]`), uint8(5))
	f.Add([]byte("<html>\n<body>Bad Gateway</body></html>"), uint8(9))
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		status := fuzzStatuses[int(pick)%len(fuzzStatuses)]
		c, mt, rec := setup(t, WithRetryMax(0))
		mt.RegisterResponder(http.MethodGet, testBaseURL+"/customer_groups", httpmock.NewBytesResponder(status, body))
		groups, resp, err := c.CustomerGroups.List(t.Context(), nil)
		if n := rec.count(); n != 1 {
			t.Fatalf("%d requests sent, want 1", n)
		}
		if resp == nil {
			t.Fatal("no *Response although the server answered")
		}
		if status == http.StatusMultiStatus || status >= 300 {
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("status %d gave %v (%T), want an *APIError with that status", status, err, err)
			}
			if groups != nil || apiErr.Error() == "" {
				t.Fatalf("groups %v, error text %q", groups, apiErr.Error())
			}
			return
		}
		if status == http.StatusNoContent || len(bytes.TrimSpace(body)) == 0 {
			if err != nil || len(groups) != 0 {
				t.Fatalf("an empty answer gave %d groups, error %v", len(groups), err)
			}
			return
		}
		// A caller's encoding/json reads the same page into the
		// exported types.
		var page []CustomerGroup
		direct := json.Unmarshal(body, &page)
		if direct != nil {
			var decErr *DecodeError
			if !errors.As(err, &decErr) || decErr.StatusCode != status || groups != nil {
				t.Fatalf("undecodable body gave %d groups, error %v (%T); want a *DecodeError", len(groups), err, err)
			}
			return
		}
		if err != nil {
			// The SDK may refuse more than encoding/json does (a page
			// with a null element, say), but only as a DecodeError.
			var decErr *DecodeError
			if !errors.As(err, &decErr) || groups != nil {
				t.Fatalf("decodable body gave error %v (%T)", err, err)
			}
			return
		}
		if len(groups) != len(page) {
			t.Fatalf("List gave %d groups, the body holds %d", len(groups), len(page))
		}
		for i := range page {
			if !fuzzSameGroup(groups[i], page[i]) {
				t.Fatalf("group %d: List gave %+v, encoding/json %+v", i, groups[i], page[i])
			}
			if groups[i].ID < 1 {
				t.Fatalf("group %d has no id but List returned it without an error: %+v", i, groups[i])
			}
		}
	})
}

// FuzzAmount: Valid, Rat, Float64 and Equal never panic and agree with
// each other; a valid amount converts exactly; the JSON text of an amount
// survives a round trip; UnmarshalJSON keeps the digits it was sent.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{
		"5", "5.0000", "-1.5", "0", "-0", "-0.0000", "00012.5000", "7.5",
		"", "-", ".", "5.", ".5", "--5", "+5", "1e400", "1E2", "0x10", "NaN", "Inf",
		" 5 ", "5\x00", "\xff", "١٢٣", strings.Repeat("9", 400), "0." + strings.Repeat("0", 400) + "1",
		`"5.0000"`, `" 5.00 "`, `7.5`, `-0`, `1e400`, `null`, `true`, `{}`, `[5]`, `"\u0035"`, `"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Amount(s)
		valid := a.Valid()
		r, ratErr := a.Rat()
		fl, floatErr := a.Float64()
		if !a.Equal(a) {
			t.Fatalf("%q is not Equal to itself", s)
		}
		if !valid {
			if ratErr == nil || floatErr == nil {
				t.Fatalf("invalid %q: Rat error %v, Float64 error %v; want both to fail", s, ratErr, floatErr)
			}
		} else {
			if ratErr != nil || r == nil {
				t.Fatalf("valid %q: Rat failed: %v", s, ratErr)
			}
			if floatErr != nil && !errors.Is(floatErr, strconv.ErrRange) {
				t.Fatalf("valid %q: Float64 failed: %v", s, floatErr)
			}
			if floatErr == nil && math.IsNaN(fl) {
				t.Fatalf("valid %q: Float64 gave NaN", s)
			}
			// Written with as many decimals as it came with, the amount
			// reads back as the same number.
			_, frac, _ := strings.Cut(s, ".")
			text := r.FloatString(len(frac))
			back, ok := new(big.Rat).SetString(text)
			if !ok || back.Cmp(r) != 0 {
				t.Fatalf("valid %q: FloatString gave %q, which reads back as %v", s, text, back)
			}
			if !a.Equal(NewAmount(r, len(frac))) {
				t.Fatalf("valid %q is not Equal to NewAmount of its own value", s)
			}
			out, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			var again Amount
			if err := json.Unmarshal(out, &again); err != nil || again != a {
				t.Fatalf("valid %q: JSON round trip gave %q (%v) via %s", s, again, err, out)
			}
		}
		// Any text that is valid UTF-8 and not padded with spaces comes
		// back from JSON as it went.
		if utf8.ValidString(s) && strings.TrimSpace(s) == s {
			out, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			var again Amount
			if err := json.Unmarshal(out, &again); err != nil || again != a {
				t.Fatalf("%q: JSON round trip gave %q (%v)", s, again, err)
			}
		}

		// s as raw JSON, called directly and through encoding/json.
		var direct Amount
		_ = direct.UnmarshalJSON([]byte(s))
		var viaJSON Amount
		if err := json.Unmarshal([]byte(s), &viaJSON); err != nil || !json.Valid([]byte(s)) {
			return
		}
		// encoding/json hands UnmarshalJSON the value without the
		// whitespace around it.
		direct = ""
		if err := direct.UnmarshalJSON(bytes.TrimSpace([]byte(s))); err != nil || direct != viaJSON {
			t.Fatalf("%s: direct UnmarshalJSON gave %q (%v), encoding/json %q", s, direct, err, viaJSON)
		}
		trimmed := strings.TrimSpace(s)
		switch {
		case trimmed == "null":
			if viaJSON != "" {
				t.Fatalf("null gave %q", viaJSON)
			}
		case strings.HasPrefix(trimmed, `"`):
			var str string
			if err := json.Unmarshal([]byte(s), &str); err != nil {
				t.Fatal(err)
			}
			if string(viaJSON) != strings.TrimSpace(str) {
				t.Fatalf("%s gave %q, want the trimmed string %q", s, viaJSON, strings.TrimSpace(str))
			}
		case !strings.ContainsAny(trimmed, "eE"):
			// A JSON number keeps its exact text.
			if string(viaJSON) != trimmed {
				t.Fatalf("number %s gave %q", s, viaJSON)
			}
		case viaJSON.Valid():
			// An exponent is written out as the decimal it stands for.
			want, ok := new(big.Rat).SetString(trimmed)
			got, err := viaJSON.Rat()
			if !ok || err != nil || got.Cmp(want) != 0 {
				t.Fatalf("number %s gave %q, a different number", s, viaJSON)
			}
		default:
			// One too large to write out is kept as it came.
			if string(viaJSON) != trimmed {
				t.Fatalf("number %s gave %q", s, viaJSON)
			}
		}
	})
}

// fuzzFractionLayout reports whether a layout writes fractional seconds.
// Parsing accepts a fraction after the seconds even when the layout has
// none, so a round trip through such a layout keeps whole seconds only.
func fuzzFractionLayout(layout string) bool { return strings.Contains(layout, ".9") }

// FuzzParseDate: ParseDate never panics, and a date it reads, written back
// in the layout that matched and read again, is the same instant.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2023-07-17 06:30:41", "Wed, 10 Jan 2018 21:02:23 +0000", "Wed, 10 Jan 2018 21:02:23 GMT",
		"2018-01-10T21:02:23Z", "2018-01-10T21:02:23.123456789+05:30", "2018-01-10T21:02:23", "2018-01-10",
		"", "   ", "0000-00-00 00:00:00", "0000-00-00", "0000-01-01", "9999-12-31 23:59:59",
		"2023-07-17 06:30:41.5", "2023-02-30", "2023-13-01", "Mon, 10 Jan 2018 21:02:23 +2400",
		"Wed, 10 Jan 2018 21:02:23 -9999", "Wed, 10 Jan 2018 21:02:23 XYZ", "Wed, 10 Jan 2018 21:02:23 GMT+5",
		"2018-01-10T21:02:23+24:00", "2018-01-10T24:00:00Z", "\x00", "2023-07-17 06:30:41\xff",
		"1700000000", strings.Repeat("2023-", 1000),
		"2023-02-30 00:00:00", "2024-02-29 23:59:59", "2023-07-17 24:00:00", "2023-07-17 06:60:41",
		"2023-07-17 06:30:60", "0000-01-01 00:00:00", "2023-07-17 06:30:4x", "2023-07-17T06:30:41",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("%q: error %v with a non-zero time %v", s, err, got)
			}
			return
		}
		trimmed := strings.TrimSpace(s)
		if trimmed == "" || strings.HasPrefix(trimmed, "0000-00-00") {
			if !got.IsZero() {
				t.Fatalf("%q gave %v, want the zero time", s, got)
			}
			return
		}
		layout := ""
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, trimmed); err == nil && t.Equal(got) {
				layout = l
				break
			}
		}
		if layout == "" {
			t.Fatalf("%q parsed as %v, but no layout matches it", s, got)
		}
		text := got.Format(layout)
		again, err := ParseDate(text)
		if err != nil {
			t.Fatalf("%q parsed as %v, written as %q in %q, which does not parse: %v", s, got, text, layout, err)
		}
		want := got
		if !fuzzFractionLayout(layout) {
			want = got.Truncate(time.Second)
		}
		if !again.Equal(want) {
			t.Fatalf("%q parsed as %v, written as %q in %q, read back as %v", s, got, text, layout, again)
		}
		// The decoded group must be writable as JSON too.
		if _, err := got.MarshalJSON(); err != nil {
			t.Fatalf("%q parsed as %v, which does not marshal: %v", s, got, err)
		}
	})
}

// fuzzErrorSlack is how far past maxErrorText a message may run.
const fuzzErrorSlack = 64

// fuzzHasText reports whether b holds an ASCII letter or digit.
func fuzzHasText(b []byte) bool {
	for _, c := range b {
		if c < utf8.RuneSelf && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return true
		}
	}
	return false
}

// FuzzErrorBody: parseErrorBody and newAPIError never panic; every message
// is valid UTF-8, free of control characters (an error often ends up in a
// log line) and within the cap; a body that is not JSON keeps its text;
// Error() is never empty.
func FuzzErrorBody(f *testing.F) {
	for _, fx := range fuzzFixtureBodies(f) {
		// FuzzErrorBody answers with 400 plus its second argument
		// modulo 200.
		status := uint16(0)
		if n, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(fx.name, "error_"), "reference_"), "_", 2)[0]); err == nil && n >= 400 {
			status = uint16(n - 400)
		}
		f.Add(fx.body, status)
	}
	for _, s := range fuzzHostileJSON() {
		f.Add([]byte(s), uint16(500))
	}
	for _, s := range []string{
		`[{"status":400,"message":"line one\nline two\r\n\u0000\u001b[31m"}]`,
		`[{"status":400,"message":"` + strings.Repeat("x", 10000) + `"}]`,
		`{"status":400,"title":"` + strings.Repeat("t", 3000) + `","detail":"` + strings.Repeat("d", 3000) + `"}`,
		`{"errors":[{"status":"422","title":"a"},{"status":1e400}]}`,
		`{"errors":{"name":"taken"}}`,
		`{"errors":null}`,
		`{"status":true}`,
		"\xff" + strings.Repeat("Bad Gateway ", 300),
		"<html><body>Caf\xe9 " + strings.Repeat("x", 3000) + "</body></html>",
		strings.Repeat("é", 1500),
		"Service Unavailable",
		"",
	} {
		f.Add([]byte(s), uint16(429))
	}
	f.Fuzz(func(t *testing.T, body []byte, code uint16) {
		status := 400 + int(code)%200
		details := parseErrorBody(body)
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 && details != nil {
			t.Fatalf("empty body gave %+v", details)
		}
		for i, d := range details {
			if len(d.Message) > maxErrorText+fuzzErrorSlack {
				t.Fatalf("message %d is %d bytes, over the %d-byte cap", i, len(d.Message), maxErrorText)
			}
			if !utf8.ValidString(d.Message) {
				t.Fatalf("message %d is not valid UTF-8: %q", i, d.Message)
			}
			if strings.ContainsFunc(d.Message, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Fatalf("message %d holds control characters: %q", i, d.Message)
			}
		}
		if len(trimmed) > 0 && !json.Valid(trimmed) {
			if len(details) != 1 {
				t.Fatalf("a body that is not JSON gave %d entries", len(details))
			}
			if fuzzHasText(trimmed[:min(len(trimmed), maxErrorText)]) && details[0].Message == "" {
				t.Fatalf("a text body lost all of its text: %q", trimmed[:min(len(trimmed), 80)])
			}
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		e := newAPIError(resp, http.MethodGet, testBaseURL+"/customer_groups?name=x", body)
		msg := e.Error()
		if msg == "" || e.StatusCode != status {
			t.Fatalf("Error() = %q, status %d", msg, e.StatusCode)
		}
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("Error() spans lines: %q", msg)
		}
		if len(msg) > maxErrorText+fuzzErrorSlack+200 {
			t.Fatalf("Error() is %d bytes long", len(msg))
		}
		if e.Is(ErrServer) != (status >= 500 && status != 509) {
			t.Fatalf("status %d: Is(ErrServer) = %v", status, e.Is(ErrServer))
		}
	})
}

// FuzzRateHeaders: the rate-limit headers never panic the parser, the
// throttle or the backoff, and never give a negative count or duration,
// however they are written.
func FuzzRateHeaders(f *testing.F) {
	f.Add("150", "149", "28311", "30000", "", "")
	f.Add("150", "0", "1500", "30000", "2", "")
	f.Add("", "", "", "", "", "")
	f.Add("-150", "-1", "-5", "-30000", "-2", "-3")
	f.Add("abc", "NaN", "Inf", "+Inf", "-Inf", "1e400")
	f.Add("99999999999999999999", "9223372036854775808", "1e30", "2147483648", "999999", "4294967296")
	f.Add("0x10", "-0", "1.5", "0.0001", " 7 ", "1_000")
	f.Add("150", "12abc", "\x00", "\xff", "Wed, 21 Oct 2015 07:28:00 GMT", "120")
	f.Fuzz(func(t *testing.T, quota, left, reset, window, xRetry, retry string) {
		h := http.Header{}
		for key, v := range map[string]string{headerQuota: quota, headerLeft: left, headerResetMs: reset, headerWindowMs: window, headerRetryAfter: xRetry, "Retry-After": retry} {
			if v != "" {
				h.Set(key, v)
			}
		}
		r, ok := ParseRate(h)
		if !ok && r != (Rate{}) {
			t.Fatalf("unusable headers gave %+v", r)
		}
		const maxDur = time.Duration(math.MaxInt32) * time.Millisecond
		if r.Quota < 0 || r.Quota > math.MaxInt32 || r.Remaining < 0 || r.Remaining > math.MaxInt32 ||
			r.ResetIn < 0 || r.ResetIn > maxDur || r.Window < 0 || r.Window > maxDur {
			t.Fatalf("ParseRate gave %+v", r)
		}
		// A plain non-negative integer is read as it is; a negative
		// number is ignored.
		if n, err := strconv.ParseInt(strings.TrimSpace(left), 10, 64); err == nil {
			switch {
			case n < 0 && ok:
				t.Fatalf("negative Requests-Left %q was used: %+v", left, r)
			case n >= 0 && (!ok || r.Remaining != int(min(n, math.MaxInt32))):
				t.Fatalf("Requests-Left %q gave %+v, %v", left, r, ok)
			}
		}
		wait, ok := RateLimitWait(h)
		if wait < 0 || wait > time.Duration(math.MaxInt32)*time.Second || (!ok && wait != 0) {
			t.Fatalf("RateLimitWait = %v, %v", wait, ok)
		}
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: h}
		if d := backoff(0, time.Second, 1, resp); d < 0 {
			t.Fatalf("backoff = %v", d)
		}
		_ = shouldRetry(retryIdempotent, resp, nil, time.Second)
		l := newThrottle(&settings{maxConcurrent: 2, rateWait: time.Second})
		observeResp(l, resp, time.Now())
		if d := take(l, time.Now()); d < 0 {
			t.Fatalf("throttle wait = %v", d)
		}
		if lr := l.Rate(); lr.Quota < 0 || lr.Remaining < 0 || lr.ResetIn < 0 || lr.Window < 0 {
			t.Fatalf("limiter rate = %+v", lr)
		}
	})
}

// fuzzExactInteger reports the integer that a JSON number's text denotes
// exactly, and whether it denotes one that fits an int64. Exponents too
// large to check cheaply report false, unchecked.
func fuzzExactInteger(text string) (v int64, isInt, checked bool) {
	if len(text) > 64 {
		return 0, false, false
	}
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		exp, err := strconv.Atoi(text[i+1:])
		if err != nil || exp > 400 || exp < -400 {
			return 0, false, false
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return 0, false, false
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false, true
	}
	return r.Num().Int64(), true, true
}

// FuzzFlexInt: a flexible id never panics, and whenever it reads a value,
// that value is exactly the integer the server wrote, as a number or as a
// string of digits.
func FuzzFlexInt(f *testing.F) {
	for _, s := range []string{
		`20`, `"20"`, `-3`, `""`, `null`, `20.0`, `"abc"`, `1.5`, `true`, `{}`, `-0`, `"-0"`, `"0x10"`,
		`1e400`, `1e30`, `99999999999999999999`, `9223372036854775807`, `-9223372036854775808`,
		`9223372036854775808`, `"9007199254740993.0"`, `9007199254740993.0`, `0.99999999999999999999`,
		`1e2`, `"\u0032\u0030"`, `"`, `"20`, "\"2\x000\"", `" 20 "`, `"+20"`, `"NaN"`, `"Inf"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var n flexInt
		if err := unmarshal(raw, &n); err != nil {
			return
		}
		text := string(bytes.TrimSpace(raw))
		if strings.HasPrefix(text, `"`) {
			if err := json.Unmarshal(raw, &text); err != nil {
				t.Fatal(err)
			}
			if text == "" {
				if n != 0 {
					t.Fatalf(`"" gave %d`, n)
				}
				return
			}
		}
		if text == "null" {
			if n != 0 {
				t.Fatalf("null gave %d", n)
			}
			return
		}
		want, isInt, checked := fuzzExactInteger(text)
		if !checked {
			return
		}
		if !isInt {
			t.Fatalf("%s is not an integer id, yet it read as %d", raw, n)
		}
		if int64(n) != want {
			t.Fatalf("%s read as %d, want %d", raw, n, want)
		}
	})
}
