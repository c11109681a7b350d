package bcapp

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims is what a verified signed payload says: which store, which user,
// and what the control panel asked for.
type Claims struct {
	StoreHash string
	// User is the user acting: who opens the app (load), uninstalls it,
	// or is removed (remove_user).
	User User
	// Owner owns the store.
	Owner User
	// Locale is the user's locale, such as "en".
	Locale string
	// URL is the path inside the app that the control panel asked for.
	URL string
	// ChannelID is the channel the app was opened for, or 0 when the
	// payload names none.
	ChannelID int
	// ID is the payload's jti, unique to each payload BigCommerce signs.
	ID string
	// IssuedAt and ExpiresAt bound the payload's validity.
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// DefaultLeeway is the clock skew allowed between BigCommerce and the app
// on a payload's exp, nbf and iat, unless Config.Leeway says otherwise. A
// minute covers clocks kept by NTP with room to spare; MaxLeeway bounds
// what a Config may ask.
const (
	DefaultLeeway = time.Minute
	MaxLeeway     = 5 * time.Minute
)

// maxPayloadBytes bounds a payload before it is parsed: BigCommerce's are
// well under 2 KiB.
const maxPayloadBytes = 8 << 10

// payloadIssuer is the iss of every payload BigCommerce signs.
const payloadIssuer = "bc"

// wireUser and wireClaims are the payload as BigCommerce encodes it.
type wireUser struct {
	ID     int    `json:"id"`
	Email  string `json:"email"`
	Locale string `json:"locale"`
}

type wireClaims struct {
	jwt.RegisteredClaims
	User      wireUser `json:"user"`
	Owner     wireUser `json:"owner"`
	URL       string   `json:"url"`
	ChannelID *int     `json:"channel_id"`
}

// newPayloadParser pins everything a BigCommerce payload must be: HS256,
// iss "bc", aud the client ID, exp present, exp/nbf/iat within the leeway.
func newPayloadParser(clientID string, leeway time.Duration, now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(payloadIssuer),
		jwt.WithAudience(clientID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
	)
}

// Verify checks a signed_payload_jwt as BigCommerce sends it to the load,
// uninstall and remove_user callbacks, and returns its claims. It is
// verified by golang-jwt with the algorithm pinned to HS256 and the client
// secret as the key; iss must be "bc", aud the client ID, exp present and
// not past, nbf and iat not in the future, each with Config.Leeway for
// clock skew; sub must be "stores/{hash}" with a valid store hash. With
// Config.Replays set, a payload whose jti was seen before is refused too.
//
// Every refusal is a *PayloadError matching ErrInvalidPayload that names
// the check, and never quotes the payload or the secret.
func (a *App) Verify(signedPayloadJWT string) (*Claims, error) {
	switch {
	case signedPayloadJWT == "":
		return nil, &PayloadError{"signed_payload_jwt", "is missing"}
	case len(signedPayloadJWT) > maxPayloadBytes:
		return nil, &PayloadError{"signed_payload_jwt", fmt.Sprintf("is longer than %d bytes", maxPayloadBytes)}
	}
	var wc wireClaims
	tok, err := a.payloads.ParseWithClaims(signedPayloadJWT, &wc, a.payloadKey)
	if err != nil {
		return nil, payloadRefusal(tok, &wc, err)
	}
	hash, ok := strings.CutPrefix(wc.Subject, "stores/")
	if !ok || !validStoreHash(hash) {
		return nil, &PayloadError{"sub", `must be "stores/{hash}" with a store hash of lowercase letters and digits`}
	}
	if a.replays != nil {
		if wc.ID == "" {
			return nil, &PayloadError{"jti", "is missing, and replays are refused"}
		}
		if !a.replays.FirstUse(wc.ID, wc.ExpiresAt.Add(a.leeway)) {
			return nil, &PayloadError{"jti", "was used before: the payload is replayed"}
		}
	}
	c := &Claims{
		StoreHash: hash,
		User:      User{ID: wc.User.ID, Email: wc.User.Email},
		Owner:     User{ID: wc.Owner.ID, Email: wc.Owner.Email},
		Locale:    wc.User.Locale,
		URL:       wc.URL,
		ID:        wc.ID,
		ExpiresAt: wc.ExpiresAt.Time,
	}
	if wc.ChannelID != nil {
		c.ChannelID = *wc.ChannelID
	}
	if wc.IssuedAt != nil {
		c.IssuedAt = wc.IssuedAt.Time
	}
	return c, nil
}

// payloadKey hands golang-jwt the client secret, for HS256 only: the
// parser already refuses other algorithms, and this keeps the secret from
// ever serving as another algorithm's key.
func (a *App) payloadKey(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, errors.New("unexpected algorithm")
	}
	return []byte(a.secret), nil
}

