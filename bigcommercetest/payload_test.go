package bigcommercetest_test

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// TestSignedPayloadIsWhatBigCommerceSends checks a fresh payload's header,
// its HMAC worked out by hand, and every claim an app reads.
func TestSignedPayloadIsWhatBigCommerceSends(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	p := newPlatform(t, bigcommercetest.WithClock(clk.Now))
	addStore(t, p, bigcommercetest.WithStoreHash("abc123"))
	app := registerApp(t, p, bigcommercetest.App{})
	jwt, err := p.SignedPayload(app.ClientID, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	if err := decodeSegment(strings.Split(jwt, ".")[0], &header); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"alg": "HS256", "typ": "JWT"}; !maps.Equal(header, want) {
		t.Errorf("header %v, want %v", header, want)
	}
	claims, broken := verifyPayload(jwt, app.ClientSecret, app.ClientID, clk.Now())
	if len(broken) != 0 {
		t.Fatalf("a fresh payload breaks %v", broken)
	}
	keys := slices.Sorted(maps.Keys(claims))
	if want := []string{"aud", "channel_id", "exp", "iat", "iss", "jti", "nbf", "owner", "sub", "url", "user"}; !slices.Equal(keys, want) {
		t.Errorf("claims %v, want %v", keys, want)
	}
	owner, _ := p.Owner("abc123")
	now := float64(clk.Now().Unix())
	for name, want := range map[string]any{
		"iss": "bc", "aud": app.ClientID, "sub": "stores/abc123", "url": "/", "channel_id": float64(1),
		"iat": now, "nbf": now - 5, "exp": now + 24*3600,
	} {
		if claims[name] != want {
			t.Errorf("%s = %v, want %v", name, claims[name], want)
		}
	}
	wantUser := map[string]any{"id": float64(owner.ID), "email": owner.Email, "locale": "en-US"}
	if got, _ := claims["user"].(map[string]any); !maps.Equal(got, wantUser) {
		t.Errorf("user %v, want %v", claims["user"], wantUser)
	}
	wantOwner := map[string]any{"id": float64(owner.ID), "email": owner.Email}
	if got, _ := claims["owner"].(map[string]any); !maps.Equal(got, wantOwner) {
		t.Errorf("owner %v, want %v", claims["owner"], wantOwner)
	}
	again, _ := p.SignedPayload(app.ClientID, "abc123")
	if again2, _ := verifyPayload(again, app.ClientSecret, app.ClientID, clk.Now()); again2["jti"] == claims["jti"] || claims["jti"] == "" {
		t.Errorf("jti %v then %v: want a fresh one each time", claims["jti"], again2["jti"])
	}
}

// TestEachFlawBreaksExactlyItsRule: a verifier that checks every rule but
// one accepts the payload of that one's flaw, so each flaw tests one rule.
func TestEachFlawBreaksExactlyItsRule(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	addStore(t, p, bigcommercetest.WithStoreHash("abc123"))
	app := registerApp(t, p, bigcommercetest.App{})
	rules := map[bigcommercetest.Flaw]string{
		bigcommercetest.Expired:       "exp",
		bigcommercetest.NotYetValid:   "nbf",
		bigcommercetest.Forged:        "signature",
		bigcommercetest.Tampered:      "signature",
		bigcommercetest.WrongAudience: "aud",
		bigcommercetest.WrongIssuer:   "iss",
		bigcommercetest.BadSubject:    "sub",
		bigcommercetest.NoExpiry:      "exp",
		bigcommercetest.AlgNone:       "alg",
		bigcommercetest.AlgHS512:      "alg",
	}
	flaws := bigcommercetest.Flaws()
	if len(flaws) != len(rules) {
		t.Fatalf("Flaws() has %d, this test knows %d", len(flaws), len(rules))
	}
	for _, f := range flaws {
		t.Run(f.String(), func(t *testing.T) {
			jwt, err := p.SignedPayload(app.ClientID, "abc123", f)
			if err != nil {
				t.Fatal(err)
			}
			claims, broken := verifyPayload(jwt, app.ClientSecret, app.ClientID, time.Now())
			if !slices.Equal(broken, []string{rules[f]}) {
				t.Errorf("breaks %v, want only %q", broken, rules[f])
			}
			if f == bigcommercetest.Tampered && claims["sub"] == "stores/abc123" {
				t.Error("Tampered left the subject as signed")
			}
		})
	}
}

func TestFlawsLeaveNoSlackForClockSkew(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	addStore(t, p, bigcommercetest.WithStoreHash("abc123"))
	app := registerApp(t, p, bigcommercetest.App{})
	// A verifier may allow a few minutes of skew; these are an hour out.
	const leeway = 5 * time.Minute
	for _, c := range []struct {
		flaw bigcommercetest.Flaw
		at   time.Time
		rule string
	}{
		{bigcommercetest.Expired, time.Now().Add(-leeway), "exp"},
		{bigcommercetest.NotYetValid, time.Now().Add(leeway), "nbf"},
	} {
		jwt, _ := p.SignedPayload(app.ClientID, "abc123", c.flaw)
		if _, broken := verifyPayload(jwt, app.ClientSecret, app.ClientID, c.at); !slices.Contains(broken, c.rule) {
			t.Errorf("%v seen %v away: breaks %v, want %s", c.flaw, leeway, broken, c.rule)
		}
	}
}

// TestSignPayloadWithoutAPlatform: a verifier's own tests sign what they
// like with the secret they like.
func TestSignPayloadWithoutAPlatform(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	pl := bigcommercetest.Payload{
		Issuer: "bc", Audience: "client", Subject: "stores/s1", ID: "j1",
		IssuedAt: now, ExpiresAt: now.Add(time.Minute),
		User:  bigcommercetest.User{ID: 7, Email: "a@example.com", Locale: "fr-FR"},
		Owner: bigcommercetest.User{ID: 6, Email: "o@example.com"},
		URL:   "/orders",
	}
	jwt := bigcommercetest.SignPayload(pl, "s3cret")
	claims, broken := verifyPayload(jwt, "s3cret", "client", now)
	if len(broken) != 0 {
		t.Fatalf("breaks %v", broken)
	}
	if _, ok := claims["nbf"]; ok {
		t.Error("a zero NotBefore was sent")
	}
	if v, ok := claims["channel_id"]; !ok || v != nil {
		t.Errorf("channel_id %v (present %t), want null for 0", v, ok)
	}
	if u := claims["user"].(map[string]any); u["locale"] != "fr-FR" || u["id"] != float64(7) || claims["url"] != "/orders" {
		t.Errorf("claims %v do not carry the payload's fields", claims)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
	var owner struct{ Owner map[string]any }
	json.Unmarshal(raw, &owner)
	if _, ok := owner.Owner["locale"]; ok {
		t.Error("the owner carries a locale; BigCommerce's owner has id and email only")
	}
}

func TestPayloadsNeedARegisteredAppAndAStore(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	addStore(t, p, bigcommercetest.WithStoreHash("abc123"))
	app := registerApp(t, p, bigcommercetest.App{})
	if _, err := p.SignedPayload("nobody", "abc123"); err == nil {
		t.Error("a payload for an unknown app was signed")
	}
	if _, err := p.SignedPayload(app.ClientID, "nostore"); err == nil || !strings.Contains(err.Error(), "nostore") {
		t.Errorf("payload for an unknown store: %v, want an error naming it", err)
	}
	if got := bigcommercetest.Flaw(99).String(); got != "Flaw(99)" {
		t.Errorf("unknown flaw prints %q", got)
	}
}
