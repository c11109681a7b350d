package bigcommerce_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// End-to-end tests: every method of the SDK against bigcommercetest, once
// per authentication scheme, checking what the SDK returns, what the fake
// stored and what went over the wire.

// e2eScheme is one of BigCommerce's two ways of authenticating.
type e2eScheme struct {
	name   string
	client func(*bigcommercetest.Server, ...bigcommerce.Option) *bigcommerce.Client
	// root is the path of the API root on the fake.
	root func(*bigcommercetest.Server) string
	// checkAuth says what is wrong with a request's credentials, if anything.
	checkAuth func(*bigcommercetest.Server, bigcommercetest.RecordedRequest) error
}

var e2eSchemes = []e2eScheme{
	{
		name:   "oauth",
		client: (*bigcommercetest.Server).Client,
		root:   func(s *bigcommercetest.Server) string { return "/stores/" + s.StoreHash + "/v2" },
		checkAuth: func(s *bigcommercetest.Server, r bigcommercetest.RecordedRequest) error {
			switch {
			case r.Header.Get("X-Auth-Token") != s.AccessToken:
				return errors.New("X-Auth-Token is not the read-write token")
			case r.Header.Get("X-Auth-Client") != s.ClientID:
				return errors.New("X-Auth-Client is not the client id")
			case r.Header.Get("Authorization") != "":
				return errors.New("an Authorization header was sent beside X-Auth-Token")
			}
			return nil
		},
	},
	{
		name:   "basic",
		client: (*bigcommercetest.Server).BasicClient,
		root:   func(*bigcommercetest.Server) string { return "/api/v2" },
		checkAuth: func(s *bigcommercetest.Server, r bigcommercetest.RecordedRequest) error {
			want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.Username+":"+s.APIKey))
			switch {
			case r.Header.Get("Authorization") != want:
				return errors.New("Authorization is not Basic with the API account's username and key")
			case r.Header.Get("X-Auth-Token") != "":
				return errors.New("an X-Auth-Token header was sent beside Basic credentials")
			}
			return nil
		},
	},
}

// e2eEnv is one scheme's client and the fake it talks to.
type e2eEnv struct {
	srv    *bigcommercetest.Server
	scheme e2eScheme
	groups *bigcommerce.CustomerGroupsService
	ctx    context.Context
}

// e2eRun runs f once per scheme, in parallel, each on a fresh fake made
// with opts. When f is done, every request the fake received must carry
// the scheme's credentials under its root.
func e2eRun(t *testing.T, opts []bigcommercetest.Option, f func(t *testing.T, e *e2eEnv)) {
	t.Helper()
	for _, sc := range e2eSchemes {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(opts...)
			t.Cleanup(srv.Close)
			e := &e2eEnv{
				srv:    srv,
				scheme: sc,
				groups: sc.client(srv, bigcommerce.WithRetryWait(0, 0)).CustomerGroups,
				ctx:    t.Context(),
			}
			t.Cleanup(func() { e.calls(t) })
			f(t, e)
		})
	}
}

// calls lists the requests received since the last reset as "METHOD path"
// or "METHOD path?query", the path relative to the API root, and checks
// their credentials.
func (e *e2eEnv) calls(t *testing.T) []string {
	t.Helper()
	root := e.scheme.root(e.srv)
	var out []string
	for _, r := range e.srv.Requests() {
		rel, ok := strings.CutPrefix(r.Path, root+"/")
		if !ok {
			t.Errorf("%s %s is not under the %s root %s", r.Method, r.Path, e.scheme.name, root)
		}
		if err := e.scheme.checkAuth(e.srv, r); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
		}
		call := r.Method + " /" + rel
		if r.RawQuery != "" {
			call += "?" + r.RawQuery
		}
		out = append(out, call)
	}
	return out
}

// wantCalls checks the requests since the last reset, then resets them.
func (e *e2eEnv) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	if got := e.calls(t); !slices.Equal(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
	e.srv.ResetRequests()
}

