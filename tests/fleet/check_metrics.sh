#!/bin/sh
# check_metrics.sh BUILD_DIR: `promtool check metrics` on a live /metrics of `synthminer run`,
# lint included, so what a fleet's Prometheus scrapes stays valid exposition: once hashing the
# benchmark job, once mining for a loopback stub pool (stratum_stub.py), whose shares fill the
# pool families. Exit 77: no promtool or no python3 (the stub's).
set -eu

build=$1
here=$(cd "$(dirname "$0")" && pwd)
for tool in promtool python3 curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIPPED: $tool not found"
    exit 77
  fi
done

tmp=$(mktemp -d)
pid=""
stub=""
cleanup() {
  for p in $pid $stub; do
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# until_deadline TEST SECONDS: polls TEST every 0.1 s; false once SECONDS pass (a busy machine
# is slow) or the run has ended.
until_deadline() {
  n=$(($2 * 10))
  while [ "$n" -gt 0 ]; do
    if eval "$1"; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}

fail() {
  echo "FAIL ($phase): $1" >&2
  if [ -f "$tmp/err" ]; then cat "$tmp/err" >&2; fi
  exit 1
}

port_of() { sed -n 's|^synthminer run: API at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/err"; }
# fetched PATTERN...: /metrics answered and has a line matching each PATTERN.
fetched() {
  curl -sf "http://127.0.0.1:$(port_of)/metrics" >"$tmp/metrics" || return 1
  for pat in "$@"; do
    grep -q "$pat" "$tmp/metrics" || return 1
  done
}

# check_run PHASE 'PATTERN...' RUN_ARGS...: starts a run, waits for the patterns (a nonzero
# nonce counter always), lints its /metrics, stops it with SIGTERM and wants exit 0.
check_run() {
  phase=$1
  patterns="'^synthminer_device_nonces_total{.*} [1-9]' $2"
  shift 2
  "$build/synthminer" run --devices cpu --threads 1 --no-cache --api-port 0 --status-interval 0 \
    --log-level info --duration 120 "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  until_deadline '[ -n "$(port_of)" ]' 20 || fail "no 'API at' line on stderr"
  until_deadline "fetched $patterns" 20 || fail "/metrics never matched $patterns"
  # Exit 1 is an error, 3 lint problems; both fail (promtool prints them).
  status=0
  promtool check metrics <"$tmp/metrics" || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$tmp/metrics" >&2
    fail "promtool check metrics exited $status on the exposition above"
  fi
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  pid=""
  [ "$status" -eq 0 ] || fail "synthminer run exited $status after SIGTERM"
  echo "ok ($phase): promtool check metrics passed on $(grep -c '^# TYPE' "$tmp/metrics") families"
}

check_run benchmark ''

python3 "$here/stratum_stub.py" "$tmp/stub_port" &
stub=$!
until_deadline '[ -s "$tmp/stub_port" ]' 20 || { phase=pool; fail "the stub pool never said its port"; }
check_run pool "'^synthminer_pool_shares_total{outcome=\"accepted\"} [1-9]' \
  '^synthminer_pool_rejects_total{reason=\".*\"} [1-9]' '^synthminer_pool_connected 1'" \
  -o "stratum+tcp://127.0.0.1:$(cat "$tmp/stub_port")" -u fleet.rig01
