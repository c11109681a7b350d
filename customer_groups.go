package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CustomerGroupsService reads and writes customer groups: who is in which
// group decides which categories customers see and which discounts apply.
// Reach it as Client.CustomerGroups.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups
type CustomerGroupsService struct {
	client *Client
}

// CustomerGroup is a customer group as the store reports it.
type CustomerGroup struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// IsDefault makes new customers join this group when they sign up.
	IsDefault bool `json:"is_default"`
	// CategoryAccess says which categories the group's customers see.
	CategoryAccess CategoryAccess `json:"category_access"`
	// DiscountRules apply automatically to the group's customers.
	DiscountRules []DiscountRule `json:"discount_rules"`
	// IsGroupForGuests marks the one group that guests belong to.
	IsGroupForGuests bool      `json:"is_group_for_guests"`
	DateCreated      time.Time `json:"date_created"`
	DateModified     time.Time `json:"date_modified"`
}

// wireGroup is a group as the API sends it, for encoding/json: groups
// decode into it, and are then copied field by field, whenever groupReader
// (below) gives up on a body.
type wireGroup struct {
	ID               int            `json:"id"`
	Name             string         `json:"name"`
	IsDefault        bool           `json:"is_default"`
	CategoryAccess   CategoryAccess `json:"category_access"`
	DiscountRules    []DiscountRule `json:"discount_rules"`
	IsGroupForGuests bool           `json:"is_group_for_guests"`
	DateCreated      apiTime        `json:"date_created"`
	DateModified     apiTime        `json:"date_modified"`
}

func (w *wireGroup) group() CustomerGroup {
	return CustomerGroup{
		ID:               w.ID,
		Name:             w.Name,
		IsDefault:        w.IsDefault,
		CategoryAccess:   w.CategoryAccess,
		DiscountRules:    w.DiscountRules,
		IsGroupForGuests: w.IsGroupForGuests,
		DateCreated:      time.Time(w.DateCreated),
		DateModified:     time.Time(w.DateModified),
	}
}

// UnmarshalJSON reads a group in the API's format, with every date format
// and quirk the API has shown, as well as what encoding/json writes for a
// CustomerGroup (RFC 3339 dates).
func (g *CustomerGroup) UnmarshalJSON(b []byte) error {
	var v CustomerGroup
	if decodeGroupFast(b, &v) {
		*g = v
		return nil
	}
	var w wireGroup
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*g = w.group()
	return nil
}

// CategoryAccessType says which categories a group's customers can see.
type CategoryAccessType string

// The category access types.
const (
	// CategoryAccessAll shows every category.
	CategoryAccessAll CategoryAccessType = "all"
	// CategoryAccessSpecific shows only CategoryAccess.Categories.
	CategoryAccessSpecific CategoryAccessType = "specific"
	// CategoryAccessNone shows no category.
	CategoryAccessNone CategoryAccessType = "none"
)

// Valid reports whether t is one of the documented types.
func (t CategoryAccessType) Valid() bool {
	return t == CategoryAccessAll || t == CategoryAccessSpecific || t == CategoryAccessNone
}

// UnmarshalJSON keeps a string and reads any other JSON value as "".
func (t *CategoryAccessType) UnmarshalJSON(b []byte) error {
	*t = CategoryAccessType(lenientString(b))
	return nil
}

// CategoryAccess is a group's category visibility.
type CategoryAccess struct {
	Type CategoryAccessType `json:"type"`
	// Categories are the visible category ids; only for
	// CategoryAccessSpecific.
	Categories []int `json:"categories,omitempty"`
}

