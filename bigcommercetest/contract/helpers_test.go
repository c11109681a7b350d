package contract_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func newFake(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	s := bigcommercetest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// mustNotContain fails the test if any file in dir holds one of the
// values, naming the file but not the value, which may be a secret.
func mustNotContain(t *testing.T, dir string, values ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range values {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds value %d of %d that must not be written", e.Name(), i+1, len(values))
			}
		}
	}
}
