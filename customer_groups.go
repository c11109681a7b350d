package bigcommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
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

// UnmarshalJSON reads a group in the API's format, with every date format
// and quirk the API has shown, as well as what encoding/json writes for a
// CustomerGroup (RFC 3339 dates).
func (g *CustomerGroup) UnmarshalJSON(b []byte) error {
	var w wireGroup
	if err := unmarshal(b, &w); err != nil {
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
func (t CategoryAccessType) Valid() bool { return categoryAccessTypes.valid(t) }

// UnmarshalJSON keeps a string and reads any other JSON value as "".
func (t *CategoryAccessType) UnmarshalJSON(b []byte) error { return unmarshalEnum(b, t) }

// CategoryAccess is a group's category visibility.
type CategoryAccess struct {
	Type CategoryAccessType `json:"type"`
	// Categories are the visible category ids; only for
	// CategoryAccessSpecific.
	Categories []int `json:"categories,omitempty"`
}

// UnmarshalJSON reads category ids sent as numbers or as strings.
func (c *CategoryAccess) UnmarshalJSON(b []byte) error {
	var w wireAccess
	if err := unmarshal(b, &w); err != nil {
		return err
	}
	*c = w.access()
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
func (t DiscountRuleType) Valid() bool { return discountRuleTypes.valid(t) }

// UnmarshalJSON keeps a string and reads any other JSON value as "".
func (t *DiscountRuleType) UnmarshalJSON(b []byte) error { return unmarshalEnum(b, t) }

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
func (m DiscountMethod) Valid() bool { return discountMethods.valid(m) }

// UnmarshalJSON keeps a string and reads any other JSON value (the API's
// reference shows "method": true) as "".
func (m *DiscountMethod) UnmarshalJSON(b []byte) error { return unmarshalEnum(b, m) }

// enum is the documented values of one enum type, in the order the
// validation messages list them.
type enum[T ~string] []T

func (e enum[T]) valid(v T) bool {
	for _, d := range e {
		if v == d {
			return true
		}
	}
	return false
}

// String lists the values for a validation message: "all, specific, none".
func (e enum[T]) String() string {
	s := make([]string, len(e))
	for i, v := range e {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// The documented values of each enum, in the order validation messages
// list them.
var (
	categoryAccessTypes = enum[CategoryAccessType]{CategoryAccessAll, CategoryAccessSpecific, CategoryAccessNone}
	discountRuleTypes   = enum[DiscountRuleType]{DiscountRuleAll, DiscountRuleProduct, DiscountRuleCategory, DiscountRulePriceList}
	discountMethods     = enum[DiscountMethod]{DiscountPercent, DiscountFixed, DiscountPrice}
)

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
	var w wireRule
	if err := unmarshal(b, &w); err != nil {
		return err
	}
	*r = w.rule()
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
	// Name matches the name exactly, case included. The store refuses a
	// second group whose name differs only in case, so a lookup by Name
	// that finds nothing does not mean a create of that name will succeed:
	// use CustomerGroupsService.FindByName to find a group as the store
	// compares names.
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
	var groups []CustomerGroup
	cl := call{op: "CustomerGroups.List", invalid: validateListOptions(opts), method: http.MethodGet, path: groupsPath, out: &groups, emptyOK: true}
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
	return s.one(ctx, call{op: "CustomerGroups.Get", invalid: validateID(id), method: http.MethodGet, path: groupPath(id)})
}

// NameKey is a group name as the store compares names: with the spaces
// around it trimmed, as the store trims a name before saving it, and with
// case ignored as strings.EqualFold ignores it, as the store does when it
// refuses a second group of the same name. Two names are the same group's
// name exactly when their keys are equal, so the key can index a map of
// groups by name. It is for comparing only: show and send the name itself.
//
// Each rune of the key is the smallest rune of its case-folding orbit
// (unicode.SimpleFold), which is what makes equal keys agree with
// strings.EqualFold on the trimmed names.
func NameKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range strings.TrimSpace(name) {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// FindByName returns the customer group that the store considers to have
// the given name: the same name once trimmed and with case ignored, as
// NameKey compares names and the store does when it refuses a duplicate. It costs one request unless many groups
// contain the name. When no group has the name, the error is a
// *NameNotFoundError, which matches ErrNotFound.
//
// A program that finds or creates a group should look it up with
// FindByName rather than List with Name, which matches case exactly: a
// lookup of "Wholesale" would miss "wholesale", and the create that follows
// would fail with ErrConflict.
func (s *CustomerGroupsService) FindByName(ctx context.Context, name string) (*CustomerGroup, *Response, error) {
	// The store trims a name before it saves it, so a name with spaces
	// around it is looked up as the store would save it.
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, nil, invalidf("name", "must not be blank")
	}
	key := NameKey(name)
	// name:like narrows the walk to the groups containing the name in any
	// case; the comparison below then keeps the one the store means.
	opts := &ListCustomerGroupsOptions{
		CustomerGroupFilter: CustomerGroupFilter{NameLike: name},
		ListOptions:         ListOptions{Page: 1, Limit: maxLimit},
	}
	for {
		page, resp, err := s.List(ctx, opts)
		if err != nil {
			return nil, resp, err
		}
		// An exact match wins over one that differs in case, in a store
		// that was allowed duplicates.
		found := -1
		for i := range page {
			if page[i].Name == name {
				found = i
				break
			}
			if found < 0 && NameKey(page[i].Name) == key {
				found = i
			}
		}
		if found >= 0 {
			g := page[found]
			return &g, resp, nil
		}
		if len(page) < opts.Limit {
			return nil, resp, &NameNotFoundError{Name: name}
		}
		opts.Page++
	}
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
	cl := call{op: "CustomerGroups.Count", method: http.MethodGet, path: groupsPath + "/count", out: &out}
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
	return s.one(ctx, call{op: "CustomerGroups.Create", invalid: validateCreate(req), method: http.MethodPost, path: groupsPath, body: req, policy: retryCreate})
}

// Update changes the fields of req that are set. Sending DiscountRules
// replaces the group's whole set of rules. An error matching
// ErrPartialSuccess means the group was updated but the sitewide discount
// update failed; sending the same update again is safe.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#update-a-customer-group
func (s *CustomerGroupsService) Update(ctx context.Context, id int, req *UpdateCustomerGroupRequest) (*CustomerGroup, *Response, error) {
	invalid := validateID(id)
	if invalid == nil {
		invalid = validateUpdate(req)
	}
	return s.one(ctx, call{op: "CustomerGroups.Update", invalid: invalid, method: http.MethodPut, path: groupPath(id), body: req})
}

// Delete removes the customer group with the given id; its customers are
// left in no group. A missing group gives an error matching ErrNotFound,
// except when a retry finds the group gone: then an earlier attempt whose
// answer was lost deleted it, and Delete reports success.
//
// BigCommerce API docs: https://developer.bigcommerce.com/docs/rest-management/customers-v2/customer-groups#delete-a-customer-group
func (s *CustomerGroupsService) Delete(ctx context.Context, id int) (*Response, error) {
	return s.client.do(ctx, call{op: "CustomerGroups.Delete", invalid: validateID(id), method: http.MethodDelete, path: groupPath(id), goneOK: true})
}

// DeleteAll deletes every customer group of the store, leaving all its
// customers in no group. It sends DELETE /customer_groups, which the API
// documented until BigCommerce dropped it from its reference in February
// 2024. It is never retried, not even after a 429, so that one call can
// never run twice; the caller decides whether to send it again.
func (s *CustomerGroupsService) DeleteAll(ctx context.Context) (*Response, error) {
	return s.client.do(ctx, call{op: "CustomerGroups.DeleteAll", method: http.MethodDelete, path: groupsPath, policy: retryNever})
}

func (s *CustomerGroupsService) one(ctx context.Context, cl call) (*CustomerGroup, *Response, error) {
	g := new(CustomerGroup)
	cl.out = g
	resp, err := s.client.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	return g, resp, nil
}
