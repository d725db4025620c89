#!/bin/sh
# json_field.sh: prints one number from synthminer's --json report on stdin, with no JSON
# tool needed: "totals.hashrate" or "devices.0.hashrate" (the n-th device's field).
#   synthminer run --json ... | tests/bench/json_field.sh totals.hashrate
set -eu
path=$1
tr -d ' \n' | awk -v path="$path" '
  BEGIN { n = split(path, p, ".") }
  {
    s = $0
    if (p[1] == "totals") { i = index(s, "\"totals\":"); s = substr(s, i) }
    else if (p[1] == "devices") {
      i = index(s, "\"devices\":["); s = substr(s, i + 11)
      for (k = 0; k < p[2]; k++) { j = index(s, "},{"); s = substr(s, j + 3) }
    }
    key = "\"" p[n] "\":"
    i = index(s, key); if (i == 0) exit 1
    s = substr(s, i + length(key))
    match(s, /^-?[0-9.eE+-]+/); print substr(s, RSTART, RLENGTH)
  }'
