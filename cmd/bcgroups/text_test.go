package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestSafeTextMakesControlsAndBidiVisible(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Wholesale", "Wholesale"},
		{"Trade & Co — 批发", "Trade & Co — 批发"},
		{"\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`},
		{"line\nbreak\ttab\rcr", `line\x0abreak\x09tab\x0dcr`},
		{"del\x7f c1\u009b", `del\x7f c1\x9b`},
		{"abc\u202edcba", `abc\u202edcba`},
		{"\u2066iso\u2069 \u200emark\u200f \u061c", `\u2066iso\u2069 \u200emark\u200f \u061c`},
		{"sep\u2028para\u2029", `sep\u2028para\u2029`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"U+FFFD \ufffd stays", "U+FFFD \ufffd stays"},
		{"Whole\u200bsale \ufeff\u00ad\u034f\u180e\u3164\U000e0041", `Whole\u200bsale \ufeff\u00ad\u034f\u180e\u3164\U000e0041`},
		{"e\u0301\u0302 ế stays", "e\u0301\u0302 ế stays"},
		{"o" + strings.Repeat("\u0308", 6) + "k", "o\u0308\u0308\u0308\u0308\\u0308\\u0308k"},
		{"批发 — emoji 🙂 stays", "批发 — emoji 🙂 stays"},
	} {
		if got := safeText(tc.in); got != tc.want {
			t.Errorf("safeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTerminalLineCutsLongQuotedPartsAndKeepsTheReason(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	cut := fitCells(long, maxShownCells)
	for _, tc := range []struct{ in, want string }{
		{"short \"name\" stays", "short \"name\" stays"},
		{`group "` + long + `": already exists`, `group "` + cut + `": already exists`},
		{`409: {\"title\":\"` + long + `\"} (rest)`, `409: {\"title\":\"` + cut + `\"} (rest)`},
		{`cut by the SDK: "` + long, `cut by the SDK: "` + cut},
		{`no quotes ` + long, `no quotes ` + long},
	} {
		if got := terminalLine(tc.in); got != tc.want {
			t.Errorf("terminalLine(%.40q...) = %.120q, want %.120q", tc.in, got, tc.want)
		}
	}
}

func TestJSONForTerminalStaysValidAndMeansTheSame(t *testing.T) {
	t.Parallel()
	name := "C1\u009b Z\u200b " + strings.Repeat("é", 3) + " & <tag> \"q\" \U000e0041"
	in, err := marshal(map[string]string{"name": name, "plain": "Friends & Family"}, true)
	if err != nil {
		t.Fatal(err)
	}
	out := jsonForTerminal(in)
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil || got["name"] != name || got["plain"] != "Friends & Family" {
		t.Errorf("jsonForTerminal(%s) = %s (%v), want the same values", in, out, err)
	}
	if strings.ContainsAny(string(out), "\u009b\u200b\U000e0041") || !strings.Contains(string(out), `\u009b`) || !strings.Contains(string(out), `\udb40\udc41`) {
		t.Errorf("jsonForTerminal left controls or invisible characters raw: %s", out)
	}
	long, _ := marshal(strings.Repeat("L", 500), false)
	if got := string(jsonForTerminal(long)); got != `"`+fitCells(strings.Repeat("L", 500), maxShownCells)+`"` {
		t.Errorf("a long string on a terminal: %s", got)
	}
}

// hostileName would clear the screen, retitle the window and reverse the
// rest of the line if printed raw.
const hostileName = "Evil\x1b[2J\x1b]0;pwned\x07\u202eelas"

func TestStoreStringsReachTheTerminalEscapedAndJSONStaysExact(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	g := srv.Add(bigcommercetest.Group{Name: hostileName, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	table := cli{srv: srv, outTTY: true}.run(t, "get", itoa(g.ID))
	table.wantCode(t, 0)
	if !strings.Contains(table.stdout, `Evil\x1b[2J\x1b]0;pwned\x07\u202eelas`) || strings.ContainsAny(table.stdout, "\x1b\x07\u202e") {
		t.Errorf("the table shows %q, want the name's controls visible and inert", table.stdout)
	}

	js := runOn(t, srv, "get", itoa(g.ID), "-o", "json")
	js.wantCode(t, 0)
	var got []struct{ Name string }
	if err := json.Unmarshal([]byte(js.stdout), &got); err != nil || len(got) != 1 || got[0].Name != hostileName {
		t.Errorf("JSON gave %+v (%v), want the exact name", got, err)
	}

	upd := runOn(t, srv, "update", itoa(g.ID), "--default=false")
	upd.wantCode(t, 0)
	if strings.ContainsAny(upd.stderr, "\x1b\x07\u202e") || !strings.Contains(upd.stderr, `\x1b`) {
		t.Errorf("the message shows %q, want the name escaped", upd.stderr)
	}

	plan := runOn(t, srv, "apply", "-f", writeFile(t, "g.json", `[{"name": "Evil\u001b[2J", "is_default": true}]`), "--dry-run")
	plan.wantCode(t, 0)
	if strings.ContainsAny(plan.stdout, "\x1b") || !strings.Contains(plan.stdout, `+ create "Evil\x1b[2J"`) {
		t.Errorf("the plan shows %q, want the name escaped", plan.stdout)
	}
}

func TestAStoresErrorMessageIsEscaped(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.InjectFault(bigcommercetest.Fault{Status: http.StatusBadRequest, Body: `[{"status":400,"message":"bad \u001b[31mred\u001b[0m \u202eevil"}]`})
	r := runOn(t, srv, "count")
	if r.code == 0 || strings.ContainsAny(r.stderr, "\x1b\u202e") || !strings.Contains(r.stderr, `\u202eevil`) {
		t.Errorf("exit %d, stderr %q: want the store's message escaped", r.code, r.stderr)
	}
}

func TestTableColumnsAreMeasuredInTerminalCellsAndLongNamesAreCut(t *testing.T) {
	t.Parallel()
	srv := bigcommercetest.NewServer()
	t.Cleanup(srv.Close)
	long := strings.Repeat("Very long trade name ", 5)
	for _, name := range []string{"批发客户", "Trade", long} {
		srv.Add(bigcommercetest.Group{Name: name, CategoryAccess: bigcommercetest.CategoryAccess{Type: "all"}})
	}
	r := cli{srv: srv, outTTY: true}.run(t, "list")
	r.wantCode(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("table:\n%s", r.stdout)
	}
	// DEFAULT starts in the same terminal column on every line.
	col := -1
	for _, line := range lines {
		i := strings.Index(line, "DEFAULT")
		if i < 0 {
			i = strings.Index(line, "no  ")
		}
		at := cells(line[:i])
		if col >= 0 && at != col {
			t.Errorf("the third column starts at cell %d on %q, want %d:\n%s", at, line, col, r.stdout)
		}
		col = at
	}
	if want := fitCells(long, maxNameCells); !strings.Contains(r.stdout, want) || !strings.HasSuffix(want, "…") || cells(want) != maxNameCells {
		t.Errorf("table:\n%s\nwant the long name cut to %q", r.stdout, want)
	}
	js := runOn(t, srv, "list", "-o", "csv")
	if !strings.Contains(js.stdout, long) {
		t.Errorf("CSV cut the long name:\n%s", js.stdout)
	}
}

func TestPluralAgreesWithTheCount(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 groups", 1: "1 group", 2: "2 groups"} {
		if got := plural(n, "group", "groups"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
