// Package contract checks that a store, a recording or the fake behaves
// as this SDK and bigcommercetest's fake assume the v2 customer-groups API
// behaves. Run takes a bigcommercetest.Target: the fake's
// (bigcommercetest.Server.Target), a recording's
// (recording.RecordOrReplayTarget) or a sandbox store's, and each behaviour
// is a subtest, so a failure names the place where that target and the
// SDK's assumptions part.
package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// Prefix starts the name of every group Run creates. It lets the contract
// run on a store that holds other groups: it lists and deletes only groups
// whose names start with it, before it begins and when it ends.
const Prefix = "bcgo-contract "

// Run checks, as subtests, the behaviours of the v2 customer-groups API
// that this SDK and the fake rely on: the empty page answered 204, a limit
// over 250 answered 413, duplicate names answered 409 (also when only the
// case differs), amounts returned as strings with four decimal places,
// name:like ignoring case, an update replacing the discount rules whole, a
// deleted group answering 404, count following creates and deletes, and
// paging by limit and page.
//
// The subtests run one after another, in a fixed order, with fixed names,
// so that a run is the same sequence of requests every time and can be
// recorded and replayed. On a real store it creates and deletes groups
// named with Prefix and reads the store's total count; use a sandbox
// store, not one with customers.
//
// The 413 is checked with a request sent through tg.HTTPClient with
// tg.Auth's credentials, because the SDK refuses a limit over 250 before
// sending it.
func Run(t *testing.T, tg bigcommercetest.Target) {
	t.Helper()
	c, err := tg.Client()
	if err != nil {
		t.Fatalf("contract.Run: %v", err)
	}
	k := &contract{tg: tg, c: c}
	k.sweep(t)
	t.Cleanup(func() { k.sweep(t) })

	t.Run("an empty page is answered 204", k.emptyPage)
	t.Run("a limit over 250 is answered 413", k.limitOver250)
	t.Run("a duplicate name is answered 409", k.duplicateName)
	t.Run("a name differing only in case is a duplicate", k.duplicateNameCase)
	t.Run("amounts come back as strings with four decimals", k.amountStrings)
	t.Run("name:like ignores case", k.nameLikeIgnoresCase)
	t.Run("an update replaces the discount rules whole", k.updateReplacesRules)
	t.Run("a deleted group answers 404", k.deletedIs404)
	t.Run("count follows creates and deletes", k.count)
	t.Run("pages follow limit and page", k.paging)
}

type contract struct {
	tg bigcommercetest.Target
	c  *bigcommerce.Client
}

// sweep deletes every group the contract may have left behind. It runs in
// cleanups, after the test's context has ended, so it has its own.
func (k *contract) sweep(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var ids []int
	// Collected first: deleting while paging would shift the pages.
	for g, err := range k.c.CustomerGroups.All(ctx, &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: Prefix},
	}) {
		if err != nil {
			t.Fatalf("listing the contract's groups: %v", err)
		}
		if strings.HasPrefix(strings.ToLower(g.Name), Prefix) {
			ids = append(ids, g.ID)
		}
	}
	for _, id := range ids {
		if _, err := k.c.CustomerGroups.Delete(ctx, id); err != nil && !errors.Is(err, bigcommerce.ErrNotFound) {
			t.Errorf("deleting the contract's group %d: %v", id, err)
		}
	}
}

// create makes a group named Prefix+name and deletes it when the
// subtest ends.
func (k *contract) create(t *testing.T, name string, rules ...bigcommerce.DiscountRule) *bigcommerce.CustomerGroup {
	t.Helper()
	g, _, err := k.c.CustomerGroups.Create(t.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: Prefix + name, DiscountRules: rules})
	if err != nil {
		t.Fatalf("creating %q: %v", Prefix+name, err)
	}
	t.Cleanup(func() {
		if _, err := k.c.CustomerGroups.Delete(context.Background(), g.ID); err != nil && !errors.Is(err, bigcommerce.ErrNotFound) {
			t.Errorf("deleting group %d: %v", g.ID, err)
		}
	})
	return g
}

