#!/bin/sh
# `make demo`: builds Tessera and the example API, installs auth0-spa-js for
# examples/spa when missing, then runs scripts/demo.mjs (Ctrl-C stops it all).
# Arguments go to demo.mjs: `scripts/demo.sh grant` gives the demo user
# read:messages.  Settings: see scripts/demo.mjs (DEMO_*_PORT, DEMO_HOST, ...).
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "make demo needs Node.js and npm: apt-get install -y nodejs npm" >&2
    exit 1
  }
done

if [ "$#" -eq 0 ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSR_TESTS=OFF -DTSR_WERROR=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target tessera tessera-example-api >/dev/null
  if [ ! -f examples/spa/node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js ]; then
    (cd examples/spa && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
fi
exec node scripts/demo.mjs "$@"
