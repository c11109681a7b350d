package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// groupFlags are the fields of a group as create and update take them.
type groupFlags struct {
	name             string
	isDefault, guest bool
	access           string
	categories       string
	rules            []string
	clearRules       bool
	file             string
	flags            *pflag.FlagSet
}

const groupFlagsHelp = `
Discount rules (--rule, repeatable) are written as
  all:METHOD:AMOUNT             e.g. all:percent:5
  product:ID:METHOD:AMOUNT      e.g. product:33:fixed:2.50
  category:ID:METHOD:AMOUNT     e.g. category:7:price:12
  price_list:ID                 e.g. price_list:3 (must be the only rule)
where METHOD is percent, fixed or price. Amounts keep the digits you type.

-f FILE reads the group from a JSON object instead (as export and get
write it; id and dates are ignored); "-" reads standard input.`

func (f *groupFlags) register(fs *pflag.FlagSet) {
	f.flags = fs
	fs.StringVar(&f.name, "name", "", "the group's name (unique in the store, ignoring case)")
	fs.BoolVar(&f.isDefault, "default", false, "make new customers join this group (--default=false to stop)")
	fs.BoolVar(&f.guest, "guest", false, "make this the group guests belong to (--guest=false to stop)")
	fs.StringVar(&f.access, "access", "", "categories the group sees: all, none or specific")
	fs.StringVar(&f.categories, "categories", "", "category ids for specific access, e.g. 7,12 (implies --access specific)")
	fs.StringArrayVar(&f.rules, "rule", nil, "a discount rule such as all:percent:5 (repeatable; replaces every rule)")
	fs.BoolVar(&f.clearRules, "clear-rules", false, "remove every discount rule")
	fs.StringVarP(&f.file, "file", "f", "", "read the group from a JSON file (- for standard input)")
}

// fieldFlags are the flags that set a field, which -f replaces.
var fieldFlags = []string{"name", "default", "guest", "access", "categories", "rule", "clear-rules"}

// group reads the flags, or the file, into a document group whose nil
// fields were not given.
func (f *groupFlags) group(a *app) (*docGroup, error) {
	if f.file != "" {
		for _, name := range fieldFlags {
			if f.flags.Changed(name) {
				return nil, usageErrorf("--%s: cannot be combined with -f, which gives the whole group", name)
			}
		}
		data, err := a.readSource(f.file)
		if err != nil {
			return nil, err
		}
		groups, err := parseDocument(f.file, data, a.flags.csvRaw)
		if err != nil {
			return nil, err
		}
		if len(groups) != 1 {
			return nil, usageErrorf("-f: the document holds %d groups; create and update take one (use apply for many)", len(groups))
		}
		return &groups[0], nil
	}
	// A name of spaces is no name: refused here, naming the flag, rather
	// than by the SDK after a request was built.
	g := &docGroup{Name: strings.TrimSpace(f.name)}
	if f.flags.Changed("name") && g.Name == "" {
		return nil, usageErrorf("--name: must not be blank")
	}
	if f.flags.Changed("default") {
		g.IsDefault = bigcommerce.Ptr(f.isDefault)
	}
	if f.flags.Changed("guest") {
		g.IsGroupForGuests = bigcommerce.Ptr(f.guest)
	}
	if f.flags.Changed("access") || f.flags.Changed("categories") {
		ca := &bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessType(f.access)}
		if !f.flags.Changed("access") {
			ca.Type = bigcommerce.CategoryAccessSpecific
		}
		if !ca.Type.Valid() {
			return nil, usageErrorf("--access: must be all, none or specific, got %q", f.access)
		}
		ids, err := parseIDs(f.categories)
		if err != nil {
			return nil, usageErrorf("--categories: category id %v", err)
		}
		ca.Categories = ids
		if err := ca.Validate(); err != nil {
			return nil, usageErrorf("--access/--categories: %s (e.g. --access specific --categories 7,12)", invalid(err))
		}
		g.CategoryAccess = ca
	}
	if f.clearRules && len(f.rules) > 0 {
		return nil, usageErrorf("--clear-rules: cannot be combined with --rule")
	}
	if f.clearRules {
		g.DiscountRules = &[]bigcommerce.DiscountRule{}
	}
	if len(f.rules) > 0 {
		rules := make([]bigcommerce.DiscountRule, len(f.rules))
		for i, text := range f.rules {
			r, err := parseRule(text)
			if err != nil {
				return nil, usageErrorf("--rule %v", err)
			}
			rules[i] = r
		}
		if err := bigcommerce.ValidateDiscountRules(rules); err != nil {
			return nil, usageErrorf("--rule: %s", invalid(err))
		}
		g.DiscountRules = &rules
	}
	return g, nil
}

