package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

const groupsURL = testBaseURL + "/customer_groups"

// wantRequest is what one call must have sent.
type wantRequest struct {
	method string
	path   string     // relative to the API root
	query  url.Values // nil for none
	body   string     // exact bytes; "" for no body
}

// assertSent checks that exactly one request was sent and that it is want,
// headers included.
func assertSent(t *testing.T, rec *recorder, want wantRequest) {
	t.Helper()
	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("sent %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != want.method {
		t.Errorf("method = %q, want %q", r.Method, want.method)
	}
	if wantPath := "/stores/" + testStoreHash + "/v2" + want.path; r.Path != wantPath {
		t.Errorf("path = %q, want %q", r.Path, wantPath)
	}
	gotQuery, err := url.ParseQuery(r.Query)
	if err != nil {
		t.Errorf("query %q does not parse: %v", r.Query, err)
	}
	wantQuery := want.query
	if wantQuery == nil {
		wantQuery = url.Values{}
	}
	if !reflect.DeepEqual(gotQuery, wantQuery) {
		t.Errorf("query = %v (raw %q), want %v", gotQuery, r.Query, wantQuery)
	}
	if got := r.Header.Values("Accept"); !reflect.DeepEqual(got, []string{"application/json"}) {
		t.Errorf("Accept = %q, want [application/json]", got)
	}
	if got, wantUA := r.Header.Get("User-Agent"), "bigcommerce-customergroups-go/"+Version; got != wantUA {
		t.Errorf("User-Agent = %q, want %q", got, wantUA)
	}
	if want.body == "" {
		if got := r.Header.Values("Content-Type"); len(got) != 0 {
			t.Errorf("Content-Type = %q on a request without a body", got)
		}
		if len(r.Body) != 0 {
			t.Errorf("body = %q, want none", r.Body)
		}
		return
	}
	if got := r.Header.Values("Content-Type"); !reflect.DeepEqual(got, []string{"application/json"}) {
		t.Errorf("Content-Type = %q, want [application/json]", got)
	}
	if string(r.Body) != want.body {
		t.Errorf("body =\n%s\nwant\n%s", r.Body, want.body)
	}
}

// assertGroup compares two groups, dates by instant.
func assertGroup(t *testing.T, got, want CustomerGroup) {
	t.Helper()
	if !got.DateCreated.Equal(want.DateCreated) {
		t.Errorf("group %d: DateCreated = %v, want %v", want.ID, got.DateCreated, want.DateCreated)
	}
	if !got.DateModified.Equal(want.DateModified) {
		t.Errorf("group %d: DateModified = %v, want %v", want.ID, got.DateModified, want.DateModified)
	}
	got.DateCreated, got.DateModified = time.Time{}, time.Time{}
	want.DateCreated, want.DateModified = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group =\n%#v\nwant\n%#v", got, want)
	}
}

// asAPIError unwraps err to an *APIError, failing the test when it is not one.
func asAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

func utc(year int, month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, 0, time.UTC)
}

