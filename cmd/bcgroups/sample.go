package main

import (
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// seedSample fills the fake store with groups such as a real store has:
// a default retail tier, a guest group, trade tiers with their own
// categories and discounts, and a price-list tier. The dates are fixed so
// that output from the fake is the same on every run.
func seedSample(srv *bigcommercetest.Server) {
	day := func(d int) time.Time { return time.Date(2024, time.March, d, 9, 30, 0, 0, time.UTC) }
	groups := []bigcommercetest.Group{
		{Name: "Retail", IsDefault: true, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}},
		{Name: "Guests", IsGroupForGuests: true, CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18, 23}}},
		{Name: "Wholesale", CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18, 23, 24}},
			DiscountRules: []bigcommercetest.DiscountRule{
				{Type: "all", Method: "percent", Amount: "10"},
				{Type: "category", Method: "fixed", Amount: "2.50", CategoryID: 23},
			}},
		{Name: "VIP", CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"},
			DiscountRules: []bigcommercetest.DiscountRule{
				{Type: "all", Method: "percent", Amount: "15"},
				{Type: "product", Method: "price", Amount: "49.99", ProductID: 112},
			}},
		{Name: "Trade Partners", CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18, 19}},
			DiscountRules: []bigcommercetest.DiscountRule{{Type: "price_list", PriceListID: 3}}},
		{Name: "Staff", CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"},
			DiscountRules: []bigcommercetest.DiscountRule{{Type: "all", Method: "percent", Amount: "25"}}},
		{Name: "Education & Nonprofit", CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"},
			DiscountRules: []bigcommercetest.DiscountRule{{Type: "category", Method: "percent", Amount: "12.5", CategoryID: 24}}},
		{Name: "Suspended", CategoryAccess: bigcommercetest.CategoryAccess{Type: "none"}},
	}
	for i, g := range groups {
		g.DateCreated = day(1 + i)
		g.DateModified = day(10 + i)
		srv.Add(g)
	}
}
