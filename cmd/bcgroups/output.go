package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// outGroup is a group as bcgroups writes it in JSON and NDJSON: every
// field, discount_rules always an array, dates in RFC 3339 (UTC). apply
// reads the same shape back.
type outGroup struct {
	ID               int                        `json:"id"`
	Name             string                     `json:"name"`
	IsDefault        bool                       `json:"is_default"`
	IsGroupForGuests bool                       `json:"is_group_for_guests"`
	CategoryAccess   bigcommerce.CategoryAccess `json:"category_access"`
	DiscountRules    []bigcommerce.DiscountRule `json:"discount_rules"`
	DateCreated      string                     `json:"date_created"`
	DateModified     string                     `json:"date_modified"`
}

func toOut(g *bigcommerce.CustomerGroup) outGroup {
	rules := g.DiscountRules
	if rules == nil {
		rules = []bigcommerce.DiscountRule{}
	}
	return outGroup{
		ID: g.ID, Name: g.Name, IsDefault: g.IsDefault, IsGroupForGuests: g.IsGroupForGuests,
		CategoryAccess: g.CategoryAccess, DiscountRules: rules,
		DateCreated: formatDate(g.DateCreated), DateModified: formatDate(g.DateModified),
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvHeader names the CSV columns. categories holds category ids joined
// by ";"; discount_rules holds rules in the --rule syntax joined by ";".
// The last column's heading says how the cells were written (csvGuarded
// or csvRaw), and its cells are empty.
var csvHeader = []string{"id", "name", "is_default", "is_group_for_guests", "category_access", "categories", "discount_rules", "date_created", "date_modified"}

// The headings of the column that records how a CSV was written. Nothing
// else in a file says whether '=x is the name =x behind the spreadsheet
// guard or the name '=x written raw, and a guess either way renames
// groups; the heading survives a round trip through a spreadsheet, as
// any cell does.
const (
	csvGuarded = "bcgroups:guarded"
	csvRaw     = "bcgroups:raw"
)

// groupWriter writes groups one at a time as they arrive, so that a walk
// of the whole store never holds more than a page.
type groupWriter interface {
	write(g *bigcommerce.CustomerGroup) error
	// close ends the output (the closing bracket of a JSON array, the
	// table's columns) and flushes it.
	close() error
}

// writerOptions shape a groupWriter.
type writerOptions struct {
	// single makes JSON one object rather than an array: the answer to
	// create and update.
	single bool
	// terminal says that a person reads the output, so every format
	// escapes and cuts the store's strings as safeText and jsonForTerminal
	// say.
	terminal bool
	// csvRaw writes CSV cells exactly, without the spreadsheet guard.
	csvRaw bool
}

// newGroupWriter writes groups to w in format.
func newGroupWriter(format string, w io.Writer, o writerOptions) groupWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case "ndjson":
		return &jsonWriter{w: bw, lines: true, terminal: o.terminal}
	case "csv":
		return &csvWriter{w: csv.NewWriter(bw), bw: bw, terminal: o.terminal, raw: o.csvRaw}
	case "table":
		return &tableWriter{bw: bw}
	}
	return &jsonWriter{w: bw, single: o.single, terminal: o.terminal}
}

// stdoutWriter writes groups to standard output in the format asked for.
func (a *app) stdoutWriter(single bool) groupWriter {
	return newGroupWriter(a.format(), a.io.Out, writerOptions{single: single, terminal: a.io.OutTTY, csvRaw: a.flags.csvRaw})
}

type jsonWriter struct {
	w                       *bufio.Writer
	lines, single, terminal bool
	n                       int
}

func (j *jsonWriter) write(g *bigcommerce.CustomerGroup) error {
	b, err := marshal(toOut(g), !j.lines)
	if err != nil {
		return err
	}
	if j.terminal {
		b = jsonForTerminal(b)
	}
	switch {
	case j.lines || j.single:
	case j.n == 0:
		j.w.WriteString("[\n")
	default:
		j.w.WriteString(",\n")
	}
	j.n++
	if j.lines || j.single {
		b = append(b, '\n')
	} else {
		b = indent(b)
	}
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) close() error {
	switch {
	case j.lines || j.single:
	case j.n == 0:
		j.w.WriteString("[]\n")
	default:
		j.w.WriteString("\n]\n")
	}
	return j.w.Flush()
}

