package bigcommerce

import (
	"errors"
	"strings"
	"testing"
)

// The exported Validate methods are the rules Create, Update and List
// apply, so that a tool can check a whole plan before its first write.
func TestExportedValidationStatesTheRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func() error
		field string // "" when the value is valid
	}{
		{"a create without a name", (&CreateCustomerGroupRequest{}).Validate, "name"},
		{"a create with a 150% discount", (&CreateCustomerGroupRequest{Name: "VIP", DiscountRules: []DiscountRule{allRule("150")}}).Validate, "discount_rules[0].amount"},
		{"a valid create", (&CreateCustomerGroupRequest{Name: "VIP", DiscountRules: []DiscountRule{allRule("15")}}).Validate, ""},
		{"an update that sets nothing", (&UpdateCustomerGroupRequest{}).Validate, "UpdateCustomerGroupRequest"},
		{"an update with a blank name", (&UpdateCustomerGroupRequest{Name: Ptr("  ")}).Validate, "name"},
		{"a valid update", (&UpdateCustomerGroupRequest{IsDefault: Ptr(false)}).Validate, ""},
		{"one rule with too many decimals", DiscountRule{Type: DiscountRuleAll, Method: DiscountFixed, Amount: "1.23456"}.Validate, "discount_rule.amount"},
		{"one product rule without its product", DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "1"}.Validate, "discount_rule.product_id"},
		{"one price-list rule", DiscountRule{Type: DiscountRulePriceList, PriceListID: 3}.Validate, ""},
		{"two storewide rules together", func() error { return ValidateDiscountRules([]DiscountRule{allRule("5"), allRule("6")}) }, "discount_rules[1].type"},
		{"a price list beside another rule", func() error {
			return ValidateDiscountRules([]DiscountRule{allRule("5"), {Type: DiscountRulePriceList, PriceListID: 2}})
		}, "discount_rules[1].type"},
		{"specific access without categories", CategoryAccess{Type: CategoryAccessSpecific}.Validate, "category_access.categories"},
		{"an unknown access type", CategoryAccess{Type: "some"}.Validate, "category_access.type"},
		{"access to all", CategoryAccess{Type: CategoryAccessAll}.Validate, ""},
		{"a page over the largest", ListOptions{Limit: MaxPageSize + 1}.Validate, "Limit"},
		{"the largest page", ListOptions{Limit: MaxPageSize}.Validate, ""},
		{"the API's default page", ListOptions{}.Validate, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.check()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Validate() = %v, want a *ValidationError matching ErrInvalidRequest", err)
			}
			if verr.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", verr.Field, tt.field, err)
			}
		})
	}
}

func TestPageSizeBoundsAreTheAPIs(t *testing.T) {
	t.Parallel()
	if MinPageSize != 1 || MaxPageSize != 250 || DefaultPageSize != 50 {
		t.Fatalf("page sizes = %d..%d default %d, want 1..250 default 50 (API-NOTES)", MinPageSize, MaxPageSize, DefaultPageSize)
	}
	err := ListOptions{Limit: -1}.Validate()
	if err == nil || !strings.Contains(err.Error(), "between 1 and 250") {
		t.Fatalf("Limit -1: %v, want the bounds in the message", err)
	}
}

// Create refuses exactly what Validate refuses, with the same message,
// and sends nothing.
func TestCreateRefusesWhatValidateRefuses(t *testing.T) {
	t.Parallel()
	client, _, rec := setup(t)
	req := &CreateCustomerGroupRequest{Name: "VIP", DiscountRules: []DiscountRule{{Type: DiscountRuleCategory, Method: DiscountPercent, Amount: "10"}}}
	want := req.Validate()
	if want == nil {
		t.Fatal("a category rule without its category validated")
	}
	if err := createReq(req)(client); err == nil || err.Error() != want.Error() {
		t.Fatalf("Create: %v, want %v", err, want)
	}
	if n := rec.count(); n != 0 {
		t.Fatalf("%d requests sent for an invalid create", n)
	}
}
