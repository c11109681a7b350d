package bigcommercetest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestListPaging(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(260))
	tests := []struct {
		name      string
		query     string
		wantCount int
		wantFirst int
	}{
		{"default limit is 50", "", 50, 1},
		{"page 2 continues after 50", "?page=2", 50, 51},
		{"limit sets the page size", "?limit=7&page=3", 7, 15},
		{"limit 250 is the maximum", "?limit=250", 250, 1},
		{"last page is short", "?limit=250&page=2", 10, 251},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodGet, "/customer_groups"+tt.query, "")
			wantStatus(t, resp, body, 200)
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			got := ids(t, body)
			if len(got) != tt.wantCount || got[0] != tt.wantFirst {
				t.Errorf("got %d groups starting at %d, want %d starting at %d", len(got), got[0], tt.wantCount, tt.wantFirst)
			}
			if !slices.IsSorted(got) {
				t.Errorf("ids not ascending: %v", got)
			}
		})
	}
}

func TestListLimitOver250Is413(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	resp, body := send(t, s, http.MethodGet, "/customer_groups?limit=251", "")
	wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	want := `[{"status":413,"message":"The specified limit exceeds the maximum allowed.","details":{"max_limit":250}}]`
	if string(body) != want {
		t.Errorf("body %s\nwant %s", body, want)
	}
}

func TestListBadPagingIs400(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	for _, q := range []string{"page=0", "page=-1", "page=two", "limit=0", "limit=1.5", "limit="} {
		t.Run(q, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodGet, "/customer_groups?"+q, "")
			wantV2Error(t, resp, body, 400)
		})
	}
}

func TestListEmptyPageIs204WithoutBody(t *testing.T) {
	t.Parallel()
	empty := newFake(t)
	seeded := newFake(t, bigcommercetest.WithSeed(3))
	tests := []struct {
		name  string
		s     *bigcommercetest.Server
		query string
	}{
		{"no groups at all", empty, ""},
		{"no group matches", seeded, "?name=Nobody"},
		{"page past the end", seeded, "?page=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, tt.s, http.MethodGet, "/customer_groups"+tt.query, "")
			wantStatus(t, resp, body, http.StatusNoContent)
			if len(body) != 0 {
				t.Errorf("body %q, want none", body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "" {
				t.Errorf("Content-Type %q on an empty answer", ct)
			}
		})
	}
}

func TestListSortedByIDAfterDeletes(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(6))
	for _, id := range []string{"2", "5"} {
		resp, body := send(t, s, http.MethodDelete, "/customer_groups/"+id, "")
		wantStatus(t, resp, body, 204)
	}
	create(t, s, `{"name":"Late"}`)
	resp, body := send(t, s, http.MethodGet, "/customer_groups", "")
	wantStatus(t, resp, body, 200)
	if got, want := ids(t, body), []int{1, 3, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

// filterFixture stores groups whose fields and dates tell the filters apart.
func filterFixture(t *testing.T) *bigcommercetest.Server {
	t.Helper()
	s := newFake(t)
	day := func(d, h int) time.Time { return time.Date(2018, 9, d, h, 0, 0, 0, time.UTC) }
	s.Add(bigcommercetest.Group{Name: "Wholesale", DateCreated: day(5, 13), DateModified: day(5, 14)})
	s.Add(bigcommercetest.Group{Name: "Retail", IsDefault: true, DateCreated: day(6, 9), DateModified: day(9, 9)})
	s.Add(bigcommercetest.Group{Name: "Guests", IsGroupForGuests: true, DateCreated: day(10, 23), DateModified: day(10, 23)})
	s.Add(bigcommercetest.Group{Name: "wholesale EU", DateCreated: day(12, 8), DateModified: day(20, 8)})
	return s
}

type filterCase struct {
	name  string
	query string
	want  []int // ids in order; nil for none
}

var filterCases = []filterCase{
	{"name matches exactly", "name=Wholesale", []int{1}},
	{"name is case sensitive", "name=wholesale", nil},
	{"name:like matches a substring in any case", "name:like=WHOLE", []int{1, 4}},
	{"is_default true", "is_default=true", []int{2}},
	{"is_default 0", "is_default=0", []int{1, 3, 4}},
	{"is_group_for_guests 1", "is_group_for_guests=1", []int{3}},
	{"is_group_for_guests false", "is_group_for_guests=false", []int{1, 2, 4}},
	{"is_default False, as Python spells it", "is_default=False", []int{1, 3, 4}},
	{"is_default True", "is_default=True", []int{2}},
	{"is_default FALSE", "is_default=FALSE", []int{1, 3, 4}},
	{"is_group_for_guests TRUE", "is_group_for_guests=TRUE", []int{3}},
	{"is_group_for_guests False", "is_group_for_guests=False", []int{1, 2, 4}},
	{"date_created bare date is the whole day", "date_created=2018-09-10", []int{3}},
	{"date_created to the second", "date_created=2018-09-05T13:00:00", []int{1}},
	{"date_created:min is inclusive", "date_created:min=2018-09-06T09:00:00Z", []int{2, 3, 4}},
	{"date_created:max bare date includes that day", "date_created:max=2018-09-10", []int{1, 2, 3}},
	{"date_created min and max together", "date_created:min=2018-09-06&date_created:max=2018-09-10", []int{2, 3}},
	{"date_created RFC 1123", "date_created:max=Thu,%2006%20Sep%202018%2009:00:00%20%2B0000", []int{1, 2}},
	{"date_created reference layout", "date_created=2018-09-12%2008:00:00", []int{4}},
	{"date_created RFC 3339 with offset", "date_created=2018-09-12T10:00:00%2B02:00", []int{4}},
	{"date_modified exact", "date_modified=2018-09-09", []int{2}},
	{"date_modified:min", "date_modified:min=2018-09-09T09:00:00", []int{2, 3, 4}},
	{"date_modified:max", "date_modified:max=2018-09-09T08:59:59", []int{1}},
	{"filters combine", "name:like=whole&date_modified:min=2018-09-10", []int{4}},
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	s := filterFixture(t)
	for _, tt := range filterCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodGet, "/customer_groups?"+tt.query, "")
			if tt.want == nil {
				wantStatus(t, resp, body, http.StatusNoContent)
				return
			}
			wantStatus(t, resp, body, 200)
			if got := ids(t, body); !slices.Equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCountHonoursFilters(t *testing.T) {
	t.Parallel()
	s := filterFixture(t)
	cases := append(slices.Clone(filterCases), filterCase{"no filter counts everything", "", []int{1, 2, 3, 4}})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodGet, "/customer_groups/count?"+tt.query, "")
			wantStatus(t, resp, body, 200)
			got := decode[map[string]int](t, body)
			if len(got) != 1 || got["count"] != len(tt.want) {
				t.Errorf("body %s, want {\"count\":%d}", body, len(tt.want))
			}
		})
	}
}

