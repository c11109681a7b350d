package bigcommercetest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestStoresOfAPlatformAreIsolated: each store has its own groups, rate
// limit, faults, request record and log, behind one listener.
func TestStoresOfAPlatformAreIsolated(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	var logA lockedWriter
	a := addStore(t, p, bigcommercetest.WithSeed(2), bigcommercetest.WithRateLimit(3, time.Hour), bigcommercetest.WithRequestLog(&logA))
	b := addStore(t, p, bigcommercetest.WithSeed(5))
	if a.URL != p.URL || !strings.HasPrefix(a.OAuthBaseURL(), p.APIURL()+"/stores/"+a.StoreHash+"/v2") {
		t.Fatalf("store URL %s, root %s; want the platform's %s", a.URL, a.OAuthBaseURL(), p.URL)
	}
	ctx := context.Background()
	clientA, clientB := a.Client(bigcommerce.WithRetryMax(0)), b.Client(bigcommerce.WithRetryMax(0))

	if _, _, err := clientA.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Only in A"}); err != nil {
		t.Fatal(err)
	}
	if len(a.Groups()) != 3 || len(b.Groups()) != 5 {
		t.Errorf("groups: A %d, B %d; want 3 and 5", len(a.Groups()), len(b.Groups()))
	}

	b.InjectFault(bigcommercetest.Fault{Status: 503})
	if _, _, err := clientA.CustomerGroups.Count(ctx, nil); err != nil {
		t.Errorf("A met B's fault: %v", err)
	}
	if _, _, err := clientB.CustomerGroups.Count(ctx, nil); !errorIs(err, bigcommerce.ErrServer) {
		t.Errorf("B's own fault: %v, want ErrServer", err)
	}

	// A's quota of 3 is spent by its create, its count and one more;
	// plain requests, since the SDK would pace itself before the 429.
	countGroups(t, a, a.AccessToken)
	if status, _ := countGroups(t, a, a.AccessToken); status != http.StatusTooManyRequests {
		t.Errorf("A past its quota: %d, want 429", status)
	}
	if _, _, err := clientB.CustomerGroups.Count(ctx, nil); err != nil {
		t.Errorf("B while A is limited: %v", err)
	}

	for _, r := range a.Requests() {
		if !strings.HasPrefix(r.Path, "/stores/"+a.StoreHash+"/") {
			t.Errorf("A recorded %s", r.Path)
		}
	}
	if sa, sb := a.Stats(), b.Stats(); sa.Requests != 4 || sa.RateLimited != 1 || sb.Requests != 2 || sb.Faults != 1 {
		t.Errorf("stats A %+v, B %+v", sa, sb)
	}
	if log := logA.String(); strings.Count(log, "\n") != 4 || strings.Contains(log, b.StoreHash) {
		t.Errorf("A's request log:\n%s\nwant A's 4 requests only", log)
	}
}

func TestStoreTokensAreGoodOnTheirOwnStoreOnly(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	a, b := addStore(t, p), addStore(t, p)
	if status, _ := countGroups(t, a, b.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("B's token on A: %d, want 401", status)
	}
	if status, _ := countGroups(t, a, a.AccessToken); status != http.StatusOK {
		t.Errorf("A's token on A: %d, want 200", status)
	}
}

func TestPlatformRoutesOnlyWhatItServes(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	for _, c := range []struct {
		path string
		want int
	}{
		{"/stores/nosuchstore/v2/customer_groups", 404},
		{"/api/v2/customer_groups", 404},
		{"/", 404},
		{"/stores/" + store.StoreHash + "/v3/customers", 404},
		{"/stores/" + store.StoreHash + "/v2/customer_groups/count", 401},
	} {
		resp, body := get(t, http.DefaultClient, p.URL+c.path)
		if resp.StatusCode != c.want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s: %d %s, want %d with a JSON error", c.path, resp.StatusCode, body, c.want)
		}
	}
	// The store's own paths are its requests; the unknown store's are not.
	if n := len(store.Requests()); n != 2 {
		t.Errorf("the store recorded %d requests, want its 2", n)
	}
}

