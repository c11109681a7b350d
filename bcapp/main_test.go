package bcapp_test

import (
	"testing"

	"github.com/bigcommerce-go/customergroups/bcapp/internal/pgtest"
)

// TestMain stops the private PostgreSQL server, if a test started one.
func TestMain(m *testing.M) { pgtest.Main(m) }
