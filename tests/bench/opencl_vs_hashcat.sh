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

versus_hashcat "$htype" "$device"
