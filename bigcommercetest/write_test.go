package bigcommercetest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	before := time.Now().UTC().Truncate(time.Second)
	g := create(t, s, `{"name":"  Wholesale  ","is_default":true,"category_access":{"type":"specific","categories":[18,19]},`+
		`"discount_rules":[{"type":"all","method":"percent","amount":5},{"type":"product","method":"fixed","amount":"2.5","product_id":3}]}`)
	if g["id"] != 1.0 || g["name"] != "Wholesale" || g["is_default"] != true || g["is_group_for_guests"] != false {
		t.Errorf("created %v", g)
	}
	created, err := time.Parse(time.RFC1123Z, g["date_created"].(string))
	if err != nil || created.Before(before) || g["date_modified"] != g["date_created"] {
		t.Errorf("dates %v / %v, want both now", g["date_created"], g["date_modified"])
	}
	stored, ok := s.Group(1)
	if !ok || stored.Name != "Wholesale" || len(stored.DiscountRules) != 2 || stored.DiscountRules[1].Amount != "2.5000" {
		t.Errorf("stored %+v", stored)
	}

	second := create(t, s, `{"name":"Retail"}`)
	if second["id"] != 2.0 {
		t.Errorf("second id %v, want 2", second["id"])
	}
	access := second["category_access"].(object)
	if access["type"] != "all" || len(second["discount_rules"].([]any)) != 0 {
		t.Errorf("defaults %v", second)
	}
}

func TestCreateStatusOption(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithCreateStatus(200))
	resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"OK"}`)
	wantStatus(t, resp, body, 200)
	if g := decode[object](t, body); g["name"] != "OK" {
		t.Errorf("body %s", body)
	}
}

func TestCreateDuplicateName(t *testing.T) {
	t.Parallel()
	t.Run("is 409 ignoring case", func(t *testing.T) {
		t.Parallel()
		s := newFake(t)
		create(t, s, `{"name":"VIP"}`)
		resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"vip "}`)
		wantV2Error(t, resp, body, http.StatusConflict, "vip")
		if n := len(s.Groups()); n != 1 {
			t.Errorf("%d groups stored, want 1", n)
		}
	})
	t.Run("is allowed with WithAllowDuplicateNames", func(t *testing.T) {
		t.Parallel()
		s := newFake(t, bigcommercetest.WithAllowDuplicateNames())
		create(t, s, `{"name":"VIP"}`)
		create(t, s, `{"name":"VIP"}`)
	})
}

