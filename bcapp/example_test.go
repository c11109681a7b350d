package bcapp_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// Example wires an app: BigCommerce's callbacks under /bc/, and a page
// under /app that the control panel frames, which reaches the store of
// its session through App.Client.
//
// BigCommerce's login server and API are not reachable here: the fake
// API of bigcommercetest stands in for the API, and the install is saved
// directly, as /auth saves it once the login server has given the token.
func Example() {
	api := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer api.Close()

	tokens := bcapp.NewMemoryStore() // bcapp.OpenSQLite or bcapp.OpenPostgres in production
	app, err := bcapp.New(bcapp.Config{
		ClientID:        "my-client-id",
		ClientSecret:    "my-client-secret",
		AuthCallbackURL: "https://app.example.com/bc/auth",
		Tokens:          tokens,
		APIURL:          api.URL, // BigCommerce's by default
		AppURL:          "/app",
		OnInstall: func(ctx context.Context, in bcapp.InstallInfo) error {
			log.Printf("store %s installed the app", in.StoreHash)
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	// Register https://app.example.com/bc/auth, /bc/load, /bc/uninstall
	// and /bc/remove_user with BigCommerce.
	mux.Handle("/bc/", http.StripPrefix("/bc", app.Handler()))
	mux.Handle("/app", app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := bcapp.SessionFrom(r.Context())
		client, err := app.Client(r.Context(), s.StoreHash)
		if err != nil {
			http.Error(w, "the store is unavailable", http.StatusBadGateway)
			return
		}
		n, _, err := client.CustomerGroups.Count(r.Context(), nil)
		if err != nil {
			http.Error(w, "the store is unavailable", http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "store %s has %d customer groups", s.StoreHash, n)
	})))

	// What /bc/auth saves at the install.
	err = tokens.Save(context.Background(), bcapp.Install{
		InstallInfo: bcapp.InstallInfo{StoreHash: api.StoreHash, Scope: "store_v2_customers", InstalledAt: time.Now()},
		AccessToken: api.AccessToken,
	})
	if err != nil {
		log.Fatal(err)
	}
	// A merchant opens the app: /bc/load verifies BigCommerce's payload
	// and redirects to /app with a session, as this link does.
	session, err := app.NewSession(api.StoreHash, bcapp.User{ID: 1})
	if err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, session.Link("/app"), nil))
	fmt.Println(w.Code, strings.Replace(w.Body.String(), api.StoreHash, "{hash}", 1))
	// Output: 200 store {hash} has 3 customer groups
}
