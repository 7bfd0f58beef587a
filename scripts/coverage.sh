#!/bin/sh
# Line coverage of src/ and lib/ per folder, from a gcov build (TSR_COVERAGE=ON)
# in the build directory given (default build-coverage): the unit tests and the
# fuzz corpus replays (ctest), then the end-to-end suites unless COVERAGE_E2E=0,
# then gcovr's per-file summary summed per folder.  The counters are reset first,
# so a run counts only itself.  The server writes its counters when it exits,
# which every suite's stop waits for.
set -eu
build=${1:-build-coverage}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
find "$build" -name '*.gcda' -delete
ctest --test-dir "$build" --output-on-failure
if [ "${COVERAGE_E2E:-1}" != 0 ]; then
  TESSERA_BIN="$root/$build/tessera" scripts/e2e.sh
fi
summary="$build/coverage-summary.json"
# --gcov-ignore-parse-errors: gcov prints some branch counts of -O0 code as
# negative, which gcovr 5 cannot parse; only line counts are summed here.
if ! gcovr --root "$root" --filter 'src/' --filter 'lib/' \
     --gcov-ignore-parse-errors --json-summary "$summary" "$build" \
     >"$build/gcovr.log" 2>&1; then
  cat "$build/gcovr.log" >&2
  exit 1
fi
python3 - "$summary" <<'PY'
import json, sys
rows = {}
for f in json.load(open(sys.argv[1]))["files"]:
    parts = f["filename"].split("/")
    folder = "/".join(parts[:2]) if len(parts) > 2 else f["filename"]
    lines, covered = rows.get(folder, (0, 0))
    rows[folder] = (lines + f["line_total"], covered + f["line_covered"])
print(f"{'folder':<14}{'lines':>8}{'covered':>9}{'percent':>9}")
total = [0, 0]
for folder in sorted(rows):
    lines, covered = rows[folder]
    total[0] += lines; total[1] += covered
    pct = 100.0 * covered / lines if lines else 100.0
    print(f"{folder:<14}{lines:>8}{covered:>9}{pct:>8.1f}%")
pct = 100.0 * total[1] / total[0] if total[0] else 100.0
print(f"{'total':<14}{total[0]:>8}{total[1]:>9}{pct:>8.1f}%")
PY