func newCreateCmd(a *app) *cobra.Command {
	var f groupFlags
	cmd := &cobra.Command{
		Use:         "create",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Create a customer group",
		Long:        "Create a customer group from flags or from a JSON file, and print it." + groupFlagsHelp,
		Example: `  bcgroups create --name Wholesale --access specific --categories 18,23 \
      --rule all:percent:10 --rule category:23:fixed:2.50
  bcgroups get 4 -o json | jq '.[0] | .name = "Wholesale EU"' | bcgroups create -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := f.group(a)
			if err != nil {
				return err
			}
			if g.Name == "" {
				return usageErrorf("--name: a new group needs a name")
			}
			if err := g.createRequest().Validate(); err != nil {
				return usageErrorf("%s", invalid(err))
			}
			return a.runCreate(cmd.Context(), g)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func (a *app) runCreate(ctx context.Context, g *docGroup) error {
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	created, _, err := conn.client.CustomerGroups.Create(ctx, g.createRequest())
	if errors.Is(err, bigcommerce.ErrPartialSuccess) {
		// A 207: the group exists, but the answer does not say which id it
		// got, so it is looked up to print it as a plain create would.
		a.say("created group %s in %s, with a warning: %v", quote(g.Name), conn.target, err)
		if created, _, err = conn.client.CustomerGroups.FindByName(ctx, g.Name); err != nil {
			return fmt.Errorf("the group was created, but looking it up to print it failed: %w", err)
		}
		return writeOne(a, created)
	}
	if err != nil {
		return err
	}
	a.say("created group %d %s in %s", created.ID, quote(created.Name), conn.target)
	return writeOne(a, created)
}

// writeOne prints the group that create or update wrote: one object in
// JSON, not an array.
func writeOne(a *app, g *bigcommerce.CustomerGroup) error {
	out := a.stdoutWriter(true)
	if err := out.write(g); err != nil {
		return err
	}
	return out.close()
}

func newUpdateCmd(a *app) *cobra.Command {
	var f groupFlags
	cmd := &cobra.Command{
		Use:         "update ID",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Change fields of a customer group",
		Long: "Change the fields given as flags (or present in the file) and leave the others as they are.\n" +
			"--rule replaces every discount rule; --clear-rules removes them all." + groupFlagsHelp,
		Example: `  bcgroups update 4 --default=false
  bcgroups update 4 --rule all:percent:12.5
  bcgroups update 4 --access all --clear-rules`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDArgs(args)
			if err != nil {
				return err
			}
			g, err := f.group(a)
			if err != nil {
				return err
			}
			req := g.updateRequest()
			if req.Name == nil && req.IsDefault == nil && req.IsGroupForGuests == nil && req.CategoryAccess == nil && req.DiscountRules == nil {
				return usageErrorf("nothing to change: give at least one of --name, --default, --guest, --access, --categories, --rule, --clear-rules or -f")
			}
			if err := req.Validate(); err != nil {
				return usageErrorf("%s", invalid(err))
			}
			return a.runUpdate(cmd.Context(), ids[0], req)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// updateRequest sends the fields of g that are set and nothing else.
func (g *docGroup) updateRequest() *bigcommerce.UpdateCustomerGroupRequest {
	req := &bigcommerce.UpdateCustomerGroupRequest{IsDefault: g.IsDefault, IsGroupForGuests: g.IsGroupForGuests, CategoryAccess: g.CategoryAccess}
	if g.Name != "" {
		req.Name = bigcommerce.Ptr(g.Name)
	}
	if g.DiscountRules != nil {
		req.DiscountRules = *g.DiscountRules
	}
	return req
}

func (a *app) runUpdate(ctx context.Context, id int, req *bigcommerce.UpdateCustomerGroupRequest) error {
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	updated, _, err := conn.client.CustomerGroups.Update(ctx, id, req)
	if errors.Is(err, bigcommerce.ErrPartialSuccess) {
		// A 207 carries no group; read it back to print what was saved.
		a.say("updated group %d in %s, with a warning (sending the same update again is safe): %v", id, conn.target, err)
		if updated, _, err = conn.client.CustomerGroups.Get(ctx, id); err != nil {
			return fmt.Errorf("the group was updated, but reading it back to print it failed: %w", err)
		}
		return writeOne(a, updated)
	}
	if err != nil {
		return err
	}
	a.say("updated group %d %s in %s", updated.ID, quote(updated.Name), conn.target)
	return writeOne(a, updated)
}
