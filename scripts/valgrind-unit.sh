#!/bin/sh
# Runs every unit test binary of a build directory (flat there, whichever
# tests/unit/<layer>/ folder its source is in) under valgrind's memcheck,
# one per core at a time; any error or leak fails the run.
set -eu
build=${1:-build}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# The longest under memcheck (threads run one at a time there; RSA keys are
# generated for real in test_jwk only, the other tests take theirs from
# tests/unit/rsa_keys.h): they start first, so the short ones fill the other
# cores meanwhile.
slow="test_lockout_race test_store"
{
  for n in $slow; do [ -x "$build/$n" ] && echo "$build/$n"; done
  ls "$build"/test_* | while read -r t; do
    case " $slow " in *" $(basename "$t") "*) continue ;; esac
    [ -x "$t" ] && echo "$t"
  done
} | xargs -P "$(nproc)" -I{} sh -c '
    name=$(basename "{}")
    if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
         --error-exitcode=99 "{}" >"$0/$name.log" 2>&1; then
      echo "valgrind: $name clean"
    else
      echo "valgrind: $name FAILED"; cat "$0/$name.log"; touch "$0/failed"
    fi' "$logs"
[ ! -e "$logs/failed" ]
