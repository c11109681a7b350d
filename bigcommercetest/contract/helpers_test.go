package contract_test

import (
	"testing"

	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func newFake(t *testing.T, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	t.Helper()
	s := bigcommercetest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}
