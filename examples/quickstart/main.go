// Quickstart is a guided tour of the customer groups SDK. It creates a
// group, finds it with a filtered list, walks every group, updates, counts,
// reads and deletes it, and ends with the typed error a missing group
// gives, printing what each step sent and got back.
//
// It needs no setup:
//
//	go run ./examples/quickstart
//
// Without credentials it starts bigcommercetest, the SDK's fake store, in
// the same process, seeded with a dozen sample groups; nothing leaves the
// machine. To take the tour on a real store, give it an API account's
// store hash and access token (the token needs the store_v2_customers
// scope; BIGCOMMERCE_CLIENT_ID is optional):
//
//	BIGCOMMERCE_STORE_HASH=abc123 BIGCOMMERCE_ACCESS_TOKEN=... go run ./examples/quickstart
//
// On a real store the tour writes to nothing but the one group it creates,
// under a unique name, and deletes that group at the end, also when a step
// fails half way. It creates the group with is_default off there, so the
// store's own default group for new customers is never displaced.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

const (
	userAgent = "quickstart-example"
	// fakeSeed is how many sample groups the built-in fake starts with.
	fakeSeed = 12
	// categoryID is the category the new group may see and gets a discount
	// in; 18 exists in BigCommerce's sample catalogue.
	categoryID = 18
	// namePrefix starts the name of every group the tour creates, and is
	// what the filtered list looks for.
	namePrefix = "Quickstart Wholesale"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := run(ctx, os.Stdout, os.Stderr, os.Getenv)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run takes the tour on the store that env points at, or on a fake of its
// own when env holds no credentials.
func run(ctx context.Context, stdout, stderr io.Writer, env func(string) string) error {
	return runOn(ctx, stdout, stderr, env, nil)
}

// runOn is run with the fake to use when env holds no credentials; a nil
// fake means starting one. Tests pass their own to inspect it afterwards.
func runOn(ctx context.Context, stdout, stderr io.Writer, env func(string) string, fake *bigcommercetest.Server) error {
	st, err := connect(env, fake)
	if err != nil {
		return err
	}
	defer st.close()
	out := &printer{w: stdout}
	out.printf("%s", st.banner)
	if err := tour(ctx, out, stderr, st); err != nil {
		return err
	}
	return out.err
}

// store is where the tour runs.
type store struct {
	client *bigcommerce.Client
	// real is true for a BigCommerce store, false for the fake.
	real   bool
	banner string
	close  func()
}

// connect chooses the store: the real one when both credentials are set,
// else the fake.
func connect(env func(string) string, fake *bigcommercetest.Server) (*store, error) {
	hash := strings.TrimSpace(env("BIGCOMMERCE_STORE_HASH"))
	token := strings.TrimSpace(env("BIGCOMMERCE_ACCESS_TOKEN"))
	if hash != "" && token != "" {
		auth := bigcommerce.NewOAuth(hash, token)
		auth.ClientID = strings.TrimSpace(env("BIGCOMMERCE_CLIENT_ID"))
		opts := []bigcommerce.Option{bigcommerce.WithUserAgent(userAgent)}
		// BIGCOMMERCE_BASE_URL points at a proxy or at cmd/bigcommerce-fake.
		if base := strings.TrimSpace(env("BIGCOMMERCE_BASE_URL")); base != "" {
			opts = append(opts, bigcommerce.WithBaseURL(base))
		}
		client, err := bigcommerce.NewClient(auth, opts...)
		if err != nil {
			return nil, err
		}
		return &store{
			client: client,
			real:   true,
			banner: fmt.Sprintf("Using the store %q at %s from BIGCOMMERCE_STORE_HASH: the tour changes only the group it creates, and deletes it at the end.", hash, client.BaseURL()),
			close:  func() {},
		}, nil
	}

	var why string
	switch {
	case hash == "" && token == "":
		why = "No BIGCOMMERCE_STORE_HASH/BIGCOMMERCE_ACCESS_TOKEN set"
	case hash == "":
		why = "BIGCOMMERCE_ACCESS_TOKEN is set but BIGCOMMERCE_STORE_HASH is not"
	default:
		why = "BIGCOMMERCE_STORE_HASH is set but BIGCOMMERCE_ACCESS_TOKEN is not"
	}
	st := &store{
		banner: why + ": running against the built-in fake store (bigcommercetest).",
		close:  func() {},
	}
	if fake == nil {
		fake = bigcommercetest.NewServer(bigcommercetest.WithSeed(fakeSeed))
		st.close = fake.Close
	}
	// Client points an SDK client at the fake; for a real store the same
	// client comes from bigcommerce.NewClient as above.
	st.client = fake.Client(bigcommerce.WithUserAgent(userAgent))
	return st, nil
}

func tour(ctx context.Context, out *printer, stderr io.Writer, st *store) error {
	groups := st.client.CustomerGroups

	// A name nobody else has: the store refuses duplicate names.
	name := namePrefix + " " + time.Now().UTC().Format("2006-01-02 15:04:05.000")
	out.step("Create a group")
	created, resp, err := groups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{
		Name: name,
		// New customers join a default group when they sign up; on a
		// real store that would take the role from the store's own
		// default group, so only the fake shows it.
		IsDefault: !st.real,
		CategoryAccess: &bigcommerce.CategoryAccess{
			Type:       bigcommerce.CategoryAccessSpecific,
			Categories: []int{categoryID},
		},
		DiscountRules: []bigcommerce.DiscountRule{
			{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "10.00"},
			{Type: bigcommerce.DiscountRuleCategory, CategoryID: categoryID, Method: bigcommerce.DiscountFixed, Amount: "2.50"},
		},
	})
	if err != nil {
		return fmt.Errorf("creating the group: %w", err)
	}
	id := created.ID
	out.printf("   HTTP %d: created group #%d %q", resp.StatusCode, id, created.Name)
	out.describe(created)
	if rules := created.DiscountRules; len(rules) > 0 {
		// Amounts are exact decimal strings, never floats: compare them
		// with Equal, since the store writes them with four decimals.
		out.printf("     amounts are exact: sent %q, got %q back, Equal: %t", "10.00", rules[0].Amount, rules[0].Amount.Equal("10.00"))
	}

	deleted := false
	defer func() {
		if deleted {
			return
		}
		// A step failed after the create. Remove the group, and only it,
		// so the store is left as the tour found it; the caller's context
		// may be what ran out, so the cleanup has a deadline of its own.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, derr := groups.Delete(cctx, id); derr != nil && !errors.Is(derr, bigcommerce.ErrNotFound) {
			fmt.Fprintf(stderr, "quickstart: could not delete group #%d %q after the failure, delete it by hand: %v\n", id, name, derr)
			return
		}
		fmt.Fprintf(stderr, "quickstart: deleted group #%d %q after the failure\n", id, name)
	}()

	out.step(fmt.Sprintf("List the first page of groups whose name contains %q", namePrefix))
	opts := &bigcommerce.ListCustomerGroupsOptions{
		CustomerGroupFilter: bigcommerce.CustomerGroupFilter{NameLike: namePrefix},
		ListOptions:         bigcommerce.ListOptions{Page: 1, Limit: 10},
	}
	page, resp, err := groups.List(ctx, opts)
	if err != nil {
		return fmt.Errorf("listing groups: %w", err)
	}
	out.printf("   page %d (up to %d a page): %d group(s)", opts.Page, opts.Limit, len(page))
	for _, g := range page {
		out.printf("   - #%d %s", g.ID, g.Name)
	}
	if r := resp.Rate; r.Quota > 0 {
		out.printf("   rate limit: %d of %d requests left in this %s window", r.Remaining, r.Quota, r.Window)
	}

	out.step("Walk every group with All, page by page")
	const shown = 3
	walked := 0
	for g, err := range groups.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("walking the groups: %w", err)
		}
		if walked < shown {
			out.printf("   - #%d %s", g.ID, g.Name)
		}
		walked++
	}
	if walked > shown {
		out.printf("   ... and %d more", walked-shown)
	}
	out.printf("   %d group(s) in all", walked)

	out.step("Update the group: is_default off, discount rules cleared")
	updated, _, err := groups.Update(ctx, id, &bigcommerce.UpdateCustomerGroupRequest{
		// Ptr(false) sends false; a nil pointer would leave the field alone.
		IsDefault: bigcommerce.Ptr(false),
		// An empty, non-nil slice removes every rule; nil would keep them.
		DiscountRules: []bigcommerce.DiscountRule{},
	})
	if err != nil {
		return fmt.Errorf("updating group #%d: %w", id, err)
	}
	out.printf("   before: is_default=%t, %s", created.IsDefault, rulesText(created.DiscountRules))
	out.printf("   after:  is_default=%t, %s", updated.IsDefault, rulesText(updated.DiscountRules))

	out.step("Count the groups")
	n, _, err := groups.Count(ctx, nil)
	if err != nil {
		return fmt.Errorf("counting groups: %w", err)
	}
	out.printf("   the store has %d group(s)", n)

	out.step(fmt.Sprintf("Get group #%d", id))
	got, _, err := groups.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("getting group #%d: %w", id, err)
	}
	out.printf("   #%d %q", got.ID, got.Name)
	out.describe(got)

	out.step(fmt.Sprintf("Delete group #%d", id))
	if _, err := groups.Delete(ctx, id); err != nil {
		return fmt.Errorf("deleting group #%d: %w", id, err)
	}
	deleted = true
	out.printf("   deleted group #%d", id)

	out.step(fmt.Sprintf("Get group #%d again: a typed error", id))
	_, _, err = groups.Get(ctx, id)
	var apiErr *bigcommerce.APIError
	switch {
	case errors.Is(err, bigcommerce.ErrNotFound) && errors.As(err, &apiErr):
		out.printf("   not found, as expected: errors.Is(err, bigcommerce.ErrNotFound) is true")
		out.printf("   the *bigcommerce.APIError says HTTP %d, %q", apiErr.StatusCode, apiErr.Message())
	case err != nil:
		return fmt.Errorf("getting the deleted group #%d: %w", id, err)
	default:
		return fmt.Errorf("group #%d is still there after being deleted", id)
	}

	out.printf("\nDone: the tour left the store as it found it.")
	return nil
}

