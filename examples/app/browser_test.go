package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// requireChromiumEnv turns a missing Chromium from a skip into a failure,
// as CI=true does.
const requireChromiumEnv = "BIGCOMMERCE_REQUIRE_CHROMIUM"

// browserDeadline bounds each browser test, so that a hang fails the test
// instead of stalling the run; a run takes a few seconds.
const browserDeadline = 2 * time.Minute

// stepTimeout bounds one step, such as a click whose button is missing,
// so that the failure names the step.
const stepTimeout = 30 * time.Second

// chromium finds the browser, or skips the test where it is absent, or
// fails it where the browser tests are required.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "Chromium is not installed (apt-get install chromium); the browser tests need it"
	if os.Getenv("CI") == "true" || os.Getenv(requireChromiumEnv) == "1" {
		t.Fatalf("%s (it is required here: CI=true or %s=1)", msg, requireChromiumEnv)
	}
	t.Skip(msg)
	return ""
}

// browser is a headless Chromium with one tab, closed when the test ends.
type browser struct {
	t    *testing.T
	ctx  context.Context // the tab's, with the test's deadline
	seen map[target.ID]bool
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// The network is closed here: Chromium's own connections (QUIC
		// probes, updates, sync) would only fail, noisily.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := context.WithTimeout(context.Background(), browserDeadline)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelTab)
	return &browser{t: t, ctx: ctx, seen: map[target.ID]bool{}}
}

// open navigates the tab and returns the status and the text of the page.
func (b *browser) open(url string) (int, string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.t.Fatalf("opening %s: %v", strings.Split(url, "?")[0], err)
	}
	return int(resp.Status), b.text(b.ctx, "body")
}

func (b *browser) text(ctx context.Context, css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", css, err)
	}
	return text
}

func (b *browser) html(ctx context.Context, css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("reading the HTML of %s: %v", css, err)
	}
	return html
}

// click clicks a button of the control panel, for a store, and waits for
// the panel's answer.
func (b *browser) click(action, store string) string {
	b.t.Helper()
	button := `form[action="/manage/` + action + `"]:has(input[name=store][value="` + store + `"]) button`
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil || resp.Status != http.StatusOK {
		b.t.Fatalf("clicking %s for store %s: %v, %v", action, store, resp, err)
	}
	return b.text(b.ctx, "[role=status]")
}

// appFrame waits for the control panel's frame to show the app's page, a
// frame not seen before on the app's own site (another site than the
// panel's, so Chromium runs it as a target of its own), and returns a
// context in it.
func (b *browser) appFrame(appURL string) context.Context {
	b.t.Helper()
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.t.Fatalf("listing the browser's targets: %v", err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && !b.seen[info.TargetID] && strings.HasPrefix(info.URL, appURL+"/?"+bcapp.SessionParam+"=") {
				b.seen[info.TargetID] = true
				ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(info.TargetID))
				b.t.Cleanup(cancel)
				// The first action attaches to the frame for as long as
				// its context lives: this one, not a step's shorter one.
				if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					b.t.Fatalf("attaching to the app's frame: %v", err)
				}
				return ctx
			}
		}
		select {
		case <-b.ctx.Done():
			b.t.Fatalf("the control panel's frame never showed the app's page: %v\n%s", b.ctx.Err(), b.text(context.Background(), "body"))
		case <-time.After(wait):
		}
	}
}

