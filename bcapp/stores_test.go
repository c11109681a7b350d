package bcapp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bcapp/tokenstoretest"
)

// TestStoreConformance holds the SQLite and PostgreSQL stores to the
// TokenStore contract.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			tokenstoretest.Run(t, func(t *testing.T) bcapp.TokenStore {
				// Each case needs an empty store: a database of its own.
				s, err := m.mk(t).open(t, newKey(t))
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

// TestStoresHoldNoTokenInPlainText: after installs and reinstalls, no
// byte the database keeps (the SQLite file and its write-ahead log; the
// PostgreSQL rows, and the server's files when the tests run their own)
// holds a token, as text, hex or base64, while the plain columns are
// there to be found.
func TestStoresHoldNoTokenInPlainText(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, b backend) {
		s, err := b.open(t, newKey(t))
		if err != nil {
			t.Fatal(err)
		}
		var tokens []string
		for i := range 20 {
			in := sampleInstall(fmt.Sprintf("store%d", i))
			if i%5 == 0 {
				in.AccessToken += "old"
				if err := s.Save(context.Background(), in); err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, in.AccessToken)
				in = sampleInstall(in.StoreHash)
			}
			if err := s.Save(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, in.AccessToken)
		}
		raw := b.raw(t)
		if !strings.Contains(string(raw), "marker-store7@example.com") {
			t.Fatalf("the raw bytes read (%d) do not hold the installs' plain columns: the test reads the wrong place", len(raw))
		}
		for _, tok := range tokens {
			if form := leaks(raw, tok); form != "" {
				t.Errorf("the database holds a token in plain text, as %q", form)
			}
		}
	})
}

// TestAWrongKeyIsAClearError: a store opened without the key its tokens
// were sealed with refuses to open; an instance that lacks the key of a
// token saved by another instance gets ErrUndecryptable from Client, and
// no request is sent with a garbage token; a ciphertext copied to another
// store's row does not decrypt.
func TestAWrongKeyIsAClearError(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, b backend) {
		k1, k2 := newKey(t), newKey(t)
		ctx := context.Background()
		other, err := b.open(t, k2) // opened while the table is empty
		if err != nil {
			t.Fatal(err)
		}
		s, err := b.open(t, k1)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"aaa111", "bbb222"} {
			if err := s.Save(ctx, sampleInstall(h)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.open(t, k2); !errors.Is(err, bcapp.ErrUndecryptable) || !strings.Contains(err.Error(), keyring(t, k1).SealingKeyID()) {
			t.Errorf("opening with another key: %v; want ErrUndecryptable naming the key id the tokens need", err)
		}
		e := newEnv(t, func(c *bcapp.Config) { c.Tokens = other })
		e.addStore(t, "aaa111")
		if _, err := e.app.Client(ctx, "aaa111"); !errors.Is(err, bcapp.ErrUndecryptable) {
			t.Errorf("Client with the wrong key: %v, want ErrUndecryptable", err)
		}
		if w := e.callback(t, "/load", claims("aaa111")); w.Code != http.StatusInternalServerError {
			t.Errorf("load with the wrong key: status %d, want 500", w.Code)
		}
		if n := e.requests(t, "aaa111"); n != 0 {
			t.Errorf("%d requests reached the store with the wrong key", n)
		}
		b.exec(t, `UPDATE bcapp_installs SET token = (SELECT token FROM bcapp_installs WHERE store_hash = 'aaa111') WHERE store_hash = 'bbb222'`)
		if _, err := s.Load(ctx, "bbb222"); !errors.Is(err, bcapp.ErrUndecryptable) {
			t.Errorf("a token moved to another store's row: %v, want ErrUndecryptable", err)
		}
		if in, err := s.Load(ctx, "aaa111"); err != nil || in.AccessToken != sampleInstall("aaa111").AccessToken {
			t.Errorf("the untouched row: %v", err)
		}
	})
}

