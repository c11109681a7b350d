package bigcommerce_test

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// End-to-end writes: Create, Update, Delete and DeleteAll, on each scheme.

func TestE2ECreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []bigcommercetest.Option
		status int
	}{
		{"the fake's default 201 Created", nil, http.StatusCreated},
		{"a store that answers 200 OK", []bigcommercetest.Option{bigcommercetest.WithCreateStatus(http.StatusOK)}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachScheme(t, tt.opts, func(t *testing.T, e *env) {
				got, resp, err := e.groups.Create(e.ctx, &bigcommerce.CreateCustomerGroupRequest{
					Name:           "Wholesale",
					CategoryAccess: &bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessSpecific, Categories: []int{18, 23}},
					DiscountRules: []bigcommerce.DiscountRule{
						{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "5.00"},
						{Type: bigcommerce.DiscountRuleCategory, CategoryID: 23, Method: bigcommerce.DiscountFixed, Amount: "2.5"},
						{Type: bigcommerce.DiscountRuleProduct, ProductID: 7, Method: bigcommerce.DiscountPrice, Amount: "19.99"},
					},
				})
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if resp.StatusCode != tt.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
				}

				// What went over the wire: amounts as strings, exactly as
				// given, and no false booleans.
				req := e.lastRequest(t)
				if ct := req.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				wantBody := jsonValue(t, []byte(`{
					"name": "Wholesale",
					"category_access": {"type": "specific", "categories": [18, 23]},
					"discount_rules": [
						{"type": "all", "method": "percent", "amount": "5.00"},
						{"type": "category", "category_id": 23, "method": "fixed", "amount": "2.5"},
						{"type": "product", "product_id": 7, "method": "price", "amount": "19.99"}
					]}`))
				if body := jsonValue(t, req.Body); !reflect.DeepEqual(body, wantBody) {
					t.Errorf("body\n got %v\nwant %v", body, wantBody)
				}

				stored, ok := e.srv.Group(got.ID)
				if !ok {
					t.Fatalf("group #%d is not stored", got.ID)
				}
				want := bigcommercetest.Group{
					ID:             got.ID,
					Name:           "Wholesale",
					CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18, 23}},
					DiscountRules: []bigcommercetest.DiscountRule{
						{Type: "all", Method: "percent", Amount: "5.0000"},
						{Type: "category", Method: "fixed", Amount: "2.5000", CategoryID: 23},
						{Type: "product", Method: "price", Amount: "19.9900", ProductID: 7},
					},
					DateCreated:  stored.DateCreated,
					DateModified: stored.DateModified,
				}
				if !reflect.DeepEqual(stored, want) {
					t.Errorf("stored\n got %+v\nwant %+v", stored, want)
				}
				checkGroup(t, *got, stored)

				// Amounts come back in the store's four-decimal form: the
				// same number, a different text.
				a := got.DiscountRules[0].Amount
				if a != "5.0000" || !a.Equal("5.00") || a == "5.00" {
					t.Errorf("amount %q: want the text 5.0000, Equal to 5.00", a)
				}
				e.wantCalls(t, "POST /customer_groups")

				_, resp, err = e.groups.Create(e.ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "WHOLESALE"})
				wantAPIError(t, err, bigcommerce.ErrConflict, http.StatusConflict)
				if resp == nil || resp.StatusCode != http.StatusConflict {
					t.Errorf("response %v, want the 409", resp)
				}
				if n := len(e.srv.Groups()); n != 1 {
					t.Errorf("%d groups stored after the duplicate, want 1", n)
				}
				e.wantCalls(t, "POST /customer_groups") // a 409 is not retried
			})
		})
	}
}

