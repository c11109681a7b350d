package redisquota_test

import (
	"context"
	"fmt"
	"os"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/redisquota"
	"github.com/redis/go-redis/v9"
)

// Workers in several processes share each store's quota through one Redis.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	limiter := redisquota.MustNew(rdb,
		redisquota.WithKeyPrefix("myapp:bigcommerce"),
		redisquota.WithMaxConcurrentRequests(20), // leave room for the store's other apps
		redisquota.WithLeaseTTL(time.Minute),
		redisquota.WithStepTimeout(50*time.Millisecond),
	)
	client, err := bigcommerce.NewClient(
		bigcommerce.NewOAuth(os.Getenv("BIGCOMMERCE_STORE_HASH"), os.Getenv("BIGCOMMERCE_ACCESS_TOKEN")),
		bigcommerce.WithRateLimiter(limiter))
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _, err := client.CustomerGroups.Count(context.Background(), nil)
	fmt.Println(n, err)
}

// New suits settings read from configuration: it returns an error, where
// MustNew would panic.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()
	_, err := redisquota.New(rdb, redisquota.WithKeyPrefix("my app"))
	fmt.Println(err)
	// Output: redisquota: WithKeyPrefix: must not contain braces, spaces or control characters, got "my app"
}
