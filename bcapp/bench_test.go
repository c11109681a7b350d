package bcapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bcapp/internal/pgtest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/jackc/pgx/v5"
)

// BenchmarkClient: App.Client for a pooled store against the floor, a map
// lookup under a mutex, over the same 10,000 stores in one run.
func BenchmarkClient(b *testing.B) {
	app, floor, hashes := pooledStores(b, 10_000)
	ctx := context.Background()
	b.Run("App", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _ = app.Client(ctx, hashes[i%len(hashes)])
		}
	})
	b.Run("Floor", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = floor.get(hashes[i%len(hashes)])
		}
	})
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkPoolAtItsBound10000 reports the memory of a pool holding the
// clients of 10,000 stores, at a bound of 10,000, and of the memory store
// holding their installs.
func BenchmarkPoolAtItsBound10000(b *testing.B) {
	for b.Loop() {
		before := heapInUse()
		store := bcapp.NewMemoryStore()
		ctx := context.Background()
		for i := range 10_000 {
			if err := store.Save(ctx, sampleInstall(fmt.Sprintf("store%d", i))); err != nil {
				b.Fatal(err)
			}
		}
		stored := heapInUse()
		app, err := bcapp.New(bcapp.Config{ClientID: clientID, ClientSecret: clientSecret,
			AuthCallbackURL: "https://app.example.com/auth", Tokens: store, MaxClients: 10_000})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 10_000 {
			if _, err := app.Client(ctx, fmt.Sprintf("store%d", i)); err != nil {
				b.Fatal(err)
			}
		}
		pooled := heapInUse()
		if n := bcapp.PoolSize(app); n != 10_000 {
			b.Fatalf("the pool holds %d clients", n)
		}
		b.ReportMetric(float64(pooled-stored)/10_000, "pool-B/store")
		b.ReportMetric(float64(pooled-stored)/(1<<20), "pool-MiB")
		b.ReportMetric(float64(stored-before)/10_000, "memstore-B/store")
		runtime.KeepAlive(app)
	}
}

// scaleStore is a token store already holding 10,000 installs.
type scaleStore struct {
	name string
	open func(b *testing.B) bcapp.TokenStore
}

func scaleStores() []scaleStore {
	return []scaleStore{
		{name: "Memory", open: func(*testing.B) bcapp.TokenStore { return bcapp.NewMemoryStore() }},
		{name: "SQLite", open: func(b *testing.B) bcapp.TokenStore {
			s, err := bcapp.OpenSQLite(filepath.Join(b.TempDir(), "app.db"), newKey(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{name: "PostgreSQL", open: func(b *testing.B) bcapp.TokenStore {
			s, err := bcapp.OpenPostgres(context.Background(), postgresDSN(b), newKey(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

// fill saves 10,000 installs.
func fill(b *testing.B, s bcapp.TokenStore) {
	ctx := context.Background()
	for i := range 10_000 {
		if err := s.Save(ctx, sampleInstall(fmt.Sprintf("store%d", i))); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEnv is an App on the token store for a benchmark, against a
// platform whose login server trades the codes of the installs it starts;
// the API is never called.
func benchEnv(b *testing.B, s bcapp.TokenStore) (*bcapp.App, *bcapptest.Platform) {
	p := bcapptest.New(b, bcapptest.Credentials(clientID, clientSecret), bcapptest.CallbacksAt(""),
		bcapptest.PlatformOptions(bigcommercetest.WithClock(func() time.Time { return now })))
	cfg := p.Config
	cfg.Tokens = s
	app, err := bcapp.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	bcapp.SetClock(app, func() time.Time { return now })
	return app, p
}

func postgresDSN(b *testing.B) string { return pgtest.Get(b).DSN(b) }

// BenchmarkInstall10000: one install through /auth, the code exchanged
// at a login server on loopback, into a store that holds 10,000 installs.
func BenchmarkInstall10000(b *testing.B) {
	for _, st := range scaleStores() {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			fill(b, s)
			app, p := benchEnv(b, s)
			h := app.Handler()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				hash := fmt.Sprintf("new%d", i)
				if _, err := p.AddStore(bigcommercetest.WithStoreHash(hash)); err != nil {
					b.Fatal(err)
				}
				link, err := p.StartInstall(clientID, hash, "")
				if err != nil {
					b.Fatal(err)
				}
				r := httptest.NewRequest(http.MethodGet, "/auth?"+link[strings.Index(link, "?")+1:], nil)
				w := httptest.NewRecorder()
				b.StartTimer()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusSeeOther {
					b.Fatalf("install: %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkUninstall10000: one uninstall through /uninstall, its payload
// verified, from a store that holds 10,000 installs.
func BenchmarkUninstall10000(b *testing.B) {
	for _, st := range scaleStores() {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			fill(b, s)
			app, _ := benchEnv(b, s)
			h := app.Handler()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				c := claims(fmt.Sprintf("store%d", i%10_000))
				r := httptest.NewRequest(http.MethodGet, "/uninstall?signed_payload_jwt="+sign(b, c), nil)
				w := httptest.NewRecorder()
				b.StartTimer()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusNoContent {
					b.Fatalf("uninstall: %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkStoreSize10000 reports the bytes the SQLite file (and its
// write-ahead log) and the PostgreSQL table take for 10,000 installs.
func BenchmarkStoreSize10000(b *testing.B) {
	b.Run("SQLite", func(b *testing.B) {
		for b.Loop() {
			path := filepath.Join(b.TempDir(), "app.db")
			s, err := bcapp.OpenSQLite(path, newKey(b))
			if err != nil {
				b.Fatal(err)
			}
			fill(b, s)
			var size int64
			for _, f := range []string{path, path + "-wal"} {
				if fi, err := os.Stat(f); err == nil {
					size += fi.Size()
				}
			}
			_ = s.Close()
			b.ReportMetric(float64(size)/10_000, "B/store")
		}
	})
	b.Run("PostgreSQL", func(b *testing.B) {
		for b.Loop() {
			dsn := postgresDSN(b)
			s, err := bcapp.OpenPostgres(context.Background(), dsn, newKey(b))
			if err != nil {
				b.Fatal(err)
			}
			fill(b, s)
			_ = s.Close()
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			var size int64
			err = conn.QueryRow(context.Background(), `SELECT pg_total_relation_size('bcapp_installs')`).Scan(&size)
			_ = conn.Close(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(size)/10_000, "B/store")
		}
	})
}
