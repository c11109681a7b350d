package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// filterFlags are the SDK's filters as flags, shared by list, count and
// export.
type filterFlags struct {
	name, nameLike           string
	isDefault, guest         bool
	createdMin, createdMax   string
	modifiedMin, modifiedMax string
	flags                    *pflag.FlagSet
}

func (f *filterFlags) register(fs *pflag.FlagSet) {
	f.flags = fs
	fs.StringVar(&f.name, "name", "", "only the group with exactly this name (the store compares case-sensitively)")
	fs.StringVar(&f.nameLike, "name-like", "", "only groups whose name contains this text")
	fs.BoolVar(&f.isDefault, "default", false, "only the default group (--default=false: every other group)")
	fs.BoolVar(&f.guest, "guest", false, "only the guest group (--guest=false: every other group)")
	fs.StringVar(&f.createdMin, "created-min", "", "only groups created at or after this date")
	fs.StringVar(&f.createdMax, "created-max", "", "only groups created at or before this date (a bare date includes the whole day)")
	fs.StringVar(&f.modifiedMin, "modified-min", "", "only groups modified at or after this date")
	fs.StringVar(&f.modifiedMax, "modified-max", "", "only groups modified at or before this date (a bare date includes the whole day)")
}

// filter turns the flags into the SDK's filter, refusing a date it cannot
// read with an error that names the flag.
func (f *filterFlags) filter() (bigcommerce.CustomerGroupFilter, error) {
	out := bigcommerce.CustomerGroupFilter{Name: f.name, NameLike: f.nameLike}
	if f.flags.Changed("default") {
		out.IsDefault = bigcommerce.Ptr(f.isDefault)
	}
	if f.flags.Changed("guest") {
		out.IsGroupForGuests = bigcommerce.Ptr(f.guest)
	}
	dates := []struct {
		flag, value string
		end         bool
		dst         *time.Time
	}{
		{"created-min", f.createdMin, false, &out.DateCreatedMin},
		{"created-max", f.createdMax, true, &out.DateCreatedMax},
		{"modified-min", f.modifiedMin, false, &out.DateModifiedMin},
		{"modified-max", f.modifiedMax, true, &out.DateModifiedMax},
	}
	for _, d := range dates {
		if d.value == "" {
			continue
		}
		t, err := parseDateFlag(d.value, d.end)
		if err != nil {
			return out, usageErrorf("--%s: %v", d.flag, err)
		}
		*d.dst = t
	}
	return out, nil
}

// dateFlagLayouts are the forms a date flag takes. Dates without a zone
// are UTC, as the store keeps them.
var dateFlagLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// parseDateFlag reads a date as a user types it. A bare date stands for
// its first second, or with end for its last, so that a maximum of
// 2024-03-31 includes all of the 31st.
func parseDateFlag(s string, end bool) (time.Time, error) {
	for _, layout := range dateFlagLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t, nil
	}
	return time.Time{}, usageErrorf("%q is not a date; use 2006-01-02, 2006-01-02 15:04:05 or RFC 3339 such as 2006-01-02T15:04:05Z", s)
}

type listOptions struct {
	filters     filterFlags
	all         bool
	page, limit int
	flags       *pflag.FlagSet
}

func newListCmd(a *app) *cobra.Command {
	var o listOptions
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "List customer groups: one page, or every page with --all",
		Example: `  bcgroups list --name-like wholesale
  bcgroups list --all --default=false -o csv
  bcgroups list --created-min 2024-01-01 --created-max "2024-03-31 23:00:00"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runList(cmd.Context(), &o)
		},
	}
	o.filters.register(cmd.Flags())
	cmd.Flags().BoolVar(&o.all, "all", false, "walk every page instead of one")
	cmd.Flags().IntVar(&o.page, "page", 0, "page to show, from 1 (default 1)")
	cmd.Flags().IntVar(&o.limit, "limit", 0, fmt.Sprintf("groups per page, %d to %d (default %d)", bigcommerce.MinPageSize, bigcommerce.MaxPageSize, bigcommerce.DefaultPageSize))
	o.flags = cmd.Flags()
	return cmd
}

func (a *app) runList(ctx context.Context, o *listOptions) error {
	filter, err := o.filters.filter()
	if err != nil {
		return err
	}
	// The SDK's Validate takes 0 for "the API's default", which a flag
	// left out already means; a --limit or --page of 0 typed out is a
	// mistake, so those are refused here.
	if o.flags.Changed("page") && o.page < 1 {
		return usageErrorf("--page: must be at least 1, got %d", o.page)
	}
	if o.flags.Changed("limit") && o.limit < bigcommerce.MinPageSize {
		return usageErrorf("--limit: must be between %d and %d, got %d", bigcommerce.MinPageSize, bigcommerce.MaxPageSize, o.limit)
	}
	if err := (bigcommerce.ListOptions{Page: o.page, Limit: o.limit}).Validate(); err != nil {
		var v *bigcommerce.ValidationError
		if errors.As(err, &v) && v.Field == "Limit" {
			return usageErrorf("--limit: must be between %d and %d, got %d", bigcommerce.MinPageSize, bigcommerce.MaxPageSize, o.limit)
		}
		return usageErrorf("%s", invalid(err))
	}
	if o.all && o.page != 0 {
		return usageErrorf("--page: cannot be combined with --all, which walks every page")
	}
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	opts := &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter, ListOptions: bigcommerce.ListOptions{Page: o.page, Limit: o.limit}}
	out := a.stdoutWriter(false)
	if o.all {
		for g, err := range conn.client.CustomerGroups.All(ctx, opts) {
			if err != nil {
				// The output is left unfinished (a JSON array without its
				// closing bracket) so that no reader takes it for the whole.
				return err
			}
			if err := out.write(&g); err != nil {
				return err
			}
		}
		return out.close()
	}
	page, _, err := conn.client.CustomerGroups.List(ctx, opts)
	if err != nil {
		return err
	}
	for i := range page {
		if err := out.write(&page[i]); err != nil {
			return err
		}
	}
	return out.close()
}

func newCountCmd(a *app) *cobra.Command {
	var f filterFlags
	cmd := &cobra.Command{
		Use:         "count",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Count customer groups, with the same filters as list",
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runCount(cmd.Context(), &f)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func (a *app) runCount(ctx context.Context, f *filterFlags) error {
	filter, err := f.filter()
	if err != nil {
		return err
	}
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	n, _, err := conn.client.CustomerGroups.Count(ctx, &filter)
	if err != nil {
		return err
	}
	return writeCount(a.io.Out, a.format(), n)
}
