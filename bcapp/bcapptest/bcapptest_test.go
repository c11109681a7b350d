package bcapptest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// serveApp builds an app from p.Config, changed by edit, and serves it:
// bcapp's Handler under /bc/ and a page at / that names its store, counts
// its groups and echoes a posted name.
func serveApp(t *testing.T, p *bcapptest.Platform, edit func(*bcapp.Config)) *bcapp.App {
	t.Helper()
	cfg := p.Config
	if edit != nil {
		edit(&cfg)
	}
	app, err := bcapp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/bc/", http.StripPrefix("/bc", app.Handler()))
	mux.Handle("/{$}", app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := bcapp.SessionFrom(r.Context())
		client, err := app.Client(r.Context(), s.StoreHash)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, _, err := client.CustomerGroups.Count(r.Context(), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "store %s, %d groups, posted %q", s.StoreHash, n, r.PostFormValue("name"))
	})))
	p.Serve(mux)
	return app
}

// TestAnAppsLifeOnThePlatform: Config points the app at the fake, Install
// and Load reach the page through the app's own callbacks, Post submits
// its form, bad payloads are refused without a change, RemoveUser and
// Uninstall call the app server to server, and HasToken follows the
// token store.
func TestAnAppsLifeOnThePlatform(t *testing.T) {
	t.Parallel()
	p := bcapptest.New(t, bcapptest.Stores("abc", "def"), bcapptest.StoreOptions(bigcommercetest.WithSeed(2)))
	var removed []int
	var mu sync.Mutex
	serveApp(t, p, func(c *bcapp.Config) {
		c.OnRemoveUser = func(_ context.Context, cl *bcapp.Claims) error {
			mu.Lock()
			defer mu.Unlock()
			removed = append(removed, cl.User.ID)
			return nil
		}
	})
	app, _ := url.Parse(p.URL)
	platform, _ := url.Parse(p.Platform.URL)
	if app.Hostname() != "localhost" || platform.Hostname() != "127.0.0.1" || app.Port() == platform.Port() {
		t.Errorf("the app at %s and the platform at %s are not two sites on loopback", p.URL, p.Platform.URL)
	}
	c := p.Config
	for field, v := range map[string][2]string{
		"ClientID":        {c.ClientID, p.App.ClientID},
		"ClientSecret":    {c.ClientSecret, p.App.ClientSecret},
		"AuthCallbackURL": {c.AuthCallbackURL, p.URL + "/bc/auth"},
		"APIURL":          {c.APIURL, p.Platform.URL},
		"LoginURL":        {c.LoginURL, p.Platform.URL},
		"FrameAncestors":  {c.FrameAncestors, p.Platform.URL},
	} {
		if v[0] != v[1] || v[0] == "" {
			t.Errorf("Config.%s = %q, want %q", field, v[0], v[1])
		}
	}
	if c.Tokens == nil {
		t.Error("Config.Tokens is nil")
	}
	if p.HasToken("abc") {
		t.Error("a token before the install")
	}

	installed := p.Install("abc")
	if !strings.HasPrefix(installed.URL, p.URL+"/?"+bcapp.SessionParam+"=") || installed.Body != `store abc, 2 groups, posted ""` {
		t.Errorf("Install ended on %s: %q", installed.URL, installed.Body)
	}
	if !p.HasToken("abc") || !p.Installed(p.App.ClientID, "abc") || p.HasToken("def") {
		t.Error("after the install of abc, the tokens are not where they should be")
	}
	loaded := p.Load("abc")
	if loaded.Status != http.StatusOK || loaded.Body != `store abc, 2 groups, posted ""` || !strings.Contains(loaded.Header.Get("Content-Security-Policy"), p.Platform.URL) {
		t.Errorf("Load: %d %q %v", loaded.Status, loaded.Body, loaded.Header)
	}
	if posted := p.Post(loaded.URL, url.Values{"name": {"VIP & co"}}); posted.Body != `store abc, 2 groups, posted "VIP & co"` {
		t.Errorf("Post: %d %q", posted.Status, posted.Body)
	}
	for _, flaw := range []bigcommercetest.Flaw{bigcommercetest.Forged, bigcommercetest.Expired} {
		if page := p.Load("abc", flaw); page.Status != http.StatusUnauthorized {
			t.Errorf("a %s load: %d", flaw, page.Status)
		}
		if page := p.Callback("uninstall", "abc", flaw); page.Status != http.StatusUnauthorized || !p.HasToken("abc") {
			t.Errorf("a %s uninstall: %d, token kept %v", flaw, page.Status, p.HasToken("abc"))
		}
	}
	if page := p.Load("def"); page.Status != http.StatusNotFound {
		t.Errorf("a load on a store without the app: %d", page.Status)
	}

	staff := p.RemoveUser("abc")
	mu.Lock()
	if len(removed) != 1 || removed[0] != staff.ID {
		t.Errorf("the remove-user hook saw %v, want %d", removed, staff.ID)
	}
	mu.Unlock()
	p.Uninstall("abc")
	if p.HasToken("abc") || p.Installed(p.App.ClientID, "abc") {
		t.Error("a token after the uninstall")
	}
	if page := p.Load("abc"); page.Status != http.StatusNotFound {
		t.Errorf("a load after the uninstall: %d", page.Status)
	}
	if page := p.Get(installed.URL); page.Status != http.StatusForbidden {
		t.Errorf("the page with the old session after the uninstall: %d", page.Status)
	}
}

