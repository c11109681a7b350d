package bigcommercetest

import (
	"net/http"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// Target is where a test's requests go: credentials, the HTTP client that
// carries the requests, and optionally an API root other than the one the
// credentials choose. Server.Target and recording.RecordOrReplayTarget make
// one; contract.Run takes one.
type Target struct {
	// Auth chooses the API root and adds the credentials.
	Auth bigcommerce.Authenticator
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// BaseURL replaces Auth's API root when set, as bigcommerce.WithBaseURL.
	BaseURL string
	// Options are given to every client built from the target, after
	// those above and before the caller's own.
	Options []bigcommerce.Option
}

// Client builds an SDK client for the target; opts come last, so they may
// replace what the target sets.
func (tg Target) Client(opts ...bigcommerce.Option) (*bigcommerce.Client, error) {
	var base []bigcommerce.Option
	if tg.HTTPClient != nil {
		base = append(base, bigcommerce.WithHTTPClient(tg.HTTPClient))
	}
	if tg.BaseURL != "" {
		base = append(base, bigcommerce.WithBaseURL(tg.BaseURL))
	}
	base = append(base, tg.Options...)
	return bigcommerce.NewClient(tg.Auth, append(base, opts...)...)
}

// Target returns the server's OAuth root, read-write credentials and a
// plain HTTP client, for contract.Run and for recording from the fake.
func (s *Server) Target() Target {
	auth := bigcommerce.NewOAuth(s.StoreHash, s.AccessToken)
	return Target{Auth: auth, HTTPClient: &http.Client{}, BaseURL: s.OAuthBaseURL()}
}
