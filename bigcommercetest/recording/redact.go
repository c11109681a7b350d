package recording

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// defaultSecretHeaders carry credentials; their values are never written.
var defaultSecretHeaders = []string{"X-Auth-Token", "X-Auth-Client", "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// defaultSecretFields are the names, as fieldKey spells them, of the query
// parameters, form fields and JSON fields whose values are redacted: the
// credentials of BigCommerce's API and of its app flows (the token
// exchange's client_id, client_secret and code; its answer's access_token;
// the load callback's signed_payload and signed_payload_jwt; the
// storefront and customer-login tokens), and the usual names elsewhere.
var defaultSecretFields = []string{
	"accesstoken", "refreshtoken", "idtoken", "token", "authtoken", "xauthtoken",
	"authorization", "clientid", "xauthclient", "clientsecret", "secret", "code",
	"password", "passwd", "apikey", "privatekey", "signedpayload", "signedpayloadjwt",
	"jwt", "session", "sessionid", "cookie",
}

// secretSuffixes mark a field as secret whatever comes before them, such
// as customer_impersonation_token or webhook_secret.
var secretSuffixes = []string{"token", "secret", "password", "apikey"}

// urlHeaders hold URLs whose query may carry a secret, as a redirect
// after an OAuth callback carries its code.
var urlHeaders = []string{"Location", "Content-Location", "Referer"}

// tokenPath ends the path of an OAuth token endpoint, such as BigCommerce's
// https://login.bigcommerce.com/oauth2/token, whose whole answer is secret.
const tokenPath = "/oauth2/token"

// tokenAnswerPlain are the fields of a token endpoint's answer, as
// fieldKey spells them, that are kept: what replaying an install needs
// (the store in context, the scope granted, the token's type, and the
// installing user and the owner, whose ids are numbers and so kept).
// Every other string of the answer is redacted and learnt, whatever its
// field is called, since a login server may name a credential anything.
var tokenAnswerPlain = []string{"context", "scope", "tokentype", "user", "owner"}

// minEcho is the shortest learnt value that is searched for everywhere.
// A shorter one is still redacted where it is found (a header, a field),
// but searching for, say, "1" would blot out every digit of the recording.
const minEcho = 6

// fieldKey is how field names are compared: case, underscores and dashes
// do not count, so access_token, accessToken and Access-Token are one.
func fieldKey(name string) string {
	name = strings.ToLower(name)
	return strings.NewReplacer("_", "", "-", "").Replace(name)
}

// redactor knows where secrets are and remembers every value found there.
// Its methods are called with the Recorder's mutex held, or before the
// Recorder is shared.
type redactor struct {
	headers  []string  // extra canonical header names
	fields   []string  // extra fieldKey names
	secrets  []string  // learnt and given values, never empty
	matchers []matcher // built from secrets when first needed
}

func (d *redactor) secretHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	return slices.Contains(defaultSecretHeaders, name) || slices.Contains(d.headers, name)
}

