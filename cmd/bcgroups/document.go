package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// docGroup is a group as a document describes it: what export writes, or
// what a person writes by hand. A field that is absent (nil) is left as
// the store has it; id and the dates are read and ignored, since they
// belong to the store the document came from.
type docGroup struct {
	ID               int                         `json:"id"`
	Name             string                      `json:"name"`
	IsDefault        *bool                       `json:"is_default"`
	IsGroupForGuests *bool                       `json:"is_group_for_guests"`
	CategoryAccess   *bigcommerce.CategoryAccess `json:"category_access"`
	DiscountRules    *[]bigcommerce.DiscountRule `json:"discount_rules"`
	DateCreated      string                      `json:"date_created"`
	DateModified     string                      `json:"date_modified"`

	line int // where the group starts in its file, for messages
}

// readSource reads a file named by -f, or standard input for "-".
func (a *app) readSource(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(a.io.In)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("-f: %v", err)
	}
	return b, nil
}

// parseDocument reads groups in any format export writes: a JSON array,
// NDJSON (one object per line, which includes a single object) or CSV
// with export's header. Syntax errors give the line and column; the
// document is then checked whole by checkDocument, so that a bad one is
// refused before anything is sent.
func parseDocument(name string, data []byte, csvRaw bool) ([]docGroup, error) {
	// A byte order mark, which spreadsheet programs and some editors
	// write, is no part of the document; JSON decoders reject it.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	var groups []docGroup
	var err error
	switch {
	case len(trimmed) == 0:
		return nil, usageErrorf("%s: the document is empty", name)
	case trimmed[0] == '[':
		groups, err = parseJSONArray(data)
	case trimmed[0] == '{':
		groups, err = parseJSONStream(data)
	case isCSVHeader(data):
		groups, err = parseCSV(data, csvRaw)
	default:
		return nil, usageErrorf("%s: not a document of groups: expected a JSON array, JSON objects one per line, or CSV as export writes it", name)
	}
	if err != nil {
		return nil, usageErrorf("%s:%v", name, err)
	}
	if err := checkDocument(name, groups); err != nil {
		return nil, err
	}
	return groups, nil
}

// position turns a byte offset into "line:column", counting from 1.
func position(data []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// lineAt is the line of the element after offset, whose opening brace
// may follow separators.
func lineAt(data []byte, offset int64) int {
	return bytes.Count(data[:skipSeparators(data, offset)], []byte("\n")) + 1
}

func skipSeparators(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// jsonError says where in data a decoding error is.
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("%s: not valid JSON: %v", position(data, syntax.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %v", position(data, typ.Offset), err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: not valid JSON: the document ends too early", position(data, int64(len(data))))
	}
	return fmt.Errorf("%s: %v", position(data, 0), err)
}

func parseJSONArray(data []byte) ([]docGroup, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, err)
	}
	groups, err := decodeGroups(data, dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: not valid JSON: text after the closing bracket", position(data, dec.InputOffset()))
	}
	return groups, nil
}

// parseJSONStream reads JSON objects one after another: NDJSON, or a
// single object over several lines.
func parseJSONStream(data []byte) ([]docGroup, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return decodeGroups(data, dec)
}

func decodeGroups(data []byte, dec *json.Decoder) ([]docGroup, error) {
	var groups []docGroup
	for dec.More() {
		start := dec.InputOffset()
		var g docGroup
		if err := dec.Decode(&g); err != nil {
			var syntax *json.SyntaxError
			var typ *json.UnmarshalTypeError
			switch {
			case errors.As(err, &typ):
				// A decoder counts a type error's offset from the start of
				// the value it was decoding.
				at := skipSeparators(data, start) + typ.Offset
				return nil, fmt.Errorf("%s: %s: a JSON %s cannot be a %s", position(data, at), typ.Field, typ.Value, typ.Type)
			case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
				return nil, jsonError(data, err)
			}
			// An unknown field carries no offset: name the group's line.
			return nil, fmt.Errorf("%d: %v", lineAt(data, start), err)
		}
		g.line = lineAt(data, start)
		groups = append(groups, g)
	}
	return groups, nil
}

// isCSVHeader reports whether data starts with a CSV header that has a
// name column, in any position.
func isCSVHeader(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	for _, field := range strings.Split(strings.TrimRight(string(line), "\r"), ",") {
		if field == "name" {
			return true
		}
	}
	return false
}

