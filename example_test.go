package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// Every example runs against bigcommercetest, the SDK's fake store, seeded
// with sample groups named "Wholesale 001", "Retail 002", "VIP 003" and so
// on. A program for a real store builds its client with NewClient instead.

func ExampleNewClient() {
	// For a real store: bigcommerce.NewClient(bigcommerce.NewOAuth(storeHash, accessToken)).
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()

	client, err := bigcommerce.NewClient(
		bigcommerce.NewOAuth(srv.StoreHash, srv.AccessToken),
		bigcommerce.WithBaseURL(srv.OAuthBaseURL()), // only to reach the fake
		bigcommerce.WithUserAgent("my-app/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	n, _, err := client.CustomerGroups.Count(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("groups:", n)
	// Output: groups: 3
}

func ExampleCustomerGroupsService_Create() {
	srv := bigcommercetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	group, _, err := client.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{
		Name: "Wholesale",
		CategoryAccess: &bigcommerce.CategoryAccess{
			Type:       bigcommerce.CategoryAccessSpecific,
			Categories: []int{18, 23},
		},
		DiscountRules: []bigcommerce.DiscountRule{
			{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "10.00"},
			{Type: bigcommerce.DiscountRuleCategory, CategoryID: 23, Method: bigcommerce.DiscountFixed, Amount: "2.50"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(group.ID, group.Name, group.CategoryAccess.Type, group.CategoryAccess.Categories)
	for _, r := range group.DiscountRules {
		// The store keeps amounts with four decimals.
		fmt.Println(r.Type, r.Method, r.Amount)
	}
	// Output:
	// 1 Wholesale specific [18 23]
	// all percent 10.0000
	// category fixed 2.5000
}

func ExampleCustomerGroupsService_List() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(20))
	defer srv.Close()
	client := srv.Client()

	opts := &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: "VIP"},
		ListOptions:         bigcommerce.ListOptions{Page: 1, Limit: 2},
	}
	for {
		groups, _, err := client.CustomerGroups.List(context.Background(), opts)
		if err != nil {
			log.Fatal(err)
		}
		// A page past the end is empty, with no error.
		if len(groups) == 0 {
			break
		}
		for _, g := range groups {
			fmt.Printf("page %d: #%d %s\n", opts.Page, g.ID, g.Name)
		}
		opts.Page++
	}
	// Output:
	// page 1: #3 VIP 003
	// page 1: #11 VIP 011
	// page 2: #19 VIP 019
}

func ExampleCustomerGroupsService_All() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(600))
	defer srv.Close()
	client := srv.Client()

	// All fetches the pages (250 groups each) as the loop needs them.
	n, last := 0, ""
	for g, err := range client.CustomerGroups.All(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		n, last = n+1, g.Name
	}
	fmt.Println(n, "groups, the last one", last)
	// Output: 600 groups, the last one Distributor 600
}

func ExampleCustomerGroupsService_Update() {
	srv := bigcommercetest.NewServer()
	defer srv.Close()
	client := srv.Client()
	srv.Add(bigcommercetest.Group{
		Name:          "Wholesale",
		IsDefault:     true,
		DiscountRules: []bigcommercetest.DiscountRule{{Type: "all", Method: "percent", Amount: "5"}},
	})

	group, _, err := client.CustomerGroups.Update(context.Background(), 1, &bigcommerce.UpdateCustomerGroupRequest{
		// Ptr(false) sends false; a nil field is left as it is.
		IsDefault: bigcommerce.Ptr(false),
		// An empty, non-nil slice removes every rule.
		DiscountRules: []bigcommerce.DiscountRule{},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: is_default=%t, %d discount rules\n", group.Name, group.IsDefault, len(group.DiscountRules))
	// Output: Wholesale: is_default=false, 0 discount rules
}

func ExampleCustomerGroupsService_Get() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()
	client := srv.Client()

	for _, id := range []int{2, 99} {
		group, _, err := client.CustomerGroups.Get(context.Background(), id)
		switch {
		case errors.Is(err, bigcommerce.ErrNotFound):
			fmt.Printf("#%d: no such group\n", id)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Printf("#%d: %s\n", id, group.Name)
		}
	}
	// Output:
	// #2: Retail 002
	// #99: no such group
}

func ExampleCustomerGroupsService_Count() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(20))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	all, _, err := client.CustomerGroups.Count(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	vip, _, err := client.CustomerGroups.Count(ctx, &bigcommerce.CustomerGroupFilter{NameLike: "VIP"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d groups, %d of them VIP\n", all, vip)
	// Output: 20 groups, 3 of them VIP
}

func ExampleCustomerGroupsService_Delete() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	if _, err := client.CustomerGroups.Delete(ctx, 2); err != nil {
		log.Fatal(err)
	}
	n, _, err := client.CustomerGroups.Count(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("groups left:", n)

	_, err = client.CustomerGroups.Delete(ctx, 2)
	fmt.Println("deleting it again, not found:", errors.Is(err, bigcommerce.ErrNotFound))
	// Output:
	// groups left: 2
	// deleting it again, not found: true
}

func ExampleAPIError() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(1))
	defer srv.Close()
	client := srv.Client()

	// The store already has a group of this name.
	_, _, err := client.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale 001"})

	var apiErr *bigcommerce.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("status:", apiErr.StatusCode)
		fmt.Println("message:", apiErr.Message())
	}
	fmt.Println("conflict:", errors.Is(err, bigcommerce.ErrConflict))
	// Output:
	// status: 409
	// message: A customer group named "Wholesale 001" already exists.
	// conflict: true
}

// An app's install callback trades the code, scope and context that
// BigCommerce sent it for a token, and learns the store from the answer.
func ExampleExchangeInstallCode() {
	// A stand-in for BigCommerce's token endpoint; a real app keeps
	// bigcommerce.TokenURL.
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"a-new-token","scope":"store_v2_customers","context":"stores/abc123"}`)
	}))
	defer login.Close()

	cfg := bigcommerce.OAuthConfig("my-client-id", "my-client-secret", "https://app.example.com/auth")
	cfg.Endpoint.TokenURL = login.URL

	// What BigCommerce passed to https://app.example.com/auth.
	code, scope, storeContext := "the-code", "store_v2_customers", "stores/abc123"
	tok, err := bigcommerce.ExchangeInstallCode(context.Background(), cfg, code, scope, storeContext)
	if err != nil {
		log.Fatal(err)
	}
	hash, err := bigcommerce.StoreHashFromToken(tok)
	if err != nil {
		log.Fatal(err)
	}
	// The client for this store, from now on.
	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(hash, tok.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://api.bigcommerce.com/stores/abc123/v2
}
