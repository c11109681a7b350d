package bigcommercetest_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

var iframeSrc = regexp.MustCompile(`<iframe src="([^"]+)"`)

// act posts a control panel action, as its buttons do, and returns the
// page and the URL it frames, if any.
func act(t *testing.T, p *bigcommercetest.Platform, action, clientID, store string, header ...string) (*http.Response, string, string) {
	t.Helper()
	form := url.Values{"client_id": {clientID}, "store": {store}}
	req, _ := http.NewRequest(http.MethodPost, p.ControlPanelURL()+"/"+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	frame := ""
	if m := iframeSrc.FindSubmatch(b); m != nil {
		frame = html.UnescapeString(string(m[1]))
	}
	return resp, string(b), frame
}

// TestControlPanelClickThrough drives the panel as a developer's clicks
// would: install (the frame runs the app's auth callback, which exchanges
// the code), open, remove a user, uninstall.
func TestControlPanelClickThrough(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p, bigcommercetest.WithSeed(4))
	a := newTestApp(t, p)

	resp, page := get(t, http.DefaultClient, p.ControlPanelURL())
	if resp.StatusCode != 200 || !strings.Contains(page, store.StoreHash) || !strings.Contains(page, "Test app") || !strings.Contains(page, "not installed") {
		t.Fatalf("panel %d: want the store, the app and its state:\n%s", resp.StatusCode, page)
	}
	for header, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "frame-ancestors 'none'",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s %q, want %q", header, got, want)
		}
	}

	resp, page, frame := act(t, p, "install", a.ClientID, store.StoreHash)
	if resp.StatusCode != 200 || !strings.HasPrefix(frame, a.AuthCallbackURL+"?") {
		t.Fatalf("install: %d, frame %q; want the app's auth callback framed:\n%s", resp.StatusCode, frame, page)
	}
	if resp, body := get(t, http.DefaultClient, frame); resp.StatusCode != 200 {
		t.Fatalf("the framed auth callback: %d %s", resp.StatusCode, body)
	}
	if status, n := countGroups(t, store, a.token(store.StoreHash)); status != 200 || n != 4 {
		t.Fatalf("the installed app reads %d, %d groups; want 200 and 4", status, n)
	}
	if _, page := get(t, http.DefaultClient, p.ControlPanelURL()); strings.Contains(page, "not installed") || !strings.Contains(page, ">Open<") {
		t.Errorf("panel after install does not show it installed:\n%s", page)
	}

	_, _, frame = act(t, p, "load", a.ClientID, store.StoreHash)
	if !strings.HasPrefix(frame, a.LoadURL+"?") {
		t.Fatalf("open frames %q, want the app's load callback", frame)
	}
	if _, broken := verifyPayload(payloadOf(t, frame), a.ClientSecret, a.ClientID, time.Now()); len(broken) != 0 {
		t.Errorf("open's payload breaks %v", broken)
	}

	if resp, page, _ := act(t, p, "remove_user", a.ClientID, store.StoreHash); resp.StatusCode != 200 || !strings.Contains(page, "staff@") {
		t.Errorf("remove user: %d\n%s", resp.StatusCode, page)
	}
	resp, page, _ = act(t, p, "uninstall", a.ClientID, store.StoreHash)
	if resp.StatusCode != 200 || !strings.Contains(page, "not installed") {
		t.Errorf("uninstall: %d, want the page to show the app not installed:\n%s", resp.StatusCode, page)
	}
	if status, _ := countGroups(t, store, a.token(store.StoreHash)); status != http.StatusUnauthorized {
		t.Errorf("the app's token after uninstall: %d, want 401", status)
	}
	var names []string
	for _, c := range a.callbacks() {
		names = append(names, c.name)
		if len(c.broken) != 0 {
			t.Errorf("%s payload breaks %v", c.name, c.broken)
		}
	}
	if strings.Join(names, " ") != "remove_user uninstall" {
		t.Errorf("the app's signed callbacks were %v, want remove_user then uninstall (load went to the frame)", names)
	}
	if strings.Contains(page, a.ClientSecret) || strings.Contains(page, a.token(store.StoreHash)) {
		t.Error("the control panel shows the client secret or the token")
	}
}

func TestControlPanelEscapesWhatItShows(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	const name = `<script>alert("owned")</script>`
	app, err := p.RegisterApp(bigcommercetest.App{Name: name, AuthCallbackURL: `https://app.example/auth?x="><b>`})
	if err != nil {
		t.Fatal(err)
	}
	_, page := get(t, http.DefaultClient, p.ControlPanelURL())
	resp, notice, frame := act(t, p, "install", app.ClientID, store.StoreHash)
	for _, body := range []string{page, notice} {
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;") {
			t.Errorf("the app's name is not escaped:\n%s", body)
		}
	}
	if resp.StatusCode != 200 || strings.Contains(notice, `"><b>`) || !strings.Contains(frame, `x=%22%3E%3Cb%3E`) {
		t.Errorf("the frame's URL %q is not escaped in the page", frame)
	}
}

func TestControlPanelRefusesBadActions(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	a := newTestApp(t, p)
	a.install(t, store.StoreHash)

	if resp, _, _ := act(t, p, "uninstall", a.ClientID, store.StoreHash, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site uninstall: %d, want 403", resp.StatusCode)
	}
	if !p.Installed(a.ClientID, store.StoreHash) || len(a.callbacks()) != 0 {
		t.Error("a cross-site request uninstalled the app")
	}
	if resp, _ := get(t, http.DefaultClient, p.ControlPanelURL()+"/uninstall"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET of an action: %d, want 405", resp.StatusCode)
	}
	for _, c := range []struct {
		action, clientID, store string
		want                    int
	}{
		{"install", "nobody", store.StoreHash, 400},
		{"install", a.ClientID, "nostore", 400},
		{"explode", a.ClientID, store.StoreHash, 404},
	} {
		if resp, _, _ := act(t, p, c.action, c.clientID, c.store); resp.StatusCode != c.want {
			t.Errorf("%s by %s on %s: %d, want %d", c.action, c.clientID, c.store, resp.StatusCode, c.want)
		}
	}
	a.answer(http.StatusInternalServerError)
	resp, page, _ := act(t, p, "uninstall", a.ClientID, store.StoreHash)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, "answered 500") || strings.Contains(page, "signed_payload_jwt") {
		t.Errorf("uninstall whose callback fails: %d\n%s\nwant 502 naming the status, not the payload", resp.StatusCode, page)
	}
}
