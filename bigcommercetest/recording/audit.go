package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Finding is something in a recording that looks like a credential. It
// names where and why, never the value, so that a report of it can be
// printed and logged.
type Finding struct {
	// File is the recording's path, as given to Audit or found under it.
	File string
	// Line is the 1-based line of the file.
	Line int
	// Why says what was found there.
	Why string
}

// String reads file:line: why.
func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Why) }

// Audit reads .http files, each a recorded exchange or a lone response, and
// reports what looks like a credential:
//
//   - a header that Recorder redacts by default whose value is not
//     REDACTED;
//   - a query parameter (of the request line or of a Location,
//     Content-Location or Referer header), form field or JSON field that
//     Recorder redacts by name, holding something other than REDACTED;
//   - a JSON Web Token;
//   - a run of 20 or more letters and digits that mixes both and whose
//     characters vary as a random token's do (an access token, a client
//     secret, a hash), and that is not a UUID;
//   - any of known, raw or in the encodings Recorder redacts.
//
// A path names a file, or a directory that is walked for .http files;
// directories whose names start with a dot, such as .git, are skipped.
// Findings come sorted by file and line. The heuristics can flag data that
// only looks random; such a value has no place in a committed recording
// either, and can be replaced by hand.
func Audit(paths []string, known ...string) ([]Finding, error) {
	var files []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case e.IsDir() && path != p && strings.HasPrefix(e.Name(), "."):
				return filepath.SkipDir
			case !e.IsDir() && (path == p || strings.HasSuffix(path, ".http")):
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("recording: audit: %w", err)
		}
	}
	var matchers []matcher
	for _, k := range known {
		if k != "" {
			matchers = append(matchers, newMatcher(k, ""))
		}
	}
	var found []Finding
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("recording: audit: %w", err)
		}
		found = append(found, auditFile(f, data, matchers)...)
	}
	slices.SortStableFunc(found, func(a, b Finding) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return found, nil
}

var (
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	runPattern = regexp.MustCompile(`[A-Za-z0-9]{20,}`)
	uuidRun    = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
)

// auditor collects the findings of one file.
type auditor struct {
	file  string
	data  []byte
	red   redactor
	found []Finding
}

func (a *auditor) report(at int, format string, args ...any) {
	line := bytes.Count(a.data[:min(at, len(a.data))], []byte("\n")) + 1
	a.found = append(a.found, Finding{File: a.file, Line: line, Why: fmt.Sprintf(format, args...)})
}

func auditFile(file string, data []byte, known []matcher) []Finding {
	a := &auditor{file: file, data: data}
	// The request, if any, then the response.
	at := 0
	if !bytes.HasPrefix(data, []byte("HTTP/")) {
		end, head := a.head(at, true)
		n, _ := strconv.Atoi(head.Get("Content-Length"))
		a.body(head, end, min(end+n, len(data)))
		at = min(end+n, len(data))
		for at < len(data) && (data[at] == '\n' || data[at] == '\r') {
			at++
		}
	}
	if at < len(data) {
		end, head := a.head(at, false)
		a.body(head, end, len(data))
	}

	jwts := jwtPattern.FindAllIndex(data, -1)
	for _, m := range jwts {
		a.report(m[0], "a JSON Web Token of %d characters", m[1]-m[0])
	}
	// Runs inside a token already reported, or inside a UUID (an id, not
	// a secret), are not reported again.
	skip := append(jwts, uuidRun.FindAllIndex(data, -1)...)
	for _, m := range runPattern.FindAllIndex(data, -1) {
		inside := slices.ContainsFunc(skip, func(s []int) bool { return m[0] >= s[0] && m[1] <= s[1] })
		if !inside && looksRandom(data[m[0]:m[1]]) {
			a.report(m[0], "a run of %d letters and digits that looks like a random token", m[1]-m[0])
		}
	}
	for i, m := range known {
		if !bytes.Contains(data, []byte(m.anchor)) {
			continue
		}
		for _, loc := range m.re.FindAllIndex(data, -1) {
			a.report(loc[0], "known secret %d of %d", i+1, len(known))
		}
	}
	return a.found
}

// head reads the start line and headers from offset at, checking them, and
// returns where the body starts and the headers.
func (a *auditor) head(at int, request bool) (int, http.Header) {
	h := http.Header{}
	first := true
	for at < len(a.data) {
		end := bytes.IndexByte(a.data[at:], '\n')
		if end < 0 {
			end = len(a.data) - at
		}
		line := strings.TrimRight(string(a.data[at:at+end]), "\r")
		next := at + end + 1
		switch {
		case line == "" && !first:
			return min(next, len(a.data)), h
		case first:
			if request {
				// METHOD target HTTP/1.1
				fields := strings.Fields(line)
				if len(fields) >= 2 {
					if i := strings.IndexByte(fields[1], '?'); i >= 0 {
						a.query(fields[1][i+1:], at+len(fields[0])+1+i+1, "query parameter")
					}
				}
			}
			first = false
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				break
			}
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			value = strings.TrimSpace(value)
			h.Add(name, value)
			valueAt := at + strings.Index(line, value)
			switch {
			case slices.Contains(defaultSecretHeaders, name):
				if value != Redacted {
					a.report(at, "header %s is not redacted", name)
				}
			case slices.Contains(urlHeaders, name):
				if i := strings.IndexByte(value, '?'); i >= 0 {
					a.query(value[i+1:], valueAt+i+1, "query parameter in "+name)
				}
			}
		}
		at = next
	}
	return len(a.data), h
}

// query checks the pairs of a query or form that starts at offset at.
func (a *auditor) query(q string, at int, what string) {
	for _, p := range queryPairs(q) {
		if p.value != "" && p.value != Redacted && a.red.secretField(p.name) {
			a.report(at+p.at, "%s %q is not redacted", what, p.name)
		}
	}
}

// body checks the secret-named fields of a JSON or form body.
func (a *auditor) body(h http.Header, start, end int) {
	body := a.data[start:end]
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	media, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case json.Valid(body):
		redactJSON(body, a.red.secretField, func(field, value string, at int) {
			if value != "" && value != Redacted {
				a.report(start+at, "JSON field %q is not redacted", field)
			}
		})
	case media == "application/x-www-form-urlencoded":
		a.query(string(body), start, "form field")
	}
}

// looksRandom tells a token from words and numbers: it mixes letters and
// digits, and its characters are spread as a random string's are, at
// least three bits of entropy each.
func looksRandom(run []byte) bool {
	var letters, digits bool
	counts := map[byte]int{}
	for _, c := range run {
		counts[c]++
		if c >= '0' && c <= '9' {
			digits = true
		} else {
			letters = true
		}
	}
	if !letters || !digits {
		return false
	}
	entropy := 0.0
	for _, n := range counts {
		p := float64(n) / float64(len(run))
		entropy -= p * math.Log2(p)
	}
	return entropy >= 3
}
