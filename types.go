package bigcommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
// decimals, e.g. NewAmount(big.NewRat(25, 2), 4) is "12.5000".
func NewAmount(r *big.Rat, decimals int) Amount {
	return Amount(r.FloatString(decimals))
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
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*a = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*a = Amount(strings.TrimSpace(s))
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*a = amountFromNumber(string(b))
	default:
		return fmt.Errorf("bigcommerce: amount must be a string or a number, got %s", truncate(b))
	}
	return nil
}

// amountFromNumber keeps a JSON number's digits, writing one with an
// exponent (1e2, 1.5e-3) as the plain decimal it stands for.
func amountFromNumber(n string) Amount {
	mant, exp, ok := strings.Cut(strings.ToLower(n), "e")
	if !ok {
		return Amount(n)
	}
	// big.Rat's cost grows with the exponent and, faster, with the
	// number of digits: write out only what is cheap to.
	e, err := strconv.Atoi(exp)
	if err != nil || e > 1000 || e < -1000 || len(mant) > 100 {
		return Amount(n)
	}
	r, valid := new(big.Rat).SetString(n)
	if !valid {
		return Amount(n)
	}
	_, frac, _ := strings.Cut(mant, ".")
	return Amount(r.FloatString(max(0, len(frac)-e)))
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// flexInt reads an id that the API has sent both as a number and as a
// string ("20"); null and "" read as 0.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			*n = 0
			return nil
		}
	}
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Ids such as 20.0 have been seen from PHP-backed APIs: accept an
		// integer with a fraction of zeros, nothing that a float64 would
		// round (9007199254740993.0, 0.99999999999999999999, 1e2).
		whole, frac, ok := strings.Cut(string(b), ".")
		if !ok || frac == "" || strings.Trim(frac, "0") != "" {
			return fmt.Errorf("bigcommerce: %s is not an integer id", truncate(b))
		}
		if v, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return fmt.Errorf("bigcommerce: %s is not an integer id", truncate(b))
		}
	}
	*n = flexInt(v)
	return nil
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

// apiTime decodes a date field with ParseDate.
type apiTime time.Time

func (t *apiTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = apiTime{}
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return fmt.Errorf("bigcommerce: a date must be a string, got %s", truncate(b))
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*t = apiTime(v)
	return nil
}

// lenientString decodes an enum: a string is kept, any other JSON value
// (the reference's own example has "method": true) reads as "" instead of
// failing the whole response.
func lenientString(b []byte) string {
	if len(b) == 0 || b[0] != '"' {
		return ""
	}
	// The documented values recur in every group: hand back the constant
	// rather than a fresh copy.
	if len(b) >= 2 && b[len(b)-1] == '"' {
		for _, v := range enumValues {
			if string(b[1:len(b)-1]) == v {
				return v
			}
		}
	}
	s, err := unquote(b)
	if err != nil {
		return ""
	}
	return s
}

var enumValues = []string{
	string(CategoryAccessAll), string(CategoryAccessSpecific), string(CategoryAccessNone),
	string(DiscountRuleProduct), string(DiscountRuleCategory), string(DiscountRulePriceList),
	string(DiscountPercent), string(DiscountFixed), string(DiscountPrice),
}

// unquote decodes a JSON string literal as json.Unmarshal does, without
// its cost in the common case.
func unquote(b []byte) (string, error) {
	if s, ok := plainJSONString(b); ok {
		return s, nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// plainJSONString returns the text of a JSON string literal with no
// escapes and valid UTF-8, the common case, for what json.Unmarshal would
// give but without its cost; ok is false for anything else, which the
// caller hands to json.Unmarshal.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	ascii := true
	for _, c := range in {
		if c < ' ' || c == '"' || c == '\\' {
			return "", false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}