func (d *redactor) secretField(name string) bool {
	k := fieldKey(name)
	if slices.Contains(defaultSecretFields, k) || slices.Contains(d.fields, k) {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// learn remembers a secret value; given values are kept whatever their
// length, learnt ones only when long enough to search for.
func (d *redactor) learn(s string, given bool) {
	if s == "" || s == Redacted || !given && len(s) < minEcho || slices.Contains(d.secrets, s) {
		return
	}
	d.secrets = append(d.secrets, s)
	d.matchers = nil
}

// learnExchange remembers every secret of one exchange, from wherever a
// secret may be: a credential header, a secret-named query parameter or
// field of either body, and the whole answer of a token endpoint.
func (d *redactor) learnExchange(x *captured) {
	d.learnHeader(x.reqHead)
	d.learnHeader(x.respHead)
	_, query, _ := strings.Cut(x.target, "?")
	d.redactQuery(query)
	d.redactBody(x.reqHead, x.reqBody, false)
	d.redactBody(x.respHead, x.respBody, strings.HasSuffix(pathOf(x.target), tokenPath))
}

func (d *redactor) learnHeader(h http.Header) {
	for name, values := range h {
		for _, v := range values {
			d.headerValue(name, v)
		}
	}
}

// headerValue returns the value to write for one header, learning what it
// holds.
func (d *redactor) headerValue(name, v string) string {
	name = http.CanonicalHeaderKey(name)
	if slices.Contains(urlHeaders, name) {
		if base, query, ok := strings.Cut(v, "?"); ok {
			return base + "?" + d.redactQuery(query)
		}
		return v
	}
	if !d.secretHeader(name) {
		return v
	}
	d.learn(v, false)
	switch name {
	case "Authorization", "Proxy-Authorization":
		scheme, cred, ok := strings.Cut(v, " ")
		if !ok {
			break
		}
		cred = strings.TrimSpace(cred)
		d.learn(cred, false)
		if strings.EqualFold(scheme, "Basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				// The pair as a whole, whose base64 without padding is
				// not the credential's text, and the password alone; the
				// user name is not secret, and often a common word that
				// would otherwise be blotted out everywhere.
				d.learn(string(raw), false)
				_, password, _ := strings.Cut(string(raw), ":")
				d.learn(password, false)
			}
		}
	case "Cookie":
		for _, c := range (&http.Request{Header: http.Header{"Cookie": {v}}}).Cookies() {
			d.learn(c.Value, false)
		}
	case "Set-Cookie":
		if c, err := http.ParseSetCookie(v); err == nil {
			d.learn(c.Value, false)
		}
	}
	return Redacted
}

// redactQuery returns a query, or a form body, with the value of every
// secret-named parameter replaced, learning those values. The rest stays
// byte for byte, so the order and escaping of the other parameters are
// kept.
func (d *redactor) redactQuery(query string) string {
	return d.redactQueryBy(query, d.secretField)
}

// redactQueryBy is redactQuery with another rule for which names are
// secret.
func (d *redactor) redactQueryBy(query string, secret func(name string) bool) string {
	var b strings.Builder
	last := 0
	for _, p := range queryPairs(query) {
		if p.value == "" || !secret(p.name) {
			continue
		}
		d.learn(p.decoded(), false)
		b.WriteString(query[last:p.at])
		b.WriteString(Redacted)
		last = p.at + len(p.value)
	}
	b.WriteString(query[last:])
	return b.String()
}

// queryPair is one name=value of a query or form, as written.
type queryPair struct {
	name  string // decoded
	value string // as written
	at    int    // offset of value in the query
}

// decoded is the pair's value unescaped, or as written if it is not
// valid escaping.
func (p queryPair) decoded() string {
	if v, err := url.QueryUnescape(p.value); err == nil {
		return v
	}
	return p.value
}

func queryPairs(query string) []queryPair {
	var pairs []queryPair
	at := 0
	for part := range strings.SplitSeq(query, "&") {
		k, v, ok := strings.Cut(part, "=")
		if ok {
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			pairs = append(pairs, queryPair{name: name, value: v, at: at + len(k) + 1})
		}
		at += len(part) + 1
	}
	return pairs
}

// redactBody returns a body with its secret-named fields replaced,
// learning their values: JSON by field, form bodies by parameter. In a
// token endpoint's answer every field is secret but tokenAnswerPlain's,
// and an answer that is neither JSON nor a form is replaced whole, since
// it can only be a credential in a shape this code does not know.
func (d *redactor) redactBody(h http.Header, body []byte, tokenAnswer bool) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return body
	}
	secret := d.secretField
	if tokenAnswer {
		secret = func(name string) bool {
			return d.secretField(name) || !slices.Contains(tokenAnswerPlain, fieldKey(name))
		}
	}
	media, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case json.Valid(body) && (!tokenAnswer || bytes.TrimSpace(body)[0] == '{'):
		return redactJSON(body, secret, func(_, s string, _ int) { d.learn(s, false) })
	case media == "application/x-www-form-urlencoded":
		return []byte(d.redactQueryBy(string(body), secret))
	case tokenAnswer:
		// Perhaps a form in a body labelled otherwise: learn its fields,
		// so that a token in it is found when echoed alone.
		d.redactQueryBy(string(bytes.TrimSpace(body)), secret)
		d.learn(string(bytes.TrimSpace(body)), false)
		return []byte(Redacted)
	}
	return body
}

// scrub replaces every known secret in s, in every encoding Recorder
// documents, and then the store hash.
func (r *Recorder) scrub(s string) string {
	s = r.red.scrub(s)
	if r.storeHash != "" {
		s = replaceWord(s, r.storeHash, StoreHashPlaceholder)
	}
	return s
}

func (d *redactor) scrub(s string) string {
	if d.matchers == nil {
		// Longest first, so that a secret containing another is replaced
		// whole before the shorter one is looked for.
		secrets := slices.Clone(d.secrets)
		slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
		for _, v := range secrets {
			d.matchers = append(d.matchers, newMatcher(v, ""))
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				if b := enc.EncodeToString([]byte(v)); b != v {
					// With or without padding, itself perhaps escaped.
					d.matchers = append(d.matchers, newMatcher(b, `(?:=|%3[dD]|\\+u003[dD])*`))
				}
			}
		}
	}
	for _, m := range d.matchers {
		if strings.Contains(s, m.anchor) {
			s = m.re.ReplaceAllLiteralString(s, Redacted)
		}
	}
	return s
}

