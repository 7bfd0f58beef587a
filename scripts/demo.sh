#!/bin/sh
# `make demo`: builds Tessera and the example API, installs auth0-spa-js for
# examples/spa when missing, then runs scripts/demo.mjs (Ctrl-C stops it all).
# `make demo STACK=angular` (DEMO_STACK=angular) runs the Angular SPA
# (examples/angular, built into BUILD_DIR/examples/angular/) and the Express
# API (examples/api-node) instead, each installed with npm ci when missing.
# Arguments go to demo.mjs: `scripts/demo.sh grant` gives the demo user
# read:messages.  Settings: see scripts/demo.mjs (DEMO_*_PORT, DEMO_HOST, ...).
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
DEMO_STACK=${DEMO_STACK:-c}
export BUILD_DIR DEMO_STACK
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "make demo needs Node.js and npm: apt-get install -y nodejs npm" >&2
    exit 1
  }
done
case "$DEMO_STACK" in
  c | angular) ;;
  *) echo "make demo: unknown STACK=$DEMO_STACK (c or angular)" >&2; exit 2 ;;
esac

if [ "$#" -eq 0 ] && [ "$DEMO_STACK" = c ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSR_TESTS=OFF -DTSR_WERROR=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target tessera tessera-example-api >/dev/null
  if [ ! -f examples/spa/node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js ]; then
    (cd examples/spa && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
elif [ "$#" -eq 0 ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSR_TESTS=OFF -DTSR_WERROR=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target tessera >/dev/null
  if [ ! -f examples/api-node/node_modules/.package-lock.json ]; then
    (cd examples/api-node && npm ci --no-audit --no-fund --loglevel=error)
  fi
  echo "Building examples/angular (once per change of its sources)..."
  DEMO_ANGULAR_DIST=$(examples/angular/build.sh "$BUILD_DIR/examples/angular")
  export DEMO_ANGULAR_DIST
fi
exec node scripts/demo.mjs "$@"
