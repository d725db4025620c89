# bench_lib.sh: what the side-by-side rate scripts share, sourced after `set -eu`: their own
# folder ($here, for the helper scripts), a scratch folder removed on exit ($work), RUNS, the
# median of a column, one synthminer run's rate, and synthminer devices against hashcat.
# shellcheck shell=sh
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=${RUNS:-3}

# each_run COMMAND...: runs it $runs times; a function running every side once interleaves them.
each_run() {
  i=0
  while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    "$@"
  done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# synth_rate DEVICE: the device's hashes per second over $seconds through "$build/synthminer",
# with the flags in $EXTRA.
# shellcheck disable=SC2154 # build and seconds are the sourcing script's
synth_rate() {
  # shellcheck disable=SC2086 # EXTRA is a list of flags
  "$build/synthminer" run --devices "$1" --duration "$seconds" --status-interval 0 --json \
    ${EXTRA:-} | "$here/json_field.sh" devices.0.hashrate
}

# In MH/s, the rates (hashes per second) of a file, one a line, separated by spaces.
mhs() { awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1e6 }' "$1"; }

# versus_hashcat HASHCAT_TYPE DEVICE...: hashcat's SHA2-256 benchmark (-m 1400 -O) on -D
# HASHCAT_TYPE and each synthminer DEVICE, interleaved, $runs times. Prints each side's rate per
# run and its median, a device's also as a share of the SHA-256d ceiling: half of hashcat's rate
# (one compression per candidate, two per nonce). The medians stay in $work/median.hashcat and
# $work/median.1, $work/median.2, ... (the devices in order).
versus_hashcat() {
  htype=$1
  shift
  each_run versus_hashcat_once "$htype" "$@"
  median < "$work/hashcat" > "$work/median.hashcat"
  echo "hashcat -m 1400 -O -D $htype (SHA-256), per run: $(mhs "$work/hashcat") MH/s;" \
    "median $(mhs "$work/median.hashcat") MH/s, ceiling (half) for SHA-256d" \
    "$(awk '{ printf "%.1f", $1 / 2e6 }' "$work/median.hashcat") MH/s"
  n=0
  for device in "$@"; do
    n=$((n + 1))
    median < "$work/synth.$n" > "$work/median.$n"
    echo "synthminer $device (SHA-256d), per run: $(mhs "$work/synth.$n") MH/s;" \
      "median $(mhs "$work/median.$n") MH/s =" \
      "$(awk -v h="$(cat "$work/median.hashcat")" '{ printf "%.1f", 100 * $1 / (h / 2) }' \
        "$work/median.$n")% of the ceiling"
  done
}

# One run of each side, for versus_hashcat.
versus_hashcat_once() {
  "$here/hashcat_rate.sh" "$1" >> "$work/hashcat"
  shift
  k=0
  for device in "$@"; do
    k=$((k + 1))
    synth_rate "$device" >> "$work/synth.$k"
  done
}