// e2eWant is the SDK's view of a group the fake stores.
func e2eWant(g bigcommercetest.Group) bigcommerce.CustomerGroup {
	out := bigcommerce.CustomerGroup{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		IsGroupForGuests: g.IsGroupForGuests,
		CategoryAccess:   bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessType(g.CategoryAccess.Type)},
		DateCreated:      g.DateCreated,
		DateModified:     g.DateModified,
	}
	if g.CategoryAccess.Type == "specific" {
		out.CategoryAccess.Categories = g.CategoryAccess.Categories
	}
	for _, r := range g.DiscountRules {
		out.DiscountRules = append(out.DiscountRules, bigcommerce.DiscountRule{
			Type:        bigcommerce.DiscountRuleType(r.Type),
			Method:      bigcommerce.DiscountMethod(r.Method),
			Amount:      bigcommerce.Amount(r.Amount),
			ProductID:   r.ProductID,
			CategoryID:  r.CategoryID,
			PriceListID: r.PriceListID,
		})
	}
	return out
}

// e2eCheckGroup checks that got is exactly the stored group, amounts to
// the character and dates to the second.
func e2eCheckGroup(t *testing.T, got bigcommerce.CustomerGroup, stored bigcommercetest.Group) {
	t.Helper()
	want := e2eWant(stored)
	if !got.DateCreated.Equal(want.DateCreated) || !got.DateModified.Equal(want.DateModified) {
		t.Errorf("group #%d dates %v / %v, want %v / %v", got.ID, got.DateCreated, got.DateModified, want.DateCreated, want.DateModified)
	}
	got.DateCreated, got.DateModified = time.Time{}, time.Time{}
	want.DateCreated, want.DateModified = time.Time{}, time.Time{}
	if len(got.DiscountRules) == 0 {
		got.DiscountRules = nil // the API sends [], the fake stores nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group #%d\n got %+v\nwant %+v", stored.ID, got, want)
	}
}

func e2eCheckGroups(t *testing.T, got []bigcommerce.CustomerGroup, stored []bigcommercetest.Group) {
	t.Helper()
	if len(got) != len(stored) {
		t.Fatalf("got %d groups %v, want %d %v", len(got), e2eIDs(got), len(stored), e2eStoredIDs(stored))
	}
	for i := range got {
		e2eCheckGroup(t, got[i], stored[i])
	}
}

func e2eIDs(groups []bigcommerce.CustomerGroup) []int {
	out := make([]int, len(groups))
	for i, g := range groups {
		out[i] = g.ID
	}
	return out
}

func e2eStoredIDs(groups []bigcommercetest.Group) []int {
	out := make([]int, len(groups))
	for i, g := range groups {
		out[i] = g.ID
	}
	return out
}

func e2eRange(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// e2eWalk collects the ids All yields, failing on an error.
func e2eWalk(t *testing.T, e *e2eEnv, opts *bigcommerce.ListCustomerGroupsOptions) []int {
	t.Helper()
	var ids []int
	for g, err := range e.groups.All(e.ctx, opts) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		ids = append(ids, g.ID)
	}
	return ids
}

// e2eJSON decodes a JSON text, so that bodies compare by value whatever
// the order of their fields.
func e2eJSON(t *testing.T, text []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	return v
}

// e2eLastRequest returns the latest request the fake received.
func e2eLastRequest(t *testing.T, srv *bigcommercetest.Server) bigcommercetest.RecordedRequest {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return reqs[len(reqs)-1]
}