// raw sends a request the SDK would not, through the target's HTTP client
// with its credentials, and returns the status and body.
func (k *contract) raw(t *testing.T, method, pathAndQuery string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, apiRoot(k.tg)+pathAndQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if err := k.tg.Auth.Authenticate(req); err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient(k.tg).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, pathAndQuery, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, pathAndQuery, err)
	}
	return resp.StatusCode, body
}

// apiRoot is the root that tg's clients send to: its BaseURL, or the one
// its credentials choose.
func apiRoot(tg bigcommercetest.Target) string {
	if tg.BaseURL != "" {
		return tg.BaseURL
	}
	return tg.Auth.BaseURL()
}

// httpClient is the client that carries tg's requests.
func httpClient(tg bigcommercetest.Target) *http.Client {
	if tg.HTTPClient != nil {
		return tg.HTTPClient
	}
	return http.DefaultClient
}

func (k *contract) emptyPage(t *testing.T) {
	groups, resp, err := k.c.CustomerGroups.List(t.Context(), &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: Prefix + "no such group"},
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(groups) != 0 || resp.StatusCode != http.StatusNoContent {
		t.Errorf("a filter that matches nothing: status %d with %d groups, want 204 with none", resp.StatusCode, len(groups))
	}
}

func (k *contract) limitOver250(t *testing.T) {
	status, body := k.raw(t, http.MethodGet, "/customer_groups?limit=251")
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("limit=251: status %d, want 413; body %.200s", status, body)
	}
	var errs []struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &errs); err != nil || len(errs) == 0 || errs[0].Status != 413 || errs[0].Message == "" {
		t.Errorf("limit=251: body %.200s, want a v2 error array with status 413 and a message", body)
	}
}

func (k *contract) duplicateName(t *testing.T) {
	k.create(t, "Duplicate")
	_, _, err := k.c.CustomerGroups.Create(t.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: Prefix + "Duplicate"})
	if !errors.Is(err, bigcommerce.ErrConflict) {
		t.Errorf("a second group named %q: err %v, want a 409 (ErrConflict)", Prefix+"Duplicate", err)
	}
}

func (k *contract) duplicateNameCase(t *testing.T) {
	k.create(t, "Case")
	_, _, err := k.c.CustomerGroups.Create(t.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: Prefix + "CASE"})
	if !errors.Is(err, bigcommerce.ErrConflict) {
		t.Errorf("%q after %q: err %v, want a 409 (ErrConflict)", Prefix+"CASE", Prefix+"Case", err)
	}
}

func (k *contract) amountStrings(t *testing.T) {
	g := k.create(t, "Amounts", bigcommerce.DiscountRule{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "12.5"})
	// Read raw, since the SDK's lenient decoding would hide a number.
	status, body := k.raw(t, http.MethodGet, "/customer_groups/"+strconv.Itoa(g.ID))
	if status != http.StatusOK {
		t.Fatalf("GET the group: status %d, want 200", status)
	}
	var got struct {
		DiscountRules []map[string]json.RawMessage `json:"discount_rules"`
	}
	if err := json.Unmarshal(body, &got); err != nil || len(got.DiscountRules) != 1 {
		t.Fatalf("GET the group: body %.300s, want one discount rule", body)
	}
	if amount := string(got.DiscountRules[0]["amount"]); amount != `"12.5000"` {
		t.Errorf("amount sent as 12.5 came back as %s, want the string \"12.5000\"", amount)
	}
}

func (k *contract) nameLikeIgnoresCase(t *testing.T) {
	g := k.create(t, "Wholesale Gold")
	groups, _, err := k.c.CustomerGroups.List(t.Context(), &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: "WHOLESALE gOLD"},
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if !slices.ContainsFunc(groups, func(x bigcommerce.CustomerGroup) bool { return x.ID == g.ID }) {
		t.Errorf("name:like=WHOLESALE gOLD did not find %q (id %d) among %d groups", g.Name, g.ID, len(groups))
	}
}

