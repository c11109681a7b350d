package bigcommercetest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestUninstallRevokesTheTokenAndCallsTheApp(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	token := a.install(t, store.StoreHash)

	if err := p.Uninstall(context.Background(), a.ClientID, store.StoreHash); err != nil {
		t.Fatal(err)
	}
	if status, _ := countGroups(t, store, token); status != http.StatusUnauthorized {
		t.Errorf("the token after uninstall: %d, want 401", status)
	}
	if p.Installed(a.ClientID, store.StoreHash) {
		t.Error("Installed is true after uninstall")
	}
	calls := a.callbacks()
	if len(calls) != 1 || calls[0].name != "uninstall" {
		t.Fatalf("callbacks %v, want one uninstall", calls)
	}
	owner, _ := p.Owner(store.StoreHash)
	user, _ := calls[0].claims["user"].(map[string]any)
	if len(calls[0].broken) != 0 || calls[0].claims["sub"] != "stores/"+store.StoreHash || user["id"] != float64(owner.ID) {
		t.Errorf("uninstall payload %v breaks %v; want a valid one for the store, from its owner", calls[0].claims, calls[0].broken)
	}

	// A second uninstall is delivered too, so an app can show it is
	// idempotent; the store still refuses the token.
	if err := p.Uninstall(context.Background(), a.ClientID, store.StoreHash); err != nil {
		t.Errorf("second uninstall: %v", err)
	}
	if n := len(a.callbacks()); n != 2 {
		t.Errorf("%d callbacks after a second uninstall, want 2", n)
	}
	// And a new install works after an uninstall.
	if again := a.install(t, store.StoreHash); again == token || again == "" {
		t.Errorf("reinstall after uninstall gave token %q (old one %q)", again, token)
	} else if status, _ := countGroups(t, store, again); status != http.StatusOK {
		t.Errorf("the token of the reinstall: %d, want 200", status)
	}
}

func TestUninstallOfOneAppLeavesTheOthers(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a, b := newTestApp(t, p), newTestApp(t, p)
	tokenA, tokenB := a.install(t, store.StoreHash), b.install(t, store.StoreHash)
	if err := p.Uninstall(context.Background(), a.ClientID, store.StoreHash); err != nil {
		t.Fatal(err)
	}
	if status, _ := countGroups(t, store, tokenA); status != http.StatusUnauthorized {
		t.Errorf("uninstalled app's token: %d, want 401", status)
	}
	if status, _ := countGroups(t, store, tokenB); status != http.StatusOK {
		t.Errorf("the other app's token: %d, want 200", status)
	}
	if len(b.callbacks()) != 0 {
		t.Error("the other app was told of an uninstall")
	}
}

func TestRemoveUserCallsTheAppWithThatUser(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	token := a.install(t, store.StoreHash)
	staff, err := p.Staff(store.StoreHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveUser(context.Background(), a.ClientID, store.StoreHash, staff); err != nil {
		t.Fatal(err)
	}
	calls := a.callbacks()
	if len(calls) != 1 || calls[0].name != "remove_user" || len(calls[0].broken) != 0 {
		t.Fatalf("callbacks %+v, want one valid remove_user", calls)
	}
	owner, _ := p.Owner(store.StoreHash)
	user, _ := calls[0].claims["user"].(map[string]any)
	own, _ := calls[0].claims["owner"].(map[string]any)
	if user["id"] != float64(staff.ID) || user["email"] != staff.Email || own["id"] != float64(owner.ID) || staff.ID == owner.ID {
		t.Errorf("user %v, owner %v: want the removed user %d and the owner %d", user, own, staff.ID, owner.ID)
	}
	if status, _ := countGroups(t, store, token); status != http.StatusOK {
		t.Errorf("the app's token after a user was removed: %d, want 200", status)
	}
}

func TestLoadURLCarriesAValidPayload(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	u, err := p.LoadURL(a.ClientID, store.StoreHash)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, a.LoadURL+"?") {
		t.Errorf("load URL %s is not under the app's %s", u, a.LoadURL)
	}
	if _, broken := verifyPayload(payloadOf(t, u), a.ClientSecret, a.ClientID, time.Now()); len(broken) != 0 {
		t.Errorf("load payload breaks %v", broken)
	}
	expired, err := p.LoadURL(a.ClientID, store.StoreHash, bigcommercetest.Expired)
	if err != nil {
		t.Fatal(err)
	}
	if _, broken := verifyPayload(payloadOf(t, expired), a.ClientSecret, a.ClientID, time.Now()); !slices.Equal(broken, []string{"exp"}) {
		t.Errorf("expired load payload breaks %v, want exp only", broken)
	}
}