// UnmarshalJSON reads category ids sent as numbers or as strings.
func (c *CategoryAccess) UnmarshalJSON(b []byte) error {
	var w struct {
		Type       CategoryAccessType `json:"type"`
		Categories []flexInt          `json:"categories"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	c.Type = w.Type
	c.Categories = nil
	if w.Categories != nil {
		c.Categories = make([]int, len(w.Categories))
		for i, id := range w.Categories {
			c.Categories[i] = int(id)
		}
	}
	return nil
}

// DiscountRuleType says what a discount rule applies to.
type DiscountRuleType string

// The discount rule types.
const (
	// DiscountRuleAll applies storewide; a group has at most one.
	DiscountRuleAll DiscountRuleType = "all"
	// DiscountRuleProduct applies to DiscountRule.ProductID.
	DiscountRuleProduct DiscountRuleType = "product"
	// DiscountRuleCategory applies to DiscountRule.CategoryID and its
	// subcategories.
	DiscountRuleCategory DiscountRuleType = "category"
	// DiscountRulePriceList assigns DiscountRule.PriceListID; it must be
	// the group's only rule and has no method or amount.
	DiscountRulePriceList DiscountRuleType = "price_list"
)

// Valid reports whether t is one of the documented types.
func (t DiscountRuleType) Valid() bool {
	switch t {
	case DiscountRuleAll, DiscountRuleProduct, DiscountRuleCategory, DiscountRulePriceList:
		return true
	}
	return false
}

// UnmarshalJSON keeps a string and reads any other JSON value as "".
func (t *DiscountRuleType) UnmarshalJSON(b []byte) error {
	*t = DiscountRuleType(lenientString(b))
	return nil
}

// DiscountMethod says how a rule's Amount changes the price.
type DiscountMethod string

// The discount methods.
const (
	// DiscountPercent takes Amount percent off.
	DiscountPercent DiscountMethod = "percent"
	// DiscountFixed takes Amount off.
	DiscountFixed DiscountMethod = "fixed"
	// DiscountPrice sets the price to Amount.
	DiscountPrice DiscountMethod = "price"
)

// Valid reports whether m is one of the documented methods.
func (m DiscountMethod) Valid() bool {
	return m == DiscountPercent || m == DiscountFixed || m == DiscountPrice
}

// UnmarshalJSON keeps a string and reads any other JSON value (the API's
// reference shows "method": true) as "".
func (m *DiscountMethod) UnmarshalJSON(b []byte) error {
	*m = DiscountMethod(lenientString(b))
	return nil
}

// DiscountRule is one discount of a group. Which id is set depends on
// Type; price-list rules carry no Method or Amount.
type DiscountRule struct {
	Type        DiscountRuleType `json:"type"`
	Method      DiscountMethod   `json:"method,omitempty"`
	Amount      Amount           `json:"amount,omitempty"`
	ProductID   int              `json:"product_id,omitempty"`
	CategoryID  int              `json:"category_id,omitempty"`
	PriceListID int              `json:"price_list_id,omitempty"`
}

// UnmarshalJSON reads ids sent as numbers or as strings ("20") and
// amounts sent as numbers or strings.
func (r *DiscountRule) UnmarshalJSON(b []byte) error {
	var w struct {
		Type        DiscountRuleType `json:"type"`
		Method      DiscountMethod   `json:"method"`
		Amount      Amount           `json:"amount"`
		ProductID   flexInt          `json:"product_id"`
		CategoryID  flexInt          `json:"category_id"`
		PriceListID flexInt          `json:"price_list_id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = DiscountRule{
		Type: w.Type, Method: w.Method, Amount: w.Amount,
		ProductID: int(w.ProductID), CategoryID: int(w.CategoryID), PriceListID: int(w.PriceListID),
	}
	return nil
}

// CreateCustomerGroupRequest holds the writable fields of a new group.
type CreateCustomerGroupRequest struct {
	// Name is required and must be unique in the store.
	Name             string          `json:"name"`
	IsDefault        bool            `json:"is_default,omitempty"`
	CategoryAccess   *CategoryAccess `json:"category_access,omitempty"`
	DiscountRules    []DiscountRule  `json:"discount_rules,omitempty"`
	IsGroupForGuests bool            `json:"is_group_for_guests,omitempty"`
}

