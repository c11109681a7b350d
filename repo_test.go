package bigcommerce_test

import (
	"bufio"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// TestEveryExampleHasAREADME: a reader who opens a folder of examples/
// finds what it shows and the command that runs it.
func TestEveryExampleHasAREADME(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir("examples")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		data, err := os.ReadFile(filepath.Join("examples", e.Name(), "README.md"))
		if err != nil {
			t.Errorf("examples/%s has no README.md: %v", e.Name(), err)
			continue
		}
		if cmd := "./examples/" + e.Name(); !strings.Contains(string(data), cmd) {
			t.Errorf("examples/%s/README.md does not give its command (no %q)", e.Name(), cmd)
		}
	}
	if n == 0 {
		t.Fatal("no examples found")
	}
}

// mainPackageDirs returns the folders under root that hold a main package.
func mainPackageDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return err
		}
		if name := e.Name(); path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if pkg, err := build.ImportDir(path, 0); err == nil && pkg.Name == "main" {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestBuildOutputsAreIgnored: go build in a program's folder writes a
// binary named after the folder, which git must ignore, or it ends up
// committed (.ci/run refuses a tracked binary, after the fact).
func TestBuildOutputsAreIgnored(t *testing.T) {
	t.Parallel()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git on PATH")
	}
	if out, err := exec.Command(git, "rev-parse", "--is-inside-work-tree").Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		t.Skip("not in a git work tree")
	}
	dirs := append(mainPackageDirs(t, "cmd"), mainPackageDirs(t, "examples")...)
	if len(dirs) < 4 {
		t.Fatalf("found the programs %q; want at least the two commands and two examples", dirs)
	}
	for _, dir := range dirs {
		out := filepath.ToSlash(filepath.Join(dir, filepath.Base(dir)))
		if err := exec.Command(git, "check-ignore", "-q", "--no-index", out).Run(); err != nil {
			t.Errorf("git does not ignore %s, which go build in %s writes: add /%s to .gitignore", out, dir, out)
		}
	}
}

// section returns the text of the README section with the given heading,
// up to the next one.
func section(t *testing.T, path, heading string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(data), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", path, heading)
	}
	text, _, _ = strings.Cut(text, "\n## ")
	return text
}

// TestTheInstallRecipeBuildsAProgram follows the README's Install section
// as a newcomer would, with this repository as the clone beside a new
// module, and builds the README's first program there. It runs offline,
// from the module cache, so go mod tidy gets -e: it cannot fetch what only
// the tests of the core's own dependencies import, which no build needs.
func TestTheInstallRecipeBuildsAProgram(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the recipe is written for a POSIX shell, and the clone is a symbolic link here")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	var recipe []string
	for _, b := range codeBlocks(t, "README.md") {
		if b.lang == "sh" && strings.Contains(section(t, "README.md", "Install"), b.text) {
			recipe = strings.Split(strings.TrimSpace(b.text), "\n")
		}
	}
	const clone = "git clone https://github.com/bigcommerce-go/customergroups ../customergroups"
	if len(recipe) != 3 || recipe[0] != clone || !strings.HasPrefix(recipe[2], "go mod tidy") {
		t.Fatalf("the Install section's commands are %q; want the clone, a go mod edit -replace and go mod tidy", recipe)
	}
	edit := strings.Fields(recipe[1])

	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	app := filepath.Join(root, "app")
	if err := os.Mkdir(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(repo, filepath.Join(root, "customergroups")); err != nil {
		t.Fatal(err)
	}
	var program string
	for _, b := range codeBlocks(t, "README.md") {
		if b.lang == "go" && strings.HasPrefix(b.text, "package main\n") {
			program = b.text
			break
		}
	}
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off")
	for _, args := range [][]string{
		{goBin, "mod", "init", "example.com/app"},
		append([]string{goBin}, edit[1:]...),
		{goBin, "mod", "tidy", "-e"},
		{goBin, "build", "-mod=readonly", "-o", os.DevNull, "."},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = app, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args[1:], " "), err, out)
		}
	}
}

// TestCommandsInTheDocsNameWhatExists checks the go run, go test and go
// install commands of every page: each package folder exists, and each
// test a -run names exists there.
func TestCommandsInTheDocsNameWhatExists(t *testing.T) {
	t.Parallel()
	goCmd := regexp.MustCompile(`\bgo (run|test|install)\b(.*)`)
	seen := 0
	for _, page := range allPages(t) {
		for _, b := range codeBlocks(t, page) {
			if b.lang != "sh" {
				continue
			}
			sc := bufio.NewScanner(strings.NewReader(b.text))
			for sc.Scan() {
				m := goCmd.FindStringSubmatch(sc.Text())
				if m == nil {
					continue
				}
				words := strings.Fields(strings.SplitN(m[2], "#", 2)[0])
				var dirs, tests []string
				for i, w := range words {
					switch {
					case strings.HasPrefix(w, "./"):
						dirs = append(dirs, strings.TrimSuffix(strings.TrimSuffix(w, "..."), "/"))
					case w == "-run" && i+1 < len(words):
						for _, name := range strings.Split(strings.Trim(words[i+1], "'^$()"), "|") {
							tests = append(tests, strings.Trim(name, "^$"))
						}
					}
				}
				for _, dir := range dirs {
					seen++
					if _, err := os.Stat(filepath.FromSlash(dir)); err != nil {
						t.Errorf("%s: %q names %s, which does not exist", b, sc.Text(), dir)
						continue
					}
					for _, name := range tests {
						if dir != "." && !definesTest(t, dir, name) {
							t.Errorf("%s: %q runs %s, which %s does not define", b, sc.Text(), name, dir)
						}
					}
				}
			}
		}
	}
	if seen < 10 {
		t.Errorf("found %d package folders in the commands of the docs; the parser is missing them", seen)
	}
}