func TestListSendsFiltersAndPaging(t *testing.T) {
	t.Parallel()
	plusTwo := time.FixedZone("", 2*60*60)
	reserved := "Gro&ßhandel=50% +x"
	tests := []struct {
		name string
		opts *ListCustomerGroupsOptions
		want url.Values
	}{
		{"nil options send no query", nil, nil},
		{"zero options send no query", &ListCustomerGroupsOptions{}, nil},
		{"page and limit are sent", &ListCustomerGroupsOptions{ListOptions: ListOptions{Page: 3, Limit: 250}},
			url.Values{"page": {"3"}, "limit": {"250"}}},
		{"name is sent", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{Name: "Wholesale"}},
			url.Values{"name": {"Wholesale"}}},
		{"name like is sent as name:like", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{NameLike: "Whole"}},
			url.Values{"name:like": {"Whole"}}},
		{"is_default false is sent", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{IsDefault: Ptr(false)}},
			url.Values{"is_default": {"false"}}},
		{"is_default true is sent", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{IsDefault: Ptr(true)}},
			url.Values{"is_default": {"true"}}},
		{"nil is_default is not sent", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{Name: "x"}},
			url.Values{"name": {"x"}}},
		{"is_group_for_guests false is sent", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{IsGroupForGuests: Ptr(false)}},
			url.Values{"is_group_for_guests": {"false"}}},
		{"reserved and unicode characters round-trip",
			&ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{Name: reserved, NameLike: reserved}},
			url.Values{"name": {reserved}, "name:like": {reserved}}},
		{"dates are sent in RFC 3339", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{
			DateCreated:     utc(2024, 1, 2, 3, 4, 5),
			DateCreatedMin:  utc(2024, 1, 1, 0, 0, 0),
			DateCreatedMax:  utc(2024, 12, 31, 23, 59, 59),
			DateModified:    utc(2023, 7, 17, 6, 30, 41),
			DateModifiedMin: utc(2023, 1, 1, 0, 0, 0),
			DateModifiedMax: utc(2023, 2, 1, 0, 0, 0),
		}}, url.Values{
			"date_created":      {"2024-01-02T03:04:05Z"},
			"date_created:min":  {"2024-01-01T00:00:00Z"},
			"date_created:max":  {"2024-12-31T23:59:59Z"},
			"date_modified":     {"2023-07-17T06:30:41Z"},
			"date_modified:min": {"2023-01-01T00:00:00Z"},
			"date_modified:max": {"2023-02-01T00:00:00Z"},
		}},
		{"dates keep their zone offset", &ListCustomerGroupsOptions{CustomerGroupFilter: CustomerGroupFilter{
			DateCreatedMin: time.Date(2024, 1, 2, 3, 4, 5, 0, plusTwo),
		}}, url.Values{"date_created:min": {"2024-01-02T03:04:05+02:00"}}},
		{"filters and paging together", &ListCustomerGroupsOptions{
			CustomerGroupFilter: CustomerGroupFilter{NameLike: "Club", IsDefault: Ptr(false), IsGroupForGuests: Ptr(true)},
			ListOptions:         ListOptions{Page: 2, Limit: 10},
		}, url.Values{"name:like": {"Club"}, "is_default": {"false"}, "is_group_for_guests": {"true"}, "page": {"2"}, "limit": {"10"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodGet, groupsURL, fixture(t, "reference_list"))
			groups, _, err := c.CustomerGroups.List(context.Background(), tt.opts)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(groups) != 4 {
				t.Errorf("got %d groups, want 4", len(groups))
			}
			assertSent(t, rec, wantRequest{method: http.MethodGet, path: "/customer_groups", query: tt.want})
		})
	}
}

