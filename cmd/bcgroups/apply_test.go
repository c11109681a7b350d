package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// changingDoc is a document against the sample store: Gold is new,
// Wholesale gets a new storewide amount, Retail's case changes, VIP is
// written with different digits and order but means the same, and the
// other sample groups are absent.
const changingDoc = `[
  {"name": "Gold", "category_access": {"type": "specific", "categories": [7, 12]},
   "discount_rules": [{"type": "all", "method": "percent", "amount": "5"}]},
  {"name": "Wholesale", "category_access": {"type": "specific", "categories": [24, 18, 23]},
   "discount_rules": [{"type": "category", "method": "fixed", "amount": "2.5", "category_id": 23},
                      {"type": "all", "method": "percent", "amount": "12"}]},
  {"name": "RETAIL", "is_default": true},
  {"name": "VIP", "is_default": false, "category_access": {"type": "all"},
   "discount_rules": [{"type": "product", "method": "price", "amount": "49.990", "product_id": 112},
                      {"type": "all", "method": "percent", "amount": "15"}]}
]`

func TestApplyPrintsAPlanOfWhatChanges(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.json", changingDoc)
	r := runOn(t, srv, "apply", "-f", path, "--dry-run", "--prune")
	r.wantCode(t, 0)
	golden(t, "plan.txt", anonymous(srv, r.stdout))
	r = runOn(t, srv, "apply", "-f", path, "--dry-run", "-o", "json")
	r.wantCode(t, 0)
	golden(t, "plan.json", anonymous(srv, r.stdout))
}

func TestApplyTwiceMakesNoWritesTheSecondTime(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.json", changingDoc)
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, 0)
	if n := writes(srv); n != 3 {
		t.Errorf("the first apply made %d writes, want 3 (create Gold, update Wholesale and Retail)", n)
	}
	if g := groupNamed(t, srv, "Gold"); g.DiscountRules[0].Amount != "5.0000" {
		t.Errorf("Gold is %+v", g)
	}
	if g := groupNamed(t, srv, "retail"); g.Name != "RETAIL" {
		t.Errorf("Retail is named %q, want the document's RETAIL", g.Name)
	}
	srv.ResetRequests()
	r = runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, 0)
	if n := writes(srv); n != 0 {
		t.Errorf("the second apply made %d writes, want 0\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stderr, "nothing to do") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestApplyDryRunSendsNoWriteAndExitCodeReportsDrift(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.json", changingDoc)
	runOn(t, srv, "apply", "-f", path, "--dry-run", "--prune").wantCode(t, 0)
	runOn(t, srv, "apply", "-f", path, "--dry-run", "--exit-code").wantCode(t, exitDrift)
	if n := writes(srv); n != 0 {
		t.Fatalf("--dry-run made %d writes", n)
	}
	runOn(t, srv, "apply", "-f", path, "--yes").wantCode(t, 0)
	runOn(t, srv, "apply", "-f", path, "--dry-run", "--exit-code").wantCode(t, 0)
	r := runOn(t, srv, "apply", "-f", path, "--exit-code")
	r.wantCode(t, exitUsage)
}

func TestApplyWithPruneDeletesWhatTheDocumentLacks(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.json", changingDoc)
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "5 groups in the store are not in the document and are left alone") || len(srv.Groups()) != 9 {
		t.Errorf("without --prune: %d groups, plan:\n%s", len(srv.Groups()), r.stdout)
	}
	r = runOn(t, srv, "apply", "-f", path, "--yes", "--prune")
	r.wantCode(t, 0)
	var names []string
	for _, g := range srv.Groups() {
		names = append(names, g.Name)
	}
	if strings.Join(names, ",") != "RETAIL,Wholesale,VIP,Gold" {
		t.Errorf("after --prune the store holds %v", names)
	}
}