// parseCSV reads export's CSV by its header, so columns may come in any
// order; only name is required. How the cells are read follows the column
// export adds to say how it wrote them: a guarded export has the
// spreadsheet guard undone (see guardCell), a raw one is read exactly.
// raw is --csv-raw: take the cells as written. A CSV that does not say,
// written by another program, is read exactly too, since other programs
// do not add the guard; but a cell that looks guarded ('=x) is refused
// unless raw, since it may be a guarded name and reading it either way
// could rename a group.
func parseCSV(data []byte, raw bool) ([]docGroup, error) {
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("1: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, fmt.Errorf("1: the CSV header has no name column")
	}
	_, markedGuarded := col[csvGuarded]
	_, markedRaw := col[csvRaw]
	switch {
	case markedGuarded && markedRaw:
		return nil, fmt.Errorf("1: the header has both %s and %s, so it cannot say how the cells were written", csvGuarded, csvRaw)
	case markedGuarded && raw:
		return nil, fmt.Errorf("1: the file was written with the spreadsheet guard (its header has %s), and --csv-raw would read the guard's quotes as part of the names and rename those groups: leave --csv-raw out", csvGuarded)
	}
	var groups []docGroup
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return groups, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%v", err)
		}
		for i := range rec {
			switch {
			case markedGuarded:
				rec[i] = unguardCell(rec[i])
			case !markedRaw && !raw && strings.HasPrefix(rec[i], "'") && guarded(rec[i]):
				line, _ := r.FieldPos(i)
				return nil, fmt.Errorf("%d: %s: the cell %s starts with a quote before a formula character, and the file does not say how it was written (export adds a %s or %s column): the quote may be a spreadsheet guard or part of the text; pass --csv-raw to take every cell as written",
					line, header[i], quote(rec[i]), csvGuarded, csvRaw)
			}
		}
		line, _ := r.FieldPos(0)
		get := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return "", false
			}
			return rec[i], true
		}
		g := docGroup{line: line}
		g.Name, _ = get("name")
		for _, b := range []struct {
			column string
			dst    **bool
		}{{"is_default", &g.IsDefault}, {"is_group_for_guests", &g.IsGroupForGuests}} {
			if v, ok := get(b.column); ok && v != "" {
				parsed, err := strconv.ParseBool(v)
				if err != nil {
					return nil, fmt.Errorf("%d: %s: %q is not true or false", line, b.column, v)
				}
				*b.dst = &parsed
			}
		}
		if v, ok := get("category_access"); ok && v != "" {
			ca := bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessType(v)}
			ids, _ := get("categories")
			if ca.Categories, err = parseIDs(ids); err != nil {
				return nil, fmt.Errorf("%d: categories: %v", line, err)
			}
			g.CategoryAccess = &ca
		}
		if v, ok := get("discount_rules"); ok {
			rules, err := parseRules(v)
			if err != nil {
				return nil, fmt.Errorf("%d: discount_rules: %v", line, err)
			}
			g.DiscountRules = &rules
		}
		groups = append(groups, g)
	}
}

// checkDocument checks a whole document before anything is sent: each
// group as the SDK will check its create, and the groups together, since
// a document that the store cannot hold would never settle. Each apply
// would undo the last: two groups marked as the guests' group or as the
// default (the store keeps one of each), or two names the store takes for
// one (it ignores case). Every problem is listed, each naming its group
// and line, so that one run finds them all.
func checkDocument(file string, docs []docGroup) error {
	var problems []string
	add := func(g *docGroup, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: group %s: %s", g.line, quote(g.Name), fmt.Sprintf(format, args...)))
	}
	byName := map[string]*docGroup{}
	var guests, defaults []*docGroup
	for i := range docs {
		g := &docs[i]
		g.Name = strings.TrimSpace(g.Name)
		if err := g.createRequest().Validate(); err != nil {
			add(g, "%s", invalid(err))
		}
		if g.Name != "" {
			k := bigcommerce.NameKey(g.Name)
			if first, dup := byName[k]; dup {
				add(g, "has the same name as %s (line %d) once case is ignored, and the store holds only one of them", quote(first.Name), first.line)
			} else {
				byName[k] = g
			}
		}
		if g.IsGroupForGuests != nil && *g.IsGroupForGuests {
			guests = append(guests, g)
		}
		if g.IsDefault != nil && *g.IsDefault {
			defaults = append(defaults, g)
		}
	}
	for _, more := range []struct {
		groups []*docGroup
		what   string
	}{{guests, "the guests' group (is_group_for_guests)"}, {defaults, "the default group (is_default)"}} {
		if len(more.groups) < 2 {
			continue
		}
		for _, g := range more.groups[1:] {
			add(g, "is marked as %s, as is %s (line %d), and the store has only one", more.what, quote(more.groups[0].Name), more.groups[0].line)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	noun := "problem"
	if len(problems) > 1 {
		noun = "problems"
	}
	return usageErrorf("%s: %d %s, so nothing was sent: %s", file, len(problems), noun, strings.Join(problems, "; "))
}

// createRequest is the create that makes g.
func (g *docGroup) createRequest() *bigcommerce.CreateCustomerGroupRequest {
	req := &bigcommerce.CreateCustomerGroupRequest{Name: g.Name, CategoryAccess: g.CategoryAccess}
	if g.IsDefault != nil {
		req.IsDefault = *g.IsDefault
	}
	if g.IsGroupForGuests != nil {
		req.IsGroupForGuests = *g.IsGroupForGuests
	}
	if g.DiscountRules != nil {
		req.DiscountRules = *g.DiscountRules
	}
	return req
}
