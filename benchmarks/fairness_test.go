package benchmarks

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestFloorSendsWhatTheSDKSends keeps the comparison honest: for Get, List
// and Create the floor's request must match the SDK's header for header and
// byte for byte, as bigcommercetest recorded them.
func TestFloorSendsWhatTheSDKSends(t *testing.T) {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(300), bigcommercetest.WithAllowDuplicateNames())
	t.Cleanup(srv.Close)
	sdk, err := bigcommerce.NewClient(bigcommerce.NewOAuth(srv.StoreHash, srv.AccessToken), bigcommerce.WithBaseURL(srv.OAuthBaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	floor := newFloor(srv.OAuthBaseURL(), srv.AccessToken)
	t.Cleanup(floor.close)

	calls := []struct {
		name       string
		sdk, floor func() error
	}{
		{"Get", func() error { _, _, err := sdk.CustomerGroups.Get(bg, 7); return err },
			func() error { _, err := floor.get(bg, 7); return err }},
		{"List250", func() error {
			_, _, err := sdk.CustomerGroups.List(bg, &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 250}})
			return err
		}, func() error { _, err := floor.list(bg, 0, 250); return err }},
		{"AllPage2", func() error {
			_, _, err := sdk.CustomerGroups.List(bg, &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 2, Limit: 250}})
			return err
		}, func() error { _, err := floor.list(bg, 2, 250); return err }},
		{"Create", func() error {
			_, _, err := sdk.CustomerGroups.Create(bg, newCreate())
			return err
		}, func() error { _, err := floor.create(bg, newPlainCreate()); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			srv.ResetRequests()
			if err := c.sdk(); err != nil {
				t.Fatalf("sdk: %v", err)
			}
			if err := c.floor(); err != nil {
				t.Fatalf("floor: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("the server saw %d requests, want 2", len(reqs))
			}
			s, f := reqs[0], reqs[1]
			if s.Method != f.Method || s.Path != f.Path || s.RawQuery != f.RawQuery {
				t.Errorf("sdk sent %s %s?%s, floor %s %s?%s", s.Method, s.Path, s.RawQuery, f.Method, f.Path, f.RawQuery)
			}
			if !reflect.DeepEqual(s.Header, f.Header) {
				t.Errorf("headers differ:\n sdk   %v\n floor %v", s.Header, f.Header)
			}
			if !bytes.Equal(s.Body, f.Body) {
				t.Errorf("bodies differ:\n sdk   %s\n floor %s", s.Body, f.Body)
			}
		})
	}
}

// TestFloorDecodesWhatTheSDKDecodes checks that the floor's plain structs
// hold every value the SDK decodes from the recorded page, so that the
// floor skips no work but the parsing of dates and the checks the SDK
// makes.
func TestFloorDecodesWhatTheSDKDecodes(t *testing.T) {
	fx := mustFixtures(t)
	groups, _, err := newMemoryClient(t, fx.page).CustomerGroups.List(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var plain []plainGroup
	if err := json.Unmarshal(fx.page.body, &plain); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 250 || len(plain) != 250 {
		t.Fatalf("sdk decoded %d groups, floor %d; want 250", len(groups), len(plain))
	}
	for i, g := range groups {
		if diff := comparePlain(g, plain[i]); diff != "" {
			t.Errorf("group %d (id %d): %s", i, g.ID, diff)
		}
	}
}

func comparePlain(g bigcommerce.CustomerGroup, p plainGroup) string {
	if g.ID != p.ID || g.Name != p.Name || g.IsDefault != p.IsDefault || g.IsGroupForGuests != p.IsGroupForGuests {
		return "scalar fields differ"
	}
	if string(g.CategoryAccess.Type) != p.CategoryAccess.Type || !reflect.DeepEqual(g.CategoryAccess.Categories, p.CategoryAccess.Categories) {
		return "category access differs"
	}
	created, err1 := bigcommerce.ParseDate(p.DateCreated)
	modified, err2 := bigcommerce.ParseDate(p.DateModified)
	if err1 != nil || err2 != nil || !created.Equal(g.DateCreated) || !modified.Equal(g.DateModified) {
		return "dates differ"
	}
	if len(g.DiscountRules) != len(p.DiscountRules) {
		return "rule counts differ"
	}
	for j, r := range g.DiscountRules {
		q := p.DiscountRules[j]
		if string(r.Type) != q.Type || string(r.Method) != q.Method || string(r.Amount) != string(q.Amount) ||
			!sameID(r.ProductID, q.ProductID) || !sameID(r.CategoryID, q.CategoryID) || !sameID(r.PriceListID, q.PriceListID) {
			return "rule " + strconv.Itoa(j) + " differs"
		}
	}
	return ""
}

func sameID(id int, n json.Number) bool {
	if n == "" {
		return id == 0
	}
	v, err := strconv.Atoi(string(n))
	return err == nil && v == id
}
