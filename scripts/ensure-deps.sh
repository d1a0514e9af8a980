#!/bin/sh
# Installs the npm dependencies when node_modules is missing or older than the lockfile,
# so that every npm script works on a fresh clone without a separate install step.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