func TestApplyMapsIDsBetweenStores(t *testing.T) {
	t.Parallel()
	from := newStore(t)
	to := bigcommercetest.NewServer()
	t.Cleanup(to.Close)
	path := writeFile(t, "groups.json", "")
	runOn(t, from, "export", "--file", path).wantCode(t, 0)
	ids := writeFile(t, "ids.json", `{"categories": {"18": 118, "23": 123}, "products": {"112": 412}, "price_lists": {"3": 7}}`)

	r := runOn(t, to, "apply", "-f", path, "--map", ids, "--strict-map", "--yes")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "--strict-map: the map lists no new id for category 24, category 19") || len(to.Requests()) != 0 {
		t.Fatalf("stderr = %q, %d requests; want the unmapped ids named and nothing sent", r.stderr, len(to.Requests()))
	}

	r = runOn(t, to, "apply", "-f", path, "--map", ids, "--yes")
	r.wantCode(t, 0)
	w := groupNamed(t, to, "Wholesale")
	if got := w.CategoryAccess.Categories; len(got) != 3 || got[0] != 118 || got[1] != 123 || got[2] != 24 {
		t.Errorf("Wholesale's categories are %v, want 118, 123 and the unmapped 24", got)
	}
	if w.DiscountRules[1].CategoryID != 123 {
		t.Errorf("Wholesale's category rule is %+v, want category 123", w.DiscountRules[1])
	}
	if v := groupNamed(t, to, "VIP"); v.DiscountRules[1].ProductID != 412 {
		t.Errorf("VIP's product rule is %+v, want product 412", v.DiscountRules[1])
	}
	if tp := groupNamed(t, to, "Trade Partners"); tp.DiscountRules[0].PriceListID != 7 {
		t.Errorf("Trade Partners' rule is %+v, want price list 7", tp.DiscountRules[0])
	}
	to.ResetRequests()
	runOn(t, to, "apply", "-f", path, "--map", ids, "--yes").wantCode(t, 0)
	if n := writes(to); n != 0 {
		t.Errorf("applying the mapped export again made %d writes", n)
	}
}

// threeNew is a document of three groups the sample store lacks, plus a
// change to Staff, so that there are writes after the creates.
const threeNew = `{"name": "Bronze"}
{"name": "Silver", "discount_rules": [{"type": "all", "method": "percent", "amount": "3"}]}
{"name": "Platinum"}
{"name": "Staff", "discount_rules": [{"type": "all", "method": "percent", "amount": "30"}]}
`

func TestApplyStoppedByACreateThatWasAppliedButFailedReportsItAndNeverDuplicates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault bigcommercetest.Fault
	}{
		{"500", bigcommercetest.Fault{Method: "POST", Status: 500, ApplyFirst: true}},
		{"dropped connection", bigcommercetest.Fault{Method: "POST", Drop: true, ApplyFirst: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newStore(t)
			path := writeFile(t, "groups.ndjson", threeNew)
			// The first create goes through; the second is stored and then fails.
			srv.InjectFault(bigcommercetest.Fault{Method: "POST"})
			srv.InjectFault(tc.fault)
			r := runOn(t, srv, "apply", "-f", path, "--yes")
			r.wantCode(t, exitPartial)
			silver := groupNamed(t, srv, "Silver")
			for _, want := range []string{
				`create "Silver": done after all (the group is in the store as id ` + itoa(silver.ID),
				`done: create "Bronze", create "Silver"`,
				`not done: create "Platinum", update "Staff"`,
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			last := srv.Requests()[len(srv.Requests())-1]
			if last.Method != "GET" {
				t.Errorf("after the failed create the last request was %s %s; want only reads", last.Method, last.Path)
			}
			r = runOn(t, srv, "apply", "-f", path, "--yes")
			r.wantCode(t, 0)
			for _, name := range []string{"Bronze", "Silver", "Platinum"} {
				groupNamed(t, srv, name) // fails on a duplicate
			}
			if g := groupNamed(t, srv, "Staff"); g.DiscountRules[0].Amount != "30.0000" {
				t.Errorf("Staff is %+v after the re-run", g)
			}
		})
	}
}

func TestApplyReportsACreateThatFailedWithoutBeingApplied(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	srv.InjectFault(bigcommercetest.Fault{Method: "POST", Status: 502})
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, `create "Bronze": not done (the group is not in the store)`) || !strings.Contains(r.stderr, "done: nothing\n") ||
		!strings.Contains(r.stderr, `not done: create "Bronze", create "Silver", create "Platinum", update "Staff"`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if len(srv.Groups()) != 8 {
		t.Errorf("the store holds %d groups, want the 8 it had", len(srv.Groups()))
	}
}

