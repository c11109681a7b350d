package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestFindByNameFindsWhatTheStoreWouldCallTheSameName is the newcomer's
// find-or-create: a lookup of "Wholesale" must find "wholesale", which the
// exact Name filter misses and which would make the create fail with 409.
func TestFindByNameFindsWhatTheStoreWouldCallTheSameName(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	srv.Add(bigcommercetest.Group{Name: "Wholesale Plus"})
	want := srv.Add(bigcommercetest.Group{Name: "wholesale"})
	c := srv.Client(bigcommerce.WithRetryWait(0, 0))
	ctx := context.Background()

	exact, _, err := c.CustomerGroups.List(ctx, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: bigcommerce.CustomerGroupFilter{Name: "Wholesale"}})
	if err != nil || len(exact) != 0 {
		t.Fatalf("the Name filter found %v, %v; this test assumes it matches case exactly", exact, err)
	}
	if _, _, err := c.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale"}); !errors.Is(err, bigcommerce.ErrConflict) {
		t.Fatalf("create of a name differing only in case: %v, want ErrConflict", err)
	}
	before := len(srv.Requests())
	g, _, err := c.CustomerGroups.FindByName(ctx, "Wholesale")
	if err != nil || g.ID != want.ID || g.Name != "wholesale" {
		t.Fatalf("FindByName = %+v, %v; want group %d", g, err, want.ID)
	}
	if n := len(srv.Requests()) - before; n != 1 {
		t.Errorf("FindByName sent %d requests, want 1", n)
	}
}

func TestFindByNamePrefersTheExactName(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithAllowDuplicateNames())
	t.Cleanup(srv.Close)
	srv.Add(bigcommercetest.Group{Name: "RETAIL"})
	want := srv.Add(bigcommercetest.Group{Name: "Retail"})
	g, _, err := srv.Client().CustomerGroups.FindByName(context.Background(), "Retail")
	if err != nil || g.ID != want.ID {
		t.Fatalf("FindByName = %+v, %v; want the exact match %d", g, err, want.ID)
	}
}

func TestFindByNameWalksPastPagesOfNearMisses(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	for i := range 260 {
		srv.Add(bigcommercetest.Group{Name: fmt.Sprintf("Tier %d", i)})
	}
	want := srv.Add(bigcommercetest.Group{Name: "tier"})
	g, _, err := srv.Client().CustomerGroups.FindByName(context.Background(), "TIER")
	if err != nil || g.ID != want.ID {
		t.Fatalf("FindByName = %+v, %v; want %d on the second page", g, err, want.ID)
	}
}

func TestFindByNameAnswersNotFound(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(5))
	t.Cleanup(srv.Close)
	srv.Add(bigcommercetest.Group{Name: "Wholesale Plus"})
	c := srv.Client()
	g, _, err := c.CustomerGroups.FindByName(context.Background(), "Wholesale")
	if !errors.Is(err, bigcommerce.ErrNotFound) || g != nil {
		t.Fatalf("FindByName = %+v, %v; want ErrNotFound", g, err)
	}
	// The store sent no 404, so the error is FindByName's own, naming the
	// name; an *APIError always means the store said so.
	var notFound *bigcommerce.NameNotFoundError
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &notFound) || notFound.Name != "Wholesale" || errors.As(err, &apiErr) {
		t.Errorf("FindByName's error = %#v, want a *NameNotFoundError for %q and no *APIError", err, "Wholesale")
	}
	if !strings.Contains(err.Error(), `"Wholesale"`) {
		t.Errorf("message %q does not name the name", err)
	}
	before := len(srv.Requests())
	if _, _, err := c.CustomerGroups.FindByName(context.Background(), "  "); !errors.Is(err, bigcommerce.ErrInvalidRequest) || len(srv.Requests()) != before {
		t.Errorf("blank name: %v, want ErrInvalidRequest and nothing sent", err)
	}
}

// TestFindByNameTrimsTheNameAsTheStoreDoes: the store saves names trimmed,
// so a name read from a file with spaces around it names the same group.
func TestFindByNameTrimsTheNameAsTheStoreDoes(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	want := srv.Add(bigcommercetest.Group{Name: "Wholesale"})
	g, _, err := srv.Client().CustomerGroups.FindByName(context.Background(), "  wholesale\t")
	if err != nil || g.ID != want.ID {
		t.Fatalf("FindByName(%q) = %+v, %v; want group %d", "  wholesale\t", g, err, want.ID)
	}
}

func TestNameKeyComparesNamesAsTheStoreDoes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Wholesale", "wholesale", true},
		{" Wholesale\t", "WHOLESALE", true},
		{"Kelvin", "\u212aelvin", true}, // the Kelvin sign folds to K, as in strings.EqualFold
		{"Straße", "STRASSE", false},    // simple folding only, as strings.EqualFold
		{"Whole sale", "Wholesale", false},
		{"Whole\u200bsale", "Wholesale", false},
		{"", "  ", true},
	} {
		if got := bigcommerce.NameKey(tc.a) == bigcommerce.NameKey(tc.b); got != tc.same {
			t.Errorf("NameKey(%q) == NameKey(%q) is %v, want %v", tc.a, tc.b, got, tc.same)
		}
		if eq := strings.EqualFold(strings.TrimSpace(tc.a), strings.TrimSpace(tc.b)); eq != tc.same {
			t.Errorf("strings.EqualFold on the trimmed %q and %q is %v: the key must agree with it", tc.a, tc.b, eq)
		}
	}
}

// TestTheFakeRefusesANameThatNameKeyCallsTaken: the fake is our model of the
// store, so its duplicate check is NameKey's rule, even for a name added
// with spaces around it.
func TestTheFakeRefusesANameThatNameKeyCallsTaken(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	srv.Add(bigcommercetest.Group{Name: " Retail "})
	_, _, err := srv.Client(bigcommerce.WithRetryWait(0, 0)).CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{Name: "retail"})
	if !errors.Is(err, bigcommerce.ErrConflict) {
		t.Errorf("creating %q beside %q: %v, want ErrConflict", "retail", " Retail ", err)
	}
}

// TestAllStopsAtTheNextStepOnceCancelled: cancelling mid-page ends the
// walk at once with the context's error, not after the rest of the page.
func TestAllStopsAtTheNextStepOnceCancelled(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(20))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []int
	var last error
	for g, err := range srv.Client().CustomerGroups.All(ctx, nil) {
		if err != nil {
			last = err
			break
		}
		got = append(got, g.ID)
		if len(got) == 3 {
			cancel()
		}
	}
	if len(got) != 3 || !errors.Is(last, context.Canceled) {
		t.Fatalf("yielded %d groups then %v; want 3 then context.Canceled", len(got), last)
	}
}
