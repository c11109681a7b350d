package bigcommerce

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// groupReader decodes groups in one pass, straight into CustomerGroup
// values, for the JSON the API really sends. It gives up (ok false) on
// anything else: a key written with escapes or matching a known one only
// when case is ignored, a key given twice, a value of an unexpected kind,
// JSON that is not valid. The caller then decodes with encoding/json as
// before, so results and errors are always those of the encoding/json path.
// Leaf values go through the same UnmarshalJSON methods that encoding/json
// calls; the objects around them mirror CategoryAccess.UnmarshalJSON and
// DiscountRule.UnmarshalJSON, and the fuzz tests check that both paths
// agree.
type groupReader struct {
	b []byte
	i int
	// Scratch for one group's categories and rules, copied out at their
	// exact size.
	cats  []int
	rules []DiscountRule
}

// decodeGroupsFast decodes a page: a JSON array of groups.
func decodeGroupsFast(b []byte) ([]CustomerGroup, bool) {
	r := groupReader{b: b}
	r.space()
	if !r.eat('[') {
		return nil, false
	}
	// Size the page in one allocation from the body's length: a group the
	// API sends takes well over 128 bytes. The hint is capped at the
	// largest page the API serves, lest a hostile body make it allocate
	// far more than its own size.
	groups := make([]CustomerGroup, 0, min(len(b)/128+1, maxLimit))
	r.space()
	if !r.eat(']') {
		for {
			groups = append(groups, CustomerGroup{})
			if !r.group(&groups[len(groups)-1]) {
				return nil, false
			}
			r.space()
			if r.eat(',') {
				r.space()
				continue
			}
			if !r.eat(']') {
				return nil, false
			}
			break
		}
	}
	return groups, r.end()
}

// decodeGroupFast decodes one group, a JSON object, into g; on false g
// is left as the zero group.
func decodeGroupFast(b []byte, g *CustomerGroup) bool {
	r := groupReader{b: b}
	r.space()
	if !r.group(g) || !r.end() {
		*g = CustomerGroup{}
		return false
	}
	return true
}

var (
	groupKeys  = []string{"id", "name", "is_default", "category_access", "discount_rules", "is_group_for_guests", "date_created", "date_modified"}
	accessKeys = []string{"type", "categories"}
	ruleKeys   = []string{"type", "method", "amount", "product_id", "category_id", "price_list_id"}
)

func (r *groupReader) group(g *CustomerGroup) bool {
	return r.object(groupKeys, func(k int) bool {
		switch k {
		case 0:
			return r.int(&g.ID)
		case 1:
			return r.string(&g.Name)
		case 2:
			return r.bool(&g.IsDefault)
		case 3:
			return r.access(&g.CategoryAccess)
		case 4:
			return r.rulesInto(&g.DiscountRules)
		case 5:
			return r.bool(&g.IsGroupForGuests)
		case 6:
			return r.date(&g.DateCreated)
		default:
			return r.date(&g.DateModified)
		}
	})
}

// access mirrors CategoryAccess.UnmarshalJSON.
func (r *groupReader) access(c *CategoryAccess) bool {
	var typ CategoryAccessType
	var cats []int
	ok := r.object(accessKeys, func(k int) bool {
		if k == 0 {
			lit, ok := r.literal()
			return ok && typ.UnmarshalJSON(lit) == nil
		}
		if r.null() {
			cats = nil
			return true
		}
		r.cats = r.cats[:0]
		if !r.array(func() bool {
			var id flexInt
			lit, ok := r.literal()
			if !ok || id.UnmarshalJSON(lit) != nil {
				return false
			}
			r.cats = append(r.cats, int(id))
			return true
		}) {
			return false
		}
		cats = append(make([]int, 0, len(r.cats)), r.cats...)
		return true
	})
	if ok {
		*c = CategoryAccess{Type: typ, Categories: cats}
	}
	return ok
}

// rulesInto decodes the discount_rules array; null leaves nil, as
// encoding/json does, and [] gives an empty slice.
func (r *groupReader) rulesInto(dst *[]DiscountRule) bool {
	if r.null() {
		*dst = nil
		return true
	}
	r.rules = r.rules[:0]
	if !r.array(func() bool {
		r.rules = append(r.rules, DiscountRule{})
		return r.rule(&r.rules[len(r.rules)-1])
	}) {
		return false
	}
	*dst = append([]DiscountRule{}, r.rules...)
	return true
}

// rule mirrors DiscountRule.UnmarshalJSON.
func (r *groupReader) rule(d *DiscountRule) bool {
	var product, category, priceList flexInt
	ok := r.object(ruleKeys, func(k int) bool {
		lit, ok := r.literal()
		if !ok {
			return false
		}
		var err error
		switch k {
		case 0:
			err = d.Type.UnmarshalJSON(lit)
		case 1:
			err = d.Method.UnmarshalJSON(lit)
		case 2:
			err = d.Amount.UnmarshalJSON(lit)
		case 3:
			err = product.UnmarshalJSON(lit)
		case 4:
			err = category.UnmarshalJSON(lit)
		default:
			err = priceList.UnmarshalJSON(lit)
		}
		return err == nil
	})
	d.ProductID, d.CategoryID, d.PriceListID = int(product), int(category), int(priceList)
	return ok
}

