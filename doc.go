// Package bigcommerce is a client for BigCommerce's v2 customer groups API:
// list, read, count, create, update and delete the groups that decide
// which categories a store's customers see and which discounts apply.
//
// # Getting started
//
// Build a Client from an authenticator and use its CustomerGroups service:
//
//	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth("abc123", os.Getenv("BIGCOMMERCE_ACCESS_TOKEN")))
//	if err != nil {
//		log.Fatal(err)
//	}
//	group, _, err := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{
//		Name: "Wholesale",
//		DiscountRules: []bigcommerce.DiscountRule{
//			{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "10.00"},
//		},
//	})
//
// OAuth sends the token in X-Auth-Token to api.bigcommerce.com; BasicAuth
// uses a legacy API account against the store's own domain.
//
// # Pages
//
// List returns one page (the API's default is 50 groups, the maximum 250).
// All walks every page with range-over-func, 250 groups at a time:
//
//	for g, err := range client.CustomerGroups.All(ctx, &bigcommerce.ListCustomerGroupsOptions{
//		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{IsDefault: bigcommerce.Ptr(false)},
//	}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(g.ID, g.Name)
//	}
//
// # Errors
//
// Every answer that is not a success is an *APIError; classify it with
// errors.Is and the sentinels ErrNotFound, ErrUnauthorized, ErrForbidden,
// ErrConflict, ErrRateLimited, ErrPartialSuccess and ErrServer. A success
// whose body cannot be decoded is a *DecodeError, and a call that got no
// answer a *RequestError. A request that breaks one of the API's rules is refused before it is sent with an
// error matching ErrInvalidRequest that names the field. No error or log
// line ever contains a credential.
//
// # Retries and rate limits
//
// Reads, updates and single deletes are retried after a 429, a 500, 502,
// 503 or 504, or a failed connection. Creates are retried only when the
// store certainly did not process them (a 429, or a connection that could
// not be made), so a retry never makes a duplicate group. DeleteAll is
// never retried. After a 429 the Client waits as long as BigCommerce's
// X-Retry-After header asks, up to the longest retry wait; longer than
// that, the error comes back at once with its RetryAfter. All goroutines
// sharing a Client hold back while the store's quota is spent instead of
// spending requests on 429s.
//
// # Testing
//
// Package bigcommercetest runs a local fake of the API for tests and
// examples.
package bigcommerce
