package bigcommercetest_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// pythonCall is one request as BigCommerce's official Python client
// (bigcommerce-api-python 0.23.x) sends it for customer groups: its path
// and query after the store's v2 root exactly as the client builds them
// (urllib's urlencode of the keyword arguments: True and False spelled as
// Python prints them, ':' as %3A), and for writes the body json.dumps
// makes (", " and ": " between tokens).
type pythonCall struct {
	name         string // the Python call that sends it
	method, path string
	body         string
	status       int
	check        func(t *testing.T, body []byte)
}

// TestOfficialPythonClientCalls replays, in order, the calls the Python
// client makes for each customer-groups operation, with its headers, and
// checks the fake's answers: the fake must accept what the official
// client sends.
func TestOfficialPythonClientCalls(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.Add(bigcommercetest.Group{Name: "Retail", IsDefault: true})
	s.Add(bigcommercetest.Group{Name: "Wholesale"})
	s.Add(bigcommercetest.Group{Name: "Guests", IsGroupForGuests: true})

	idsAre := func(want ...int) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			t.Helper()
			if got := ids(t, body); !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
		}
	}
	countIs := func(want int) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			t.Helper()
			if got := decode[map[string]int](t, body)["count"]; got != want {
				t.Errorf("count %d, want %d", got, want)
			}
		}
	}
	field := func(key string, want any) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			t.Helper()
			if got := decode[object](t, body)[key]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v", key, got, want)
			}
		}
	}
	calls := []pythonCall{
		{"CustomerGroups.all()", "GET", "/customer_groups", "", 200, idsAre(1, 2, 3)},
		{"CustomerGroups.all(is_default=False)", "GET", "/customer_groups?is_default=False", "", 200, idsAre(2, 3)},
		{"CustomerGroups.all(is_default=True)", "GET", "/customer_groups?is_default=True", "", 200, idsAre(1)},
		{"CustomerGroups.all(is_group_for_guests=True)", "GET", "/customer_groups?is_group_for_guests=True", "", 200, idsAre(3)},
		{"CustomerGroups.all(name='Wholesale')", "GET", "/customer_groups?name=Wholesale", "", 200, idsAre(2)},
		{"CustomerGroups.all(**{'name:like': 'whole sale'})", "GET", "/customer_groups?name%3Alike=whole+sale", "", 204, nil},
		{"CustomerGroups.all(**{'name:like': 'WHOLE'})", "GET", "/customer_groups?name%3Alike=WHOLE", "", 200, idsAre(2)},
		{"CustomerGroups.all(**{'date_created:min': '2000-01-01'})", "GET", "/customer_groups?date_created%3Amin=2000-01-01", "", 200, idsAre(1, 2, 3)},
		{"CustomerGroups.all(page=2, limit=1)", "GET", "/customer_groups?page=2&limit=1", "", 200, idsAre(2)},
		{"CustomerGroups.iterall(), first page", "GET", "/customer_groups?page=1&limit=250", "", 200, idsAre(1, 2, 3)},
		{"CustomerGroups.iterall(), the page that ends it", "GET", "/customer_groups?page=2&limit=250", "", 204, nil},
		{"CustomerGroups.get(2)", "GET", "/customer_groups/2", "", 200, field("name", "Wholesale")},
		{"CustomerGroups.count()", "GET", "/customer_groups/count", "", 200, countIs(3)},
		{"CustomerGroups.count(is_default=False)", "GET", "/customer_groups/count?is_default=False", "", 200, countIs(2)},
		{"CustomerGroups.count(is_group_for_guests=False)", "GET", "/customer_groups/count?is_group_for_guests=False", "", 200, countIs(2)},
		{"CustomerGroups.create(name='Trade', discount_rules=[...])", "POST", "/customer_groups",
			`{"name": "Trade", "discount_rules": [{"type": "all", "method": "percent", "amount": 12.5}]}`, 201,
			func(t *testing.T, body []byte) {
				g := decode[object](t, body)
				rules, _ := g["discount_rules"].([]any)
				if g["id"] != 4.0 || len(rules) != 1 || rules[0].(object)["amount"] != "12.5000" {
					t.Errorf("created %s, want id 4 with one rule of amount \"12.5000\"", body)
				}
			}},
		{"group.update(name='Trade Partners', is_default=False)", "PUT", "/customer_groups/4",
			`{"name": "Trade Partners", "is_default": false}`, 200, field("name", "Trade Partners")},
		{"group.delete()", "DELETE", "/customer_groups/4", "", 204, nil},
		{"CustomerGroups.get(4) after the delete", "GET", "/customer_groups/4", "", 404, nil},
		{"CustomerGroups.delete_all()", "DELETE", "/customer_groups", "", 204, nil},
		{"CustomerGroups.count() after delete_all", "GET", "/customer_groups/count", "", 200, countIs(0)},
	}
	for _, c := range calls {
		resp, body := pythonSend(t, s, c)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %s %s answered %d, want %d: %s", c.name, c.method, c.path, resp.StatusCode, c.status, body)
			continue
		}
		if c.check != nil {
			t.Run(c.name, func(t *testing.T) { c.check(t, body) })
		}
	}
}

// pythonSend sends c with the headers the Python client's session sets.
func pythonSend(t *testing.T, s *bigcommercetest.Server, c pythonCall) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if c.body != "" {
		rd = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, s.OAuthBaseURL()+c.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	// The Python client's session asks for gzip too.
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-Auth-Client", s.ClientID)
	req.Header.Set("X-Auth-Token", s.AccessToken)
	req.Header.Set("User-Agent", "python-requests/2.31.0")
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