// startApp is the app on a fake platform of two stores, each with a group
// of its own whose name is markup.
func startApp(t *testing.T) *bcapptest.Platform {
	t.Helper()
	p := bcapptest.New(t, bcapptest.Stores("abc", "def"))
	app, err := bcapp.New(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	p.Serve(routes(app))
	for _, store := range p.Stores() {
		store.Add(bigcommercetest.Group{Name: `<img src=x alt="` + store.StoreHash + `">` + store.StoreHash + " only"})
	}
	return p
}

// TestBrowserInstallOpenCreateUninstall drives the fake control panel in
// Chromium as a merchant does, with the app framed from another site:
// Install and Open on two stores, each page showing its own store's groups
// only, as text; a group created through the form inside the frame, which
// lands in the store; then Uninstall, after which the app no longer opens
// on that store and its token is gone.
func TestBrowserInstallOpenCreateUninstall(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startApp(t)
	if status, panel := b.open(p.ControlPanelURL()); status != http.StatusOK || !strings.Contains(panel, "not installed") {
		t.Fatalf("the control panel: %d\n%s", status, panel)
	}
	var page context.Context // the app's page in the panel's frame: def's, in the end
	for _, stores := range [][2]string{{"abc", "def"}, {"def", "abc"}} {
		store, other := stores[0], stores[1]
		b.click("install", store)
		if list := b.text(b.appFrame(p.URL), "ul"); !strings.Contains(list, store+" only") {
			t.Errorf("after the install on %s, the frame shows %q", store, list)
		}
		// The panel, reloaded as a merchant comes back to it, offers Open.
		b.open(p.ControlPanelURL())
		b.click("load", store)
		page = b.appFrame(p.URL)
		list := b.text(page, "ul")
		if !strings.Contains(list, `<img src=x alt="`+store+`">`+store+" only") || strings.Contains(list, other) {
			t.Errorf("the page of %s lists %q", store, list)
		}
		// The DOM holds the store's markup as text, not as an element.
		if html := b.html(page, "ul"); strings.Contains(html, "<img") || !strings.Contains(html, "&lt;img") {
			t.Errorf("the page of %s holds the store's markup as an element: %s", store, html)
		}
	}

	// The form inside the frame, in the browser: the group lands in the store.
	if err := chromedp.Do(page, chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Made in Chromium & <b>")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(page, chromedp.Click(chromedp.CSS("button"))); err != nil {
		t.Fatal(err)
	}
	if list := b.text(page, "ul"); !strings.Contains(list, "Made in Chromium & <b>") {
		t.Errorf("after the form, the page lists %q", list)
	}
	store, _ := p.Store("def")
	if !slices.ContainsFunc(store.Groups(), func(g bigcommercetest.Group) bool { return g.Name == "Made in Chromium & <b>" }) {
		t.Errorf("the store's groups after the form: %+v", store.Groups())
	}

	// Uninstall from the panel: the load is refused, the token is gone.
	if notice := b.click("uninstall", "def"); !strings.Contains(notice, "Uninstalled") {
		t.Errorf("the panel says %q", notice)
	}
	if p.HasToken("def") || !p.HasToken("abc") {
		t.Errorf("after uninstalling from def, the app holds a token for def: %v, for abc: %v", p.HasToken("def"), p.HasToken("abc"))
	}
	load, err := p.LoadURL(p.App.ClientID, "def")
	if err != nil {
		t.Fatal(err)
	}
	if status, text := b.open(load); status != http.StatusNotFound || !strings.Contains(text, "does not have the app installed") {
		t.Errorf("a load after the uninstall: %d %q", status, text)
	}
}

// TestBrowserRefusesForgedAndExpiredPayloads: Chromium opening the app's
// load callback with a payload that is forged or expired gets the app's
// refusal, not its page; the same load, signed as BigCommerce signs it,
// opens the page.
func TestBrowserRefusesForgedAndExpiredPayloads(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startApp(t)
	p.Install("abc")
	for _, flaw := range []bigcommercetest.Flaw{bigcommercetest.Forged, bigcommercetest.Expired} {
		load, err := p.LoadURL(p.App.ClientID, "abc", flaw)
		if err != nil {
			t.Fatal(err)
		}
		if status, text := b.open(load); status != http.StatusUnauthorized || !strings.Contains(text, "not signed by BigCommerce") || strings.Contains(text, "abc only") {
			t.Errorf("a %s payload: %d %q", flaw, status, text)
		}
	}
	load, err := p.LoadURL(p.App.ClientID, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if status, text := b.open(load); status != http.StatusOK || !strings.Contains(text, "abc only") {
		t.Errorf("a good payload: %d %q", status, text)
	}
}
