package bigcommerce

// The only test file that imports the JSON v2 packages, as decode.go is
// the only other file.

import (
	jsonv1 "encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// isSyntaxError reports whether err wraps a body that is not JSON.
func isSyntaxError(err error) bool {
	var syn *jsontext.SyntacticError
	return errors.As(err, &syn)
}

// isTypeError reports whether err wraps JSON of a shape the value cannot
// hold, such as an object where a page was expected.
func isTypeError(err error) bool {
	var sem *json.SemanticError
	return errors.As(err, &sem) && !isSyntaxError(err)
}

// TestGroupsDecodeAsEncodingJSONReadsThem pins the options that make JSON
// v2 read a group the way encoding/json always has for this package.
func TestGroupsDecodeAsEncodingJSONReadsThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want CustomerGroup
	}{
		{"names match ignoring case", `{"ID": 3, "Name": "Trade", "IS_DEFAULT": true}`,
			CustomerGroup{ID: 3, Name: "Trade", IsDefault: true}},
		{"but not without their underscores", `{"id": 3, "isdefault": true, "is-default": true}`,
			CustomerGroup{ID: 3}},
		{"a name given twice counts its last value", `{"id": 3, "name": "first", "name": "last"}`,
			CustomerGroup{ID: 3, Name: "last"}},
		{"invalid UTF-8 reads as U+FFFD", "{\"id\": 3, \"name\": \"a\xffb\"}",
			CustomerGroup{ID: 3, Name: "a\uFFFDb"}},
		{"a lone surrogate reads as U+FFFD", `{"id": 3, "name": "a\ud800b"}`,
			CustomerGroup{ID: 3, Name: "a\uFFFDb"}},
		{"unknown names are skipped", `{"id": 3, "extra": {"deep": [1, "two", null]}}`,
			CustomerGroup{ID: 3}},
		{"null leaves a field empty", `{"id": 3, "name": null, "category_access": null, "discount_rules": null, "date_created": null}`,
			CustomerGroup{ID: 3}},
		{"empty lists stay empty, not nil", `{"id": 3, "category_access": {"type": "none", "categories": []}, "discount_rules": []}`,
			CustomerGroup{ID: 3, CategoryAccess: CategoryAccess{Type: CategoryAccessNone, Categories: []int{}}, DiscountRules: []DiscountRule{}}},
		{"more ids and rules than the scratch buffers hold", `{"id": 3, "category_access": {"type": "specific", "categories": [` +
			strings.TrimSuffix(strings.Repeat(`"7", `, 20), ", ") + `]}, "discount_rules": [` +
			strings.TrimSuffix(strings.Repeat(`{"type": "product", "method": true, "amount": 1.5, "product_id": "9"}, `, 10), ", ") + `]}`,
			CustomerGroup{ID: 3, CategoryAccess: CategoryAccess{Type: CategoryAccessSpecific, Categories: slices.Repeat([]int{7}, 20)},
				DiscountRules: slices.Repeat([]DiscountRule{{Type: DiscountRuleProduct, Amount: "1.5", ProductID: 9}}, 10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var fromClient CustomerGroup
			if err := decodeBody([]byte(tt.in), &fromClient); err != nil {
				t.Fatalf("decodeBody: %v", err)
			}
			var fromV1 CustomerGroup
			if err := jsonv1.Unmarshal([]byte(tt.in), &fromV1); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			for _, got := range []CustomerGroup{fromClient, fromV1} {
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("decoded %s as\n %#v\nwant\n %#v", tt.in, got, tt.want)
				}
			}
		})
	}
}

func TestEscapedDigitsAreNoID(t *testing.T) {
	t.Parallel()
	var n flexInt
	if err := unmarshal([]byte(`"\u0032\u0030"`), &n); err == nil || !strings.Contains(err.Error(), "not an integer id") {
		t.Errorf(`"\u0032\u0030" read as %d, error %v; want it refused as no integer id`, n, err)
	}
}

func TestPageErrorsNameTheGroup(t *testing.T) {
	t.Parallel()
	var page []CustomerGroup
	err := decodeBody([]byte(`[{"id": 1}, {"id": 2}, {"name": "no id"}]`), &page)
	if err == nil || !strings.Contains(err.Error(), "element 2 of the page is not a group with an id") || page != nil {
		t.Errorf("page %v, error %v; want no page and an error naming element 2", page, err)
	}
	if !isTypeError(err) {
		t.Errorf("error %v is not a type error", err)
	}
}
