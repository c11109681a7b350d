package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// ReplayOption configures Replay.
type ReplayOption func(*replayer)

// FailIfUnused fails the test, when it ends, if any recorded exchange was
// never requested: the code under test no longer makes a call it made when
// the recording was taken, and the recording should be made again.
func FailIfUnused() ReplayOption {
	return func(r *replayer) { r.failUnused = true }
}

// Replay returns an HTTP client that answers from the recording in dir,
// made by Recorder, without any network. Give it to a client with
// bigcommerce.WithHTTPClient; the client's base URL and credentials do not
// matter, since the host and headers are not compared.
//
// A request is answered by the first recorded exchange not yet used whose
// method, path and query match, the query in any order. For a request with
// a body, the body must match too: JSON bodies by value, so that key order,
// spacing and the spelling of a number ("5", "5.0") do not count, form
// bodies field by field in any order, and other bodies byte for byte,
// ignoring surrounding space. Repeated identical requests are thus
// answered in the order they were recorded. A path segment recorded as
// StoreHashPlaceholder (see HideStoreHash) matches any store hash, so a
// recording made on one store replays for a client configured with
// another; likewise the placeholder and REDACTED inside a path segment, a
// query value, a form value or a JSON string match any store hash or any
// text, so a client with other credentials still replays.
// Headers are not compared, and placeholders in responses are not
// substituted back.
//
// A request that nothing answers fails the test once, with t.Errorf, and
// the client gets a *MissError with the same message: it names the
// recording's directory, the nearest unused exchange and how the request
// differs from it (method, path, a query key, a body field), hiding what
// the Recorder would hide: the values of credential headers and of
// secret-named fields, wherever they appear in the message. MissError is
// a bigcommerce.OfflineError, so the SDK does not retry the request, and
// its error names no host, since none was contacted. Errorf, rather than
// Fatalf, because the request may be sent from a goroutine other than the
// test's.
//
// The client's transport is its own, so tests that replay can run in
// parallel. Recordings are read once, when Replay is called; a directory
// without one fails the test at once.
func Replay(t testing.TB, dir string, opts ...ReplayOption) *http.Client {
	t.Helper()
	r := &replayer{t: t, dir: dir}
	for _, o := range opts {
		o(r)
	}
	names, err := recordingFiles(dir)
	if err == nil && len(names) == 0 {
		err = errors.New("it holds no .http files")
	}
	if err != nil {
		t.Fatalf("recording: replay: no recording in %s: %v", dir, err)
		return nil
	}
	for _, name := range names {
		x, err := readExchange(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("recording: replay: %s: %v", filepath.Join(dir, name), err)
			return nil
		}
		x.file = name
		r.exchanges = append(r.exchanges, x)
	}
	if r.failUnused {
		t.Cleanup(r.checkUnused)
	}
	return &http.Client{Transport: r}
}

// MissError is the error of a request that a replay cannot answer. It is
// a bigcommerce.OfflineError: the SDK does not retry it.
type MissError struct {
	// Dir is the recording's directory.
	Dir string
	// Method and Target are the request's method and its path with any
	// query, as sent.
	Method, Target string
	// Nearest is the file of the nearest unused exchange, or empty when
	// every exchange has been used.
	Nearest string
	// Reason says how the request differs from Nearest, or why no
	// exchange is left to answer it.
	Reason string
}

// Error names the recording, the request and the nearest exchange.
func (e *MissError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "recording: %s has no answer for %s %s", e.Dir, e.Method, e.Target)
	if e.Nearest != "" {
		fmt.Fprintf(&b, "; the nearest unused exchange, %s, differs: %s", e.Nearest, e.Reason)
	} else {
		fmt.Fprintf(&b, "; %s", e.Reason)
	}
	return b.String()
}

// Offline reports true: the request was answered, with this error, by the
// recording and not by a server.
func (e *MissError) Offline() bool { return true }

type replayer struct {
	t          testing.TB
	dir        string
	failUnused bool

	mu        sync.Mutex
	exchanges []*exchange // in file-name order
}

// exchange is one recorded request and the response to give it.
type exchange struct {
	file     string
	method   string
	path     string
	query    url.Values
	body     []byte
	form     bool   // the body is a form, compared field by field
	response []byte // status line to end of file
	used     bool
}

// readExchange parses one file written by Recorder: a request whose body
// is as long as its Content-Length, blank lines, then the response.
func readExchange(path string) (*exchange, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(bytes.NewReader(data))
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, fmt.Errorf("reading the request: %w", err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	rest, _ := io.ReadAll(br)
	rest = bytes.TrimLeft(rest, "\r\n")
	if !bytes.HasPrefix(rest, []byte("HTTP/")) {
		return nil, fmt.Errorf("no response after the request's %d-byte body; after an edit by hand, is the request's Content-Length still right?", len(body))
	}
	media, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	x := &exchange{method: req.Method, path: req.URL.Path, query: req.URL.Query(), body: body, response: rest,
		form: media == "application/x-www-form-urlencoded"}
	// Parse the response now, so a broken file fails the test at once
	// rather than at the request that would have used it.
	if _, err := x.answer(req); err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	return x, nil
}

// answer builds a fresh response from the recording, with its whole body
// in memory so that any read of it behaves as a network read would.
func (x *exchange) answer(req *http.Request) (*http.Response, error) {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(x.response)), req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// RoundTrip answers req from the first unused exchange that matches it.
func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	r.mu.Lock()
	x, miss := r.match(req, body)
	r.mu.Unlock()
	if miss != nil {
		r.t.Errorf("%s", miss)
		return nil, miss
	}
	return x.answer(req)
}

