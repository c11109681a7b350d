package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The tests in this file run the built program in a pseudo-terminal with
// names that a hostile or careless store could hold.

// addGroup adds a group named name to srv and returns its id as text.
func addGroup(srv *bigcommercetest.Server, name string) string {
	return itoa(srv.Add(bigcommercetest.Group{Name: name, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}}).ID)
}

// TestInATerminalJSONAndNDJSONEscapeC1Controls is the eighth finding of
// issue 21: U+009B (CSI in one byte, to terminals that honour C1) reached
// the terminal raw from JSON and NDJSON, where the table, CSV, --jq and
// errors escaped it. In a pipe the JSON stays exact.
func TestInATerminalJSONAndNDJSONEscapeC1Controls(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	const name = "C1\u009b31mred\u0085next"
	id := addGroup(srv, name)
	for _, format := range []string{"json", "ndjson"} {
		tm := startInTerminalOn(t, srv, "get", id, "-o", format)
		if code := tm.wait(); code != 0 {
			t.Fatalf("-o %s: exit %d, terminal:\n%q", format, code, tm.seen.String())
		}
		s := tm.seen.String()
		if strings.Contains(s, "\u009b") || strings.Contains(s, "\u0085") || !strings.Contains(s, `C1\u009b31mred\u0085next`) {
			t.Errorf("-o %s on a terminal shows %q, want U+009B and U+0085 as JSON escapes", format, s)
		}
	}
	r := runOn(t, srv, "get", id, "-o", "json")
	var got []outGroup
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got[0].Name != name || !strings.Contains(r.stdout, "\u009b") {
		t.Errorf("in a pipe: %q (%v), want the name exact", r.stdout, err)
	}
}

// invisibleNames look like an ordinary name on a terminal, or stack up
// over the lines around them, unless shown escaped.
var invisibleNames = map[string]string{
	"Whole\u200bsale":                  `Whole\u200bsale`,                                          // zero-width space
	"\ufeffRetail":                     `\ufeffRetail`,                                             // byte order mark
	"Sta\u00adff":                      `Sta\u00adff`,                                              // soft hyphen
	"V\u034fIP":                        `V\u034fIP`,                                                // combining grapheme joiner
	"Gold\u180e":                       `Gold\u180e`,                                               // Mongolian vowel separator
	"\u3164":                           `\u3164`,                                                   // Hangul filler
	"Tag\U000e0041":                    `Tag\U000e0041`,                                            // tag character
	"Zero\u200dJoin\u200c":             `Zero\u200dJoin\u200c`,                                     // zero-width joiner, non-joiner
	"Word\u2060Joiner":                 `Word\u2060Joiner`,                                         // word joiner
	"Z" + strings.Repeat("\u0301", 50): "Z\u0301\u0301\u0301\u0301" + strings.Repeat(`\u0301`, 10), // then cut
}

// TestInATerminalInvisibleCharactersAreShown is the ninth finding:
// "Whole<U+200B>sale" looked exactly like "Wholesale" in a delete
// question, and fifty stacked combining marks passed into the table.
func TestInATerminalInvisibleCharactersAreShown(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for name, want := range invisibleNames {
		id := addGroup(srv, name)
		del := startInTerminalOn(t, srv, "delete", id)
		del.expect("[y/N] ")
		del.typeLine("n")
		del.wait()
		question := del.seen.String()
		if !strings.Contains(question, `"`+want) {
			t.Errorf("the question for %q shows %q, want the name as %q", name, question, want)
		}
		if strings.Contains(question, name) {
			t.Errorf("the question shows %q raw: %q", name, question)
		}
	}
	tm := startInTerminalOn(t, srv, "list", "--limit", "250")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if s := tm.seen.String(); strings.ContainsAny(s, "\u200b\ufeff\u00ad\u034f\u180e\u3164\U000e0041\u200d\u2060") || strings.Contains(s, strings.Repeat("\u0301", 5)) {
		t.Errorf("the table holds invisible characters raw:\n%q", s)
	}
}

// TestInATerminalLongNamesAreCutOutsideTheTable is the tenth finding: a
// name of 10,000 characters filled the delete question, the 409 error and
// the plan's "= unchanged" line.
func TestInATerminalLongNamesAreCutOutsideTheTable(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	long := strings.Repeat("Long", 2500)
	id := addGroup(srv, long)
	cut := fitCells(long, maxShownCells)
	// A line of the terminal, for each case: it must hold the cut name
	// and stay within a few lines of a terminal's width.
	check := func(what, screen, marker string) {
		t.Helper()
		for _, line := range strings.Split(screen, "\n") {
			if !strings.Contains(line, marker) {
				continue
			}
			if len(line) > 400 || !strings.Contains(line, cut) {
				t.Errorf("%s: a line of %d bytes, want the name cut to %q:\n%.300q", what, len(line), cut, line)
			}
			return
		}
		t.Errorf("%s: no line holds %q:\n%.600q", what, marker, screen)
	}

	del := startInTerminalOn(t, srv, "delete", id)
	del.expect("[y/N] ")
	del.typeLine("n")
	del.wait()
	check("the delete question", del.seen.String(), "[y/N]")

	conflict := startInTerminalOn(t, srv, "create", "--name", long)
	if code := conflict.wait(); code != exitFailure {
		t.Errorf("the second create: exit %d, want %d", code, exitFailure)
	}
	check("the 409 error", conflict.seen.String(), "409")

	plan := startInTerminalOn(t, srv, "apply", "-f", writeFile(t, "g.json", `[{"name": "`+long+`"}]`), "--dry-run")
	if code := plan.wait(); code != 0 {
		t.Errorf("the plan: exit %d", code)
	}
	check("the plan", plan.seen.String(), "= unchanged")

	// A pipe gets the name whole.
	if r := runOn(t, srv, "get", id, "-o", "json"); !strings.Contains(r.stdout, long) {
		t.Error("JSON in a pipe cut the name")
	}
}
