package bcapp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/golang-jwt/jwt/v5"
)

// TestVerifyReadsAValidPayload: every claim comes back typed.
func TestVerifyReadsAValidPayload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, err := e.app.Verify(sign(t, with(claims("abc123"), "channel_id", 3, "url", "/products/7")))
	if err != nil {
		t.Fatal(err)
	}
	want := bcapp.Claims{
		StoreHash: "abc123",
		User:      bcapp.User{ID: 9128, Email: "user@example.com"},
		Owner:     bcapp.User{ID: 9127, Email: "owner@example.com"},
		Locale:    "en",
		URL:       "/products/7",
		ChannelID: 3,
		ID:        "jti-abc123-1",
		IssuedAt:  now.Add(-10 * time.Second),
		ExpiresAt: now.Add(24 * time.Hour),
	}
	if !c.IssuedAt.Equal(want.IssuedAt) || !c.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("times = %s, %s; want %s, %s", c.IssuedAt, c.ExpiresAt, want.IssuedAt, want.ExpiresAt)
	}
	c.IssuedAt, c.ExpiresAt = want.IssuedAt, want.ExpiresAt
	if *c != want {
		t.Errorf("claims = %+v\nwant     %+v", *c, want)
	}
	// A null channel is channel 0, and an aud given as a list that holds
	// the client ID is the client ID.
	c, err = e.app.Verify(sign(t, with(claims("abc123"), "aud", []string{"other", clientID})))
	if err != nil || c.ChannelID != 0 {
		t.Errorf("aud as a list, channel null: %+v, %v", c, err)
	}
}

