package bigcommerce

import (
	"fmt"
	"strings"
)

// maxLimit is the largest page the API serves; it answers 413 above it.
const maxLimit = 250

func validateID(id int) error {
	if id < 1 {
		return invalidf("id", "must be at least 1, got %d", id)
	}
	return nil
}

func validateListOptions(opts *ListCustomerGroupsOptions) error {
	if opts == nil {
		return nil
	}
	if opts.Limit < 0 || opts.Limit > maxLimit {
		return invalidf("Limit", "must be between 1 and %d (0 for the API's default of 50), got %d", maxLimit, opts.Limit)
	}
	if opts.Page < 0 {
		return invalidf("Page", "must not be negative (pages start at 1; 0 means the first), got %d", opts.Page)
	}
	return nil
}

func validateCreate(req *CreateCustomerGroupRequest) error {
	if req == nil {
		return invalidf("CreateCustomerGroupRequest", "must not be nil")
	}
	if strings.TrimSpace(req.Name) == "" {
		return invalidf("name", "is required and must not be blank")
	}
	if req.CategoryAccess != nil {
		if err := validateCategoryAccess(req.CategoryAccess); err != nil {
			return err
		}
	}
	return validateRules(req.DiscountRules)
}

func validateUpdate(req *UpdateCustomerGroupRequest) error {
	if req == nil {
		return invalidf("UpdateCustomerGroupRequest", "must not be nil")
	}
	if req.Name == nil && req.IsDefault == nil && req.CategoryAccess == nil && req.DiscountRules == nil && req.IsGroupForGuests == nil {
		return invalidf("UpdateCustomerGroupRequest", "sets no field, so there is nothing to update")
	}
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return invalidf("name", "must not be blank")
	}
	if req.CategoryAccess != nil {
		if err := validateCategoryAccess(req.CategoryAccess); err != nil {
			return err
		}
	}
	return validateRules(req.DiscountRules)
}

func validateCategoryAccess(ca *CategoryAccess) error {
	if !ca.Type.Valid() {
		return invalidf("category_access.type", "must be one of all, specific, none; got %q", string(ca.Type))
	}
	if ca.Type == CategoryAccessSpecific && len(ca.Categories) == 0 {
		return invalidf("category_access.categories", "must list at least one category id when type is specific")
	}
	if ca.Type != CategoryAccessSpecific && len(ca.Categories) > 0 {
		return invalidf("category_access.categories", "is allowed only when type is specific, got type %q", string(ca.Type))
	}
	for i, id := range ca.Categories {
		if id < 1 {
			return invalidf(fmt.Sprintf("category_access.categories[%d]", i), "must be a category id of at least 1, got %d", id)
		}
	}
	return nil
}

// validateRules applies the API's rules for a set of discount rules: a
// price-list rule stands alone, at most one storewide rule, and each rule
// names what it applies to.
func validateRules(rules []DiscountRule) error {
	all := 0
	for i, r := range rules {
		field := func(name string) string { return fmt.Sprintf("discount_rules[%d].%s", i, name) }
		if !r.Type.Valid() {
			return invalidf(field("type"), "must be one of all, product, category, price_list; got %q", string(r.Type))
		}
		if r.Type == DiscountRulePriceList {
			if len(rules) > 1 {
				return invalidf(field("type"), "a price_list rule must be the group's only rule, but %d rules were given", len(rules))
			}
			if r.PriceListID < 1 {
				return invalidf(field("price_list_id"), "is required for a price_list rule")
			}
			if r.Method != "" {
				return invalidf(field("method"), "a price_list rule takes no method")
			}
			if r.Amount != "" {
				return invalidf(field("amount"), "a price_list rule takes no amount")
			}
			continue
		}
		if !r.Method.Valid() {
			return invalidf(field("method"), "must be one of percent, fixed, price; got %q", string(r.Method))
		}
		if !r.Amount.Valid() {
			return invalidf(field("amount"), "must be a decimal number such as \"5.00\", got %q", string(r.Amount))
		}
		switch r.Type {
		case DiscountRuleAll:
			if all++; all > 1 {
				return invalidf(field("type"), "a group may have only one storewide (all) rule")
			}
		case DiscountRuleProduct:
			if r.ProductID < 1 {
				return invalidf(field("product_id"), "is required for a product rule")
			}
		case DiscountRuleCategory:
			if r.CategoryID < 1 {
				return invalidf(field("category_id"), "is required for a category rule")
			}
		}
	}
	return nil
}
