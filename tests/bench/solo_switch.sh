#!/bin/sh
# solo_switch.sh: bench_solo_switch (a new block at the loopback fake node to every device on
# the new full-block template, by long poll and by ZMQ) for each device set, the sets
# alternated and the whole round repeated; each line is one set's run of BLOCKS switches.
#
#   tests/bench/solo_switch.sh BUILD_DIR [DEVICES...]     (default: cpu opencl vulkan all)
#   RUNS=3 BLOCKS=30
set -eu
build=$1
shift
[ $# -gt 0 ] || set -- cpu opencl vulkan all
runs=${RUNS:-3}
blocks=${BLOCKS:-30}
bench="$build/tests/bench_solo_switch"
"$bench" --blocks 1 --source longpoll | head -n 2
for run in $(seq "$runs"); do
  for devices in "$@"; do
    "$bench" --devices "$devices" --blocks "$blocks" | tail -n +3 | sed "s/\$/   (run $run)/"
  done
done
