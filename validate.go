package bigcommerce

import (
	"fmt"
	"strings"
)

// The page sizes the API serves. A list asks for DefaultPageSize groups
// when ListOptions.Limit is 0, and the store answers 413 to a Limit over
// MaxPageSize, so the SDK refuses one before sending it.
const (
	MinPageSize     = 1
	MaxPageSize     = 250
	DefaultPageSize = 50
)

// maxLimit is the page All and the CLI ask for: the largest one.
const maxLimit = MaxPageSize

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
	return opts.ListOptions.Validate()
}

// Validate checks the page before a request is sent: Limit between
// MinPageSize and MaxPageSize, or 0 for the API's default; Page not
// negative. The error is a *ValidationError naming the field.
func (opts ListOptions) Validate() error {
	if opts.Limit < 0 || opts.Limit > MaxPageSize {
		return invalidf("Limit", "must be between %d and %d (0 for the API's default of %d), got %d", MinPageSize, MaxPageSize, DefaultPageSize, opts.Limit)
	}
	if opts.Page < 0 {
		return invalidf("Page", "must not be negative (pages start at 1; 0 means the first), got %d", opts.Page)
	}
	return nil
}

// Validate checks a create as Create does before sending it: a name that
// is not blank, a valid category access, and discount rules that the store
// accepts together (see ValidateDiscountRules). The error is a
// *ValidationError that names the field and the rule it breaks, and
// matches ErrInvalidRequest.
func (req *CreateCustomerGroupRequest) Validate() error { return validateCreate(req) }

// Validate checks an update as Update does before sending it: at least one
// field set, a name that is not blank, and valid category access and
// rules. The error is a *ValidationError as for a create.
func (req *UpdateCustomerGroupRequest) Validate() error { return validateUpdate(req) }

// Validate checks one category access: a documented type, and category
// ids (each at least 1) exactly when the type is specific.
func (ca CategoryAccess) Validate() error { return validateCategoryAccess(&ca) }

// Validate checks one discount rule on its own: a documented type, the id
// its type needs, and for every type but price_list a documented method
// and an amount the store keeps as given (a decimal, not negative, at most
// four decimal places, at most 100 for a percent). Rules that are valid
// alone can still clash in one group: ValidateDiscountRules checks a set.
func (r DiscountRule) Validate() error {
	return validateRule(r, func(name string) string { return "discount_rule." + name })
}

// ValidateDiscountRules checks a group's whole set of rules, each as
// DiscountRule.Validate does, and together: a price_list rule must be the
// only rule, and a group has at most one storewide (all) rule. Fields are
// named by index, as in "discount_rules[1].amount".
func ValidateDiscountRules(rules []DiscountRule) error { return validateRules(rules) }

func validateCreate(req *CreateCustomerGroupRequest) error {
	if req == nil {
		return invalidf("CreateCustomerGroupRequest", "must not be nil")
	}
	if strings.TrimSpace(req.Name) == "" {
		return invalidf("name", "is required and must not be blank")
	}
	return validateAccessAndRules(req.CategoryAccess, req.DiscountRules)
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
	return validateAccessAndRules(req.CategoryAccess, req.DiscountRules)
}

// validateAccessAndRules checks what creates and updates share: the
// category access, when one is sent, and the discount rules.
func validateAccessAndRules(ca *CategoryAccess, rules []DiscountRule) error {
	if ca != nil {
		if err := validateCategoryAccess(ca); err != nil {
			return err
		}
	}
	return validateRules(rules)
}

func validateCategoryAccess(ca *CategoryAccess) error {
	if !ca.Type.Valid() {
		return invalidf("category_access.type", "must be one of %s; got %q", categoryAccessTypes, string(ca.Type))
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

// validateRules applies the API's rules for a set of discount rules: each
// rule valid alone, a price-list rule standing alone, and at most one
// storewide rule.
func validateRules(rules []DiscountRule) error {
	all := 0
	for i, r := range rules {
		field := func(name string) string { return fmt.Sprintf("discount_rules[%d].%s", i, name) }
		if err := validateRule(r, field); err != nil {
			return err
		}
		switch {
		case r.Type == DiscountRulePriceList && len(rules) > 1:
			return invalidf(field("type"), "a price_list rule must be the group's only rule, but %d rules were given", len(rules))
		case r.Type == DiscountRuleAll:
			if all++; all > 1 {
				return invalidf(field("type"), "a group may have only one storewide (all) rule")
			}
		}
	}
	return nil
}

// validateRule checks one rule; field names its fields in the message.
func validateRule(r DiscountRule, field func(string) string) error {
	if !r.Type.Valid() {
		return invalidf(field("type"), "must be one of %s; got %q", discountRuleTypes, string(r.Type))
	}
	if r.Type == DiscountRulePriceList {
		if r.PriceListID < 1 {
			return invalidf(field("price_list_id"), "is required for a price_list rule")
		}
		if r.Method != "" {
			return invalidf(field("method"), "a price_list rule takes no method")
		}
		if r.Amount != "" {
			return invalidf(field("amount"), "a price_list rule takes no amount")
		}
		return nil
	}
	if !r.Method.Valid() {
		return invalidf(field("method"), "must be one of %s; got %q", discountMethods, string(r.Method))
	}
	if err := validateAmount(r.Method, r.Amount); err != nil {
		err.Field = field("amount")
		return err
	}
	switch r.Type {
	case DiscountRuleProduct:
		if r.ProductID < 1 {
			return invalidf(field("product_id"), "is required for a product rule")
		}
	case DiscountRuleCategory:
		if r.CategoryID < 1 {
			return invalidf(field("category_id"), "is required for a category rule")
		}
	}
	return nil
}

// storeDecimals is how many decimal places the store keeps of an amount.
const storeDecimals = 4

// validateAmount refuses what no discount can be: text that is not a
// decimal, a negative amount, digits the store would round away, and more
// than 100 percent off. It reads the digits rather than a big.Rat, which
// would cost a create some ten allocations a rule. The caller names the
// field.
func validateAmount(m DiscountMethod, a Amount) *ValidationError {
	if !a.Valid() {
		return invalidf("", "must be a decimal number such as \"5.00\", got %q", string(a))
	}
	digits, negative := strings.CutPrefix(string(a), "-")
	whole, frac, _ := strings.Cut(digits, ".")
	// Leading zeros and zeros past the last digit change nothing: "-0.00"
	// is zero, "5.000000" needs no rounding.
	whole, frac = strings.TrimLeft(whole, "0"), strings.TrimRight(frac, "0")
	switch {
	case negative && (whole != "" || frac != ""):
		return invalidf("", "must not be negative, got %s", string(a))
	case len(frac) > storeDecimals:
		return invalidf("", "must have at most %d decimal places (the store keeps %d), got %s", storeDecimals, storeDecimals, string(a))
	case m == DiscountPercent && (len(whole) > 3 || len(whole) == 3 && (whole > "100" || frac != "")):
		return invalidf("", "a percent discount must be at most 100, got %s", string(a))
	}
	return nil
}