func TestUnparseableFilterIs400(t *testing.T) {
	t.Parallel()
	s := filterFixture(t)
	for _, q := range []string{"is_default=yes", "is_default=Tru", "is_group_for_guests=2", "is_group_for_guests=", "date_created=yesterday", "date_modified:min=2018-13-01", "date_created:max=05/09/2018"} {
		for _, path := range []string{"/customer_groups", "/customer_groups/count"} {
			t.Run(path+"?"+q, func(t *testing.T) {
				t.Parallel()
				resp, body := send(t, s, http.MethodGet, path+"?"+q, "")
				wantV2Error(t, resp, body, 400)
			})
		}
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.Add(bigcommercetest.Group{
		Name:           "Trade",
		IsDefault:      true,
		CategoryAccess: bigcommercetest.CategoryAccess{Type: "specific", Categories: []int{18, 23}},
		DiscountRules: []bigcommercetest.DiscountRule{
			{Type: "all", Method: "percent", Amount: "5"},
			{Type: "product", Method: "fixed", Amount: "1.25", ProductID: 77},
			{Type: "category", Method: "price", Amount: "9.99", CategoryID: 20},
		},
		DateCreated:  time.Date(2023, 7, 17, 6, 30, 41, 0, time.UTC),
		DateModified: time.Date(2023, 7, 25, 1, 15, 19, 0, time.UTC),
	})
	resp, body := send(t, s, http.MethodGet, "/customer_groups/1", "")
	wantStatus(t, resp, body, 200)
	want := `{"id":1,"name":"Trade","is_default":true,` +
		`"category_access":{"type":"specific","categories":[18,23]},` +
		`"discount_rules":[{"type":"all","method":"percent","amount":"5.0000"},` +
		`{"type":"product","method":"fixed","amount":"1.2500","product_id":77},` +
		`{"type":"category","method":"price","amount":"9.9900","category_id":20}],` +
		`"date_created":"Mon, 17 Jul 2023 06:30:41 +0000","date_modified":"Tue, 25 Jul 2023 01:15:19 +0000",` +
		`"is_group_for_guests":false}`
	if string(body) != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}

	resp, body = send(t, s, http.MethodGet, "/customer_groups/2", "")
	wantV2Error(t, resp, body, 404, "The requested resource was not found.")
}

func TestGetShapes(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.Add(bigcommercetest.Group{Name: "Plain"})
	s.Add(bigcommercetest.Group{Name: "Listed", DiscountRules: []bigcommercetest.DiscountRule{{Type: "price_list", PriceListID: 3}}})
	tests := []struct {
		name, path, want string
	}{
		{"no rules is an empty array and access all has no categories", "/customer_groups/1",
			`"category_access":{"type":"all"},"discount_rules":[]`},
		{"price list rule carries only type and id", "/customer_groups/2",
			`"discount_rules":[{"type":"price_list","price_list_id":3}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, s, http.MethodGet, tt.path, "")
			wantStatus(t, resp, body, 200)
			if !strings.Contains(string(body), tt.want) {
				t.Errorf("body %s lacks %s", body, tt.want)
			}
		})
	}
}

func TestDateFormatOption(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithDateFormat(bigcommercetest.DateFormatReference))
	s.Add(bigcommercetest.Group{Name: "Dated", DateCreated: time.Date(2023, 7, 17, 6, 30, 41, 0, time.UTC)})
	resp, body := send(t, s, http.MethodGet, "/customer_groups/1", "")
	wantStatus(t, resp, body, 200)
	g := decode[object](t, body)
	if g["date_created"] != "2023-07-17 06:30:41" || g["date_modified"] != "2023-07-17 06:30:41" {
		t.Errorf("dates %v / %v, want 2023-07-17 06:30:41", g["date_created"], g["date_modified"])
	}
}
