#!/usr/bin/env bash
# Tidies every module of the repository. A nested module requires the core
# (and its siblings) at a release tag that the module proxy may not have yet,
# so `go mod tidy` alone would fail there: the script points those
# requirements at the working tree for the length of the tidy and then takes
# the pointer out again, so that no go.mod ever carries a replace directive
# (which `go install ...@version` refuses).
set -euo pipefail
cd "$(dirname "$0")/.."

root=github.com/bigcommerce-go/customergroups
GOWORK=off go mod tidy
for mod in $(git ls-files '*/go.mod'; find . -mindepth 2 -name go.mod -not -path './.git/*' | sed 's|^\./||'); do
  dir=$(dirname "$mod")
  echo "$dir"
done | sort -u | while read -r dir; do
  (
    cd "$dir"
    up=$(realpath --relative-to="$PWD" "$OLDPWD")
    # Every module of this repository that this one requires, by path:
    # the Require entries only, not the module's own path.
    self=$(go mod edit -json | sed -n '/"Module"/,/}/p' | grep -o '"Path": "[^"]*"' | cut -d'"' -f4)
    locals=$(go mod edit -json | grep -o "\"Path\": \"$root[^\"]*\"" | cut -d'"' -f4 | sort -u | grep -vx "$self" || true)
    for m in $locals; do
      go mod edit -replace "$m=$up/${m#"$root"}"
    done
    GOWORK=off go mod tidy
    for m in $locals; do
      go mod edit -dropreplace "$m"
    done
  )
done