func TestListDecodesFullPage(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, fixture(t, "list_page_250"))
	groups, resp, err := c.CustomerGroups.List(context.Background(), &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 250}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Rate.Remaining != 142 {
		t.Errorf("status %d, rate %+v; want 200 and 142 left", resp.StatusCode, resp.Rate)
	}
	if len(groups) != 250 {
		t.Fatalf("got %d groups, want 250", len(groups))
	}
	byID := map[int]CustomerGroup{}
	for i, g := range groups {
		if g.ID != 251+i {
			t.Fatalf("groups[%d].ID = %d, want %d", i, g.ID, 251+i)
		}
		byID[g.ID] = g
	}

	t.Run("category id sent as a string", func(t *testing.T) {
		t.Parallel()
		assertGroup(t, byID[312], CustomerGroup{
			ID: 312, Name: "Loyalty 312",
			CategoryAccess: CategoryAccess{Type: CategoryAccessNone, Categories: []int{}},
			DiscountRules:  []DiscountRule{{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "5.0000", CategoryID: 20}},
			DateCreated:    utc(2022, 5, 5, 8, 17, 24), DateModified: utc(2022, 6, 6, 8, 17, 36),
		})
	})
	t.Run("amount sent as a number keeps its text", func(t *testing.T) {
		t.Parallel()
		assertGroup(t, byID[356], CustomerGroup{
			ID: 356, Name: "Affiliates 356",
			CategoryAccess: CategoryAccess{Type: CategoryAccessAll},
			DiscountRules:  []DiscountRule{{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "7.5"}},
			DateCreated:    utc(2022, 8, 1, 13, 2, 32), DateModified: utc(2022, 9, 7, 1, 2, 48),
		})
	})
	t.Run("RFC 1123 dates and a price list rule", func(t *testing.T) {
		t.Parallel()
		assertGroup(t, byID[254], CustomerGroup{
			ID: 254, Name: "Trade 254",
			CategoryAccess: CategoryAccess{Type: CategoryAccessAll, Categories: []int{}},
			DiscountRules:  []DiscountRule{{Type: DiscountRulePriceList, PriceListID: 6}},
			DateCreated:    utc(2022, 1, 9, 15, 18, 38), DateModified: utc(2022, 1, 24, 9, 19, 12),
		})
	})
	t.Run("default group", func(t *testing.T) {
		t.Parallel()
		assertGroup(t, byID[257], CustomerGroup{
			ID: 257, Name: "Partners 257", IsDefault: true,
			CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{56, 69, 71}},
			DiscountRules: []DiscountRule{
				{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "7.7500", CategoryID: 61},
				{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "20.0000", ProductID: 483},
			},
			DateCreated: utc(2022, 1, 15, 18, 21, 59), DateModified: utc(2022, 2, 1, 21, 22, 6),
		})
	})
	t.Run("guest group", func(t *testing.T) {
		t.Parallel()
		if g := byID[301]; !g.IsGroupForGuests || g.IsDefault {
			t.Errorf("group 301: IsGroupForGuests %v, IsDefault %v; want true, false", g.IsGroupForGuests, g.IsDefault)
		}
	})
	t.Run("names", func(t *testing.T) {
		t.Parallel()
		for id, want := range map[int]string{
			253: "Großhandel",
			271: `"Gold" Tier`,
			281: "Tab\tand \\ backslash",
			333: "🚀 Launch Crew",
			362: "日本の卸売",
			415: `Empl. "Night Shift" & Co`,
		} {
			if got := byID[id].Name; got != want {
				t.Errorf("group %d: Name = %q, want %q", id, got, want)
			}
		}
	})
	t.Run("missing is_group_for_guests reads false", func(t *testing.T) {
		t.Parallel()
		for _, id := range []int{266, 399, 482} {
			if byID[id].IsGroupForGuests {
				t.Errorf("group %d: IsGroupForGuests = true, want false", id)
			}
		}
	})
}

func TestListEmptyAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		respond func(t *testing.T) httpmock.Responder
	}{
		{"204 No Content", func(t *testing.T) httpmock.Responder { return fixture(t, "list_empty_204") }},
		{"200 with an empty body", func(*testing.T) httpmock.Responder { return jsonResponder(http.StatusOK, "") }},
		{"200 with a blank body", func(*testing.T) httpmock.Responder { return jsonResponder(http.StatusOK, " \n") }},
		{"200 with an empty array", func(*testing.T) httpmock.Responder { return jsonResponder(http.StatusOK, "[]") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodGet, groupsURL, tt.respond(t))
			groups, resp, err := c.CustomerGroups.List(context.Background(), &ListCustomerGroupsOptions{ListOptions: ListOptions{Page: 9}})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if groups == nil || len(groups) != 0 {
				t.Errorf("groups = %#v, want an empty non-nil slice", groups)
			}
			if resp == nil {
				t.Error("Response is nil")
			}
			if n := rec.count(); n != 1 {
				t.Errorf("sent %d requests, want 1", n)
			}
		})
	}
}

