package bigcommercetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Platform is a running fake of BigCommerce for apps: many stores behind
// one listener, each a Server with its own groups, rate limit, faults and
// request log; the login server that trades an install's code for a
// store's token; and the calls BigCommerce makes to an app's callbacks.
// Every method is safe for concurrent use.
type Platform struct {
	// URL is the platform's address, such as http://127.0.0.1:PORT, with
	// no trailing slash.
	URL string

	cfg   platformConfig
	ts    *httptest.Server
	logMu sync.Mutex

	mu       sync.Mutex
	stores   map[string]*store
	order    []string // store hashes, in the order they were added
	apps     map[string]App
	appOrder []string // client IDs, in the order they were registered
	codes    map[string]*installCode
}

// store is a Server as a Platform serves it, with the people and account
// that the login server and signed payloads name.
type store struct {
	srv     *Server
	owner   User
	staff   User
	account string
}

// PlatformOption configures a Platform created by NewPlatform or
// ListenPlatform.
type PlatformOption func(*platformConfig)

type platformConfig struct {
	clock  func() time.Time
	client *http.Client
	log    io.Writer
}

// WithClock sets the clock that install codes expire by and that dates
// signed payloads, so that a test can move time forward instead of
// waiting. The default is time.Now.
func WithClock(now func() time.Time) PlatformOption {
	if now == nil {
		panic("bigcommercetest: WithClock(nil): the clock must be a function")
	}
	return func(c *platformConfig) { c.clock = now }
}

// WithCallbackClient sets the HTTP client with which the platform calls an
// app's uninstall and remove-user callbacks, for apps served over TLS by
// httptest. The default has a 10-second timeout.
func WithCallbackClient(hc *http.Client) PlatformOption {
	if hc == nil {
		panic("bigcommercetest: WithCallbackClient(nil): the client must not be nil")
	}
	return func(c *platformConfig) { c.client = hc }
}

// WithPlatformLog writes one line per request that the platform answers
// itself (the login server, the control panel, unknown paths) to w, in the
// form of WithRequestLog, which logs a store's requests. Bodies, and so
// client secrets and codes, are not logged.
func WithPlatformLog(w io.Writer) PlatformOption {
	return func(c *platformConfig) { c.log = w }
}

// NewPlatform starts a platform with no stores and no apps on a random
// loopback port. Close it when done.
func NewPlatform(opts ...PlatformOption) *Platform {
	p := newPlatform(opts)
	p.start(nil)
	return p
}

// ListenPlatform starts a platform on addr, such as "127.0.0.1:8080", for
// programs that need a fixed address, like cmd/bigcommerce-fake. Close it
// when done.
func ListenPlatform(addr string, opts ...PlatformOption) (*Platform, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := newPlatform(opts)
	p.start(ln)
	return p, nil
}

func newPlatform(opts []PlatformOption) *Platform {
	cfg := platformConfig{clock: time.Now, client: &http.Client{Timeout: 10 * time.Second}}
	for _, o := range opts {
		o(&cfg)
	}
	return &Platform{
		cfg:    cfg,
		stores: make(map[string]*store),
		apps:   make(map[string]App),
		codes:  make(map[string]*installCode),
	}
}

func (p *Platform) start(ln net.Listener) {
	p.ts = httptest.NewUnstartedServer(http.HandlerFunc(p.serveHTTP))
	if ln != nil {
		p.ts.Listener.Close()
		p.ts.Listener = ln
	}
	p.ts.Start()
	p.URL = p.ts.URL
}

// Close stops the platform and all its stores, waiting for requests in
// progress to finish.
func (p *Platform) Close() {
	p.ts.Close()
}

// APIURL is the API's root, the fake's counterpart of
// https://api.bigcommerce.com: a store's v2 API is under
// APIURL() + "/stores/{hash}/v2".
func (p *Platform) APIURL() string { return p.URL }

// LoginURL is the login server's root, the fake's counterpart of
// https://login.bigcommerce.com: it answers LoginURL() + "/oauth2/token".
func (p *Platform) LoginURL() string { return p.URL }

