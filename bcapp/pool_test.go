package bcapp_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcapp"
)

// countingStore counts the loads of a TokenStore, and can hold them at a
// gate.
type countingStore struct {
	bcapp.TokenStore
	loads atomic.Int32
	gate  chan struct{} // when set, each Load waits for it to close
	fail  atomic.Int32  // the next loads that fail
}

func (s *countingStore) Load(ctx context.Context, hash string) (bcapp.Install, error) {
	s.loads.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	if s.fail.Add(-1) >= 0 {
		return bcapp.Install{}, errors.New("the database is away")
	}
	return s.TokenStore.Load(ctx, hash)
}

// newPoolEnv is an env whose token store counts loads, with the stores
// installed and accepted by the API.
func newPoolEnv(t *testing.T, cs *countingStore, hashes []string, mutate ...func(*bcapp.Config)) *env {
	t.Helper()
	cs.TokenStore = bcapp.NewMemoryStore()
	e := newEnv(t, append(mutate, func(c *bcapp.Config) { c.Tokens = cs })...)
	for _, h := range hashes {
		e.install(t, h)
	}
	return e
}

func mustClient(t *testing.T, e *env, hash string) *bigcommerce.Client {
	t.Helper()
	c, err := e.app.Client(context.Background(), hash)
	if err != nil {
		t.Fatalf("Client(%s): %v", hash, err)
	}
	return c
}

// TestClientIsBuiltOnceUnderConcurrentFirstCalls: many goroutines asking
// for a store's first client at once get the same one, built from one
// load of the token.
func TestClientIsBuiltOnceUnderConcurrentFirstCalls(t *testing.T) {
	t.Parallel()
	cs := &countingStore{}
	e := newPoolEnv(t, cs, []string{"abc123"})
	cs.gate = make(chan struct{})
	const callers = 64
	clients := make([]*bigcommerce.Client, callers)
	var started, wg sync.WaitGroup
	started.Add(callers)
	for i := range callers {
		wg.Go(func() {
			started.Done()
			c, err := e.app.Client(context.Background(), "abc123")
			if err != nil {
				t.Error(err)
			}
			clients[i] = c
		})
	}
	started.Wait()
	close(cs.gate)
	wg.Wait()
	for i, c := range clients {
		if c != clients[0] || c == nil {
			t.Fatalf("caller %d got another client", i)
		}
	}
	if n := cs.loads.Load(); n != 1 {
		t.Errorf("the token was loaded %d times for %d concurrent first calls, want 1", n, callers)
	}
	if c := mustClient(t, e, "abc123"); c != clients[0] || cs.loads.Load() != 1 {
		t.Error("a later call built another client")
	}
}

// TestClientOptionsApplyToEveryStore: the app's options shape every
// store's client, and one shared limiter paces all the stores, each by
// its own API root.
func TestClientOptionsApplyToEveryStore(t *testing.T) {
	t.Parallel()
	limiter := newCountingLimiter()
	e := newPoolEnv(t, &countingStore{}, []string{"abc123", "def456"}, func(c *bcapp.Config) {
		c.ClientOptions = []bigcommerce.Option{bigcommerce.WithUserAgent("groups-app/2.0")}
		c.RateLimiter = limiter
	})
	for _, h := range []string{"abc123", "def456"} {
		if err := e.count(t, h); err != nil {
			t.Fatal(err)
		}
		reqs := e.addStore(t, h).Requests()
		if ua := reqs[len(reqs)-1].Header.Get("User-Agent"); !strings.HasPrefix(ua, "groups-app/2.0 ") {
			t.Errorf("store %s got User-Agent %q", h, ua)
		}
		if want := e.p.APIURL() + "/stores/" + h + "/v2"; mustClient(t, e, h).BaseURL() != want {
			t.Errorf("store %s: BaseURL %s, want %s", h, mustClient(t, e, h).BaseURL(), want)
		}
	}
	acquired, _ := limiter.roots()
	if len(acquired) != 2 || acquired[e.p.APIURL()+"/stores/abc123/v2"] != 1 || acquired[e.p.APIURL()+"/stores/def456/v2"] != 1 {
		t.Errorf("the shared limiter paced %v; want one request for each store", acquired)
	}
}