// UpdateCustomerGroupRequest holds the fields to change; a nil field is
// left as it is. Use Ptr for the pointer fields: Ptr(false) turns
// IsDefault off. DiscountRules replaces the group's whole set of rules
// when it is non-nil: an empty non-nil slice removes every rule.
type UpdateCustomerGroupRequest struct {
	Name             *string         `json:"name,omitempty"`
	IsDefault        *bool           `json:"is_default,omitempty"`
	CategoryAccess   *CategoryAccess `json:"category_access,omitempty"`
	DiscountRules    []DiscountRule  `json:"discount_rules,omitempty"`
	IsGroupForGuests *bool           `json:"is_group_for_guests,omitempty"`
}

// MarshalJSON sends exactly the fields that are set, with "discount_rules":
// [] for an empty non-nil DiscountRules.
func (r UpdateCustomerGroupRequest) MarshalJSON() ([]byte, error) {
	w := struct {
		Name             *string         `json:"name,omitempty"`
		IsDefault        *bool           `json:"is_default,omitempty"`
		CategoryAccess   *CategoryAccess `json:"category_access,omitempty"`
		DiscountRules    *[]DiscountRule `json:"discount_rules,omitempty"`
		IsGroupForGuests *bool           `json:"is_group_for_guests,omitempty"`
	}{Name: r.Name, IsDefault: r.IsDefault, CategoryAccess: r.CategoryAccess, IsGroupForGuests: r.IsGroupForGuests}
	if r.DiscountRules != nil {
		w.DiscountRules = &r.DiscountRules
	}
	return json.Marshal(w)
}

// ListOptions selects a page. Zero values leave the API's defaults (page
// 1, 50 groups); Limit may be at most 250.
type ListOptions struct {
	Page  int `url:"page,omitempty"`
	Limit int `url:"limit,omitempty"`
}

// CustomerGroupFilter narrows a list or a count. Zero fields send
// nothing; a non-nil *bool sends its value, false included.
type CustomerGroupFilter struct {
	// Name matches the name exactly.
	Name string `url:"name,omitempty"`
	// NameLike matches names containing it.
	NameLike         string `url:"name:like,omitempty"`
	IsDefault        *bool  `url:"is_default,omitempty"`
	IsGroupForGuests *bool  `url:"is_group_for_guests,omitempty"`
	// DateCreated and DateModified match exactly; the Min and Max fields
	// bound them inclusively. Times are sent in RFC 3339.
	DateCreated     time.Time `url:"date_created,omitempty"`
	DateCreatedMin  time.Time `url:"date_created:min,omitempty"`
	DateCreatedMax  time.Time `url:"date_created:max,omitempty"`
	DateModified    time.Time `url:"date_modified,omitempty"`
	DateModifiedMin time.Time `url:"date_modified:min,omitempty"`
	DateModifiedMax time.Time `url:"date_modified:max,omitempty"`
}

// ListCustomerGroupsOptions filters and pages a list.
type ListCustomerGroupsOptions struct {
	CustomerGroupFilter
	ListOptions
}

const groupsPath = "/customer_groups"

func groupPath(id int) string { return groupsPath + "/" + strconv.Itoa(id) }

// List returns one page of customer groups, sorted by id. A page past the
// end, or a filter that matches nothing, gives an empty list and no error
// (the API answers those with 204 and no body).
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#get-all-customer-groups
func (s *CustomerGroupsService) List(ctx context.Context, opts *ListCustomerGroupsOptions) ([]CustomerGroup, *Response, error) {
	if err := validateListOptions(opts); err != nil {
		return nil, nil, err
	}
	var groups []CustomerGroup
	cl := call{method: http.MethodGet, path: groupsPath, out: &groups, emptyOK: true}
	cl.decode = func(b []byte) error {
		if page, ok := decodeGroupsFast(b); ok {
			groups = page
			return nil
		}
		var page []wireGroup
		if err := json.Unmarshal(b, &page); err != nil {
			return err
		}
		groups = make([]CustomerGroup, len(page))
		for i := range page {
			groups[i] = page[i].group()
		}
		return nil
	}
	cl.check = func() error {
		for i := range groups {
			if groups[i].ID < 1 {
				return fmt.Errorf("element %d of the page is not a group with an id", i)
			}
		}
		return nil
	}
	if opts != nil {
		cl.query = opts
	}
	resp, err := s.client.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	if groups == nil {
		groups = []CustomerGroup{}
	}
	return groups, resp, nil
}