// AddStore adds a store, configured by opts as NewServer's are, and
// returns it. Its hash is random unless WithStoreHash fixes it, and must
// not be taken. The store is a Server without a listener of its own: every
// method works on it (Seed, Groups, InjectFault, Requests, Client, ...),
// its URL is the platform's, Close does nothing and Stats counts no
// connections, which belong to the platform. Legacy Basic auth is not
// served: BigCommerce tells its stores apart by domain there, not by path.
func (p *Platform) AddStore(opts ...Option) (*Server, error) {
	srv := newServer(opts)
	srv.URL = p.URL
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, taken := p.stores[srv.StoreHash]; taken {
		return nil, fmt.Errorf("bigcommercetest: AddStore: the platform already has a store with hash %q", srv.StoreHash)
	}
	id := len(p.order)*10 + 1001
	p.stores[srv.StoreHash] = &store{
		srv:     srv,
		owner:   User{ID: id, Username: "owner@store-" + srv.StoreHash + ".example", Email: "owner@store-" + srv.StoreHash + ".example", Locale: "en-US"},
		staff:   User{ID: id + 1, Username: "staff@store-" + srv.StoreHash + ".example", Email: "staff@store-" + srv.StoreHash + ".example", Locale: "en-US"},
		account: newUUID(),
	}
	p.order = append(p.order, srv.StoreHash)
	return srv, nil
}

// Store returns the store with the given hash.
func (p *Platform) Store(hash string) (*Server, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.stores[hash]
	if !ok {
		return nil, false
	}
	return st.srv, true
}

// Stores returns every store, in the order they were added.
func (p *Platform) Stores() []*Server {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Server, len(p.order))
	for i, h := range p.order {
		out[i] = p.stores[h].srv
	}
	return out
}

// Owner returns the owner of a store's account: the user who installs
// apps, as the token answer and signed payloads name them.
func (p *Platform) Owner(storeHash string) (User, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.storeLocked(storeHash)
	if err != nil {
		return User{}, err
	}
	return st.owner, nil
}

// Staff returns a user other than the owner on a store's account: the one
// the control panel's Remove user action removes.
func (p *Platform) Staff(storeHash string) (User, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.storeLocked(storeHash)
	if err != nil {
		return User{}, err
	}
	return st.staff, nil
}

// Installed reports whether the app holds a token for the store: from the
// exchange of an install's code until the app is uninstalled.
func (p *Platform) Installed(clientID, storeHash string) bool {
	srv, ok := p.Store(storeHash)
	return ok && srv.installed(clientID)
}

func (p *Platform) storeLocked(hash string) (*store, error) {
	st, ok := p.stores[hash]
	if !ok {
		return nil, fmt.Errorf("bigcommercetest: the platform has no store with hash %q", hash)
	}
	return st, nil
}

func (p *Platform) appLocked(clientID string) (App, error) {
	app, ok := p.apps[clientID]
	if !ok {
		return App{}, errors.New("bigcommercetest: no app with that client ID is registered with the platform")
	}
	return app, nil
}

// serveHTTP sends a store's requests to its Server, which records, paces
// and logs them as its own, and answers the rest itself.
func (p *Platform) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/stores/"); ok {
		hash, _, _ := strings.Cut(rest, "/")
		if srv, ok := p.Store(hash); ok {
			srv.serveHTTP(rw, r)
			return
		}
	}
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	defer p.logRequest(r, w, start)
	switch path := r.URL.Path; {
	case path == "/oauth2/token":
		p.serveToken(w, r)
	case path == "/manage" || strings.HasPrefix(path, "/manage/"):
		p.serveControlPanel(w, r)
	case strings.HasPrefix(path, "/stores/"):
		writeError(w, &apiError{Status: 404, Message: "No store on this platform has that hash."})
	default:
		writeError(w, &apiError{Status: 404, Message: "Not found: a platform serves /stores/{hash}/v2, /oauth2/token and its control panel under /manage."})
	}
}

func (p *Platform) logRequest(r *http.Request, w *statusWriter, start time.Time) {
	if p.cfg.log == nil {
		return
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	// The path alone: a load URL's query is a bearer credential.
	fmt.Fprintf(p.cfg.log, "%s %s %s %d %s\n", start.Format("15:04:05.000"), r.Method, r.URL.Path, w.status, time.Since(start).Round(time.Microsecond))
}

// newUUID makes a random (version 4) UUID, the form of an account_uuid.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