func TestE2EUpdate(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	base := bigcommercetest.Group{
		Name:           "Wholesale",
		IsDefault:      true,
		CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18}},
		DiscountRules: []bigcommercetest.DiscountRule{
			{Type: "all", Method: "percent", Amount: "5"},
			{Type: "category", Method: "fixed", Amount: "2.5", CategoryID: 18},
		},
		DateCreated: created,
	}
	tests := []struct {
		name string
		req  bigcommerce.UpdateCustomerGroupRequest
		body string
		// change turns the stored group into what the update should leave.
		change func(*bigcommercetest.Group)
	}{
		{
			name:   "a name alone leaves every other field",
			req:    bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("Trade")},
			body:   `{"name": "Trade"}`,
			change: func(g *bigcommercetest.Group) { g.Name = "Trade" },
		},
		{
			name:   "is_default Ptr(false) turns it off",
			req:    bigcommerce.UpdateCustomerGroupRequest{IsDefault: bigcommerce.Ptr(false)},
			body:   `{"is_default": false}`,
			change: func(g *bigcommercetest.Group) { g.IsDefault = false },
		},
		{
			name:   "an empty non-nil rule list clears the rules",
			req:    bigcommerce.UpdateCustomerGroupRequest{DiscountRules: []bigcommerce.DiscountRule{}},
			body:   `{"discount_rules": []}`,
			change: func(g *bigcommercetest.Group) { g.DiscountRules = []bigcommercetest.DiscountRule{} },
		},
		{
			name: "nil rules leave the rules",
			req: bigcommerce.UpdateCustomerGroupRequest{
				CategoryAccess: &bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessAll},
			},
			body:   `{"category_access": {"type": "all"}}`,
			change: func(g *bigcommercetest.Group) { g.CategoryAccess = bigcommercetest.CategoryAccess{Type: "all"} },
		},
		{
			name: "new rules replace the whole set",
			req: bigcommerce.UpdateCustomerGroupRequest{DiscountRules: []bigcommerce.DiscountRule{
				{Type: bigcommerce.DiscountRuleProduct, ProductID: 7, Method: bigcommerce.DiscountPrice, Amount: "19.99"},
			}},
			body: `{"discount_rules": [{"type": "product", "product_id": 7, "method": "price", "amount": "19.99"}]}`,
			change: func(g *bigcommercetest.Group) {
				g.DiscountRules = []bigcommercetest.DiscountRule{{Type: "product", Method: "price", Amount: "19.9900", ProductID: 7}}
			},
		},
		{
			name:   "is_group_for_guests Ptr(true) makes it the guest group",
			req:    bigcommerce.UpdateCustomerGroupRequest{IsGroupForGuests: bigcommerce.Ptr(true)},
			body:   `{"is_group_for_guests": true}`,
			change: func(g *bigcommercetest.Group) { g.IsGroupForGuests = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachScheme(t, nil, func(t *testing.T, e *env) {
				before := e.srv.Add(base)
				other := e.srv.Add(bigcommercetest.Group{Name: "Retail", DateCreated: created})

				got, resp, err := e.groups.Update(e.ctx, before.ID, &tt.req)
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				req := e.lastRequest(t)
				if body, want := jsonValue(t, req.Body), jsonValue(t, []byte(tt.body)); !reflect.DeepEqual(body, want) {
					t.Errorf("body %s, want %s", req.Body, tt.body)
				}
				e.wantCalls(t, "PUT /customer_groups/"+strconv.Itoa(before.ID))

				stored, _ := e.srv.Group(before.ID)
				want := before
				tt.change(&want)
				if !stored.DateModified.After(before.DateModified) {
					t.Errorf("date_modified %v did not move on from %v", stored.DateModified, before.DateModified)
				}
				want.DateModified = stored.DateModified
				if !reflect.DeepEqual(stored, want) {
					t.Errorf("stored\n got %+v\nwant %+v", stored, want)
				}
				checkGroup(t, *got, stored)
				if o, _ := e.srv.Group(other.ID); !reflect.DeepEqual(o, other) {
					t.Errorf("the other group changed: %+v, was %+v", o, other)
				}
			})
		})
	}

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		forEachScheme(t, nil, func(t *testing.T, e *env) {
			g := e.srv.Add(base)
			other := e.srv.Add(bigcommercetest.Group{Name: "Retail"})

			_, _, err := e.groups.Update(e.ctx, g.ID, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("retail")})
			wantAPIError(t, err, bigcommerce.ErrConflict, http.StatusConflict)
			_, _, err = e.groups.Update(e.ctx, 99, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("Trade")})
			wantAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
			e.wantCalls(t, "PUT /customer_groups/"+strconv.Itoa(g.ID), "PUT /customer_groups/99")

			if after := e.srv.Groups(); !reflect.DeepEqual(after, []bigcommercetest.Group{g, other}) {
				t.Errorf("failed updates changed the store: %+v", after)
			}
		})
	})
}

func TestE2EDelete(t *testing.T) {
	t.Parallel()
	forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(5)}, func(t *testing.T, e *env) {
		resp, err := e.groups.Delete(e.ctx, 3)
		if err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("status %d, want 204", resp.StatusCode)
		}
		if _, ok := e.srv.Group(3); ok {
			t.Error("group #3 is still stored")
		}
		if ids := storedIDs(e.srv.Groups()); !slices.Equal(ids, []int{1, 2, 4, 5}) {
			t.Errorf("stored ids %v, want [1 2 4 5]", ids)
		}

		resp, err = e.groups.Delete(e.ctx, 3)
		wantAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			t.Errorf("response %v, want the 404", resp)
		}
		e.wantCalls(t, "DELETE /customer_groups/3", "DELETE /customer_groups/3")
	})
}

func TestE2EDeleteAll(t *testing.T) {
	t.Parallel()
	t.Run("removes every group", func(t *testing.T) {
		t.Parallel()
		forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(30)}, func(t *testing.T, e *env) {
			resp, err := e.groups.DeleteAll(e.ctx)
			if err != nil {
				t.Fatalf("DeleteAll: %v", err)
			}
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("status %d, want 204", resp.StatusCode)
			}
			if n := len(e.srv.Groups()); n != 0 {
				t.Errorf("%d groups left", n)
			}
			groups, _, err := e.groups.List(e.ctx, nil)
			if err != nil || len(groups) != 0 {
				t.Errorf("List after DeleteAll = %v, %v; want nothing", idsOf(groups), err)
			}
			n, _, err := e.groups.Count(e.ctx, nil)
			if err != nil || n != 0 {
				t.Errorf("Count after DeleteAll = %d, %v; want 0", n, err)
			}
			e.wantCalls(t, "DELETE /customer_groups", "GET /customer_groups", "GET /customer_groups/count")
		})
	})
	t.Run("a failure is never retried", func(t *testing.T) {
		t.Parallel()
		forEachScheme(t, []bigcommercetest.Option{bigcommercetest.WithSeed(30)}, func(t *testing.T, e *env) {
			e.srv.InjectFault(bigcommercetest.Fault{Method: http.MethodDelete, Path: "/customer_groups", Status: http.StatusServiceUnavailable})
			_, err := e.groups.DeleteAll(e.ctx)
			wantAPIError(t, err, bigcommerce.ErrServer, http.StatusServiceUnavailable)
			if n := len(e.srv.Groups()); n != 30 {
				t.Errorf("%d groups left, want all 30", n)
			}
			e.wantCalls(t, "DELETE /customer_groups")
		})
	})
}
