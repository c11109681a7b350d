package recorded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// TestEnsureGroup creates a group, leaves it alone when it already
// matches, changes its discount, and deletes it, so that it leaves a real
// store as it found it.
func TestEnsureGroup(t *testing.T) {
	client := recording.RecordOrReplay(t, filepath.Join("testdata", "ensure-group"))
	ctx := context.Background()
	const name = "Example Wholesale"

	g, wrote, err := EnsureGroup(ctx, client, name, "10")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := client.CustomerGroups.Delete(ctx, g.ID); err != nil && !errors.Is(err, bigcommerce.ErrNotFound) {
			t.Errorf("deleting the example's group: %v", err)
		}
	})
	if !wrote {
		t.Errorf("the first EnsureGroup wrote nothing; want a create")
	}

	again, wrote, err := EnsureGroup(ctx, client, "example wholesale", "10.00")
	if err != nil {
		t.Fatal(err)
	}
	if wrote || again.ID != g.ID {
		t.Errorf("the same group again: wrote %v, id %d; want no write and id %d", wrote, again.ID, g.ID)
	}

	changed, wrote, err := EnsureGroup(ctx, client, name, "12.5")
	if err != nil {
		t.Fatal(err)
	}
	if !wrote || len(changed.DiscountRules) != 1 || !changed.DiscountRules[0].Amount.Equal("12.5") {
		t.Errorf("a new percentage: wrote %v, rules %+v; want one rule of 12.5", wrote, changed.DiscountRules)
	}
}

// TestRecordingHoldsNoCredentials checks the committed recording the way a
// reviewer would: every credential header redacted, and the store hash
// replaced by the placeholder in every path.
func TestRecordingHoldsNoCredentials(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "ensure-group", "*.http"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recording: %v", err)
	}
	credential := regexp.MustCompile(`(?mi)^(X-Auth-Token|X-Auth-Client|Authorization|Cookie|Set-Cookie): (.*)$`)
	storePath := regexp.MustCompile(`/stores/([^/\s]+)/`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range credential.FindAllSubmatch(b, -1) {
			if string(m[2]) != "REDACTED" {
				t.Errorf("%s: %s is not redacted", filepath.Base(f), m[1])
			}
		}
		for _, m := range storePath.FindAllSubmatch(b, -1) {
			if string(m[1]) != recording.StoreHashPlaceholder {
				t.Errorf("%s: a path names store %q instead of the placeholder", filepath.Base(f), m[1])
			}
		}
	}
}
