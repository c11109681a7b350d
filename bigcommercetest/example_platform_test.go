package bigcommercetest_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func ExamplePlatform() {
	ctx := context.Background()
	p := bigcommercetest.NewPlatform()
	defer p.Close()
	p.AddStore(bigcommercetest.WithStoreHash("abc123"), bigcommercetest.WithSeed(2))
	app, _ := p.RegisterApp(bigcommercetest.App{AuthCallbackURL: "https://app.example/auth"})

	// The merchant clicks Install: the browser is sent to the app's auth
	// callback, which trades the code for the store's token.
	install, _ := p.StartInstall(app.ClientID, "abc123", "")
	q, _ := url.Parse(install)
	cfg := bigcommerce.OAuthConfig(app.ClientID, app.ClientSecret, app.AuthCallbackURL)
	cfg.Endpoint.TokenURL = p.LoginURL() + "/oauth2/token"
	tok, _ := bigcommerce.ExchangeInstallCode(ctx, cfg, q.Query().Get("code"), q.Query().Get("scope"), q.Query().Get("context"))

	client, _ := bigcommerce.NewClient(bigcommerce.NewOAuth("abc123", tok.AccessToken),
		bigcommerce.WithBaseURL(p.APIURL()+"/stores/abc123/v2"))
	n, _, _ := client.CustomerGroups.Count(ctx, nil)
	fmt.Println("groups:", n)

	// Uninstalling revokes the token (the app's uninstall callback, had it
	// one, would be called with a signed payload).
	p.Uninstall(ctx, app.ClientID, "abc123")
	_, _, err := client.CustomerGroups.Count(ctx, nil)
	fmt.Println("unauthorized:", errors.Is(err, bigcommerce.ErrUnauthorized))
	// Output:
	// groups: 2
	// unauthorized: true
}