func TestAddStoreRefusesATakenHash(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	first := addStore(t, p, bigcommercetest.WithStoreHash("same"))
	if _, err := p.AddStore(bigcommercetest.WithStoreHash("same")); err == nil || !strings.Contains(err.Error(), `"same"`) {
		t.Errorf("second store with hash same: %v, want an error naming it", err)
	}
	second := addStore(t, p)
	if got, ok := p.Store("same"); !ok || got != first {
		t.Error("Store(same) is not the first store")
	}
	if _, ok := p.Store("none"); ok {
		t.Error("Store(none) found a store")
	}
	if got := p.Stores(); len(got) != 2 || got[0] != first || got[1] != second {
		t.Errorf("Stores() = %v, want both in the order added", got)
	}
}

func TestClosingAStoreLeavesThePlatformServing(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	store := addStore(t, p)
	store.Close()
	if status, _ := countGroups(t, store, store.AccessToken); status != http.StatusOK {
		t.Errorf("after the store's Close: %d, want 200 (the platform owns the listener)", status)
	}
	if c := store.Stats().Connections; c != 0 {
		t.Errorf("a platform store counts %d connections, want 0", c)
	}
}

func TestPlatformLogHasNoSecrets(t *testing.T) {
	t.Parallel()
	var log lockedWriter
	p := newPlatform(t, bigcommercetest.WithPlatformLog(&log))
	store := addStore(t, p)
	app := registerApp(t, p, bigcommercetest.App{})
	install, _ := p.StartInstall(app.ClientID, store.StoreHash, "")
	form := exchangeForm(t, app, install)
	postToken(t, p, form)
	countGroups(t, store, store.AccessToken)
	got := log.String()
	if !strings.Contains(got, "POST /oauth2/token 200") {
		t.Errorf("platform log %q has no line for the exchange", got)
	}
	for _, secret := range []string{app.ClientSecret, form.Get("code"), store.StoreHash} {
		if strings.Contains(got, secret) {
			t.Errorf("platform log %q holds a secret, or a store's request, which the store logs", got)
		}
	}
}

// TestInstallsOnManyStoresAtOnce drives installs, API calls and
// uninstalls on several stores in parallel, for the race detector and for
// isolation under load: each store ends with its own app's group only.
func TestInstallsOnManyStoresAtOnce(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	a := newTestApp(t, p)
	const n = 8
	stores := make([]*bigcommercetest.Server, n)
	for i := range stores {
		stores[i] = addStore(t, p)
	}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			u, err := p.StartInstall(a.ClientID, s.StoreHash, "")
			if err != nil {
				t.Error(err)
				return
			}
			if resp, err := http.Get(u); err != nil || resp.StatusCode != 200 {
				t.Errorf("install on %s: %v", s.StoreHash, err)
				return
			}
			c, _ := bigcommerce.NewClient(bigcommerce.NewOAuth(s.StoreHash, a.token(s.StoreHash)), bigcommerce.WithBaseURL(s.OAuthBaseURL()))
			if _, _, err := c.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{Name: "Group of " + s.StoreHash}); err != nil {
				t.Error(err)
			}
			if err := p.Uninstall(context.Background(), a.ClientID, s.StoreHash); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, s := range stores {
		g := s.Groups()
		if len(g) != 1 || g[0].Name != "Group of "+s.StoreHash || p.Installed(a.ClientID, s.StoreHash) {
			t.Errorf("store %s: groups %v, installed %t", s.StoreHash, g, p.Installed(a.ClientID, s.StoreHash))
		}
	}
}

func TestListenPlatformServesOnTheAddress(t *testing.T) {
	t.Parallel()
	p, err := bigcommercetest.ListenPlatform("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	u, _ := url.Parse(p.URL)
	if u.Hostname() != "127.0.0.1" || u.Port() == "0" || p.LoginURL() != p.URL || p.APIURL() != p.URL {
		t.Errorf("URL %s, login %s, API %s", p.URL, p.LoginURL(), p.APIURL())
	}
	if _, err := bigcommercetest.ListenPlatform("256.0.0.1:0"); err == nil {
		t.Error("ListenPlatform on a bad address gave no error")
	}
}

type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
