// Package proof checks, with real operating-system processes, that
// redisquota keeps a fleet of processes within one store's quota and its cap
// on requests in flight.
//
// Its tests start the test binary again as worker processes, each with its
// own bigcommerce.Client and goroutines, against one bigcommercetest server
// in the test process and one redis-server started for the run. They
// measure from the server's side what the store saw: requests answered 429,
// the most requests in flight, and when each answer went out.
//
// The tests need redis-server on PATH; without it they skip, unless
// BIGCOMMERCE_REQUIRE_REDIS=1, which makes a missing redis-server a failure.
// PROOF_TABLE=1 adds the measurement behind the table in BENCHMARKS.md: 1,
// 4, 8 and 16 processes, with and without redisquota.
//
// The package holds no code outside its tests.
package proof