// TestCallbackFailuresNameTheStatusNotThePayload: an app that fails its
// callback gets a *CallbackError; one that cannot be reached an error
// without the URL, whose query is a signed payload. The token is revoked
// either way, as BigCommerce's is.
func TestCallbackFailuresNameTheStatusNotThePayload(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	token := a.install(t, store.StoreHash)
	a.answer(http.StatusInternalServerError)
	err := p.Uninstall(context.Background(), a.ClientID, store.StoreHash)
	var ce *bigcommercetest.CallbackError
	if !errors.As(err, &ce) || ce.Callback != "uninstall" || ce.StatusCode != 500 {
		t.Errorf("uninstall answered 500: %v, want a CallbackError with 500", err)
	}
	if status, _ := countGroups(t, store, token); status != http.StatusUnauthorized {
		t.Errorf("token after a failed uninstall callback: %d, want 401", status)
	}
	if err := p.RemoveUser(context.Background(), a.ClientID, store.StoreHash, bigcommercetest.User{ID: 5}); !errors.As(err, &ce) || ce.Callback != "remove_user" {
		t.Errorf("remove_user answered 500: %v", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	gone, err := p.RegisterApp(bigcommercetest.App{}.WithCallbacksAt(down.URL))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Uninstall(context.Background(), gone.ClientID, store.StoreHash)
	if err == nil || strings.Contains(err.Error(), "signed_payload_jwt") || strings.Contains(err.Error(), "eyJ") {
		t.Errorf("unreachable app: %v; want an error without the payload", err)
	}
}

func TestAppWithoutOptionalCallbacksIsNotCalled(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	called := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called <- r.URL.Path }))
	t.Cleanup(srv.Close)
	app, err := p.RegisterApp(bigcommercetest.App{AuthCallbackURL: srv.URL + "/auth"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Uninstall(context.Background(), app.ClientID, store.StoreHash); err != nil {
		t.Error(err)
	}
	if err := p.RemoveUser(context.Background(), app.ClientID, store.StoreHash, bigcommercetest.User{ID: 9}); err != nil {
		t.Error(err)
	}
	if _, err := p.LoadURL(app.ClientID, store.StoreHash); err == nil {
		t.Error("LoadURL of an app without a load callback gave no error")
	}
	if len(called) != 0 {
		t.Errorf("the app was called at %s", <-called)
	}
}

func TestRegisterAppRefusesBadApps(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	taken := registerApp(t, p, bigcommercetest.App{ClientID: "taken"})
	for _, c := range []struct {
		name string
		app  bigcommercetest.App
		want string
	}{
		{"no auth callback", bigcommercetest.App{}, "AuthCallbackURL is required"},
		{"relative callback", bigcommercetest.App{AuthCallbackURL: "/auth"}, "AuthCallbackURL must be an absolute"},
		{"script load", bigcommercetest.App{AuthCallbackURL: "https://a.example/auth", LoadURL: "javascript:alert(1)"}, "LoadURL must be"},
		{"spaced secret", bigcommercetest.App{AuthCallbackURL: "https://a.example/auth", ClientSecret: "my secret"}, "ClientSecret must have no spaces"},
		{"taken client id", bigcommercetest.App{AuthCallbackURL: "https://a.example/auth", ClientID: taken.ClientID}, "taken"},
	} {
		_, err := p.RegisterApp(c.app)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "my secret") {
			t.Errorf("%s: %v, want an error saying %q without the secret", c.name, err, c.want)
		}
	}
}

func TestAppPrintsItsSecretRedacted(t *testing.T) {
	t.Parallel()
	app := bigcommercetest.App{ClientID: "id1", ClientSecret: "hunter2-secret"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, app); strings.Contains(got, "hunter2") || !strings.Contains(got, "id1") {
			t.Errorf("%s prints %s", verb, got)
		}
	}
}
