#!/bin/sh
# power_limit_host.sh: issue 19's figures on a machine with a GPU, for docs/benchmarks.md: what
# sensors the machine exposes, the GPU's efficiency curve under duty-cycle power limits (the
# device's own limit is never touched), a stepped-limit trace for docs/power_step.svg, and the
# whole miner's per-device energy (the CPU's J/TH where RAPL is readable).
#
#   tests/bench/power_limit_host.sh BUILD_DIR OUT_DIR [DEVICE]     (DEVICE: vulkan:0)
set -u
build=$1
out=$2
dev=${3:-vulkan:0}
mkdir -p "$out"
{
  echo "## /sys/class/powercap"
  ls /sys/class/powercap 2>&1
  for z in /sys/class/powercap/*/; do
    [ -r "$z/name" ] && echo "$z: $(cat "$z/name") energy_uj readable: $(cat "$z/energy_uj" >/dev/null 2>&1 && echo yes || echo no)"
  done
  echo "## /sys/class/hwmon"
  for h in /sys/class/hwmon/*/; do
    [ -r "$h/name" ] && echo "$h: $(cat "$h/name") $(ls "$h" | grep -E '^(temp|power|energy)[0-9]+_(input|average)' | tr '\n' ' ')"
  done
  echo "## synthminer devices"
  "$build/synthminer" devices 2>&1
} >"$out/sensors.txt" 2>&1
"$build/tests/bench_power_limit" --devices "$dev" --trace "$out/power_step.csv" \
  >"$out/power_curve.txt" 2>&1
echo "bench_power_limit rc=$?" >>"$out/power_curve.txt"
"$build/synthminer" run --devices all --duration 30 --json >"$out/run_all.json" 2>"$out/run_all.log"
echo "run rc=$?" >>"$out/run_all.log"
