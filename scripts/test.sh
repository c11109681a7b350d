#!/usr/bin/env bash
# Runs the tests of every module in the repository: the core and the nested
# modules that go.work lists (a plain `go test ./...` stops at the edge of
# the module it starts in). Arguments go to `go test`. The race detector is
# on unless an argument says otherwise; it needs cgo and a C compiler.
# Without one:
#
#   scripts/test.sh -race=false
set -euo pipefail
cd "$(dirname "$0")/.."

case " $* " in
  *" -race"*) ;;
  *) set -- -race "$@" ;;
esac
# `go list -m` lists every module of the workspace, one directory each.
mapfile -t dirs < <(go list -m -f '{{.Dir}}/...')
exec go test "$@" "${dirs[@]}"