func e2eAPIError(t *testing.T, err error, sentinel error, status int) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want one matching %v", err, sentinel)
	}
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
		t.Fatalf("error %#v, want an *APIError with status %d", err, status)
	}
}

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
			e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(60)}, func(t *testing.T, e *e2eEnv) {
				groups, resp, err := e.groups.List(e.ctx, tt.opts)
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				if resp.StatusCode != tt.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
				}
				e2eCheckGroups(t, groups, e.srv.Groups()[tt.from:tt.to])
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
	e2eRun(t, nil, func(t *testing.T, e *e2eEnv) {
		groups, resp, err := e.groups.List(e.ctx, nil)
		if err != nil || len(groups) != 0 || resp.StatusCode != http.StatusNoContent {
			t.Errorf("List = %v, status %d, %v; want no groups, 204, no error", groups, resp.StatusCode, err)
		}
		if ids := e2eWalk(t, e, nil); len(ids) != 0 {
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
			e2eRun(t, opts, func(t *testing.T, e *e2eEnv) {
				for _, stored := range e.srv.Groups() {
					got, resp, err := e.groups.Get(e.ctx, stored.ID)
					if err != nil {
						t.Fatalf("Get(%d): %v", stored.ID, err)
					}
					if resp.StatusCode != http.StatusOK {
						t.Errorf("Get(%d): status %d", stored.ID, resp.StatusCode)
					}
					e2eCheckGroup(t, *got, stored)
				}
				e.srv.ResetRequests()

				got, resp, err := e.groups.Get(e.ctx, 99)
				e2eAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
				if got != nil || resp == nil || resp.StatusCode != http.StatusNotFound {
					t.Errorf("Get(99) = %v, %v; want no group and the 404 response", got, resp)
				}
				e.wantCalls(t, "GET /customer_groups/99") // a 404 is not retried
			})
		})
	}
}

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
			e2eRun(t, tt.opts, func(t *testing.T, e *e2eEnv) {
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
				req := e2eLastRequest(t, e.srv)
				if ct := req.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				wantBody := e2eJSON(t, []byte(`{
					"name": "Wholesale",
					"category_access": {"type": "specific", "categories": [18, 23]},
					"discount_rules": [
						{"type": "all", "method": "percent", "amount": "5.00"},
						{"type": "category", "category_id": 23, "method": "fixed", "amount": "2.5"},
						{"type": "product", "product_id": 7, "method": "price", "amount": "19.99"}
					]}`))
				if body := e2eJSON(t, req.Body); !reflect.DeepEqual(body, wantBody) {
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
				e2eCheckGroup(t, *got, stored)

				// Amounts come back in the store's four-decimal form: the
				// same number, a different text.
				a := got.DiscountRules[0].Amount
				if a != "5.0000" || !a.Equal("5.00") || a == "5.00" {
					t.Errorf("amount %q: want the text 5.0000, Equal to 5.00", a)
				}
				e.wantCalls(t, "POST /customer_groups")

				_, resp, err = e.groups.Create(e.ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "WHOLESALE"})
				e2eAPIError(t, err, bigcommerce.ErrConflict, http.StatusConflict)
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
			e2eRun(t, nil, func(t *testing.T, e *e2eEnv) {
				before := e.srv.Add(base)
				other := e.srv.Add(bigcommercetest.Group{Name: "Retail", DateCreated: created})

				got, resp, err := e.groups.Update(e.ctx, before.ID, &tt.req)
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				req := e2eLastRequest(t, e.srv)
				if body, want := e2eJSON(t, req.Body), e2eJSON(t, []byte(tt.body)); !reflect.DeepEqual(body, want) {
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
				e2eCheckGroup(t, *got, stored)
				if o, _ := e.srv.Group(other.ID); !reflect.DeepEqual(o, other) {
					t.Errorf("the other group changed: %+v, was %+v", o, other)
				}
			})
		})
	}

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		e2eRun(t, nil, func(t *testing.T, e *e2eEnv) {
			g := e.srv.Add(base)
			other := e.srv.Add(bigcommercetest.Group{Name: "Retail"})

			_, _, err := e.groups.Update(e.ctx, g.ID, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("retail")})
			e2eAPIError(t, err, bigcommerce.ErrConflict, http.StatusConflict)
			_, _, err = e.groups.Update(e.ctx, 99, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("Trade")})
			e2eAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
			e.wantCalls(t, "PUT /customer_groups/"+strconv.Itoa(g.ID), "PUT /customer_groups/99")

			if after := e.srv.Groups(); !reflect.DeepEqual(after, []bigcommercetest.Group{g, other}) {
				t.Errorf("failed updates changed the store: %+v", after)
			}
		})
	})
}

