#!/bin/sh
# Runs every libFuzzer target of a TSR_FUZZ build for a bounded time.
#   scripts/fuzz.sh BUILD_DIR [TARGET...]
# FUZZ_SECONDS (default 30) bounds each target; FUZZ_JOBS (default: the
# number of cores) targets run at once.  Each target starts from a scratch
# copy of fuzz/corpus/<target>, so the committed corpus changes only when
# someone copies inputs back (docs/fuzzing.md).  New inputs stay in
# BUILD_DIR/fuzz-work/<target>/corpus; a crash is copied to
# fuzz/crashes/<target>/ (not committed) and makes the run fail.
set -eu
build=${1:?usage: scripts/fuzz.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-$(nproc)}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
work="$build/fuzz-work"

if [ $# -eq 0 ]; then
  set -- $(ls "$root"/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi

run_one() {
  t=$1
  bin="$build/fuzz/fuzz_$t"
  dir="$work/$t"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$root/fuzz/corpus/$t/"* "$dir/corpus/" 2>/dev/null || true
  dict=""
  [ -f "$root/fuzz/dict/$t.dict" ] && dict="-dict=$root/fuzz/dict/$t.dict"
  # shellcheck disable=SC2086
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
       -print_final_stats=1 -artifact_prefix="$dir/artifacts/" $dict "$dir/corpus" \
       >"$dir/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
    echo "fuzz: $t clean ($runs runs in ${seconds}s, corpus $(ls "$dir/corpus" | wc -l) inputs)"
  else
    mkdir -p "$root/fuzz/crashes/$t"
    cp "$dir/artifacts/"* "$root/fuzz/crashes/$t/" 2>/dev/null || true
    echo "fuzz: $t FAILED: inputs in fuzz/crashes/$t/, log $dir/log:"
    grep -E '^(==|SUMMARY|    #[0-9]|.*invariant failed|.*runtime error)' "$dir/log" | head -40
    touch "$work/failed"
  fi
}

mkdir -p "$work"
rm -f "$work/failed"
running=0
for t in "$@"; do
  [ -x "$build/fuzz/fuzz_$t" ] || { echo "fuzz: no target fuzz_$t in $build" >&2; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait
    running=0
  fi
done
wait
[ ! -e "$work/failed" ] || { echo "fuzz: crashes found"; exit 1; }
echo "fuzz: every target ran ${seconds}s without a crash"
