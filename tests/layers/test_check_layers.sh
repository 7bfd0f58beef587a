#!/bin/sh
# scripts/check-layers.sh passes on a copy of the source tree and fails on
# the same copy with one upward #include, naming the file, the line and
# both layers.  Usage: test_check_layers.sh <source tree>
set -eu
src=$1
check=$src/scripts/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/src" "$src/lib" "$src/include" "$src/cmake" "$tmp/"

"$check" "$tmp" > "$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: the unchanged tree was refused"; exit 1; }

# Same layer and downward includes stay fine.
sed -i '1a #include "core/user.h"\n#include "util/err.h"' "$tmp/src/core/session.c"
"$check" "$tmp" > "$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: a downward include was refused"; exit 1; }

# core naming http: the request model is above it.
sed -i '1a #include "http/request.h"' "$tmp/src/core/user.c"
if "$check" "$tmp" > "$tmp/out" 2>&1; then
    echo "FAIL: an upward include was accepted"
    exit 1
fi
grep -q '^src/core/user.c:2: layer core includes "http/request.h" of layer http' "$tmp/out" || {
    cat "$tmp/out"; echo "FAIL: the refusal does not name file, line and layers"; exit 1; }
[ "$(grep -c ' includes ' "$tmp/out")" -eq 1 ] || { cat "$tmp/out"; echo "FAIL: more than one refusal"; exit 1; }
# The HTTP library outside the daemon.
sed -i '2d' "$tmp/src/core/user.c"
sed -i '1a #include <microhttpd.h>' "$tmp/src/http/cookie.c"
if "$check" "$tmp" > "$tmp/out" 2>&1; then
    echo "FAIL: <microhttpd.h> in src/http was accepted"
    exit 1
fi
grep -q '^src/http/cookie.c:2: layer http includes <microhttpd.h>, which only server may include' "$tmp/out" || {
    cat "$tmp/out"; echo "FAIL: the refusal of <microhttpd.h> does not name file, line and layers"; exit 1; }
[ "$(grep -c ' includes ' "$tmp/out")" -eq 1 ] || { cat "$tmp/out"; echo "FAIL: more than one refusal"; exit 1; }
echo "ok"
