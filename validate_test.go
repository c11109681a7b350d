package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func allRule(amount Amount) DiscountRule {
	return DiscountRule{Type: DiscountRuleAll, Method: DiscountPercent, Amount: amount}
}

func createWith(rules ...DiscountRule) func(*Client) error {
	return createReq(&CreateCustomerGroupRequest{Name: "Wholesale", DiscountRules: rules})
}

func createReq(req *CreateCustomerGroupRequest) func(*Client) error {
	return func(c *Client) error {
		_, _, err := c.CustomerGroups.Create(context.Background(), req)
		return err
	}
}

func updateReq(id int, req *UpdateCustomerGroupRequest) func(*Client) error {
	return func(c *Client) error {
		_, _, err := c.CustomerGroups.Update(context.Background(), id, req)
		return err
	}
}

func listWith(opts ListOptions) func(*Client) error {
	return func(c *Client) error {
		_, _, err := c.CustomerGroups.List(context.Background(), &ListCustomerGroupsOptions{ListOptions: opts})
		return err
	}
}

func getID(id int) func(*Client) error {
	return func(c *Client) error {
		_, _, err := c.CustomerGroups.Get(context.Background(), id)
		return err
	}
}

func deleteID(id int) func(*Client) error {
	return func(c *Client) error {
		_, err := c.CustomerGroups.Delete(context.Background(), id)
		return err
	}
}

func TestValidationRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	validUpdate := &UpdateCustomerGroupRequest{Name: Ptr("Staff")}
	tests := []struct {
		name  string
		call  func(*Client) error
		field string
	}{
		{"nil create request", createReq(nil), "CreateCustomerGroupRequest"},
		{"empty name on create", createReq(&CreateCustomerGroupRequest{}), "name"},
		{"blank name on create", createReq(&CreateCustomerGroupRequest{Name: " \t\n"}), "name"},
		{"limit 251", listWith(ListOptions{Limit: 251}), "Limit"},
		{"limit -1", listWith(ListOptions{Limit: -1}), "Limit"},
		{"page -1", listWith(ListOptions{Page: -1}), "Page"},
		{"get id 0", getID(0), "id"},
		{"get id -3", getID(-3), "id"},
		{"update id 0", updateReq(0, validUpdate), "id"},
		{"update id -3", updateReq(-3, validUpdate), "id"},
		{"delete id 0", deleteID(0), "id"},
		{"delete id -3", deleteID(-3), "id"},
		{"amount abc", createWith(allRule("abc")), "discount_rules[0].amount"},
		{"empty amount", createWith(allRule("")), "discount_rules[0].amount"},
		{"bad amount in the second rule", createWith(allRule("5"),
			DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "1,5", ProductID: 3}), "discount_rules[1].amount"},
		{"unknown rule type", createWith(DiscountRule{Type: "storewide", Method: DiscountPercent, Amount: "5"}), "discount_rules[0].type"},
		{"missing rule type", createWith(DiscountRule{Method: DiscountPercent, Amount: "5"}), "discount_rules[0].type"},
		{"unknown method", createWith(DiscountRule{Type: DiscountRuleAll, Method: "half", Amount: "5"}), "discount_rules[0].method"},
		{"missing method", createWith(DiscountRule{Type: DiscountRuleAll, Amount: "5"}), "discount_rules[0].method"},
		{"unknown category access type", createReq(&CreateCustomerGroupRequest{Name: "A", CategoryAccess: &CategoryAccess{Type: "some"}}),
			"category_access.type"},
		{"price list rule after another rule", createWith(allRule("5"), DiscountRule{Type: DiscountRulePriceList, PriceListID: 3}),
			"discount_rules[1].type"},
		{"price list rule before another rule", createWith(DiscountRule{Type: DiscountRulePriceList, PriceListID: 3}, allRule("5")),
			"discount_rules[0].type"},
		{"price list rule without price list id", createWith(DiscountRule{Type: DiscountRulePriceList}), "discount_rules[0].price_list_id"},
		{"price list rule with a method", createWith(DiscountRule{Type: DiscountRulePriceList, PriceListID: 3, Method: DiscountPercent}),
			"discount_rules[0].method"},
		{"price list rule with an amount", createWith(DiscountRule{Type: DiscountRulePriceList, PriceListID: 3, Amount: "5"}),
			"discount_rules[0].amount"},
		{"two all rules", createWith(allRule("5"), allRule("10")), "discount_rules[1].type"},
		{"product rule without product id", createWith(DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "1"}),
			"discount_rules[0].product_id"},
		{"category rule without category id", createWith(DiscountRule{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "1"}),
			"discount_rules[0].category_id"},
		{"specific access without categories", createReq(&CreateCustomerGroupRequest{Name: "A", CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific}}),
			"category_access.categories"},
		{"categories given for all", createReq(&CreateCustomerGroupRequest{Name: "A", CategoryAccess: &CategoryAccess{Type: CategoryAccessAll, Categories: []int{5}}}),
			"category_access.categories"},
		{"categories given for none", createReq(&CreateCustomerGroupRequest{Name: "A", CategoryAccess: &CategoryAccess{Type: CategoryAccessNone, Categories: []int{5}}}),
			"category_access.categories"},
		{"category id 0", createReq(&CreateCustomerGroupRequest{Name: "A", CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{5, 0}}}),
			"category_access.categories[1]"},
		{"nil update request", updateReq(12, nil), "UpdateCustomerGroupRequest"},
		{"update with no field set", updateReq(12, &UpdateCustomerGroupRequest{}), "UpdateCustomerGroupRequest"},
		{"blank name on update", updateReq(12, &UpdateCustomerGroupRequest{Name: Ptr("  ")}), "name"},
		{"bad rule on update", updateReq(12, &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{allRule("5"), allRule("x")}}),
			"discount_rules[1].amount"},
		{"bad category access on update", updateReq(12, &UpdateCustomerGroupRequest{CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific}}),
			"category_access.categories"},
		{"nil context", func(c *Client) error {
			var ctx context.Context
			_, _, err := c.CustomerGroups.Get(ctx, 5)
			return err
		}, "ctx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := setup(t)
			err := tt.call(c)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("error = %v, want one matching ErrInvalidRequest", err)
			}
			var vErr *ValidationError
			if !errors.As(err, &vErr) {
				t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
			}
			if vErr.Field != tt.field {
				t.Errorf("Field = %q, want %q (error: %v)", vErr.Field, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.field+": ") {
				t.Errorf("Error() = %q does not name %s", err.Error(), tt.field)
			}
			if n := rec.count(); n != 0 {
				t.Errorf("sent %d requests, want 0", n)
			}
		})
	}
}

func TestValidRequestsAreSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		path    string
		fixture string
		call    func(*Client) error
	}{
		{"one all rule with product and category rules", http.MethodPost, "", "create_201", createWith(
			allRule("10.00"),
			DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "2", ProductID: 77},
			DiscountRule{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "19.99", ProductID: 78},
			DiscountRule{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "1.5", CategoryID: 9},
			DiscountRule{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "0.0001", CategoryID: 10},
		)},
		{"single price list rule", http.MethodPost, "", "create_201", createWith(DiscountRule{Type: DiscountRulePriceList, PriceListID: 3})},
		{"specific access with categories", http.MethodPost, "", "create_201", createReq(&CreateCustomerGroupRequest{
			Name: "A", CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}},
		})},
		{"name with surrounding space", http.MethodPost, "", "create_201", createReq(&CreateCustomerGroupRequest{Name: " A "})},
		{"limit 250", http.MethodGet, "", "list_empty_204", listWith(ListOptions{Limit: 250})},
		{"limit 0", http.MethodGet, "", "list_empty_204", listWith(ListOptions{Limit: 0})},
		{"limit 1", http.MethodGet, "", "list_empty_204", listWith(ListOptions{Limit: 1})},
		{"page 0", http.MethodGet, "", "list_empty_204", listWith(ListOptions{Page: 0})},
		{"id 1", http.MethodGet, "/1", "reference_get", getID(1)},
		{"update removing every rule", http.MethodPut, "/12", "reference_update",
			updateReq(12, &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{}})},
		{"update setting only is_default false", http.MethodPut, "/12", "reference_update",
			updateReq(12, &UpdateCustomerGroupRequest{IsDefault: Ptr(false)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(tt.method, groupsURL+tt.path, fixture(t, tt.fixture))
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			if n := rec.count(); n != 1 {
				t.Errorf("sent %d requests, want 1", n)
			}
		})
	}
}

func TestImpossibleAmountsAreRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		call  func(*Client) error
		field string
		rule  string
	}{
		{"a negative amount", createWith(allRule("-1.5")), "discount_rules[0].amount", "must not be negative"},
		{"a negative fixed amount in the second rule", createWith(allRule("5"),
			DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "-0.01", ProductID: 3}), "discount_rules[1].amount", "must not be negative"},
		{"five decimal places", createWith(allRule("1.00001")), "discount_rules[0].amount", "at most 4 decimal places"},
		{"a long fraction on update", updateReq(12, &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{
			{Type: DiscountRuleCategory, Method: DiscountFixed, Amount: "0.123456789", CategoryID: 9}}}), "discount_rules[0].amount", "at most 4 decimal places"},
		{"a percent over 100", createWith(allRule("100.0001")), "discount_rules[0].amount", "at most 100"},
		{"a percent of 101 with a leading zero", createWith(allRule("0101")), "discount_rules[0].amount", "at most 100"},
		{"a percent of 1000", createWith(allRule("1000")), "discount_rules[0].amount", "at most 100"},
		{"a percent of 150 on update", updateReq(12, &UpdateCustomerGroupRequest{DiscountRules: []DiscountRule{allRule("150")}}),
			"discount_rules[0].amount", "at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, rec := setup(t)
			err := tt.call(c)
			var vErr *ValidationError
			if !errors.Is(err, ErrInvalidRequest) || !errors.As(err, &vErr) {
				t.Fatalf("error = %v (%T), want a *ValidationError matching ErrInvalidRequest", err, err)
			}
			if vErr.Field != tt.field || !strings.Contains(vErr.Rule, tt.rule) {
				t.Errorf("error = %v; want field %s and a rule saying %q", err, tt.field, tt.rule)
			}
			if n := rec.count(); n != 0 {
				t.Errorf("sent %d requests, want 0", n)
			}
		})
	}
}

func TestPossibleAmountsAreSent(t *testing.T) {
	t.Parallel()
	for _, rule := range []DiscountRule{
		allRule("100"),
		allRule("100.0000"),
		allRule("00100.00"),
		allRule("99.9999"),
		allRule("-0.00"),
		allRule("0"),
		allRule("-0"),
		allRule("0.0001"),
		allRule("5.000000"), // zeros past the fourth place round nothing away
		{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "250.00", ProductID: 3},
		{Type: DiscountRuleProduct, Method: DiscountPrice, Amount: "1000", ProductID: 3},
	} {
		t.Run(string(rule.Method)+" "+string(rule.Amount), func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodPost, groupsURL, fixture(t, "create_201"))
			if err := createWith(rule)(c); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if n := rec.count(); n != 1 {
				t.Errorf("sent %d requests, want 1", n)
			}
		})
	}
}
