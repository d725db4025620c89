#!/bin/sh
# pool_vs_sum.sh: synthminer's whole pool against the sum of its devices run alone, each for
# SECONDS, in one run. A pool that schedules well adds up its devices.
#
#   tests/bench/pool_vs_sum.sh BUILD_DIR "DEV1 DEV2 ..." [SECONDS] [POOL_DEVICES]
#     e.g. tests/bench/pool_vs_sum.sh build "cpu opencl:1" 20 all
set -eu
build=$1
devices=$2
seconds=${3:-20}
pool=${4:-all}
here=$(cd "$(dirname "$0")" && pwd)
run() {
  # shellcheck disable=SC2086 # EXTRA is a list of flags
  "$build/synthminer" run --devices "$1" --duration "$seconds" --status-interval 0 --json ${EXTRA:-} |
    "$here/json_field.sh" totals.hashrate
}
sum=0
for d in $devices; do
  r=$(run "$d")
  echo "alone: $d $(awk -v r="$r" 'BEGIN { printf "%.3f", r / 1e6 }') MH/s"
  sum=$(awk -v a="$sum" -v b="$r" 'BEGIN { printf "%.0f", a + b }')
done
p=$(run "$pool")
awk -v p="$p" -v s="$sum" -v pool="$pool" 'BEGIN {
  printf "pool (--devices %s): %.3f MH/s, sum of devices alone: %.3f MH/s, pool/sum = %.1f%%\n",
    pool, p / 1e6, s / 1e6, 100 * p / s }'
