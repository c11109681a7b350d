package bigcommerce_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The end-to-end tests (e2e_*_test.go) run every method of the SDK
// against bigcommercetest, once per authentication scheme, checking what
// the SDK returns, what the fake stored and what went over the wire. This
// file holds what they share: the schemes, the environment of one run and
// the checks.

// scheme is one of BigCommerce's two ways of authenticating.
type scheme struct {
	name   string
	client func(*bigcommercetest.Server, ...bigcommerce.Option) *bigcommerce.Client
	// root is the path of the API root on the fake.
	root func(*bigcommercetest.Server) string
	// checkAuth says what is wrong with a request's credentials, if anything.
	checkAuth func(*bigcommercetest.Server, bigcommercetest.RecordedRequest) error
}

var schemes = []scheme{
	{
		name:   "oauth",
		client: (*bigcommercetest.Server).Client,
		root:   func(s *bigcommercetest.Server) string { return "/stores/" + s.StoreHash + "/v2" },
		checkAuth: func(s *bigcommercetest.Server, r bigcommercetest.RecordedRequest) error {
			switch {
			case r.Header.Get("X-Auth-Token") != s.AccessToken:
				return errors.New("X-Auth-Token is not the read-write token")
			case r.Header.Get("X-Auth-Client") != s.ClientID:
				return errors.New("X-Auth-Client is not the client id")
			case r.Header.Get("Authorization") != "":
				return errors.New("an Authorization header was sent beside X-Auth-Token")
			}
			return nil
		},
	},
	{
		name:   "basic",
		client: (*bigcommercetest.Server).BasicClient,
		root:   func(*bigcommercetest.Server) string { return "/api/v2" },
		checkAuth: func(s *bigcommercetest.Server, r bigcommercetest.RecordedRequest) error {
			want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.Username+":"+s.APIKey))
			switch {
			case r.Header.Get("Authorization") != want:
				return errors.New("Authorization is not Basic with the API account's username and key")
			case r.Header.Get("X-Auth-Token") != "":
				return errors.New("an X-Auth-Token header was sent beside Basic credentials")
			}
			return nil
		},
	},
}

// env is one scheme's client and the fake it talks to.
type env struct {
	srv    *bigcommercetest.Server
	scheme scheme
	groups *bigcommerce.CustomerGroupsService
	ctx    context.Context
}

// forEachScheme runs f once per scheme, in parallel, each on a fresh fake
// made with opts. When f is done, every request the fake received must carry
// the scheme's credentials under its root.
func forEachScheme(t *testing.T, opts []bigcommercetest.Option, f func(t *testing.T, e *env)) {
	t.Helper()
	for _, sc := range schemes {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(opts...)
			t.Cleanup(srv.Close)
			e := &env{
				srv:    srv,
				scheme: sc,
				groups: sc.client(srv, bigcommerce.WithRetryWait(0, 0)).CustomerGroups,
				ctx:    t.Context(),
			}
			t.Cleanup(func() { e.calls(t) })
			f(t, e)
		})
	}
}

// calls lists the requests received since the last reset as "METHOD path"
// or "METHOD path?query", the path relative to the API root, and checks
// their credentials.
func (e *env) calls(t *testing.T) []string {
	t.Helper()
	root := e.scheme.root(e.srv)
	var out []string
	for _, r := range e.srv.Requests() {
		rel, ok := strings.CutPrefix(r.Path, root+"/")
		if !ok {
			t.Errorf("%s %s is not under the %s root %s", r.Method, r.Path, e.scheme.name, root)
		}
		if err := e.scheme.checkAuth(e.srv, r); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
		}
		call := r.Method + " /" + rel
		if r.RawQuery != "" {
			call += "?" + r.RawQuery
		}
		out = append(out, call)
	}
	return out
}

// wantCalls checks the requests since the last reset, then resets them.
func (e *env) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	if got := e.calls(t); !slices.Equal(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
	e.srv.ResetRequests()
}

