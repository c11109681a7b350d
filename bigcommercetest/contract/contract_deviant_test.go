package contract_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/contract"
)

// deviantEnv makes TestContractHelperDeviant run; it is set only when
// TestContractCatchesADeviantStore runs this test binary again.
const deviantEnv = "BIGCOMMERCETEST_CONTRACT_DEVIANT"

// emptyAs200 answers an empty page 200 with [] instead of 204, as a proxy
// in front of the store might.
type emptyAs200 struct{ next http.RoundTripper }

func (e emptyAs200) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := e.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodGet && resp.StatusCode == http.StatusNoContent {
		resp.StatusCode, resp.Status = http.StatusOK, "200 OK"
		resp.Body = io.NopCloser(strings.NewReader("[]"))
		resp.Header.Set("Content-Type", "application/json")
	}
	return resp, err
}

// TestContractHelperDeviant is not a test of its own: it runs the contract
// against a store that breaks two of its rules, for
// TestContractCatchesADeviantStore to watch fail.
func TestContractHelperDeviant(t *testing.T) {
	if os.Getenv(deviantEnv) != "1" {
		t.Skip("run by TestContractCatchesADeviantStore")
	}
	srv := newFake(t, bigcommercetest.WithAllowDuplicateNames())
	tg := srv.Target()
	tg.HTTPClient = &http.Client{Transport: emptyAs200{http.DefaultTransport}}
	contract.Run(t, tg)
}

// TestContractCatchesADeviantStore shows that the contract can fail: the
// subtests of the broken rules fail, and only those.
func TestContractCatchesADeviantStore(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestContractHelperDeviant$", "-test.v")
	cmd.Env = append(os.Environ(), deviantEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the contract passed against a store that allows duplicate names and answers empty pages 200:\n%s", out)
	}
	want := map[string]string{
		"an_empty_page_is_answered_204":                   "FAIL",
		"a_limit_over_250_is_answered_413":                "PASS",
		"a_duplicate_name_is_answered_409":                "FAIL",
		"a_name_differing_only_in_case_is_a_duplicate":    "FAIL",
		"amounts_come_back_as_strings_with_four_decimals": "PASS",
		"name:like_ignores_case":                          "PASS",
		"an_update_replaces_the_discount_rules_whole":     "PASS",
		"a_deleted_group_answers_404":                     "PASS",
		"count_follows_creates_and_deletes":               "PASS",
		"pages_follow_limit_and_page":                     "FAIL",
	}
	for name, result := range want {
		if !strings.Contains(string(out), "--- "+result+": TestContractHelperDeviant/"+name+" ") {
			t.Errorf("subtest %s did not %s", name, result)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
