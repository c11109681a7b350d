package bcapp

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresStore is a TokenStore in a PostgreSQL table, for an app whose
// instances run on many machines: they share the database. Tokens are
// encrypted (see Keyring), so the table, its backups and its replicas
// hold no usable token. It uses github.com/jackc/pgx/v5.
type PostgresStore struct {
	pool  *pgxpool.Pool
	owned bool // Close closes the pool
	keys  *Keyring
}

var _ TokenStore = (*PostgresStore)(nil)

// OpenPostgres connects to the database at dsn (a URL or key=value
// string, as pgx takes them) and opens the store in it, creating its table
// (bcapp_installs, in the connection's search path) if needed. Tokens are
// encrypted with key (KeySize random bytes). Close closes the connections.
func OpenPostgres(ctx context.Context, dsn string, key []byte) (*PostgresStore, error) {
	keys, err := NewKeyring(key)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		// pgx's message hides the password; ours does not add the DSN.
		return nil, fmt.Errorf("bcapp: OpenPostgres: %w", err)
	}
	s, err := NewPostgresStore(ctx, pool, keys)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// NewPostgresStore opens the store in the database of pool, which the
// app keeps and closes itself, with the keys of keys. It refuses a table
// that holds tokens sealed with a key the keyring lacks.
func NewPostgresStore(ctx context.Context, pool *pgxpool.Pool, keys *Keyring) (*PostgresStore, error) {
	if pool == nil {
		return nil, errors.New("bcapp: NewPostgresStore: the pool must not be nil")
	}
	if keys == nil {
		return nil, errNoKeyring
	}
	s := &PostgresStore{pool: pool, keys: keys}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := s.init(ctx); err != nil {
		return nil, fmt.Errorf("bcapp: opening the PostgreSQL store: %w", err)
	}
	return s, nil
}

// pgLockKey serializes the creation of the table: two instances starting
// together would otherwise race in CREATE TABLE IF NOT EXISTS, which
// PostgreSQL does not make safe against itself.
const pgLockKey = 0x6263617070 // "bcapp"

func (s *PostgresStore) init(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgLockKey)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+installsTable+` (
			store_hash     text PRIMARY KEY,
			key_id         text NOT NULL,
			token          bytea NOT NULL,
			scope          text NOT NULL,
			user_id        bigint NOT NULL,
			user_email     text NOT NULL,
			user_username  text NOT NULL,
			owner_id       bigint NOT NULL,
			owner_email    text NOT NULL,
			owner_username text NOT NULL,
			installed_at   bigint NOT NULL
		)`)
		return err
	})
	if err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT key_id FROM `+installsTable)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return s.keys.checkKeyIDs(ids)
}

// Save keeps the install, its token encrypted, replacing the store's
// previous one.
func (s *PostgresStore) Save(ctx context.Context, in Install) error {
	r, err := sealInstall(s.keys, in)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, upsertInstall, r.saveArgs()...)
	if err != nil {
		return fmt.Errorf("bcapp: saving the install of store %q: %w", in.StoreHash, err)
	}
	return nil
}

// Load returns the store's install with its token decrypted.
func (s *PostgresStore) Load(ctx context.Context, storeHash string) (Install, error) {
	r, err := scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM `+installsTable+` WHERE store_hash = $1`, storeHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return Install{}, notInstalled(storeHash)
	}
	if err != nil {
		return Install{}, fmt.Errorf("bcapp: loading the install of store %q: %w", storeHash, err)
	}
	return openInstall(s.keys, r)
}

// Delete forgets the store's install.
func (s *PostgresStore) Delete(ctx context.Context, storeHash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM `+installsTable+` WHERE store_hash = $1`, storeHash); err != nil {
		return fmt.Errorf("bcapp: deleting the install of store %q: %w", storeHash, err)
	}
	return nil
}

// Reseal re-encrypts with the keyring's first key every token sealed with
// another, and returns how many it re-encrypted: step 3 of a key rotation
// (see Keyring). It may run while the app serves; an install saved
// meanwhile is kept as it was saved.
func (s *PostgresStore) Reseal(ctx context.Context) (int, error) {
	return reseal(ctx, pgSealed{s.pool}, s.keys)
}

// Close closes the connections when OpenPostgres made them; a pool given
// to NewPostgresStore is the app's to close.
func (s *PostgresStore) Close() error {
	if s.owned {
		s.pool.Close()
	}
	return nil
}

type pgSealed struct{ pool *pgxpool.Pool }

func (d pgSealed) stale(ctx context.Context, keyID string) ([]row, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+rowColumns+` FROM `+installsTable+` WHERE key_id <> $1`, keyID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) { return scanRow(r) })
}

func (d pgSealed) replace(ctx context.Context, r row, keyID string, token []byte) error {
	_, err := d.pool.Exec(ctx, `UPDATE `+installsTable+` SET key_id = $1, token = $2 WHERE store_hash = $3 AND key_id = $4 AND token = $5`,
		keyID, token, r.hash, r.keyID, r.token)
	return err
}
