package bcapp

import (
	"context"
	"errors"
	"time"
)

// The SQLite and PostgreSQL stores share one table layout: the token is
// kept sealed (see Keyring) beside the id of its key; the rest of the
// install, which is no secret, in plain columns.
const installsTable = "bcapp_installs"

// upsertInstall saves a row, replacing the store's previous one. Its
// numbered parameters read the same in PostgreSQL and SQLite, which binds
// $1 to $11 in the order they first appear.
const upsertInstall = `INSERT INTO ` + installsTable + ` (store_hash, key_id, token, scope,
	user_id, user_email, user_username, owner_id, owner_email, owner_username, installed_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
	ON CONFLICT (store_hash) DO UPDATE SET key_id = excluded.key_id, token = excluded.token,
	scope = excluded.scope, user_id = excluded.user_id, user_email = excluded.user_email,
	user_username = excluded.user_username, owner_id = excluded.owner_id,
	owner_email = excluded.owner_email, owner_username = excluded.owner_username,
	installed_at = excluded.installed_at`

// row is one install as the databases keep it.
type row struct {
	hash, keyID, scope string
	token              []byte
	user, owner        User
	installedAt        int64 // Unix microseconds
}

// saveArgs are the row's values in upsertInstall's order.
func (r row) saveArgs() []any {
	return []any{r.hash, r.keyID, r.token, r.scope, r.user.ID, r.user.Email, r.user.Username,
		r.owner.ID, r.owner.Email, r.owner.Username, r.installedAt}
}

// sealInstall validates in and seals its token.
func sealInstall(keys *Keyring, in Install) (row, error) {
	if err := in.Validate(); err != nil {
		return row{}, err
	}
	keyID, token, err := keys.seal(in.StoreHash, in.AccessToken)
	if err != nil {
		return row{}, err
	}
	return row{hash: in.StoreHash, keyID: keyID, token: token, scope: in.Scope, user: in.User, owner: in.Owner,
		installedAt: in.InstalledAt.UnixMicro()}, nil
}

// openInstall decrypts a row's token.
func openInstall(keys *Keyring, r row) (Install, error) {
	token, err := keys.open(r.hash, r.keyID, r.token)
	if err != nil {
		return Install{}, err
	}
	return Install{
		InstallInfo: InstallInfo{StoreHash: r.hash, Scope: r.scope, User: r.user, Owner: r.owner,
			InstalledAt: time.UnixMicro(r.installedAt)},
		AccessToken: token,
	}, nil
}

// sealedDB is what Reseal needs of a database.
type sealedDB interface {
	// stale lists the rows sealed with another key than keyID.
	stale(ctx context.Context, keyID string) ([]row, error)
	// replace swaps a row's sealed token for another unless the row has
	// changed since it was read: a reinstall meanwhile wins.
	replace(ctx context.Context, r row, keyID string, token []byte) error
}

// reseal re-encrypts with the keyring's first key every token sealed
// with another, and returns how many it re-encrypted.
func reseal(ctx context.Context, db sealedDB, keys *Keyring) (int, error) {
	rows, err := db.stale(ctx, keys.SealingKeyID())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		token, err := keys.open(r.hash, r.keyID, r.token)
		if err != nil {
			return n, err
		}
		keyID, sealed, err := keys.seal(r.hash, token)
		if err != nil {
			return n, err
		}
		if err := db.replace(ctx, r, keyID, sealed); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

var errNoKeyring = errors.New("bcapp: a keyring is required (NewKeyring)")
