package main

import (
	"fmt"
	"io"
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
}

func newProgress(w io.Writer, total int) *progress {
	if total < 1 {
		return nil // nothing to count
	}
	p := &progress{w: w, pages: (total + pageSize - 1) / pageSize}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.describe(1)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("groups"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetRenderBlankState(true),
		// Redrawn for every group, the bar would write more to the
		// terminal than export writes to its file.
		progressbar.OptionThrottle(100*time.Millisecond),
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
	if n%pageSize == 1 {
		p.bar.Describe(p.describe(min(n/pageSize+1, p.pages)))
	}
	// The store may have grown since it was counted.
	if n > p.bar.GetMax() {
		p.bar.ChangeMax(n)
	}
	p.bar.Set(n)
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.bar.Finish()
}

// stop leaves the bar where it is, on its own line, before an error.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.bar.Exit()
	fmt.Fprintln(p.w)
}
