package bcapp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the size of a token-encryption key: 32 random bytes, for
// AES-256. Make one with
//
//	head -c 32 /dev/urandom | base64
//
// and give it to the app from its secret store, decoded (DecodeKey).
const KeySize = 32

// keyHint says how to make a key, for DecodeKey's errors.
const keyHint = "it must be 32 random bytes in base64, such as the output of `head -c 32 /dev/urandom | base64`"

// DecodeKey decodes a token-encryption key kept as base64 text, as apps
// keep it in an environment variable or a secret store: the standard or
// the URL alphabet, padded or not, around spaces and line breaks that a
// paste brings in. It refuses a key that is not KeySize bytes, with an
// error that says how to make one and never quotes the text.
func DecodeKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("bcapp: no token key: " + keyHint)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.DecodeString(text)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("bcapp: the token key is %d bytes: %s", len(key), keyHint)
		}
		return key, nil
	}
	return nil, errors.New("bcapp: the token key is not base64: " + keyHint)
}

// Keyring holds the keys that the SQLite and PostgreSQL stores encrypt
// tokens with, by AES-256-GCM, with the store hash as additional data so
// that a ciphertext copied to another store's row does not decrypt. The
// first key encrypts; any of them decrypts. Each ciphertext is kept with
// the id of its key (a hash of the key, which reveals nothing of it).
//
// To rotate the key, with every instance of the app on one store:
//
//  1. run every instance with NewKeyring(old, new), so that all of them
//     can read what the new key will write;
//  2. run every instance with NewKeyring(new, old): new installs are
//     sealed with the new key;
//  3. call Reseal on the store once: it re-encrypts every token still
//     sealed with another key than the first;
//  4. run every instance with NewKeyring(new). A store opened with keys
//     that lack one its tokens were sealed with refuses to open, so a
//     step missed shows at once, not at a merchant's next call.
type Keyring struct {
	keys []ringKey
}

type ringKey struct {
	id   string // hex of the first 8 bytes of SHA-256 over a label and the key
	aead cipher.AEAD
}

// sealFormat is the first byte of every ciphertext, so that the format can
// change without guessing at old rows.
const sealFormat = 1

// NewKeyring returns a Keyring whose first key encrypts and whose keys all
// decrypt. Each key must be KeySize bytes, and no key may be given twice.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("bcapp: a keyring needs at least one key")
	}
	kr := &Keyring{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("bcapp: key %d of the keyring is %d bytes; it must be %d random bytes (AES-256)", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("bcapp: key %d of the keyring: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("bcapp: key %d of the keyring: %w", i, err)
		}
		sum := sha256.Sum256(append([]byte("bcapp token key id\x00"), k...))
		id := hex.EncodeToString(sum[:8])
		if slices.ContainsFunc(kr.keys, func(r ringKey) bool { return r.id == id }) {
			return nil, fmt.Errorf("bcapp: key %d of the keyring is given twice", i)
		}
		kr.keys = append(kr.keys, ringKey{id: id, aead: aead})
	}
	return kr, nil
}

// SealingKeyID is the id of the key that encrypts: the first.
func (k *Keyring) SealingKeyID() string { return k.keys[0].id }

// String names the keys by id, never by value.
func (k *Keyring) String() string {
	ids := make([]string, len(k.keys))
	for i, r := range k.keys {
		ids[i] = r.id
	}
	return "bcapp.Keyring{" + strings.Join(ids, ", ") + "}"
}

// Format makes every fmt verb print String.
func (k *Keyring) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// has reports whether the keyring holds the key with that id.
func (k *Keyring) has(id string) bool {
	return slices.ContainsFunc(k.keys, func(r ringKey) bool { return r.id == id })
}

// additionalData binds a ciphertext to its store.
func additionalData(storeHash string) []byte {
	return []byte("bcapp token v1\x00" + storeHash)
}

// seal encrypts the store's token with the first key and returns the
// key's id beside the ciphertext.
func (k *Keyring) seal(storeHash, token string) (keyID string, sealed []byte, err error) {
	r := k.keys[0]
	nonce := make([]byte, r.aead.NonceSize(), 1+r.aead.NonceSize()+len(token)+r.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("bcapp: drawing a nonce: %w", err)
	}
	out := append([]byte{sealFormat}, nonce...)
	return r.id, r.aead.Seal(out, nonce, []byte(token), additionalData(storeHash)), nil
}

// open decrypts what seal returned for the store. Its errors match
// ErrUndecryptable and never quote the ciphertext.
func (k *Keyring) open(storeHash, keyID string, sealed []byte) (string, error) {
	i := slices.IndexFunc(k.keys, func(r ringKey) bool { return r.id == keyID })
	if i < 0 {
		return "", fmt.Errorf("%w: the token of store %q was sealed with key %s, which is not among the keys given (%s): add the key it was sealed with",
			ErrUndecryptable, storeHash, keyID, k)
	}
	r := k.keys[i]
	n := r.aead.NonceSize()
	if len(sealed) < 1+n+r.aead.Overhead() || sealed[0] != sealFormat {
		return "", fmt.Errorf("%w: the token of store %q is not in the format this version seals", ErrUndecryptable, storeHash)
	}
	plain, err := r.aead.Open(nil, sealed[1:1+n], sealed[1+n:], additionalData(storeHash))
	if err != nil {
		return "", fmt.Errorf("%w: the token of store %q does not decrypt with key %s: its row was altered, or copied from another store's", ErrUndecryptable, storeHash, keyID)
	}
	return string(plain), nil
}

// checkKeyIDs is the error of opening a store that holds tokens sealed
// with keys the keyring lacks, or nil.
func (k *Keyring) checkKeyIDs(stored []string) error {
	var missing []string
	for _, id := range stored {
		if !k.has(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: the store holds tokens sealed with key(s) %s, which are not among the keys given (%s): give the keys they were sealed with, or Reseal with a keyring that holds them before dropping them",
		ErrUndecryptable, strings.Join(missing, ", "), k)
}