func (k *contract) updateReplacesRules(t *testing.T) {
	g := k.create(t, "Rules", bigcommerce.DiscountRule{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "5"})
	fixed := bigcommerce.DiscountRule{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountFixed, Amount: "2.5"}
	if _, _, err := k.c.CustomerGroups.Update(t.Context(), g.ID, &bigcommerce.UpdateCustomerGroupRequest{DiscountRules: []bigcommerce.DiscountRule{fixed}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := k.rules(t, g.ID); got != "all fixed 2.5000" {
		t.Errorf("after replacing percent 5 with fixed 2.5: rules %q, want %q", got, "all fixed 2.5000")
	}
	if _, _, err := k.c.CustomerGroups.Update(t.Context(), g.ID, &bigcommerce.UpdateCustomerGroupRequest{DiscountRules: []bigcommerce.DiscountRule{}}); err != nil {
		t.Fatalf("Update to no rules: %v", err)
	}
	if got := k.rules(t, g.ID); got != "" {
		t.Errorf("after an update with an empty list: rules %q, want none", got)
	}
}

// rules reads a group's rules back in one line, for comparisons.
func (k *contract) rules(t *testing.T, id int) string {
	t.Helper()
	g, _, err := k.c.CustomerGroups.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get %d: %v", id, err)
	}
	var parts []string
	for _, r := range g.DiscountRules {
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Type, r.Method, r.Amount)))
	}
	return strings.Join(parts, "; ")
}

func (k *contract) deletedIs404(t *testing.T) {
	g := k.create(t, "Deleted")
	resp, err := k.c.CustomerGroups.Delete(t.Context(), g.ID)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("Delete: status %d, want 204", resp.StatusCode)
	}
	if _, _, err := k.c.CustomerGroups.Get(t.Context(), g.ID); !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("Get after Delete: err %v, want a 404 (ErrNotFound)", err)
	}
}

func (k *contract) count(t *testing.T) {
	count := func() int {
		t.Helper()
		n, _, err := k.c.CustomerGroups.Count(t.Context(), nil)
		if err != nil {
			t.Fatalf("Count: %v", err)
		}
		return n
	}
	before := count()
	a := k.create(t, "Count A")
	k.create(t, "Count B")
	if got := count(); got != before+2 {
		t.Errorf("after two creates: count %d, want %d", got, before+2)
	}
	if _, err := k.c.CustomerGroups.Delete(t.Context(), a.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := count(); got != before+1 {
		t.Errorf("after one delete: count %d, want %d", got, before+1)
	}
}

func (k *contract) paging(t *testing.T) {
	var want []int
	for i := 1; i <= 5; i++ {
		want = append(want, k.create(t, fmt.Sprintf("Page %d", i)).ID)
	}
	slices.Sort(want)
	var got []int
	var sizes []string
	for page := 1; page <= 4; page++ {
		groups, resp, err := k.c.CustomerGroups.List(t.Context(), &bigcommerce.ListCustomerGroupsOptions{
			CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: Prefix + "Page"},
			ListOptions:         bigcommerce.ListOptions{Page: page, Limit: 2},
		})
		if err != nil {
			t.Fatalf("List page %d: %v", page, err)
		}
		sizes = append(sizes, fmt.Sprintf("%d:%d", resp.StatusCode, len(groups)))
		for _, g := range groups {
			got = append(got, g.ID)
		}
	}
	if s := strings.Join(sizes, " "); s != "200:2 200:2 200:1 204:0" {
		t.Errorf("five groups by pages of two: status:size %s, want 200:2 200:2 200:1 204:0", s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ids over the pages %v, want each created id once in ascending order %v", got, want)
	}
}
