#!/bin/sh
# include_graph.sh [SOURCE_DIR]: derives the folder-to-folder and file-to-file #include arrows
# of the library and the command from the sources, and fails when an arrow runs back up the
# layers of tests/structure/layers.txt (public headers, synth/, excepted) or when files include
# each other in a circle (a.c or a.h including b.h while b.c or b.h includes a.h, or longer).
# Prints the folder arrows with their counts either way.
set -eu
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
layers="$src/tests/structure/layers.txt"
cd "$src"
# The generic public headers speak of works, indexes and hits: none includes the miner's.
generic_bad=$(grep -lE '#include "synth/(job|pool|target|miner)\.h"' \
  runtime/include/synth/runtime.h runtime/include/synth/workload.h runtime/include/synth/log.h \
  runtime/include/synth/error.h runtime/include/synth/version.h 2>/dev/null || true)
if [ -n "$generic_bad" ]; then
  echo "generic headers including the miner's: $generic_bad"
  echo "include graph: FAILED"
  exit 1
fi
files=$(git ls-files -- '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' | sed 's|^\./||')
# One line per include: FROM_FILE TO_PATH (quoted includes only; a bare name is the including
# file's own folder).
for f in $files; do
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
    while read -r inc; do
      case "$inc" in
      */*) echo "$f $inc" ;;
      *) echo "$f $(dirname "$f")/$inc" ;;
      esac
    done
done | awk -v layers="$layers" '
  function top(p) { sub(/\/.*/, "", p); return p }
  function module(p) { sub(/\.[ch]$/, "", p); return p }
  # Depth-first search for a circle of modules; prints the first one found from each start.
  function visit(m,    i, n, next_m) {
    state[m] = 1; stack[++depth] = m
    n = split(edges[m], out, " ")
    for (i = 1; i <= n; i++) {
      next_m = out[i]
      if (next_m == "") continue
      if (state[next_m] == 1) {
        line = next_m
        for (j = depth; j >= 1 && stack[j] != next_m; j--) line = stack[j] " -> " line
        print "include circle: " next_m " -> " line
        bad = 1
      } else if (state[next_m] == 0) {
        split(edges[m], out, " ")   # out is global: restore it after the recursion
        visit(next_m)
        n = split(edges[m], out, " ")
      }
    }
    state[m] = 2; depth--
  }
  BEGIN {
    while ((getline l < layers) > 0) {
      if (l ~ /^[[:space:]]*(#|$)/) continue
      split(l, w, " "); layer[w[1]] = w[2]
    }
  }
  {
    from = $1; to = $2
    ft = top(from); tt = top(to)
    if (!(ft in layer)) next                  # examples, tests: programs, not rooms
    if (to ~ /^synth\//) next                 # a public header: anyone may include it
    if (ft != tt) {
      arrows[ft " -> " tt]++
      if (!(tt in layer)) { printf "unknown folder %s, included by %s\n", tt, from; bad = 1 }
      else if (layer[tt] > layer[ft]) {
        printf "runs back up: %s (layer %d) includes %s (layer %d)\n", from, layer[ft], to, layer[tt]
        bad = 1
      }
    }
    a = module(from); b = module(to)
    if (a != b && index(" " edges[a] " ", " " b " ") == 0) edges[a] = edges[a] " " b
    mods[a] = 1; mods[b] = 1
  }
  END {
    for (m in mods) if (!state[m]) visit(m)
    for (k in arrows) printf "%5d  %s\n", arrows[k], k | "sort -k2"
    close("sort -k2")
    if (bad) { print "include graph: FAILED"; exit 1 }
    print "include graph: no circle, nothing runs back up"
  }'
