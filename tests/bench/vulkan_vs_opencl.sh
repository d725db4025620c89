#!/bin/sh
# vulkan_vs_opencl.sh: one GPU's SHA-256d rate through the Vulkan backend next to the OpenCL
# backend and to hashcat's SHA2-256 benchmark on the same kind of device, in one run. Half of
# hashcat's -m 1400 -O rate (one compression per candidate) is a fair SHA-256d ceiling. Each
# of the three runs RUNS times (default 3), interleaved; medians count.
#
#   tests/bench/vulkan_vs_opencl.sh BUILD_DIR OPENCL_DEVICE VULKAN_DEVICE HASHCAT_TYPE [SECONDS]
#     e.g. tests/bench/vulkan_vs_opencl.sh build opencl:0 vulkan:0 2 20
#   HASHCAT=/path/to/hashcat RUNS=3 EXTRA="--vulkan-work-group 512" (flags for both runs)
set -eu
build=$1
cl=$2
vk=$3
htype=$4
seconds=${5:-20}
# shellcheck source=bench_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench_lib.sh"

one_run() {
  "$here/hashcat_rate.sh" "$htype" >> "$work/hashcat"
  synth_rate "$cl" >> "$work/opencl"
  synth_rate "$vk" >> "$work/vulkan"
}
each_run one_run
hc=$(median < "$work/hashcat")
oc=$(median < "$work/opencl")
vu=$(median < "$work/vulkan")
for f in hashcat opencl vulkan; do
  echo "$f, per run:" $(awk '{ printf "%.1f ", $1 / 1e6 }' "$work/$f") "MH/s"
done
awk -v h="$hc" -v o="$oc" -v v="$vu" -v cl="$cl" -v vk="$vk" 'BEGIN {
  printf "median: hashcat %.1f MH/s (ceiling %.1f), %s %.1f MH/s = %.1f%% of the ceiling, %s %.1f MH/s = %.1f%% of the ceiling\n",
    h / 1e6, h / 2e6, cl, o / 1e6, 100 * o / (h / 2), vk, v / 1e6, 100 * v / (h / 2)
  printf "vulkan / opencl = %.1f%%\n", 100 * v / o }'
