#!/usr/bin/env bash
# Records again the recordings committed in this repository, from
# cmd/bigcommerce-fake through bigcommercetest/recording:
#
#   bigcommercetest/contract/testdata/contract   the contract (contract.Run)
#   examples/recorded/testdata/...               the recorded-fixtures example
#
# It builds the fake, serves it on a free loopback port with fixed
# credentials, runs those tests with BIGCOMMERCE_RECORD=all pointed at it,
# and stops it. A recording replaces the previous one only if its test
# passes. Review the result with `git diff` before committing; the tests
# (TestCommittedRecordingsHoldNoSecrets in bigcommercetest/recording)
# audit every committed recording for anything that looks like a token.
# Arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."

hash=fixturestore
token=fixture-token-0123456789
tmp=$(mktemp -d)
"${GO:-go}" build -o "$tmp/bigcommerce-fake" ./cmd/bigcommerce-fake
: >"$tmp/out" # before the fake opens it, so that the loop below can read it at once
"$tmp/bigcommerce-fake" -addr 127.0.0.1:0 -store-hash "$hash" -token "$token" >"$tmp/out" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null; rm -rf "$tmp"' EXIT

base=
for _ in $(seq 100); do
  base=$(awk '/OAuth base URL/ {print $4}' "$tmp/out")
  [ -n "$base" ] && break
  kill -0 "$fake" 2>/dev/null || { cat "$tmp/out"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "the fake did not start:"; cat "$tmp/out"; exit 1; }
echo "recording from cmd/bigcommerce-fake at $base"

BIGCOMMERCE_RECORD=all BIGCOMMERCE_STORE_HASH="$hash" BIGCOMMERCE_ACCESS_TOKEN="$token" BIGCOMMERCE_BASE_URL="$base" \
  "${GO:-go}" test -count=1 "$@" -run '^(TestContractRecorded|TestEnsureGroup)$' ./bigcommercetest/contract/ ./examples/recorded/