func TestListOverMaxLimitAnswer(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, fixture(t, "error_413"))
	groups, resp, err := c.CustomerGroups.List(context.Background(), &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 100}})
	if groups != nil {
		t.Errorf("groups = %v, want nil", groups)
	}
	apiErr := asAPIError(t, err)
	if apiErr.StatusCode != http.StatusRequestEntityTooLarge || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("StatusCode = %d, response %d; want 413", apiErr.StatusCode, resp.StatusCode)
	}
	want := []ErrorDetail{{Status: 413, Message: "The specified limit exceeds the maximum allowed.", Details: map[string]any{"max_limit": float64(250)}}}
	if !reflect.DeepEqual(apiErr.Errors, want) {
		t.Errorf("Errors = %#v, want %#v", apiErr.Errors, want)
	}
	if apiErr.URL != groupsURL+"?limit=100" {
		t.Errorf("URL = %q", apiErr.URL)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestListBadBodyIsDecodeError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"object instead of array", `{"id": 1}`},
		{"category id that is not a number", `[{"id": 1, "discount_rules": [{"type": "category", "category_id": "twenty"}]}]`},
		{"date that is not a date", `[{"id": 1, "date_created": "last tuesday"}]`},
		{"truncated JSON", `[{"id": 1,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := setup(t)
			mt.RegisterResponder(http.MethodGet, groupsURL, jsonResponder(http.StatusOK, tt.body))
			groups, resp, err := c.CustomerGroups.List(context.Background(), nil)
			var decErr *DecodeError
			if !errors.As(err, &decErr) {
				t.Fatalf("error = %v (%T), want *DecodeError", err, err)
			}
			if decErr.Method != http.MethodGet || decErr.URL != groupsURL || decErr.StatusCode != http.StatusOK || decErr.Err == nil {
				t.Errorf("DecodeError = %+v", decErr)
			}
			if groups != nil || resp == nil {
				t.Errorf("groups = %v, response %v; want nil groups and a response", groups, resp)
			}
		})
	}
}

func TestGetSendsRequest(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL+"/8", fixture(t, "reference_get"))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 8); err != nil {
		t.Fatalf("Get: %v", err)
	}
	assertSent(t, rec, wantRequest{method: http.MethodGet, path: "/customer_groups/8"})
}

func TestReferenceResponsesDecode(t *testing.T) {
	t.Parallel()
	tradeCreated := utc(2023, 10, 5, 15, 33, 21)
	tests := []struct {
		name    string
		fixture string
		method  string
		path    string
		call    func(*Client) ([]CustomerGroup, error)
		want    []CustomerGroup
	}{
		{
			name: "get with boolean method and no dates", fixture: "reference_get", method: http.MethodGet, path: "/8",
			call: func(c *Client) ([]CustomerGroup, error) {
				g, _, err := c.CustomerGroups.Get(context.Background(), 8)
				return deref(g), err
			},
			want: []CustomerGroup{{
				ID: 8, Name: "Book Club", IsDefault: true,
				CategoryAccess: CategoryAccess{Type: CategoryAccessAll},
				DiscountRules:  []DiscountRule{{Type: "percent", Method: "", Amount: "7.0000"}},
			}},
		},
		{
			name: "list of every rule shape", fixture: "reference_list", method: http.MethodGet,
			call: func(c *Client) ([]CustomerGroup, error) {
				gs, _, err := c.CustomerGroups.List(context.Background(), nil)
				return gs, err
			},
			want: []CustomerGroup{
				{
					ID: 4, Name: "Partner Price Tier", CategoryAccess: CategoryAccess{Type: CategoryAccessAll},
					DiscountRules: []DiscountRule{{Type: DiscountRulePriceList, PriceListID: 7}},
					DateCreated:   utc(2023, 2, 3, 9, 14, 52), DateModified: utc(2023, 5, 21, 17, 40, 8),
				},
				{
					ID: 6, Name: "Garden Club", CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{22, 31, 47}},
					DiscountRules: []DiscountRule{
						{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "8.0000", CategoryID: 22},
						{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "3.5000", CategoryID: 31},
					},
					DateCreated: utc(2023, 3, 11, 11, 2, 19), DateModified: utc(2023, 8, 2, 8, 55, 43),
				},
				{
					ID: 9, Name: "Studio Accounts", CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{12, 64}},
					DiscountRules: []DiscountRule{
						{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "19.9900", ProductID: 118},
						{Type: DiscountRuleProduct, Method: DiscountPercent, Amount: "15.0000", ProductID: 203},
					},
					DateCreated: utc(2023, 4, 29, 22, 47, 5), DateModified: utc(2023, 4, 29, 22, 47, 5),
				},
				{
					ID: 11, Name: "Staff", IsDefault: true, CategoryAccess: CategoryAccess{Type: CategoryAccessAll},
					DiscountRules: []DiscountRule{{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "20.0000"}},
					DateCreated:   utc(2023, 7, 2, 6, 18, 37), DateModified: utc(2023, 9, 14, 13, 26, 50),
				},
			},
		},
		{
			name: "create answered 200", fixture: "reference_create", method: http.MethodPost,
			call: func(c *Client) ([]CustomerGroup, error) {
				g, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: "Trade Counter"})
				return deref(g), err
			},
			want: []CustomerGroup{{
				ID: 12, Name: "Trade Counter",
				CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{5, 9, 14}},
				DiscountRules: []DiscountRule{
					{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "4.0000"},
					{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "6.5000", CategoryID: 9},
					{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "2.0000", ProductID: 77},
				},
				DateCreated: tradeCreated, DateModified: tradeCreated,
			}},
		},
		{
			name: "create answered 201", fixture: "create_201", method: http.MethodPost,
			call: func(c *Client) ([]CustomerGroup, error) {
				g, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: "Wholesale"})
				return deref(g), err
			},
			want: []CustomerGroup{{
				ID: 504, Name: "Wholesale",
				CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}},
				DiscountRules:  []DiscountRule{{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "10.0000"}},
				DateCreated:    utc(2024, 6, 11, 14, 22, 6), DateModified: utc(2024, 6, 11, 14, 22, 6),
			}},
		},
		{
			name: "update", fixture: "reference_update", method: http.MethodPut, path: "/12",
			call: func(c *Client) ([]CustomerGroup, error) {
				g, _, err := c.CustomerGroups.Update(context.Background(), 12, &UpdateCustomerGroupRequest{Name: Ptr("Trade Counter")})
				return deref(g), err
			},
			want: []CustomerGroup{{
				ID: 12, Name: "Trade Counter",
				CategoryAccess: CategoryAccess{Type: CategoryAccessNone},
				DiscountRules:  []DiscountRule{{Type: DiscountRulePriceList, PriceListID: 3}},
				DateCreated:    tradeCreated, DateModified: utc(2023, 11, 19, 10, 7, 58),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := setup(t)
			mt.RegisterResponder(tt.method, groupsURL+tt.path, fixture(t, tt.fixture))
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d groups, want %d", len(got), len(tt.want))
			}
			for i := range got {
				assertGroup(t, got[i], tt.want[i])
			}
		})
	}
}

func deref(g *CustomerGroup) []CustomerGroup {
	if g == nil {
		return nil
	}
	return []CustomerGroup{*g}
}

func TestGetNotFound(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", fixture(t, "error_404"))
	g, resp, err := c.CustomerGroups.Get(context.Background(), 5)
	if g != nil {
		t.Errorf("group = %+v, want nil", g)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	apiErr := asAPIError(t, err)
	want := &APIError{
		StatusCode: http.StatusNotFound, Method: http.MethodGet, URL: groupsURL + "/5",
		Errors: []ErrorDetail{{Status: 404, Message: "The requested resource was not found."}},
	}
	if !reflect.DeepEqual(apiErr, want) {
		t.Errorf("APIError = %#v, want %#v", apiErr, want)
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("response = %v, want the 404", resp)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestGetUnusableBodyIsDecodeError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		emptyError bool
	}{
		{"200 with an empty body", http.StatusOK, "", true},
		{"200 with a blank body", http.StatusOK, "\n ", true},
		{"204 where a group is expected", http.StatusNoContent, "", true},
		{"200 with an array", http.StatusOK, `[{"id": 5}]`, false},
		{"200 with a non-string date", http.StatusOK, `{"id": 5, "date_created": 1700000000}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := setup(t)
			mt.RegisterResponder(http.MethodGet, groupsURL+"/5", jsonResponder(tt.status, tt.body))
			g, resp, err := c.CustomerGroups.Get(context.Background(), 5)
			if g != nil {
				t.Errorf("group = %+v, want nil", g)
			}
			var decErr *DecodeError
			if !errors.As(err, &decErr) {
				t.Fatalf("error = %v (%T), want *DecodeError", err, err)
			}
			if decErr.Method != http.MethodGet || decErr.URL != groupsURL+"/5" || decErr.StatusCode != tt.status {
				t.Errorf("DecodeError = %+v", decErr)
			}
			if got := errors.Is(err, errEmptyBody); got != tt.emptyError {
				t.Errorf("errors.Is(err, errEmptyBody) = %v, want %v", got, tt.emptyError)
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Errorf("response = %v, want status %d", resp, tt.status)
			}
		})
	}
}

func TestCountSendsFilterAndDecodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter *CustomerGroupFilter
		body   string
		want   url.Values
		count  int
	}{
		{"nil filter sends no query", nil, "", nil, 31},
		{"is_default false is sent", &CustomerGroupFilter{IsDefault: Ptr(false)}, "", url.Values{"is_default": {"false"}}, 31},
		{"name like and a date are sent", &CustomerGroupFilter{NameLike: "Gro&ß", DateModifiedMax: utc(2024, 2, 29, 12, 0, 0)}, "",
			url.Values{"name:like": {"Gro&ß"}, "date_modified:max": {"2024-02-29T12:00:00Z"}}, 31},
		{"count sent as a string", nil, `{"count": "7"}`, nil, 7},
		{"zero count", nil, `{"count": 0}`, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			if tt.body == "" {
				mt.RegisterResponder(http.MethodGet, groupsURL+"/count", fixture(t, "reference_count"))
			} else {
				mt.RegisterResponder(http.MethodGet, groupsURL+"/count", jsonResponder(http.StatusOK, tt.body))
			}
			n, resp, err := c.CustomerGroups.Count(context.Background(), tt.filter)
			if err != nil {
				t.Fatalf("Count: %v", err)
			}
			if n != tt.count {
				t.Errorf("count = %d, want %d", n, tt.count)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d", resp.StatusCode)
			}
			assertSent(t, rec, wantRequest{method: http.MethodGet, path: "/customer_groups/count", query: tt.want})
		})
	}
}

func TestCreateSendsBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *CreateCustomerGroupRequest
		want string
	}{
		{"name only", &CreateCustomerGroupRequest{Name: "Retail"}, `{"name":"Retail"}`},
		{"amount keeps its digits", &CreateCustomerGroupRequest{
			Name:          "Wholesale",
			DiscountRules: []DiscountRule{{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "5.00"}},
		}, `{"name":"Wholesale","discount_rules":[{"type":"all","method":"percent","amount":"5.00"}]}`},
		{"long amount is not rounded", &CreateCustomerGroupRequest{
			Name:          "Big",
			DiscountRules: []DiscountRule{{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "12345678901234567890.1234", ProductID: 77}},
		}, `{"name":"Big","discount_rules":[{"type":"product","method":"fixed","amount":"12345678901234567890.1234","product_id":77}]}`},
		{"every field in struct order", &CreateCustomerGroupRequest{
			Name:           "Gro&ßhandel <Nord>",
			IsDefault:      true,
			CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}},
			DiscountRules: []DiscountRule{
				{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "10.0000"},
				{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "2.50", CategoryID: 18},
				{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "0", ProductID: 9},
			},
			IsGroupForGuests: true,
		}, `{"name":"Gro\u0026ßhandel \u003cNord\u003e","is_default":true,` +
			`"category_access":{"type":"specific","categories":[18,19]},` +
			`"discount_rules":[{"type":"all","method":"percent","amount":"10.0000"},` +
			`{"type":"category","method":"fixed","amount":"2.50","category_id":18},` +
			`{"type":"product","method":"price","amount":"0","product_id":9}],` +
			`"is_group_for_guests":true}`},
		{"price list rule carries only its id", &CreateCustomerGroupRequest{
			Name:           "Partners",
			CategoryAccess: &CategoryAccess{Type: CategoryAccessNone},
			DiscountRules:  []DiscountRule{{Type: DiscountRulePriceList, PriceListID: 3}},
		}, `{"name":"Partners","category_access":{"type":"none"},"discount_rules":[{"type":"price_list","price_list_id":3}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodPost, groupsURL, fixture(t, "create_201"))
			g, resp, err := c.CustomerGroups.Create(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if g == nil || g.ID != 504 || resp.StatusCode != http.StatusCreated {
				t.Errorf("group %+v, response %v; want group 504 and 201", g, resp)
			}
			assertSent(t, rec, wantRequest{method: http.MethodPost, path: "/customer_groups", body: tt.want})
		})
	}
}

func TestCreatePartialSuccess(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodPost, groupsURL, fixture(t, "reference_207"))
	g, resp, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: "Wholesale"})
	if g != nil {
		t.Errorf("group = %+v, want nil", g)
	}
	if !errors.Is(err, ErrPartialSuccess) {
		t.Fatalf("error %v does not match ErrPartialSuccess", err)
	}
	apiErr := asAPIError(t, err)
	want := []ErrorDetail{{Status: 207, Message: "Customer group stored, but applying its store-wide discount did not finish. Repeat the request to try again."}}
	if apiErr.StatusCode != http.StatusMultiStatus || apiErr.Method != http.MethodPost || !reflect.DeepEqual(apiErr.Errors, want) {
		t.Errorf("APIError = %#v", apiErr)
	}
	if resp == nil || resp.StatusCode != http.StatusMultiStatus {
		t.Errorf("response = %v, want the 207", resp)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("sent %d requests, want 1 (a create is not repeated)", n)
	}
}

func TestCreateConflict(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodPost, groupsURL, fixture(t, "error_409"))
	g, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: "Wholesale"})
	if g != nil {
		t.Errorf("group = %+v, want nil", g)
	}
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("error %v does not match ErrConflict", err)
	}
	apiErr := asAPIError(t, err)
	want := []ErrorDetail{{Status: 409, Message: `Another customer group already uses the name "Wholesale".`, Details: map[string]any{"conflict_reason": "name"}}}
	if !reflect.DeepEqual(apiErr.Errors, want) {
		t.Errorf("Errors = %#v, want %#v", apiErr.Errors, want)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *UpdateCustomerGroupRequest
		want string
	}{
		{"name only sends only name", &UpdateCustomerGroupRequest{Name: Ptr("Trade Counter")}, `{"name":"Trade Counter"}`},
		{"is_default false is sent", &UpdateCustomerGroupRequest{IsDefault: Ptr(false)}, `{"is_default":false}`},
		{"is_group_for_guests false is sent", &UpdateCustomerGroupRequest{IsGroupForGuests: Ptr(false)}, `{"is_group_for_guests":false}`},
		{"empty discount rules send an empty array", &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{}}, `{"discount_rules":[]}`},
		{"nil discount rules send no key", &UpdateCustomerGroupRequest{Name: Ptr("A"), IsDefault: Ptr(true)}, `{"name":"A","is_default":true}`},
		{"category access none", &UpdateCustomerGroupRequest{CategoryAccess: &CategoryAccess{Type: CategoryAccessNone}}, `{"category_access":{"type":"none"}}`},
		{"every field in struct order", &UpdateCustomerGroupRequest{
			Name:             Ptr("Trade Counter"),
			IsDefault:        Ptr(false),
			CategoryAccess:   &CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{5}},
			DiscountRules:    []DiscountRule{{Type: DiscountRulePriceList, PriceListID: 3}},
			IsGroupForGuests: Ptr(true),
		}, `{"name":"Trade Counter","is_default":false,"category_access":{"type":"specific","categories":[5]},` +
			`"discount_rules":[{"type":"price_list","price_list_id":3}],"is_group_for_guests":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodPut, groupsURL+"/12", fixture(t, "reference_update"))
			g, resp, err := c.CustomerGroups.Update(context.Background(), 12, tt.req)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if g == nil || g.ID != 12 || resp.StatusCode != http.StatusOK {
				t.Errorf("group %+v, response %v; want group 12 and 200", g, resp)
			}
			assertSent(t, rec, wantRequest{method: http.MethodPut, path: "/customer_groups/12", body: tt.want})
		})
	}
}

