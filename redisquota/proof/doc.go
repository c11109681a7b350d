// Package proof checks, with real operating-system processes, that a fleet
// of processes stays within one store's quota and its cap on requests in
// flight: sharing one count through redisquota, and pacing alone with the
// Client's default options, which learn what the others take from the
// store's headers (docs/pacing.md).
//
// Its tests start the test binary again as worker processes, each with its
// own bigcommerce.Client and 16 goroutines making 60 calls, against one
// bigcommercetest server in the test process and, for the fleets sharing
// Redis, one redis-server started for the run. They measure from the
// server's side what the store saw: requests answered 429, the most
// requests in flight, and when each answer went out. The fleets are 4 to
// 32 processes, on an idle machine and beside two CPU-bound processes
// (the test binary again, spinning), with Redis killed for two windows
// mid-run, beside a process of another app that paces with the defaults
// or not at all, and one process whose store answers 429 to everything.
//
// The tests need redis-server on PATH; without it they skip, unless
// BIGCOMMERCE_REQUIRE_REDIS=1, which makes a missing redis-server a failure.
// A plain go test runs the subset that CI affords, in about two
// minutes: 8 and 16 processes sharing Redis, and 8 of them on a busy
// machine; 4, 8 and 16 pacing alone, idle and on a busy
// machine; 8 sharing Redis beside another app that does not pace; 8 with
// Redis killed mid-run, idle and on a busy machine; a store stuck on 429.
// PROOF_LONG=1 adds 32 processes, 16 and 32 sharing Redis on a busy
// machine, a longer run after the outage, 8 sharing Redis beside another
// app pacing with the defaults, and the outage held to its own time,
// whose margins are a request or two. PROOF_TABLE=1 adds the measurement behind
// the tables in BENCHMARKS.md, and PROOF_TABLE_ONLY=text limits it to the
// runs whose name contains text.
//
// The package holds no code outside its tests.
package proof
