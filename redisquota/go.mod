module github.com/bigcommerce-go/customergroups/redisquota

go 1.26.0

require github.com/redis/go-redis/v9 v9.23.0

require (
	github.com/go-json-experiment/json v1.27.2 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	github.com/jarcoal/httpmock v1.4.2 // indirect
	golang.org/x/oauth2 v0.38.0 // indirect
)

require (
	github.com/bigcommerce-go/customergroups v0.2.0
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
