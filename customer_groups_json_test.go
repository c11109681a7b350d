package bigcommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

// The reference's own responses decoded by every method, and the JSON
// form of the exported types both ways.

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
