#!/bin/sh
# check_configs.sh SOURCE_DIR: the fleet's Prometheus and Grafana files (docs/fleet.md) as their
# tools read them: the scrape config, the rules and their unit tests through promtool; the
# dashboard parses, and every metric either queries is one the exposition has. Exit 77: no tools.
set -eu

src=$1
prom=$src/docs/prometheus
dash=$src/docs/grafana/synthminer-dashboard.json
if ! command -v promtool >/dev/null 2>&1; then
  echo "SKIPPED: promtool not found"
  exit 77
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "SKIPPED: python3 with yaml (python3-yaml) not found"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# promtool wants the token file to exist; on a Prometheus host it does (docs/fleet.md), so the
# config is checked in a copy with a stand-in beside it.
cp -R "$prom/." "$tmp/"
echo stand-in >"$tmp/synthminer.token"
promtool check config "$tmp/prometheus.yml"
promtool check rules "$prom/synthminer.rules.yml"
promtool test rules "$prom/synthminer.rules.test.yml"

python3 -m json.tool "$dash" >/dev/null
python3 "$src/tests/fleet/check_names.py" "$src/app/api_metrics.c" "$prom/synthminer.rules.yml" \
  "$dash" "$tmp/dashboard.rules.yml"
# The dashboard's queries as recording rules: promtool parses each as PromQL.
promtool check rules "$tmp/dashboard.rules.yml"
echo "ok: fleet configs"
