// Package benchmarks measures what the SDK costs over a careful hand-written
// call with net/http and encoding/json (the "floor") against the same
// loopback server, and checks the performance targets of BENCHMARKS.md:
// time and allocation ratios, connection reuse, streaming memory and
// concurrency scaling.
//
// It holds only tests and benchmarks. `go test -short ./benchmarks/` runs
// every check at a reduced size; `scripts/bench.sh` runs the full
// benchmark suite and prints the SDK-versus-floor table.
package benchmarks
