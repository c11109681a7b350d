package recording_test

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// repoRoot is the directory of go.work, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.work above the package: cannot find the repository")
		}
		dir = parent
	}
}

// TestCommittedRecordingsHoldNoSecrets audits every .http file under a
// testdata directory of every module in the repository, with the token
// scripts/record-fixtures.sh records with as a known secret, and fails
// naming each file and line that looks like it holds a credential.
func TestCommittedRecordingsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	script, err := os.ReadFile(filepath.Join(root, "scripts", "record-fixtures.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^token=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/record-fixtures.sh sets no token=...: which token do the recordings hide?")
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && path != root && strings.HasPrefix(e.Name(), "."):
			return filepath.SkipDir
		case !e.IsDir() && strings.HasSuffix(path, ".http") && slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "testdata"):
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The contract's recording, the example's and the SDK's responses,
	// at least: a walk that found fewer missed some.
	if len(files) < 70 {
		t.Fatalf("found %d recordings under testdata directories, want the 70 or more the repository holds", len(files))
	}
	findings, err := recording.Audit(files, string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		rel, _ := filepath.Rel(root, f.File)
		t.Errorf("%s:%d: %s", rel, f.Line, f.Why)
	}
}

// TestAuditFindsWhatLooksLikeACredential plants one credential of each
// kind Audit looks for, each in a file of its own, beside a clean
// recording, and checks that each is found on its line, once, and that
// no finding repeats the value.
func TestAuditFindsWhatLooksLikeACredential(t *testing.T) {
	t.Parallel()
	const (
		random = "k3f9x0q2m7z8w1v5b6n4c2d9"
		known  = "fixture/token+0123"
		jwt    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdG9yZXMvYWJjIn0.c2lnbmF0dXJl"
	)
	dir := t.TempDir()
	get := "GET /stores/{store_hash}/v2/customer_groups HTTP/1.1\nAccept: application/json\n"
	ok := "\n\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n[]\n"
	files := map[string]struct {
		text string
		line int
		why  string
	}{
		"clean.http":  {get + "X-Auth-Token: REDACTED" + ok, 0, ""},
		"header.http": {get + "X-Auth-Token: live-token" + ok, 3, "header X-Auth-Token is not redacted"},
		"query.http":  {"GET /x?name=a&access_token=abc HTTP/1.1" + ok, 1, `query parameter "access_token" is not redacted`},
		"location.http": {get + "\n\nHTTP/1.1 302 Found\nLocation: /cb?code=abc&state=1\n\n", 6,
			`query parameter in Location "code" is not redacted`},
		"json.http": {"POST /x HTTP/1.1\nContent-Length: 36\n\n{\n  \"auth\": {\"clientSecret\": \"abc\"}}\n" + ok[1:], 5,
			`JSON field "clientSecret" is not redacted`},
		"form.http": {"POST /oauth2/token HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 31\n\ngrant_type=x&client_secret=abc\n" + ok[1:], 5,
			`form field "client_secret" is not redacted`},
		"jwt.http":    {get + ok + `{"note": "` + jwt + `"}`, 9, fmt.Sprintf("a JSON Web Token of %d characters", len(jwt))},
		"random.http": {get + ok + `{"note": "` + random + `"}`, 9, "a run of 24 letters and digits that looks like a random token"},
		"known.http":  {get + ok + "you sent " + url.QueryEscape(known) + "\n", 9, "known secret 1 of 1"},
		"response.http": {"HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"id\": 1, \"name\": \"Wholesale 2024\", \"uuid\": \"0e4f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b\", \"token\": \"REDACTED\"}\n",
			0, ""},
	}
	for name, f := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(f.text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	findings, err := recording.Audit([]string{dir}, known)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]recording.Finding{}
	for _, f := range findings {
		got[filepath.Base(f.File)] = append(got[filepath.Base(f.File)], f)
		for _, secret := range []string{random, known, jwt, "live-token", "abc"} {
			if strings.Contains(f.String(), secret) {
				t.Errorf("finding %q repeats the value", f)
			}
		}
	}
	for name, f := range files {
		switch fs := got[name]; {
		case f.why == "" && len(fs) > 0:
			t.Errorf("%s: findings %v, want none", name, fs)
		case f.why != "" && (len(fs) != 1 || fs[0].Line != f.line || fs[0].Why != f.why):
			t.Errorf("%s: findings %v, want one at line %d: %s", name, fs, f.line, f.why)
		}
	}
}
