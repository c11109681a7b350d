package benchmarks

import (
	"encoding/json"
	"fmt"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// An operation is one call made by the SDK or the floor; each checks what
// it got, so that a benchmark cannot time a failure.
type operation func() error

// getID is the id both clients ask for; the server answers every Get with
// the recorded group.
const getID = 504

func getOps(p pair) (sdk, floor operation) {
	sdk = func() error {
		g, _, err := p.sdk.CustomerGroups.Get(bg, getID)
		return checkID(err, g != nil && g.ID == getID)
	}
	floor = func() error {
		g, err := p.floor.get(bg, getID)
		return checkID(err, g != nil && g.ID == getID)
	}
	return sdk, floor
}

func listOps(p pair) (sdk, floor operation) {
	opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 250}}
	sdk = func() error {
		page, _, err := p.sdk.CustomerGroups.List(bg, opts)
		return checkCount(err, len(page), 250)
	}
	floor = func() error {
		page, err := p.floor.list(bg, 0, 250)
		return checkCount(err, len(page), 250)
	}
	return sdk, floor
}

func createOps(p pair) (sdk, floor operation) {
	req, plain := newCreate(), newPlainCreate()
	sdk = func() error {
		g, _, err := p.sdk.CustomerGroups.Create(bg, req)
		return checkID(err, g != nil && g.Name == "Wholesale")
	}
	floor = func() error {
		g, err := p.floor.create(bg, plain)
		return checkID(err, g != nil && g.Name == "Wholesale")
	}
	return sdk, floor
}

// allOps walk a generated store of n groups; p must point at it.
func allOps(p pair, n int) (sdk, floor operation) {
	sdk = func() error {
		count, last := 0, 0
		for g, err := range p.sdk.CustomerGroups.All(bg, nil) {
			if err != nil {
				return err
			}
			count, last = count+1, g.ID
		}
		return checkCount(checkLast(last, n), count, n)
	}
	floor = func() error {
		count, last := 0, 0
		err := p.floor.all(bg, func(g *plainGroup) bool {
			count, last = count+1, g.ID
			return true
		})
		return checkCount(checkLast(last, n, err), count, n)
	}
	return sdk, floor
}

// decodeOps decode the recorded page. The SDK's page decoder is reached
// through List over a transport that answers from memory, so its figure
// also carries the client's fixed cost of one call; the floor is
// json.Unmarshal into plain structs. types is json.Unmarshal into the
// SDK's exported types, for comparison.
func decodeOps(tb testing.TB) (sdk, floor, types operation) {
	fx := mustFixtures(tb)
	c := newMemoryClient(tb, fx.page)
	opts := &bigcommerce.ListCustomerGroupsOptions{ListOptions: bigcommerce.ListOptions{Limit: 250}}
	sdk = func() error {
		page, _, err := c.CustomerGroups.List(bg, opts)
		return checkCount(err, len(page), 250)
	}
	floor = func() error {
		var page []plainGroup
		err := json.Unmarshal(fx.page.body, &page)
		return checkCount(err, len(page), 250)
	}
	types = func() error {
		var page []bigcommerce.CustomerGroup
		err := json.Unmarshal(fx.page.body, &page)
		return checkCount(err, len(page), 250)
	}
	return sdk, floor, types
}

func checkID(err error, ok bool) error {
	if err == nil && !ok {
		err = fmt.Errorf("the answer is not the expected group")
	}
	return err
}

func checkCount(err error, got, want int) error {
	if err == nil && got != want {
		err = fmt.Errorf("got %d groups, want %d", got, want)
	}
	return err
}

func checkLast(last, want int, errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if last != want {
		return fmt.Errorf("the walk ended at id %d, want %d", last, want)
	}
	return nil
}
