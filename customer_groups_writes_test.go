package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// Create, Update and the deletes against recorded responses: the bodies
// they send, partial successes, conflicts and a group already gone.

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