// Get returns the customer group with the given id. A missing group gives
// an error matching ErrNotFound.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#get-a-customer-group
func (s *CustomerGroupsService) Get(ctx context.Context, id int) (*CustomerGroup, *Response, error) {
	if err := validateID(id); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodGet, path: groupPath(id)})
}

// Count returns how many customer groups match the filter (nil counts
// all). The API documents no filters for count; the live API and the
// other v2 count endpoints apply them, so they are sent.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#get-a-count-of-customer-groups
func (s *CustomerGroupsService) Count(ctx context.Context, filter *CustomerGroupFilter) (int, *Response, error) {
	var out struct {
		Count flexInt `json:"count"`
	}
	cl := call{method: http.MethodGet, path: groupsPath + "/count", out: &out}
	if filter != nil {
		cl.query = filter
	}
	resp, err := s.client.do(ctx, cl)
	if err != nil {
		return 0, resp, err
	}
	return int(out.Count), resp, nil
}

// Create makes a customer group. The request is checked before it is sent
// and is never sent twice unless the first attempt provably did not reach
// the store (a 429, or a connection that could not be made), so a retry
// cannot create a duplicate. An error matching ErrPartialSuccess means the
// group was created but the sitewide discount update failed.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#create-a-customer-group
func (s *CustomerGroupsService) Create(ctx context.Context, req *CreateCustomerGroupRequest) (*CustomerGroup, *Response, error) {
	if err := validateCreate(req); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodPost, path: groupsPath, body: req, policy: retryCreate})
}

// Update changes the fields of req that are set. Sending DiscountRules
// replaces the group's whole set of rules. An error matching
// ErrPartialSuccess means the group was updated but the sitewide discount
// update failed; sending the same update again is safe.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#update-a-customer-group
func (s *CustomerGroupsService) Update(ctx context.Context, id int, req *UpdateCustomerGroupRequest) (*CustomerGroup, *Response, error) {
	if err := validateID(id); err != nil {
		return nil, nil, err
	}
	if err := validateUpdate(req); err != nil {
		return nil, nil, err
	}
	return s.one(ctx, call{method: http.MethodPut, path: groupPath(id), body: req})
}

// Delete removes the customer group with the given id; its customers are
// left in no group. A missing group gives an error matching ErrNotFound,
// except when a retry finds the group gone: then an earlier attempt whose
// answer was lost deleted it, and Delete reports success.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#delete-a-customer-group
func (s *CustomerGroupsService) Delete(ctx context.Context, id int) (*Response, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	return s.client.do(ctx, call{method: http.MethodDelete, path: groupPath(id), goneOK: true})
}

// DeleteAll deletes every customer group of the store, leaving all its
// customers in no group. It sends DELETE /customer_groups, which the API
// documented until BigCommerce dropped it from its reference in February
// 2024. It is never retried, not even after a 429, so that one call can
// never run twice; the caller decides whether to send it again.
func (s *CustomerGroupsService) DeleteAll(ctx context.Context) (*Response, error) {
	return s.client.do(ctx, call{method: http.MethodDelete, path: groupsPath, policy: retryNever})
}

func (s *CustomerGroupsService) one(ctx context.Context, cl call) (*CustomerGroup, *Response, error) {
	g := new(CustomerGroup)
	cl.out = g
	cl.decode = func(b []byte) error {
		if decodeGroupFast(b, g) {
			return nil
		}
		var w wireGroup
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		*g = w.group()
		return nil
	}
	cl.check = func() error {
		if g.ID < 1 {
			return errors.New("the body is not a group with an id")
		}
		return nil
	}
	resp, err := s.client.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	return g, resp, nil
}

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
