package bigcommerce

import (
	"context"
	"fmt"
	"iter"
)

// All walks every customer group that matches opts, page by page, keeping
// only one page in memory. Pages hold 250 groups unless opts.Limit says
// otherwise, and the walk starts at opts.Page (or the first page); opts
// itself is never changed.
//
// The API pages by offset, so a group created or deleted during the walk
// shifts later pages. All never yields the same group twice: since pages
// are sorted by id, it skips any id at or below the last one it yielded.
// A group deleted during the walk may still shift one that was not yet
// reached onto a page already read; walk again for a consistent snapshot.
//
// On an error, All yields it once, with a zero CustomerGroup, and stops.
// Breaking out of the loop stops the walk without fetching more. Once ctx
// is cancelled, the next step yields ctx's error and stops, even in the
// middle of a page already fetched.
//
//	for g, err := range client.CustomerGroups.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(g.ID, g.Name)
//	}
func (s *CustomerGroupsService) All(ctx context.Context, opts *ListCustomerGroupsOptions) iter.Seq2[CustomerGroup, error] {
	var o ListCustomerGroupsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = maxLimit
	}
	if o.Page == 0 {
		o.Page = 1
	}
	return func(yield func(CustomerGroup, error) bool) {
		// Each walk pages its own copy, so one iterator can be ranged over
		// more than once.
		o := o
		lastID := 0
		for {
			page, _, err := s.List(ctx, &o)
			if err != nil {
				yield(CustomerGroup{}, err)
				return
			}
			fresh := 0
			for i := range page {
				if page[i].ID <= lastID {
					continue
				}
				if err := ctx.Err(); err != nil {
					yield(CustomerGroup{}, err)
					return
				}
				lastID = page[i].ID
				fresh++
				if !yield(page[i], nil) {
					return
				}
			}
			if len(page) < o.Limit {
				return
			}
			if fresh == 0 {
				// Ids only grow from page to page, so a full page of ids
				// already seen means the server ignores the page number;
				// asking for the next one would loop for ever.
				yield(CustomerGroup{}, fmt.Errorf("bigcommerce: page %d held only groups already seen; the server is not paging, so the walk is incomplete", o.Page))
				return
			}
			o.Page++
		}
	}
}