// payloadRefusal turns golang-jwt's error into the check that failed. The
// library's own text is not kept: it is not ours to promise that it never
// quotes the token.
func payloadRefusal(tok *jwt.Token, wc *wireClaims, err error) *PayloadError {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &PayloadError{"format", "is not a well-formed JWT with the claims BigCommerce sends"}
	case errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, jwt.ErrTokenSignatureInvalid) && headerAlg(tok) != jwt.SigningMethodHS256.Alg():
		return &PayloadError{"alg", fmt.Sprintf("is %s; only HS256 is accepted", quoteShort(headerAlg(tok)))}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return &PayloadError{"signature", "does not match: the payload was not signed with the app's client secret"}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &PayloadError{missingClaim(wc), "is missing"}
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return &PayloadError{"iss", `must be "bc"`}
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return &PayloadError{"aud", "must be the app's client ID"}
	case errors.Is(err, jwt.ErrTokenExpired):
		return &PayloadError{"exp", "has passed: the payload expired"}
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return &PayloadError{"nbf", "is in the future: the payload is not valid yet"}
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return &PayloadError{"iat", "is in the future"}
	}
	return &PayloadError{"format", "could not be verified"}
}

// missingClaim names the required claim the payload lacks, in the order
// the parser checks them.
func missingClaim(wc *wireClaims) string {
	switch {
	case wc.ExpiresAt == nil:
		return "exp"
	case len(wc.Audience) == 0 || wc.Audience[0] == "":
		return "aud"
	}
	return "iss"
}

// headerAlg is the alg the token's header names, or "".
func headerAlg(tok *jwt.Token) string {
	if tok == nil {
		return ""
	}
	alg, _ := tok.Header["alg"].(string)
	return alg
}

// quoteShort quotes an attacker's string for an error, cut short.
func quoteShort(s string) string {
	if len(s) > 16 {
		s = s[:16] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// ReplayCache remembers the ids (jti) of payloads already verified, so
// that Verify can refuse one sent twice while it is still valid. Set one
// in Config.Replays to turn that on; see Config.Replays for why it is off
// by default.
type ReplayCache interface {
	// FirstUse records jti until expires and reports whether it was not
	// recorded already. It must be safe for concurrent use.
	FirstUse(jti string, expires time.Time) bool
}

// NewReplayCache returns a ReplayCache held in memory. It refuses replays
// to one process only: instances of an app behind a load balancer need a
// shared one (in Redis or the database, say) to refuse a payload replayed
// to another instance. It forgets each id once its payload has expired.
func NewReplayCache() ReplayCache { return newMemoryReplays(time.Now) }

type memoryReplays struct {
	now func() time.Time

	mu        sync.Mutex
	seen      map[string]time.Time
	sweepSize int // sweep the expired ids when seen grows past this
}

func newMemoryReplays(now func() time.Time) *memoryReplays {
	return &memoryReplays{now: now, seen: make(map[string]time.Time), sweepSize: 64}
}

func (m *memoryReplays) FirstUse(jti string, expires time.Time) bool {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if until, ok := m.seen[jti]; ok && now.Before(until) {
		return false
	}
	m.seen[jti] = expires
	if len(m.seen) > m.sweepSize {
		// Sweeping when the map has doubled since the last sweep keeps
		// the cost per payload constant, and the memory to twice what
		// the payloads still valid need.
		for id, until := range m.seen {
			if !now.Before(until) {
				delete(m.seen, id)
			}
		}
		m.sweepSize = max(64, 2*len(m.seen))
	}
	return true
}

// size is how many ids the cache holds, for tests.
func (m *memoryReplays) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}
