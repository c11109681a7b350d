package bigcommerce_test

import (
	"fmt"
	"slices"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// End-to-end paging: All over many pages, and while the store changes.

// pageCall is the request All makes for page n, limit groups a page.
func pageCall(limit, n int) string {
	return fmt.Sprintf("GET /customer_groups?limit=%d&page=%d", limit, n)
}

func TestE2EAllPages(t *testing.T) {
	t.Parallel()
	// Every case walks a store of 1,000 groups.
	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"nil options walk 250 at a time", func(t *testing.T, e *env) {
			if ids := e.walk(t, nil); !slices.Equal(ids, idRange(1, 1000)) {
				t.Errorf("All yielded %d ids, want 1 to 1000 once each, in order", len(ids))
			}
			// Four full pages, then the empty page (204) that tells All
			// the store has no more: the API sends no total.
			e.wantCalls(t, pageCall(250, 1), pageCall(250, 2), pageCall(250, 3), pageCall(250, 4), pageCall(250, 5))
		}},
		{"a short last page ends the walk", func(t *testing.T, e *env) {
			added := e.srv.Add(bigcommercetest.Group{Name: "One More"})
			if ids := e.walk(t, nil); added.ID != 1001 || !slices.Equal(ids, idRange(1, 1001)) {
				t.Errorf("All yielded %d ids, want 1 to 1001", len(ids))
			}
			e.wantCalls(t, pageCall(250, 1), pageCall(250, 2), pageCall(250, 3), pageCall(250, 4), pageCall(250, 5))
		}},
		{"a limit of 7 takes 143 pages", func(t *testing.T, e *env) {
			opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 7}}
			if ids := e.walk(t, opts); !slices.Equal(ids, idRange(1, 1000)) {
				t.Errorf("All yielded %d ids, want 1 to 1000 once each, in order", len(ids))
			}
			var want []string
			for n := 1; n <= 143; n++ { // 142 full pages and one of 6
				want = append(want, pageCall(7, n))
			}
			e.wantCalls(t, want...)
			if opts.Page != 0 || opts.Limit != 7 {
				t.Errorf("All changed the caller's options to %+v", opts.ListOptions)
			}
		}},
		{"a filter is sent with every page", func(t *testing.T, e *env) {
			// Wholesale, Retail, Trade and Education: half the groups.
			filter := bigcommerce.CustomerGroupFilter{NameLike: "e"}
			want := slices.DeleteFunc(e.srv.Groups(), func(g bigcommercetest.Group) bool { return !filterMatches(filter, g) })
			if len(want) != 500 {
				t.Fatalf("%d groups match, want 500", len(want))
			}
			if ids := e.walk(t, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter}); !slices.Equal(ids, storedIDs(want)) {
				t.Errorf("All yielded %d ids, want the %d that match", len(ids), len(want))
			}
			e.wantCalls(t,
				"GET /customer_groups?limit=250&name%3Alike=e&page=1",
				"GET /customer_groups?limit=250&name%3Alike=e&page=2",
				"GET /customer_groups?limit=250&name%3Alike=e&page=3")
		}},
		{"a walk can start at a later page", func(t *testing.T, e *env) {
			opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 3}}
			if ids := e.walk(t, opts); !slices.Equal(ids, idRange(501, 1000)) {
				t.Errorf("All from page 3 yielded %d ids, want 501 to 1000", len(ids))
			}
			e.wantCalls(t, pageCall(250, 3), pageCall(250, 4), pageCall(250, 5))
		}},
		{"breaking out fetches nothing more", func(t *testing.T, e *env) {
			for g, err := range e.groups.All(e.ctx, nil) {
				if err != nil || g.ID != 1 {
					t.Fatalf("first yield %d, %v", g.ID, err)
				}
				break
			}
			e.wantCalls(t, pageCall(250, 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, tt.run)
		})
	}
}