// match takes the first unused exchange that answers req, or explains why
// none does. Callers hold r.mu.
func (r *replayer) match(req *http.Request, body []byte) (*exchange, *MissError) {
	var nearest *exchange
	var nearestDiffs []string
	best := -1
	answered := 0
	for _, x := range r.exchanges {
		diffs, score := x.differences(req, body)
		if len(diffs) == 0 && x.used {
			answered++
			continue
		}
		if x.used {
			continue
		}
		if len(diffs) == 0 {
			x.used = true
			return x, nil
		}
		if best < 0 || score < best {
			nearest, nearestDiffs, best = x, diffs, score
		}
	}
	// The message describes the request without its secrets: the values
	// of its credential headers and secret-named fields are learnt as the
	// Recorder learns them, and hidden wherever they appear.
	var d redactor
	d.learnHeader(req.Header)
	d.redactBody(req.Header, body, false)
	miss := &MissError{Dir: r.dir, Method: req.Method, Target: req.URL.Path}
	if req.URL.RawQuery != "" {
		miss.Target += "?" + d.redactQuery(req.URL.RawQuery)
	}
	miss.Target = d.scrub(miss.Target)
	var why []string
	if nearest != nil {
		miss.Nearest = nearest.file
		why = nearestDiffs
	} else {
		why = append(why, fmt.Sprintf("all %d recorded exchanges have been used", len(r.exchanges)))
	}
	if answered > 0 {
		why = append(why, fmt.Sprintf("the %d recorded like it were all answered already", answered))
	}
	miss.Reason = d.scrub(strings.Join(why, "; "))
	return nil, miss
}

// differences lists how req differs from x, and scores them so that the
// nearest exchange can be named: a different method weighs most, then the
// path, then each query key and body field.
func (x *exchange) differences(req *http.Request, body []byte) ([]string, int) {
	var diffs []string
	score := 0
	if req.Method != x.method {
		diffs = append(diffs, fmt.Sprintf("method %s, recorded %s", req.Method, x.method))
		score += 1000
	}
	if !pathMatches(req.URL.Path, x.path) {
		diffs = append(diffs, fmt.Sprintf("path %s, recorded %s", req.URL.Path, x.path))
		score += 100
	}
	q := queryDiffs("query key", req.URL.Query(), x.query)
	diffs = append(diffs, q...)
	score += len(q)
	if len(bytes.TrimSpace(body)) > 0 || len(bytes.TrimSpace(x.body)) > 0 {
		b := bodyDiffs(body, x.body, x.form)
		diffs = append(diffs, b...)
		score += len(b)
	}
	return diffs, score
}

// pathMatches compares paths segment by segment, with valueMatches.
func pathMatches(sent, recorded string) bool {
	s, r := strings.Split(sent, "/"), strings.Split(recorded, "/")
	if len(s) != len(r) {
		return false
	}
	for i := range s {
		if !valueMatches(s[i], r[i]) {
			return false
		}
	}
	return true
}

// valueMatches compares a sent value with a recorded one in which the
// recorder may have put StoreHashPlaceholder for the store hash, or
// REDACTED for a secret: each stands for any non-empty text there, since
// the client that replays has other credentials and perhaps another store.
func valueMatches(sent, recorded string) bool {
	if sent == recorded {
		return true
	}
	if !strings.Contains(recorded, StoreHashPlaceholder) && !strings.Contains(recorded, Redacted) {
		return false
	}
	var pattern strings.Builder
	pattern.WriteString("^")
	for i, part := range strings.Split(recorded, StoreHashPlaceholder) {
		if i > 0 {
			pattern.WriteString("[A-Za-z0-9]+")
		}
		for j, lit := range strings.Split(part, Redacted) {
			if j > 0 {
				pattern.WriteString(".+")
			}
			pattern.WriteString(regexp.QuoteMeta(lit))
		}
	}
	pattern.WriteString("$")
	return regexp.MustCompile(pattern.String()).MatchString(sent)
}

