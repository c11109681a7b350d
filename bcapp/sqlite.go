package bcapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// openTimeout bounds what opening a store does: connect, create the table,
// check the keys.
const openTimeout = 30 * time.Second

// SQLiteStore is a TokenStore in an SQLite file, for an app on one
// machine: several App values in one or more processes of the machine may
// share the file. Tokens are encrypted (see Keyring), so the file, its
// write-ahead log and its backups hold no usable token. It uses
// modernc.org/sqlite, in pure Go: no cgo.
type SQLiteStore struct {
	db   *sql.DB
	keys *Keyring
}

var _ interface {
	TokenStore
	io.Closer
} = (*SQLiteStore)(nil)

// OpenSQLite opens, or creates, the SQLite store at path, whose tokens
// are encrypted with key (KeySize random bytes). OpenSQLiteKeyring takes
// several keys, to rotate them.
func OpenSQLite(path string, key []byte) (*SQLiteStore, error) {
	keys, err := NewKeyring(key)
	if err != nil {
		return nil, err
	}
	return OpenSQLiteKeyring(path, keys)
}

// OpenSQLiteKeyring opens, or creates, the SQLite store at path with the
// keys of keys. It refuses a file that holds tokens sealed with a key the
// keyring lacks.
func OpenSQLiteKeyring(path string, keys *Keyring) (*SQLiteStore, error) {
	if keys == nil {
		return nil, errNoKeyring
	}
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("bcapp: OpenSQLite: the path must name a file, without '?' or '#' (use NewMemoryStore for a store in memory), got %q", path)
	}
	// WAL lets readers and a writer work at once, and busy_timeout makes a
	// writer wait for another process's write instead of failing.
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("bcapp: OpenSQLite: %w", err)
	}
	s := &SQLiteStore{db: db, keys: keys}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	if err := s.init(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bcapp: OpenSQLite %s: %w", path, err)
	}
	return s, nil
}

func (s *SQLiteStore) init(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+installsTable+` (
		store_hash     TEXT PRIMARY KEY,
		key_id         TEXT NOT NULL,
		token          BLOB NOT NULL,
		scope          TEXT NOT NULL,
		user_id        INTEGER NOT NULL,
		user_email     TEXT NOT NULL,
		user_username  TEXT NOT NULL,
		owner_id       INTEGER NOT NULL,
		owner_email    TEXT NOT NULL,
		owner_username TEXT NOT NULL,
		installed_at   INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	ids, err := queryStrings(ctx, s.db, `SELECT DISTINCT key_id FROM `+installsTable)
	if err != nil {
		return err
	}
	return s.keys.checkKeyIDs(ids)
}

// queryStrings runs a query of one text column.
func queryStrings(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Save keeps the install, its token encrypted, replacing the store's
// previous one.
func (s *SQLiteStore) Save(ctx context.Context, in Install) error {
	r, err := sealInstall(s.keys, in)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, upsertInstall, r.saveArgs()...)
	if err != nil {
		return fmt.Errorf("bcapp: saving the install of store %q: %w", in.StoreHash, err)
	}
	return nil
}

const rowColumns = `store_hash, key_id, token, scope, user_id, user_email, user_username,
	owner_id, owner_email, owner_username, installed_at`

type scanner interface{ Scan(dest ...any) error }

func scanRow(sc scanner) (row, error) {
	var r row
	err := sc.Scan(&r.hash, &r.keyID, &r.token, &r.scope, &r.user.ID, &r.user.Email, &r.user.Username,
		&r.owner.ID, &r.owner.Email, &r.owner.Username, &r.installedAt)
	return r, err
}

// Load returns the store's install with its token decrypted.
func (s *SQLiteStore) Load(ctx context.Context, storeHash string) (Install, error) {
	r, err := scanRow(s.db.QueryRowContext(ctx, `SELECT `+rowColumns+` FROM `+installsTable+` WHERE store_hash = ?`, storeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return Install{}, notInstalled(storeHash)
	}
	if err != nil {
		return Install{}, fmt.Errorf("bcapp: loading the install of store %q: %w", storeHash, err)
	}
	return openInstall(s.keys, r)
}

// Delete forgets the store's install.
func (s *SQLiteStore) Delete(ctx context.Context, storeHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+installsTable+` WHERE store_hash = ?`, storeHash); err != nil {
		return fmt.Errorf("bcapp: deleting the install of store %q: %w", storeHash, err)
	}
	return nil
}

// Reseal re-encrypts with the keyring's first key every token sealed with
// another, and returns how many it re-encrypted: step 3 of a key rotation
// (see Keyring). It may run while the app serves; an install saved
// meanwhile is kept as it was saved.
func (s *SQLiteStore) Reseal(ctx context.Context) (int, error) {
	return reseal(ctx, sqliteSealed{s.db}, s.keys)
}

// Close closes the database.
func (s *SQLiteStore) Close() error { return s.db.Close() }

type sqliteSealed struct{ db *sql.DB }

func (d sqliteSealed) stale(ctx context.Context, keyID string) ([]row, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+rowColumns+` FROM `+installsTable+` WHERE key_id <> ?`, keyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (d sqliteSealed) replace(ctx context.Context, r row, keyID string, token []byte) error {
	_, err := d.db.ExecContext(ctx, `UPDATE `+installsTable+` SET key_id = ?, token = ? WHERE store_hash = ? AND key_id = ? AND token = ?`,
		keyID, token, r.hash, r.keyID, r.token)
	return err
}
