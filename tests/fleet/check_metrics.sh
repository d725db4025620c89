#!/bin/sh
# check_metrics.sh BUILD_DIR: `promtool check metrics` on a live /metrics of `synthminer run`,
# lint included, so what a fleet's Prometheus scrapes stays valid exposition. Exit 77: no promtool.
set -eu

build=$1
if ! command -v promtool >/dev/null 2>&1; then
  echo "SKIPPED: promtool not found"
  exit 77
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# until TEST SECONDS: polls TEST every 0.1 s; false once SECONDS pass (a busy machine is slow).
until_deadline() {
  n=$(($2 * 10))
  while [ "$n" -gt 0 ]; do
    if eval "$1"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}

"$build/synthminer" run --devices cpu --threads 1 --no-cache --api-port 0 --status-interval 0 \
  --log-level info --duration 120 >"$tmp/out" 2>"$tmp/err" &
pid=$!

port_of() { sed -n 's|^synthminer run: API at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/err"; }
if ! until_deadline '[ -n "$(port_of)" ]' 20; then
  echo "FAIL: no 'API at' line on stderr" >&2
  cat "$tmp/err" >&2
  exit 1
fi
url="http://127.0.0.1:$(port_of)/metrics"

# A nonzero nonce counter: the devices hash, so every device family has its samples.
hashed() {
  curl -sf "$url" >"$tmp/metrics" &&
    grep -q '^synthminer_device_nonces_total{.*} [1-9]' "$tmp/metrics"
}
if ! until_deadline hashed 20; then
  echo "FAIL: synthminer_device_nonces_total stayed 0 or /metrics did not answer" >&2
  cat "$tmp/err" >&2
  exit 1
fi

# Exit 1 is an error, 3 lint problems; both fail (promtool prints them).
status=0
promtool check metrics <"$tmp/metrics" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: promtool check metrics exited $status on:" >&2
  cat "$tmp/metrics" >&2
  exit 1
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
if [ "$status" -ne 0 ]; then
  echo "FAIL: synthminer run exited $status after SIGTERM" >&2
  cat "$tmp/err" >&2
  exit 1
fi
echo "ok: promtool check metrics passed on $(grep -c '^# TYPE' "$tmp/metrics") families"
