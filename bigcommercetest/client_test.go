package bigcommercetest_test

import (
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The conformance tests speak plain HTTP so that the fake is checked
// independently of the SDK; this one only checks that the two helpers point
// the SDK at the right root with working credentials.
func TestClientHelpers(t *testing.T) {
	t.Parallel()
	s := newFake(t, bigcommercetest.WithSeed(3))
	clients := []struct {
		name string
		c    *bigcommerce.Client
	}{{"Client", s.Client()}, {"BasicClient", s.BasicClient()}}
	for _, tt := range clients {
		n, _, err := tt.c.CustomerGroups.Count(t.Context(), nil)
		if err != nil || n != 3 {
			t.Errorf("%s: count %d, %v; want 3", tt.name, n, err)
		}
	}
	got := s.Requests()
	if len(got) != 2 || got[0].Header.Get("X-Auth-Client") != s.ClientID || got[1].Path != "/api/v2/customer_groups/count" {
		t.Errorf("requests %+v", got)
	}
}

func TestClientPanicsOnRefusedOptions(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	defer func() {
		if recover() == nil {
			t.Error("Client accepted a base URL the SDK refuses")
		}
	}()
	s.Client(bigcommerce.WithBaseURL("ftp://example.com"))
}
