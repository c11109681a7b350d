package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestCreateFromFlagsStoresTheGroupWithExactAmounts(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "create", "--name", "Gold", "--default", "--access", "specific", "--categories", "7,12",
		"--rule", "all:percent:5", "--rule", "product:33:fixed:2.50", "--rule", "category:7:price:12")
	r.wantCode(t, 0)
	g := groupNamed(t, srv, "Gold")
	want := []bigcommercetest.DiscountRule{
		{Type: "all", Method: "percent", Amount: "5.0000"},
		{Type: "product", Method: "fixed", Amount: "2.5000", ProductID: 33},
		{Type: "category", Method: "price", Amount: "12.0000", CategoryID: 7},
	}
	if !g.IsDefault || g.CategoryAccess.Type != "specific" || !slices.Equal(g.CategoryAccess.Categories, []int{7, 12}) || !slices.Equal(g.DiscountRules, want) {
		t.Errorf("stored %+v", g)
	}
	body := string(srv.Requests()[0].Body)
	if !strings.Contains(body, `"amount":"2.50"`) {
		t.Errorf("the create sent %s, want the amount as typed, as a string", body)
	}
	if !strings.Contains(r.stdout, `"amount": "2.5000"`) {
		t.Errorf("create printed %s, want the store's exact digits", r.stdout)
	}
}

func TestCreateWithAPriceListRule(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "create", "--name", "Dealers", "--rule", "price_list:3", "--access", "none")
	r.wantCode(t, 0)
	g := groupNamed(t, srv, "Dealers")
	if g.CategoryAccess.Type != "none" || len(g.DiscountRules) != 1 || g.DiscountRules[0].PriceListID != 3 {
		t.Errorf("stored %+v", g)
	}
}

func TestCreateFromAJSONDocumentOnStandardInput(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	doc := `{"id": 77, "name": "Gold", "category_access": {"type": "all"}, "discount_rules": [{"type": "all", "method": "percent", "amount": "7.5"}], "date_created": "2020-01-01T00:00:00Z"}`
	r := cli{srv: srv, stdin: doc}.run(t, "create", "-f", "-")
	r.wantCode(t, 0)
	g := groupNamed(t, srv, "Gold")
	if g.ID == 77 || g.DiscountRules[0].Amount != "7.5000" {
		t.Errorf("stored %+v; want a fresh id and the document's rule", g)
	}
}

func TestUpdateSendsOnlyTheFieldsGiven(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "update", "3", "--default=false", "--rule", "all:percent:12.5")
	r.wantCode(t, 0)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(srv.Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body) != 2 || string(body["is_default"]) != "false" || !strings.Contains(string(body["discount_rules"]), `"12.5"`) {
		t.Errorf("update sent %s, want only is_default and discount_rules", srv.Requests()[0].Body)
	}
	g, _ := srv.Group(3)
	if g.Name != "Wholesale" || len(g.CategoryAccess.Categories) != 3 || len(g.DiscountRules) != 1 {
		t.Errorf("after the update the group is %+v; the fields not given should be as before", g)
	}
}

func TestUpdateWithClearRulesSendsAnEmptyList(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "update", "4", "--clear-rules", "--access", "all")
	r.wantCode(t, 0)
	if body := string(srv.Requests()[0].Body); body != `{"category_access":{"type":"all"},"discount_rules":[]}` {
		t.Errorf("update sent %s", body)
	}
	if g, _ := srv.Group(4); len(g.DiscountRules) != 0 {
		t.Errorf("group 4 still has rules %+v", g.DiscountRules)
	}
}

func TestUpdateFromADocumentSendsTheFieldsItHolds(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "g.json", `{"name": "Wholesale EU", "is_default": true}`)
	r := runOn(t, srv, "update", "3", "-f", path)
	r.wantCode(t, 0)
	if body := string(srv.Requests()[0].Body); body != `{"name":"Wholesale EU","is_default":true}` {
		t.Errorf("update sent %s", body)
	}
}

