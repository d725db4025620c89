#!/bin/sh
# api_path_instructions.sh: instructions per nonce of SHA-256d through the work API against
# the miner's path, counted by valgrind (cachegrind, no cache simulation). A count does not
# move with a shared machine's speed, so it resolves differences that wall-clock rates on such
# a machine cannot.
#
#   tests/bench/api_path_instructions.sh BUILD_DIR [SHORT LONG RUNS CORE]
#     e.g. tests/bench/api_path_instructions.sh build 5 15 5 avx2
#
# Each run counts each path twice, for SHORT and for LONG seconds (bench_api_path --solo); the
# difference of the two counts over the difference of their nonces is the path's cost per
# nonce, with the runtime's start and stop taken out. Prints every run and the median ratio.
# CORE must be one that valgrind decodes: avx2, sse or generic (not sha-ni or avx512).
set -eu
build=$1
short=${2:-5}
long=${3:-15}
runs=${4:-5}
core=${5:-avx2}
command -v valgrind >/dev/null || {
  echo "api_path_instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# count PATH SECONDS: prints "INSTRUCTIONS NONCES".
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$build/tests/bench_api_path" --solo "$1" "$core" "$2" >"$tmp/out" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    exit 1
  }
  ir=$(sed -n 's/^==[0-9]*== I *refs: *//p' "$tmp/err" | tr -d ,)
  nonces=$(sed -n 's/.*"nonces":\([0-9]*\).*/\1/p' "$tmp/out")
  if [ -z "$ir" ] || [ -z "$nonces" ]; then
    echo "api_path_instructions.sh: no count from valgrind or bench_api_path" >&2
    exit 1
  fi
  echo "$ir $nonces"
}
: >"$tmp/ratios"
for r in $(seq "$runs"); do
  line="run $r:"
  for path in miner api; do
    a=$(count "$path" "$short") # assignments, so that a failed count stops the script
    b=$(count "$path" "$long")
    # shellcheck disable=SC2086 # split into instructions and nonces
    set -- $a $b
    per=$(awk -v a="$1" -v n="$2" -v b="$3" -v m="$4" 'BEGIN { printf "%.3f", (b - a) / (m - n) }')
    line="$line $path $per instructions/nonce ($2 and $4 nonces),"
    eval "per_$path=$per"
  done
  # shellcheck disable=SC2154 # per_miner and per_api are set by the eval above
  ratio=$(awk -v a="$per_api" -v m="$per_miner" 'BEGIN { printf "%.5f", a / m }')
  echo "$line work API / miner = $ratio"
  echo "$ratio" >>"$tmp/ratios"
done
sort -n "$tmp/ratios" | awk -v core="$core" '{ v[NR] = $1 } END {
  printf "{\"core\":\"%s\",\"runs\":%d,\"median_ratio\":%.5f,\"min_ratio\":%.5f,\"max_ratio\":%.5f}\n",
    core, NR, v[int((NR + 1) / 2)], v[1], v[NR] }'
