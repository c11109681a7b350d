package bcapp

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// User is a user of the store's control panel as BigCommerce names it: in
// the install's token answer (with Username) and in signed payloads (with
// a locale, which Claims carries).
type User struct {
	ID       int
	Email    string
	Username string
}

// InstallInfo is what an install says about a store, without its token:
// what the install hook receives and what an app may show or log.
type InstallInfo struct {
	StoreHash string
	// Scope is the scopes the merchant granted, space-separated, as the
	// token answer gave them.
	Scope string
	// User installed the app; Owner owns the store.
	User  User
	Owner User
	// InstalledAt is when the app saved the install; stores keep it to
	// the microsecond.
	InstalledAt time.Time
}

// Install is one store's install as a TokenStore keeps it: the
// InstallInfo and the store's access token. Printing an Install, with fmt
// or slog, never shows the token.
type Install struct {
	InstallInfo
	// AccessToken is the store's long-lived API token. Keep it secret.
	AccessToken string
}

// Validate reports whether the Install may be saved: a store hash as
// BigCommerce issues them and a token. A TokenStore calls it in Save, so
// that a bug upstream never writes a row that no client could use.
func (in Install) Validate() error {
	if !validStoreHash(in.StoreHash) {
		return fmt.Errorf("bcapp: Install.StoreHash must be lowercase letters and digits, 1 to 64 of them, got %q", in.StoreHash)
	}
	if in.AccessToken == "" {
		return fmt.Errorf("bcapp: Install.AccessToken of store %q must not be empty", in.StoreHash)
	}
	return nil
}

// String shows the install without its token.
func (in Install) String() string {
	return fmt.Sprintf("bcapp.Install{StoreHash: %q, Scope: %q, User: %d, Owner: %d, InstalledAt: %s, AccessToken: (redacted)}",
		in.StoreHash, in.Scope, in.User.ID, in.Owner.ID, in.InstalledAt.Format(time.RFC3339))
}

// Format makes every fmt verb print String, %#v and %+v included.
func (in Install) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(in.String())) }

// LogValue keeps the token out of slog records.
func (in Install) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store_hash", in.StoreHash), slog.String("scope", in.Scope),
		slog.Int("user_id", in.User.ID), slog.Time("installed_at", in.InstalledAt))
}

// TokenStore keeps each store's install. Implementations must be safe for
// concurrent use, and several App values (instances of one app, in one
// process or on many machines) may share one, so that a store installed
// through one is served by all. The package tokenstoretest checks the
// contract; NewMemoryStore, OpenSQLite and OpenPostgres implement it.
type TokenStore interface {
	// Save keeps in, replacing what the store held for in.StoreHash: a
	// reinstall brings a new token. It refuses an Install whose Validate
	// fails.
	Save(ctx context.Context, in Install) error
	// Load returns the store's install, or an error matching
	// ErrNotInstalled when there is none.
	Load(ctx context.Context, storeHash string) (Install, error)
	// Delete forgets the store's install. Deleting a store that is not
	// there is not an error, so that an uninstall can be repeated.
	Delete(ctx context.Context, storeHash string) error
}

// NewMemoryStore returns a TokenStore that keeps installs in memory, for
// tests and demos: tokens are not encrypted, and they are gone when the
// process ends.
func NewMemoryStore() TokenStore { return &memoryStore{m: make(map[string]Install)} }

type memoryStore struct {
	mu sync.RWMutex
	m  map[string]Install
}

func (s *memoryStore) Save(_ context.Context, in Install) error {
	if err := in.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.m[in.StoreHash] = in
	s.mu.Unlock()
	return nil
}

func (s *memoryStore) Load(_ context.Context, storeHash string) (Install, error) {
	s.mu.RLock()
	in, ok := s.m[storeHash]
	s.mu.RUnlock()
	if !ok {
		return Install{}, notInstalled(storeHash)
	}
	return in, nil
}

func (s *memoryStore) Delete(_ context.Context, storeHash string) error {
	s.mu.Lock()
	delete(s.m, storeHash)
	s.mu.Unlock()
	return nil
}

// notInstalled is the error of a TokenStore's Load for a store it does not
// hold.
func notInstalled(storeHash string) error {
	return fmt.Errorf("%w: %q", ErrNotInstalled, storeHash)
}
