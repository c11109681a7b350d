package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// fieldChange is one field that apply will change, as text for the plan.
type fieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new"`
}

// planStep is one group's part of a plan.
type planStep struct {
	doc     *docGroup
	store   *bigcommerce.CustomerGroup // nil for a create
	changes []fieldChange
	update  *bigcommerce.UpdateCustomerGroupRequest // only the changed fields
}

func (s *planStep) name() string {
	if s.doc != nil {
		return s.doc.Name
	}
	return s.store.Name
}

// plan is what apply will do to make the store match a document.
type plan struct {
	creates, updates, unchanged, deletes []*planStep
	// untouched counts the store's groups that are not in the document and
	// are left alone because --prune was not given.
	untouched int
}

func (p *plan) changes() int { return len(p.creates) + len(p.updates) + len(p.deletes) }

// makePlan compares a document with the store's groups. Groups match by
// name, ignoring case as the store does. A field absent from the document
// is not compared; ids and dates never are. Category ids are compared as
// sets and discount rules as sets of rules with amounts compared as
// numbers, since the store answers "5.0000" for "5".
func makePlan(docs []docGroup, store []bigcommerce.CustomerGroup, prune bool) (*plan, error) {
	byName := make(map[string]*bigcommerce.CustomerGroup, len(store))
	for i := range store {
		k := bigcommerce.NameKey(store[i].Name)
		if other, dup := byName[k]; dup {
			return nil, fmt.Errorf("the store has two groups whose names differ only in case, %s (id %d) and %s (id %d): rename one before applying", quote(other.Name), other.ID, quote(store[i].Name), store[i].ID)
		}
		byName[k] = &store[i]
	}
	p := &plan{}
	matched := make(map[int]bool, len(docs))
	for i := range docs {
		d := &docs[i]
		g, ok := byName[bigcommerce.NameKey(d.Name)]
		if !ok {
			p.creates = append(p.creates, &planStep{doc: d, changes: createFields(d)})
			continue
		}
		matched[g.ID] = true
		step := diff(d, g)
		if len(step.changes) == 0 {
			p.unchanged = append(p.unchanged, step)
		} else {
			p.updates = append(p.updates, step)
		}
	}
	for i := range store {
		if matched[store[i].ID] {
			continue
		}
		if prune {
			p.deletes = append(p.deletes, &planStep{store: &store[i]})
		} else {
			p.untouched++
		}
	}
	return p, nil
}

// diff finds the fields of g that differ from the document and builds the
// update that sends only those.
func diff(d *docGroup, g *bigcommerce.CustomerGroup) *planStep {
	s := &planStep{doc: d, store: g, update: &bigcommerce.UpdateCustomerGroupRequest{}}
	// The document's name is trimmed when it is read; a store name with
	// spaces or tabs around it is the same name, not one to rewrite.
	if d.Name != strings.TrimSpace(g.Name) {
		s.changes = append(s.changes, fieldChange{"name", g.Name, d.Name})
		s.update.Name = bigcommerce.Ptr(d.Name)
	}
	if d.IsDefault != nil && *d.IsDefault != g.IsDefault {
		s.changes = append(s.changes, fieldChange{"is_default", fmt.Sprint(g.IsDefault), fmt.Sprint(*d.IsDefault)})
		s.update.IsDefault = d.IsDefault
	}
	if d.IsGroupForGuests != nil && *d.IsGroupForGuests != g.IsGroupForGuests {
		s.changes = append(s.changes, fieldChange{"is_group_for_guests", fmt.Sprint(g.IsGroupForGuests), fmt.Sprint(*d.IsGroupForGuests)})
		s.update.IsGroupForGuests = d.IsGroupForGuests
	}
	if d.CategoryAccess != nil && !sameAccess(*d.CategoryAccess, g.CategoryAccess) {
		s.changes = append(s.changes, fieldChange{"category_access", accessText(g.CategoryAccess), accessText(*d.CategoryAccess)})
		s.update.CategoryAccess = d.CategoryAccess
	}
	if d.DiscountRules != nil && !sameRules(*d.DiscountRules, g.DiscountRules) {
		s.changes = append(s.changes, fieldChange{"discount_rules", rulesText(g.DiscountRules), rulesText(*d.DiscountRules)})
		s.update.DiscountRules = *d.DiscountRules
		if s.update.DiscountRules == nil {
			s.update.DiscountRules = []bigcommerce.DiscountRule{}
		}
	}
	return s
}

// createFields lists what a create sets, for the plan.
func createFields(d *docGroup) []fieldChange {
	var out []fieldChange
	if d.IsDefault != nil {
		out = append(out, fieldChange{Field: "is_default", New: fmt.Sprint(*d.IsDefault)})
	}
	if d.IsGroupForGuests != nil {
		out = append(out, fieldChange{Field: "is_group_for_guests", New: fmt.Sprint(*d.IsGroupForGuests)})
	}
	if d.CategoryAccess != nil {
		out = append(out, fieldChange{Field: "category_access", New: accessText(*d.CategoryAccess)})
	}
	if d.DiscountRules != nil {
		out = append(out, fieldChange{Field: "discount_rules", New: rulesText(*d.DiscountRules)})
	}
	return out
}

