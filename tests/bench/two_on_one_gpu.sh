#!/bin/sh
# two_on_one_gpu.sh: the stand-in for several GPUs on a machine with one: the miner alone on the
# GPU, then two miners on it at once (two processes, one runtime each), their rates side by
# side: what two runtimes sharing a device add up to, and where each one's feeder thread ran.
#
#   tests/bench/two_on_one_gpu.sh BUILD_DIR OUT_FILE [DEVICE] [SECONDS]   (vulkan:0, 15)
set -u
build=$1
out=$2
dev=${3:-vulkan:0}
secs=${4:-15}
rate() { # the JSON summary's total hashrate in GH/s, and the device's thread_at
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["totals"]["hashrate"]; print("%.3f GH/s, feeder %s" % (t/1e9, d["devices"][0].get("thread_at","?")))' "$1"
}
tmp=$(mktemp -d)
"$build/synthminer" run --devices "$dev" --duration "$secs" --json --no-api --status-interval 0 \
  >"$tmp/alone.json" 2>/dev/null
"$build/synthminer" run --devices "$dev" --duration "$secs" --json --no-api --status-interval 0 \
  >"$tmp/a.json" 2>/dev/null &
a=$!
"$build/synthminer" run --devices "$dev" --duration "$secs" --json --no-api --status-interval 0 \
  >"$tmp/b.json" 2>/dev/null
wait "$a"
{
  echo "alone: $(rate "$tmp/alone.json")"
  echo "two at once, first: $(rate "$tmp/a.json")"
  echo "two at once, second: $(rate "$tmp/b.json")"
} >"$out"
rm -rf "$tmp"
cat "$out"