// object reads an object whose known keys are keys, calling field with
// the index of each; other keys are skipped, as encoding/json ignores
// them, unless encoding/json would match them to a known key.
func (r *groupReader) object(keys []string, field func(int) bool) bool {
	if !r.eat('{') {
		return false
	}
	r.space()
	if r.eat('}') {
		return true
	}
	var seen uint64
	for {
		key, ok := r.key()
		if !ok {
			return false
		}
		k := -1
		for j, name := range keys {
			if string(key) == name {
				k = j
				break
			}
		}
		switch {
		case k >= 0:
			if seen&(1<<k) != 0 || !field(k) {
				return false
			}
			seen |= 1 << k
		case foldsToKnown(key, keys):
			return false
		default:
			if !r.skip(0) {
				return false
			}
		}
		r.space()
		if r.eat(',') {
			r.space()
			continue
		}
		return r.eat('}')
	}
}

// foldsToKnown reports whether encoding/json might match key to one of
// keys although it is not spelled the same: it ignores case, with Unicode
// folding for letters outside ASCII.
func foldsToKnown(key []byte, keys []string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, k := range keys {
		if strings.EqualFold(k, string(key)) {
			return true
		}
	}
	return false
}

// key reads a key without escapes and the colon after it.
func (r *groupReader) key() ([]byte, bool) {
	lit, ok := r.stringLiteral()
	if !ok || bytes.IndexByte(lit, '\\') >= 0 {
		return nil, false
	}
	r.space()
	if !r.eat(':') {
		return nil, false
	}
	r.space()
	return lit[1 : len(lit)-1], true
}

// array reads an array, calling elem at each element.
func (r *groupReader) array(elem func() bool) bool {
	if !r.eat('[') {
		return false
	}
	r.space()
	if r.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		r.space()
		if r.eat(',') {
			r.space()
			continue
		}
		return r.eat(']')
	}
}

// date hands a literal to apiTime.UnmarshalJSON, as encoding/json does.
func (r *groupReader) date(t *time.Time) bool {
	var d apiTime
	lit, ok := r.literal()
	if !ok || d.UnmarshalJSON(lit) != nil {
		return false
	}
	*t = time.Time(d)
	return true
}

// int reads a plain integer, the only form encoding/json puts in an int.
func (r *groupReader) int(n *int) bool {
	lit, ok := r.literal()
	if !ok || bytes.ContainsAny(lit, `".eEtfn`) {
		return false
	}
	v, err := strconv.ParseInt(string(lit), 10, 0)
	*n = int(v)
	return err == nil
}

func (r *groupReader) string(s *string) bool {
	lit, ok := r.literal()
	if !ok || lit[0] != '"' {
		return false
	}
	v, err := unquote(lit)
	*s = v
	return err == nil
}

func (r *groupReader) bool(v *bool) bool {
	switch {
	case r.word("true"):
		*v = true
	case r.word("false"):
		*v = false
	default:
		return false
	}
	return true
}

func (r *groupReader) null() bool { return r.word("null") }

func (r *groupReader) word(w string) bool {
	if !bytes.HasPrefix(r.b[r.i:], []byte(w)) {
		return false
	}
	r.i += len(w)
	return true
}

// literal returns the text of the JSON literal at the cursor, checked as
// strictly as encoding/json checks it.
func (r *groupReader) literal() ([]byte, bool) {
	if r.i >= len(r.b) {
		return nil, false
	}
	start := r.i
	switch c := r.b[r.i]; {
	case c == '"':
		return r.stringLiteral()
	case c == '-' || (c >= '0' && c <= '9'):
		if !r.number() {
			return nil, false
		}
	case r.word("true"), r.word("false"), r.null():
	default:
		return nil, false
	}
	return r.b[start:r.i], true
}

// stringLiteral reads a string with its quotes, checking its escapes.
func (r *groupReader) stringLiteral() ([]byte, bool) {
	if !r.eat('"') {
		return nil, false
	}
	start := r.i - 1
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return r.b[start:r.i], true
		case c < ' ':
			return nil, false
		case c == '\\':
			r.i++
			if r.i >= len(r.b) {
				return nil, false
			}
			switch r.b[r.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i++
			case 'u':
				if r.i+5 > len(r.b) {
					return nil, false
				}
				for _, h := range r.b[r.i+1 : r.i+5] {
					if !isHex(h) {
						return nil, false
					}
				}
				r.i += 5
			default:
				return nil, false
			}
		default:
			r.i++
		}
	}
	return nil, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (r *groupReader) number() bool {
	r.eat('-')
	switch {
	case r.eat('0'):
	case r.digits() == 0:
		return false
	}
	if r.eat('.') && r.digits() == 0 {
		return false
	}
	if r.eat('e') || r.eat('E') {
		if !r.eat('+') {
			r.eat('-')
		}
		if r.digits() == 0 {
			return false
		}
	}
	return true
}

func (r *groupReader) digits() int {
	n := 0
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
		n++
	}
	return n
}

// skip reads any value, for keys that encoding/json ignores.
func (r *groupReader) skip(depth int) bool {
	if depth > 100 || r.i >= len(r.b) {
		return false
	}
	switch r.b[r.i] {
	case '{':
		r.i++
		r.space()
		if r.eat('}') {
			return true
		}
		for {
			if _, ok := r.stringLiteral(); !ok {
				return false
			}
			r.space()
			if !r.eat(':') {
				return false
			}
			r.space()
			if !r.skip(depth + 1) {
				return false
			}
			r.space()
			if r.eat(',') {
				r.space()
				continue
			}
			return r.eat('}')
		}
	case '[':
		return r.array(func() bool { return r.skip(depth + 1) })
	}
	_, ok := r.literal()
	return ok
}

func (r *groupReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *groupReader) eat(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (r *groupReader) end() bool {
	r.space()
	return r.i == len(r.b)
}
