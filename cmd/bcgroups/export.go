package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

type exportOptions struct {
	filters filterFlags
	file    string
}

func newExportCmd(a *app) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:         "export",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Write every customer group, in full, as JSON, NDJSON or CSV",
		Long: `Write every customer group (or those the filters select), with every field,
to standard output or --file. The format is -o json (the default: one JSON
array), ndjson (one group per line) or csv. apply reads all three back.

Groups are written as they arrive, a page at a time, so memory stays flat
however large the store is.

CSV has one row per group and the columns id, name, is_default,
is_group_for_guests, category_access, categories, discount_rules,
date_created and date_modified. categories holds category ids joined by ";"
(18;23). discount_rules holds the rules in the --rule syntax joined by ";"
(all:percent:10.0000;category:23:fixed:2.5000). Amounts keep the store's
exact digits in every format. Dates are RFC 3339 in UTC. A cell that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or
carriage return) gets a single quote in front; apply takes it off again.
--csv-raw writes cells exactly. The header's last column, bcgroups:guarded
or bcgroups:raw, says which was done, and apply follows it.

When standard error is a terminal and the data goes elsewhere (--file, or a
pipe), a progress bar counts groups and pages; while the SDK waits for the
store's rate limit it says so, with the seconds left.

--file replaces the file only once the export is complete: groups go to a
temporary file in the same folder, which is flushed to disk and renamed
over the target. A failure or a signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT)
leaves the previous file as it was and removes the temporary one. A
symbolic link is written through: its target is replaced and the link
stays. A pipe, a FIFO, /dev/stdout or a shell's >(...) is written as the
groups arrive, since there is no file to replace: a failure there leaves
what was already written.`,
		Example: `  bcgroups export > groups.json
  bcgroups export -o csv --file groups.csv
  bcgroups export -o ndjson --name-like trade | gzip > trade.ndjson.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("file") && o.file == "" {
				return usageErrorf("--file: needs a file name; leave --file out to write to standard output")
			}
			return a.runExport(cmd.Context(), &o)
		},
	}
	o.filters.register(cmd.Flags())
	cmd.Flags().StringVar(&o.file, "file", "", "write to this file instead of standard output")
	return cmd
}

func (a *app) runExport(ctx context.Context, o *exportOptions) error {
	format := a.flags.output
	switch format {
	case "":
		format = "json"
	case "table":
		return usageErrorf("-o/--output: export writes json, ndjson or csv, not a table")
	}
	if a.jq != nil && o.file != "" {
		return usageErrorf("--jq: prints to standard output, so it cannot be combined with --file")
	}
	filter, err := o.filters.filter()
	if err != nil {
		return err
	}
	if o.file == "" {
		conn, err := a.connect(ctx)
		if err != nil {
			return err
		}
		_, err = a.exportTo(ctx, conn, a.io.Out, a.io.OutTTY, format, filter)
		return err
	}
	out, err := planOutput(o.file, 0o644, true)
	if err != nil {
		return err
	}
	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	n := 0
	err = out.write(func(w io.Writer) error {
		var werr error
		n, werr = a.exportTo(ctx, conn, w, false, format, filter)
		return werr
	})
	var cannotWrite *cannotWriteError
	switch {
	case err == nil:
	case out.stream:
		return fmt.Errorf("%w; the output to %s is incomplete (a pipe or a device cannot be replaced whole)", err, o.file)
	case errors.As(err, &cannotWrite) && !out.existed:
		return err
	case out.existed:
		return fmt.Errorf("%w; %s was left as it was", err, o.file)
	default:
		return fmt.Errorf("%w; %s was not created", err, o.file)
	}
	a.say("exported %s to %s", plural(n, "group", "groups"), o.file)
	return nil
}

// exportTo writes the groups to dst and returns how many it wrote, with a
// progress bar on standard error when that is a terminal and dst is not.
func (a *app) exportTo(ctx context.Context, conn *connection, dst io.Writer, toTerminal bool, format string, filter bigcommerce.CustomerGroupFilter) (int, error) {
	var bar *progress
	if a.io.ErrTTY && !toTerminal {
		total, _, err := conn.client.CustomerGroups.Count(ctx, &filter)
		if err != nil {
			return 0, err
		}
		bar = newProgress(a.io.ErrOut, total)
		ticker := time.NewTicker(rateWatchInterval)
		done := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			bar.watch(conn.client.Rate, ticker.C, done)
		}()
		defer func() {
			ticker.Stop()
			close(done)
			<-watched
		}()
	}
	out := newGroupWriter(format, dst, writerOptions{terminal: toTerminal, csvRaw: a.flags.csvRaw})
	n := 0
	for g, err := range conn.client.CustomerGroups.All(ctx, &bigcommerce.ListCustomerGroupsOptions{CustomerGroupFilter: filter}) {
		if err != nil {
			// Unfinished on purpose, like list --all.
			bar.stop()
			if n == 0 {
				return n, fmt.Errorf("export failed: %w", err)
			}
			return n, fmt.Errorf("export stopped after %s: %w", plural(n, "group", "groups"), err)
		}
		if err := out.write(&g); err != nil {
			bar.stop()
			return n, err
		}
		n++
		bar.add(n)
	}
	if err := out.close(); err != nil {
		return n, err
	}
	bar.finish()
	return n, nil
}