func TestE2EAllDuringChanges(t *testing.T) {
	t.Parallel()
	t.Run("creates and deletes never repeat an id", func(t *testing.T) {
		t.Parallel()
		forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, func(t *testing.T, e *env) {
			existed := map[int]bool{}
			for _, g := range e.srv.Groups() {
				existed[g.ID] = true
			}
			var (
				seen      []int
				added     []int
				gone      = map[int]bool{} // deleted before the walk reached them
				deletedBy int              // deletions of groups already yielded
			)
			del := func(id int) {
				if _, err := e.groups.Delete(e.ctx, id); err != nil {
					t.Fatalf("Delete(%d): %v", id, err)
				}
				if slices.Contains(seen, id) {
					deletedBy++
				} else {
					gone[id] = true
				}
			}
			add := func(name string) {
				g := e.srv.Add(bigcommercetest.Group{Name: name})
				existed[g.ID] = true
				added = append(added, g.ID)
			}
			for g, err := range e.groups.All(e.ctx, nil) {
				if err != nil {
					t.Fatalf("All: %v", err)
				}
				seen = append(seen, g.ID)
				switch g.ID {
				case 100:
					del(10)
					del(20)
					del(300)
					del(700)
					add("Added at 100")
				case 600:
					del(400)
					del(900)
					add("Added at 600")
				}
			}

			for i, id := range seen {
				if i > 0 && id <= seen[i-1] {
					t.Fatalf("id %d came after %d: ids must be yielded once each, ascending", id, seen[i-1])
				}
				if !existed[id] || gone[id] {
					t.Errorf("yielded #%d, which did not exist or was deleted before the walk reached it", id)
				}
			}
			for _, id := range added {
				if !slices.Contains(seen, id) {
					t.Errorf("group #%d, created during the walk past the cursor, was not yielded", id)
				}
			}
			// Deleting a group already read shifts the next page back by
			// one, so one unread group may be skipped for each such
			// deletion: the documented limit of offset paging.
			var missed []int
			for _, g := range e.srv.Groups() {
				if !slices.Contains(seen, g.ID) {
					missed = append(missed, g.ID)
				}
			}
			if len(missed) > deletedBy {
				t.Errorf("missed %v: more than the %d groups shifted by deletions behind the cursor", missed, deletedBy)
			}
		})
	})

	t.Run("a group renamed into the filter behind the cursor does not repeat the page edge", func(t *testing.T) {
		t.Parallel()
		forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, func(t *testing.T, e *env) {
			opts := &bigcommerce.ListCustomerGroupsOptions{
				CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: "VIP"},
				ListOptions:         bigcommerce.ListOptions{Limit: 50},
			}
			var want []int
			for _, g := range e.srv.Groups() {
				if filterMatches(opts.CustomerGroupFilter, g) {
					want = append(want, g.ID)
				}
			}
			var seen []int
			for g, err := range e.groups.All(e.ctx, opts) {
				if err != nil {
					t.Fatalf("All: %v", err)
				}
				seen = append(seen, g.ID)
				if len(seen) == 10 {
					// Group #2 now matches and sorts first, pushing every
					// later match one place on: the next page starts with
					// the last group of this one.
					if _, _, err := e.groups.Update(e.ctx, 2, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("VIP Retail 002")}); err != nil {
						t.Fatalf("Update: %v", err)
					}
				}
			}
			if !slices.Equal(seen, want) {
				t.Errorf("All yielded %v\nwant %v", seen, want)
			}
			// The overlap really was there for All to skip.
			page2, _, err := e.groups.List(e.ctx, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: opts.CustomerGroupFilter, ListOptions: bigcommerce.ListOptions{Page: 2, Limit: 50}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page2) == 0 || page2[0].ID != want[49] {
				t.Errorf("page 2 starts with %v, want #%d from the end of page 1", idsOf(page2[:min(1, len(page2))]), want[49])
			}
		})
	})
}