func TestCreateRejects(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tests := []struct {
		name, body string
		mention    string
	}{
		{"missing name", `{"is_default":true}`, "name"},
		{"empty name", `{"name":""}`, "name"},
		{"blank name", `{"name":"   "}`, "name"},
		{"name not a string", `{"name":7}`, "name"},
		{"null name", `{"name":null}`, "name"},
		{"unknown field", `{"name":"A","colour":"red"}`, "colour"},
		{"read-only id", `{"name":"A","id":9}`, "id"},
		{"read-only date_created", `{"name":"A","date_created":"2020-01-01"}`, "date_created"},
		{"read-only date_modified", `{"name":"A","date_modified":"2020-01-01"}`, "date_modified"},
		{"malformed JSON", `{"name":"A"`, "JSON"},
		{"array instead of object", `[{"name":"A"}]`, "object"},
		{"null body", `null`, "object"},
		{"is_default not a bool", `{"name":"A","is_default":"yes"}`, "is_default"},
		{"is_group_for_guests not a bool", `{"name":"A","is_group_for_guests":1}`, "is_group_for_guests"},
		{"category access type unknown", `{"name":"A","category_access":{"type":"some"}}`, "category_access.type"},
		{"category access type missing", `{"name":"A","category_access":{"categories":[1]}}`, "category_access.type"},
		{"specific access without categories", `{"name":"A","category_access":{"type":"specific"}}`, "categories"},
		{"specific access with empty categories", `{"name":"A","category_access":{"type":"specific","categories":[]}}`, "categories"},
		{"category ids not numbers", `{"name":"A","category_access":{"type":"specific","categories":["18"]}}`, "categories"},
		{"unknown field in category access", `{"name":"A","category_access":{"type":"all","kind":1}}`, "category_access.kind"},
		{"discount rules not an array", `{"name":"A","discount_rules":{"type":"all"}}`, "discount_rules"},
		{"rule type missing", `{"name":"A","discount_rules":[{"method":"percent","amount":"5"}]}`, "discount_rules[0].type"},
		{"rule type unknown", `{"name":"A","discount_rules":[{"type":"brand","method":"percent","amount":"5"}]}`, "discount_rules[0].type"},
		{"rule method unknown", `{"name":"A","discount_rules":[{"type":"all","method":"half","amount":"5"}]}`, "discount_rules[0].method"},
		{"rule method missing", `{"name":"A","discount_rules":[{"type":"all","amount":"5"}]}`, "discount_rules[0].method"},
		{"rule amount missing", `{"name":"A","discount_rules":[{"type":"all","method":"percent"}]}`, "discount_rules[0].amount"},
		{"rule amount not numeric", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":"five"}]}`, "discount_rules[0].amount"},
		{"rule amount negative", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":-1}]}`, "discount_rules[0].amount"},
		{"rule amount beyond four places", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":"0.12345"}]}`, "four"},
		{"rule amount a bool", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":true}]}`, "discount_rules[0].amount"},
		{"product rule without product_id", `{"name":"A","discount_rules":[{"type":"product","method":"fixed","amount":"1"}]}`, "discount_rules[0].product_id"},
		{"category rule without category_id", `{"name":"A","discount_rules":[{"type":"category","method":"fixed","amount":"1"}]}`, "discount_rules[0].category_id"},
		{"category rule with a product_id", `{"name":"A","discount_rules":[{"type":"category","method":"fixed","amount":"1","category_id":2,"product_id":3}]}`, "discount_rules[0].product_id"},
		{"product_id not a positive integer", `{"name":"A","discount_rules":[{"type":"product","method":"fixed","amount":"1","product_id":"3"}]}`, "discount_rules[0].product_id"},
		{"price list rule without id", `{"name":"A","discount_rules":[{"type":"price_list"}]}`, "price_list_id"},
		{"price list rule with an amount", `{"name":"A","discount_rules":[{"type":"price_list","price_list_id":1,"amount":"5"}]}`, "amount"},
		{"price list rule with other rules", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":"5"},{"type":"price_list","price_list_id":1}]}`, "only rule"},
		{"two all rules", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":"5"},{"type":"all","method":"fixed","amount":"1"}]}`, "discount_rules[1]"},
		{"unknown field in a rule", `{"name":"A","discount_rules":[{"type":"all","method":"percent","amount":"5","note":"x"}]}`, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodPost, "/customer_groups", tt.body)
			wantV2Error(t, resp, body, http.StatusBadRequest, tt.mention)
		})
	}
	t.Cleanup(func() {
		if n := len(s.Groups()); n != 0 {
			t.Errorf("%d groups stored by refused creates", n)
		}
	})
}

func TestCreateNeedsJSONContentType(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		t.Run("content type "+ct, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"A"}`, func(r *http.Request) {
				r.Header.Del("Content-Type")
				if ct != "" {
					r.Header.Set("Content-Type", ct)
				}
			})
			wantV2Error(t, resp, body, http.StatusUnsupportedMediaType)
		})
	}
	t.Run("charset parameter is fine", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"Charset"}`, header("Content-Type", "application/json; charset=utf-8"))
		wantStatus(t, resp, body, http.StatusCreated)
	})
}

func TestCreateAccepts(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tests := []struct {
		name, body string
		check      func(t *testing.T, g object)
	}{
		{"categories are dropped unless access is specific", `{"category_access":{"type":"none","categories":[4]}}`, func(t *testing.T, g object) {
			if a := g["category_access"].(object); a["type"] != "none" || a["categories"] != nil {
				t.Errorf("category_access %v", a)
			}
		}},
		{"price list rule alone", `{"discount_rules":[{"type":"price_list","price_list_id":4}]}`, func(t *testing.T, g object) {
			r := g["discount_rules"].([]any)[0].(object)
			if len(r) != 2 || r["price_list_id"] != 4.0 {
				t.Errorf("rule %v", r)
			}
		}},
		{"one all rule with product and category rules", `{"discount_rules":[{"type":"product","method":"price","amount":"10","product_id":1},` +
			`{"type":"all","method":"percent","amount":"5"},{"type":"category","method":"fixed","amount":"1","category_id":2},` +
			`{"type":"category","method":"fixed","amount":"2","category_id":3}]}`, func(t *testing.T, g object) {
			if n := len(g["discount_rules"].([]any)); n != 4 {
				t.Errorf("%d rules, want 4", n)
			}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"name":"Accept ` + string(rune('A'+i)) + `",` + strings.TrimPrefix(tt.body, "{")
			tt.check(t, create(t, s, body))
		})
	}
}

func TestAmountIsExactWithFourDecimals(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithAllowDuplicateNames())
	tests := []struct {
		name, amount, want string
	}{
		{"integer number", `5`, "5.0000"},
		{"integer string", `"5"`, "5.0000"},
		{"decimal number stays exact", `0.1`, "0.1000"},
		{"decimal string stays exact", `"0.1"`, "0.1000"},
		{"four places kept", `"12.3456"`, "12.3456"},
		{"trailing zeros beyond four places are fine", `"1.50000000"`, "1.5000"},
		{"exponent number", `1e2`, "100.0000"},
		{"large value", `"123456789012345.99"`, "123456789012345.9900"},
		{"zero", `0`, "0.0000"},
		{"already normalised", `"5.0000"`, "5.0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := create(t, s, `{"name":"Amounts","discount_rules":[{"type":"all","method":"fixed","amount":`+tt.amount+`}]}`)
			got := g["discount_rules"].([]any)[0].(object)["amount"]
			if got != tt.want {
				t.Errorf("amount %v, want %q", got, tt.want)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	setup := func(t *testing.T) *bigcommercetest.Server {
		s := newFake(t)
		s.Add(bigcommercetest.Group{
			Name:           "Original",
			IsDefault:      true,
			CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{5}},
			DiscountRules: []bigcommercetest.DiscountRule{
				{Type: "all", Method: "percent", Amount: "5"},
				{Type: "product", Method: "fixed", Amount: "1", ProductID: 9},
			},
			DateCreated: old,
		})
		s.Add(bigcommercetest.Group{Name: "Other"})
		return s
	}
	tests := []struct {
		name, body string
		check      func(t *testing.T, g bigcommercetest.Group)
	}{
		{"only the fields sent change", `{"name":"Renamed"}`, func(t *testing.T, g bigcommercetest.Group) {
			if g.Name != "Renamed" || !g.IsDefault || g.CategoryAccess.Type != "specific" || len(g.DiscountRules) != 2 {
				t.Errorf("group %+v", g)
			}
		}},
		{"is_default false is applied", `{"is_default":false}`, func(t *testing.T, g bigcommercetest.Group) {
			if g.IsDefault || g.Name != "Original" {
				t.Errorf("group %+v", g)
			}
		}},
		{"discount_rules replace the whole set", `{"discount_rules":[{"type":"category","method":"price","amount":"3","category_id":4}]}`, func(t *testing.T, g bigcommercetest.Group) {
			want := []bigcommercetest.DiscountRule{{Type: "category", Method: "price", Amount: "3.0000", CategoryID: 4}}
			if len(g.DiscountRules) != 1 || g.DiscountRules[0] != want[0] {
				t.Errorf("rules %+v, want %+v", g.DiscountRules, want)
			}
		}},
		{"empty discount_rules clears them", `{"discount_rules":[]}`, func(t *testing.T, g bigcommercetest.Group) {
			if len(g.DiscountRules) != 0 {
				t.Errorf("rules %+v, want none", g.DiscountRules)
			}
		}},
		{"category access is replaced", `{"category_access":{"type":"all"}}`, func(t *testing.T, g bigcommercetest.Group) {
			if g.CategoryAccess.Type != "all" || len(g.CategoryAccess.Categories) != 0 {
				t.Errorf("access %+v", g.CategoryAccess)
			}
		}},
		{"own name in another case is not a duplicate", `{"name":"ORIGINAL"}`, func(t *testing.T, g bigcommercetest.Group) {
			if g.Name != "ORIGINAL" {
				t.Errorf("name %q", g.Name)
			}
		}},
		{"empty body changes only date_modified", `{}`, func(t *testing.T, g bigcommercetest.Group) {
			if g.Name != "Original" || len(g.DiscountRules) != 2 {
				t.Errorf("group %+v", g)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := setup(t)
			resp, body := send(t, s, http.MethodPut, "/customer_groups/1", tt.body)
			wantStatus(t, resp, body, 200)
			g, _ := s.Group(1)
			tt.check(t, g)
			if !g.DateCreated.Equal(old) || !g.DateModified.After(old) {
				t.Errorf("dates created %v modified %v; want created kept and modified moved on", g.DateCreated, g.DateModified)
			}
			if answered := decode[object](t, body); answered["name"] != g.Name || answered["date_modified"] != g.DateModified.Format(time.RFC1123Z) {
				t.Errorf("answer %s does not show the stored group %+v", body, g)
			}
		})
	}
}

func TestUpdateRejects(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(2))
	before := s.Groups()
	tests := []struct {
		name, path, body string
		status           int
		mention          string
	}{
		{"unknown id is 404", "/customer_groups/99", `{"name":"X"}`, 404, ""},
		{"name taken by another group is 409", "/customer_groups/1", `{"name":"retail 002"}`, 409, "retail 002"},
		{"empty name is 400", "/customer_groups/1", `{"name":" "}`, 400, "name"},
		{"read-only id is 400", "/customer_groups/1", `{"id":2}`, 400, "id"},
		{"unknown field is 400", "/customer_groups/1", `{"nom":"X"}`, 400, "nom"},
		{"invalid rule is 400", "/customer_groups/1", `{"discount_rules":[{"type":"product","method":"percent","amount":"1"}]}`, 400, "product_id"},
		{"malformed JSON is 400", "/customer_groups/1", `{`, 400, "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodPut, tt.path, tt.body)
			wantV2Error(t, resp, body, tt.status, tt.mention)
		})
	}
	t.Run("non-JSON content type is 415", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, s, http.MethodPut, "/customer_groups/1", `{"name":"X"}`, header("Content-Type", "text/plain"))
		wantV2Error(t, resp, body, http.StatusUnsupportedMediaType)
	})
	t.Cleanup(func() {
		after := s.Groups()
		for i := range before {
			if before[i].Name != after[i].Name || !before[i].DateModified.Equal(after[i].DateModified) {
				t.Errorf("group %d changed by refused updates: %+v", before[i].ID, after[i])
			}
		}
	})
}

func TestOneGuestGroupAtATime(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	create(t, s, `{"name":"Guests","is_group_for_guests":true}`)
	create(t, s, `{"name":"Visitors","is_group_for_guests":true}`)
	if g1, _ := s.Group(1); g1.IsGroupForGuests {
		t.Error("group 1 kept the guest flag after group 2 took it")
	}
	resp, body := send(t, s, http.MethodPut, "/customer_groups/1", `{"is_group_for_guests":true}`)
	wantStatus(t, resp, body, 200)
	g1, _ := s.Group(1)
	g2, _ := s.Group(2)
	if !g1.IsGroupForGuests || g2.IsGroupForGuests {
		t.Errorf("guest flags %v/%v, want only group 1", g1.IsGroupForGuests, g2.IsGroupForGuests)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(3))
	resp, body := send(t, s, http.MethodDelete, "/customer_groups/2", "")
	wantStatus(t, resp, body, http.StatusNoContent)
	if len(body) != 0 {
		t.Errorf("body %q, want none", body)
	}
	if _, ok := s.Group(2); ok {
		t.Error("group 2 still stored")
	}
	for _, path := range []string{"/customer_groups/2", "/customer_groups/42"} {
		resp, body = send(t, s, http.MethodDelete, path, "")
		wantV2Error(t, resp, body, http.StatusNotFound)
		resp, body = send(t, s, http.MethodGet, path, "")
		wantV2Error(t, resp, body, http.StatusNotFound)
	}
	if g := create(t, s, `{"name":"After"}`); g["id"] != 4.0 {
		t.Errorf("new id %v, want 4: ids are never reused", g["id"])
	}
}

func TestDeleteAll(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(5))
	resp, body := send(t, s, http.MethodDelete, "/customer_groups", "")
	wantStatus(t, resp, body, http.StatusNoContent)
	if len(body) != 0 {
		t.Errorf("body %q, want none", body)
	}
	resp, body = send(t, s, http.MethodGet, "/customer_groups", "")
	wantStatus(t, resp, body, http.StatusNoContent)
	resp, body = send(t, s, http.MethodGet, "/customer_groups/count", "")
	wantStatus(t, resp, body, 200)
	if string(body) != `{"count":0}` {
		t.Errorf("count %s", body)
	}
	resp, body = send(t, s, http.MethodDelete, "/customer_groups", "")
	wantStatus(t, resp, body, http.StatusNoContent)
	if g := create(t, s, `{"name":"Fresh"}`); g["id"] != 6.0 {
		t.Errorf("new id %v, want 6", g["id"])
	}
}
