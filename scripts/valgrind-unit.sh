#!/bin/sh
# Runs every unit test binary of a build directory under valgrind's memcheck;
# any error or leak fails the run.
set -eu
build=${1:-build}
failed=0
for t in "$build"/test_*; do
  [ -x "$t" ] || continue
  log=$(mktemp)
  if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
       --error-exitcode=99 "$t" >"$log" 2>&1; then
    echo "valgrind: $(basename "$t") clean"
  else
    echo "valgrind: $(basename "$t") FAILED"; cat "$log"; failed=1
  fi
  rm -f "$log"
done
exit $failed