func TestUpdatePartialSuccess(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodPut, groupsURL+"/12", fixture(t, "reference_207"))
	g, _, err := c.CustomerGroups.Update(context.Background(), 12, &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{}})
	if g != nil {
		t.Errorf("group = %+v, want nil", g)
	}
	if !errors.Is(err, ErrPartialSuccess) || asAPIError(t, err).Method != http.MethodPut {
		t.Errorf("error = %v, want a PUT APIError matching ErrPartialSuccess", err)
	}
}

func TestDeletes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		call func(*Client) (*Response, error)
	}{
		{"delete one group", "/customer_groups/7", func(c *Client) (*Response, error) {
			return c.CustomerGroups.Delete(context.Background(), 7)
		}},
		{"delete all groups", "/customer_groups", func(c *Client) (*Response, error) {
			return c.CustomerGroups.DeleteAll(context.Background())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodDelete, testBaseURL+tt.path, fixture(t, "list_empty_204"))
			resp, err := tt.call(c)
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("status = %d, want 204", resp.StatusCode)
			}
			assertSent(t, rec, wantRequest{method: http.MethodDelete, path: tt.path})
		})
	}
}

func TestDeleteNotFound(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodDelete, groupsURL+"/7", fixture(t, "error_404"))
	resp, err := c.CustomerGroups.Delete(context.Background(), 7)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v does not match ErrNotFound", err)
	}
	if apiErr := asAPIError(t, err); apiErr.Method != http.MethodDelete || apiErr.URL != groupsURL+"/7" {
		t.Errorf("APIError method %q URL %q", apiErr.Method, apiErr.URL)
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("response = %v, want the 404", resp)
	}
}

