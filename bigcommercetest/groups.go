package bigcommercetest

import (
	"fmt"
	"slices"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// Group is a customer group as the fake stores it. It is the fake's own type,
// separate from the SDK's, so that a mistake in one is not copied into the
// other.
type Group struct {
	ID               int
	Name             string
	IsDefault        bool
	IsGroupForGuests bool
	CategoryAccess   CategoryAccess
	DiscountRules    []DiscountRule
	DateCreated      time.Time
	DateModified     time.Time
}

// CategoryAccess says which categories a group's customers may see. Type is
// "all", "specific" or "none"; Categories matters only for "specific".
type CategoryAccess struct {
	Type       string
	Categories []int
}

// DiscountRule is one discount of a group. Type is "all", "product",
// "category" or "price_list"; Method is "percent", "fixed" or "price" (unused
// by price_list rules). Amount holds the exact decimal with four places, as
// the API returns it ("5.0000"). Only the id that matches Type is meaningful.
type DiscountRule struct {
	Type        string
	Method      string
	Amount      string
	ProductID   int
	CategoryID  int
	PriceListID int
}

func (g Group) clone() Group {
	g.CategoryAccess.Categories = slices.Clone(g.CategoryAccess.Categories)
	g.DiscountRules = slices.Clone(g.DiscountRules)
	return g
}

// now is the clock of stored dates: the wire format has whole seconds, so
// keeping more would make date filters disagree with what clients saw.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Second)
}

// Seed adds n sample groups with distinct names, a mix of discount rules and
// category access, and dates spread over the last n hours, and returns them.
func (s *Server) Seed(n int) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seedLocked(n)
}

var sampleKinds = []string{"Wholesale", "Retail", "VIP", "Trade", "Staff", "Education", "Nonprofit", "Distributor"}

func (s *Server) seedLocked(n int) []Group {
	t := now()
	out := make([]Group, 0, n)
	for i := range n {
		id := s.nextID
		g := Group{
			Name:           fmt.Sprintf("%s %03d", sampleKinds[(id-1)%len(sampleKinds)], id),
			CategoryAccess: CategoryAccess{Type: "all"},
			DateCreated:    t.Add(-time.Duration(n-i) * time.Hour),
		}
		g.DateModified = g.DateCreated.Add(30 * time.Minute)
		if id%3 == 0 {
			g.CategoryAccess = CategoryAccess{Type: "specific", Categories: []int{18, 19 + id%5}}
		}
		switch id % 4 {
		case 1:
			g.DiscountRules = []DiscountRule{{Type: "all", Method: "percent", Amount: "5.0000"}}
		case 2:
			g.DiscountRules = []DiscountRule{
				{Type: "product", Method: "fixed", Amount: "2.5000", ProductID: 100 + id},
				{Type: "category", Method: "percent", Amount: "10.0000", CategoryID: 20 + id%5},
			}
		case 3:
			g.DiscountRules = []DiscountRule{{Type: "price_list", PriceListID: 1 + id%3}}
		}
		out = append(out, s.addLocked(g).clone())
	}
	return out
}

// Add stores g under a fresh id (g.ID is ignored) and returns what was
// stored. Zero dates become now, an empty category access type becomes "all",
// and amounts are normalised to four decimals; Add panics on an amount that
// is not a decimal number with at most four places, since that is a mistake
// in the test. Unlike the API, Add checks nothing else, so tests can set up
// states a client should survive.
func (s *Server) Add(g Group) Group {
	g = g.clone()
	for i, r := range g.DiscountRules {
		if r.Type == "price_list" && r.Amount == "" {
			continue
		}
		a, err := normaliseAmount(r.Amount)
		if err != nil {
			panic(fmt.Sprintf("bigcommercetest: Add: discount rule %d: %v", i, err))
		}
		g.DiscountRules[i].Amount = a
	}
	if g.CategoryAccess.Type == "" {
		g.CategoryAccess.Type = "all"
	}
	t := now()
	if g.DateCreated.IsZero() {
		g.DateCreated = t
	}
	if g.DateModified.IsZero() {
		g.DateModified = g.DateCreated
	}
	g.DateCreated = g.DateCreated.UTC().Truncate(time.Second)
	g.DateModified = g.DateModified.UTC().Truncate(time.Second)

	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(g).clone()
}

func (s *Server) addLocked(g Group) Group {
	g.ID = s.nextID
	s.nextID++
	if g.IsGroupForGuests {
		s.takeGuestFlagLocked(g.ID, g.DateCreated)
	}
	s.groups = append(s.groups, g)
	return g
}

// takeGuestFlagLocked clears is_group_for_guests on every group but id: the
// store has one guest group at a time, and choosing a new one replaces the
// old one, as in the control panel. The old group counts as modified so that
// clients syncing by date_modified notice.
func (s *Server) takeGuestFlagLocked(id int, at time.Time) {
	for i := range s.groups {
		if s.groups[i].ID != id && s.groups[i].IsGroupForGuests {
			s.groups[i].IsGroupForGuests = false
			s.groups[i].DateModified = at
		}
	}
}

// Groups returns a copy of every stored group, sorted by id.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, len(s.groups))
	for i, g := range s.groups {
		out[i] = g.clone()
	}
	return out
}

// Group returns a copy of the group with the given id.
func (s *Server) Group(id int) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.indexLocked(id)
	if !ok {
		return Group{}, false
	}
	return s.groups[i].clone(), true
}

// indexLocked finds a group by binary search: ids only grow, so appending
// keeps s.groups sorted by id.
func (s *Server) indexLocked(id int) (int, bool) {
	return slices.BinarySearchFunc(s.groups, id, func(g Group, id int) int { return g.ID - id })
}

// nameTakenLocked reports whether a group other than self already has name,
// compared as the SDK's NameKey says the store compares names.
func (s *Server) nameTakenLocked(name string, self int) bool {
	for _, g := range s.groups {
		if g.ID != self && bigcommerce.NameKey(g.Name) == bigcommerce.NameKey(name) {
			return true
		}
	}
	return false
}
