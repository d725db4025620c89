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

versus_hashcat "$htype" "$cl" "$vk"
awk -v o="$(cat "$work/median.1")" -v v="$(cat "$work/median.2")" \
  'BEGIN { printf "vulkan / opencl = %.1f%%\n", 100 * v / o }'