// definesTest reports whether a _test.go file in dir declares func name.
func definesTest(t *testing.T, dir, name string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.FromSlash(dir), "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "\nfunc "+name+"(") {
			return true
		}
	}
	return false
}

// TestRecordingCommandsNameTheirVariables: the recording commands of
// docs/testing.md set only variables that recording reads, and between
// them show all of them, the API root for a proxy or a local fake
// included.
func TestRecordingCommandsNameTheirVariables(t *testing.T) {
	t.Parallel()
	known := []string{recording.EnvRecord, recording.EnvStoreHash, recording.EnvAccessToken, recording.EnvBaseURL}
	assign := regexp.MustCompile(`\b(BIGCOMMERCE_[A-Z_]+)=`)
	set := map[string]bool{}
	for _, b := range codeBlocks(t, filepath.Join("docs", "testing.md")) {
		if b.lang != "sh" {
			continue
		}
		for _, line := range strings.Split(b.text, "\n") {
			if !strings.Contains(line, recording.EnvRecord+"=") {
				continue
			}
			for _, m := range assign.FindAllStringSubmatch(line, -1) {
				if !slices.Contains(known, m[1]) {
					t.Errorf("%s: %q sets %s, which recording does not read", b, line, m[1])
				}
				set[m[1]] = true
			}
		}
	}
	for _, name := range known {
		if !set[name] {
			t.Errorf("no recording command of docs/testing.md sets %s", name)
		}
	}
}

// TestModulesTableListsEveryModule: docs/modules.md has a row for each
// nested module of go.work, and none for a module that is not there.
func TestModulesTableListsEveryModule(t *testing.T) {
	t.Parallel()
	work, err := os.ReadFile("go.work")
	if err != nil {
		t.Fatal(err)
	}
	_, use, ok := strings.Cut(string(work), "use (")
	if !ok {
		t.Fatal("go.work has no use block")
	}
	use, _, _ = strings.Cut(use, ")")
	var want []string
	for _, f := range strings.Fields(use) {
		if f != "." {
			want = append(want, strings.TrimPrefix(f, "./"))
		}
	}
	doc, err := os.ReadFile(filepath.Join("docs", "modules.md"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		got = append(got, m[1])
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("docs/modules.md lists the modules %q; go.work uses %q", got, want)
	}
}

// TestCIRunsTheTwoCommands: the README promises a newcomer two commands;
// .ci/run runs both, so that they stay true.
func TestCIRunsTheTwoCommands(t *testing.T) {
	t.Parallel()
	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, b := range codeBlocks(t, "README.md") {
		if b.lang == "sh" && strings.Contains(section(t, "README.md", "Two commands"), b.text) {
			for _, line := range strings.Split(strings.TrimSpace(b.text), "\n") {
				cmds = append(cmds, strings.TrimSpace(strings.SplitN(line, "#", 2)[0]))
			}
		}
	}
	if len(cmds) != 2 {
		t.Fatalf("the README's Two commands are %q", cmds)
	}
	for _, cmd := range cmds {
		if !strings.Contains(string(ci), cmd) {
			t.Errorf(".ci/run does not run %q", cmd)
		}
	}
}

// TestProgramsLinkNoTestPackage: a shipped program (every main package
// under cmd/ and examples/, whatever module it is in) links neither
// testing nor a package made for tests only: httpmock, the recorder, the
// contract suite, bcapptest. The fake, bigcommercetest, is made to be
// served by programs and imports none of them.
func TestProgramsLinkNoTestPackage(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list what the programs link: %v", err)
	}
	testOnly := func(pkg string) bool {
		return pkg == "testing" || strings.Contains(pkg, "/jarcoal/httpmock") ||
			strings.HasSuffix(pkg, "/bigcommercetest/recording") || strings.HasSuffix(pkg, "/bigcommercetest/contract") ||
			strings.HasSuffix(pkg, "/bcapptest")
	}
	dirs := append(mainPackageDirs(t, "cmd"), mainPackageDirs(t, "examples")...)
	if len(dirs) < 6 {
		t.Fatalf("found the programs %q; want at least the two commands and four examples", dirs)
	}
	for _, dir := range dirs {
		out, err := exec.Command(goBin, "list", "-deps", "./"+filepath.ToSlash(dir)).Output()
		if err != nil {
			t.Fatalf("go list -deps ./%s: %v", dir, err)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if testOnly(pkg) {
				t.Errorf("%s links %s", dir, pkg)
			}
		}
	}
	// The check can see a test package where one is linked: the contract
	// suite imports testing.
	out, err := exec.Command(goBin, "list", "-deps", "./bigcommercetest/contract").Output()
	if err != nil || !slices.ContainsFunc(strings.Fields(string(out)), testOnly) {
		t.Fatalf("go list -deps ./bigcommercetest/contract lists no test package (%v): the check above could not see one either", err)
	}
}
