#!/bin/sh
# hashcat_rate.sh: one run of hashcat's SHA2-256 benchmark (-m 1400 -O) on a device type, its
# first device's hashes per second on stdout. Its potfile and session files go to a scratch
# folder, not the repository.
#   tests/bench/hashcat_rate.sh HASHCAT_TYPE      (-D: 1 a CPU device, 2 a GPU)
#   HASHCAT=/path/to/hashcat
set -eu
hashcat=${HASHCAT:-hashcat}
command -v "$hashcat" >/dev/null 2>&1 || {
  echo "hashcat_rate: no hashcat (Debian: apt-get install hashcat, or set HASHCAT)" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$hashcat" -b -m 1400 -O -D "$1" --force > hashcat.txt 2>&1) || {
  echo "hashcat_rate: hashcat failed:" >&2
  tail -5 "$work/hashcat.txt" >&2
  exit 1
}
# "Speed.#1.........: 47091.4 kH/s (9.11ms) @ ..." -> hashes per second
awk '/^Speed\.#/ { v = $2; u = $3
  m = (u == "H/s") ? 1 : (u == "kH/s") ? 1e3 : (u == "MH/s") ? 1e6 : (u == "GH/s") ? 1e9 : 0
  printf "%.0f\n", v * m; found = 1; exit }
  END { if (!found) exit 1 }' "$work/hashcat.txt" || {
  echo "hashcat_rate: no speed in hashcat's output" >&2
  exit 1
}
