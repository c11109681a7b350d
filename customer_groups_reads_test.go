package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// List, Get and Count against recorded responses: what each sends, what
// it decodes, and how it fails.

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
