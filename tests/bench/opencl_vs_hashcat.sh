#!/bin/sh
# opencl_vs_hashcat.sh: one OpenCL device's SHA-256d rate through synthminer next to hashcat's
# SHA2-256 benchmark on the same kind of device, in one run. Half of hashcat's -m 1400 -O rate
# (one compression per candidate) is a fair SHA-256d ceiling. Each side runs RUNS times
# (default 3); medians count.
#
#   tests/bench/opencl_vs_hashcat.sh BUILD_DIR DEVICE HASHCAT_TYPE [SECONDS]
#     DEVICE        synthminer's device, e.g. opencl:0
#     HASHCAT_TYPE  hashcat's -D: 1 for a CPU device, 2 for a GPU
#   HASHCAT=/path/to/hashcat RUNS=3 EXTRA="--opencl-work-group 256"
set -eu
build=$1
device=$2
htype=$3
seconds=${4:-20}
# shellcheck source=bench_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench_lib.sh"

one_run() {
  "$here/hashcat_rate.sh" "$htype" >> "$work/hashcat"
  synth_rate "$device" >> "$work/synth"
}
each_run one_run
hc=$(median < "$work/hashcat")
sy=$(median < "$work/synth")
echo "hashcat -m 1400 -O -D $htype (SHA-256), per run:" $(awk '{ printf "%.1f ", $1 / 1e6 }' "$work/hashcat") "MH/s"
echo "synthminer $device (SHA-256d), per run:" $(awk '{ printf "%.1f ", $1 / 1e6 }' "$work/synth") "MH/s"
awk -v h="$hc" -v s="$sy" 'BEGIN {
  printf "median: hashcat %.1f MH/s, ceiling (half) %.1f MH/s, synthminer %.1f MH/s = %.1f%% of the ceiling\n",
    h / 1e6, h / 2e6, s / 1e6, 100 * s / (h / 2) }'