// printer writes the tour and keeps the first write error, so that the
// steps read without an error check per line.
type printer struct {
	w     io.Writer
	steps int
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func (p *printer) step(title string) {
	p.steps++
	p.printf("\n%d. %s", p.steps, title)
}

func (p *printer) describe(g *bigcommerce.CustomerGroup) {
	access := string(g.CategoryAccess.Type)
	if len(g.CategoryAccess.Categories) > 0 {
		access += fmt.Sprintf(" %v", g.CategoryAccess.Categories)
	}
	p.printf("     is_default:      %t", g.IsDefault)
	p.printf("     category access: %s", access)
	p.printf("     discount rules:  %s", rulesText(g.DiscountRules))
	if !g.DateCreated.IsZero() {
		p.printf("     created:         %s", g.DateCreated.UTC().Format(time.RFC3339))
	}
}

// rulesText says what a group's discount rules do, in words.
func rulesText(rules []bigcommerce.DiscountRule) string {
	if len(rules) == 0 {
		return "no discount rules"
	}
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = ruleText(r)
	}
	return strings.Join(parts, "; ")
}

func ruleText(r bigcommerce.DiscountRule) string {
	if r.Type == bigcommerce.DiscountRulePriceList {
		return fmt.Sprintf("price list %d", r.PriceListID)
	}
	var what string
	switch r.Method {
	case bigcommerce.DiscountPercent:
		what = string(r.Amount) + "% off"
	case bigcommerce.DiscountFixed:
		what = string(r.Amount) + " off"
	case bigcommerce.DiscountPrice:
		what = "price set to " + string(r.Amount)
	default:
		what = fmt.Sprintf("%s %s", r.Method, r.Amount)
	}
	switch r.Type {
	case bigcommerce.DiscountRuleAll:
		return what + " everything"
	case bigcommerce.DiscountRuleProduct:
		return fmt.Sprintf("%s product %d", what, r.ProductID)
	case bigcommerce.DiscountRuleCategory:
		return fmt.Sprintf("%s category %d", what, r.CategoryID)
	}
	return fmt.Sprintf("%s (%s rule)", what, r.Type)
}