func TestApplyTakesAPartialSuccessAsDone(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	srv.InjectFault(bigcommercetest.Fault{Method: "POST", Status: 207, ApplyFirst: true})
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, `create "Bronze": done, with a warning`) || strings.Count(r.stderr, `create "Bronze"`) != 1 || len(srv.Groups()) != 11 {
		t.Errorf("%d groups; stderr, want one line for Bronze:\n%s", len(srv.Groups()), r.stderr)
	}
}

func TestApplyStoppedByARefusedUpdateListsItAsNotDone(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	srv.InjectFault(bigcommercetest.Fault{Method: "PUT", Status: 422})
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, exitPartial)
	for _, want := range []string{
		`update "Staff": not done: `,
		`done: create "Bronze", create "Silver", create "Platinum"` + "\n",
		`not done: update "Staff"` + "\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestApplyInterruptedStopsBeforeTheNextWriteAndSaysWhatWasDone(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C as soon as the first create is reported.
	ctrlC := &onWrite{want: `create "Bronze": done`, f: cancel}
	r := cli{srv: srv, errOut: ctrlC, ctx: ctx}.run(t, "apply", "-f", path, "--yes")
	r.wantCode(t, exitPartial)
	if n := writes(srv); n != 1 {
		t.Errorf("%d writes after the interrupt, want only the first create", n)
	}
	for _, want := range []string{
		"done: create \"Bronze\"\n",
		`not done: create "Silver", create "Platinum", update "Staff"`,
		`apply interrupted before create "Silver"`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestApplyAsksBeforeWriting(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	r := runOn(t, srv, "apply", "-f", path)
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stdout, "Plan: 3 to create, 1 to update") || !strings.Contains(r.stderr, "pass --yes") || writes(srv) != 0 {
		t.Fatalf("without a terminal or --yes: %d writes\nstdout:\n%s\nstderr:\n%s", writes(srv), r.stdout, r.stderr)
	}
	r = cli{srv: srv, inTTY: true, stdin: "no\n"}.run(t, "apply", "-f", path)
	r.wantCode(t, exitFailure)
	if writes(srv) != 0 {
		t.Fatal("answering no wrote to the store")
	}
	r = cli{srv: srv, inTTY: true, stdin: "y\n"}.run(t, "apply", "-f", path)
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "Apply these 4 changes to "+where(srv)+"? [y/N]") || writes(srv) != 4 {
		t.Errorf("%d writes; stderr:\n%s", writes(srv), r.stderr)
	}
}

func TestApplyRefusesABadDocumentBeforeSendingAnything(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	for _, tc := range []struct{ doc, want string }{
		{"[{\"name\": \"Gold\"},\n {\"name\": \"gold\"}]", `line 2: group "gold": has the same name as "Gold" (line 1) once case is ignored`},
		{"[{\"name\": \"A\", \"is_group_for_guests\": true},\n {\"name\": \"B\", \"is_group_for_guests\": true}]", `line 2: group "B": is marked as the guests' group (is_group_for_guests), as is "A" (line 1)`},
		{"[{\"name\": \"A\", \"is_default\": true},\n {\"name\": \"B\", \"is_default\": true}]", `line 2: group "B": is marked as the default group (is_default), as is "A" (line 1)`},
		{`[{"name": "Gold", "discount_rules": [{"type": "all", "method": "percent", "amount": "150"}]}]`, `group "Gold": discount_rules[0].amount:`},
		{"[{\"name\": \"Gold\"},\n {\"name\": \"Silver\",}]", ":2:19: not valid JSON"},
		{"{\"name\": \"Gold\"}\n{\"name\": 7}\n", ":2:11: name: a JSON number cannot be a string"},
		{"[{\"name\": \"Gold\", \"colour\": \"gold\"}]", `:1: json: unknown field "colour"`},
		{`[{"name": "Gold", "discount_rules": [{"type": "all", "method": "percent", "amount": "five"}]}]`, `group "Gold": discount_rules[0].amount: must be a decimal number`},
		{`[{"name": "Gold", "category_access": {"type": "specific"}}]`, "category_access.categories: must list at least one category id"},
		{`[{"name": " "}]`, "name: is required"},
		{"id,name\n1,\"Gold\n", "extraneous or missing \" in quoted-field"},
		{"<groups/>", "not a document of groups"},
	} {
		path := writeFile(t, "doc", tc.doc)
		r := runOn(t, srv, "apply", "-f", path, "--yes")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s\nstderr = %q, want one line containing %q", tc.doc, r.stderr, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent for bad documents, want none", n)
	}
}

