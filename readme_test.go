package bigcommerce_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// maxREADMEBytes is the most README.md may hold: enough to start a
// newcomer, short enough to read in ten minutes. Whatever more there is to
// say goes to the package docs and docs/.
const maxREADMEBytes = 15_000

// codeBlock is one fenced block of a Markdown file.
type codeBlock struct {
	file string // as given to codeBlocks
	line int    // of the opening fence, from 1
	lang string // after the opening fence: go, sh, ...
	text string
}

func (b codeBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// codeBlocks returns the fenced blocks of the Markdown file at path.
func codeBlocks(t *testing.T, path string) []codeBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []codeBlock
	var cur *codeBlock
	var text strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &codeBlock{file: path, line: n, lang: strings.TrimPrefix(line, "```")}
			text.Reset()
		case cur != nil && line == "```":
			cur.text = text.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			text.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatalf("%s: the block opened here is never closed", cur)
	}
	return blocks
}

// docPages returns README.md and the pages of docs/, whose Go code
// TestGoInTheREADMEAndDocsCompiles builds.
func docPages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, docs...)
}

// allPages adds the READMEs of the examples and nested modules to
// docPages: every page whose links and commands must hold.
func allPages(t *testing.T) []string {
	t.Helper()
	more, err := filepath.Glob(filepath.Join("examples", "*", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	more = append(more, filepath.Join("cmd", "bcgroups", "README.md"), filepath.Join("redisquota", "README.md"), filepath.Join("bcapp", "README.md"))
	return append(docPages(t), more...)
}

func TestREADMEIsShort(t *testing.T) {
	t.Parallel()
	info, err := os.Stat("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > maxREADMEBytes {
		t.Errorf("README.md is %d bytes, over %d: move detail to the package docs or docs/", info.Size(), maxREADMEBytes)
	}
}

// The packages a block may use, by the name it uses them by.
var docImports = map[string]string{
	"bcotel":          "github.com/bigcommerce-go/customergroups/bcotel",
	"bigcommerce":     "github.com/bigcommerce-go/customergroups",
	"bigcommercetest": "github.com/bigcommerce-go/customergroups/bigcommercetest",
	"context":         "context",
	"contract":        "github.com/bigcommerce-go/customergroups/bigcommercetest/contract",
	"errors":          "errors",
	"fmt":             "fmt",
	"http":            "net/http",
	"log":             "log",
	"metric":          "go.opentelemetry.io/otel/metric",
	"os":              "os",
	"recording":       "github.com/bigcommerce-go/customergroups/bigcommercetest/recording",
	"redis":           "github.com/redis/go-redis/v9",
	"redisquota":      "github.com/bigcommerce-go/customergroups/redisquota",
	"testing":         "testing",
	"time":            "time",
	"trace":           "go.opentelemetry.io/otel/trace",
}

// fragmentParams are the names a fragment may use without declaring them,
// as a reader would have them from the code around it.
var fragmentParams = []struct{ name, typ string }{
	{"ctx", "context.Context"},
	{"client", "*bigcommerce.Client"},
	{"auth", "bigcommerce.Authenticator"},
	{"rdb", "*redis.Client"},
	{"tp", "trace.TracerProvider"},
	{"mp", "metric.MeterProvider"},
}

// goSource makes a compilable main package of a block: a complete program
// as it is; declarations (a test function, say) beside a stand-in for the
// reader's own mySync; anything else as the body of a function whose
// parameters are the fragmentParams it uses.
func goSource(b codeBlock) string {
	if strings.HasPrefix(b.text, "package main\n") {
		return b.text
	}
	var body strings.Builder
	if strings.HasPrefix(b.text, "func ") {
		body.WriteString(b.text)
	} else {
		var params []string
		for _, p := range fragmentParams {
			if regexp.MustCompile(`\b` + p.name + `\b`).MatchString(b.text) {
				params = append(params, p.name+" "+p.typ)
			}
		}
		fmt.Fprintf(&body, "func fragment(%s) error {\n%s\treturn nil\n}\n", strings.Join(params, ", "), b.text)
	}
	if regexp.MustCompile(`\bmySync\(`).MatchString(b.text) {
		body.WriteString("\n// mySync stands for the reader's code under test.\nfunc mySync(*bigcommerce.Client) error { return nil }\n")
	}
	body.WriteString("\nfunc main() {}\n")
	var imports []string
	for name, path := range docImports {
		if regexp.MustCompile(`\b` + name + `\.`).MatchString(body.String()) {
			imports = append(imports, fmt.Sprintf("%s %q", name, path))
		}
	}
	slices.Sort(imports)
	return fmt.Sprintf("package main\n\nimport (\n\t%s\n)\n\n%s", strings.Join(imports, "\n\t"), body.String())
}

// TestGoInTheREADMEAndDocsCompiles builds every Go block of README.md and
// docs/, so that code a reader copies compiles against the packages as
// they are. The README's two first programs are built as they stand.
func TestGoInTheREADMEAndDocsCompiles(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	// Blocks that use the nested modules build only in the workspace.
	out, err := exec.Command(goBin, "env", "GOWORK").Output()
	if err != nil {
		t.Fatal(err)
	}
	if gowork := strings.TrimSpace(string(out)); gowork == "" || gowork == "off" {
		t.Skip("not in the go.work workspace, which the docs' blocks that use the nested modules need")
	}

	var blocks []codeBlock
	for _, page := range docPages(t) {
		for _, b := range codeBlocks(t, page) {
			if b.lang == "go" {
				blocks = append(blocks, b)
			}
		}
	}
	var programs []string
	for _, b := range blocks {
		if b.file == "README.md" && strings.HasPrefix(b.text, "package main\n") {
			programs = append(programs, b.text)
		}
	}
	if len(programs) != 2 || !strings.Contains(programs[0], "bigcommerce.NewOAuth(") || !strings.Contains(programs[1], "&bigcommerce.BasicAuth{") {
		t.Errorf("README.md has %d complete programs; want two: the first with OAuth, the second with Basic auth", len(programs))
	}

	// Each block is a package of its own, inside this module so that it can
	// import it; one go build checks them all.
	args := []string{"build"}
	where := map[string]codeBlock{}
	for _, b := range blocks {
		dir, err := os.MkdirTemp(".", "readme-check-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goSource(b)), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "./"+filepath.ToSlash(dir))
		where[filepath.Base(dir)] = b
	}
	if out, err := exec.Command(goBin, args...).CombinedOutput(); err != nil {
		var blame []string
		for dir, b := range where {
			if strings.Contains(string(out), dir) {
				blame = append(blame, fmt.Sprintf("%s is %s", dir, b))
			}
		}
		slices.Sort(blame)
		t.Errorf("code in the docs does not compile: %v\n%s\n%s", err, out, strings.Join(blame, "\n"))
	}
}

// TestLinksInTheDocsResolve follows every relative link of the READMEs and
// docs/ to a file or folder that exists.
func TestLinksInTheDocsResolve(t *testing.T) {
	t.Parallel()
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range allPages(t) {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), filepath.FromSlash(target))); err != nil {
				t.Errorf("%s links to %s, which does not exist", page, m[1])
			}
		}
	}
}

// TestWhereToGoNextCoversEveryPage: the README's last table links every
// example's README and every page of docs/, so none is left unfound.
func TestWhereToGoNextCoversEveryPage(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "\n## Where to go next\n")
	if !ok {
		t.Fatal(`README.md has no "Where to go next" section`)
	}
	pages, err := filepath.Glob(filepath.Join("examples", "*", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(append(pages, docs...), filepath.Join("cmd", "bcgroups", "README.md"), filepath.Join("redisquota", "README.md")) {
		if !strings.Contains(table, "]("+filepath.ToSlash(p)+")") {
			t.Errorf(`"Where to go next" does not link %s`, filepath.ToSlash(p))
		}
	}
}
