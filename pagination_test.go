package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
)

// pageOf answers 200 with one group for each id.
func pageOf(ids ...int) httpmock.Responder {
	groups := make([]map[string]any, len(ids))
	for i, id := range ids {
		groups[i] = map[string]any{
			"id": id, "name": fmt.Sprintf("Group %d", id), "is_default": false,
			"category_access": map[string]any{"type": "all"}, "discount_rules": []any{},
			"date_created": "2024-01-02 03:04:05", "date_modified": "2024-01-02 03:04:05",
			"is_group_for_guests": false,
		}
	}
	body, err := json.Marshal(groups)
	if err != nil {
		panic(err)
	}
	return jsonResponder(http.StatusOK, string(body))
}

func idRange(from, to int) []int {
	ids := make([]int, 0, to-from+1)
	for id := from; id <= to; id++ {
		ids = append(ids, id)
	}
	return ids
}

// byPage answers page n (1-based, from the query) with pages[n-1] and
// fails the test for any other page.
func byPage(t *testing.T, pages ...httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		n, err := strconv.Atoi(req.URL.Query().Get("page"))
		if err != nil || n < 1 || n > len(pages) || pages[n-1] == nil {
			t.Errorf("unexpected request for page %q", req.URL.Query().Get("page"))
			return httpmock.NewStringResponse(http.StatusTeapot, ""), nil
		}
		return pages[n-1](req)
	}
}

type step struct {
	group CustomerGroup
	err   error
}

func collect(seq iter.Seq2[CustomerGroup, error]) []step {
	var steps []step
	for g, err := range seq {
		steps = append(steps, step{g, err})
	}
	return steps
}

// groupIDs returns the ids of steps, failing the test on any error.
func groupIDs(t *testing.T, steps []step) []int {
	t.Helper()
	ids := make([]int, 0, len(steps))
	for i, s := range steps {
		if s.err != nil {
			t.Fatalf("step %d: unexpected error %v", i, s.err)
		}
		ids = append(ids, s.group.ID)
	}
	return ids
}

// assertPageQueries checks that request i asked for page pages[i] with
// the base query.
func assertPageQueries(t *testing.T, rec *recorder, base url.Values, pages ...int) {
	t.Helper()
	reqs := rec.all()
	if len(reqs) != len(pages) {
		t.Fatalf("sent %d requests, want %d", len(reqs), len(pages))
	}
	for i, r := range reqs {
		got, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatalf("request %d: query %q: %v", i, r.Query, err)
		}
		want := url.Values{"page": {strconv.Itoa(pages[i])}}
		for k, v := range base {
			want[k] = v
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request %d: query = %v, want %v", i, got, want)
		}
		if r.Method != http.MethodGet || r.Path != "/stores/abc123/v2/customer_groups" {
			t.Errorf("request %d: %s %s", i, r.Method, r.Path)
		}
	}
}

var limit250 = url.Values{"limit": {"250"}}

func TestAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 250)...), pageOf(idRange(251, 500)...), pageOf(idRange(501, 510)...)))
	steps := collect(c.CustomerGroups.All(context.Background(), nil))
	if got, want := groupIDs(t, steps), idRange(1, 510); !reflect.DeepEqual(got, want) {
		t.Errorf("got %d ids %v..., want 1 to 510 in order", len(got), got[:min(len(got), 5)])
	}
	if g := steps[509].group; g.Name != "Group 510" || !g.DateCreated.Equal(utc(2024, 1, 2, 3, 4, 5)) {
		t.Errorf("last group = %+v", g)
	}
	assertPageQueries(t, rec, limit250, 1, 2, 3)
}

func TestAllLimitAndFilter(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 100)...), pageOf(idRange(101, 140)...)))
	opts := &ListCustomerGroupsOptions{
		CustomerGroupFilter: CustomerGroupFilter{NameLike: "Gro&ß", IsDefault: Ptr(false)},
		ListOptions:         ListOptions{Limit: 100},
	}
	if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), opts))); !reflect.DeepEqual(got, idRange(1, 140)) {
		t.Errorf("got %d ids, want 1 to 140", len(got))
	}
	assertPageQueries(t, rec, url.Values{"limit": {"100"}, "name:like": {"Gro&ß"}, "is_default": {"false"}}, 1, 2)
}

