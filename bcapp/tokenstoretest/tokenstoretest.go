// Package tokenstoretest checks that a bcapp.TokenStore keeps the
// contract an App relies on, whatever it keeps installs in: memory,
// SQLite, PostgreSQL, or a store of your own on DynamoDB or Redis.
//
// A store's test calls Run with a function that opens a fresh, empty
// store:
//
//	func TestConformance(t *testing.T) {
//		tokenstoretest.Run(t, func(t *testing.T) bcapp.TokenStore {
//			s, err := mystore.Open(t.TempDir(), key)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run checks, each rule in a parallel subtest named for it, that:
//
//   - an install saved is loaded back whole: token, scope, user, owner,
//     and its time to the millisecond at least;
//   - a store never saved, or deleted, loads as an error matching
//     bcapp.ErrNotInstalled, and no other error does;
//   - a second save of a store replaces the first (a reinstall brings a
//     new token), and other stores are left alone;
//   - deleting a store that is not there is no error, so an uninstall can
//     be repeated;
//   - an install that fails Validate (no store hash, no token) is refused
//     and leaves nothing behind;
//   - many goroutines saving, loading and deleting at once each see a
//     whole install of their own store, never another store's nor a
//     mixture of two saves.
package tokenstoretest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
)

// Run runs every case against stores made by newStore, a fresh one for
// each case.
func Run(t *testing.T, newStore func(t *testing.T) bcapp.TokenStore) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

type testCase struct {
	name string
	run  func(*testing.T, bcapp.TokenStore)
}

var cases = []testCase{
	{"SavedInstallLoadsWhole", savedInstallLoadsWhole},
	{"UnknownStoreIsNotInstalled", unknownStoreIsNotInstalled},
	{"SaveReplaces", saveReplaces},
	{"DeleteRemovesAndRepeats", deleteRemovesAndRepeats},
	{"InvalidInstallIsRefused", invalidInstallIsRefused},
	{"ConcurrentUseKeepsStoresApart", concurrentUseKeepsStoresApart},
}

// install is a full install of the store, its fields derived from hash
// and n so that a mixture of two installs shows.
func install(hash string, n int) bcapp.Install {
	return bcapp.Install{
		InstallInfo: bcapp.InstallInfo{
			StoreHash: hash,
			Scope:     fmt.Sprintf("store_v2_customers store_v2_information_read_only %d", n),
			User:      bcapp.User{ID: 1000 + n, Email: fmt.Sprintf("ünïcode+%d@%s.example", n, hash), Username: fmt.Sprintf("user %d", n)},
			Owner:     bcapp.User{ID: 2000 + n, Email: fmt.Sprintf("owner%d@%s.example", n, hash), Username: "owner"},
			// Nanoseconds that a store may round away, far from a
			// millisecond's edge.
			InstalledAt: time.Date(2026, 3, 14, 15, 9, 26, 535_897_932, time.UTC).Add(time.Duration(n) * time.Hour),
		},
		AccessToken: fmt.Sprintf("tok%dfor%s", n, hash),
	}
}

// same reports how got differs from want, or "".
func same(got, want bcapp.Install) string {
	switch {
	case got.StoreHash != want.StoreHash:
		return fmt.Sprintf("StoreHash = %q, want %q", got.StoreHash, want.StoreHash)
	case got.AccessToken != want.AccessToken:
		return "AccessToken differs from the one saved"
	case got.Scope != want.Scope:
		return fmt.Sprintf("Scope = %q, want %q", got.Scope, want.Scope)
	case got.User != want.User:
		return fmt.Sprintf("User = %+v, want %+v", got.User, want.User)
	case got.Owner != want.Owner:
		return fmt.Sprintf("Owner = %+v, want %+v", got.Owner, want.Owner)
	case got.InstalledAt.Sub(want.InstalledAt).Abs() >= time.Millisecond:
		return fmt.Sprintf("InstalledAt = %s, want %s to the millisecond", got.InstalledAt, want.InstalledAt)
	}
	return ""
}

func mustSave(t *testing.T, s bcapp.TokenStore, in bcapp.Install) {
	t.Helper()
	if err := s.Save(context.Background(), in); err != nil {
		t.Fatalf("Save(%s): %v", in.StoreHash, err)
	}
}

func mustLoad(t *testing.T, s bcapp.TokenStore, hash string) bcapp.Install {
	t.Helper()
	in, err := s.Load(context.Background(), hash)
	if err != nil {
		t.Fatalf("Load(%s): %v", hash, err)
	}
	return in
}

