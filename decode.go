package bigcommerce

// Everything that reads what the API sends lives here: groups, counts and
// error bodies, as wire structs decoded by JSON v2 whose leaf types read
// their own tokens. This is the only file that imports the JSON v2
// packages. They are github.com/go-json-experiment/json while the go
// directive says 1.26, and from Go 1.27 the standard library's
// encoding/json/v2, encoding/json/jsontext and encoding/json (for the v1
// option below): moving there changes these imports and nothing else.

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// decodeOptions make JSON v2 read bodies as encoding/json always has for
// this package: names matched ignoring case (but not "_"), a name given
// twice taken from its last occurrence, and invalid UTF-8 read as U+FFFD
// instead of failing a whole page over one mangled name.
var decodeOptions = json.JoinOptions(
	json.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// unmarshal decodes one JSON value into v with decodeOptions; the
// UnmarshalJSON methods of the exported types use it, so that
// encoding/json callers get the rules the client uses.
func unmarshal(b []byte, v any) error {
	return json.Unmarshal(b, v, decodeOptions)
}

// decodeBody decodes a successful answer's body into out, which is what
// the call expects: a page, a group, or a small struct such as the count.
// A page or group without an id is refused here, since every group the
// API sends has one.
func decodeBody(body []byte, out any) error {
	switch out := out.(type) {
	case *[]CustomerGroup:
		page, err := decodePage(body)
		if err != nil {
			return err
		}
		*out = page
		return nil
	case *CustomerGroup:
		var w wireGroup
		if err := unmarshal(body, &w); err != nil {
			return err
		}
		if w.ID < 1 {
			return errors.New("the body is not a group with an id")
		}
		*out = w.group()
		return nil
	}
	return unmarshal(body, out)
}

// decodePage decodes a JSON array of groups; null is an empty page.
func decodePage(body []byte) ([]CustomerGroup, error) {
	// Size the page in one allocation from the body's length: a group the
	// API sends takes well over 128 bytes. The hint is capped at the
	// largest page the API serves, lest a hostile body make it allocate
	// far more than its own size.
	page := make(wirePage, 0, min(len(body)/128+1, maxLimit))
	if err := unmarshal(body, &page); err != nil {
		return nil, err
	}
	return page, nil
}

// wirePage is a page of groups. Each goes through one reused wireGroup
// straight into its place in the page, so that a page costs a single
// allocation of its own and a group without an id is refused where it
// stands. The reuse, here and of the wireRule in ruleList, pays: with a
// fresh wire struct for each group and rule, a 250-group page took 1.12x
// the time to decode and 1.83x the bytes (BENCHMARKS.md, "What each
// special piece buys").
type wirePage []CustomerGroup

func (p *wirePage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	page := (*p)[:0]
	var w wireGroup
	null, err := readArray(dec, func() error {
		w = wireGroup{}
		if err := json.UnmarshalDecode(dec, &w); err != nil {
			return err
		}
		if w.ID < 1 {
			return fmt.Errorf("element %d of the page is not a group with an id", len(page))
		}
		page = append(page, w.group())
		return nil
	})
	if err != nil || null {
		*p = nil
		return err
	}
	*p = page
	return nil
}

// readArray reads a JSON array, calling elem to decode each element from
// dec; it reports null for a JSON null and refuses any other value.
func readArray(dec *jsontext.Decoder, elem func() error) (null bool, err error) {
	switch kind := dec.PeekKind(); kind {
	case 'n':
		_, err := dec.ReadToken()
		return true, err
	case '[':
	case 0:
		// Not JSON: ReadToken says why.
		_, err := dec.ReadToken()
		return false, err
	default:
		return false, fmt.Errorf("want a JSON array, got %v", kind)
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	for dec.PeekKind() != ']' {
		if err := elem(); err != nil {
			return false, err
		}
	}
	_, err = dec.ReadToken()
	return false, err
}

// wireGroup is a group as the API sends it.
type wireGroup struct {
	ID               int        `json:"id"`
	Name             string     `json:"name"`
	IsDefault        bool       `json:"is_default"`
	CategoryAccess   wireAccess `json:"category_access"`
	DiscountRules    ruleList   `json:"discount_rules"`
	IsGroupForGuests bool       `json:"is_group_for_guests"`
	DateCreated      apiTime    `json:"date_created"`
	DateModified     apiTime    `json:"date_modified"`
}

func (w *wireGroup) group() CustomerGroup {
	return CustomerGroup{
		ID:               w.ID,
		Name:             w.Name,
		IsDefault:        w.IsDefault,
		CategoryAccess:   w.CategoryAccess.access(),
		DiscountRules:    w.DiscountRules.rules,
		IsGroupForGuests: w.IsGroupForGuests,
		DateCreated:      time.Time(w.DateCreated),
		DateModified:     time.Time(w.DateModified),
	}
}

// ruleList is discount_rules, in a slice of exactly its length; null
// gives nil and [] an empty slice. Each rule passes through wire, which
// lives as long as the wireGroup around it, so that decoding a rule
// allocates nothing of its own.
type ruleList struct {
	rules []DiscountRule
	wire  wireRule
}

func (l *ruleList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var buf [8]DiscountRule
	rules := buf[:0]
	null, err := readArray(dec, func() error {
		l.wire = wireRule{}
		if err := json.UnmarshalDecode(dec, &l.wire); err != nil {
			return err
		}
		rules = append(rules, l.wire.rule())
		return nil
	})
	if err != nil || null {
		l.rules = nil
		return err
	}
	l.rules = append(make([]DiscountRule, 0, len(rules)), rules...)
	return nil
}

// wireAccess is category_access: categories may be ids as numbers or
// strings, and a type that is not a string reads as "".
type wireAccess struct {
	Type       lenient[CategoryAccessType] `json:"type"`
	Categories idList                      `json:"categories"`
}

func (w *wireAccess) access() CategoryAccess {
	return CategoryAccess{Type: w.Type.v, Categories: w.Categories}
}

// idList is a list of ids, each read as a flexInt, in a slice of exactly
// its length; null gives nil and [] an empty slice.
type idList []int

func (l *idList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var buf [16]int
	ids := buf[:0]
	null, err := readArray(dec, func() error {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		id, err := parseFlexInt(raw)
		ids = append(ids, int(id))
		return err
	})
	if err != nil || null {
		*l = nil
		return err
	}
	*l = append(make(idList, 0, len(ids)), ids...)
	return nil
}

// wireRule is a discount rule: ids as numbers or strings, amounts as
// strings or numbers, and enums that tolerate the reference's own
// "method": true.
type wireRule struct {
	Type        lenient[DiscountRuleType] `json:"type"`
	Method      lenient[DiscountMethod]   `json:"method"`
	Amount      wireAmount                `json:"amount"`
	ProductID   flexInt                   `json:"product_id"`
	CategoryID  flexInt                   `json:"category_id"`
	PriceListID flexInt                   `json:"price_list_id"`
}

func (w *wireRule) rule() DiscountRule {
	return DiscountRule{
		Type: w.Type.v, Method: w.Method.v, Amount: Amount(w.Amount),
		ProductID: int(w.ProductID), CategoryID: int(w.CategoryID), PriceListID: int(w.PriceListID),
	}
}

// lenient decodes an enum: a string is kept, any other JSON value (the
// reference's own example has "method": true) reads as "" instead of
// failing the whole response. Each value is a fresh string: handing back
// the documented constants instead saved 8% of a page's bytes and less
// than 10% of its time (BENCHMARKS.md, "What each special piece buys"),
// too little for the code it took.
type lenient[T ~string] struct{ v T }

func (l *lenient[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	l.v = ""
	if raw.Kind() == '"' {
		l.v = T(unquote(raw))
	}
	return nil
}

// unmarshalEnum is the UnmarshalJSON of every enum type.
func unmarshalEnum[T ~string](b []byte, dst *T) error {
	var l lenient[T]
	if err := unmarshal(b, &l); err != nil {
		return err
	}
	*dst = l.v
	return nil
}

// unquote returns the text of a JSON string literal that the decoder has
// already checked, reading invalid UTF-8 as U+FFFD as decodeOptions say.
func unquote(raw jsontext.Value) string {
	in := raw[1 : len(raw)-1]
	if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return string(in)
	}
	// The only error left is invalid UTF-8, already replaced.
	out, _ := jsontext.AppendUnquote(nil, raw)
	return string(out)
}

// wireAmount decodes an Amount: a JSON string or number keeps its exact
// text; null leaves it empty.
type wireAmount Amount

func (a *wireAmount) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		*a = ""
	case '"':
		*a = wireAmount(strings.TrimSpace(unquote(raw)))
	case '0':
		*a = wireAmount(amountFromNumber(string(raw)))
	default:
		return fmt.Errorf("bigcommerce: amount must be a string or a number, got %s", truncate(raw))
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
// string ("20"); null and "" read as 0. A string's digits are taken as
// written, escapes and all: "\u0032\u0030" is no id.
type flexInt int

func (n *flexInt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	v, err := parseFlexInt(raw)
	if err != nil {
		return err
	}
	*n = v
	return nil
}

func parseFlexInt(b []byte) (flexInt, error) {
	if len(b) >= 2 && b[0] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			return 0, nil
		}
	}
	if string(b) == "null" {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Ids such as 20.0 have been seen from PHP-backed APIs: accept an
		// integer with a fraction of zeros, nothing that a float64 would
		// round (9007199254740993.0, 0.99999999999999999999, 1e2).
		whole, frac, ok := strings.Cut(string(b), ".")
		if !ok || frac == "" || strings.Trim(frac, "0") != "" {
			return 0, fmt.Errorf("bigcommerce: %s is not an integer id", truncate(b))
		}
		if v, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, fmt.Errorf("bigcommerce: %s is not an integer id", truncate(b))
		}
	}
	return flexInt(v), nil
}

