package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/oauth2"
)

// TestInstallUsersReadsTheTokenAnswer: the user and the owner of an install
// come back typed from a real token answer, as oauth2 decodes it.
func TestInstallUsersReadsTheTokenAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"tok-xyz","scope":"store_v2_customers","user":{"id":24,"username":"ann","email":"ann@example.com"},"owner":{"id":7,"username":"olga","email":"olga@example.com"},"context":"stores/abc123"}`)
	}))
	t.Cleanup(srv.Close)
	cfg := OAuthConfig("client-id", "client-secret", "https://app.example.com/auth")
	cfg.Endpoint.TokenURL = srv.URL
	tok, err := ExchangeInstallCode(context.Background(), cfg, "code-1", "store_v2_customers", "stores/abc123")
	if err != nil {
		t.Fatal(err)
	}
	user, owner, err := InstallUsers(tok)
	if err != nil {
		t.Fatal(err)
	}
	if want := (InstallUser{ID: 24, Username: "ann", Email: "ann@example.com"}); user != want {
		t.Errorf("user = %+v, want %+v", user, want)
	}
	if want := (InstallUser{ID: 7, Username: "olga", Email: "olga@example.com"}); owner != want {
		t.Errorf("owner = %+v, want %+v", owner, want)
	}
}

// TestInstallUsersRefusesMalformedUsers: a missing object or an id that is
// not a whole positive number is an error naming the field, never a zero
// user taken for a real one.
func TestInstallUsersRefusesMalformedUsers(t *testing.T) {
	t.Parallel()
	good := map[string]any{"id": 1.0}
	for _, tt := range []struct {
		name        string
		user, owner any
	}{
		{"no user", nil, good},
		{"no owner", good, nil},
		{"user not an object", "ann", good},
		{"no id", map[string]any{"email": "a@example.com"}, good},
		{"id as text", map[string]any{"id": "1"}, good},
		{"zero id", map[string]any{"id": 0.0}, good},
		{"fractional id", good, map[string]any{"id": 1.5}},
		{"huge id", good, map[string]any{"id": 1e12}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"user": tt.user, "owner": tt.owner})
			if _, _, err := InstallUsers(tok); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("err = %v, want one matching ErrInvalidRequest", err)
			}
		})
	}
	if _, _, err := InstallUsers(nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("nil token: %v", err)
	}
}
