package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
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

// Every string from a store (a group's name, an error message) is whatever
// someone typed into the store's control panel, or whatever an attacker
// with a token wrote there. Before it reaches a terminal it passes
// safeText, whose one rule (piece) decides what a person could not see or
// what would act on the terminal:
//
//   - control characters, C0 and C1 (U+009B is a one-byte CSI to
//     terminals that honour C1), and bytes that are not UTF-8: they move
//     the cursor, retitle the window, clear the screen;
//   - bidi controls and line or paragraph separators: "Wholesale" and
//     "elaselohW" would look alike, or a line would break;
//   - invisible characters: Unicode's format characters (category Cf:
//     zero-width spaces and joiners, the byte order mark, the soft hyphen,
//     tag characters) and the fillers that draw nothing, so that
//     "Whole<U+200B>sale" cannot pass for "Wholesale" in a question;
//   - combining marks past the first few on one character, which stack
//     up over the lines around them.
//
// Such a character is shown as an escape, \xNN or \uNNNN, visible and
// inert. JSON and NDJSON bound for a terminal escape the same characters,
// as JSON escapes (jsonForTerminal), so that they stay valid and exact.
// Files and pipes get the store's bytes as they are, where scripts need
// them.
func safeText(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	marks := 0
	for i := 0; i < len(s); {
		text, size := piece(s, i, &marks)
		b.WriteString(text)
		i += size
	}
	return b.String()
}

// piece is how the character at s[i:] is shown, and its size in bytes:
// as it is, or escaped. marks carries the count of combining marks in a
// row from one character to the next.
func piece(s string, i int, marks *int) (string, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		*marks = 0
		return fmt.Sprintf(`\x%02x`, s[i]), size
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		*marks = 0
		return fmt.Sprintf(`\x%02x`, r), size
	case hidden(r, marks):
		return uEscape(r), size
	}
	return s[i : i+size], size
}

// isSafe reports whether safeText would leave s as it is, so that the
// common case costs no copy.
func isSafe(s string) bool {
	marks := 0
	for _, r := range s {
		// utf8.RuneError is a byte that is not UTF-8, or U+FFFD itself:
		// the slow path tells them apart.
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || hidden(r, &marks) {
			return false
		}
	}
	return true
}

// cutRaw cuts s, a store's string as it is, so that safeText of the result
// takes at most n cells, ending it with an ellipsis when it was cut. It is
// for JSON on a terminal, which escapes as JSON does rather than through
// safeText but must be cut alike.
func cutRaw(s string, n int) string {
	if cells(safeText(s)) <= n {
		return s
	}
	w, marks := 0, 0
	for i := 0; i < len(s); {
		text, size := piece(s, i, &marks)
		if w += cells(text); w > n-1 {
			return s[:i] + "…"
		}
		i += size
	}
	return s
}

// maxMarks is how many combining marks in a row one character keeps as
// they are. Vietnamese stacks two, Hebrew with its points and cantillation
// about four; fifty would spill over the lines above and below.
const maxMarks = 4

