package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"
)

// apiError is an answer in the v2 error shape: a JSON array of one
// {"status", "message"} object, with optional details.
type apiError struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: 400, Message: fmt.Sprintf(format, args...)}
}

const notFoundMessage = "The requested resource was not found."

var errNotFound = &apiError{Status: 404, Message: notFoundMessage}

type wireGroup struct {
	ID               int        `json:"id"`
	Name             string     `json:"name"`
	IsDefault        bool       `json:"is_default"`
	CategoryAccess   wireAccess `json:"category_access"`
	DiscountRules    []wireRule `json:"discount_rules"`
	DateCreated      string     `json:"date_created"`
	DateModified     string     `json:"date_modified"`
	IsGroupForGuests bool       `json:"is_group_for_guests"`
}

type wireAccess struct {
	Type string `json:"type"`
	// omitzero rather than omitempty: a "specific" access with no categories
	// still shows "categories": [], while other types leave it out.
	Categories []int `json:"categories,omitzero"`
}

type wireRule struct {
	Type        string `json:"type"`
	Method      string `json:"method,omitempty"`
	Amount      string `json:"amount,omitempty"`
	ProductID   int    `json:"product_id,omitempty"`
	CategoryID  int    `json:"category_id,omitempty"`
	PriceListID int    `json:"price_list_id,omitempty"`
}

func encodeGroup(g Group, dateFormat string) wireGroup {
	w := wireGroup{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		CategoryAccess:   wireAccess{Type: g.CategoryAccess.Type},
		DiscountRules:    make([]wireRule, 0, len(g.DiscountRules)),
		DateCreated:      g.DateCreated.Format(dateFormat),
		DateModified:     g.DateModified.Format(dateFormat),
		IsGroupForGuests: g.IsGroupForGuests,
	}
	if g.CategoryAccess.Type == "specific" {
		w.CategoryAccess.Categories = append([]int{}, g.CategoryAccess.Categories...)
	}
	for _, r := range g.DiscountRules {
		wr := wireRule{Type: r.Type}
		// Each kind of rule shows only its own fields, as the API does;
		// price-list rules have neither method nor amount.
		switch r.Type {
		case "price_list":
			wr.PriceListID = r.PriceListID
		case "product":
			wr.Method, wr.Amount, wr.ProductID = r.Method, r.Amount, r.ProductID
		case "category":
			wr.Method, wr.Amount, wr.CategoryID = r.Method, r.Amount, r.CategoryID
		default:
			wr.Method, wr.Amount = r.Method, r.Amount
		}
		w.DiscountRules = append(w.DiscountRules, wr)
	}
	return w
}

// groupPatch is a decoded create or update body; a nil field was absent.
type groupPatch struct {
	name             *string
	isDefault        *bool
	isGroupForGuests *bool
	categoryAccess   *CategoryAccess
	discountRules    *[]DiscountRule
}

// decodePatch reads a create or update body field by field rather than into a
// struct, because the fake must tell an absent field from a zero one and name
// unknown and read-only fields in its answer.
func decodePatch(body []byte) (groupPatch, *apiError) {
	var p groupPatch
	fields, err := decodeObject(body, "request body")
	if err != nil {
		return p, err
	}
	for _, key := range sortedKeys(fields) {
		raw := fields[key]
		switch key {
		case "name":
			var v string
			if !decodeStrict(raw, &v) {
				return p, badRequest("name must be a string")
			}
			p.name = &v
		case "is_default", "is_group_for_guests":
			var v bool
			if !decodeStrict(raw, &v) {
				return p, badRequest("%s must be true or false", key)
			}
			if key == "is_default" {
				p.isDefault = &v
			} else {
				p.isGroupForGuests = &v
			}
		case "category_access":
			a, err := decodeAccess(raw)
			if err != nil {
				return p, err
			}
			p.categoryAccess = &a
		case "discount_rules":
			rules, err := decodeRules(raw)
			if err != nil {
				return p, err
			}
			p.discountRules = &rules
		case "id", "date_created", "date_modified":
			return p, badRequest("%s is read-only and cannot be set", key)
		default:
			return p, badRequest("unknown field %q", key)
		}
	}
	return p, nil
}

func decodeObject(raw []byte, what string) (map[string]json.RawMessage, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 || trimmed[0] == '{' {
			return nil, badRequest("%s is not valid JSON", what)
		}
		return nil, badRequest("%s must be a JSON object", what)
	}
	return fields, nil
}

// sortedKeys gives a stable order, so that a body with two mistakes is always
// answered with the same message.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decodeStrict decodes raw into v, refusing null, which json.Unmarshal would
// silently accept as "leave v alone".
func decodeStrict(raw json.RawMessage, v any) bool {
	return string(raw) != "null" && json.Unmarshal(raw, v) == nil
}

func decodeAccess(raw json.RawMessage) (CategoryAccess, *apiError) {
	var a CategoryAccess
	fields, err := decodeObject(raw, "category_access")
	if err != nil {
		return a, err
	}
	for _, key := range sortedKeys(fields) {
		switch key {
		case "type":
			if !decodeStrict(fields[key], &a.Type) {
				return a, badRequest("category_access.type must be a string")
			}
		case "categories":
			if !decodeStrict(fields[key], &a.Categories) {
				return a, badRequest("category_access.categories must be an array of category ids")
			}
		default:
			return a, badRequest("unknown field \"category_access.%s\"", key)
		}
	}
	switch a.Type {
	case "specific":
		if len(a.Categories) == 0 {
			return a, badRequest("category_access.categories must list at least one category when type is specific")
		}
		for _, id := range a.Categories {
			if id < 1 {
				return a, badRequest("category_access.categories must hold positive ids, got %d", id)
			}
		}
	case "all", "none":
		// Categories mean nothing here; clients often send an empty list
		// along, so they are dropped rather than refused.
		a.Categories = nil
	case "":
		return a, badRequest("category_access.type is required")
	default:
		return a, badRequest("category_access.type must be all, specific or none, got %q", a.Type)
	}
	return a, nil
}

