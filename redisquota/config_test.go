package redisquota

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestBadInputGetsAClearError(t *testing.T) {
	t.Parallel()
	// No server is needed: the client is never used.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = rdb.Close() })
	var nilClient *redis.Client
	var nilCluster *redis.ClusterClient
	cases := []struct {
		name string
		rdb  redis.UniversalClient
		opts []Option
		want string
	}{
		{"a nil client", nil, nil, "redisquota: rdb: must not be nil"},
		{"a typed nil client", nilClient, nil, "redisquota: rdb: must not be nil"},
		{"a typed nil cluster client", nilCluster, nil, "redisquota: rdb: must not be nil"},
		{"a nil option", rdb, []Option{nil}, "redisquota: opts: must not hold a nil Option"},
		{"an empty key prefix", rdb, []Option{WithKeyPrefix("")}, "redisquota: WithKeyPrefix: must not be empty"},
		{"a key prefix with a hash tag", rdb, []Option{WithKeyPrefix("app:{x}")}, `must not contain braces, spaces or control characters, got "app:{x}"`},
		{"a key prefix with a space", rdb, []Option{WithKeyPrefix("my app")}, `got "my app"`},
		{"a key prefix with a newline", rdb, []Option{WithKeyPrefix("app\n")}, `got "app\n"`},
		{"a key prefix that is not UTF-8", rdb, []Option{WithKeyPrefix("app\xff")}, `got "app\xff"`},
		{"a zero concurrency cap", rdb, []Option{WithMaxConcurrentRequests(0)}, "redisquota: WithMaxConcurrentRequests: must be at least 1, got 0"},
		{"a negative concurrency cap", rdb, []Option{WithMaxConcurrentRequests(-3)}, "must be at least 1, got -3"},
		{"a zero lease TTL", rdb, []Option{WithLeaseTTL(0)}, "redisquota: WithLeaseTTL: must be at least 1ms, got 0s"},
		{"a sub-millisecond lease TTL", rdb, []Option{WithLeaseTTL(time.Microsecond)}, "must be at least 1ms, got 1µs"},
		{"a zero step timeout", rdb, []Option{WithStepTimeout(0)}, "redisquota: WithStepTimeout: must be positive, got 0s"},
		{"a negative step timeout", rdb, []Option{WithStepTimeout(-time.Second)}, "must be positive, got -1s"},
		{"a zero longest step timeout", rdb, []Option{WithMaxStepTimeout(0)}, "redisquota: WithMaxStepTimeout: must be positive, got 0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := New(c.rdb, c.opts...)
			if err == nil || l != nil {
				t.Fatalf("New = %v, %v; want an error", l, err)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("%v does not match ErrInvalidConfig", err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("%T is not a *ConfigError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			defer func() {
				r := recover()
				perr, ok := r.(error)
				if !ok || perr.Error() != err.Error() {
					t.Errorf("MustNew panicked with %v, want New's error %v", r, err)
				}
			}()
			MustNew(c.rdb, c.opts...)
		})
	}
}

func TestGoodInputIsKept(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	l := MustNew(rdb, WithKeyPrefix("app:bc"), WithMaxConcurrentRequests(7), WithLeaseTTL(3*time.Second), WithStepTimeout(20*time.Millisecond))
	want := config{prefix: "app:bc", maxInFlight: 7, leaseTTL: 3 * time.Second, stepTimeout: 20 * time.Millisecond, maxStep: DefaultMaxStepTimeout}
	if l.cfg.observer != nil {
		t.Error("a step observer is set without WithStepObserver")
	}
	if got := l.cfg; got.observer != nil || got.prefix != want.prefix || got.maxInFlight != want.maxInFlight || got.leaseTTL != want.leaseTTL ||
		got.stepTimeout != want.stepTimeout || got.maxStep != want.maxStep {
		t.Errorf("config %+v, want %+v", got, want)
	}
	if !l.ctxBound {
		t.Error("a client with ContextTimeoutEnabled is not trusted to honour deadlines")
	}
	if l.probeTTLms != 3000 || l.leaseTTLms != 3000 {
		t.Errorf("lease %d ms, probe %d ms; want 3000 and 3000", l.leaseTTLms, l.probeTTLms)
	}
	if got, want := MustNew(rdb).cfg, defaults(); got.prefix != want.prefix || got.maxInFlight != want.maxInFlight || got.leaseTTL != want.leaseTTL ||
		got.stepTimeout != want.stepTimeout || got.maxStep != want.maxStep || got.observer != nil {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if got := MustNew(rdb, WithStepTimeout(5*time.Second)).cfg.maxStep; got != 5*time.Second {
		t.Errorf("longest step timeout %s with a step timeout of 5s, want it raised to 5s", got)
	}
	if got := MustNew(rdb, WithLeaseTTL(time.Minute)).probeTTLms; got != maxProbeTTL.Milliseconds() {
		t.Errorf("probe TTL %d ms with a minute's lease, want %d", got, maxProbeTTL.Milliseconds())
	}
}

func TestKeysOfOneStoreShareOneHashTag(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = rdb.Close() })
	l := MustNew(rdb, WithKeyPrefix("p"))
	root := "https://api.bigcommerce.com/stores/abc123/v2"
	got := strings.Join(l.store(root).keys, " ")
	want := "p:{" + root + "}:state p:{" + root + "}:inflight p:{" + root + "}:probe p:{" + root + "}:line p:{" + root + "}:waiters"
	if got != want {
		t.Errorf("keys %s, want %s", got, want)
	}
}