func TestE2EDelete(t *testing.T) {
	t.Parallel()
	e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(5)}, func(t *testing.T, e *e2eEnv) {
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
		if ids := e2eStoredIDs(e.srv.Groups()); !slices.Equal(ids, []int{1, 2, 4, 5}) {
			t.Errorf("stored ids %v, want [1 2 4 5]", ids)
		}

		resp, err = e.groups.Delete(e.ctx, 3)
		e2eAPIError(t, err, bigcommerce.ErrNotFound, http.StatusNotFound)
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
		e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(30)}, func(t *testing.T, e *e2eEnv) {
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
				t.Errorf("List after DeleteAll = %v, %v; want nothing", e2eIDs(groups), err)
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
		e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(30)}, func(t *testing.T, e *e2eEnv) {
			e.srv.InjectFault(bigcommercetest.Fault{Method: http.MethodDelete, Path: "/customer_groups", Status: http.StatusServiceUnavailable})
			_, err := e.groups.DeleteAll(e.ctx)
			e2eAPIError(t, err, bigcommerce.ErrServer, http.StatusServiceUnavailable)
			if n := len(e.srv.Groups()); n != 30 {
				t.Errorf("%d groups left, want all 30", n)
			}
			e.wantCalls(t, "DELETE /customer_groups")
		})
	})
}

