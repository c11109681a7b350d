package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newDeleteCmd(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete ID...",
		Short: "Delete customer groups by id",
		Long: "Delete customer groups by id; their customers are left in no group.\n" +
			"Every group is looked up first: a missing id stops the run before anything\n" +
			"is deleted, and the question names the store and each group.\n" +
			"Asks first on a terminal; without a terminal, --yes is required.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDArgs(args)
			if err != nil {
				return err
			}
			return a.runDelete(cmd.Context(), ids, yes)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

func (a *app) runDelete(ctx context.Context, ids []int, yes bool) error {
	// Refuse before connecting, so a script without --yes learns it at once.
	if !yes && !a.io.InTTY {
		_, err := a.io.confirm(ctx, false, "")
		return err
	}
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	// Every group is looked up first, so that the question names what
	// will go (an id is easy to mistype), and a missing id stops the run
	// before anything is deleted.
	words := make([]string, len(ids))
	for i, id := range ids {
		g, _, err := conn.client.CustomerGroups.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("looking up group %d (nothing was deleted): %w", id, err)
		}
		words[i] = fmt.Sprintf("%s (id %d)", quote(g.Name), id)
	}
	ok, err := a.io.confirm(ctx, yes, fmt.Sprintf("Delete %s from %s: %s? Their customers will be in no group.", plural(len(ids), "group", "groups"), conn.target, strings.Join(words, ", ")))
	if err != nil {
		return err
	}
	if !ok {
		return errDeclined
	}
	for i, id := range ids {
		if _, err := conn.client.CustomerGroups.Delete(ctx, id); err != nil {
			err = fmt.Errorf("deleting group %s: %w", words[i], err)
			if i == 0 {
				return err
			}
			a.say("deleted %s before the failure; not deleted: %s", strings.Join(words[:i], ", "), strings.Join(words[i:], ", "))
			return &partialError{err}
		}
		a.say("deleted group %s from %s", words[i], conn.target)
	}
	return nil
}

const deleteAllNote = "BigCommerce dropped DELETE /customer_groups from its API reference in February 2024; stores still answered it when this tool was written, but it may stop working without notice."

func newDeleteAllCmd(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete-all",
		Short: "Delete every customer group of the store",
		Long: "Delete every customer group of the store in one call, leaving every customer in no group.\n\n" +
			deleteAllNote + "\n\n" +
			"On a terminal it asks you to type the store hash (OAuth), the store's host name\n" +
			"(Basic auth, e.g. store-abc123.mybigcommerce.com) or the word fake (--fake).\n" +
			"Without a terminal, --yes is required. The call is never retried.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDeleteAll(cmd.Context(), yes)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

func (a *app) runDeleteAll(ctx context.Context, yes bool) error {
	fmt.Fprintln(a.io.ErrOut, "note: "+deleteAllNote)
	if !yes && !a.io.InTTY {
		_, err := a.io.confirm(ctx, false, "")
		return err
	}
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	n, _, err := conn.client.CustomerGroups.Count(ctx, nil)
	if err != nil {
		return err
	}
	ok, err := a.io.confirmTyped(ctx, yes, fmt.Sprintf("This deletes all %s of %s, and cannot be undone.", plural(n, "customer group", "customer groups"), conn.target), conn.confirmWord)
	if err != nil {
		return err
	}
	if !ok {
		return errDeclined
	}
	if _, err := conn.client.CustomerGroups.DeleteAll(ctx); err != nil {
		return err
	}
	a.say("deleted every customer group of %s (%d before)", conn.target, n)
	return nil
}
