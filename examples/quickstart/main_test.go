package main

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func noEnv(string) string { return "" }

func envOf(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func newFake(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	srv := bigcommercetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

var createdLine = regexp.MustCompile(`created group #(\d+) "(Quickstart Wholesale [^"]+)"`)

func TestTourWithoutCredentialsRunsOnTheBuiltInFake(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run(testContext(t), &stdout, &stderr, noEnv); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	out := stdout.String()
	first, _, _ := strings.Cut(out, "\n")
	if want := "No BIGCOMMERCE_STORE_HASH/BIGCOMMERCE_ACCESS_TOKEN set: running against the built-in fake store (bigcommercetest)."; first != want {
		t.Errorf("first line %q, want %q", first, want)
	}
	m := createdLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no created-group line in:\n%s", out)
	}
	id, name := m[1], m[2]
	for _, want := range []string{
		"1. Create a group",
		"amounts are exact: sent \"10.00\", got \"10.0000\" back, Equal: true",
		"- #" + id + " " + name, // the filtered list finds it
		strconv.Itoa(fakeSeed+1) + " group(s) in all",
		"before: is_default=true, 10.0000% off everything; 2.5000 off category 18",
		"after:  is_default=false, no discount rules",
		"the store has " + strconv.Itoa(fakeSeed+1) + " group(s)",
		"deleted group #" + id,
		"not found, as expected: errors.Is(err, bigcommerce.ErrNotFound) is true",
		"HTTP 404",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not empty: %s", &stderr)
	}
}

// writes returns the method and path, relative to the API root, of every
// request that could change the store.
func writes(srv *bigcommercetest.Server) []string {
	root := "/stores/" + srv.StoreHash + "/v2"
	var out []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+strings.TrimPrefix(r.Path, root))
		}
	}
	return out
}

func TestTourWritesOnlyToTheGroupItCreated(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(5))
	// A group from an earlier tour matches the tour's filter; it must
	// survive like every other group.
	srv.Add(bigcommercetest.Group{Name: namePrefix + " 1999-01-01 00:00:00.000", IsDefault: true})
	before := srv.Groups()

	var stdout, stderr bytes.Buffer
	if err := runOn(testContext(t), &stdout, &stderr, noEnv, srv); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, &stderr)
	}
	if after := srv.Groups(); !reflect.DeepEqual(after, before) {
		t.Errorf("groups after the tour differ from before:\n got %+v\nwant %+v", after, before)
	}
	m := createdLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no created-group line in:\n%s", &stdout)
	}
	id, _ := strconv.Atoi(m[1])
	if want := before[len(before)-1].ID + 1; id != want {
		t.Errorf("created group #%d, want the fake's next id %d", id, want)
	}
	self := "/customer_groups/" + m[1]
	want := []string{"POST /customer_groups", "PUT " + self, "DELETE " + self}
	if got := writes(srv); !reflect.DeepEqual(got, want) {
		t.Errorf("writes %q, want %q", got, want)
	}
}

func TestFailedStepDeletesOnlyTheCreatedGroup(t *testing.T) {
	t.Parallel()
	srv := newFake(t, bigcommercetest.WithSeed(5))
	before := srv.Groups()
	// A 422 is not retried, so the update fails at once.
	srv.InjectFault(bigcommercetest.Fault{Method: http.MethodPut, Status: http.StatusUnprocessableEntity})

	var stdout, stderr bytes.Buffer
	err := runOn(testContext(t), &stdout, &stderr, noEnv, srv)
	if err == nil || !strings.Contains(err.Error(), "updating group") {
		t.Fatalf("run returned %v, want the update's error", err)
	}
	if after := srv.Groups(); !reflect.DeepEqual(after, before) {
		t.Errorf("groups after the failed tour differ from before:\n got %+v\nwant %+v", after, before)
	}
	m := createdLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no created-group line in:\n%s", &stdout)
	}
	self := "/customer_groups/" + m[1]
	want := []string{"POST /customer_groups", "PUT " + self, "DELETE " + self}
	if got := writes(srv); !reflect.DeepEqual(got, want) {
		t.Errorf("writes %q, want %q", got, want)
	}
	if !strings.Contains(stderr.String(), "deleted group #"+m[1]) {
		t.Errorf("stderr does not report the cleanup: %q", &stderr)
	}
}

func TestCredentialsChooseTheStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        map[string]string
		wantReal   bool
		wantBanner string
	}{
		{
			name:       "both set uses the real store",
			env:        map[string]string{"BIGCOMMERCE_STORE_HASH": "abc123", "BIGCOMMERCE_ACCESS_TOKEN": "tok-SECRET"},
			wantReal:   true,
			wantBanner: `Using the store "abc123" at https://api.bigcommerce.com/stores/abc123/v2 from BIGCOMMERCE_STORE_HASH`,
		},
		{
			name:       "neither set uses the fake",
			env:        nil,
			wantBanner: "No BIGCOMMERCE_STORE_HASH/BIGCOMMERCE_ACCESS_TOKEN set: running against the built-in fake store (bigcommercetest).",
		},
		{
			name:       "a token without a store hash uses the fake and says why",
			env:        map[string]string{"BIGCOMMERCE_ACCESS_TOKEN": "tok-SECRET"},
			wantBanner: "BIGCOMMERCE_ACCESS_TOKEN is set but BIGCOMMERCE_STORE_HASH is not: running against the built-in fake store",
		},
		{
			name:       "a store hash without a token uses the fake and says why",
			env:        map[string]string{"BIGCOMMERCE_STORE_HASH": "abc123"},
			wantBanner: "BIGCOMMERCE_STORE_HASH is set but BIGCOMMERCE_ACCESS_TOKEN is not: running against the built-in fake store",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := connect(envOf(tt.env), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.close()
			if st.real != tt.wantReal {
				t.Errorf("real = %t, want %t", st.real, tt.wantReal)
			}
			if !strings.HasPrefix(st.banner, tt.wantBanner) {
				t.Errorf("banner %q, want it to start with %q", st.banner, tt.wantBanner)
			}
			if strings.Contains(st.banner, "SECRET") {
				t.Errorf("banner shows the token: %q", st.banner)
			}
			const realRoot = "https://api.bigcommerce.com/stores/abc123/v2"
			if got := st.client.BaseURL(); (got == realRoot) != tt.wantReal {
				t.Errorf("client base URL %q; real store wanted: %t", got, tt.wantReal)
			}
		})
	}
}

func TestBadStoreHashIsRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"BIGCOMMERCE_STORE_HASH": "https://example.com", "BIGCOMMERCE_ACCESS_TOKEN": "tok"})
	var stdout, stderr bytes.Buffer
	err := run(testContext(t), &stdout, &stderr, env)
	if err == nil || !strings.Contains(err.Error(), "store hash") {
		t.Fatalf("run returned %v, want an error about the store hash", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout is not empty: %s", &stdout)
	}
}

// TestBaseURLPointsTheTourAtAStandaloneFake: with the credentials and API
// root that bigcommerce-fake -print-env gives, the tour runs against that
// fake, not against the built-in one or api.bigcommerce.com.
func TestBaseURLPointsTheTourAtAStandaloneFake(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithStoreHash("dev"), bigcommercetest.WithAccessToken("devtoken"), bigcommercetest.WithSeed(3))
	t.Cleanup(srv.Close)
	env := envOf(map[string]string{
		"BIGCOMMERCE_STORE_HASH":   "dev",
		"BIGCOMMERCE_ACCESS_TOKEN": "devtoken",
		"BIGCOMMERCE_BASE_URL":     srv.OAuthBaseURL(),
	})
	var stdout, stderr bytes.Buffer
	if err := run(testContext(t), &stdout, &stderr, env); err != nil {
		t.Fatalf("run: %v\n%s", err, &stderr)
	}
	if n := len(srv.Requests()); n < 5 {
		t.Errorf("the standalone fake saw %d requests, want the whole tour", n)
	}
	if !strings.Contains(stdout.String(), srv.OAuthBaseURL()) {
		t.Errorf("the banner does not name the fake's API root:\n%s", stdout.String())
	}
}