// e2eMatch is the filter's meaning, applied in Go to the fake's groups.
// Dates match to the second, the precision of the wire format.
func e2eMatch(f bigcommerce.CustomerGroupFilter, g bigcommercetest.Group) bool {
	date := func(t, exact, lo, hi time.Time) bool {
		return (exact.IsZero() || t.Equal(exact)) && (lo.IsZero() || !t.Before(lo)) && (hi.IsZero() || !t.After(hi))
	}
	return (f.Name == "" || g.Name == f.Name) &&
		(f.NameLike == "" || strings.Contains(strings.ToLower(g.Name), strings.ToLower(f.NameLike))) &&
		(f.IsDefault == nil || g.IsDefault == *f.IsDefault) &&
		(f.IsGroupForGuests == nil || g.IsGroupForGuests == *f.IsGroupForGuests) &&
		date(g.DateCreated, f.DateCreated, f.DateCreatedMin, f.DateCreatedMax) &&
		date(g.DateModified, f.DateModified, f.DateModifiedMin, f.DateModifiedMax)
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
			e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(40)}, func(t *testing.T, e *e2eEnv) {
				e.srv.Add(bigcommercetest.Group{Name: "Default Retail", IsDefault: true})
				e.srv.Add(bigcommercetest.Group{Name: "Default VIP", IsDefault: true})
				e.srv.Add(bigcommercetest.Group{Name: "Guests", IsGroupForGuests: true})
				stored := e.srv.Groups()
				filter, wantQuery := tt.build(stored)
				want := slices.DeleteFunc(slices.Clone(stored), func(g bigcommercetest.Group) bool { return !e2eMatch(filter, g) })
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
				e2eCheckGroups(t, groups, want)

				n, _, err := e.groups.Count(e.ctx, &filter)
				if err != nil {
					t.Fatalf("Count: %v", err)
				}
				if n != len(groups) {
					t.Errorf("Count = %d, want the filtered list's length %d", n, len(groups))
				}

				if ids := e2eWalk(t, e, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter}); !slices.Equal(ids, e2eStoredIDs(want)) {
					t.Errorf("All yielded %v, want %v", ids, e2eStoredIDs(want))
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

func e2ePage(limit, n int) string {
	return fmt.Sprintf("GET /customer_groups?limit=%d&page=%d", limit, n)
}

func TestE2EAllPages(t *testing.T) {
	t.Parallel()
	// Every case walks a store of 1,000 groups.
	tests := []struct {
		name string
		run  func(t *testing.T, e *e2eEnv)
	}{
		{"nil options walk 250 at a time", func(t *testing.T, e *e2eEnv) {
			if ids := e2eWalk(t, e, nil); !slices.Equal(ids, e2eRange(1, 1000)) {
				t.Errorf("All yielded %d ids, want 1 to 1000 once each, in order", len(ids))
			}
			// Four full pages, then the empty page (204) that tells All
			// the store has no more: the API sends no total.
			e.wantCalls(t, e2ePage(250, 1), e2ePage(250, 2), e2ePage(250, 3), e2ePage(250, 4), e2ePage(250, 5))
		}},
		{"a short last page ends the walk", func(t *testing.T, e *e2eEnv) {
			added := e.srv.Add(bigcommercetest.Group{Name: "One More"})
			if ids := e2eWalk(t, e, nil); added.ID != 1001 || !slices.Equal(ids, e2eRange(1, 1001)) {
				t.Errorf("All yielded %d ids, want 1 to 1001", len(ids))
			}
			e.wantCalls(t, e2ePage(250, 1), e2ePage(250, 2), e2ePage(250, 3), e2ePage(250, 4), e2ePage(250, 5))
		}},
		{"a limit of 7 takes 143 pages", func(t *testing.T, e *e2eEnv) {
			opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 7}}
			if ids := e2eWalk(t, e, opts); !slices.Equal(ids, e2eRange(1, 1000)) {
				t.Errorf("All yielded %d ids, want 1 to 1000 once each, in order", len(ids))
			}
			var want []string
			for n := 1; n <= 143; n++ { // 142 full pages and one of 6
				want = append(want, e2ePage(7, n))
			}
			e.wantCalls(t, want...)
			if opts.Page != 0 || opts.Limit != 7 {
				t.Errorf("All changed the caller's options to %+v", opts.ListOptions)
			}
		}},
		{"a filter is sent with every page", func(t *testing.T, e *e2eEnv) {
			// Wholesale, Retail, Trade and Education: half the groups.
			filter := bigcommerce.CustomerGroupFilter{NameLike: "e"}
			want := slices.DeleteFunc(e.srv.Groups(), func(g bigcommercetest.Group) bool { return !e2eMatch(filter, g) })
			if len(want) != 500 {
				t.Fatalf("%d groups match, want 500", len(want))
			}
			if ids := e2eWalk(t, e, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter}); !slices.Equal(ids, e2eStoredIDs(want)) {
				t.Errorf("All yielded %d ids, want the %d that match", len(ids), len(want))
			}
			e.wantCalls(t,
				"GET /customer_groups?limit=250&name%3Alike=e&page=1",
				"GET /customer_groups?limit=250&name%3Alike=e&page=2",
				"GET /customer_groups?limit=250&name%3Alike=e&page=3")
		}},
		{"a walk can start at a later page", func(t *testing.T, e *e2eEnv) {
			opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Page: 3}}
			if ids := e2eWalk(t, e, opts); !slices.Equal(ids, e2eRange(501, 1000)) {
				t.Errorf("All from page 3 yielded %d ids, want 501 to 1000", len(ids))
			}
			e.wantCalls(t, e2ePage(250, 3), e2ePage(250, 4), e2ePage(250, 5))
		}},
		{"breaking out fetches nothing more", func(t *testing.T, e *e2eEnv) {
			for g, err := range e.groups.All(e.ctx, nil) {
				if err != nil || g.ID != 1 {
					t.Fatalf("first yield %d, %v", g.ID, err)
				}
				break
			}
			e.wantCalls(t, e2ePage(250, 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, tt.run)
		})
	}
}