func TestAllStartsAtGivenPage(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, nil, nil, pageOf(501, 502)))
	opts := &ListCustomerGroupsOptions{ListOptions: ListOptions{Page: 3}}
	if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), opts))); !reflect.DeepEqual(got, []int{501, 502}) {
		t.Errorf("ids = %v, want [501 502]", got)
	}
	assertPageQueries(t, rec, limit250, 3)
}

func TestAllStopsOnEmptyPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		last func(t *testing.T) httpmock.Responder
	}{
		{"204 No Content", func(t *testing.T) httpmock.Responder { return fixture(t, "list_empty_204") }},
		{"200 with an empty body", func(*testing.T) httpmock.Responder { return jsonResponder(http.StatusOK, "") }},
		{"200 with an empty array", func(*testing.T) httpmock.Responder { return jsonResponder(http.StatusOK, "[]") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := setup(t)
			mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 250)...), tt.last(t)))
			if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), nil))); !reflect.DeepEqual(got, idRange(1, 250)) {
				t.Errorf("got %d ids, want 1 to 250", len(got))
			}
			assertPageQueries(t, rec, limit250, 1, 2)
		})
	}
}

func TestAllStopsOnShortPage(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, fixture(t, "list_short_page")))
	steps := collect(c.CustomerGroups.All(context.Background(), nil))
	if got := groupIDs(t, steps); !reflect.DeepEqual(got, []int{501, 502, 503}) {
		t.Errorf("ids = %v, want [501 502 503]", got)
	}
	if steps[1].group.Name != "Regional Agents" {
		t.Errorf("second group = %q, want Regional Agents", steps[1].group.Name)
	}
	assertPageQueries(t, rec, limit250, 1)
}

func TestAllLeavesOptionsUnchanged(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(1, 2), pageOf(3)))
	isDefault := Ptr(true)
	opts := &ListCustomerGroupsOptions{
		CustomerGroupFilter: CustomerGroupFilter{Name: "x", IsDefault: isDefault, DateCreatedMin: utc(2024, 1, 1, 0, 0, 0)},
		ListOptions:         ListOptions{Limit: 2},
	}
	want := ListCustomerGroupsOptions{
		CustomerGroupFilter: CustomerGroupFilter{Name: "x", IsDefault: Ptr(true), DateCreatedMin: utc(2024, 1, 1, 0, 0, 0)},
		ListOptions:         ListOptions{Limit: 2},
	}
	if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), opts))); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("ids = %v, want [1 2 3]", got)
	}
	if !reflect.DeepEqual(*opts, want) || opts.IsDefault != isDefault {
		t.Errorf("options after the walk = %+v, want %+v", *opts, want)
	}
}

func TestAllYieldsErrorOnceAndStops(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 250)...), fixture(t, "error_403"), pageOf(251)))
	steps := collect(c.CustomerGroups.All(context.Background(), nil))
	if len(steps) != 251 {
		t.Fatalf("got %d steps, want 250 groups and 1 error", len(steps))
	}
	if got := groupIDs(t, steps[:250]); !reflect.DeepEqual(got, idRange(1, 250)) {
		t.Errorf("groups before the error are not 1 to 250")
	}
	last := steps[250]
	if !errors.Is(last.err, ErrForbidden) || asAPIError(t, last.err).StatusCode != http.StatusForbidden {
		t.Errorf("error = %v, want the 403", last.err)
	}
	if !reflect.DeepEqual(last.group, CustomerGroup{}) {
		t.Errorf("group beside the error = %+v, want the zero group", last.group)
	}
	assertPageQueries(t, rec, limit250, 1, 2)
}

func TestAllBreakStopsFetching(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 250)...), pageOf(idRange(251, 500)...)))
	var ids []int
	for g, err := range c.CustomerGroups.All(context.Background(), nil) {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		ids = append(ids, g.ID)
		if len(ids) == 5 {
			break
		}
	}
	if !reflect.DeepEqual(ids, []int{1, 2, 3, 4, 5}) {
		t.Errorf("ids = %v, want [1 2 3 4 5]", ids)
	}
	assertPageQueries(t, rec, limit250, 1)
}

func TestAllSkipsIDsRepeatedByPageShift(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	// A group deleted on page 1 during the walk moves ids 3 to 5 onto page 2.
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(1, 2, 3, 4, 5), pageOf(3, 4, 5, 6, 7), pageOf(8, 9)))
	opts := &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 5}}
	if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), opts))); !reflect.DeepEqual(got, idRange(1, 9)) {
		t.Errorf("ids = %v, want 1 to 9 once each", got)
	}
	assertPageQueries(t, rec, url.Values{"limit": {"5"}}, 1, 2, 3)
}

