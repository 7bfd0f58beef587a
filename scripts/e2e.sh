#!/bin/sh
# Runs the end-to-end suites (node:test) against a real `tessera serve`.
# TESSERA_BIN names the binary under test.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
# npm ci where the lockfile is newer than the last install (or none was made).
install() {
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
install tests/e2e
install examples/api-node
# The Angular demo's app (angular_demo.test.mjs): installed and built once per
# change of its sources, in a directory keyed by them, so the second pass of
# `make check` (the ASan build) reuses the first pass's build.
TESSERA_ANGULAR_DIST=$(examples/angular/build.sh "$ROOT/build/examples/angular")
export TESSERA_ANGULAR_DIST
cd tests/e2e
# The timeout only catches a hang: a suite's whole describe block (one
# server, many requests) can take minutes on a slow machine or under ASan.
exec node --test --test-concurrency=1 --test-timeout=900000 ./*.test.mjs