// queryDiffs compares two queries, or forms, key by key, ignoring the
// order of keys and of a key's repeated values; label names a key in what
// it reports.
func queryDiffs(label string, sent, recorded url.Values) []string {
	var diffs []string
	keys := map[string]bool{}
	for k := range sent {
		keys[k] = true
	}
	for k := range recorded {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		s, sok := sent[k]
		r, rok := recorded[k]
		switch {
		case secretName(k) && !rok:
			diffs = append(diffs, fmt.Sprintf("%s %q sent, not recorded", label, k))
		case secretName(k) && !sok:
			diffs = append(diffs, fmt.Sprintf("%s %q not sent, recorded", label, k))
		case secretName(k) && !slices.EqualFunc(slices.Sorted(slices.Values(s)), slices.Sorted(slices.Values(r)), valueMatches):
			diffs = append(diffs, fmt.Sprintf("%s %q differs from the recorded value", label, k))
		case !rok:
			diffs = append(diffs, fmt.Sprintf("%s %q sent as %q, not recorded", label, k, strings.Join(s, ",")))
		case !sok:
			diffs = append(diffs, fmt.Sprintf("%s %q not sent, recorded as %q", label, k, strings.Join(r, ",")))
		case !slices.EqualFunc(slices.Sorted(slices.Values(s)), slices.Sorted(slices.Values(r)), valueMatches):
			diffs = append(diffs, fmt.Sprintf("%s %q sent as %q, recorded as %q", label, k, strings.Join(s, ","), strings.Join(r, ",")))
		}
	}
	return diffs
}

// bodyDiffs compares JSON bodies by value, field by field, forms field
// by field, and other bodies as bytes.
func bodyDiffs(sent, recorded []byte, form bool) []string {
	if form {
		sv, serr := url.ParseQuery(strings.TrimSpace(string(sent)))
		rv, rerr := url.ParseQuery(strings.TrimSpace(string(recorded)))
		if serr == nil && rerr == nil {
			return queryDiffs("form field", sv, rv)
		}
	}
	sv, serr := decodeJSON(sent)
	rv, rerr := decodeJSON(recorded)
	if serr != nil || rerr != nil {
		if bytes.Equal(bytes.TrimSpace(sent), bytes.TrimSpace(recorded)) {
			return nil
		}
		return []string{fmt.Sprintf("body %q, recorded %q", clip(sent), clip(recorded))}
	}
	var diffs []string
	jsonDiffs("", sv, rv, &diffs)
	return diffs
}

func decodeJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one value")
	}
	return v, nil
}

// jsonDiffs appends one line per field where s and r differ, naming the
// field by its path such as discount_rules[0].amount.
func jsonDiffs(path string, s, r any, diffs *[]string) {
	field := func() string {
		if path == "" {
			return "body"
		}
		return "body field " + path
	}
	switch sv := s.(type) {
	case map[string]any:
		rv, ok := r.(map[string]any)
		if !ok {
			break
		}
		keys := maps.Clone(sv)
		maps.Copy(keys, rv)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			a, aok := sv[k]
			b, bok := rv[k]
			switch {
			case !bok:
				*diffs = append(*diffs, fmt.Sprintf("body field %s sent as %s, not recorded", sub, compact(sub, a)))
			case !aok:
				*diffs = append(*diffs, fmt.Sprintf("body field %s not sent, recorded as %s", sub, compact(sub, b)))
			default:
				jsonDiffs(sub, a, b, diffs)
			}
		}
		return
	case []any:
		rv, ok := r.([]any)
		if !ok || len(sv) != len(rv) {
			break
		}
		for i := range sv {
			jsonDiffs(fmt.Sprintf("%s[%d]", path, i), sv[i], rv[i], diffs)
		}
		return
	case json.Number:
		if rv, ok := r.(json.Number); ok && sameNumber(sv, rv) {
			return
		}
	case string:
		if rv, ok := r.(string); ok && valueMatches(sv, rv) {
			return
		}
	default:
		if s == r { // booleans, null
			return
		}
	}
	*diffs = append(*diffs, fmt.Sprintf("%s sent as %s, recorded as %s", field(), compact(path, s), compact(path, r)))
}

// sameNumber compares two JSON numbers by value, exactly.
func sameNumber(a, b json.Number) bool {
	x, okx := new(big.Rat).SetString(a.String())
	y, oky := new(big.Rat).SetString(b.String())
	if !okx || !oky {
		return a == b
	}
	return x.Cmp(y) == 0
}

// compact is the value of the body field at path for a message: JSON on
// one line, with the strings of secret-named fields, or the whole value
// when path is under one, shown as REDACTED.
func compact(path string, v any) string {
	if secretPath(path) {
		return `"` + Redacted + `"`
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Redacted
	}
	return clip(redactJSON(b, secretName, func(string, string, int) {}))
}

// secretName reports whether a query parameter, form field or JSON field
// of that name holds a secret, by the Recorder's default names.
func secretName(name string) bool {
	var d redactor
	return d.secretField(name)
}

// secretPath reports whether a body field path, such as
// auth.client_secret or keys[0].token, is or lies under a secret-named
// field.
func secretPath(path string) bool {
	for part := range strings.SplitSeq(path, ".") {
		if name, _, _ := strings.Cut(part, "["); name != "" && secretName(name) {
			return true
		}
	}
	return false
}

// clip shortens what a message quotes of a body.
func clip(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// checkUnused fails the test for every exchange never requested.
func (r *replayer) checkUnused() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var unused []string
	for _, x := range r.exchanges {
		if !x.used {
			unused = append(unused, x.file)
		}
	}
	if len(unused) > 0 {
		r.t.Errorf("recording: replay: %d of %d recorded exchanges were never requested: %s",
			len(unused), len(r.exchanges), strings.Join(unused, ", "))
	}
}