// apiTime decodes a date field with ParseDate; null is the zero time.
type apiTime time.Time

func (t *apiTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		*t = apiTime{}
		return nil
	case '"':
		if v, ok := referenceDate(raw[1 : len(raw)-1]); ok {
			*t = apiTime(v)
			return nil
		}
		v, err := ParseDate(unquote(raw))
		if err != nil {
			return err
		}
		*t = apiTime(v)
		return nil
	}
	return fmt.Errorf("bigcommerce: a date must be a string, got %s", truncate(raw))
}

// maxErrorText bounds how much of an unreadable error body is kept.
const maxErrorText = 2 << 10

// parseErrorBody understands the shapes BigCommerce has used: the v2 array
// [{"status","message","details"}], the v3 object
// {"status","title","type","detail","errors"}, the 207 object
// {"status","message"}, and anything else as text.
func parseErrorBody(body []byte) []ErrorDetail {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	switch body[0] {
	case '[':
		var v2 []wireErrorDetail
		if unmarshal(body, &v2) == nil {
			out := make([]ErrorDetail, 0, len(v2))
			for _, d := range v2 {
				out = append(out, d.detail())
			}
			return out
		}
	case '{':
		var v3 wireErrorObject
		if unmarshal(body, &v3) == nil {
			if d := v3.details(); len(d) > 0 {
				return d
			}
		}
	}
	return []ErrorDetail{{Message: textOf(body)}}
}

