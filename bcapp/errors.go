package bcapp

import (
	"errors"
	"unicode"
)

var (
	// ErrInvalidConfig is matched by the error of New when a Config field
	// breaks a rule; the error is a *ConfigError naming the field.
	ErrInvalidConfig = errors.New("bcapp: invalid config")

	// ErrInvalidPayload is matched by every refusal of a signed payload;
	// the error is a *PayloadError naming the check that failed.
	ErrInvalidPayload = errors.New("bcapp: invalid signed payload")

	// ErrInvalidSession is matched by every refusal of a session token.
	ErrInvalidSession = errors.New("bcapp: invalid session")

	// ErrNotInstalled is matched by the error of App.Client and of a
	// TokenStore's Load for a store that never installed the app or
	// uninstalled it.
	ErrNotInstalled = errors.New("bcapp: the store has not installed the app")

	// ErrUndecryptable is matched when a stored token cannot be decrypted:
	// it was sealed with a key the store was not given, or its row was
	// altered or moved to another store. The token is never used then.
	ErrUndecryptable = errors.New("bcapp: a stored token cannot be decrypted")
)

// ConfigError says which Config field breaks which rule. It matches
// ErrInvalidConfig.
type ConfigError struct {
	Field string
	Rule  string
}

// Error names the field and the rule.
func (e *ConfigError) Error() string { return "bcapp: Config." + e.Field + " " + e.Rule }

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// PayloadError says which check refused a signed payload. It matches
// ErrInvalidPayload. It never quotes the payload or the client secret.
type PayloadError struct {
	// Check names the check: "signed_payload_jwt" (missing or too long),
	// "format", "alg", "signature", "iss", "aud", "exp", "nbf", "iat",
	// "sub" or "jti".
	Check string
	// Reason says what was wrong, in words.
	Reason string
}

// Error names the check and the reason.
func (e *PayloadError) Error() string {
	return "bcapp: signed payload refused: " + e.Check + " " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidPayload) true.
func (e *PayloadError) Is(target error) bool { return target == ErrInvalidPayload }

// validStoreHash accepts what BigCommerce issues, by the core's rule:
// lowercase letters and digits, at most 64 of them.
func validStoreHash(h string) bool {
	if h == "" || len(h) > 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// credentialRule is the rule a client ID or secret breaks, or "": not
// empty, and no spaces or control characters, which a paste from a file
// or a settings page brings in and which the login server would refuse
// with an error far from the cause.
func credentialRule(v string) string {
	if v == "" {
		return "must not be empty"
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "must not contain spaces, line breaks or control characters: check what was pasted"
		}
	}
	return ""
}