func TestE2EAllDuringChanges(t *testing.T) {
	t.Parallel()
	t.Run("creates and deletes never repeat an id", func(t *testing.T) {
		t.Parallel()
		e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, func(t *testing.T, e *e2eEnv) {
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
		e2eRun(t, []bigcommercetest.Option{bigcommercetest.WithSeed(1000)}, func(t *testing.T, e *e2eEnv) {
			opts := &bigcommerce.ListCustomerGroupsOptions{
				CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: "VIP"},
				ListOptions:         bigcommerce.ListOptions{Limit: 50},
			}
			var want []int
			for _, g := range e.srv.Groups() {
				if e2eMatch(opts.CustomerGroupFilter, g) {
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
				t.Errorf("page 2 starts with %v, want #%d from the end of page 1", e2eIDs(page2[:min(1, len(page2))]), want[49])
			}
		})
	})
}

func TestE2EReadOnlyToken(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(5))
	t.Cleanup(srv.Close)
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(srv.StoreHash, srv.ReadOnlyToken),
		bigcommerce.WithBaseURL(srv.OAuthBaseURL()), bigcommerce.WithRetryWait(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	before := srv.Groups()

	groups, _, err := client.CustomerGroups.List(ctx, nil)
	if err != nil {
		t.Fatalf("List with a read-only token: %v", err)
	}
	e2eCheckGroups(t, groups, before)
	if n, _, err := client.CustomerGroups.Count(ctx, nil); err != nil || n != 5 {
		t.Errorf("Count = %d, %v; want 5", n, err)
	}
	if g, _, err := client.CustomerGroups.Get(ctx, 1); err != nil || g.ID != 1 {
		t.Errorf("Get(1) = %v, %v", g, err)
	}

	writes := []struct {
		name string
		call func() error
	}{
		{"Create", func() error {
			_, _, err := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Trade"})
			return err
		}},
		{"Update", func() error {
			_, _, err := client.CustomerGroups.Update(ctx, 1, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("Trade")})
			return err
		}},
		{"Delete", func() error { _, err := client.CustomerGroups.Delete(ctx, 1); return err }},
		{"DeleteAll", func() error { _, err := client.CustomerGroups.DeleteAll(ctx); return err }},
	}
	for _, w := range writes {
		srv.ResetRequests()
		e2eAPIError(t, w.call(), bigcommerce.ErrForbidden, http.StatusForbidden)
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%s: %d requests, want 1: a 403 is not retried", w.name, n)
		}
	}
	if after := srv.Groups(); !reflect.DeepEqual(after, before) {
		t.Errorf("refused writes changed the store:\n got %+v\nwant %+v", after, before)
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("X-Auth-Token") != srv.ReadOnlyToken {
			t.Errorf("%s %s did not carry the read-only token", r.Method, r.Path)
		}
	}
}

func TestE2EWrongCredentials(t *testing.T) {
	t.Parallel()
	const secret = "wrongsecret0123456789"
	tests := []struct {
		name string
		auth func(*bigcommercetest.Server) (bigcommerce.Authenticator, string)
	}{
		{"an unknown OAuth token", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return bigcommerce.NewOAuth(s.StoreHash, secret), s.OAuthBaseURL()
		}},
		{"the token of another store", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return bigcommerce.NewOAuth("otherstore", s.AccessToken), s.URL + "/stores/otherstore/v2"
		}},
		{"a wrong Basic API key", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return &bigcommerce.BasicAuth{StoreURL: s.URL, Username: s.Username, APIKey: secret}, ""
		}},
		{"a wrong Basic username", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return &bigcommerce.BasicAuth{StoreURL: s.URL, Username: "someone", APIKey: s.APIKey}, ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
			t.Cleanup(srv.Close)
			auth, root := tt.auth(srv)
			opts := []bigcommerce.Option{bigcommerce.WithRetryWait(0, 0)}
			if root != "" {
				opts = append(opts, bigcommerce.WithBaseURL(root))
			}
			client, err := bigcommerce.NewClient(auth, opts...)
			if err != nil {
				t.Fatal(err)
			}

			_, _, err = client.CustomerGroups.List(t.Context(), nil)
			e2eAPIError(t, err, bigcommerce.ErrUnauthorized, http.StatusUnauthorized)
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), srv.AccessToken) || strings.Contains(err.Error(), srv.APIKey) {
				t.Errorf("the error shows a credential: %v", err)
			}
			_, _, err = client.CustomerGroups.Create(t.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: "Trade"})
			e2eAPIError(t, err, bigcommerce.ErrUnauthorized, http.StatusUnauthorized)
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("%d requests, want 2: a 401 is not retried", n)
			}
			if n := len(srv.Groups()); n != 3 {
				t.Errorf("%d groups stored, want the 3 seeded", n)
			}
		})
	}
}