func TestAllStopsWhenPagesRepeat(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	// A server or proxy that ignores page answers page 1 every time. The
	// guard ends the walk after 20 requests so that the test cannot hang.
	var served atomic.Int32
	mt.RegisterResponder(http.MethodGet, groupsURL, func(req *http.Request) (*http.Response, error) {
		if served.Add(1) > 20 {
			return jsonResponder(http.StatusNoContent, "")(req)
		}
		return pageOf(1, 2, 3)(req)
	})
	opts := &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 3}}
	var ids []int
	for g, err := range c.CustomerGroups.All(context.Background(), opts) {
		if err == nil {
			ids = append(ids, g.ID)
		}
	}
	if !reflect.DeepEqual(ids, []int{1, 2, 3}) {
		t.Errorf("ids = %v, want [1 2 3]", ids)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("sent %d requests, want 2: a full page with no new id must end the walk", n)
	}
}

func TestAllRangesTwice(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(1, 2), pageOf(3)))
	seq := c.CustomerGroups.All(context.Background(), &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 2}})
	first := groupIDs(t, collect(seq))
	second := groupIDs(t, collect(seq))
	if !reflect.DeepEqual(first, []int{1, 2, 3}) || !reflect.DeepEqual(second, []int{1, 2, 3}) {
		t.Errorf("walks gave %v and %v, want [1 2 3] twice", first, second)
	}
	assertPageQueries(t, rec, url.Values{"limit": {"2"}}, 1, 2, 1, 2)
}

func TestAllStopsWhenContextIsCancelled(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(idRange(1, 250)...), pageOf(idRange(251, 500)...)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var steps []step
	for g, err := range c.CustomerGroups.All(ctx, nil) {
		steps = append(steps, step{g, err})
		if g.ID == 250 {
			cancel()
		}
	}
	if len(steps) != 251 {
		t.Fatalf("got %d steps, want 250 groups and 1 error", len(steps))
	}
	groupIDs(t, steps[:250])
	if last := steps[250]; !errors.Is(last.err, context.Canceled) || last.group.ID != 0 {
		t.Errorf("last step = %+v, %v; want a zero group and context.Canceled", last.group, last.err)
	}
	// Page 2 may or may not reach the transport, but nothing after it does.
	if n := rec.count(); n < 1 || n > 2 {
		t.Errorf("sent %d requests, want 1 or 2", n)
	}
}

func TestAllWithCancelledContextYieldsOneError(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(1)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	steps := collect(c.CustomerGroups.All(ctx, nil))
	if len(steps) != 1 || !errors.Is(steps[0].err, context.Canceled) || steps[0].group.ID != 0 {
		t.Fatalf("steps = %+v, want one context.Canceled error", steps)
	}
	if n := rec.count(); n > 1 {
		t.Errorf("sent %d requests, want at most 1", n)
	}
}

func TestAllInvalidOptionsYieldOneError(t *testing.T) {
	t.Parallel()
	c, _, rec := setup(t)
	steps := collect(c.CustomerGroups.All(context.Background(), &ListCustomerGroupsOptions{ListOptions: ListOptions{Limit: 300}}))
	if len(steps) != 1 {
		t.Fatalf("got %d steps, want 1", len(steps))
	}
	var vErr *ValidationError
	if !errors.Is(steps[0].err, ErrInvalidRequest) || !errors.As(steps[0].err, &vErr) || vErr.Field != "Limit" {
		t.Errorf("error = %v, want a Limit validation error", steps[0].err)
	}
	if !reflect.DeepEqual(steps[0].group, CustomerGroup{}) {
		t.Errorf("group = %+v, want the zero group", steps[0].group)
	}
	if n := rec.count(); n != 0 {
		t.Errorf("sent %d requests, want 0", n)
	}
}

func TestAllLeavesZeroOptionsUnchanged(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, byPage(t, pageOf(1, 2)))
	opts := &ListCustomerGroupsOptions{}
	if got := groupIDs(t, collect(c.CustomerGroups.All(context.Background(), opts))); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("ids = %v, want [1 2]", got)
	}
	// The walk's own defaults (limit 250, page 1) must not leak back.
	if *opts != (ListCustomerGroupsOptions{}) {
		t.Errorf("options after the walk = %+v, want the zero value", *opts)
	}
}