func sameAccess(a, b bigcommerce.CategoryAccess) bool {
	if a.Type != b.Type {
		return false
	}
	return a.Type != bigcommerce.CategoryAccessSpecific || sameIDs(a.Categories, b.Categories)
}

func sameRules(a, b []bigcommerce.DiscountRule) bool {
	if len(a) != len(b) {
		return false
	}
	return slices.Equal(ruleKeys(a), ruleKeys(b))
}

// ruleKeys gives each rule a text that is equal for equal rules: the
// amount as an exact fraction, so 5, 5.0 and 5.0000 agree.
func ruleKeys(rules []bigcommerce.DiscountRule) []string {
	keys := make([]string, len(rules))
	for i, r := range rules {
		if rat, err := r.Amount.Rat(); err == nil {
			r.Amount = bigcommerce.Amount(rat.RatString())
		}
		keys[i] = formatRule(r)
	}
	slices.Sort(keys)
	return keys
}

func accessText(ca bigcommerce.CategoryAccess) string {
	if ca.Type == bigcommerce.CategoryAccessSpecific {
		return "specific " + strings.ReplaceAll(formatIDs(ca.Categories), ";", ",")
	}
	return string(ca.Type)
}

func rulesText(rules []bigcommerce.DiscountRule) string {
	if len(rules) == 0 {
		return "(none)"
	}
	return strings.ReplaceAll(formatRules(rules), ";", ", ")
}

// maxUnchangedListed bounds the names listed as unchanged, which for a
// large store would bury the changes.
const maxUnchangedListed = 10

// writeText prints the plan for people: the store it is for, then
// + create, ~ update with each field's old -> new, = unchanged, - delete,
// then a summary line.
func (p *plan) writeText(w io.Writer, to target) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for %s:\n", to)
	for _, s := range p.creates {
		fmt.Fprintf(&b, "+ create %s\n", quote(s.doc.Name))
		for _, c := range s.changes {
			fmt.Fprintf(&b, "    %s: %s\n", c.Field, safeText(c.New))
		}
	}
	for _, s := range p.updates {
		fmt.Fprintf(&b, "~ update %s (id %d)\n", quote(s.store.Name), s.store.ID)
		for _, c := range s.changes {
			was, now := safeText(c.Old), safeText(c.New)
			if c.Field == "name" {
				was, now = shown(c.Old), shown(c.New)
			}
			fmt.Fprintf(&b, "    %s: %s -> %s\n", c.Field, was, now)
		}
	}
	if len(p.unchanged) > 0 {
		names := make([]string, 0, maxUnchangedListed)
		for _, s := range p.unchanged[:min(len(p.unchanged), maxUnchangedListed)] {
			names = append(names, fmt.Sprintf("%s (id %d)", quote(s.store.Name), s.store.ID))
		}
		more := ""
		if n := len(p.unchanged) - len(names); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(&b, "= unchanged: %s%s\n", strings.Join(names, ", "), more)
	}
	for _, s := range p.deletes {
		fmt.Fprintf(&b, "- delete %s (id %d)\n", quote(s.store.Name), s.store.ID)
	}
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d unchanged, %d to delete.\n", len(p.creates), len(p.updates), len(p.unchanged), len(p.deletes))
	if p.untouched > 0 {
		if p.untouched == 1 {
			fmt.Fprintf(&b, "1 group in the store is not in the document and is left alone (--prune would delete it).\n")
		} else {
			fmt.Fprintf(&b, "%d groups in the store are not in the document and are left alone (--prune would delete them).\n", p.untouched)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// planJSON is the plan as -o json writes it, for programs. Target names
// the store, so that a CI log or a --jq filter can tell which it was.
type planJSON struct {
	Target    target         `json:"target"`
	Create    []planJSONStep `json:"create"`
	Update    []planJSONStep `json:"update"`
	Unchanged []planJSONStep `json:"unchanged"`
	Delete    []planJSONStep `json:"delete"`
	Untouched int            `json:"untouched"`
}

type planJSONStep struct {
	ID      int           `json:"id,omitempty"`
	Name    string        `json:"name"`
	Changes []fieldChange `json:"changes,omitempty"`
}

// writeJSON prints the plan as JSON; for a terminal, as jsonForTerminal
// makes it safe to show.
func (p *plan) writeJSON(w io.Writer, to target, terminal bool) error {
	steps := func(list []*planStep) []planJSONStep {
		out := make([]planJSONStep, len(list))
		for i, s := range list {
			out[i] = planJSONStep{Name: s.name(), Changes: s.changes}
			if s.store != nil {
				out[i].ID = s.store.ID
			}
		}
		return out
	}
	b, err := marshal(planJSON{to, steps(p.creates), steps(p.updates), steps(p.unchanged), steps(p.deletes), p.untouched}, true)
	if err != nil {
		return err
	}
	if terminal {
		b = jsonForTerminal(b)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
