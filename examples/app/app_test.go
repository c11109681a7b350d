package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestAppOnTwoStores: installed on two stores, each store's page lists its
// own groups only, escaped; the form creates a group in its store; after
// an uninstall the app no longer opens there and its token is gone.
func TestAppOnTwoStores(t *testing.T) {
	t.Parallel()
	p := bcapptest.New(t, bcapptest.Stores("abc", "def"))
	app, err := bcapp.New(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	p.Serve(routes(app))
	for _, store := range p.Stores() {
		store.Add(bigcommercetest.Group{Name: "<b>" + store.StoreHash})
		p.Install(store.StoreHash)
	}
	abc, def := p.Load("abc"), p.Load("def")
	if !strings.Contains(abc.Body, "&lt;b&gt;abc") || strings.Contains(abc.Body, "&lt;b&gt;def") || !strings.Contains(def.Body, "&lt;b&gt;def") {
		t.Fatalf("the pages of abc and def:\n%s\n%s", abc.Body, def.Body)
	}
	created := p.Post(abc.URL, url.Values{"name": {"VIP"}})
	if store, _ := p.Store("abc"); !strings.Contains(created.Body, "<li>VIP</li>") || len(store.Groups()) != 2 || store.Groups()[1].Name != "VIP" {
		t.Errorf("after creating VIP, the page is %d:\n%s", created.Status, created.Body)
	}
	p.Uninstall("abc")
	if again := p.Load("abc"); again.Status/100 != 4 || p.HasToken("abc") || !p.HasToken("def") {
		t.Errorf("after the uninstall, the load answered %d, and the token is kept: %v", again.Status, p.HasToken("abc"))
	}
}
