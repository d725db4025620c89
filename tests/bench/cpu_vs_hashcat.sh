#!/bin/sh
# cpu_vs_hashcat.sh: every CPU scan core's MH/s per core next to the SHA-256d ceiling of the same
# CPU, in one run. The ceiling is half of hashcat's SHA2-256 benchmark (-m 1400 -O, one
# compression per candidate) on the CPU through PoCL, divided by the processing units PoCL ran
# on: SHA-256d costs two compressions per nonce. hashcat runs RUNS times (default 3) and the
# median counts, since its figure moves by 20 % between runs on a shared machine.
#
#   tests/bench/cpu_vs_hashcat.sh [BUILD_DIR] [--json]      HASHCAT=/path/to/hashcat RUNS=3
set -eu
build=${1:-build}
json=${2:-}
# shellcheck source=bench_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench_lib.sh"
bench="$build/tests/bench_cpu_cores"
[ -x "$bench" ] || { echo "cpu_vs_hashcat: build $bench first" >&2; exit 1; }

pus=$(nproc)
each_run "$here/hashcat_rate.sh" 1 > "$work/rates"
hps=$(median < "$work/rates")
[ -n "$hps" ] || { echo "cpu_vs_hashcat: no speed in hashcat's output" >&2; exit 1; }
ceiling=$(awk -v h="$hps" -v p="$pus" 'BEGIN { printf "%.0f", h / 2 / p }')

if [ "$json" = "--json" ]; then
  printf '{"hashcat_sha256_hps": %s, "hashcat_runs": [%s], "processing_units": %s, ' \
    "$hps" "$(paste -sd, "$work/rates")" "$pus"
  printf '"ceiling_sha256d_hps_per_core": %s, "bench": ' "$ceiling"
  "$bench" --no-scaling --seconds 5 --ceiling "$ceiling" --json | tr -d '\n'
  echo "}"
else
  echo "hashcat -b -m 1400 -O -D 1 on $pus processing units, MH/s SHA-256 per run:" \
    "$(awk '{ printf "%s%.1f", (NR > 1 ? ", " : ""), $1 / 1e6 }' "$work/rates"); median" \
    "$(awk -v h="$hps" 'BEGIN { printf "%.1f", h / 1e6 }')"
  "$bench" --no-scaling --seconds 5 --ceiling "$ceiling"
fi
