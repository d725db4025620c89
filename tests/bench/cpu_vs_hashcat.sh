#!/bin/sh
# cpu_vs_hashcat.sh: every CPU scan core's MH/s per core next to the SHA-256d ceiling of the same
# CPU, in one run. The ceiling is half of hashcat's SHA2-256 benchmark (-m 1400 -O, one
# compression per candidate) on the CPU through PoCL, divided by the processing units PoCL ran
# on: SHA-256d costs two compressions per nonce.
#
#   tests/bench/cpu_vs_hashcat.sh [BUILD_DIR] [--json]
set -eu
build=${1:-build}
json=${2:-}
bench="$build/tests/bench_cpu_cores"
[ -x "$bench" ] || { echo "cpu_vs_hashcat: build $bench first" >&2; exit 1; }
if ! command -v hashcat >/dev/null 2>&1; then
  echo "cpu_vs_hashcat: hashcat is not installed (Debian: apt-get install hashcat)" >&2
  exit 1
fi

pus=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# hashcat writes its kernel cache and potfile next to the session: keep them out of the repo.
(cd "$work" && hashcat -b -m 1400 -O -D 1 --force > hashcat.txt 2>&1) || {
  echo "cpu_vs_hashcat: hashcat failed:" >&2
  tail -5 "$work/hashcat.txt" >&2
  exit 1
}
# "Speed.#1.........: 47091.4 kH/s (9.11ms) @ ..." -> hashes per second
hps=$(awk '/^Speed\.#/ {
  v = $2; u = $3
  m = (u == "H/s") ? 1 : (u == "kH/s") ? 1e3 : (u == "MH/s") ? 1e6 : (u == "GH/s") ? 1e9 : 0
  printf "%.0f", v * m; exit }' "$work/hashcat.txt")
[ -n "$hps" ] || { echo "cpu_vs_hashcat: no speed in hashcat's output" >&2; exit 1; }
ceiling=$(awk -v h="$hps" -v p="$pus" 'BEGIN { printf "%.0f", h / 2 / p }')

if [ "$json" = "--json" ]; then
  printf '{"hashcat_sha256_hps": %s, "processing_units": %s, "ceiling_sha256d_hps_per_core": %s, "bench": ' \
    "$hps" "$pus" "$ceiling"
  "$bench" --no-scaling --seconds 5 --ceiling "$ceiling" --json | tr -d '\n'
  echo "}"
else
  echo "hashcat -b -m 1400 -O -D 1: $(awk -v h="$hps" 'BEGIN { printf "%.1f", h / 1e6 }') MH/s SHA-256 on $pus processing units"
  "$bench" --no-scaling --seconds 5 --ceiling "$ceiling"
fi
