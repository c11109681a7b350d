package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLinksNoTestPackage holds that the fake's program links neither
// testing nor httpmock: those belong to bigcommercetest/recording and
// bigcommercetest/contract, not to the fake it serves.
func TestBinaryLinksNoTestPackage(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the program's packages: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" || pkg == "github.com/jarcoal/httpmock" || strings.HasPrefix(pkg, "github.com/jarcoal/httpmock/") {
			t.Errorf("bigcommerce-fake links %s", pkg)
		}
	}
}
