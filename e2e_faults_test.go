package bigcommerce_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// End-to-end faults: a read-only token and wrong credentials.

func TestE2EReadOnlyToken(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(5))
	t.Cleanup(srv.Close)
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(srv.StoreHash, srv.ReadOnlyToken),
		bigcommerce.WithBaseURL(srv.OAuthBaseURL()), bigcommerce.WithRetryWait(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	before := srv.Groups()

	groups, _, err := client.CustomerGroups.List(ctx, nil)
	if err != nil {
		t.Fatalf("List with a read-only token: %v", err)
	}
	checkGroups(t, groups, before)
	if n, _, err := client.CustomerGroups.Count(ctx, nil); err != nil || n != 5 {
		t.Errorf("Count = %d, %v; want 5", n, err)
	}
	if g, _, err := client.CustomerGroups.Get(ctx, 1); err != nil || g.ID != 1 {
		t.Errorf("Get(1) = %v, %v", g, err)
	}

	writes := []struct {
		name string
		call func() error
	}{
		{"Create", func() error {
			_, _, err := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Trade"})
			return err
		}},
		{"Update", func() error {
			_, _, err := client.CustomerGroups.Update(ctx, 1, &bigcommerce.UpdateCustomerGroupRequest{Name: bigcommerce.Ptr("Trade")})
			return err
		}},
		{"Delete", func() error { _, err := client.CustomerGroups.Delete(ctx, 1); return err }},
		{"DeleteAll", func() error { _, err := client.CustomerGroups.DeleteAll(ctx); return err }},
	}
	for _, w := range writes {
		srv.ResetRequests()
		wantAPIError(t, w.call(), bigcommerce.ErrForbidden, http.StatusForbidden)
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%s: %d requests, want 1: a 403 is not retried", w.name, n)
		}
	}
	if after := srv.Groups(); !reflect.DeepEqual(after, before) {
		t.Errorf("refused writes changed the store:\n got %+v\nwant %+v", after, before)
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("X-Auth-Token") != srv.ReadOnlyToken {
			t.Errorf("%s %s did not carry the read-only token", r.Method, r.Path)
		}
	}
}

func TestE2EWrongCredentials(t *testing.T) {
	t.Parallel()
	const secret = "wrongsecret0123456789"
	tests := []struct {
		name string
		auth func(*bigcommercetest.Server) (bigcommerce.Authenticator, string)
	}{
		{"an unknown OAuth token", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return bigcommerce.NewOAuth(s.StoreHash, secret), s.OAuthBaseURL()
		}},
		{"the token of another store", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return bigcommerce.NewOAuth("otherstore", s.AccessToken), s.URL + "/stores/otherstore/v2"
		}},
		{"a wrong Basic API key", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return &bigcommerce.BasicAuth{StoreURL: s.URL, Username: s.Username, APIKey: secret}, ""
		}},
		{"a wrong Basic username", func(s *bigcommercetest.Server) (bigcommerce.Authenticator, string) {
			return &bigcommerce.BasicAuth{StoreURL: s.URL, Username: "someone", APIKey: s.APIKey}, ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
			t.Cleanup(srv.Close)
			auth, root := tt.auth(srv)
			opts := []bigcommerce.Option{bigcommerce.WithRetryWait(0, 0)}
			if root != "" {
				opts = append(opts, bigcommerce.WithBaseURL(root))
			}
			client, err := bigcommerce.NewClient(auth, opts...)
			if err != nil {
				t.Fatal(err)
			}

			_, _, err = client.CustomerGroups.List(t.Context(), nil)
			wantAPIError(t, err, bigcommerce.ErrUnauthorized, http.StatusUnauthorized)
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), srv.AccessToken) || strings.Contains(err.Error(), srv.APIKey) {
				t.Errorf("the error shows a credential: %v", err)
			}
			_, _, err = client.CustomerGroups.Create(t.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: "Trade"})
			wantAPIError(t, err, bigcommerce.ErrUnauthorized, http.StatusUnauthorized)
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("%d requests, want 2: a 401 is not retried", n)
			}
			if n := len(srv.Groups()); n != 3 {
				t.Errorf("%d groups stored, want the 3 seeded", n)
			}
		})
	}
}
