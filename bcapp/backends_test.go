package bcapp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sealedStore is what the SQLite and PostgreSQL stores have in common.
type sealedStore interface {
	bcapp.TokenStore
	Reseal(ctx context.Context) (int, error)
	Close() error
}

// backend opens stores on one database, as separate instances of an app
// would, and reads what the database holds.
type backend struct {
	// open opens a store on the backend's database with the keys.
	open func(t *testing.T, keys ...[]byte) (sealedStore, error)
	// raw is every byte the database keeps: its files, or its rows as
	// text and, for the private server, its files.
	raw func(t *testing.T) []byte
	// exec runs SQL on the database directly.
	exec func(t *testing.T, query string)
}

func newKey(t testing.TB) []byte {
	k := make([]byte, bcapp.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func keyring(t testing.TB, keys ...[]byte) *bcapp.Keyring {
	kr, err := bcapp.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func sqliteBackend(t *testing.T) backend {
	path := filepath.Join(t.TempDir(), "app.db")
	return backend{
		open: func(t *testing.T, keys ...[]byte) (sealedStore, error) {
			s, err := bcapp.OpenSQLiteKeyring(path, keyring(t, keys...))
			if err == nil {
				t.Cleanup(func() { _ = s.Close() })
			}
			return s, err
		},
		raw: func(t *testing.T) []byte {
			var all []byte
			for _, f := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(f)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			return all
		},
		exec: func(t *testing.T, query string) {
			db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
	}
}

func postgresBackend(t *testing.T) backend {
	srv := pgtest.Get(t)
	dsn := srv.DSN(t)
	query := func(t *testing.T, q string) string {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var out string
		if err := conn.QueryRow(ctx, q).Scan(&out); err != nil && err != pgx.ErrNoRows {
			t.Fatalf("%s: %v", q, err)
		}
		return out
	}
	return backend{
		open: func(t *testing.T, keys ...[]byte) (sealedStore, error) {
			var s *bcapp.PostgresStore
			var err error
			if len(keys) == 1 {
				s, err = bcapp.OpenPostgres(context.Background(), dsn, keys[0])
			} else {
				pool, perr := pgxpoolNew(t, dsn)
				if perr != nil {
					return nil, perr
				}
				s, err = bcapp.NewPostgresStore(context.Background(), pool, keyring(t, keys...))
			}
			if err == nil {
				t.Cleanup(func() { _ = s.Close() })
			}
			return s, err
		},
		raw: func(t *testing.T) []byte {
			all := []byte(query(t, `SELECT coalesce(string_agg(t::text, E'\n'), '') FROM bcapp_installs t`))
			if dir := srv.DataDir(); dir != "" {
				query(t, `CHECKPOINT`)
				err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					b, err := os.ReadFile(p)
					if err == nil {
						all = append(all, b...)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			return all
		},
		exec: func(t *testing.T, q string) { query(t, "WITH done AS ("+q+" RETURNING 1) SELECT ''") },
	}
}

// makers make each backend, on a database of its own.
var makers = []struct {
	name string
	mk   func(*testing.T) backend
}{{"SQLite", sqliteBackend}, {"PostgreSQL", postgresBackend}}

// backends runs f on each backend, as a parallel subtest named for it.
func backends(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range makers {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b.mk(t))
		})
	}
}

func pgxpoolNew(t *testing.T, dsn string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(context.Background(), dsn)
	if err == nil {
		t.Cleanup(pool.Close)
	}
	return pool, err
}

// leaks reports the first form of a token found in raw: as it is, in hex
// or in base64.
func leaks(raw []byte, token string) string {
	for _, form := range []string{token, hex.EncodeToString([]byte(token)), base64.StdEncoding.EncodeToString([]byte(token))} {
		if bytes.Contains(raw, []byte(form)) {
			return form
		}
	}
	return ""
}

// sampleInstall is an install with a token easy to find.
func sampleInstall(hash string) bcapp.Install {
	return bcapp.Install{
		InstallInfo: bcapp.InstallInfo{StoreHash: hash, Scope: "store_v2_customers",
			User: bcapp.User{ID: 1, Email: "marker-" + hash + "@example.com"}, InstalledAt: time.Now()},
		AccessToken: "TOKENplain" + hash + "9f8e7d6c5b4a",
	}
}
