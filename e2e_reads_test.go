package bigcommerce_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// End-to-end reads: List, Get, Count and the filters, on each scheme.

func TestE2EList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts *bigcommerce.ListCustomerGroupsOptions
		// from and to select the expected groups out of the 60 stored.
		from, to  int
		status    int
		wantQuery string
	}{
		{"nil options give the API's default page of 50", nil, 0, 50, http.StatusOK, ""},
		{"page 2 holds the rest", &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 2, Limit: 50}}, 50, 60, http.StatusOK, "limit=50&page=2"},
		{"a limit of 250 gets every group", &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 250}}, 0, 60, http.StatusOK, "limit=250"},
		{"a page past the end is empty, not an error", &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 3, Limit: 50}}, 0, 0, http.StatusNoContent, "limit=50&page=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(60)}, func(t *testing.T, e *env) {
				groups, resp, err := e.groups.List(e.ctx, tt.opts)
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				if resp.StatusCode != tt.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
				}
				checkGroups(t, groups, e.srv.Groups()[tt.from:tt.to])
				want := "GET /customer_groups"
				if tt.wantQuery != "" {
					want += "?" + tt.wantQuery
				}
				e.wantCalls(t, want)
			})
		})
	}
}

func TestE2EListOfAnEmptyStoreIsEmpty(t *testing.T) {
	t.Parallel()
	forEachScheme(t, nil, func(t *testing.T, e *env) {
		groups, resp, err := e.groups.List(e.ctx, nil)
		if err != nil || len(groups) != 0 || resp.StatusCode != http.StatusNoContent {
			t.Errorf("List = %v, status %d, %v; want no groups, 204, no error", groups, resp.StatusCode, err)
		}
		if ids := e.walk(t, nil); len(ids) != 0 {
			t.Errorf("All yielded %v from an empty store", ids)
		}
		e.wantCalls(t, "GET /customer_groups", "GET /customer_groups?limit=250&page=1")
	})
}

func TestE2EGet(t *testing.T) {
	t.Parallel()
	formats := []struct{ name, layout string }{
		{"dates in RFC 1123", time.RFC1123Z},
		{"dates in the reference's layout", bigcommercetest.DateFormatReference},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			opts := []bigcommercetest.Option{bigcommercetest.WithSeed(8), bigcommercetest.WithDateFormat(f.layout)}
			forEachScheme(t, opts, func(t *testing.T, e *env) {
				for _, stored := range e.srv.Groups() {
					got, resp, err := e.groups.Get(e.ctx, stored.ID)
					if err != nil {
						t.Fatalf("Get(%d): %v", stored.ID, err)
					}
					if resp.StatusCode != http.StatusOK {
						t.Errorf("Get(%d): status %d", stored.ID, resp.StatusCode)
					}
					checkGroup(t, *got, stored)
				}
				e.srv.ResetRequests()

				got, resp, err := e.groups.Get(e.ctx, 99)
				wantAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
				if got != nil || resp == nil || resp.StatusCode != http.StatusNotFound {
					t.Errorf("Get(99) = %v, %v; want no group and the 404 response", got, resp)
				}
				e.wantCalls(t, "GET /customer_groups/99") // a 404 is not retried
			})
		})
	}
}

