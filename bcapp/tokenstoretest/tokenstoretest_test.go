package tokenstoretest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/tokenstoretest"
)

// TestMemoryStore runs the suite on the store in memory; the SQLite and
// PostgreSQL stores run it in bcapp's own tests.
func TestMemoryStore(t *testing.T) {
	t.Parallel()
	tokenstoretest.Run(t, func(*testing.T) bcapp.TokenStore { return bcapp.NewMemoryStore() })
}

// bugEnv names the bug TestBrokenStore plants, in the copy of the test
// binary that TestTheSuiteCatchesEveryBrokenRule starts.
const bugEnv = "TOKENSTORETEST_BUG"

// A broken store is a store in memory with one bug.
type brokenStore struct {
	bug string
	mu  sync.Mutex
	m   map[string]bcapp.Install
}

func (s *brokenStore) Save(_ context.Context, in bcapp.Install) error {
	if s.bug != "acceptsInvalid" {
		if err := in.Validate(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[in.StoreHash]; ok && s.bug == "keepsTheFirstSave" {
		return nil
	}
	switch s.bug {
	case "keepsSecondsOnly":
		in.InstalledAt = in.InstalledAt.Truncate(time.Second)
	case "losesTheOwner":
		in.Owner = bcapp.User{}
	}
	s.m[in.StoreHash] = in
	return nil
}

func (s *brokenStore) Load(_ context.Context, hash string) (bcapp.Install, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.m[hash]; ok {
		return in, nil
	}
	if s.bug == "matchesByPrefix" {
		for h, in := range s.m {
			if strings.HasPrefix(h, hash) {
				return in, nil
			}
		}
	}
	if s.bug == "losesTheSentinel" {
		return bcapp.Install{}, errors.New("not found")
	}
	return bcapp.Install{}, bcapp.ErrNotInstalled
}

func (s *brokenStore) Delete(_ context.Context, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[hash]; !ok && s.bug == "failsToDeleteTheAbsent" {
		return errors.New("no such store")
	}
	delete(s.m, hash)
	return nil
}

// TestBrokenStore runs the suite on a store with one bug. It runs only in
// a copy of the test binary, whose failure is the point.
func TestBrokenStore(t *testing.T) {
	bug, ok := os.LookupEnv(bugEnv)
	if !ok {
		t.Skip("run by TestTheSuiteCatchesEveryBrokenRule")
	}
	tokenstoretest.Run(t, func(*testing.T) bcapp.TokenStore {
		return &brokenStore{bug: bug, m: make(map[string]bcapp.Install)}
	})
}

// TestTheSuiteCatchesEveryBrokenRule plants each bug and checks that the
// case written for its rule fails, in a copy of the test binary, since a
// failing subtest cannot be contained in the test that runs it.
func TestTheSuiteCatchesEveryBrokenRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ bug, rule string }{
		{"keepsTheFirstSave", "SaveReplaces"},
		{"keepsSecondsOnly", "SavedInstallLoadsWhole"},
		{"losesTheOwner", "SavedInstallLoadsWhole"},
		{"matchesByPrefix", "UnknownStoreIsNotInstalled"},
		{"losesTheSentinel", "UnknownStoreIsNotInstalled"},
		{"failsToDeleteTheAbsent", "DeleteRemovesAndRepeats"},
		{"acceptsInvalid", "InvalidInstallIsRefused"},
	} {
		t.Run(c.bug, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStore$/^"+c.rule+"$", "-test.v")
			cmd.Env = append(os.Environ(), bugEnv+"="+c.bug)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "--- FAIL: TestBrokenStore/"+c.rule) {
				t.Errorf("a store that %s passed %s (err %v):\n%s", c.bug, c.rule, err, out)
			}
		})
	}
}
