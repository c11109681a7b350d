package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// idMap rewrites the ids a group refers to, which differ from store to
// store, for moving groups with export and apply.
type idMap struct {
	categories, products, priceLists map[int]int
}

// readIDMap reads a map file such as
// {"categories": {"18": 118}, "products": {...}, "price_lists": {...}}.
// Anything else in it is refused rather than ignored, since a misspelt
// section would leave its ids unmapped without a word.
func readIDMap(name string) (*idMap, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("--map: %v", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file struct {
		Categories map[string]int `json:"categories"`
		Products   map[string]int `json:"products"`
		PriceLists map[string]int `json:"price_lists"`
	}
	if err := dec.Decode(&file); err != nil {
		return nil, usageErrorf("--map: %s:%v", name, jsonError(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, usageErrorf("--map: %s:%s: not valid JSON: text after the closing brace", name, position(data, dec.InputOffset()))
	}
	m := &idMap{}
	for _, section := range []struct {
		kind string
		from map[string]int
		to   *map[int]int
	}{{"categories", file.Categories, &m.categories}, {"products", file.Products, &m.products}, {"price_lists", file.PriceLists, &m.priceLists}} {
		// Sorted, so that of several bad entries the same one is named
		// on every run.
		keys := slices.Sorted(maps.Keys(section.from))
		*section.to = make(map[int]int, len(keys))
		for _, from := range keys {
			to := section.from[from]
			id, err := parseID(from)
			if err != nil || to < 1 {
				return nil, usageErrorf("--map: %s: %s: %q -> %d: both ids must be positive whole numbers", name, section.kind, from, to)
			}
			// "018" and "18" are the same id and must not map two ways.
			if earlier, dup := (*section.to)[id]; dup && earlier != to {
				return nil, usageErrorf("--map: %s: %s: id %d is mapped twice, to %d and %d", name, section.kind, id, earlier, to)
			}
			(*section.to)[id] = to
		}
	}
	return m, nil
}

// apply rewrites the ids of every group in place. With strict, an id that
// the map does not list is an error; otherwise it passes through.
func (m *idMap) apply(docs []docGroup, strict bool) error {
	var missing []string
	lookup := func(kind string, ids map[int]int, id int) int {
		if to, ok := ids[id]; ok {
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
				cats[j] = lookup("category", m.categories, id)
			}
			d.CategoryAccess = &bigcommerce.CategoryAccess{Type: d.CategoryAccess.Type, Categories: cats}
		}
		if d.DiscountRules != nil {
			rules := slices.Clone(*d.DiscountRules)
			for j := range rules {
				r := &rules[j]
				switch r.Type {
				case bigcommerce.DiscountRuleCategory:
					r.CategoryID = lookup("category", m.categories, r.CategoryID)
				case bigcommerce.DiscountRuleProduct:
					r.ProductID = lookup("product", m.products, r.ProductID)
				case bigcommerce.DiscountRulePriceList:
					r.PriceListID = lookup("price list", m.priceLists, r.PriceListID)
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
