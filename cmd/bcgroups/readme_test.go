package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fakeCommands returns the command lines of the sh code blocks in one
// section of a README that run bcgroups against --fake, with line
// continuations joined and comments dropped.
func fakeCommands(t *testing.T, path, section string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "\n## "+section+"\n")
	if start < 0 {
		t.Fatalf("%s has no section %q", path, section)
	}
	text = text[start+1:]
	if end := strings.Index(text[3:], "\n## "); end >= 0 {
		text = text[:end+3]
	}
	var cmds [][]string
	inBlock, pending := false, ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inBlock = !inBlock && strings.TrimPrefix(line, "```") == "sh"
			continue
		}
		if !inBlock {
			continue
		}
		line = pending + strings.TrimSpace(line)
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		pending = ""
		words := shellWords(t, line)
		switch {
		case len(words) > 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/bcgroups":
			words = words[3:]
		case len(words) > 1 && words[0] == "bcgroups":
			words = words[1:]
		default:
			continue
		}
		for _, w := range words {
			if w == "--fake" {
				cmds = append(cmds, words)
				break
			}
		}
	}
	return cmds
}

// shellWords splits a line as sh would for the plain commands a README
// shows: words, 'single' and "double" quotes, and a # comment.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			return words
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune("|<>;&$`", r):
			t.Fatalf("the README line %q needs a shell; keep --fake examples to plain commands", line)
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// TestEveryFakeCommandOfTheREADMEsWorks runs each command that the READMEs
// show against --fake, in order and in one folder, as a reader pasting
// them would. It changes the working folder, so it cannot run in parallel.
func TestEveryFakeCommandOfTheREADMEsWorks(t *testing.T) {
	docs := []struct{ path, section string }{
		{filepath.Join("..", "..", "README.md"), "Command line"},
		{"README.md", "Try it with no store"},
	}
	for i := range docs {
		abs, err := filepath.Abs(docs[i].path)
		if err != nil {
			t.Fatal(err)
		}
		docs[i].path = abs
	}
	for _, doc := range docs {
		cmds := fakeCommands(t, doc.path, doc.section)
		if len(cmds) < 3 {
			t.Fatalf("%s, %q: found %d --fake commands, want the examples: %q", doc.path, doc.section, len(cmds), cmds)
		}
		t.Chdir(t.TempDir())
		for _, args := range cmds {
			r := cli{}.run(t, args...)
			if r.code != 0 {
				t.Errorf("%s: bcgroups %s: exit %d\nstderr:\n%s", doc.path, strings.Join(args, " "), r.code, r.stderr)
			}
		}
	}
}

// TestEachFakeCommandStartsFromTheSamples holds what the READMEs say of
// --fake: every command starts from the same eight sample groups, so a
// group created by one command is gone for the next.
func TestEachFakeCommandStartsFromTheSamples(t *testing.T) {
	t.Parallel()
	created := cli{}.run(t, "--fake", "create", "--name", "Wholesale EU", "--rule", "all:percent:10")
	if created.code != 0 {
		t.Fatalf("create: exit %d\n%s", created.code, created.stderr)
	}
	var g struct{ ID int }
	if err := json.Unmarshal([]byte(created.stdout), &g); err != nil || g.ID == 0 {
		t.Fatalf("create printed %q: %v", created.stdout, err)
	}
	count := cli{}.run(t, "--fake", "count")
	if count.code != 0 || strings.TrimSpace(count.stdout) != `{"count":8}` {
		t.Errorf("count after a create: exit %d, %q; want the eight samples", count.code, count.stdout)
	}
	if got := (cli{}).run(t, "--fake", "get", strconv.Itoa(g.ID)); got.code != exitNotFound {
		t.Errorf("get %d after its create: exit %d, want %d (not found)\n%s", g.ID, got.code, exitNotFound, got.stdout)
	}
}

// TestEveryTestTheREADMENamesExists keeps README.md's promises tied to
// the tests that back them: each test it names in backquotes must exist.
func TestEveryTestTheREADMENamesExists(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var tests strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
	}
	named := regexp.MustCompile("`(Test[A-Za-z0-9_]+)`").FindAllStringSubmatch(string(readme), -1)
	if len(named) < 10 {
		t.Fatalf("README.md names %d tests, want its promises about tokens, stores and files backed by name", len(named))
	}
	for _, m := range named {
		if !strings.Contains(tests.String(), "func "+m[1]+"(t *testing.T)") {
			t.Errorf("README.md names %s, which no test file defines", m[1])
		}
	}
}
