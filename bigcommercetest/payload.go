package bigcommercetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"time"
)

// User is a person on a store's account, as the login server's token
// answer and the signed payloads name them.
type User struct {
	// ID is the user's number on BigCommerce.
	ID int
	// Username appears in the token answer only.
	Username string
	// Email is the user's address, in both.
	Email string
	// Locale appears in a payload's user only, not its owner.
	Locale string
}

// Payload holds the claims of a signed_payload_jwt, the JWT that
// BigCommerce passes to an app's load, uninstall and remove-user
// callbacks. Platform.NewPayload fills it in as BigCommerce would; a test
// may change any field before SignPayload, to break one rule on purpose.
// An empty string or zero time leaves its claim out.
type Payload struct {
	// Issuer is "bc".
	Issuer string
	// Audience is the app's client ID.
	Audience string
	// Subject is "stores/{hash}".
	Subject string
	// ID (jti) is fresh for every payload.
	ID string
	// IssuedAt, NotBefore and ExpiresAt are iat, nbf and exp, sent in
	// whole seconds.
	IssuedAt, NotBefore, ExpiresAt time.Time
	// User is who acted: who opened the app, uninstalled it, or lost
	// access to it. Owner is the store's owner.
	User, Owner User
	// URL is the path inside the app the control panel asks for.
	URL string
	// ChannelID is the storefront channel; 0 is sent as null.
	ChannelID int
}

// The lifetimes of a fresh payload: the fake's choice, a day of validity
// and a few seconds of slack before it was issued.
const (
	payloadLifetime  = 24 * time.Hour
	payloadBackdated = 5 * time.Second
)

// NewPayload returns the claims BigCommerce would sign for the app and the
// store at this moment of the platform's clock, with the store's owner as
// the user. Neither needs the app to be installed: a test can send a load
// to a store that has not installed it, to check the refusal.
func (p *Platform) NewPayload(clientID, storeHash string) (Payload, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.appLocked(clientID); err != nil {
		return Payload{}, err
	}
	st, err := p.storeLocked(storeHash)
	if err != nil {
		return Payload{}, err
	}
	now := p.cfg.clock().Truncate(time.Second)
	return Payload{
		Issuer:    "bc",
		Audience:  clientID,
		Subject:   "stores/" + storeHash,
		ID:        newUUID(),
		IssuedAt:  now,
		NotBefore: now.Add(-payloadBackdated),
		ExpiresAt: now.Add(payloadLifetime),
		User:      st.owner,
		Owner:     st.owner,
		URL:       "/",
		ChannelID: 1,
	}, nil
}

// SignedPayload returns a fresh payload for the app and the store, signed
// with the app's client secret as BigCommerce signs it, or broken by each
// of flaws, for negative tests.
func (p *Platform) SignedPayload(clientID, storeHash string, flaws ...Flaw) (string, error) {
	pl, err := p.NewPayload(clientID, storeHash)
	if err != nil {
		return "", err
	}
	return SignPayload(pl, p.secret(clientID), flaws...), nil
}

func (p *Platform) secret(clientID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.apps[clientID].ClientSecret
}

// SignPayload signs pl as BigCommerce signs a signed_payload_jwt: a JWT
// with HS256 and the app's client secret. Each flaw then breaks one rule a
// verifier must check; see Flaw. It needs no Platform, for tests of a
// verifier alone.
func SignPayload(pl Payload, secret string, flaws ...Flaw) string {
	alg, tamper := "HS256", false
	for _, f := range flaws {
		switch f {
		case Expired:
			pl = shiftPayload(pl, -pl.ExpiresAt.Sub(pl.IssuedAt)-time.Hour)
		case NotYetValid:
			pl = shiftPayload(pl, time.Hour)
		case Forged:
			secret = "not-" + secret
		case WrongAudience:
			pl.Audience = "not-" + pl.Audience
		case WrongIssuer:
			pl.Issuer = "not-bc"
		case BadSubject:
			pl.Subject = "users/" + pl.Subject
		case NoExpiry:
			pl.ExpiresAt = time.Time{}
		case AlgNone, AlgHS512:
			alg = f.alg()
		case Tampered:
			tamper = true
		}
	}
	header := encodeSegment(map[string]string{"alg": alg, "typ": "JWT"})
	signed := header + "." + encodeSegment(pl.claims())
	sig := sign(alg, secret, signed)
	if tamper {
		// The signature stays that of the store the payload was issued
		// for; the claims now name another one.
		pl.Subject = "stores/tampered"
		signed = header + "." + encodeSegment(pl.claims())
	}
	return signed + "." + sig
}

