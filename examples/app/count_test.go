package main

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The budgets of issue 23's target: an app on many stores in at most 60
// lines of its own code, and its end-to-end test in at most 40.
const (
	appBudget  = 60
	testBudget = 40
)

// The files outside the app's own code: the demo's embedded fake, and the
// tests, of which only e2eTest is the app's end-to-end test.
const (
	fakeFile = "fake.go"
	e2eTest  = "app_test.go"
)

// TestAppCodeFitsTheBudget counts the non-blank, non-comment lines of the
// app's code (every Go and template file of this folder but the fake and
// the tests) and of its end-to-end test, and holds them to the budgets and
// to the numbers the README gives.
func TestAppCodeFitsTheBudget(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	appLines, counted := 0, []string{}
	for _, f := range files {
		switch {
		case f == fakeFile || strings.HasSuffix(f, "_test.go"):
		case strings.HasSuffix(f, ".go"):
			appLines += goLines(t, f)
			counted = append(counted, f)
		case strings.HasSuffix(f, ".html"):
			appLines += templateLines(t, f)
			counted = append(counted, f)
		}
	}
	testLines := goLines(t, e2eTest)
	t.Logf("app code %v: %d lines; end-to-end test %s: %d lines", counted, appLines, e2eTest, testLines)
	if len(counted) < 2 {
		t.Fatalf("counted only %v; the app's Go file and its page are missing", counted)
	}
	if appLines > appBudget {
		t.Errorf("the app's code is %d lines, over its budget of %d", appLines, appBudget)
	}
	if testLines > testBudget {
		t.Errorf("the end-to-end test is %d lines, over its budget of %d", testLines, testBudget)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pattern string
		want    int
	}{
		{`(\d+) lines of its own code`, appLines},
		{`end-to-end test in (\d+) lines`, testLines},
	} {
		m := regexp.MustCompile(c.pattern).FindSubmatch(readme)
		if m == nil {
			t.Errorf("README.md does not say %q", c.pattern)
		} else if n, _ := strconv.Atoi(string(m[1])); n != c.want {
			t.Errorf("README.md says %q with %d; the count is %d", c.pattern, n, c.want)
		}
	}
}

// goLines counts the lines of a Go file that hold code: a token other than
// a comment, or a //go: directive, which is an instruction to the
// compiler. A raw string counts every non-blank line it spans.
func goLines(t *testing.T, path string) int {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(path, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) { t.Fatalf("%s: %s", pos, msg) }, scanner.ScanComments)
	lines := map[int]bool{}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted at a line's end, which holds a token already
		}
		if tok == token.COMMENT && !strings.HasPrefix(lit, "//go:") {
			continue
		}
		first := file.Line(pos)
		for i, line := range strings.Split(lit, "\n") {
			if i == 0 || strings.TrimSpace(line) != "" {
				lines[first+i] = true
			}
		}
		if lit == "" {
			lines[first] = true
		}
	}
	return len(lines)
}

// templateLines counts the non-blank lines of a template once its
// comments, {{/* */}} and <!-- -->, are taken out.
func templateLines(t *testing.T, path string) int {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?s)\{\{-?\s*/\*.*?\*/\s*-?\}\}|<!--.*?-->`).ReplaceAllString(string(src), "")
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// TestLineCounters: the counters skip what they should and nothing else.
func TestLineCounters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goSrc := "// Package p.\npackage p\n\n/* a\nblock */\n//go:embed x\nvar s = `one\n\ntwo`\n\nfunc f() { // trailing\n}\n"
	if n := goLines(t, write("p.go", goSrc)); n != 6 {
		t.Errorf("goLines = %d, want 6 (package, directive, two lines of the raw string, func, brace)", n)
	}
	tmpl := "<p>\n\n{{/* note\nmore */}}\n<!-- gone -->\n  <b>{{.}}</b>\n"
	if n := templateLines(t, write("p.html", tmpl)); n != 2 {
		t.Errorf("templateLines = %d, want 2", n)
	}
}
