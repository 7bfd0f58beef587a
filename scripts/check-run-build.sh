#!/bin/sh
# Configures and builds the server the way `make run` does, in a scratch build
# directory, with pkg-config unable to see any test-only package: proves that
# a machine with only the build packages can build and run Tessera.
#   BUILD_DIR=build-runonly scripts/check-run-build.sh <make run's cmake options>
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-runonly}
JOBS=${JOBS:-$(nproc)}
TEST_ONLY_PC="cmocka"

pcdir=$(mktemp -d)
trap 'rm -rf "$pcdir"' EXIT
# Every .pc file on pkg-config's search path, except the test-only ones.
for dir in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  [ -d "$dir" ] || continue
  for pc in "$dir"/*.pc; do
    [ -e "$pc" ] || continue
    name=$(basename "$pc" .pc)
    case " $TEST_ONLY_PC " in *" $name "*) continue ;; esac
    [ -e "$pcdir/$name.pc" ] || ln -s "$pc" "$pcdir/$name.pc"
  done
done
export PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH=
for name in $TEST_ONLY_PC; do
  if pkg-config --exists "$name"; then
    echo "check-run-build: $name is still visible to pkg-config" >&2
    exit 1
  fi
done

rm -rf "$BUILD_DIR"
cmake -S . -B "$BUILD_DIR" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target tessera >/dev/null
"$BUILD_DIR/tessera" --help >/dev/null

# ... and serves: a first start on a scratch data directory answers discovery.
data=$(mktemp -d)
log="$data.log"
pid=
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$pcdir" "$data" "$log"
}
trap cleanup EXIT
served=
for try in 1 2 3 4 5; do
  port=$(( 20000 + ($$ * 7 + try * 997) % 20000 ))
  url="http://localhost:$port/"
  "$BUILD_DIR/tessera" serve --listen "127.0.0.1:$port" --public-url "$url" \
    --data-dir "$data" >"$log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    if curl -fsS "${url}.well-known/openid-configuration" 2>/dev/null | grep -q "\"issuer\":\"$url\""; then
      served=yes
      break
    fi
    sleep 0.1
  done
  [ -n "$served" ] && break
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
  rm -rf "$data"
  data=$(mktemp -d)
done
if [ -z "$served" ]; then
  echo "check-run-build: the make run build did not serve discovery" >&2
  cat "$log" >&2
  exit 1
fi
kill -TERM "$pid"
wait "$pid" || { echo "check-run-build: tessera serve did not exit 0 on SIGTERM" >&2; exit 1; }
pid=
echo "make run's build needs no test package, and serves: ok"
