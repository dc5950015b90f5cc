#!/usr/bin/env bash
# Builds Prometheus 3 (prometheus + promtool) from its Go module into a cache outside git, once per version.
# Debian ships only Prometheus 2.42; the integration suite also runs against this build (tests read PROMETHEUS3_BIN).
# Prints the prometheus binary's path on stdout; progress goes to stderr.
#
# `go install module@version` refuses modules whose go.mod has replace/exclude directives, so the build goes through a
# throw-away module that requires Prometheus and carries over any replace lines from Prometheus's own go.mod.
set -euo pipefail

MODULE=github.com/prometheus/prometheus
# shellcheck source=version.env
. "$(dirname "$0")/version.env"
MODULE_VERSION=$PROMETHEUS3_MODULE_VERSION
RELEASE=$PROMETHEUS3_RELEASE
# Leave out every service discovery but file and http (plugins/*.go are guarded by `!remove_all_sd`): the tests only
# use static targets, and the cloud SDKs are most of the compile time.
TAGS=remove_all_sd

cache_root="${PREFECT_INSIGHTS_CACHE:-$HOME/.cache/prefect-insights}"
out="$cache_root/prometheus-$RELEASE"

if [ -x "$out/prometheus" ] && [ -x "$out/promtool" ]; then
  echo "prometheus $RELEASE: cached in $out" >&2
  echo "$out/prometheus"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (Go >= 1.26 needed for $MODULE $MODULE_VERSION)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

cd "$work"
go mod init prefect-insights/prometheus3-build >/dev/null 2>&1
go mod download -json "$MODULE@$MODULE_VERSION" >"$work/download.json"
src_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/download.json")
[ -f "$src_dir/go.mod" ] || { echo "build.sh: no go.mod in downloaded $MODULE ($src_dir)" >&2; exit 1; }

# A blank import keeps `go mod tidy` from dropping the requirement before the build.
cat >tools.go <<GO
//go:build tools

package tools

import (
	_ "$MODULE/cmd/prometheus"
	_ "$MODULE/cmd/promtool"
)
GO
go mod edit -require="$MODULE@$MODULE_VERSION"
# Copy replace directives (single-line and block form) from Prometheus's go.mod.
awk '
  /^replace[[:space:]]*\(/ { inblock = 1; next }
  inblock && /^\)/ { inblock = 0; next }
  inblock && NF { print; next }
  /^replace[[:space:]]/ { sub(/^replace[[:space:]]+/, ""); print }
' "$src_dir/go.mod" | while read -r line; do
  old=$(echo "$line" | sed 's/[[:space:]]*=>.*//' | tr -s ' ' '@')
  new=$(echo "$line" | sed 's/.*=>[[:space:]]*//' | tr -s ' ' '@')
  echo "build.sh: replace $old => $new (from Prometheus's go.mod)" >&2
  go mod edit -replace="$old=$new"
done
# Requiring Prometheus brings its own go.mod requirements (minimal version selection), so the dependencies are the
# versions its release was built with; tidy writes the go.sum entries the build needs.
if ! go mod tidy >"$work/tidy.log" 2>&1; then
  cat "$work/tidy.log" >&2
  exit 1
fi

mkdir -p "$out.tmp"
ldflags="-s -w -X github.com/prometheus/common/version.Version=$RELEASE -X github.com/prometheus/common/version.Branch=module -X github.com/prometheus/common/version.Revision=$MODULE_VERSION"
echo "build.sh: go build -tags $TAGS $MODULE/cmd/{prometheus,promtool} ($(nproc) cores)" >&2
go build -trimpath -tags "$TAGS" -ldflags "$ldflags" -o "$out.tmp/prometheus" "$MODULE/cmd/prometheus"
go build -trimpath -tags "$TAGS" -ldflags "$ldflags" -o "$out.tmp/promtool" "$MODULE/cmd/promtool"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "prometheus $RELEASE: built in $(( $(date +%s) - started ))s into $out" >&2
echo "$out/prometheus"