func wantNotInstalled(t *testing.T, s bcapp.TokenStore, hash string) {
	t.Helper()
	if in, err := s.Load(context.Background(), hash); !errors.Is(err, bcapp.ErrNotInstalled) {
		t.Fatalf("Load(%s) = %v, %v; want an error matching bcapp.ErrNotInstalled", hash, in, err)
	}
}

func savedInstallLoadsWhole(t *testing.T, s bcapp.TokenStore) {
	want := install("abc123", 1)
	mustSave(t, s, want)
	if d := same(mustLoad(t, s, "abc123"), want); d != "" {
		t.Error(d)
	}
}

func unknownStoreIsNotInstalled(t *testing.T, s bcapp.TokenStore) {
	wantNotInstalled(t, s, "nosuchstore")
	mustSave(t, s, install("abc123", 1))
	wantNotInstalled(t, s, "abc12")
	wantNotInstalled(t, s, "abc1234")
}

func saveReplaces(t *testing.T, s bcapp.TokenStore) {
	mustSave(t, s, install("abc123", 1))
	mustSave(t, s, install("other9", 3))
	second := install("abc123", 2)
	mustSave(t, s, second)
	if d := same(mustLoad(t, s, "abc123"), second); d != "" {
		t.Errorf("after a second save: %s", d)
	}
	if d := same(mustLoad(t, s, "other9"), install("other9", 3)); d != "" {
		t.Errorf("another store changed: %s", d)
	}
}

func deleteRemovesAndRepeats(t *testing.T, s bcapp.TokenStore) {
	ctx := context.Background()
	mustSave(t, s, install("abc123", 1))
	mustSave(t, s, install("other9", 3))
	for i := range 2 {
		if err := s.Delete(ctx, "abc123"); err != nil {
			t.Fatalf("Delete number %d: %v", i+1, err)
		}
		wantNotInstalled(t, s, "abc123")
	}
	if err := s.Delete(ctx, "neverseen"); err != nil {
		t.Errorf("Delete of a store never saved: %v", err)
	}
	mustLoad(t, s, "other9")
	mustSave(t, s, install("abc123", 4))
	if d := same(mustLoad(t, s, "abc123"), install("abc123", 4)); d != "" {
		t.Errorf("saved again after Delete: %s", d)
	}
}

func invalidInstallIsRefused(t *testing.T, s bcapp.TokenStore) {
	ctx := context.Background()
	noToken := install("abc123", 1)
	noToken.AccessToken = ""
	badHash := install("ABC/123", 1)
	for name, in := range map[string]bcapp.Install{"no token": noToken, "no store hash": install("", 1), "a bad store hash": badHash} {
		if err := s.Save(ctx, in); err == nil {
			t.Errorf("Save of an install with %s succeeded", name)
		}
	}
	wantNotInstalled(t, s, "abc123")
}

func concurrentUseKeepsStoresApart(t *testing.T, s bcapp.TokenStore) {
	ctx := context.Background()
	const stores, rounds = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, stores*rounds)
	for i := range stores {
		hash := fmt.Sprintf("store%d", i)
		wg.Go(func() {
			for n := range rounds {
				want := install(hash, n)
				if err := s.Save(ctx, want); err != nil {
					errs <- fmt.Errorf("Save(%s): %w", hash, err)
					return
				}
				got, err := s.Load(ctx, hash)
				if err != nil {
					errs <- fmt.Errorf("Load(%s): %w", hash, err)
					return
				}
				if d := same(got, want); d != "" {
					errs <- fmt.Errorf("store %s, round %d: %s", hash, n, d)
				}
				if n%4 == 3 {
					if err := s.Delete(ctx, hash); err != nil {
						errs <- fmt.Errorf("Delete(%s): %w", hash, err)
					}
				}
			}
		})
	}
	// Every goroutine also races one store, saved by all: whatever wins,
	// it loads as one whole install.
	shared := "shared1"
	for i := range stores {
		wg.Go(func() {
			if err := s.Save(ctx, install(shared, i)); err != nil {
				errs <- fmt.Errorf("Save(%s): %w", shared, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := mustLoad(t, s, shared)
	for i := range stores {
		if same(got, install(shared, i)) == "" {
			return
		}
	}
	t.Errorf("the store saved by many at once loads as no install that was saved: %v", got)
}