// assertJSONRoundTrip checks that v encodes to exactly want and that want
// decodes back to v (testJSONMarshal in go-github).
func assertJSONRoundTrip[T any](t *testing.T, v T, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if string(got) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, want)
	}
	var back T
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("Unmarshal(%s) =\n%#v\nwant\n%#v", want, back, v)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	t.Run("customer group", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, CustomerGroup{
			ID: 12, Name: "Trade Counter", IsDefault: true,
			CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{5, 9}},
			DiscountRules: []DiscountRule{
				{Type: DiscountRuleAll, Method: DiscountPercent, Amount: "4.0000"},
				{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "6.5000", CategoryID: 9},
			},
			IsGroupForGuests: true,
			DateCreated:      utc(2023, 10, 5, 15, 33, 21),
			DateModified:     utc(2023, 11, 19, 10, 7, 58),
		}, `{"id":12,"name":"Trade Counter","is_default":true,`+
			`"category_access":{"type":"specific","categories":[5,9]},`+
			`"discount_rules":[{"type":"all","method":"percent","amount":"4.0000"},`+
			`{"type":"category","method":"fixed","amount":"6.5000","category_id":9}],`+
			`"is_group_for_guests":true,"date_created":"2023-10-05T15:33:21Z","date_modified":"2023-11-19T10:07:58Z"}`)
	})
	t.Run("create request", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, CreateCustomerGroupRequest{
			Name: "Wholesale", IsDefault: true,
			CategoryAccess: &CategoryAccess{Type: CategoryAccessAll},
			DiscountRules:  []DiscountRule{{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "19.99", ProductID: 118}},
		}, `{"name":"Wholesale","is_default":true,"category_access":{"type":"all"},`+
			`"discount_rules":[{"type":"product","method":"price","amount":"19.99","product_id":118}]}`)
	})
	t.Run("update request", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, UpdateCustomerGroupRequest{
			Name:             Ptr("Staff"),
			IsDefault:        Ptr(false),
			CategoryAccess:   &CategoryAccess{Type: CategoryAccessNone},
			DiscountRules:    []DiscountRule{},
			IsGroupForGuests: Ptr(false),
		}, `{"name":"Staff","is_default":false,"category_access":{"type":"none"},"discount_rules":[],"is_group_for_guests":false}`)
	})
	t.Run("price list rule", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, DiscountRule{Type: DiscountRulePriceList, PriceListID: 7}, `{"type":"price_list","price_list_id":7}`)
	})
	t.Run("category rule", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, DiscountRule{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "-0.25", CategoryID: 20},
			`{"type":"category","method":"percent","amount":"-0.25","category_id":20}`)
	})
	t.Run("specific category access", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}}, `{"type":"specific","categories":[18,19]}`)
	})
	t.Run("category access without categories", func(t *testing.T) {
		t.Parallel()
		assertJSONRoundTrip(t, CategoryAccess{Type: CategoryAccessAll}, `{"type":"all"}`)
	})
}