// sdkGroup is the SDK's view of a group the fake stores.
func sdkGroup(g bigcommercetest.Group) bigcommerce.CustomerGroup {
	out := bigcommerce.CustomerGroup{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		IsGroupForGuests: g.IsGroupForGuests,
		CategoryAccess:   bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessType(g.CategoryAccess.Type)},
		DateCreated:      g.DateCreated,
		DateModified:     g.DateModified,
	}
	if g.CategoryAccess.Type == "specific" {
		out.CategoryAccess.Categories = g.CategoryAccess.Categories
	}
	for _, r := range g.DiscountRules {
		out.DiscountRules = append(out.DiscountRules, bigcommerce.DiscountRule{
			Type:        bigcommerce.DiscountRuleType(r.Type),
			Method:      bigcommerce.DiscountMethod(r.Method),
			Amount:      bigcommerce.Amount(r.Amount),
			ProductID:   r.ProductID,
			CategoryID:  r.CategoryID,
			PriceListID: r.PriceListID,
		})
	}
	return out
}

// checkGroup checks that got is exactly the stored group, amounts to
// the character and dates to the second.
func checkGroup(t *testing.T, got bigcommerce.CustomerGroup, stored bigcommercetest.Group) {
	t.Helper()
	want := sdkGroup(stored)
	if !got.DateCreated.Equal(want.DateCreated) || !got.DateModified.Equal(want.DateModified) {
		t.Errorf("group #%d dates %v / %v, want %v / %v", got.ID, got.DateCreated, got.DateModified, want.DateCreated, want.DateModified)
	}
	got.DateCreated, got.DateModified = time.Time{}, time.Time{}
	want.DateCreated, want.DateModified = time.Time{}, time.Time{}
	if len(got.DiscountRules) == 0 {
		got.DiscountRules = nil // the API sends [], the fake stores nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group #%d\n got %+v\nwant %+v", stored.ID, got, want)
	}
}

// checkGroups checks got against the stored groups, one by one.
func checkGroups(t *testing.T, got []bigcommerce.CustomerGroup, stored []bigcommercetest.Group) {
	t.Helper()
	if len(got) != len(stored) {
		t.Fatalf("got %d groups %v, want %d %v", len(got), idsOf(got), len(stored), storedIDs(stored))
	}
	for i := range got {
		checkGroup(t, got[i], stored[i])
	}
}

// idsOf lists the groups' ids, for messages and comparisons.
func idsOf(groups []bigcommerce.CustomerGroup) []int {
	out := make([]int, len(groups))
	for i, g := range groups {
		out[i] = g.ID
	}
	return out
}

// storedIDs lists the fake's groups' ids.
func storedIDs(groups []bigcommercetest.Group) []int {
	out := make([]int, len(groups))
	for i, g := range groups {
		out[i] = g.ID
	}
	return out
}

// idRange is the ids from and to, both included.
func idRange(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// walk collects the ids All yields, failing on an error.
func (e *env) walk(t *testing.T, opts *bigcommerce.ListCustomerGroupsOptions) []int {
	t.Helper()
	var ids []int
	for g, err := range e.groups.All(e.ctx, opts) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		ids = append(ids, g.ID)
	}
	return ids
}

// jsonValue decodes a JSON text, so that bodies compare by value whatever
// the order of their fields.
func jsonValue(t *testing.T, text []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	return v
}

// lastRequest returns the latest request the fake received.
func (e *env) lastRequest(t *testing.T) bigcommercetest.RecordedRequest {
	t.Helper()
	reqs := e.srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return reqs[len(reqs)-1]
}

// wantAPIError fails unless err matches sentinel and is an *APIError
// with the given status.
func wantAPIError(t *testing.T, err error, sentinel error, status int) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want one matching %v", err, sentinel)
	}
	var apiErr *bigcommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
		t.Fatalf("error %#v, want an *APIError with status %d", err, status)
	}
}

// filterMatches is the filter's meaning, applied in Go to the fake's groups.
// Dates match to the second, the precision of the wire format.
func filterMatches(f bigcommerce.CustomerGroupFilter, g bigcommercetest.Group) bool {
	date := func(t, exact, lo, hi time.Time) bool {
		return (exact.IsZero() || t.Equal(exact)) && (lo.IsZero() || !t.Before(lo)) && (hi.IsZero() || !t.After(hi))
	}
	return (f.Name == "" || g.Name == f.Name) &&
		(f.NameLike == "" || strings.Contains(strings.ToLower(g.Name), strings.ToLower(f.NameLike))) &&
		(f.IsDefault == nil || g.IsDefault == *f.IsDefault) &&
		(f.IsGroupForGuests == nil || g.IsGroupForGuests == *f.IsGroupForGuests) &&
		date(g.DateCreated, f.DateCreated, f.DateCreatedMin, f.DateCreatedMax) &&
		date(g.DateModified, f.DateModified, f.DateModifiedMin, f.DateModifiedMax)
}
