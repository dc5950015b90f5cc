#!/usr/bin/env bash
# Builds Thanos (one `thanos` binary: sidecar, store, compact, query, query-frontend, receive) from its Go module into a
# cache outside git, once per version. The Thanos integration tests read THANOS_BIN, which npm sets from this output.
# Prints the binary's path on stdout; progress goes to stderr.
#
# Thanos's go.mod has replace directives, so `go install module@version` is refused. The build runs inside a writable
# copy of the module's own source instead, which keeps its go.mod, go.sum and replace lines exactly as released.
set -euo pipefail

MODULE=github.com/thanos-io/thanos
# shellcheck source=version.env
. "$(dirname "$0")/version.env"
VERSION=$THANOS_VERSION
# Upstream's release tags (Thanos's .promu.yml). Without slicelabels the sidecar panics in gRPC's buffer pool on the
# querier's first call (index out of range [64] with length 63).
TAGS=netgo,slicelabels

cache_root="${PREFECT_INSIGHTS_CACHE:-$HOME/.cache/prefect-insights}"
out="$cache_root/thanos-$VERSION"

if [ -x "$out/thanos" ]; then
  echo "thanos $VERSION: cached in $out" >&2
  echo "$out/thanos"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not on PATH (Go >= 1.26 needed for $MODULE $VERSION)" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
started=$(date +%s)

cd "$work"
go mod init prefect-insights/thanos-download >/dev/null 2>&1
go mod download -json "$MODULE@$VERSION" >"$work/download.json"
src_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/download.json")
[ -f "$src_dir/go.mod" ] || { echo "build.sh: no go.mod in downloaded $MODULE ($src_dir)" >&2; exit 1; }

# The module cache is read-only; the build writes nothing into the source, but go refuses a main module whose
# directory it cannot lock, so work on a copy.
cp -r "$src_dir" "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"

mkdir -p "$out.tmp"
ldflags="-s -w -X github.com/prometheus/common/version.Version=${VERSION#v} -X github.com/prometheus/common/version.Branch=module -X github.com/prometheus/common/version.Revision=$VERSION"
echo "build.sh: go build -tags $TAGS $MODULE/cmd/thanos ($(nproc) cores)" >&2
go build -mod=mod -trimpath -tags "$TAGS" -ldflags "$ldflags" -o "$out.tmp/thanos" ./cmd/thanos
rm -rf "$out"
mv "$out.tmp" "$out"
echo "thanos $VERSION: built in $(( $(date +%s) - started ))s into $out" >&2
echo "$out/thanos"
