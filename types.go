package bigcommerce

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Ptr returns a pointer to v, for the optional fields of update requests
// and filters: Ptr(false) sends false, where a nil pointer sends nothing.
func Ptr[T any](v T) *T { return &v }

// Amount is a decimal amount of money or a percentage, kept as the exact
// text of its digits so that nothing rounds: Amount("5.00"). It is sent
// as a JSON string (the API documents amount as a string, and validating
// proxies reject a number) and read from either a string or a number.
type Amount string

// NewAmount formats a decimal as an Amount with the given number of
// decimals, rounding half away from zero, e.g. NewAmount(big.NewRat(25,
// 2), 4) is "12.5000". Decimals below 0 count as 0. A nil r gives the
// empty Amount, which is not Valid, so that a missing number is refused
// before a request is sent instead of going out as a discount of 0.
func NewAmount(r *big.Rat, decimals int) Amount {
	if r == nil {
		return ""
	}
	return Amount(r.FloatString(max(decimals, 0)))
}

// ParseAmount returns s as an Amount if it is a plain decimal number: an
// optional minus sign, digits, and an optional fraction ("2.50", "-1",
// "12.5000"); anything else is a *ValidationError matching
// ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) {
	if a := Amount(s); a.Valid() {
		return a, nil
	}
	return "", invalidf("amount", "must be a decimal number such as \"2.50\", got %q", s)
}

// Rat returns the amount as an exact rational number.
func (a Amount) Rat() (*big.Rat, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("bigcommerce: amount %q is not a decimal number", string(a))
	}
	r, _ := new(big.Rat).SetString(string(a))
	return r, nil
}

// Float64 returns the nearest float64, for display only: do not compute
// money with it.
func (a Amount) Float64() (float64, error) {
	if !a.Valid() {
		return 0, fmt.Errorf("bigcommerce: amount %q is not a decimal number", string(a))
	}
	return strconv.ParseFloat(string(a), 64)
}

// Valid reports whether the amount is a plain decimal number: an optional
// minus sign, digits, and an optional fraction ("5", "-1.5", "12.5000").
func (a Amount) Valid() bool {
	s := string(a)
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return false
	}
	return allDigits(intPart) && allDigits(frac)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Equal reports whether two amounts are the same number ("5" and "5.0000").
func (a Amount) Equal(b Amount) bool {
	x, err1 := a.Rat()
	y, err2 := b.Rat()
	if err1 != nil || err2 != nil {
		return a == b
	}
	return x.Cmp(y) == 0
}

// UnmarshalJSON accepts a JSON string or number and keeps its exact text;
// null leaves the amount empty.
func (a *Amount) UnmarshalJSON(b []byte) error {
	return unmarshal(b, (*wireAmount)(a))
}

// dateLayouts are the formats the API has used for dates: the reference's
// "2023-07-17 06:30:41", RFC 1123 with a numeric zone as other v2
// resources send, and RFC 3339.
var dateLayouts = []string{
	"2006-01-02 15:04:05",
	time.RFC1123Z,
	time.RFC3339Nano,
	time.RFC1123,
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// ParseDate parses a date in any format the API has used. An empty string,
// and MySQL's zero date, give the zero time. Dates without a zone are UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	if t, ok := referenceDate(s); ok {
		return t, nil
	}
	// A layout that starts with the day's name needs a letter first, one
	// that starts with the year cannot have one; skipping the layouts that
	// cannot match spares the error each failed time.Parse allocates.
	letter := (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')
	for _, layout := range dateLayouts {
		if strings.HasPrefix(layout, "Mon") && !letter || strings.HasPrefix(layout, "2006") && letter {
			continue
		}
		// Go reads a zone abbreviation it does not know as UTC, and the
		// clock of "GMT+5" as UTC time; only GMT and UTC mean one thing.
		if layout == time.RFC1123 && !strings.HasSuffix(s, " GMT") && !strings.HasSuffix(s, " UTC") {
			continue
		}
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		// No zone is a day or more off UTC, and time.Time cannot write
		// such an offset back as JSON.
		if _, off := t.Zone(); off <= -24*60*60 || off >= 24*60*60 {
			continue
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bigcommerce: unrecognised date %q", truncate([]byte(s)))
}

// referenceDate reads the reference's "2023-07-17 06:30:41", the format
// of nearly every date the API sends, as time.Parse would read it in UTC
// but some ten times faster, and from the bytes of a body without copying
// them into a string first. ok is false for anything else, a day or hour
// out of range included, which ParseDate's layouts then judge. It pays:
// without it a 250-group page took 1.10x the time to decode and 1.14x the
// bytes (BENCHMARKS.md, "What each special piece buys").
func referenceDate[S ~string | ~[]byte](s S) (t time.Time, ok bool) {
	if len(s) != len("2006-01-02 15:04:05") || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				ok = false
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	ok = true
	year, month, day := num(0, 4), time.Month(num(5, 2)), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	if !ok {
		return time.Time{}, false
	}
	t = time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	// time.Date carries an overflow into the next field (February 30 is
	// March 2) where time.Parse refuses it.
	if t.Year() != year || t.Month() != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != second {
		return time.Time{}, false
	}
	return t, true
}