// TestKeyRotation follows the steps Keyring documents: every step opens,
// every token loads, Reseal re-encrypts what the old key sealed (and only
// that), and after it the old key can go.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		oldKey, newKey := newKey(t), newKey(t)
		open := func(keys ...[]byte) sealedStore {
			t.Helper()
			s, err := b.open(t, keys...)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		loadAll := func(s sealedStore, hashes ...string) {
			t.Helper()
			for _, h := range hashes {
				if in, err := s.Load(ctx, h); err != nil || in.AccessToken != sampleInstall(h).AccessToken {
					t.Fatalf("Load(%s): %v", h, err)
				}
			}
		}
		s := open(oldKey)
		for _, h := range []string{"aaa", "bbb"} {
			if err := s.Save(ctx, sampleInstall(h)); err != nil {
				t.Fatal(err)
			}
		}
		loadAll(open(oldKey, newKey), "aaa", "bbb") // step 1
		s = open(newKey, oldKey)                    // step 2
		if err := s.Save(ctx, sampleInstall("ccc")); err != nil {
			t.Fatal(err)
		}
		loadAll(s, "aaa", "bbb", "ccc")
		if _, err := b.open(t, newKey); !errors.Is(err, bcapp.ErrUndecryptable) {
			t.Errorf("dropping the old key before Reseal: %v, want ErrUndecryptable", err)
		}
		n, err := s.Reseal(ctx) // step 3
		if err != nil || n != 2 {
			t.Errorf("Reseal = %d, %v; want the 2 tokens the old key sealed", n, err)
		}
		if n, err := s.Reseal(ctx); err != nil || n != 0 {
			t.Errorf("a second Reseal = %d, %v; want 0", n, err)
		}
		loadAll(open(newKey), "aaa", "bbb", "ccc") // step 4
		if _, err := b.open(t, oldKey); !errors.Is(err, bcapp.ErrUndecryptable) {
			t.Errorf("the old key alone after the rotation: %v, want ErrUndecryptable", err)
		}
	})
}

// TestTwoAppsShareOneStore: two App values on one database, as two
// instances of an app, install stores at the same time through their own
// handlers, and each serves every store.
func TestTwoAppsShareOneStore(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, b backend) {
		key := newKey(t)
		apps := make([]*env, 2)
		for i := range apps {
			s, err := b.open(t, key)
			if err != nil {
				t.Fatal(err)
			}
			var p *bcapptest.Platform
			if i > 0 {
				p = apps[0].p // one BigCommerce for both instances
			}
			apps[i] = newEnvOn(t, p, func(c *bcapp.Config) { c.Tokens = s })
		}
		const stores = 8
		links := make([]string, stores)
		for i := range links {
			links[i] = apps[0].authLink(t, fmt.Sprintf("shared%d", i))
		}
		var wg sync.WaitGroup
		for i := range stores {
			wg.Go(func() {
				if w := apps[i%2].get(links[i]); w.Code != http.StatusSeeOther {
					t.Errorf("install of shared%d on app %d: %d", i, i%2, w.Code)
				}
			})
		}
		wg.Wait()
		for i := range stores {
			hash := fmt.Sprintf("shared%d", i)
			for j, e := range apps {
				c, err := e.app.Client(context.Background(), hash)
				if err != nil {
					t.Fatalf("app %d, store %s: %v", j, hash, err)
				}
				if _, _, err := c.CustomerGroups.Count(context.Background(), nil); err != nil {
					t.Errorf("app %d, store %s: %v", j, hash, err)
				}
			}
		}
	})
}

// TestDecodeKey reads a key in every base64 form a secret store or a
// paste gives, and refuses the rest without quoting them.
func TestDecodeKey(t *testing.T) {
	t.Parallel()
	key := []byte("\xfb\xff" + strings.Repeat("k", bcapp.KeySize-2)) // + and / in standard base64
	for _, text := range []string{
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key) + "\n",
		"  " + base64.StdEncoding.EncodeToString(key) + "\r\n",
	} {
		got, err := bcapp.DecodeKey(text)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("DecodeKey(%q) = %x, %v; want the key", text, got, err)
		}
	}
	for _, text := range []string{"", " \n", "not base64 at all!", base64.StdEncoding.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 'x'))} {
		_, err := bcapp.DecodeKey(text)
		if err == nil || !strings.Contains(err.Error(), "32 random bytes in base64") {
			t.Errorf("DecodeKey(%q) = %v; want a refusal that says how to make a key", text, err)
		}
		if len(strings.TrimSpace(text)) > 4 && strings.Contains(err.Error(), strings.TrimSpace(text)) {
			t.Errorf("DecodeKey's error quotes the text: %v", err)
		}
	}
}
