package benchmarks

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// refGroup decodes a group with encoding/json the way the SDK always has:
// the nested exported types through their own UnmarshalJSON, and refDate
// doing what the SDK's date field does. It is what the SDK's decoding
// must keep matching: the way encoding/json reads the group object
// itself (names matched ignoring case, a name given twice, null, UTF-8).
type refGroup struct {
	ID               int                        `json:"id"`
	Name             string                     `json:"name"`
	IsDefault        bool                       `json:"is_default"`
	CategoryAccess   bigcommerce.CategoryAccess `json:"category_access"`
	DiscountRules    []bigcommerce.DiscountRule `json:"discount_rules"`
	IsGroupForGuests bool                       `json:"is_group_for_guests"`
	DateCreated      refDate                    `json:"date_created"`
	DateModified     refDate                    `json:"date_modified"`
}

type refDate struct{ t time.Time }

func (d *refDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		d.t = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := bigcommerce.ParseDate(s)
	d.t = t
	return err
}

func (r refGroup) group() bigcommerce.CustomerGroup {
	return bigcommerce.CustomerGroup{
		ID: r.ID, Name: r.Name, IsDefault: r.IsDefault, CategoryAccess: r.CategoryAccess,
		DiscountRules: r.DiscountRules, IsGroupForGuests: r.IsGroupForGuests,
		DateCreated: r.DateCreated.t, DateModified: r.DateModified.t,
	}
}

// trickyGroups are group objects that the SDK must decode exactly as
// encoding/json does, or refuse where encoding/json fails.
var trickyGroups = []string{
	`{"id": 1, "name": "Plain"}`,
	`{"id":1,"name":"Dense","is_default":true,"category_access":{"type":"specific","categories":[1,"2",3.0]},"discount_rules":[{"type":"all","method":"percent","amount":"5.0000"}],"is_group_for_guests":false,"date_created":"2022-01-03 12:15:17","date_modified":"Sun, 09 Jan 2022 15:18:38 +0000"}`,
	" \t\r\n{ \"id\" : 2 , \"name\" : \"Spaced\" , \"discount_rules\" : [ ] } \n",
	`{"id": 3, "name": "Esc\u0061ped \"quote\" \\ tab\t", "category_access": {"type": "none"}}`,
	`{"id": 4, "name": "Broken \ud800 surrogate"}`,
	"{\"id\": 5, \"name\": \"Bad UTF-8 \xff\xfe\"}",
	`{"ID": 6, "name": "Upper-case key"}`,
	`{"id": 7, "Name": "Upper-case name key"}`,
	"{\"id\": 8, \"nam\u212a\": \"Kelvin sign key\"}",
	`{"i\u0064": 9, "name": "Escaped key"}`,
	`{"id": 10, "name": "Dup", "name": "Duplicate key"}`,
	`{"id": 11, "id": 12}`,
	`{"id": 13, "name": null, "is_default": null, "category_access": null, "discount_rules": null, "date_created": null}`,
	`{"id": 14, "category_access": {"type": null, "categories": null}}`,
	`{"id": 15, "category_access": {"type": 5, "categories": []}}`,
	`{"id": 16, "category_access": {"type": "all", "categories": ["x"]}}`,
	`{"id": 17, "discount_rules": [null, {"type": "all"}]}`,
	`{"id": 18, "discount_rules": [{"type": "all", "method": true, "amount": 7.5}]}`,
	`{"id": 19, "discount_rules": [{"type": "product", "product_id": "20", "amount": "1e2"}]}`,
	`{"id": 20, "discount_rules": [{"type": "product", "product_id": 20.5}]}`,
	`{"id": 21, "discount_rules": [{"Type": "product"}]}`,
	`{"id": 22, "discount_rules": {"type": "all"}}`,
	`{"id": 23, "extra": {"nested": [1, {"deep": [true, false, null, "s\n"]}], "more": -1.5e-3}}`,
	`{"id": 24, "extra": [01]}`,
	`{"id": 25} trailing`,
	`{"id": 26,}`,
	`{"id": "27"}`,
	`{"id": 28.0}`,
	`{"id": 99999999999999999999}`,
	`{"id": -5}`,
	`{"id": 29, "is_default": "true"}`,
	`{"id": 30, "date_created": 12345}`,
	`{"id": 31, "date_created": "not a date"}`,
	`{"id": 32, "date_created": "2024-06-11T14:22:06Z", "date_modified": "Tue, 11 Jun 2024 14:22:06 GMT"}`,
	`{"id": 33, "name": "truncated`,
	`{"id": 34, "name": "x"`,
	`{"id": 35, "discount_rules": [{"type": "all", "amount": {}}]}`,
	`{"id": 36, "category_access": "all"}`,
	`{}`,
	`null`,
	`[]`,
	"\xef\xbb\xbf{\"id\": 37}",
}

