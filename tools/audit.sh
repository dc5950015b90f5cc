#!/usr/bin/env bash
# `npm run audit` (part of `npm run test:all`): known vulnerabilities of high severity in the production
# dependencies fail it. Some registry mirrors refuse the audit endpoint (HTTP 405): that is said, not passed silently.
set -uo pipefail
cd "$(dirname "$0")/.."
if out=$(npm audit --omit=dev --audit-level=high 2>&1); then
  echo "$out" | tail -3
elif grep -q 'audit endpoint returned an error' <<<"$out"; then
  echo "npm audit: NOT RUN, the registry refused the audit endpoint here"
else
  echo "$out"
  exit 1
fi