// hidden reports whether r is shown escaped although it is no control
// character: a bidi control or separator, an invisible character, or a
// combining mark past maxMarks in a row. marks counts the marks in the
// current row, from one call to the next.
func hidden(r rune, marks *int) bool {
	if isBidiOrSeparator(r) || isInvisible(r) {
		*marks = 0
		return true
	}
	if unicode.In(r, unicode.Mn, unicode.Me) {
		*marks++
		return *marks > maxMarks
	}
	*marks = 0
	return false
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

// isInvisible reports the characters that take up no visible space of
// their own: format characters (category Cf), the combining grapheme
// joiner, and the Hangul and Khmer fillers, which are letters that draw
// nothing.
func isInvisible(r rune) bool {
	switch r {
	case 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xffa0:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// uEscape writes r as \uNNNN, or \UNNNNNNNN beyond the first plane.
func uEscape(r rune) string {
	if r > 0xffff {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// maxShownCells bounds a name in a message, a question, a plan line, or
// JSON on a terminal, so that a name of ten thousand characters cannot
// bury the question it is part of.
const maxShownCells = 80

// maxNameCells bounds the name column of a table, so that one long name
// does not push the other columns off a terminal's line.
const maxNameCells = 40

// shown is a store's name as a person sees it outside a table: escaped by
// safeText and cut to maxShownCells.
func shown(s string) string { return fitCells(safeText(s), maxShownCells) }

// quote is a store's string for a message: shown, and in double quotes so
// that leading or trailing spaces show.
func quote(s string) string { return `"` + shown(s) + `"` }

// fitCells cuts s to at most n terminal cells, ending it with an ellipsis
// when it was cut. Wide characters, such as those of Chinese or Japanese
// names, take two cells each.
func fitCells(s string, n int) string {
	return runewidth.Truncate(s, n, "…")
}

// cells is how many terminal cells s takes.
func cells(s string) int { return runewidth.StringWidth(s) }

// terminalLine is a line of news or an error, which may quote a store's
// message and a name within it (a 409 repeats the name it refused): the
// line passes safeText, and every quoted part longer than maxShownCells
// is cut, so that the reason after it stays on the screen; so is the rest
// of a line after a quote that never closes.
func terminalLine(s string) string {
	s = safeText(s)
	if len(s) <= maxShownCells {
		return s
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '"')
		end := -1
		switch {
		case open > 0 && s[open-1] == '\\':
			// A message quoted inside another (Go's %q of a store's
			// message) has its quotes escaped: the name ends at the next
			// escaped quote.
			if i := strings.Index(s[open+1:], `\"`); i >= 0 {
				end = open + 1 + i
			}
		case open >= 0:
			end = closingQuote(s, open+1)
		}
		if open < 0 {
			b.WriteString(s)
			return b.String()
		}
		if end < 0 {
			// A quote that never closes: the SDK cuts a store's long
			// message, so the rest is the name that made it long.
			b.WriteString(s[:open+1])
			b.WriteString(fitCells(s[open+1:], maxShownCells))
			return b.String()
		}
		b.WriteString(s[:open+1])
		b.WriteString(fitCells(s[open+1:end], maxShownCells))
		s = s[end:]
		// The closing quote, escaped or not, goes out with the next part.
		if s[0] == '\\' {
			b.WriteByte('\\')
			s = s[1:]
		}
		b.WriteByte('"')
		s = s[1:]
	}
}

// closingQuote is the index of the first double quote in s from start on
// that no backslash escapes, or -1.
func closingQuote(s string, start int) int {
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// jsonForTerminal makes JSON that a person reads on a terminal safe to
// show, without making it invalid: every string in it is cut as cutRaw
// cuts, and the characters that safeText would escape are written as JSON
// escapes (\u009b), which a JSON reader turns back into the same text.
func jsonForTerminal(b []byte) []byte {
	s := string(b)
	var out strings.Builder
	for {
		open := strings.IndexByte(s, '"')
		if open < 0 {
			out.WriteString(s)
			return []byte(out.String())
		}
		end := closingQuote(s, open+1)
		if end < 0 {
			out.WriteString(s)
			return []byte(out.String())
		}
		out.WriteString(s[:open])
		lit := s[open : end+1]
		var text string
		if err := json.Unmarshal([]byte(lit), &text); err != nil || (isSafe(text) && cells(text) <= maxShownCells) {
			out.WriteString(lit)
		} else {
			out.WriteString(terminalJSONString(cutRaw(text, maxShownCells)))
		}
		s = s[end+1:]
	}
}

// terminalJSONString is s as a JSON string in which every character that
// safeText would escape is a \u escape.
func terminalJSONString(s string) string {
	lit, _ := marshal(s, false) // a string always marshals
	var b strings.Builder
	marks := 0
	for _, r := range string(lit) {
		if r == 0x7f || (r >= 0x80 && r < 0xa0) || hidden(r, &marks) {
			for _, u := range utf16.AppendRune(nil, r) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