// signed signs claims with another method or key than BigCommerce's.
func signed(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVerifyRefusesEachBrokenRule: each payload breaks exactly one rule,
// and the refusal names that rule's check, matches ErrInvalidPayload and
// quotes neither the payload nor the secret.
func TestVerifyRefusesEachBrokenRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := claims("abc123")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(t, good)
	parts := strings.Split(valid, ".")
	// The payload's claims changed after signing: a store hash swapped in.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"bc","aud":"` + clientID + `","exp":` +
		itoa(now.Add(time.Hour).Unix()) + `,"sub":"stores/zzz999"}`))
	leeway := bcapp.DefaultLeeway
	for _, tt := range []struct {
		name, payload, check string
	}{
		{"missing", "", "signed_payload_jwt"},
		{"too long", strings.Repeat("a", 9000), "signed_payload_jwt"},
		{"not a JWT", "hello", "format"},
		{"two parts", parts[0] + "." + parts[1], "format"},
		{"alg none", signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good), "alg"},
		{"alg HS512 with the right secret", signed(t, jwt.SigningMethodHS512, []byte(clientSecret), good), "alg"},
		{"alg RS256", signed(t, jwt.SigningMethodRS256, rsaKey, good), "alg"},
		{"alg unknown", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS999","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2], "alg"},
		{"wrong secret", signed(t, jwt.SigningMethodHS256, []byte("another-secret"), good), "signature"},
		{"claims changed after signing", parts[0] + "." + forged + "." + parts[2], "signature"},
		{"iss missing", sign(t, with(good, "iss", nil)), "iss"},
		{"iss not bc", sign(t, with(good, "iss", "bigcommerce")), "iss"},
		{"aud missing", sign(t, with(good, "aud", nil)), "aud"},
		{"aud another app", sign(t, with(good, "aud", "other-client")), "aud"},
		{"exp missing", sign(t, with(good, "exp", nil)), "exp"},
		{"exp an hour ago", sign(t, with(good, "exp", now.Add(-time.Hour).Unix())), "exp"},
		{"exp at the leeway's edge", sign(t, with(good, "exp", now.Add(-leeway).Unix())), "exp"},
		{"exp as text", sign(t, with(good, "exp", "tomorrow")), "format"},
		{"nbf a second past the leeway", sign(t, with(good, "nbf", now.Add(leeway+time.Second).Unix())), "nbf"},
		{"iat a second past the leeway", sign(t, with(good, "iat", now.Add(leeway+time.Second).Unix())), "iat"},
		{"sub missing", sign(t, with(good, "sub", nil)), "sub"},
		{"sub without stores/", sign(t, with(good, "sub", "abc123")), "sub"},
		{"sub store/", sign(t, with(good, "sub", "store/abc123")), "sub"},
		{"sub with capitals", sign(t, with(good, "sub", "stores/ABC123")), "sub"},
		{"sub with a path", sign(t, with(good, "sub", "stores/abc123/v2")), "sub"},
		{"sub with no hash", sign(t, with(good, "sub", "stores/")), "sub"},
		{"user id as text", sign(t, with(good, "user", map[string]any{"id": "9128"})), "format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := e.app.Verify(tt.payload)
			var pe *bcapp.PayloadError
			if !errors.Is(err, bcapp.ErrInvalidPayload) || !errors.As(err, &pe) {
				t.Fatalf("Verify = %+v, %v; want a *PayloadError matching ErrInvalidPayload", c, err)
			}
			if pe.Check != tt.check {
				t.Errorf("check = %q (%v), want %q", pe.Check, err, tt.check)
			}
			msg := err.Error()
			if strings.Contains(msg, clientSecret) || (len(tt.payload) > 8 && strings.Contains(msg, tt.payload[:8])) {
				t.Errorf("the refusal quotes the payload or the secret: %s", msg)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestVerifyLeewayBoundaries: a payload is accepted up to the leeway past
// exp and before nbf, and refused a second beyond; Config.Leeway moves
// the edge.
func TestVerifyLeewayBoundaries(t *testing.T) {
	t.Parallel()
	for _, leeway := range []time.Duration{0, 2 * time.Minute} {
		e := newEnv(t, func(c *bcapp.Config) { c.Leeway = leeway })
		effective := leeway
		if leeway == 0 {
			effective = bcapp.DefaultLeeway
		}
		for _, tt := range []struct {
			name string
			c    jwt.MapClaims
			ok   bool
		}{
			{"exp a second inside the leeway", with(claims("abc123"), "exp", now.Add(-effective+time.Second).Unix()), true},
			{"exp at the leeway", with(claims("abc123"), "exp", now.Add(-effective).Unix()), false},
			{"nbf at the leeway", with(claims("abc123"), "nbf", now.Add(effective).Unix()), true},
			{"nbf a second past the leeway", with(claims("abc123"), "nbf", now.Add(effective+time.Second).Unix()), false},
			{"iat at the leeway", with(claims("abc123"), "iat", now.Add(effective).Unix()), true},
		} {
			_, err := e.app.Verify(sign(t, tt.c))
			if (err == nil) != tt.ok {
				t.Errorf("leeway %s, %s: err = %v, want accepted %v", effective, tt.name, err, tt.ok)
			}
		}
	}
}

// TestVerifyAcceptsAReloadByDefault: a merchant who reloads the app's
// frame sends the same payload again; without Config.Replays it is
// accepted each time.
func TestVerifyAcceptsAReloadByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := sign(t, claims("abc123"))
	for i := range 3 {
		if _, err := e.app.Verify(p); err != nil {
			t.Fatalf("verify number %d: %v", i+1, err)
		}
	}
}

// TestVerifyRefusesReplaysWhenAsked: with a ReplayCache, a payload seen
// before is refused by its jti, another jti is not, a payload without a
// jti is refused, and the cache forgets an id once its payload expired.
func TestVerifyRefusesReplaysWhenAsked(t *testing.T) {
	t.Parallel()
	clock := now
	cache, size := bcapp.NewReplayCacheWithClock(func() time.Time { return clock })
	e := newEnv(t, func(c *bcapp.Config) { c.Replays = cache })
	bcapp.SetClock(e.app, func() time.Time { return clock })
	first := with(claims("abc123"), "exp", now.Add(time.Minute).Unix())
	if _, err := e.app.Verify(sign(t, first)); err != nil {
		t.Fatal(err)
	}
	var pe *bcapp.PayloadError
	if _, err := e.app.Verify(sign(t, first)); !errors.As(err, &pe) || pe.Check != "jti" {
		t.Errorf("the replay: %v, want a refusal on jti", err)
	}
	if _, err := e.app.Verify(sign(t, with(first, "jti", "another"))); err != nil {
		t.Errorf("another jti: %v", err)
	}
	if _, err := e.app.Verify(sign(t, with(first, "jti", nil))); !errors.As(err, &pe) || pe.Check != "jti" {
		t.Errorf("no jti: %v, want a refusal on jti", err)
	}
	// Past expiry and leeway, the cache sweeps the ids as it grows.
	clock = now.Add(time.Minute + bcapp.DefaultLeeway + time.Second)
	for i := range 100 {
		cache.FirstUse("later"+itoa(int64(i)), clock.Add(time.Hour))
	}
	if _, err := e.app.Verify(sign(t, with(first, "jti", "x"))); err == nil {
		t.Fatal("a payload verified past its exp")
	}
	if n := size(); n > 100 {
		t.Errorf("the cache holds %d ids after the first two expired and 100 came; it keeps expired ids", n)
	}
	if !cache.FirstUse("jti-abc123-1", clock.Add(time.Hour)) {
		t.Error("an id whose payload expired is still refused")
	}
}
