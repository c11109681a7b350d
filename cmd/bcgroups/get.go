package main

import (
	"context"

	"github.com/spf13/cobra"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

func newGetCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "get ID...",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Show customer groups by id",
		Long:        "Show customer groups by id. JSON output is always an array, however many ids are given.",
		Args:        cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDArgs(args)
			if err != nil {
				return err
			}
			return a.runGet(cmd.Context(), ids)
		},
	}
}

// parseIDArgs reads group ids given as arguments, all of them before
// anything is sent.
func parseIDArgs(args []string) ([]int, error) {
	ids := make([]int, len(args))
	for i, arg := range args {
		id, err := parseID(arg)
		if err != nil {
			return nil, usageErrorf("ID %v: a group id is a positive whole number", err)
		}
		ids[i] = id
	}
	return ids, nil
}

func (a *app) runGet(ctx context.Context, ids []int) error {
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	// Every group is fetched before any is printed, so that a missing id
	// does not leave half a JSON array behind.
	groups := make([]*bigcommerce.CustomerGroup, len(ids))
	for i, id := range ids {
		if groups[i], _, err = conn.client.CustomerGroups.Get(ctx, id); err != nil {
			return err
		}
	}
	out := a.stdoutWriter(false)
	for _, g := range groups {
		if err := out.write(g); err != nil {
			return err
		}
	}
	return out.close()
}