// marshal writes v as JSON without escaping &, < and > (group names such
// as "Friends & Family" stay readable), indented for people unless compact.
func marshal(v any, pretty bool) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// indent shifts an element of a JSON array in by two spaces.
func indent(b []byte) []byte {
	return []byte("  " + strings.ReplaceAll(string(b), "\n", "\n  "))
}

type csvWriter struct {
	w             *csv.Writer
	bw            *bufio.Writer
	header        bool
	terminal, raw bool
}

// writeHeader writes the headings once, the last one saying how the
// cells are written.
func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	mode := csvGuarded
	if c.raw {
		mode = csvRaw
	}
	return c.w.Write(append(slices.Clone(csvHeader), mode))
}

func (c *csvWriter) write(g *bigcommerce.CustomerGroup) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	row := []string{
		strconv.Itoa(g.ID), g.Name, strconv.FormatBool(g.IsDefault), strconv.FormatBool(g.IsGroupForGuests),
		string(g.CategoryAccess.Type), formatIDs(g.CategoryAccess.Categories), formatRules(g.DiscountRules),
		formatDate(g.DateCreated), formatDate(g.DateModified), "",
	}
	for i, cell := range row {
		if !c.raw {
			cell = guardCell(cell)
		}
		if c.terminal {
			cell = shown(cell)
		}
		row[i] = cell
	}
	return c.w.Write(row)
}

func (c *csvWriter) close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// tableWriter lines columns up for a person at a terminal. Like
// text/tabwriter it holds the rows until close, but it measures cells in
// terminal columns rather than runes, so that a name in Chinese or
// Japanese, whose characters take two columns each, does not push the
// columns after it out of line.
type tableWriter struct {
	bw   *bufio.Writer
	rows [][]string
}

var tableHeader = []string{"ID", "NAME", "DEFAULT", "GUESTS", "CATEGORIES", "DISCOUNTS"}

func (t *tableWriter) write(g *bigcommerce.CustomerGroup) error {
	access := string(g.CategoryAccess.Type)
	if g.CategoryAccess.Type == bigcommerce.CategoryAccessSpecific {
		access = strings.ReplaceAll(formatIDs(g.CategoryAccess.Categories), ";", ",")
	}
	rules := "-"
	if len(g.DiscountRules) > 0 {
		rules = strings.ReplaceAll(formatRules(g.DiscountRules), ";", ", ")
	}
	t.rows = append(t.rows, []string{strconv.Itoa(g.ID), fitCells(safeText(g.Name), maxNameCells), yesNo(g.IsDefault), yesNo(g.IsGroupForGuests), access, rules})
	return nil
}

func (t *tableWriter) close() error {
	if len(t.rows) == 0 {
		fmt.Fprintln(t.bw, "no customer groups")
		return t.bw.Flush()
	}
	return writeColumns(t.bw, append([][]string{tableHeader}, t.rows...))
}

// writeColumns lines up rows of cells (already passed through safeText),
// measuring each in terminal cells, two spaces between columns.
func writeColumns(w io.Writer, rows [][]string) error {
	bw := bufio.NewWriter(w)
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], cells(cell))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			bw.WriteString(cell)
			if i == len(row)-1 {
				bw.WriteByte('\n')
			} else {
				bw.WriteString(strings.Repeat(" ", widths[i]-cells(cell)+2))
			}
		}
	}
	return bw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// writeCount prints a count in format.
func writeCount(w io.Writer, format string, n int) error {
	var err error
	switch format {
	case "json", "ndjson":
		_, err = fmt.Fprintf(w, "{\"count\":%d}\n", n)
	case "csv":
		_, err = fmt.Fprintf(w, "count\n%d\n", n)
	default:
		_, err = fmt.Fprintln(w, n)
	}
	return err
}
