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
// # Finding a group by name
//
// The Name filter matches case exactly, but the store refuses a second
// group whose name differs only in case. FindByName finds the group the
// store would consider the same name, so a find-or-create does not meet a
// 409:
//
//	g, _, err := client.CustomerGroups.FindByName(ctx, "Wholesale")
//	if errors.Is(err, bigcommerce.ErrNotFound) {
//		g, _, err = client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale"})
//	}
//
// # Errors
//
// Every error names the call the same way ("bigcommerce: GET
// /stores/abc123/v2/customer_groups/5: ...") and carries its Method and
// URL. Every answer that is not a success is an *APIError; classify it
// with errors.Is and the sentinels ErrNotFound, ErrUnauthorized,
// ErrForbidden, ErrConflict, ErrBadRequest, ErrRateLimited,
// ErrPartialSuccess and ErrServer. A request the Client's rate limiter
// refused to send is a *ThrottleError, which also matches ErrRateLimited;
// RetryAfter(err) reads the wait from either. A success whose body cannot
// be decoded is a *DecodeError, and a call that got no answer a
// *RequestError. A request that breaks one of the API's rules, and
// credentials that cannot be right (blank, with a space or a trailing
// newline, with "Bearer " in front), are refused before anything is sent
// with an error matching ErrInvalidRequest that names the field. No error
// or log line ever contains a credential.
//
// # Retries and rate limits
//
// Reads, updates and single deletes are retried after a 429, a 500, 502,
// 503 or 504, or a failed connection. Creates are retried only when the
// store certainly did not process them (a 429, or a connection that could
// not be made), so a retry never makes a duplicate group. DeleteAll is
// never retried. WithRetryMax (3) bounds every retry of a call, those
// after a 429 included, so a store that keeps answering 429 costs a call
// at most WithRetryMax+1 requests.
//
// Two settings bound the waits. WithRetryWait bounds the backoff between
// retries after a failure. WithMaxRateLimitWait (one 30 s window by
// default) bounds each wait for the store's quota or a 429's pause: a
// longer one, or one past the call's deadline, is not taken, and the
// rate-limit error comes back at once with its RetryAfter.
//
// # Pacing
//
// All goroutines sharing a Client share its view of the store's quota,
// and each Client learns from the answers' X-Rate-Limit-* headers what
// part of the store other processes and apps use, and keeps to its share
// of what is left, before any 429. Processes can share one count instead
// through a RateLimiter given with WithRateLimiter, such as the
// Redis-backed one of the redisquota module; while it is unavailable, the
// Client paces alone with the share it learnt. docs/pacing.md in the
// repository holds the rules, numbered, with the reason for each; the
// code cites them.
//
// # Testing
//
// Package bigcommercetest runs a local fake of the API for tests and
// examples; cmd/bigcommerce-fake runs it as a program. The file
// example_test.go shows each call as a runnable Example, also on
// pkg.go.dev.
package bigcommerce