func decodeRules(raw json.RawMessage) ([]DiscountRule, *apiError) {
	var items []json.RawMessage
	if !decodeStrict(raw, &items) {
		return nil, badRequest("discount_rules must be an array")
	}
	rules := make([]DiscountRule, 0, len(items))
	alls := 0
	for i, item := range items {
		r, err := decodeRule(item, fmt.Sprintf("discount_rules[%d]", i))
		if err != nil {
			return nil, err
		}
		switch {
		case r.Type == "price_list" && len(items) > 1:
			return nil, badRequest("discount_rules[%d]: a price_list rule must be the only rule", i)
		case r.Type == "all":
			alls++
			if alls > 1 {
				return nil, badRequest("discount_rules[%d]: only one rule of type all is allowed", i)
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// ruleFields lists the fields each rule type accepts besides type; any other
// field is refused so that a client sending, say, a product_id on a category
// rule hears about it.
var ruleFields = map[string][]string{
	"all":        {"method", "amount"},
	"product":    {"method", "amount", "product_id"},
	"category":   {"method", "amount", "category_id"},
	"price_list": {"price_list_id"},
}

func decodeRule(raw json.RawMessage, at string) (DiscountRule, *apiError) {
	var r DiscountRule
	fields, err := decodeObject(raw, at)
	if err != nil {
		return r, err
	}
	typeRaw, ok := fields["type"]
	if !ok {
		return r, badRequest("%s.type is required", at)
	}
	if !decodeStrict(typeRaw, &r.Type) {
		return r, badRequest("%s.type must be a string", at)
	}
	allowed, ok := ruleFields[r.Type]
	if !ok {
		return r, badRequest("%s.type must be all, product, category or price_list, got %q", at, r.Type)
	}
	for _, key := range sortedKeys(fields) {
		if key == "type" {
			continue
		}
		if !slices.Contains(allowed, key) {
			return r, badRequest("%s.%s is not allowed on a %s rule", at, key, r.Type)
		}
		raw := fields[key]
		switch key {
		case "method":
			if !decodeStrict(raw, &r.Method) {
				return r, badRequest("%s.method must be a string", at)
			}
		case "amount":
			a, err := decodeAmount(raw)
			if err != nil {
				return r, badRequest("%s.amount %v", at, err)
			}
			r.Amount = a
		case "product_id", "category_id", "price_list_id":
			var id int
			if !decodeStrict(raw, &id) || id < 1 {
				return r, badRequest("%s.%s must be a positive integer", at, key)
			}
			switch key {
			case "product_id":
				r.ProductID = id
			case "category_id":
				r.CategoryID = id
			default:
				r.PriceListID = id
			}
		}
	}
	for _, key := range allowed {
		if _, ok := fields[key]; !ok {
			return r, badRequest("%s.%s is required on a %s rule", at, key, r.Type)
		}
	}
	if r.Type != "price_list" && !slices.Contains([]string{"percent", "fixed", "price"}, r.Method) {
		return r, badRequest("%s.method must be percent, fixed or price, got %q", at, r.Method)
	}
	return r, nil
}

// decodeAmount accepts an amount as a JSON number or as a string holding a
// plain decimal, as the API does.
func decodeAmount(raw json.RawMessage) (string, error) {
	if string(raw) == "null" {
		return "", fmt.Errorf("must be a number or a numeric string")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("must be a number or a numeric string")
		}
		return normaliseAmount(s)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("must be a number or a numeric string")
	}
	return normaliseAmount(n.String())
}

var decimalPattern = regexp.MustCompile(`^-?\d+(\.\d+)?([eE][-+]?\d+)?$`)

// normaliseAmount turns a decimal into the API's four-place string. It works
// on exact rationals, never float64, so "0.1" stays "0.1000" and a value that
// would need rounding to fit four places is refused instead of changed.
func normaliseAmount(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !decimalPattern.MatchString(s) {
		return "", fmt.Errorf("must be a decimal number, got %q", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("must be a decimal number, got %q", s)
	}
	if r.Sign() < 0 {
		return "", fmt.Errorf("must not be negative, got %s", s)
	}
	if !new(big.Rat).Mul(r, big.NewRat(10000, 1)).IsInt() {
		return "", fmt.Errorf("has more than four decimal places: %s", s)
	}
	return r.FloatString(4), nil
}

// timeLayouts are the forms a date filter may take, most precise first; a
// bare date stands for the whole day.
var timeLayouts = []string{time.RFC3339, time.RFC1123Z, DateFormatReference, "2006-01-02T15:04:05"}

// parseFilterTime returns the span of time a filter value names: one second
// for a full timestamp, a day for a bare date. Values without a zone are UTC.
func parseFilterTime(v string) (from, to time.Time, ok bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			from = t.UTC().Truncate(time.Second)
			return from, from.Add(time.Second), true
		}
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, t.AddDate(0, 0, 1), true
	}
	return time.Time{}, time.Time{}, false
}
