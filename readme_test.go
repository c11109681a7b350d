package bigcommerce_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEProgramsCompile builds every complete program in README.md, so
// that a newcomer who copies a quick start gets code that compiles against
// the package as it is.
func TestREADMEProgramsCompile(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(package main\n.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) < 2 {
		t.Fatalf("README has %d complete programs, want the two quick starts", len(blocks))
	}
	for i, b := range blocks {
		// The program must sit inside this module to import it.
		dir, err := os.MkdirTemp(".", "readme-check-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.WriteFile(filepath.Join(dir, "main.go"), b[1], 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(goBin, "build", "-o", os.DevNull, "./"+filepath.ToSlash(dir)).CombinedOutput()
		if err != nil {
			first := strings.SplitN(string(b[1]), "\n", 12)
			t.Errorf("README program %d does not compile: %v\n%s\n%s", i+1, err, out, strings.Join(first, "\n"))
		}
	}
}
