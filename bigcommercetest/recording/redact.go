package recording

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// secretHeaders carry credentials; their values are never written.
var secretHeaders = []string{"X-Auth-Token", "X-Auth-Client", "Authorization", "Cookie", "Set-Cookie"}

func isSecretHeader(name string) bool {
	return slices.Contains(secretHeaders, http.CanonicalHeaderKey(name))
}

// learnFrom remembers the credentials of one exchange, so that an echo of
// them anywhere else is redacted too. Callers hold r.mu.
func (r *Recorder) learnFrom(reqHeader, respHeader http.Header) {
	for _, v := range reqHeader.Values("X-Auth-Token") {
		r.learn(v)
	}
	for _, v := range reqHeader.Values("X-Auth-Client") {
		r.learn(v)
	}
	for _, v := range reqHeader.Values("Authorization") {
		r.learn(v)
		scheme, cred, ok := strings.Cut(v, " ")
		if !ok {
			continue
		}
		r.learn(cred)
		if strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				// The user name is not secret, and often a common word
				// that would otherwise be blotted out everywhere.
				_, password, _ := strings.Cut(string(raw), ":")
				r.learn(password)
			}
		}
	}
	for _, c := range (&http.Request{Header: reqHeader}).Cookies() {
		r.learn(c.Value)
	}
	for _, c := range (&http.Response{Header: respHeader}).Cookies() {
		r.learn(c.Value)
	}
}

// scrub replaces every known secret in s, raw or escaped as in a URL, and
// then the store hash. Callers hold r.mu.
func (r *Recorder) scrub(s string) string {
	// Longest first, so that a secret containing another is replaced whole.
	secrets := slices.Clone(r.secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redacted)
		for _, esc := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			if esc != v {
				s = strings.ReplaceAll(s, esc, redacted)
			}
		}
	}
	if r.storeHash != "" {
		s = replaceWord(s, r.storeHash, StoreHashPlaceholder)
	}
	return s
}

// replaceWord replaces word where it is not part of a longer run of
// letters and digits: a short hash such as "dev" must not change
// "development".
func replaceWord(s, word, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(word)
		if (i == 0 || !isAlnum(s[i-1])) && (end == len(s) || !isAlnum(s[end])) {
			b.WriteString(s[:i])
			b.WriteString(repl)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// format renders one redacted exchange as the text of its file. Callers
// hold r.mu.
func (r *Recorder) format(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []byte {
	var b bytes.Buffer
	target := req.URL.EscapedPath()
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", req.Method, r.scrub(target))
	body := indentJSON([]byte(r.scrub(string(reqBody))))
	h := req.Header.Clone()
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	if len(body) > 0 {
		// The request's body ends where its length says, which is how the
		// response after it can be found; it is the length as written.
		h.Set("Content-Length", fmt.Sprint(len(body)))
	}
	r.writeHeader(&b, h)
	b.WriteString("\n")
	b.Write(body)
	b.WriteString("\n")

	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	h = resp.Header.Clone()
	// Without a length the response's body runs to the end of the file,
	// as in testdata/responses, so it may be edited by hand.
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	r.writeHeader(&b, h)
	b.WriteString("\n")
	b.Write(indentJSON([]byte(r.scrub(string(respBody)))))
	return b.Bytes()
}

// writeHeader writes h sorted by name, with credentials redacted.
func (r *Recorder) writeHeader(b *bytes.Buffer, h http.Header) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			if isSecretHeader(name) {
				v = redacted
			}
			fmt.Fprintf(b, "%s: %s\n", name, r.scrub(v))
		}
	}
}

// indentJSON indents a JSON body, changing only the whitespace between its
// tokens, and ends it with a newline; anything else is returned as it is.
func indentJSON(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 || !json.Valid(body) {
		return body
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
		return body
	}
	out.WriteByte('\n')
	return out.Bytes()
}