// TestClientPoolDropsTheLeastRecentlyUsed: past MaxClients the client
// used longest ago is dropped; the others stay the same.
func TestClientPoolDropsTheLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	cs := &countingStore{}
	e := newPoolEnv(t, cs, []string{"aaa", "bbb", "ccc"}, func(c *bcapp.Config) { c.MaxClients = 2 })
	a, b := mustClient(t, e, "aaa"), mustClient(t, e, "bbb")
	mustClient(t, e, "aaa") // bbb is now the least recently used
	mustClient(t, e, "ccc")
	if n := bcapp.PoolSize(e.app); n != 2 {
		t.Errorf("the pool holds %d clients, want its maximum of 2", n)
	}
	loads := cs.loads.Load()
	if mustClient(t, e, "aaa") != a || cs.loads.Load() != loads {
		t.Error("the recently used client was dropped")
	}
	if mustClient(t, e, "bbb") == b || cs.loads.Load() != loads+1 {
		t.Error("the least recently used client was kept")
	}
}

// TestClientOfAStoreWithoutTheApp: an unknown store is ErrNotInstalled,
// an invalid hash never reaches the store, errors are not kept, and a
// call does not wait past its context.
func TestClientOfAStoreWithoutTheApp(t *testing.T) {
	t.Parallel()
	cs := &countingStore{}
	e := newPoolEnv(t, cs, nil)
	if _, err := e.app.Client(context.Background(), "abc123"); !errors.Is(err, bcapp.ErrNotInstalled) {
		t.Errorf("an unknown store: %v, want ErrNotInstalled", err)
	}
	loads := cs.loads.Load()
	for _, bad := range []string{"", "ABC", "abc/def", strings.Repeat("a", 65)} {
		if _, err := e.app.Client(context.Background(), bad); err == nil || errors.Is(err, bcapp.ErrNotInstalled) {
			t.Errorf("Client(%q) = %v, want an error about the hash", bad, err)
		}
	}
	if cs.loads.Load() != loads {
		t.Error("an invalid hash was looked up")
	}
	e.install(t, "abc123")
	cs.fail.Store(1)
	if _, err := e.app.Client(context.Background(), "abc123"); err == nil {
		t.Fatal("a failing token store gave a client")
	}
	if _, err := e.app.Client(context.Background(), "abc123"); err != nil {
		t.Errorf("the store's failure was kept: %v", err)
	}
	// A call whose context ends while the token loads returns at once.
	cs.gate = make(chan struct{})
	defer close(cs.gate)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.app.Client(ctx, "new999"); !errors.Is(err, context.Canceled) {
		t.Errorf("a canceled context: %v, want context.Canceled", err)
	}
}

// TestA401DropsThePooledClient: when the store answers 401 (the token was
// revoked, or another instance saved a new one), the client is dropped
// and the next call loads the token again; a late 401 from the old
// client does not drop its successor.
func TestA401DropsThePooledClient(t *testing.T) {
	t.Parallel()
	cs := &countingStore{}
	e := newPoolEnv(t, cs, []string{"abc123"})
	old := mustClient(t, e, "abc123")
	// Another instance of the app took a reinstall: it traded a new code
	// for a new token, which revokes the old one, and saved it.
	link, err := e.p.StartInstall(clientID, "abc123", "")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(link)
	oauth := bigcommerce.OAuthConfig(clientID, clientSecret, e.p.App.AuthCallbackURL)
	oauth.Endpoint.TokenURL = e.p.LoginURL() + "/oauth2/token"
	tok, err := bigcommerce.ExchangeInstallCode(context.Background(), oauth, q.Query().Get("code"), q.Query().Get("scope"), q.Query().Get("context"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := cs.TokenStore.Load(context.Background(), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	in.AccessToken = tok.AccessToken
	if err := cs.TokenStore.Save(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if _, _, err := old.CustomerGroups.Count(context.Background(), nil); !errors.Is(err, bigcommerce.ErrUnauthorized) {
		t.Fatalf("the old token: %v, want a 401", err)
	}
	fresh := mustClient(t, e, "abc123")
	if fresh == old {
		t.Fatal("the client answered 401 is still pooled")
	}
	if _, _, err := fresh.CustomerGroups.Count(context.Background(), nil); err != nil {
		t.Errorf("the reloaded token: %v", err)
	}
	if _, _, err := old.CustomerGroups.Count(context.Background(), nil); err == nil {
		t.Fatal("the old token worked")
	}
	if mustClient(t, e, "abc123") != fresh {
		t.Error("a late 401 from the old client dropped the new one")
	}
	if !strings.Contains(e.logs.String(), "the store answered 401") {
		t.Errorf("the drop is not logged:\n%s", e.logs)
	}
}