func TestApplyStopsWhenTheStoreHasNamesThatDifferOnlyInCase(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	srv.Add(bigcommercetest.Group{Name: "VIP "})
	srv.Add(bigcommercetest.Group{Name: "vip"})
	path := writeFile(t, "groups.ndjson", threeNew)
	r := runOn(t, srv, "apply", "-f", path, "--yes")
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "differ only in case") || writes(srv) != 0 {
		t.Errorf("stderr = %q", r.stderr)
	}
}

// Documents saved by spreadsheet programs and Windows editors start with
// a byte order mark, and hand-written NDJSON often has blank lines.
func TestApplyReadsDocumentsWithAByteOrderMarkOrBlankLines(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"json array":                "\ufeff[{\"name\": \"Gold\"}, {\"name\": \"Silver\"}]",
		"ndjson":                    "\ufeff{\"name\": \"Gold\"}\n\n\r\n{\"name\": \"Silver\"}\n\n",
		"csv":                       "\ufeffid,name,is_default\r\n,Gold,false\r\n,Silver,\r\n",
		"csv without the id column": "name,discount_rules\nGold,all:percent:5\nSilver,\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newStore(t)
			r := runOn(t, srv, "apply", "-f", writeFile(t, "doc", doc), "--yes")
			r.wantCode(t, 0)
			groupNamed(t, srv, "Gold")
			groupNamed(t, srv, "Silver")
		})
	}
}

func TestApplyRefusesAnIDMapItCannotReadBeforeSendingAnything(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	for _, tc := range []struct{ ids, want string }{
		{`{"category": {"18": 118}}`, `json: unknown field "category"`},
		{`{"categories": {"18": 118, "eighteen": 1, "zero": 5}}`, `categories: "eighteen" -> 1: both ids must be positive whole numbers`},
		{`{"categories": {"18": 0}}`, `categories: "18" -> 0`},
		{`{"products": {"18": 1, "018": 2}}`, "products: id 18 is mapped twice, to 2 and 1"},
		{`{"categories": {"18": "118"}}`, "cannot unmarshal string"},
		{`{"categories": {}} {}`, "text after the closing brace"},
		{`{"categories": {"18": 118}`, "not valid JSON"},
	} {
		r := runOn(t, srv, "apply", "-f", path, "--map", writeFile(t, "ids.json", tc.ids), "--yes")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "--map: ") || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: stderr = %q, want one line containing %q", tc.ids, r.stderr, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent for bad maps, want none", n)
	}
}

func TestApplyNamesEveryOffendingEntryOfADocumentAtOnce(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	doc := `[{"name": "Gold", "is_group_for_guests": true},
 {"name": "GOLD"},
 {"name": "Silver", "is_group_for_guests": true},
 {"name": "Bronze", "category_access": {"type": "none", "categories": [3]}}]`
	r := runOn(t, srv, "apply", "-f", writeFile(t, "doc.json", doc), "--yes")
	r.wantCode(t, exitUsage)
	for _, want := range []string{"3 problems, so nothing was sent", `line 2: group "GOLD"`, `line 3: group "Silver"`, `line 4: group "Bronze"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr = %q, want it to name %q", r.stderr, want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent, want none", n)
	}
}

func TestApplyStoppedByCtrlCAfterAWriteExits130(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	path := writeFile(t, "groups.ndjson", threeNew)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	ctrlC := &onWrite{want: `create "Bronze": done`, f: func() { cancel(&interrupted{os.Interrupt}) }}
	r := cli{srv: srv, errOut: ctrlC, ctx: ctx}.run(t, "apply", "-f", path, "--yes")
	r.wantCode(t, exitInterrupted)
	if !strings.Contains(r.stderr, "done: create \"Bronze\"\n") || !strings.Contains(r.stderr, "bcgroups: interrupted by Ctrl-C: apply interrupted") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

func TestApplyAsksAboutOneChangeInTheSingular(t *testing.T) {
	t.Parallel()
	srv := newStore(t)
	r := cli{srv: srv, inTTY: true, stdin: "n\n"}.run(t, "apply", "-f", writeFile(t, "g.json", `[{"name": "Bronze"}]`))
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "Apply this 1 change to "+where(srv)+"?") || !strings.Contains(r.stdout, "8 groups in the store are not in the document") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
