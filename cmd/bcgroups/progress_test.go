package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func TestTheProgressBarSaysWhenItWaitsForTheRateLimit(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	bar := newProgressThrottled(&out, 600, 0)
	left := bigcommerce.Rate{Quota: 150, Remaining: 10, ResetIn: 20 * time.Second}
	spent := bigcommerce.Rate{Quota: 150, Remaining: 0, ResetIn: 2300 * time.Millisecond}

	bar.add(1)
	bar.tick(left)
	bar.tick(left) // still, but with quota left: no note
	if strings.Contains(out.String(), "waiting") {
		t.Fatalf("the bar says it waits while quota is left: %q", out.String())
	}
	bar.add(2)
	bar.tick(spent) // moved since the last tick: no note yet
	if strings.Contains(out.String(), "waiting") {
		t.Fatalf("the bar says it waits while it moves: %q", out.String())
	}
	bar.tick(spent)
	if !strings.Contains(out.String(), "waiting for the store's rate limit, 3s") {
		t.Fatalf("a still bar with the quota spent shows %q, want the wait", out.String())
	}
	bar.add(3)
	s := out.String()
	if last := s[strings.LastIndex(s, "\r")+1:]; !strings.Contains(last, "exporting groups, page 1/3") {
		t.Errorf("after the wait the bar shows %q, want the page count back", last)
	}
	bar.finish()
	bar.tick(spent)
	if strings.Count(out.String(), "waiting") != 1 {
		t.Error("the bar changed after it finished")
	}
}

// TestWatchStopsWhenTold: watch redraws the bar at each tick until done
// is closed, and then returns, which export waits for before it prints
// its last line.
func TestWatchStopsWhenTold(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	bar := newProgressThrottled(&out, 10, 0)
	ticks := make(chan time.Time)
	done := make(chan struct{})
	watched := make(chan struct{})
	spent := bigcommerce.Rate{Quota: 150, Remaining: 0, ResetIn: 4 * time.Second}
	go func() {
		defer close(watched)
		bar.watch(func() bigcommerce.Rate { return spent }, ticks, done)
	}()
	ticks <- time.Time{} // received: watch is looking at the quota
	close(done)
	select {
	case <-watched:
	case <-time.After(ptyTimeout):
		t.Fatalf("watch did not return within %v of done", ptyTimeout)
	}
	// watch returned, so the tick it received was handled in full.
	if !strings.Contains(out.String(), "waiting for the store's rate limit, 4s") {
		t.Errorf("the bar shows %q, want the tick that watch received drawn", out.String())
	}
}

// TestExportSaysWhenTheStoresRateLimitHoldsItBack runs a real export
// against a store whose quota runs out, so it waits about one 2s window:
// a timing-bound test.
func TestExportSaysWhenTheStoresRateLimitHoldsItBack(t *testing.T) {
	t.Parallel()
	srv := newStore(t, bigcommercetest.WithRateLimit(2, 2*time.Second))
	srv.Seed(600)
	path := filepath.Join(t.TempDir(), "groups.json")
	r := cli{srv: srv, errTTY: true, sdk: []bigcommerce.Option{bigcommerce.WithMaxRateLimitWait(10 * time.Second)}}.run(t, "export", "--file", path)
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "waiting for the store's rate limit, ") || !strings.Contains(r.stderr, "608/608") {
		t.Errorf("stderr:\n%q\nwant the bar to say it waits for the rate limit", r.stderr)
	}
}
