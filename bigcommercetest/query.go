package bigcommercetest

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	defaultLimit = 50
	maxLimit     = 250
)

// span is a half-open interval of time; a zero end leaves that side open.
type span struct{ from, to time.Time }

func (s span) contains(t time.Time) bool {
	return (s.from.IsZero() || !t.Before(s.from)) && (s.to.IsZero() || t.Before(s.to))
}

// narrow keeps the part of s inside [from, to); zero ends leave s alone.
func (s *span) narrow(from, to time.Time) {
	if !from.IsZero() && from.After(s.from) {
		s.from = from
	}
	if !to.IsZero() && (s.to.IsZero() || to.Before(s.to)) {
		s.to = to
	}
}

type filter struct {
	name              *string
	nameLike          *string
	isDefault         *bool
	isGroupForGuests  *bool
	created, modified span
}

func (f filter) match(g Group) bool {
	return (f.name == nil || g.Name == *f.name) &&
		(f.nameLike == nil || strings.Contains(strings.ToLower(g.Name), *f.nameLike)) &&
		(f.isDefault == nil || g.IsDefault == *f.isDefault) &&
		(f.isGroupForGuests == nil || g.IsGroupForGuests == *f.isGroupForGuests) &&
		f.created.contains(g.DateCreated) &&
		f.modified.contains(g.DateModified)
}

// parseFilter reads the list and count filters. Parameters it does not know
// are ignored, as the API ignores them.
func parseFilter(q url.Values) (filter, *apiError) {
	var f filter
	if q.Has("name") {
		v := q.Get("name")
		f.name = &v
	}
	if q.Has("name:like") {
		v := strings.ToLower(q.Get("name:like"))
		f.nameLike = &v
	}
	bools := []struct {
		key string
		dst **bool
	}{{"is_default", &f.isDefault}, {"is_group_for_guests", &f.isGroupForGuests}}
	for _, b := range bools {
		if !q.Has(b.key) {
			continue
		}
		v, ok := parseBool(q.Get(b.key))
		if !ok {
			return f, badRequest("%s must be true or false (in any case), 1 or 0, got %q", b.key, q.Get(b.key))
		}
		*b.dst = &v
	}
	dates := []struct {
		field string
		dst   *span
	}{{"date_created", &f.created}, {"date_modified", &f.modified}}
	for _, d := range dates {
		for _, suffix := range []string{"", ":min", ":max"} {
			key := d.field + suffix
			if !q.Has(key) {
				continue
			}
			from, to, ok := parseFilterTime(q.Get(key))
			if !ok {
				return f, badRequest("%s must be a date such as 2018-09-05 or 2018-09-05T13:43:54Z, got %q", key, q.Get(key))
			}
			// Bounds are inclusive at the precision given: max=2018-09-10
			// still matches a group created late on the 10th.
			switch suffix {
			case ":min":
				d.dst.narrow(from, time.Time{})
			case ":max":
				d.dst.narrow(time.Time{}, to)
			default:
				d.dst.narrow(from, to)
			}
		}
	}
	return f, nil
}

// parseBool reads a boolean filter as clients spell it: true and false in
// any case (Python's official client sends True and False), 1 and 0.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// parsePage reads page and limit.
func parsePage(q url.Values) (page, limit int, err *apiError) {
	page, limit = 1, defaultLimit
	params := []struct {
		key string
		dst *int
	}{{"page", &page}, {"limit", &limit}}
	for _, p := range params {
		if !q.Has(p.key) {
			continue
		}
		n, convErr := strconv.Atoi(q.Get(p.key))
		if convErr != nil || n < 1 {
			return 0, 0, badRequest("%s must be a whole number of at least 1, got %q", p.key, q.Get(p.key))
		}
		*p.dst = n
	}
	if limit > maxLimit {
		return 0, 0, &apiError{
			Status:  413,
			Message: "The specified limit exceeds the maximum allowed.",
			Details: map[string]any{"max_limit": maxLimit},
		}
	}
	return page, limit, nil
}
