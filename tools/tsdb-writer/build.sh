#!/usr/bin/env bash
# Builds tsdb-writer (the growth benchmark's TSDB block writer) into a cache outside git, once per source version:
# the cache key is a hash of main.go, go.mod and go.sum. It uses the same Prometheus module version as
# tools/prometheus3/build.sh, so a warm module cache builds it without a download.
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
command -v go >/dev/null || { echo "tsdb-writer/build.sh: go is not on PATH (Go >= 1.26 needed)" >&2; exit 1; }
key=$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
cache_root="${PREFECT_INSIGHTS_CACHE:-$HOME/.cache/prefect-insights}"
out="$cache_root/tsdb-writer-$key/tsdb-writer"

if [ -x "$out" ]; then
  echo "tsdb-writer: cached in $out" >&2
  echo "$out"
  exit 0
fi
mkdir -p "$(dirname "$out")"
started=$(date +%s)
(cd "$here" && go build -trimpath -o "$out.tmp" .)
mv "$out.tmp" "$out"
echo "tsdb-writer: built in $(( $(date +%s) - started ))s into $out" >&2
echo "$out"