func TestE2EFilters(t *testing.T) {
	t.Parallel()
	rfc := func(t time.Time) string { return t.Format(time.RFC3339) }
	// Each case builds its filter, and the query it must send, from the
	// stored groups: 40 seeded an hour apart, then three added now.
	type query = map[string]string
	tests := []struct {
		name  string
		build func(stored []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query)
	}{
		{"name matches exactly", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{Name: "VIP 011"}, query{"name": "VIP 011"}
		}},
		{"name:like matches part of the name", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{NameLike: "vip"}, query{"name:like": "vip"}
		}},
		{"is_default true", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{IsDefault: bigcommerce.Ptr(true)}, query{"is_default": "true"}
		}},
		{"is_default false is sent", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{IsDefault: bigcommerce.Ptr(false)}, query{"is_default": "false"}
		}},
		{"is_group_for_guests true", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{IsGroupForGuests: bigcommerce.Ptr(true)}, query{"is_group_for_guests": "true"}
		}},
		{"is_group_for_guests false is sent", func([]bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			return bigcommerce.CustomerGroupFilter{IsGroupForGuests: bigcommerce.Ptr(false)}, query{"is_group_for_guests": "false"}
		}},
		{"date_created matches one second", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			d := s[10].DateCreated
			return bigcommerce.CustomerGroupFilter{DateCreated: d}, query{"date_created": rfc(d)}
		}},
		{"date_created:min is inclusive", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			d := s[10].DateCreated
			return bigcommerce.CustomerGroupFilter{DateCreatedMin: d}, query{"date_created:min": rfc(d)}
		}},
		{"date_created:max is inclusive", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			d := s[20].DateCreated
			return bigcommerce.CustomerGroupFilter{DateCreatedMax: d}, query{"date_created:max": rfc(d)}
		}},
		{"date_created:min and :max bound a range", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			lo, hi := s[10].DateCreated, s[20].DateCreated
			return bigcommerce.CustomerGroupFilter{DateCreatedMin: lo, DateCreatedMax: hi}, query{"date_created:min": rfc(lo), "date_created:max": rfc(hi)}
		}},
		{"date_modified:min is inclusive", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			d := s[30].DateModified
			return bigcommerce.CustomerGroupFilter{DateModifiedMin: d}, query{"date_modified:min": rfc(d)}
		}},
		{"filters combine", func(s []bigcommercetest.Group) (bigcommerce.CustomerGroupFilter, query) {
			hi := s[20].DateCreated
			return bigcommerce.CustomerGroupFilter{NameLike: "a", IsDefault: bigcommerce.Ptr(false), DateCreatedMax: hi},
				query{"name:like": "a", "is_default": "false", "date_created:max": rfc(hi)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(40)}, func(t *testing.T, e *env) {
				e.srv.Add(bigcommercetest.Group{Name: "Default Retail", IsDefault: true})
				e.srv.Add(bigcommercetest.Group{Name: "Default VIP", IsDefault: true})
				e.srv.Add(bigcommercetest.Group{Name: "Guests", IsGroupForGuests: true})
				stored := e.srv.Groups()
				filter, wantQuery := tt.build(stored)
				want := slices.DeleteFunc(slices.Clone(stored), func(g bigcommercetest.Group) bool { return !filterMatches(filter, g) })
				if len(want) == 0 || len(want) == len(stored) {
					t.Fatalf("the filter keeps %d of %d groups; the test data should make it narrow", len(want), len(stored))
				}

				groups, _, err := e.groups.List(e.ctx, &bigcommerce.ListCustomerGroupsOptions{
					CustomerGroupFilter: filter,
					ListOptions:         bigcommerce.ListOptions{Limit: 250},
				})
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				checkGroups(t, groups, want)

				n, _, err := e.groups.Count(e.ctx, &filter)
				if err != nil {
					t.Fatalf("Count: %v", err)
				}
				if n != len(groups) {
					t.Errorf("Count = %d, want the filtered list's length %d", n, len(groups))
				}

				if ids := e.walk(t, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter}); !slices.Equal(ids, storedIDs(want)) {
					t.Errorf("All yielded %v, want %v", ids, storedIDs(want))
				}

				reqs := e.srv.Requests()
				if len(reqs) != 3 {
					t.Fatalf("%d requests, want a list, a count and one page of All", len(reqs))
				}
				for _, r := range reqs {
					for k, v := range wantQuery {
						if got := r.Query.Get(k); got != v {
							t.Errorf("%s %s?%s: %s=%q, want %q", r.Method, r.Path, r.RawQuery, k, got, v)
						}
					}
					if strings.HasSuffix(r.Path, "/count") && len(r.Query) != len(wantQuery) {
						t.Errorf("count query %q has parameters besides the filter", r.RawQuery)
					}
				}
			})
		})
	}
}
