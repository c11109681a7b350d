package redisquota

import (
	"context"
	"net/http"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/redisquota/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// BenchmarkGet compares a Get against the fake paced by the in-process
// throttle with the same Get paced through a local redis-server: the
// difference is the cost of sharing the quota.
func BenchmarkGet(b *testing.B) {
	srv := redistest.Start(b)
	api := bigcommercetest.NewServer(bigcommercetest.WithSeed(1), bigcommercetest.WithRateLimit(1<<30, time.Hour))
	b.Cleanup(api.Close)
	ctx := context.Background()
	groups, _, err := api.Client().CustomerGroups.List(ctx, nil)
	if err != nil || len(groups) == 0 {
		b.Fatalf("List = %v, %v", groups, err)
	}
	id := groups[0].ID
	for _, bc := range []struct {
		name string
		opts []bigcommerce.Option
	}{
		{"in-process", nil},
		{"redisquota", []bigcommerce.Option{bigcommerce.WithRateLimiter(MustNew(srv.Client()))}},
		{"redisquota-ContextTimeoutEnabled", []bigcommerce.Option{bigcommerce.WithRateLimiter(
			MustNew(redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := api.Client(bc.opts...)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := client.CustomerGroups.Get(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAcquireRelease is the limiter's own cost per request: its two
// round trips to Redis.
func BenchmarkAcquireRelease(b *testing.B) {
	srv := redistest.Start(b)
	l := MustNew(srv.Client())
	root := rootOf(b, "")
	teach(b, l, root, 1<<30, time.Hour)
	h := rateHeader(1<<30, 1<<29, 30*time.Minute, time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := l.Acquire(ctx, root, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		p.Report(http.StatusOK, h)
		p.Release()
	}
}

// BenchmarkPing is one bare go-redis round trip to the same server, the
// floor under each of the limiter's two steps.
func BenchmarkPing(b *testing.B) {
	rdb := redistest.Start(b).Client()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := rdb.Ping(ctx).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