func shiftPayload(pl Payload, d time.Duration) Payload {
	for _, t := range []*time.Time{&pl.IssuedAt, &pl.NotBefore, &pl.ExpiresAt} {
		if !t.IsZero() {
			*t = t.Add(d)
		}
	}
	return pl
}

func sign(alg, secret, signed string) string {
	var h func() hash.Hash
	switch alg {
	case "none":
		return ""
	case "HS512":
		h = sha512.New
	default:
		h = sha256.New
	}
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(signed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func encodeSegment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// wireClaims is a payload as its JSON goes out.
type wireClaims struct {
	Issuer    string    `json:"iss,omitempty"`
	Audience  string    `json:"aud,omitempty"`
	IssuedAt  *int64    `json:"iat,omitempty"`
	NotBefore *int64    `json:"nbf,omitempty"`
	ExpiresAt *int64    `json:"exp,omitempty"`
	ID        string    `json:"jti,omitempty"`
	Subject   string    `json:"sub,omitempty"`
	User      wireUser  `json:"user"`
	Owner     wireOwner `json:"owner"`
	URL       string    `json:"url"`
	ChannelID *int      `json:"channel_id"`
}

type wireUser struct {
	ID     int    `json:"id"`
	Email  string `json:"email"`
	Locale string `json:"locale"`
}

type wireOwner struct {
	ID    int    `json:"id"`
	Email string `json:"email"`
}

func (pl Payload) claims() wireClaims {
	unix := func(t time.Time) *int64 {
		if t.IsZero() {
			return nil
		}
		s := t.Unix()
		return &s
	}
	c := wireClaims{
		Issuer:    pl.Issuer,
		Audience:  pl.Audience,
		IssuedAt:  unix(pl.IssuedAt),
		NotBefore: unix(pl.NotBefore),
		ExpiresAt: unix(pl.ExpiresAt),
		ID:        pl.ID,
		Subject:   pl.Subject,
		User:      wireUser{ID: pl.User.ID, Email: pl.User.Email, Locale: pl.User.Locale},
		Owner:     wireOwner{ID: pl.Owner.ID, Email: pl.Owner.Email},
		URL:       pl.URL,
	}
	if pl.ChannelID != 0 {
		c.ChannelID = &pl.ChannelID
	}
	return c
}

// Flaw breaks a signed payload in one way that a callback's verifier must
// refuse; Flaws lists them all, for a table test.
type Flaw int

const (
	// Expired moves the payload's times back so that it expired an hour
	// ago, beyond any leeway for clock skew.
	Expired Flaw = iota + 1
	// NotYetValid moves them an hour ahead: not before is in the future.
	NotYetValid
	// Forged signs with a secret other than the app's.
	Forged
	// Tampered changes the subject to another store after signing.
	Tampered
	// WrongAudience names another app's client ID in aud.
	WrongAudience
	// WrongIssuer sets iss to something other than "bc".
	WrongIssuer
	// BadSubject makes sub other than "stores/{hash}".
	BadSubject
	// NoExpiry leaves exp out.
	NoExpiry
	// AlgNone sends alg "none" and no signature.
	AlgNone
	// AlgHS512 signs with HS512 and the right secret: a verifier must pin
	// the algorithm to HS256.
	AlgHS512
)

var flawNames = map[Flaw]string{
	Expired: "Expired", NotYetValid: "NotYetValid", Forged: "Forged", Tampered: "Tampered",
	WrongAudience: "WrongAudience", WrongIssuer: "WrongIssuer", BadSubject: "BadSubject",
	NoExpiry: "NoExpiry", AlgNone: "AlgNone", AlgHS512: "AlgHS512",
}

// String names the flaw as its constant, for subtest names.
func (f Flaw) String() string {
	if n, ok := flawNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Flaw(%d)", int(f))
}

func (f Flaw) alg() string {
	if f == AlgNone {
		return "none"
	}
	return "HS512"
}

// Flaws returns every Flaw, in the order of their constants.
func Flaws() []Flaw {
	out := make([]Flaw, 0, len(flawNames))
	for f := Expired; f <= AlgHS512; f++ {
		out = append(out, f)
	}
	return out
}
