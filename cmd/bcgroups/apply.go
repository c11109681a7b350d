package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

type applyOptions struct {
	file                    string
	prune, dryRun, exitCode bool
	yes                     bool
	mapFile                 string
	strictMap               bool
}

func newApplyCmd(a *app) *cobra.Command {
	var o applyOptions
	cmd := &cobra.Command{
		Use:         "apply -f FILE",
		Annotations: map[string]string{jsonCommand: "yes"},
		Short:       "Make the store's customer groups match a document",
		Long: `Make the store's customer groups match a document in the format export
writes (a JSON array, NDJSON or CSV; "-f -" reads standard input).

Groups are matched by name, ignoring case, as the store compares names. A
group of the document that the store lacks is created; one that differs is
updated, sending only the fields that change; a field the document leaves
out is left alone; ids and dates in the document are ignored. With --prune,
groups of the store that the document lacks are deleted. Amounts compare
as numbers ("5" equals the store's "5.0000"), category ids and discount
rules as sets, so applying the same document twice makes no writes.

apply first prints its plan on standard output, naming the profile, store
hash and host it is for (-o json prints it as JSON, with the store in
"target"), then asks before writing: on a terminal it asks, elsewhere it needs --yes.
--dry-run prints the plan and writes nothing; with --exit-code it exits 5
when there is something to change, for drift checks in CI.

The whole document is checked before the first request, with the SDK's own
rules, and a document the store could never settle is refused: two groups
marked as the guests' group or as the default, or two names that differ
only in case. Every offending entry is named by its line; exit 2 means
nothing was sent.

Writes go one at a time: creates, then updates, then deletes. On a failure,
or on Ctrl-C before the next write, apply stops and reports what was done
and what was not; a failure after some writes exits 6. When a create gets
an answer that leaves its fate unknown (a 5xx, a lost connection), apply
looks the group up by name before anything else and reports what it finds,
so running apply again never makes a duplicate.

Moving groups to another store: category, product and price-list ids
differ between stores. --map FILE rewrites them on the way in, from a JSON
file such as
  {"categories": {"18": 118, "23": 123}, "products": {"112": 412}, "price_lists": {"3": 7}}
Ids the map does not list pass through unchanged, unless --strict-map makes
any unlisted id an error.`,
		Example: `  bcgroups apply -f groups.json --dry-run
  bcgroups apply -f groups.json --prune --yes
  bcgroups apply -f groups.json --dry-run --exit-code   # CI: exit 5 on drift
  bcgroups export --store-hash old... | bcgroups apply -f - --map ids.json --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runApply(cmd.Context(), &o)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", "", "the document to apply (- for standard input)")
	fs.BoolVar(&o.prune, "prune", false, "also delete the store's groups that the document does not name")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and write nothing")
	fs.BoolVar(&o.exitCode, "exit-code", false, "with --dry-run, exit 5 when the plan has changes")
	fs.BoolVarP(&o.yes, "yes", "y", false, "apply without asking")
	fs.StringVar(&o.mapFile, "map", "", "JSON file mapping category, product and price-list ids to the target store's")
	fs.BoolVar(&o.strictMap, "strict-map", false, "with --map, fail when the document has an id the map does not list")
	return cmd
}

func (a *app) runApply(ctx context.Context, o *applyOptions) error {
	if o.file == "" {
		return usageErrorf("-f: apply needs a document, e.g. -f groups.json (- for standard input)")
	}
	if o.exitCode && !o.dryRun {
		return usageErrorf("--exit-code: only with --dry-run")
	}
	if a.jq != nil && !o.dryRun {
		// The filter runs after the command, so the plan would be shown
		// only after the writes it describes.
		return usageErrorf("--jq: with apply, only together with --dry-run")
	}
	if o.strictMap && o.mapFile == "" {
		return usageErrorf("--strict-map: only with --map")
	}
	if a.flags.output != "" && a.flags.output != "json" && a.flags.output != "table" {
		return usageErrorf("-o/--output: apply prints its plan as text or json, not %s", a.flags.output)
	}
	// Everything local is checked before the store hears from us.
	data, err := a.readSource(o.file)
	if err != nil {
		return err
	}
	docs, err := parseDocument(o.file, data, a.flags.csvRaw)
	if err != nil {
		return err
	}
	if o.mapFile != "" {
		m, err := readIDMap(o.mapFile)
		if err != nil {
			return err
		}
		if err := m.apply(docs, o.strictMap); err != nil {
			return err
		}
	}

	conn, err := a.connect(ctx)
	if err != nil {
		return err
	}
	store, err := walkStore(ctx, conn.client)
	if err != nil {
		return err
	}
	p, err := makePlan(docs, store, o.prune)
	if err != nil {
		return err
	}
	if a.flags.output == "json" {
		err = p.writeJSON(a.io.Out, conn.target, a.io.OutTTY)
	} else {
		err = p.writeText(a.io.Out, conn.target)
	}
	if err != nil {
		return err
	}
	switch {
	case o.dryRun && o.exitCode && p.changes() > 0:
		return errDrift
	case o.dryRun:
		return nil
	case p.changes() == 0:
		a.say("%s already matches %s; nothing to do", conn.target, o.file)
		return nil
	}
	question := fmt.Sprintf("Apply these %d changes to %s?", p.changes(), conn.target)
	if p.changes() == 1 {
		question = fmt.Sprintf("Apply this 1 change to %s?", conn.target)
	}
	ok, err := a.io.confirm(ctx, o.yes, question)
	if err != nil {
		return err
	}
	if !ok {
		return errDeclined
	}
	return a.applyPlan(ctx, conn, p)
}

// walkStore reads every group of the store. Names are matched ignoring
// case, which the API's name filter cannot do, so apply reads them all.
func walkStore(ctx context.Context, c *bigcommerce.Client) ([]bigcommerce.CustomerGroup, error) {
	var out []bigcommerce.CustomerGroup
	for g, err := range c.CustomerGroups.All(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("reading the store's groups: %w", err)
		}
		out = append(out, g)
	}
	return out, nil
}

// applyPlan carries out the plan one write at a time and stops at the
// first failure, saying what was done and what was not.
func (a *app) applyPlan(ctx context.Context, conn *connection, p *plan) error {
	groups := conn.client.CustomerGroups
	var done []string
	type step struct {
		verb string
		s    *planStep
		run  func() error
	}
	var steps []step
	for _, s := range p.creates {
		steps = append(steps, step{"create", s, func() error { _, _, err := groups.Create(ctx, s.doc.createRequest()); return err }})
	}
	for _, s := range p.updates {
		steps = append(steps, step{"update", s, func() error { _, _, err := groups.Update(ctx, s.store.ID, s.update); return err }})
	}
	for _, s := range p.deletes {
		steps = append(steps, step{"delete", s, func() error { _, err := groups.Delete(ctx, s.store.ID); return err }})
	}
	labels := make([]string, len(steps))
	for i, st := range steps {
		labels[i] = st.verb + " " + quote(st.s.name())
	}
	a.say("applying %s to %s", plural(len(steps), "change", "changes"), conn.target)
	for i, st := range steps {
		label := labels[i]
		// An interrupt (Ctrl-C) stops apply between two writes, never in
		// the middle of one, so that the report below is exact.
		if err := ctx.Err(); err != nil {
			a.report(conn, done, nil, labels[i:])
			return stoppedAfter(len(done), fmt.Errorf("apply interrupted before %s: %w", label, err))
		}
		err := st.run()
		if errors.Is(err, bigcommerce.ErrPartialSuccess) {
			// A 207: the group was saved; only the store's own follow-up failed.
			done = append(done, label)
			a.say("%s: done, with a warning: %v", label, err)
			continue
		}
		if err == nil {
			done = append(done, label)
			a.say("%s: done", label)
			continue
		}
		// The failed step is reported as done, not done or unknown, and
		// never left out: a re-run depends on knowing which.
		rest := labels[i+1:]
		var unknown []string
		var outcome string
		switch {
		case st.verb == "create" && ambiguous(err):
			var state createState
			state, outcome = a.checkCreate(ctx, conn, st.s.doc.Name)
			switch state {
			case createDone:
				done = append(done, label)
			case createNotDone:
				rest = labels[i:]
			default:
				unknown = []string{label}
			}
		case ambiguous(err):
			// A second update or delete is harmless, so apply needs no
			// check: the next run's plan shows what is left.
			outcome = "unknown (the store may have applied it before failing)"
			unknown = []string{label}
		default:
			outcome = "not done"
			rest = labels[i:]
		}
		a.say("%s: %s: %v", label, outcome, err)
		a.report(conn, done, unknown, rest)
		return stoppedAfter(len(done)+len(unknown), fmt.Errorf("apply stopped at %s: %w", label, err))
	}
	a.say("applied to %s: %d created, %d updated, %d deleted", conn.target, len(p.creates), len(p.updates), len(p.deletes))
	return nil
}

// stoppedAfter marks err as a partial failure when writes had been done,
// or may have been, before it.
func stoppedAfter(writes int, err error) error {
	if writes > 0 {
		return &partialError{err}
	}
	return err
}

// ambiguous reports whether a failed write may still have been applied:
// the store failed (5xx), the answer was lost, or it could not be read.
func ambiguous(err error) bool {
	var reqErr *bigcommerce.RequestError
	var decErr *bigcommerce.DecodeError
	return errors.Is(err, bigcommerce.ErrServer) || errors.As(err, &reqErr) || errors.As(err, &decErr)
}

// createState is what checkCreate found out about a create whose answer
// was an error.
type createState int

const (
	createUnknown createState = iota // the store could not be read
	createDone                       // the group is in the store
	createNotDone                    // the group is not in the store
)

// checkCreate looks a group up by name after a create whose answer left
// its fate unknown, before anything else is written, and describes what
// it found. It outlives a cancelled command, since the answer decides
// what a re-run will do.
func (a *app) checkCreate(ctx context.Context, conn *connection, name string) (createState, string) {
	store, err := walkStore(context.WithoutCancel(ctx), conn.client)
	if err != nil {
		return createUnknown, fmt.Sprintf("unknown (the store could not be read to check: %v); run apply --dry-run to see", err)
	}
	for _, g := range store {
		if bigcommerce.NameKey(g.Name) == bigcommerce.NameKey(name) {
			return createDone, fmt.Sprintf("done after all (the group is in the store as id %d, though the answer was an error)", g.ID)
		}
	}
	return createNotDone, "not done (the group is not in the store)"
}

// report lists, after apply stopped, the steps that were done, those
// whose outcome is unknown, and those that were not done.
func (a *app) report(conn *connection, done, unknown, rest []string) {
	list := func(items []string) string {
		if len(items) == 0 {
			return "nothing"
		}
		return strings.Join(items, ", ")
	}
	a.say("apply to %s stopped", conn.target)
	a.say("done: %s", list(done))
	if len(unknown) > 0 {
		a.say("unknown: %s", list(unknown))
	}
	a.say("not done: %s", list(rest))
	a.say("run apply again to finish; it will not repeat what was done")
}
