package bigcommercetest

import (
	"slices"
	"strings"
)

// grant is an app's install on a store: the token the login server issued
// and the scope the merchant approved.
type grant struct {
	token string
	scope string
}

// The scopes that reach customer groups: the first reads and writes, the
// second only reads.
const (
	scopeCustomers         = "store_v2_customers"
	scopeCustomersReadOnly = "store_v2_customers_read_only"
)

var errNoScope = &apiError{Status: 403, Message: "This token's scope does not reach customer groups; the app needs store_v2_customers or store_v2_customers_read_only."}

// authorize checks an OAuth request's token against the store's own
// tokens and those issued to apps, and says whether it may only read.
func (s *Server) authorize(hash, token string) (readOnly bool, err *apiError) {
	if hash != s.StoreHash || token == "" {
		return false, errUnauthorized
	}
	switch token {
	case s.AccessToken:
		return false, nil
	case s.ReadOnlyToken:
		return true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grants {
		if g.token != token {
			continue
		}
		scopes := strings.Fields(g.scope)
		switch {
		case slices.Contains(scopes, scopeCustomers):
			return false, nil
		case slices.Contains(scopes, scopeCustomersReadOnly):
			return true, nil
		}
		return false, errNoScope
	}
	return false, errUnauthorized
}

// issueToken installs the app on the store with a fresh token, which
// replaces (and so revokes) any token the app held before, as a reinstall
// does on BigCommerce.
func (s *Server) issueToken(clientID, scope string) string {
	token := randomString(31)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = make(map[string]grant)
	}
	s.grants[clientID] = grant{token: token, scope: scope}
	return token
}

// revokeToken uninstalls the app from the store; it reports whether the
// app was installed.
func (s *Server) revokeToken(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.grants[clientID]
	delete(s.grants, clientID)
	return ok
}

func (s *Server) installed(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.grants[clientID]
	return ok
}