func TestBadGroupFlagsAreRefusedNamingTheFlagBeforeSending(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--name", "A", "--rule", "all:percent"}, `--rule "all:percent": a all rule has 3 parts`},
		{[]string{"create", "--name", "A", "--rule", "product:x:fixed:2"}, `--rule "product:x:fixed:2": the product id "x" is not a positive whole number`},
		{[]string{"create", "--name", "A", "--rule", "category:7:half:2"}, `the method "half" is not percent, fixed or price`},
		{[]string{"create", "--name", "A", "--rule", "all:percent:5%"}, `the amount "5%" is not a decimal number`},
		{[]string{"create", "--name", "A", "--rule", "bulk:5"}, `the type "bulk" is not all, product, category or price_list`},
		{[]string{"create", "--name", "A", "--rule", "price_list:3", "--rule", "all:percent:5"}, "--rule: discount_rules[0].type: a price_list rule must be the group's only rule"},
		{[]string{"create", "--name", "A", "--rule", "all:percent:5", "--rule", "all:fixed:1"}, "--rule: discount_rules[1].type: a group may have only one storewide (all) rule"},
		// Rules only the SDK knows: the CLI asks it rather than restating them.
		{[]string{"create", "--name", "A", "--rule", "all:percent:150"}, `--rule "all:percent:150": discount_rule.amount:`},
		{[]string{"create", "--name", "A", "--rule", "all:fixed:1.23456"}, `--rule "all:fixed:1.23456": discount_rule.amount:`},
		{[]string{"create", "--name", "A", "--access", "some"}, `--access: must be all, none or specific, got "some"`},
		{[]string{"create", "--name", "A", "--access", "specific"}, "category_access.categories: must list at least one category id"},
		{[]string{"create", "--name", "A", "--access", "all", "--categories", "7"}, "category_access.categories: is allowed only when type is specific"},
		{[]string{"create", "--name", "A", "--categories", "7,zero"}, `--categories: category id "zero" is not a positive whole number`},
		{[]string{"create", "--default"}, "--name: a new group needs a name"},
		{[]string{"create", "--name", "A", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"update", "3"}, "nothing to change"},
		{[]string{"update", "3", "--rule", "all:percent:5", "--clear-rules"}, "--clear-rules: cannot be combined with --rule"},
		{[]string{"update", "3", "-f", "x.json", "--name", "B"}, "--name: cannot be combined with -f"},
		{[]string{"update", "3", "--name", "   "}, "--name: must not be blank"},
		{[]string{"create", "--name", " "}, "--name: must not be blank"},
	} {
		r := runOn(t, srv, tc.args...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr = %q, want one line containing %q", tc.args, r.stderr, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
}

func TestADocumentThatIsNotValidJSONIsRefusedWithLineAndColumn(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, stdin: "{\"name\": \"A\",\n \"is_default\": tru}"}.run(t, "create", "-f", "-")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "-:2:") || !strings.Contains(r.stderr, "not valid JSON") {
		t.Errorf("stderr = %q, want the line and column of the mistake", r.stderr)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
}

func TestACreateThatTheStoreRefusesExitsOne(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := runOn(t, srv, "create", "--name", "wholesale")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "409") {
		t.Errorf("stderr = %q, want the store's conflict", r.stderr)
	}
}

func TestACreateOrUpdateAnsweredWith207PrintsTheSavedGroupAndAWarning(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.InjectFault(bigcommercetest.Fault{Method: "POST", Status: 207, ApplyFirst: true})
	r := runOn(t, srv, "create", "--name", "Gold", "--rule", "all:percent:5")
	r.wantCode(t, 0)
	gold := groupNamed(t, srv, "Gold")
	var printed struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil || printed.ID != gold.ID || printed.Name != "Gold" {
		t.Errorf("create printed %q (%v), want the stored group %d as one object", r.stdout, err, gold.ID)
	}
	if !strings.Contains(r.stderr, `created group "Gold" in `+where(srv)+", with a warning") {
		t.Errorf("stderr = %q, want the warning", r.stderr)
	}

	srv.InjectFault(bigcommercetest.Fault{Method: "PUT", Status: 207, ApplyFirst: true})
	r = runOn(t, srv, "update", itoa(gold.ID), "--rule", "all:percent:7")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"amount": "7.0000"`) || !strings.Contains(r.stderr, "with a warning") {
		t.Errorf("update printed %q, stderr %q; want the saved group and the warning", r.stdout, r.stderr)
	}
}
