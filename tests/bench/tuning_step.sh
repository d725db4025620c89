#!/bin/bash
# Tuner convergence on a real device: hashes on DEVICES for 22 s with a batch trace, while a
# second synthminer hashes on LOAD (the same GPU, or the same CPU cores) from 8 s to 14 s;
# then prints, per device, how long batch latency took to return within +-15 % of its target
# after the load arrived and after it left.
#
#   tests/bench/tuning_step.sh BUILD_DIR DEVICES LOAD [TRACE_FILE]
#   e.g. tests/bench/tuning_step.sh build vulkan:0 vulkan:0
#        tests/bench/tuning_step.sh build all vulkan:0 all.jsonl
set -eu
build=$1 devices=$2 load=$3 trace=${4:-$(mktemp /tmp/tuning-step-XXXXXX.jsonl)}
S=$build/synthminer
Q="--no-api --status-interval 0"
here=$(dirname "$0")
"$S" run --devices "$devices" --duration 22 $Q --trace "$trace" > /dev/null &
main=$!
sleep 8
"$S" run --devices "$load" --duration 6 $Q > /dev/null
wait $main
echo "trace: $trace"
echo "-- load arrives (8 s)"
python3 "$here/tuning_trace.py" settle "$trace" --step 8 || true
echo "-- load leaves (14 s)"
python3 "$here/tuning_trace.py" settle "$trace" --step 14 || true
