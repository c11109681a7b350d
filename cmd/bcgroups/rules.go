package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// ruleSyntax is the compact text of a discount rule, used by --rule, by
// the plan and by the discount_rules column of CSV.
const ruleSyntax = "all:METHOD:AMOUNT, product:ID:METHOD:AMOUNT, category:ID:METHOD:AMOUNT or price_list:ID (METHOD is percent, fixed or price)"

// parseRule reads one rule in the compact text, such as
// "product:33:fixed:2.50". The amount keeps its exact digits.
func parseRule(s string) (bigcommerce.DiscountRule, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	bad := func(format string, args ...any) (bigcommerce.DiscountRule, error) {
		return bigcommerce.DiscountRule{}, fmt.Errorf("%q: %s; want %s", s, fmt.Sprintf(format, args...), ruleSyntax)
	}
	var r bigcommerce.DiscountRule
	r.Type = bigcommerce.DiscountRuleType(parts[0])
	want := 4
	switch r.Type {
	case bigcommerce.DiscountRuleAll:
		want = 3
	case bigcommerce.DiscountRulePriceList:
		want = 2
	case bigcommerce.DiscountRuleProduct, bigcommerce.DiscountRuleCategory:
	default:
		return bad("the type %q is not all, product, category or price_list", parts[0])
	}
	if len(parts) != want {
		return bad("a %s rule has %d parts separated by colons, got %d", r.Type, want, len(parts))
	}
	rest := parts[1:]
	if r.Type != bigcommerce.DiscountRuleAll {
		id, err := parseID(rest[0])
		if err != nil {
			return bad("the %s id %v", r.Type, err)
		}
		switch r.Type {
		case bigcommerce.DiscountRuleProduct:
			r.ProductID = id
		case bigcommerce.DiscountRuleCategory:
			r.CategoryID = id
		default:
			r.PriceListID = id
			return r, nil
		}
		rest = rest[1:]
	}
	r.Method, r.Amount = bigcommerce.DiscountMethod(rest[0]), bigcommerce.Amount(rest[1])
	if !r.Method.Valid() {
		return bad("the method %q is not percent, fixed or price", rest[0])
	}
	if !r.Amount.Valid() {
		return bad("the amount %q is not a decimal number such as 5 or 2.50", rest[1])
	}
	// The SDK knows the rest: no more than four decimals, a percent of at
	// most 100, no negative amount.
	if err := r.Validate(); err != nil {
		return bad("%s", invalid(err))
	}
	return r, nil
}

// formatRule writes a rule in the text parseRule reads.
func formatRule(r bigcommerce.DiscountRule) string {
	switch r.Type {
	case bigcommerce.DiscountRuleAll:
		return fmt.Sprintf("all:%s:%s", r.Method, r.Amount)
	case bigcommerce.DiscountRuleProduct:
		return fmt.Sprintf("product:%d:%s:%s", r.ProductID, r.Method, r.Amount)
	case bigcommerce.DiscountRuleCategory:
		return fmt.Sprintf("category:%d:%s:%s", r.CategoryID, r.Method, r.Amount)
	case bigcommerce.DiscountRulePriceList:
		return fmt.Sprintf("price_list:%d", r.PriceListID)
	}
	return string(r.Type)
}

// formatRules joins rules with ";", the separator of the CSV column.
func formatRules(rules []bigcommerce.DiscountRule) string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = formatRule(r)
	}
	return strings.Join(out, ";")
}

// parseRules reads rules joined by ";", as formatRules writes them.
func parseRules(s string) ([]bigcommerce.DiscountRule, error) {
	rules := []bigcommerce.DiscountRule{}
	if strings.TrimSpace(s) == "" {
		return rules, nil
	}
	for _, part := range strings.Split(s, ";") {
		r, err := parseRule(part)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// parseID reads a group, category, product or price-list id.
func parseID(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a positive whole number", s)
	}
	return n, nil
}

// parseIDs reads ids separated by commas or semicolons ("7,12").
func parseIDs(s string) ([]int, error) {
	var ids []int
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		id, err := parseID(part)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func formatIDs(ids []int) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.Itoa(id)
	}
	return strings.Join(out, ";")
}

// invalid is the SDK's verdict on a request, for a message: the field and
// the rule it breaks, without the SDK's "bigcommerce: invalid request"
// prefix, since the tool's own message says what was being checked.
func invalid(err error) string {
	var v *bigcommerce.ValidationError
	if errors.As(err, &v) {
		return v.Field + ": " + v.Rule
	}
	return err.Error()
}

// sameIDs compares id sets, ignoring order and repeats: the store gives
// no meaning to either.
func sameIDs(a, b []int) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
