package main

import (
	"fmt"
	"log"
	"net"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The demo's two stores, with groups of their own; one name has markup
// in it, which the page shows as text.
var demoStores = map[string][]string{
	"abc123": {"Retail", "Wholesale"},
	"def456": {"VIP", "Friends & <family>"},
}

// startFake starts the embedded fake of BigCommerce for a run without
// credentials: the two stores, their login server and a control panel,
// with the app registered at addr. It prints the control panel's address
// and returns the app's configuration on the fake. None of this is the
// app's own code: a real app gets the same configuration from the
// environment in main.
func startFake(addr string) bcapp.Config {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		log.Fatalf("BCAPP_ADDR %q: %v", addr, err)
	}
	platform := bigcommercetest.NewPlatform()
	for _, hash := range []string{"abc123", "def456"} {
		store, err := platform.AddStore(bigcommercetest.WithStoreHash(hash))
		if err != nil {
			log.Fatal(err)
		}
		for _, name := range demoStores[hash] {
			store.Add(bigcommercetest.Group{Name: name})
		}
	}
	// localhost, not 127.0.0.1 as the platform: the control panel and the
	// app are two sites to the browser, as they are in production.
	app, err := platform.RegisterApp(bigcommercetest.App{Name: "Customer groups"}.WithCallbacksAt("http://localhost:" + port + "/bc"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf(`app: running against a fake BigCommerce with the stores abc123 and def456.
Open the control panel, click Install on a store, then Open:

  %s

The app listens on %s. Set BIGCOMMERCE_CLIENT_ID and BIGCOMMERCE_CLIENT_SECRET
to run it as a real app (see examples/app/README.md). Stop with Ctrl+C.
`, platform.ControlPanelURL(), addr)
	return bcapp.Config{
		ClientID:        app.ClientID,
		ClientSecret:    app.ClientSecret,
		AuthCallbackURL: app.AuthCallbackURL,
		APIURL:          platform.APIURL(),
		LoginURL:        platform.LoginURL(),
		Tokens:          bcapp.NewMemoryStore(),
		// The fake's control panel frames the app, not BigCommerce's.
		FrameAncestors: platform.URL,
	}
}
