#!/bin/sh
# Installs (npm ci, when package-lock.json is newer than the last install) and
# builds the app into OUT_ROOT/<hash of the sources>/, unless that build is
# already there; prints the directory to serve (…/<hash>/browser).  Keyed by
# the sources, so `make check`'s two e2e passes and `make demo` build once per
# change.  Quiet unless something fails: the output goes to OUT_ROOT/build.log.
#
#   examples/angular/build.sh OUT_ROOT
set -eu
[ "$#" -eq 1 ] || { echo "usage: $0 OUT_ROOT" >&2; exit 2; }
mkdir -p "$1"
OUT_ROOT=$(cd "$1" && pwd)
cd "$(dirname "$0")"
LOG="$OUT_ROOT/build.log"
# No telemetry prompt, no version check: nothing but npm ci reaches the network.
export NG_CLI_ANALYTICS=false NG_DISABLE_VERSION_CHECK=1 NG_FORCE_TTY=false CI=1

fail() {
  echo "examples/angular: $1 failed; its output:" >&2
  tail -n 60 "$LOG" >&2
  exit 1
}

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >"$LOG" 2>&1 || fail "npm ci"
fi

# public/ (files copied as they are) exists only when someone made it.
PUBLIC=
[ -d public ] && PUBLIC=public
HASH=$(find src ${PUBLIC:+"$PUBLIC"} angular.json tsconfig.json tsconfig.app.json package-lock.json -type f | LC_ALL=C sort |
  xargs sha256sum | sha256sum | cut -c1-16)
OUT="$OUT_ROOT/$HASH"
if [ ! -f "$OUT/browser/index.html" ]; then
  # Built aside and renamed: a concurrent build of the same sources never serves half a tree.
  TMP="$OUT_ROOT/.tmp-$$"
  rm -rf "$TMP"
  node node_modules/@angular/cli/bin/ng.js build --output-path "$TMP" >"$LOG" 2>&1 || { rm -rf "$TMP"; fail "ng build"; }
  mv "$TMP" "$OUT" 2>/dev/null || rm -rf "$TMP" # lost the race: the other build is the same
  # Older builds of other sources are of no use any more.
  for d in "$OUT_ROOT"/*/; do
    [ "$d" = "$OUT/" ] || rm -rf "$d"
  done
fi
echo "$OUT/browser"