// TestCallbacksAtTheRoot: CallbacksAt("") registers the callbacks at the
// app's root, Credentials fixes the app's, and one store named "store1" is
// the default.
func TestCallbacksAtTheRoot(t *testing.T) {
	t.Parallel()
	p := bcapptest.New(t, bcapptest.CallbacksAt(""), bcapptest.Credentials("my-id", "my-secret"))
	if p.Config.ClientID != "my-id" || p.Config.ClientSecret != "my-secret" {
		t.Errorf("Credentials gave %q and a secret of %d bytes", p.Config.ClientID, len(p.Config.ClientSecret))
	}
	if p.App.AuthCallbackURL != p.URL+"/auth" || p.App.RemoveUserURL != p.URL+"/remove_user" {
		t.Errorf("callbacks at %s and %s", p.App.AuthCallbackURL, p.App.RemoveUserURL)
	}
	if stores := p.Stores(); len(stores) != 1 || stores[0].StoreHash != "store1" {
		t.Errorf("stores: %v", stores)
	}
	app, err := bcapp.New(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", app.Handler())
	mux.Handle("/{$}", app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "the page") })))
	p.Serve(mux)
	if page := p.Install("store1"); page.Body != "the page" || !strings.HasPrefix(page.URL, p.URL+"/?") {
		t.Errorf("install: %d %q at %s", page.Status, page.Body, page.URL)
	}
}

// fakeTB records a Fatalf and stops the goroutine, as testing.T does.
type fakeTB struct {
	mu       sync.Mutex
	fatal    string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// run calls fn with the fakeTB in a goroutine of its own, runs the
// cleanups, and returns the failure, or "".
func (f *fakeTB) run(fn func(tb bcapptest.TB)) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f.fatal
}

// TestFailuresSayWhatToFix: a step that cannot go on fails the test with
// a message that names the cause, and never quotes a code or a session.
func TestFailuresSayWhatToFix(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		run  func(tb bcapptest.TB)
		want string
	}{
		{"not served", func(tb bcapptest.TB) { bcapptest.New(tb).Install("store1") },
			"503"},
		{"callbacks elsewhere", func(tb bcapptest.TB) {
			p := bcapptest.New(tb)
			app, _ := bcapp.New(p.Config)
			p.Serve(app.Handler()) // at the root, while the callbacks are under /bc
			p.Install("store1")
		}, "is bcapp's Handler under the callbacks' path, " + "http://localhost"},
		{"unknown store", func(tb bcapptest.TB) { bcapptest.New(tb).Install("nosuch") }, `no store with hash "nosuch"`},
		{"taken hash", func(tb bcapptest.TB) { bcapptest.New(tb, bcapptest.Stores("abc", "abc")) }, `already has a store with hash "abc"`},
		{"bad path", func(tb bcapptest.TB) { bcapptest.New(tb, bcapptest.CallbacksAt("bc")) }, "must start with /"},
		{"unknown callback", func(tb bcapptest.TB) { bcapptest.New(tb).Callback("auth", "store1") }, "load, uninstall and remove_user"},
		{"uninstall refused", func(tb bcapptest.TB) {
			p := bcapptest.New(tb)
			p.Serve(http.NotFoundHandler())
			p.Uninstall("store1")
		}, "uninstall callback answered 404"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := (&fakeTB{}).run(tt.run)
			if !strings.Contains(got, tt.want) {
				t.Errorf("failure %q, want it to say %q", got, tt.want)
			}
			for _, secret := range []string{"code=", bcapp.SessionParam + "=", "signed_payload_jwt="} {
				if strings.Contains(got, secret) {
					t.Errorf("the failure quotes %s: %s", secret, got)
				}
			}
		})
	}
}