// TestSDKDecodesAsEncodingJSON sends each tricky group through Get and,
// as a page with a plain group around it, through List; each must give
// what encoding/json gives, or a DecodeError where encoding/json fails.
func TestSDKDecodesAsEncodingJSON(t *testing.T) {
	plain := `{"id": 100, "name": "Around", "date_created": "2022-01-03 12:15:17"}`
	for i, body := range trickyGroups {
		var want refGroup
		wantErr := json.Unmarshal([]byte(body), &want)
		got, _, err := memoryGet(t, body)
		checkAgreement(t, "Get "+body, []refGroup{want}, wantErr, want.ID < 1, oneOrNone(got), err)

		page := "[" + plain + ",\n" + body + "]"
		if i%2 == 1 {
			page = "[" + body + ", " + plain + "]"
		}
		var wantPage []refGroup
		wantErr = json.Unmarshal([]byte(page), &wantPage)
		noID := false
		for _, g := range wantPage {
			noID = noID || g.ID < 1
		}
		groups, _, err := memoryList(t, page)
		checkAgreement(t, "List "+page, wantPage, wantErr, noID, groups, err)
	}
}

func checkAgreement(t *testing.T, what string, want []refGroup, wantErr error, noID bool, got []bigcommerce.CustomerGroup, err error) {
	t.Helper()
	if wantErr != nil || noID {
		var decErr *bigcommerce.DecodeError
		if !errors.As(err, &decErr) || got != nil {
			t.Errorf("%s: encoding/json fails (%v) or finds no id, but the SDK gave %v, %v", what, wantErr, got, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: encoding/json decodes it, the SDK says %v", what, err)
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d groups, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if w := want[i].group(); !sameGroup(got[i], w) {
			t.Errorf("%s: group %d\n  sdk           %#v\n  encoding/json %#v", what, i, got[i], w)
		}
	}
}

// sameGroup compares everything, nil against empty slices included, and
// times by instant, zone name and offset.
func sameGroup(a, b bigcommerce.CustomerGroup) bool {
	for _, p := range [][2]time.Time{{a.DateCreated, b.DateCreated}, {a.DateModified, b.DateModified}} {
		an, ao := p[0].Zone()
		bn, bo := p[1].Zone()
		if !p[0].Equal(p[1]) || an != bn || ao != bo {
			return false
		}
	}
	a.DateCreated, a.DateModified, b.DateCreated, b.DateModified = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func oneOrNone(g *bigcommerce.CustomerGroup) []bigcommerce.CustomerGroup {
	if g == nil {
		return nil
	}
	return []bigcommerce.CustomerGroup{*g}
}

func memoryResponse(body string) recorded {
	return recorded{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)}
}

func memoryGet(t *testing.T, body string) (*bigcommerce.CustomerGroup, *bigcommerce.Response, error) {
	return newMemoryClient(t, memoryResponse(body)).CustomerGroups.Get(bg, 1)
}

func memoryList(t *testing.T, body string) ([]bigcommerce.CustomerGroup, *bigcommerce.Response, error) {
	return newMemoryClient(t, memoryResponse(body)).CustomerGroups.List(bg, nil)
}