// matcher finds one secret in its encodings. Its anchor is the longest
// part of the secret that every encoding leaves as it is, so that the
// regular expression runs only on text that may hold the secret.
type matcher struct {
	anchor string
	re     *regexp.Regexp
}

func newMatcher(v, suffix string) matcher {
	var m matcher
	run := 0
	for i := range len(v) {
		if unreserved(v[i]) {
			run++
			if run > len(m.anchor) {
				m.anchor = v[i+1-run : i+1]
			}
		} else {
			run = 0
		}
	}
	m.re = regexp.MustCompile(echoPattern(v) + suffix)
	return m
}

// unreserved characters are left as they are by percent-encoding and by
// JSON, so they match only themselves. The tilde is not among them here:
// older encoders escape it.
func unreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.'
}

// echoPattern matches v as a server may echo it: raw, percent-encoded
// (either case of hex, + for a space), or inside a JSON string (\u
// escapes in either case, \/ and the short escapes), once or more (a JSON
// string holding JSON), each character independently, so that a mix of
// encodings is caught too. Unreserved characters (letters, digits, "-",
// "_" and ".") match only themselves, as no encoder escapes them.
func echoPattern(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r < utf8.RuneSelf && unreserved(byte(r)) {
			b.WriteString(regexp.QuoteMeta(string(r)))
			continue
		}
		alts := []string{regexp.QuoteMeta(string(r))}
		var pct strings.Builder
		for _, c := range []byte(string(r)) {
			fmt.Fprintf(&pct, "%%%s", hexPattern(fmt.Sprintf("%02X", c)))
		}
		alts = append(alts, pct.String())
		// A JSON escape's backslash may itself be escaped, any number of
		// times, when JSON is carried in a JSON string.
		const esc = `\\+`
		if r <= 0xFFFF {
			alts = append(alts, esc+`u`+hexPattern(fmt.Sprintf("%04X", r)))
		} else {
			hi, lo := utf16.EncodeRune(r)
			alts = append(alts, esc+`u`+hexPattern(fmt.Sprintf("%04X", hi))+esc+`u`+hexPattern(fmt.Sprintf("%04X", lo)))
		}
		switch r {
		case ' ':
			alts = append(alts, `\+`)
		case '/', '"', '\\':
			alts = append(alts, esc+regexp.QuoteMeta(string(r)))
		case '\b':
			alts = append(alts, esc+`b`)
		case '\f':
			alts = append(alts, esc+`f`)
		case '\n':
			alts = append(alts, esc+`n`)
		case '\r':
			alts = append(alts, esc+`r`)
		case '\t':
			alts = append(alts, esc+`t`)
		}
		b.WriteString("(?:" + strings.Join(alts, "|") + ")")
	}
	return b.String()
}

// hexPattern matches upper-case hex digits h in either case.
func hexPattern(h string) string {
	var b strings.Builder
	for _, c := range h {
		if c >= 'A' && c <= 'F' {
			fmt.Fprintf(&b, "[%c%c]", c, c+'a'-'A')
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
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

// format renders one redacted exchange as the text of its file.
func (r *Recorder) format(x *captured) []byte {
	var b bytes.Buffer
	path, query, hasQuery := strings.Cut(x.target, "?")
	target := path
	if hasQuery {
		target += "?" + r.red.redactQuery(query)
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", x.method, r.scrub(target))
	body := indentJSON([]byte(r.scrub(string(r.red.redactBody(x.reqHead, x.reqBody, false)))))
	h := x.reqHead.Clone()
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

	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\n", x.status, http.StatusText(x.status))
	h = x.respHead.Clone()
	// Without a length the response's body runs to the end of the file,
	// as in testdata/responses, so it may be edited by hand.
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	r.writeHeader(&b, h)
	b.WriteString("\n")
	answer := r.red.redactBody(x.respHead, x.respBody, strings.HasSuffix(path, tokenPath))
	b.Write(indentJSON([]byte(r.scrub(string(answer)))))
	return b.Bytes()
}

// writeHeader writes h sorted by name, with credentials redacted.
func (r *Recorder) writeHeader(b *bytes.Buffer, h http.Header) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			fmt.Fprintf(b, "%s: %s\n", name, r.scrub(r.red.headerValue(name, v)))
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
