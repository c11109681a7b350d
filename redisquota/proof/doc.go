// Package proof checks, with real operating-system processes, that
// redisquota keeps a fleet of processes within one store's quota and its cap
// on requests in flight, and that the Client stays within its share when
// Redis is away.
//
// Its tests start the test binary again as worker processes, each with its
// own bigcommerce.Client and 16 goroutines making 60 calls, against one
// bigcommercetest server in the test process and one redis-server started
// for the run. They measure from the server's side what the store saw:
// requests answered 429, the most requests in flight, and when each answer
// went out. The fleets are those of issue 15: 8, 16 and 32 processes, on an
// idle machine and beside two CPU-bound processes (the test binary again,
// spinning), 8 with Redis killed for two windows mid-run, and one process
// whose store answers 429 to everything.
//
// The tests need redis-server on PATH; without it they skip, unless
// BIGCOMMERCE_REQUIRE_REDIS=1, which makes a missing redis-server a failure.
// A plain go test runs the bounded subset that holds its targets in every
// run (8 and 16 processes, 8 on a busy machine, 8 with Redis killed
// mid-run, another app beside them, a store stuck on 429), in about a
// minute. PROOF_LONG=1 adds 32 processes, 16 and 32 on a busy machine, the
// outage on a busy machine, and a longer run after the outage.
// PROOF_TABLE=1 adds the measurement behind the table in BENCHMARKS.md, and
// PROOF_TABLE_ONLY=text limits it to the runs whose name contains text.
//
// The package holds no code outside its tests.
package proof
