#!/bin/sh
# stress-run.sh N [BUSY]: runs the README's test command (tests/run-all.sh) N times, each with
# BUSY (default 2) busy loops running beside it, as on a shared CI machine. Prints each run's
# verdict, time and per-stage summary; exits non-zero unless every run passed.
# The busy loops are started per run and killed by PID when it ends (or on interrupt).
set -u
cd "$(dirname "$0")/.."
runs=${1:-3}
busy=${2:-2}
case "$runs$busy" in
*[!0-9]*)
  echo "usage: tests/stress-run.sh N [BUSY]" >&2
  exit 2
  ;;
esac

pids=""
stop_busy() {
  for p in $pids; do
    kill "$p" 2>/dev/null
  done
  for p in $pids; do
    wait "$p" 2>/dev/null
  done
  pids=""
}
trap 'stop_busy' EXIT
trap 'stop_busy; exit 130' INT TERM

logdir=${SYNTH_STRESS_LOGS:-$(mktemp -d)}
mkdir -p "$logdir"
passed=0
i=1
while [ "$i" -le "$runs" ]; do
  b=0
  while [ "$b" -lt "$busy" ]; do
    sh -c 'while :; do :; done' &
    pids="$pids $!"
    b=$((b + 1))
  done
  start=$(date +%s)
  log="$logdir/run-$i.log"
  if ./tests/run-all.sh >"$log" 2>&1; then
    verdict=passed
    passed=$((passed + 1))
  else
    verdict=FAILED
  fi
  stop_busy
  secs=$(($(date +%s) - start))
  line="run $i of $runs: $verdict in $secs s with $busy busy loops (log: $log)"
  echo "$line"
  sed -n '/^== summary/,$p' "$log" | sed '1d;s/^/    /'
  i=$((i + 1))
done
echo "== stress: $passed of $runs runs passed"
[ "$passed" -eq "$runs" ]
