// Command app is a BigCommerce app on many stores, built with bcapp: a page
// in the control panel that lists the store's customer groups and creates
// one. Without credentials it runs against an embedded fake of BigCommerce
// (fake.go); with BIGCOMMERCE_CLIENT_ID and BIGCOMMERCE_CLIENT_SECRET it is
// the real app, with its tokens in SQLite. This file and page.html are the
// whole app: TestAppCodeFitsTheBudget counts their lines.
package main

import (
	"cmp"
	_ "embed"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcapp"
)

//go:embed page.html
var pageHTML string

// page escapes every name the store sends, since html/template does.
var page = template.Must(template.New("page").Parse(pageHTML))

func main() {
	addr := cmp.Or(os.Getenv("BCAPP_ADDR"), "127.0.0.1:8080")
	cfg := bcapp.Config{ClientID: os.Getenv("BIGCOMMERCE_CLIENT_ID"), ClientSecret: os.Getenv("BIGCOMMERCE_CLIENT_SECRET"),
		AuthCallbackURL: os.Getenv("BCAPP_URL") + "/bc/auth"}
	if cfg.ClientID == "" && cfg.ClientSecret == "" {
		cfg = startFake(addr) // the demo's BigCommerce, in fake.go
	} else if key, err := bcapp.DecodeKey(os.Getenv("BCAPP_TOKEN_KEY")); err != nil {
		log.Fatal("BCAPP_TOKEN_KEY: ", err)
	} else if cfg.Tokens, err = bcapp.OpenSQLite(cmp.Or(os.Getenv("BCAPP_DB"), "app.db"), key); err != nil {
		log.Fatal(err)
	}
	app, err := bcapp.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: addr, Handler: routes(app), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// routes serves BigCommerce's callbacks under /bc/ and the store's page
// at /, where /bc/auth and /bc/load send the merchant with a session.
func routes(app *bcapp.App) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/bc/", http.StripPrefix("/bc", app.Handler()))
	mux.Handle("/{$}", app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := bcapp.SessionFrom(r.Context())
		client, err := app.Client(r.Context(), s.StoreHash)
		if err != nil {
			http.Error(w, "The store cannot be reached. Try again in a moment.", http.StatusServiceUnavailable)
			return
		}
		if r.Method == http.MethodPost {
			req := &bigcommerce.CreateCustomerGroupRequest{Name: r.PostFormValue("name")}
			if _, _, err = client.CustomerGroups.Create(r.Context(), req); err == nil {
				http.Redirect(w, r, s.Link("/"), http.StatusSeeOther) // a reload does not post again
				return
			}
		}
		_ = page.Execute(w, map[string]any{"Session": s, "Err": err, "Groups": client.CustomerGroups.All(r.Context(), nil)})
	})))
	return mux
}
