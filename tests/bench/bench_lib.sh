# bench_lib.sh: what the side-by-side rate scripts share, sourced after `set -eu`: their own
# folder ($here, for the helper scripts), a scratch folder removed on exit ($work), RUNS, the
# median of a column, and one synthminer run's rate.
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
