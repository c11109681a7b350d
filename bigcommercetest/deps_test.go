package bigcommercetest_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestFakeImportsNoTestPackage holds the split of the test helpers: the
// fake, which programs serve, imports neither testing nor httpmock, while
// the recorder and contract packages, which only tests import, may. That
// the second list holds testing shows the check can see it.
func TestFakeImportsNoTestPackage(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	deps := func(pkg string) []string {
		t.Helper()
		out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, pkg := range deps(".") {
		if pkg == "testing" || strings.HasPrefix(pkg, "github.com/jarcoal/httpmock") {
			t.Errorf("bigcommercetest imports %s", pkg)
		}
	}
	if !slices.Contains(deps("./contract"), "testing") {
		t.Error("go list -deps ./contract does not list testing: the check above cannot see it either")
	}
}
