#!/bin/sh
# check_unit.sh UNIT SYNTHMINER: `systemd-analyze verify` on the service unit, with its
# ExecStart pointed at the build's synthminer (verify wants the command to exist). Anything
# verify says is a failure: it warns of unknown keys and bad values but still exits 0. The
# exposure score of `systemd-analyze security` is printed, not judged. Without systemd-analyze
# the test is skipped (exit 77).
set -eu
unit=$1
synthminer=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fail() { echo "check_unit: $*" >&2; exit 1; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check_unit: SKIPPED: systemd-analyze not found (Debian: apt-get install systemd)"
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

grep -q '^ExecStart=/usr/bin/synthminer ' "$unit" ||
  fail "ExecStart does not run /usr/bin/synthminer"
copy=$scratch/synthminer.service
sed "s#^ExecStart=/usr/bin/synthminer #ExecStart=$synthminer #" "$unit" >"$copy"
systemd-analyze verify --man=no "$copy" >"$scratch/verify.log" 2>&1 ||
  fail "systemd-analyze verify failed: $(cat "$scratch/verify.log")"
[ -s "$scratch/verify.log" ] && fail "systemd-analyze verify warns: $(cat "$scratch/verify.log")"

# A service that would start enabled, or as root, is not the one documented.
grep -qx 'User=synthminer' "$unit" || fail "the unit does not run as synthminer"
grep -qx 'Type=notify' "$unit" || fail "the unit is not Type=notify"
# shellcheck disable=SC2016 # $MAINPID is the unit's, not the shell's
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "the unit has no SIGHUP reload"

score=$(systemd-analyze security --offline=yes --no-pager "$copy" 2>/dev/null | tail -n 1 || true)
echo "check_unit: systemd-analyze verify: ok; security: ${score:-not available}"
