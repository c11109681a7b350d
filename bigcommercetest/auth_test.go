package bigcommercetest_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestCredentials(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(s.StoreHash) {
		t.Errorf("StoreHash %q, want 10 lowercase letters and digits", s.StoreHash)
	}
	if strings.HasSuffix(s.URL, "/") || !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q, want http://127.0.0.1:PORT", s.URL)
	}
	if got, want := s.OAuthBaseURL(), s.URL+"/stores/"+s.StoreHash+"/v2"; got != want {
		t.Errorf("OAuthBaseURL %q, want %q", got, want)
	}
	if got, want := s.BasicBaseURL(), s.URL+"/api/v2"; got != want {
		t.Errorf("BasicBaseURL %q, want %q", got, want)
	}
	for _, v := range []string{s.ClientID, s.AccessToken, s.ReadOnlyToken, s.Username, s.APIKey} {
		if v == "" {
			t.Error("a credential is empty")
		}
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	wrongHash := func(r *http.Request) {
		r.URL.Path = strings.Replace(r.URL.Path, s.StoreHash, "zzzzzzzzzz", 1)
	}
	tests := []struct {
		name  string
		edits []edit
		want  int
	}{
		{"read-write token reads", nil, 200},
		{"client id header is ignored", []edit{header("X-Auth-Client", "someone-else")}, 200},
		{"read-only token reads", []edit{readOnly(s)}, 200},
		{"missing token is 401", []edit{func(r *http.Request) { r.Header.Del("X-Auth-Token") }}, 401},
		{"wrong token is 401", []edit{header("X-Auth-Token", "nope")}, 401},
		{"token of another store hash is 401", []edit{wrongHash}, 401},
		{"basic auth reads", []edit{basic(s, s.Username, s.APIKey)}, 200},
		{"basic auth with a wrong key is 401", []edit{basic(s, s.Username, "wrong")}, 401},
		{"basic root without credentials is 401", []edit{basic(s, "", ""), func(r *http.Request) { r.Header.Del("Authorization") }}, 401},
		{"token on the basic root is 401", []edit{basic(s, "", ""), func(r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("X-Auth-Token", s.AccessToken)
		}}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, http.MethodGet, "/customer_groups", "", tt.edits...)
			if tt.want == 200 {
				wantStatus(t, resp, body, 200)
				return
			}
			wantV2Error(t, resp, body, tt.want)
		})
	}
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	for _, tt := range []struct{ method, path, body string }{
		{http.MethodPost, "/customer_groups", `{"name":"New"}`},
		{http.MethodPut, "/customer_groups/1", `{"name":"Renamed"}`},
		{http.MethodDelete, "/customer_groups/1", ""},
		{http.MethodDelete, "/customer_groups", ""},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := send(t, s, tt.method, tt.path, tt.body, readOnly(s))
			wantV2Error(t, resp, body, http.StatusForbidden)
		})
	}
	if g, ok := s.Group(1); !ok || g.Name != "Wholesale 001" {
		t.Errorf("group 1 is %+v, %v after refused writes; want it untouched", g, ok)
	}
}

func TestBasicAuthWrites(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	resp, body := send(t, s, http.MethodPost, "/customer_groups", `{"name":"Via Basic"}`, basic(s, s.Username, s.APIKey))
	wantStatus(t, resp, body, http.StatusCreated)
	if got := s.Groups(); len(got) != 1 || got[0].Name != "Via Basic" {
		t.Errorf("stored %+v", got)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	s := newFake(t, withSeedOne)
	tests := []struct {
		name, method, path string
		want               int
		allow              string
	}{
		{"unknown resource is 404", http.MethodGet, "/orders", 404, ""},
		{"nested unknown path is 404", http.MethodGet, "/customer_groups/1/customers", 404, ""},
		{"non-numeric id is 404", http.MethodGet, "/customer_groups/abc", 404, ""},
		{"zero id is 404", http.MethodGet, "/customer_groups/0", 404, ""},
		{"PATCH on a group is 405", http.MethodPatch, "/customer_groups/1", 405, "GET, PUT, DELETE"},
		{"PUT on the collection is 405", http.MethodPut, "/customer_groups", 405, "GET, POST, DELETE"},
		{"POST on count is 405", http.MethodPost, "/customer_groups/count", 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, s, tt.method, tt.path, "")
			wantV2Error(t, resp, body, tt.want)
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
	t.Run("path outside both roots is 404", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(s.URL + "/v3/customers")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("trailing slash reaches the collection", func(t *testing.T) {
		t.Parallel()
		resp, body := send(t, s, http.MethodGet, "/customer_groups/", "")
		wantStatus(t, resp, body, 200)
	})
}
