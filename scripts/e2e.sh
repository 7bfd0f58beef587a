#!/bin/sh
# Runs the end-to-end suites (node:test) against a real `tessera serve`.
# TESSERA_BIN names the binary under test.
set -eu
cd "$(dirname "$0")/../tests/e2e"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# The timeout only catches a hang: a suite's whole describe block (one
# server, many requests) can take minutes on a slow machine or under ASan.
exec node --test --test-concurrency=1 --test-timeout=900000 ./*.test.mjs
