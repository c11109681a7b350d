package bigcommercetest

import (
	"fmt"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// Client returns an SDK client that talks to s with OAuth, using the
// read-write token. opts come after the base URL, so they may replace it.
// Client panics if the SDK refuses the options, as a test cannot go on.
func (s *Server) Client(opts ...bigcommerce.Option) *bigcommerce.Client {
	auth := bigcommerce.NewOAuth(s.StoreHash, s.AccessToken)
	auth.ClientID = s.ClientID
	return mustClient("Client", auth, append([]bigcommerce.Option{bigcommerce.WithBaseURL(s.OAuthBaseURL())}, opts...))
}

// BasicClient returns an SDK client that talks to s with legacy HTTP Basic
// credentials, under s.BasicBaseURL(). Like Client, it panics if the SDK
// refuses the options.
func (s *Server) BasicClient(opts ...bigcommerce.Option) *bigcommerce.Client {
	auth := &bigcommerce.BasicAuth{StoreURL: s.URL, Username: s.Username, APIKey: s.APIKey}
	return mustClient("BasicClient", auth, opts)
}

func mustClient(helper string, auth bigcommerce.Authenticator, opts []bigcommerce.Option) *bigcommerce.Client {
	c, err := bigcommerce.NewClient(auth, opts...)
	if err != nil {
		panic(fmt.Sprintf("bigcommercetest: %s: the SDK refused to build a client: %v", helper, err))
	}
	return c
}
