package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// plural writes a count with the noun that agrees with it: "1 group",
// "2 groups".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// safeText is the one function that every string from a store (a group's
// name, an error message) passes through before it reaches a terminal.
// A name is whatever someone typed into the store's control panel, or
// whatever an attacker with a token wrote there: an escape sequence in it
// could move the cursor, retitle the window or hide the line before it,
// and a bidi control could make "Wholesale" and "elaselohW" look alike.
// So control characters, and bytes that are not UTF-8, become \xNN,
// and bidi controls and line or paragraph separators become \uNNNN,
// visible and inert. JSON output does not use it: JSON escapes what it
// must and keeps the rest exact.
func safeText(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiOrSeparator(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isSafe reports whether safeText would leave s as it is, so that the
// common case costs no copy.
func isSafe(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || isBidiOrSeparator(r) {
			return false
		}
	}
	return true
}

// isBidiOrSeparator reports the characters that reorder or break a line
// without being control characters: Unicode's bidirectional marks,
// embeddings, overrides and isolates, and the line and paragraph
// separators.
func isBidiOrSeparator(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// quote is a store's string for a message: escaped by safeText and in
// double quotes, so that leading or trailing spaces show.
func quote(s string) string { return `"` + safeText(s) + `"` }

// maxNameCells bounds the name column of a table, so that one long name
// does not push the other columns off a terminal's line. Other formats
// keep names whole.
const maxNameCells = 40

// fitCells cuts s to at most n terminal cells, ending it with an ellipsis
// when it was cut. Wide characters, such as those of Chinese or Japanese
// names, take two cells each.
func fitCells(s string, n int) string {
	return runewidth.Truncate(s, n, "…")
}

// cells is how many terminal cells s takes.
func cells(s string) int { return runewidth.StringWidth(s) }
