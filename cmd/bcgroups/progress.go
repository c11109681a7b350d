package main

import (
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// pageSize is how many groups All fetches per request, the SDK's largest
// page, which is how the bar counts pages.
const pageSize = bigcommerce.MaxPageSize

// progress is export's bar on standard error. A nil *progress draws
// nothing, which is what export uses when standard error is not a
// terminal.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	pages int

	mu      sync.Mutex
	page    int  // the page being fetched, from 1
	moved   bool // add was called since the last tick of watch
	waiting bool // the description says the bar waits for the rate limit
	ended   bool // finish or stop was called
}

func newProgress(w io.Writer, total int) *progress {
	// Redrawn for every group, the bar would write more to the terminal
	// than export writes to its file.
	return newProgressThrottled(w, total, 100*time.Millisecond)
}

// newProgressThrottled draws at most once per throttle, except for the
// last redraw. Tests that drive the bar step by step use 0.
func newProgressThrottled(w io.Writer, total int, throttle time.Duration) *progress {
	if total < 1 {
		return nil // nothing to count
	}
	p := &progress{w: w, pages: (total + pageSize - 1) / pageSize, page: 1}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.describe(1)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("groups"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

func (p *progress) describe(page int) string {
	return fmt.Sprintf("exporting groups, page %d/%d", page, p.pages)
}

// add records that n groups have been written.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.moved = true
	page := min(n/pageSize+1, p.pages)
	if n%pageSize == 1 || p.waiting {
		p.page, p.waiting = page, false
		p.bar.Describe(p.describe(page))
	}
	p.mu.Unlock()
	// The store may have grown since it was counted.
	if n > p.bar.GetMax() {
		p.bar.ChangeMax(n)
	}
	p.bar.Set(n)
}

// rateWatchInterval is how often watch looks at the store's quota.
const rateWatchInterval = 500 * time.Millisecond

// watch keeps the bar honest while the SDK holds requests back for the
// store's rate limit. A bar that stands still looks like a hung program,
// so at each tick with no progress since the last one, when rate says the
// quota is spent, the description becomes "waiting for the store's rate
// limit, Ns". The next group puts the page count back. watch returns when
// done is closed.
func (p *progress) watch(rate func() bigcommerce.Rate, ticks <-chan time.Time, done <-chan struct{}) {
	if p == nil {
		return
	}
	for {
		select {
		case <-done:
			return
		case <-ticks:
			p.tick(rate())
		}
	}
}

// tick is one look at the quota: the bar says it waits when it has not
// moved since the last tick and the quota is spent.
func (p *progress) tick(r bigcommerce.Rate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ended && !p.moved && r.Remaining == 0 && r.ResetIn > 0 {
		p.waiting = true
		p.bar.Describe(fmt.Sprintf("waiting for the store's rate limit, %ds", int(math.Ceil(r.ResetIn.Seconds()))))
	}
	p.moved = false
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.end()
	p.bar.Finish()
}

// stop leaves the bar where it is, on its own line, before an error.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.end()
	p.bar.Exit()
	fmt.Fprintln(p.w)
}

// end marks the bar done, so that watch no longer redraws it.
func (p *progress) end() {
	p.mu.Lock()
	p.ended = true
	p.mu.Unlock()
}
