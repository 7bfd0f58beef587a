#!/bin/sh
# Checks that no file in src/, lib/ or include/ includes a header of a layer
# above its own: the layer table is cmake/layers.cmake, the one CMake builds
# the tsr_<layer> libraries from.  A layer may include its own headers, those
# of the layers it names and, through them, everything below.  Prints every
# offending #include (file, line, both layers) and exits 1; exits 0 when
# there is none.  A library header the table gives to some layers
# (tsr_layer_only_header) is refused everywhere else.
# Usage: scripts/check-layers.sh [source tree]
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
table=cmake/layers.cmake
[ -f "$table" ] || { echo "check-layers: no $table in $root" >&2; exit 2; }
files=$(find src lib include -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
all=$(mktemp)
trap 'rm -f "$all"' EXIT
find src lib include -type f > "$all"

# shellcheck disable=SC2086 # the file list is word-split on purpose
grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' $files /dev/null | awk -v table="$table" -v all="$all" '
function norm(p,    n, i, k, part, out) {
    n = split(p, part, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "" || part[i] == ".") continue
        if (part[i] == ".." && k > 0 && stack[k] != "..") { k--; continue }
        stack[++k] = part[i]
    }
    out = ""
    for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") stack[i]
    return out
}
function layer_of(p,    i, best, bl, d) {
    best = ""; bl = 0
    for (i = 1; i <= nd; i++) {
        d = dirs[i]
        if ((p == d || index(p, d "/") == 1) && length(d) > bl) { best = dlayer[i]; bl = length(d) }
    }
    return best
}
# may(a, b): b is a, one of the layers a names, or below one of them.
function may(a, b,    n, i, u) {
    if (a == b) return 1
    if ((a SUBSEP b) in memo) return memo[a, b]
    memo[a, b] = 0
    n = split(uses[a], u, " ")
    for (i = 1; i <= n; i++) if (may(u[i], b)) { memo[a, b] = 1; break }
    return memo[a, b]
}
function closure(a,    l, out) {
    out = ""
    for (l = 1; l <= nl; l++) if (names[l] != a && may(a, names[l])) out = out " " names[l]
    return out == "" ? " nothing" : out
}
BEGIN {
    while ((getline line < table) > 0) {
        if (line ~ /^[[:space:]]*tsr_layer_only_header\(/) {
            sub(/^[^(]*\(/, "", line); sub(/\).*$/, "", line)
            n = split(line, f, " ")
            only[f[1]] = ""
            for (i = 2; i <= n; i++) only[f[1]] = only[f[1]] " " f[i]
            continue
        }
        if (line !~ /^[[:space:]]*tsr_layer(_headers)?\(/) continue
        kind = line ~ /^[[:space:]]*tsr_layer_headers\(/ ? "h" : "l"
        sub(/^[^(]*\(/, "", line); sub(/\).*$/, "", line)
        n = split(line, f, " ")
        if (kind == "l") {
            names[++nl] = f[1]; uses[f[1]] = ""
            for (i = 3; i <= n; i++) uses[f[1]] = uses[f[1]] " " f[i]
        }
        for (i = 2; i <= (kind == "l" ? 2 : n); i++) { dirs[++nd] = f[i]; dlayer[nd] = f[1] }
    }
    while ((getline line < all) > 0) exists[line] = 1
    bad = 0
}
{
    file = $0; sub(/:.*/, "", file)
    rest = substr($0, length(file) + 2); lineno = rest; sub(/:.*/, "", lineno)
    from = layer_of(file)
    if (from == "") next
    if (rest ~ /#[[:space:]]*include[[:space:]]*</) {
        inc = rest; sub(/^[^<]*</, "", inc); sub(/>.*$/, "", inc)
        if (!(inc in only) || index(only[inc] " ", " " from " ") > 0) next
        printf "%s:%s: layer %s includes <%s>, which only%s may include\n", file, lineno, from, inc, only[inc]
        bad = 1
        next
    }
    inc = rest; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
    dir = file; sub(/\/[^\/]*$/, "", dir)
    target = norm(dir "/" inc)
    if (!(target in exists)) {
        target = ""
        if (("src/" inc) in exists) target = "src/" inc
        else if (("lib/" inc) in exists) target = "lib/" inc
        else if (("include/" inc) in exists) target = "include/" inc
    }
    if (target == "") next
    to = layer_of(target)
    if (to == "" || may(from, to)) next
    printf "%s:%s: layer %s includes \"%s\" of layer %s; %s may use:%s\n", file, lineno, from, inc, to, from, closure(from)
    bad = 1
}
END { exit bad }
' && { echo "check-layers: ok, every #include stays within the layers of cmake/layers.cmake"; exit 0; }
echo "check-layers: an #include reaches a layer its own may not use, in cmake/layers.cmake of cmake/layers.cmake (docs/architecture.md, \"Layers\")" >&2
exit 1
