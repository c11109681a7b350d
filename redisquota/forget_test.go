package redisquota

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
)

// TestForgetDeletesTheStoresKeys: after Forget, no key of the store is
// left in Redis and the Limiter no longer holds it in memory, while
// another store's keys stay; forgetting twice is no error.
func TestForgetDeletesTheStoresKeys(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	l := newLimiter(t, rdb, WithKeyPrefix("forget"))
	gone, kept := rootOf(t, "gone"), rootOf(t, "kept")
	for _, root := range []string{gone, kept} {
		p := acquire(t, l, root)
		p.Report(http.StatusOK, rateHeader(150, 149, time.Second, time.Second))
		p.Release()
	}
	ctx := context.Background()
	count := func(root string) int {
		t.Helper()
		keys, err := rdb.Keys(ctx, "forget:{"+root+"}:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	if count(gone) == 0 || count(kept) == 0 {
		t.Fatalf("before Forget the stores have %d and %d keys; want some each", count(gone), count(kept))
	}
	if err := l.Forget(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if n := count(gone); n != 0 {
		t.Errorf("after Forget the store has %d keys left, want 0", n)
	}
	if count(kept) == 0 {
		t.Error("Forget deleted another store's keys")
	}
	if _, ok := l.stores.Load(gone); ok {
		t.Error("the Limiter still holds the forgotten store in memory")
	}
	if err := l.Forget(ctx, gone); err != nil {
		t.Errorf("forgetting a forgotten store: %v", err)
	}
}
