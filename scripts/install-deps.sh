#!/bin/sh
# Installs the Debian packages Tessera needs that are not installed yet.
#   scripts/install-deps.sh build   packages to build and run the server
#   scripts/install-deps.sh check   build packages plus what the test suites need
#                                   (groff-base, man-db: the man pages render without a
#                                   warning; systemd: systemd-analyze checks the unit;
#                                   strace: the server stays inside the unit's syscall filter;
#                                   jq, python3: the docs' shell snippets, which the doc
#                                   snippet suite runs, pick fields out of JSON with them)
#   scripts/install-deps.sh fuzz    build packages plus clang and its libFuzzer runtime
#   scripts/install-deps.sh coverage  check packages plus gcovr (`make coverage`)
#   scripts/install-deps.sh bench   build packages plus what `make bench` drives and
#                                   measures against (wrk: the load generator, run with
#                                   Lua scenarios; nginx-light: the static-reply ceiling,
#                                   a static file needs no module of the bigger flavours,
#                                   and no nginx service is used (none is started or enabled
#                                   at install), each run starts its own;
#                                   openssl: `openssl speed`, the signing limits), and
#                                   Node.js with npm for the node-oidc-provider peer;
#                                   the bench needs Node.js >= 20 (oidc-provider 9
#                                   requires it): an older one is reported, status 1
# As root it runs `apt-get update` and installs what is missing; otherwise it
# prints the exact apt-get line to run and stops with status 1.
set -eu

BUILD_PKGS="build-essential cmake pkg-config libmicrohttpd-dev libssl-dev libjansson-dev
libsqlite3-dev libsodium-dev libcurl4-openssl-dev libyaml-dev"
CHECK_PKGS="libcmocka-dev sqlite3 curl valgrind chromium groff-base man-db systemd strace jq
python3"
FUZZ_PKGS="clang libclang-rt-dev"
COVERAGE_PKGS="gcovr"
BENCH_PKGS="wrk nginx-light openssl"

mode=${1:-build}
case "$mode" in
  build) wanted=$BUILD_PKGS ;;
  check) wanted="$BUILD_PKGS $CHECK_PKGS" ;;
  fuzz) wanted="$BUILD_PKGS $FUZZ_PKGS" ;;
  coverage) wanted="$BUILD_PKGS $CHECK_PKGS $COVERAGE_PKGS" ;;
  bench) wanted="$BUILD_PKGS $BENCH_PKGS" ;;
  *) echo "usage: $0 build|check|fuzz|coverage|bench" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"ok installed") ;;
    *) missing="$missing $pkg" ;;
  esac
done
# Node.js and npm run the end-to-end suites (any Node.js >= 18, Debian's will do). The
# benchmark's peer needs >= 20, which Debian 12 does not package: bench_node asks for it
# instead of installing Debian's 18 only to refuse it.
if [ "$mode" = check ] || [ "$mode" = coverage ]; then
  command -v node >/dev/null 2>&1 || missing="$missing nodejs"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi

# The bench's peer, oidc-provider 9, needs Node.js 20 or later (Debian 12's
# nodejs is 18): said plainly here rather than as a failure inside npm or the run.
bench_node() {
  [ "$mode" = bench ] || return 0
  major=$(node -v 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')
  if [ -z "$major" ] || [ "$major" -lt 20 ]; then
    echo "make bench needs Node.js >= 20 (found: $(node -v 2>/dev/null || echo none)): its peer, oidc-provider 9, requires it." >&2
    echo "Install Node.js 20 or later (for example from NodeSource or the nodejs.org binaries), then run this again." >&2
    exit 1
  fi
}

if [ -z "$missing" ]; then
  bench_node
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "Tessera needs these Debian packages:$missing" >&2
  echo "Run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The bench starts its own nginx on 127.0.0.1 for each run; the package would otherwise
# start (and enable at boot) a system nginx listening on port 80 of every address.
quiet_nginx=""
case " $missing " in
  *" nginx-light "*) [ ! -e /usr/sbin/policy-rc.d ] && quiet_nginx=1 ;;
esac
if [ -n "$quiet_nginx" ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
if [ -n "$quiet_nginx" ]; then
  rm -f /usr/sbin/policy-rc.d
  command -v systemctl >/dev/null 2>&1 && systemctl disable nginx >/dev/null 2>&1 || true
fi
bench_node
