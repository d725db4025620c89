#!/bin/sh
# cpu_cores_host.sh: the CPU scan cores on one machine, for docs/benchmarks.md: every core
# alternated on the same nonces, their instructions per nonce, the self-benchmark's choice, the
# whole pool from 1 worker to every core (with the clock the cores ran at), and the pool's rate
# on today's core against the new one, alternated.
#
#   tests/bench/cpu_cores_host.sh BUILD_DIR OUT_DIR [PART]
#
# PART: "cores" (alternation, counts, choice, scaling), "pool" (the miner's whole-pool rate,
# alternated) or "load" (the cores alone on 1..all threads, outside the runtime, with the clock
# right after their batches; and the runtime with one worker fewer than cores, against all);
# all of them when left out. Each writes plain-text files under OUT_DIR.
set -u
build=$1
out=$2
part=${3:-all}
mkdir -p "$out"
cores=avx512,avx512x2,avx2,avx2x2,sha-ni,sse,generic

# mhz_while CMD...: runs CMD, sampling the cores' mean clock (cpuinfo) once a second beside it.
mhz_while() {
  (while :; do
    awk '/^cpu MHz/ {s += $4; n++} END {if (n) printf "%.0f\n", s / n}' /proc/cpuinfo
    sleep 1
  done) >"$out/mhz.tmp" &
  sampler=$!
  "$@"
  rc=$?
  kill "$sampler" 2>/dev/null
  wait "$sampler" 2>/dev/null
  sort -n "$out/mhz.tmp" | awk '{v[NR] = $1} END {if (NR) printf "clock while it ran: median %s MHz (%s-%s, %d samples)\n", v[int((NR + 1) / 2)], v[1], v[NR], NR}' >&2
  rm -f "$out/mhz.tmp"
  return $rc
}

if [ "$part" = all ] || [ "$part" = cores ]; then
  {
    lscpu | grep -E 'Model name|^CPU\(s\)|Thread|MHz|Vendor|Model:|Flags' | cut -c1-160
    "$build/synthminer" devices --devices cpu --no-cache 2>&1 | head -n 2
  } >"$out/host.txt"
  for i in 1 2 3; do
    "$build/tests/bench_cpu_cores" --alternate 31 --runs 20 --cores "$cores"
  done >"$out/cores.txt" 2>&1
  "$build/tests/bench_cpu_ops" --nonces 64 avx512 avx512x2 avx2 avx2x2 >"$out/ops.txt" 2>&1
  # One worker alone, then every worker busy: the per-worker rate and the clock each ran at.
  {
    for c in avx512 avx512x2; do
      echo "== $c, 1 worker"
      mhz_while "$build/synthminer" run --devices cpu -O cpu.threads=1 -O "cpu.core=$c" \
        --duration 8 --json --no-api --no-cache --log-level error | tests/bench/json_field.sh totals.hashrate
      echo "== $c, every worker"
      mhz_while "$build/synthminer" run --devices cpu -O "cpu.core=$c" --duration 8 --json \
        --no-api --no-cache --log-level error | tests/bench/json_field.sh totals.hashrate
    done
    "$build/tests/bench_cpu_cores" --seconds 1 --scaling-seconds 3
  } >"$out/scaling.txt" 2>&1
fi

if [ "$part" = all ] || [ "$part" = pool ]; then
  # The miner's whole pool, today's core against the new one, alternated, order flipped.
  for i in 1 2 3; do
    for c in avx512 avx512x2 avx512x2 avx512; do
      printf '%s ' "$c"
      "$build/synthminer" run --devices cpu -O "cpu.core=$c" --duration 10 --json --no-api \
        --no-cache --log-level error | tests/bench/json_field.sh totals.hashrate
    done
  done >"$out/pool.txt" 2>&1
fi

if [ "$part" = all ] || [ "$part" = load ]; then
  n=$(nproc)
  {
    for t in 1 2 4 8 12 "$n"; do
      "$build/tests/bench_cpu_cores" --load "$t" --cores avx512 --seconds 3
    done
    # One core left to the runtime's own threads (service, telemetry) against every core hashing.
    for i in 1 2; do
      for w in $((n - 1)) "$n"; do
        printf '%s workers: ' "$w"
        "$build/synthminer" run --devices cpu -O "cpu.threads=$w" --duration 8 --json --no-api \
          --no-cache --log-level error | tests/bench/json_field.sh totals.hashrate
      done
    done
  } >"$out/load.txt" 2>&1
fi
