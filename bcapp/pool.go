package bcapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// buildTimeout bounds loading a store's token to build its client; the
// build does not end with the context of the call that started it, since
// other calls may wait for it too.
const buildTimeout = 30 * time.Second

// pool holds the store clients, most recently used first, up to max.
type pool struct {
	mu      sync.Mutex
	entries map[string]*entry // every store with a client built or being built
	// head and tail end the list of built entries, head the most
	// recently used; listed counts them.
	head, tail *entry
	listed     int
	max        int
}

// entry is one store's client, or the build of it under way.
type entry struct {
	hash       string
	client     *bigcommerce.Client // set under the pool's lock once built
	err        error               // the build's error, read after done
	done       chan struct{}       // closed when the build is over
	prev, next *entry
	inList     bool
}

func newPool(max int) *pool { return &pool{entries: make(map[string]*entry), max: max} }

// Client returns the store's client: the same one on every call while the
// store is installed and its client stays in the pool. The first call for
// a store loads its token from Config.Tokens and builds the client with
// Config.ClientOptions, once, however many calls ask at the same time. A
// store that never installed the app, or uninstalled it, gives an error
// matching ErrNotInstalled; a token that cannot be decrypted, one matching
// ErrUndecryptable. Errors are not kept: the next call tries again.
//
// A client whose request is answered 401 is dropped from the pool, so
// that the next call loads the token again: another instance of the app
// may have saved a new one at a reinstall, or deleted it at an uninstall.
func (a *App) Client(ctx context.Context, storeHash string) (*bigcommerce.Client, error) {
	p := a.pool
	p.mu.Lock()
	if e := p.entries[storeHash]; e != nil && e.client != nil {
		p.toFront(e)
		p.mu.Unlock()
		return e.client, nil
	}
	p.mu.Unlock()
	return a.clientSlow(ctx, storeHash)
}

// clientSlow starts the store's build, or joins the one under way, and
// waits for it or for ctx.
func (a *App) clientSlow(ctx context.Context, storeHash string) (*bigcommerce.Client, error) {
	if ctx == nil {
		return nil, errors.New("bcapp: Client: ctx must not be nil")
	}
	if !validStoreHash(storeHash) {
		return nil, fmt.Errorf("bcapp: Client: the store hash must be lowercase letters and digits, got %q", storeHash)
	}
	p := a.pool
	p.mu.Lock()
	e := p.entries[storeHash]
	switch {
	case e != nil && e.client != nil:
		p.toFront(e)
		p.mu.Unlock()
		return e.client, nil
	case e == nil:
		e = &entry{hash: storeHash, done: make(chan struct{})}
		p.entries[storeHash] = e
		go a.build(context.WithoutCancel(ctx), e)
	}
	p.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.client, nil
}

// build loads the store's install and builds its client. A store dropped
// while its client was built (a reinstall, an uninstall) gets the client
// for the calls that waited, but it is not pooled.
func (a *App) build(ctx context.Context, e *entry) {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	c, err := a.newClient(ctx, e)
	p := a.pool
	p.mu.Lock()
	current := p.entries[e.hash] == e
	if err != nil {
		e.err = err
		if current {
			delete(p.entries, e.hash)
		}
	} else {
		e.client = c
		if current {
			p.toFront(e)
			for p.listed > p.max {
				p.remove(p.tail)
			}
		}
	}
	p.mu.Unlock()
	close(e.done)
}

func (a *App) newClient(ctx context.Context, e *entry) (*bigcommerce.Client, error) {
	in, err := a.tokens.Load(ctx, e.hash)
	if err != nil {
		return nil, fmt.Errorf("bcapp: the client of store %q: %w", e.hash, err)
	}
	if in.StoreHash != e.hash {
		return nil, fmt.Errorf("bcapp: the client of store %q: the token store answered with store %q", e.hash, in.StoreHash)
	}
	auth := bigcommerce.NewOAuth(e.hash, in.AccessToken)
	auth.ClientID = a.clientID
	hc := *a.apiHTTP
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &unauthorizedWatch{base: base, app: a, e: e}
	opts := append(append(make([]bigcommerce.Option, 0, len(a.opts)+3), a.opts...),
		bigcommerce.WithBaseURL(a.apiRoot(e.hash)), bigcommerce.WithHTTPClient(&hc))
	if a.limiter != nil {
		opts = append(opts, bigcommerce.WithRateLimiter(a.limiter))
	}
	c, err := bigcommerce.NewClient(auth, opts...)
	if err != nil {
		return nil, fmt.Errorf("bcapp: the client of store %q: %w", e.hash, err)
	}
	return c, nil
}

// drop takes the store's client out of the pool, if it has one: the next
// Client call builds it again.
func (a *App) drop(storeHash string) {
	p := a.pool
	p.mu.Lock()
	if e := p.entries[storeHash]; e != nil {
		p.remove(e)
	}
	p.mu.Unlock()
}

// unauthorized drops e's client after a 401, unless a newer one has taken
// its place.
func (a *App) unauthorized(ctx context.Context, e *entry) {
	p := a.pool
	p.mu.Lock()
	dropped := p.entries[e.hash] == e
	if dropped {
		p.remove(e)
	}
	p.mu.Unlock()
	if dropped {
		a.log.LogAttrs(ctx, slog.LevelWarn, "bcapp: the store answered 401: its client is dropped, and the next call loads its token again",
			slog.String("store_hash", e.hash))
	}
}

// remove takes e out of the map and, once built, out of the list.
func (p *pool) remove(e *entry) {
	delete(p.entries, e.hash)
	if !e.inList {
		return
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		p.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		p.tail = e.prev
	}
	e.prev, e.next, e.inList = nil, nil, false
	p.listed--
}

// toFront makes e the most recently used, listing it if it was not.
func (p *pool) toFront(e *entry) {
	if p.head == e {
		return
	}
	if e.inList {
		e.prev.next = e.next
		if e.next != nil {
			e.next.prev = e.prev
		} else {
			p.tail = e.prev
		}
	} else {
		e.inList = true
		p.listed++
	}
	e.prev, e.next = nil, p.head
	if p.head != nil {
		p.head.prev = e
	}
	p.head = e
	if p.tail == nil {
		p.tail = e
	}
}

// size is how many clients the pool holds, for tests.
func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listed
}

// unauthorizedWatch tells the App when its store answers 401.
type unauthorizedWatch struct {
	base http.RoundTripper
	app  *App
	e    *entry
}

func (w *unauthorizedWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		w.app.unauthorized(r.Context(), w.e)
	}
	return resp, err
}