type wireErrorDetail struct {
	Status  flexInt        `json:"status"`
	Message string         `json:"message"`
	Title   string         `json:"title"`
	Type    string         `json:"type"`
	Details map[string]any `json:"details"`
}

func (w wireErrorDetail) detail() ErrorDetail {
	msg := w.Message
	if msg == "" {
		msg = w.Title
	}
	return ErrorDetail{Status: int(w.Status), Message: textOf([]byte(msg)), Details: w.Details}
}

type wireErrorObject struct {
	Status  flexInt        `json:"status"`
	Message string         `json:"message"`
	Title   string         `json:"title"`
	Type    string         `json:"type"`
	Detail  string         `json:"detail"`
	Errors  jsontext.Value `json:"errors"`
}

func (w wireErrorObject) details() []ErrorDetail {
	var out []ErrorDetail
	msg := w.Message
	if msg == "" {
		msg = w.Title
	}
	if w.Detail != "" {
		if msg != "" {
			msg += ": "
		}
		msg += w.Detail
	}
	if msg = textOf([]byte(msg)); msg != "" {
		out = append(out, ErrorDetail{Status: int(w.Status), Message: msg})
	}
	// "errors" is an array of entries in ErrorRequest, a map of field to
	// message in other v3 answers.
	var list []wireErrorDetail
	var fields map[string]any
	switch {
	case unmarshal(w.Errors, &list) == nil:
		for _, d := range list {
			out = append(out, d.detail())
		}
	case unmarshal(w.Errors, &fields) == nil && len(fields) > 0:
		if len(out) == 0 {
			out = append(out, ErrorDetail{Status: int(w.Status), Message: "invalid request"})
		}
		out[0].Details = fields
	}
	return out
}

// textOf keeps a readable prefix of a body that is not JSON, such as a
// proxy's HTML page.
func textOf(body []byte) string {
	if len(body) > maxErrorText {
		// A rune cut in two at the end, like any byte that is not
		// UTF-8, becomes a space below.
		body = body[:maxErrorText]
	}
	s := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != ' ') {
			return ' '
		}
		return r
	}, string(body))
	return strings.Join(strings.Fields(s), " ")
}
