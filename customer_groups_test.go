package bigcommerce

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"
)

// What the tests of the customer-group service share: the recorded
// request, the checks of what was sent and what came back. The tests
// themselves are in customer_groups_reads_test.go (List, Get, Count),
// customer_groups_writes_test.go (Create, Update, Delete) and
// customer_groups_json_test.go (the reference's responses and the JSON
// form of the types).

const groupsURL = testBaseURL + "/customer_groups"

// wantRequest is what one call must have sent.
type wantRequest struct {
	method string
	path   string     // relative to the API root
	query  url.Values // nil for none
	body   string     // exact bytes; "" for no body
}

// assertSent checks that exactly one request was sent and that it is want,
// headers included.
func assertSent(t *testing.T, rec *recorder, want wantRequest) {
	t.Helper()
	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("sent %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != want.method {
		t.Errorf("method = %q, want %q", r.Method, want.method)
	}
	if wantPath := "/stores/" + testStoreHash + "/v2" + want.path; r.Path != wantPath {
		t.Errorf("path = %q, want %q", r.Path, wantPath)
	}
	gotQuery, err := url.ParseQuery(r.Query)
	if err != nil {
		t.Errorf("query %q does not parse: %v", r.Query, err)
	}
	wantQuery := want.query
	if wantQuery == nil {
		wantQuery = url.Values{}
	}
	if !reflect.DeepEqual(gotQuery, wantQuery) {
		t.Errorf("query = %v (raw %q), want %v", gotQuery, r.Query, wantQuery)
	}
	if got := r.Header.Values("Accept"); !reflect.DeepEqual(got, []string{"application/json"}) {
		t.Errorf("Accept = %q, want [application/json]", got)
	}
	if got, wantUA := r.Header.Get("User-Agent"), "bigcommerce-customergroups-go/"+Version; got != wantUA {
		t.Errorf("User-Agent = %q, want %q", got, wantUA)
	}
	if want.body == "" {
		if got := r.Header.Values("Content-Type"); len(got) != 0 {
			t.Errorf("Content-Type = %q on a request without a body", got)
		}
		if len(r.Body) != 0 {
			t.Errorf("body = %q, want none", r.Body)
		}
		return
	}
	if got := r.Header.Values("Content-Type"); !reflect.DeepEqual(got, []string{"application/json"}) {
		t.Errorf("Content-Type = %q, want [application/json]", got)
	}
	if string(r.Body) != want.body {
		t.Errorf("body =\n%s\nwant\n%s", r.Body, want.body)
	}
}

// assertGroup compares two groups, dates by instant.
func assertGroup(t *testing.T, got, want CustomerGroup) {
	t.Helper()
	if !got.DateCreated.Equal(want.DateCreated) {
		t.Errorf("group %d: DateCreated = %v, want %v", want.ID, got.DateCreated, want.DateCreated)
	}
	if !got.DateModified.Equal(want.DateModified) {
		t.Errorf("group %d: DateModified = %v, want %v", want.ID, got.DateModified, want.DateModified)
	}
	got.DateCreated, got.DateModified = time.Time{}, time.Time{}
	want.DateCreated, want.DateModified = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group =\n%#v\nwant\n%#v", got, want)
	}
}

// asAPIError unwraps err to an *APIError, failing the test when it is not one.
func asAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

func utc(year int, month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, 0, time.UTC)
}
