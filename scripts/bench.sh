#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: runs the SDK-versus-floor benchmarks COUNT times
# (default 10), prints them side by side with benchstat, then runs the
# target checks at full size and prints what they measured.
#
#   scripts/bench.sh [COUNT]
#
# Each of the COUNT runs is `go test -bench=. -count=1`, the floor's
# sub-benchmarks first in odd runs and the SDK's first in even ones
# (BENCH_SDK_FIRST), so that drift in the machine's speed over the minutes
# a run takes favours neither side; -count=COUNT would run each
# sub-benchmark COUNT times in a row, the floor always first. benchstat
# sees COUNT samples of each either way.
#
# The raw benchmark output is kept in $BENCH_OUT (default: a temporary
# file, named on the first line) for later comparison with benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-10}"
out="${BENCH_OUT:-$(mktemp -t bench.XXXXXX)}"
benchstat="golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

echo "# raw output: $out"
echo "# $(go version), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# $count x: BENCH_SDK_FIRST=0|1 go test -run='^\$' -bench=. -benchmem -count=1 ./benchmarks/"
: > "$out"
for i in $(seq 1 "$count"); do
  BENCH_SDK_FIRST=$(( (i + 1) % 2 )) go test -run='^$' -bench=. -benchmem -count=1 -timeout=30m ./benchmarks/ >> "$out"
done

echo
echo "# benchstat -col /impl $out   (each SDK figure against the floor's)"
go run "$benchstat" -col /impl "$out"

echo
echo "# target checks at full size: go test -count=1 -v -run '...' ./benchmarks/"
go test -count=1 -v -timeout=30m \
  -run 'TestSDKAgainstFloor|TestSequentialCalls|TestConcurrentCalls|TestDefaultCap|TestGetThroughput|TestAllStreams' \
  ./benchmarks/ | grep -E '^(\s+\w+_test\.go:|--- |ok|FAIL)'
