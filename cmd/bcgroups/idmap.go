package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// idMap rewrites the ids a group refers to, which differ from store to
// store, for moving groups with export and apply.
type idMap struct {
	Categories map[string]int `json:"categories"`
	Products   map[string]int `json:"products"`
	PriceLists map[string]int `json:"price_lists"`
}

func readIDMap(name string) (*idMap, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("--map: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m idMap
	if err := dec.Decode(&m); err != nil {
		return nil, usageErrorf("--map: %s:%v", name, jsonError(data, err))
	}
	for kind, ids := range map[string]map[string]int{"categories": m.Categories, "products": m.Products, "price_lists": m.PriceLists} {
		for from, to := range ids {
			if _, err := parseID(from); err != nil || to < 1 {
				return nil, usageErrorf("--map: %s: %s: %q -> %d: both ids must be positive whole numbers", name, kind, from, to)
			}
		}
	}
	return &m, nil
}

// apply rewrites the ids of every group in place. With strict, an id that
// the map does not list is an error; otherwise it passes through.
func (m *idMap) apply(docs []docGroup, strict bool) error {
	var missing []string
	lookup := func(kind string, ids map[string]int, id int) int {
		if to, ok := ids[strconv.Itoa(id)]; ok {
			return to
		}
		if s := fmt.Sprintf("%s %d", kind, id); !slices.Contains(missing, s) {
			missing = append(missing, s)
		}
		return id
	}
	for i := range docs {
		d := &docs[i]
		if d.CategoryAccess != nil {
			cats := slices.Clone(d.CategoryAccess.Categories)
			for j, id := range cats {
				cats[j] = lookup("category", m.Categories, id)
			}
			d.CategoryAccess = &bigcommerce.CategoryAccess{Type: d.CategoryAccess.Type, Categories: cats}
		}
		if d.DiscountRules != nil {
			rules := slices.Clone(*d.DiscountRules)
			for j := range rules {
				r := &rules[j]
				switch r.Type {
				case bigcommerce.DiscountRuleCategory:
					r.CategoryID = lookup("category", m.Categories, r.CategoryID)
				case bigcommerce.DiscountRuleProduct:
					r.ProductID = lookup("product", m.Products, r.ProductID)
				case bigcommerce.DiscountRulePriceList:
					r.PriceListID = lookup("price list", m.PriceLists, r.PriceListID)
				}
			}
			d.DiscountRules = &rules
		}
	}
	if strict && len(missing) > 0 {
		shown := missing[:min(len(missing), 10)]
		more := ""
		if len(missing) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
		}
		return usageErrorf("--strict-map: the map lists no new id for %s%s", strings.Join(shown, ", "), more)
	}
	return nil
}
