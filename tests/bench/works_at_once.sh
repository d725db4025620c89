#!/bin/sh
# works_at_once.sh: three works submitted at once against one work of the same total, on the
# same runtime, alternated ROUNDS times (preimage64_works --bench): the median rate ratio, and
# when each of the three ended against the one work's time.
#
#   tests/bench/works_at_once.sh BUILD_DIR DEVICES LOG2_COUNT [ROUNDS]
#     e.g. tests/bench/works_at_once.sh build cpu 30 9
set -eu
build=$1
devices=$2
count=$((1 << $3))
rounds=${4:-9}
# 40 bits: about no hit but the planted ones, so only the hashing is timed.
"$build/examples/preimage64/preimage64_works" --devices "$devices" --count "$count" --bits 40 \
  --bench "$rounds"
