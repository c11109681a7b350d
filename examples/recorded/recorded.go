// Package recorded shows how an application tests its BigCommerce code
// against answers recorded once from a real store and replayed from then
// on, in CI and on every laptop, without credentials or network.
//
// EnsureGroup is the application code under test: it makes a store's
// customer group match what the application wants, writing only when it
// differs. Its test, in recorded_test.go, gets its client from
// recording.RecordOrReplay (package bigcommercetest/recording). With no
// environment set, the test replays testdata/ensure-group, which is
// committed. To record it again from a sandbox store:
//
//	BIGCOMMERCE_RECORD=all BIGCOMMERCE_STORE_HASH=... BIGCOMMERCE_ACCESS_TOKEN=... \
//	    go test -run TestEnsureGroup ./examples/recorded
//
// The recording committed here was made from cmd/bigcommerce-fake by
// scripts/record-fixtures.sh; the token never reaches the files and the
// store hash is replaced by a placeholder.
package recorded

import (
	"context"
	"errors"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// EnsureGroup makes sure the store has a group called name (as the store
// compares names, ignoring case) whose only discount is percent off
// everything. It creates or updates the group as needed and reports
// whether it wrote anything, so that running it twice writes once.
func EnsureGroup(ctx context.Context, c *bigcommerce.Client, name string, percent bigcommerce.Amount) (*bigcommerce.CustomerGroup, bool, error) {
	want := []bigcommerce.DiscountRule{{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: percent}}
	g, _, err := c.CustomerGroups.FindByName(ctx, name)
	if errors.Is(err, bigcommerce.ErrNotFound) {
		g, _, err = c.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: name, DiscountRules: want})
		return g, err == nil, err
	}
	if err != nil {
		return nil, false, err
	}
	if len(g.DiscountRules) == 1 && g.DiscountRules[0].Type == want[0].Type &&
		g.DiscountRules[0].Method == want[0].Method && g.DiscountRules[0].Amount.Equal(percent) {
		return g, false, nil
	}
	g, _, err = c.CustomerGroups.Update(ctx, g.ID, &bigcommerce.UpdateCustomerGroupRequest{DiscountRules: want})
	return g, err == nil, err
}
