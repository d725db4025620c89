#!/usr/bin/env python3
"""check_names.py API_METRICS_C RULES_YML DASHBOARD_JSON EXPRS_OUT: every metric name the rules
and the dashboard query is one the exposition has (its families in api_metrics.c), one the rules
record, or Prometheus' own `up`. Writes the dashboard's queries, its variables filled in, as a
rules file to EXPRS_OUT so that `promtool check rules` parses them as PromQL."""
import json
import re
import sys

import yaml

# A family is a name followed by its type: the table rows and the put_family_head() calls.
FAMILY = re.compile(r'"(synthminer_[a-z0-9_]+)",\s*"(?:gauge|counter|summary|histogram)"')
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan",
            # aggregations, which may put their by() before the parenthesis
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
            "bottomk", "topk", "quantile"}


def names_in(expr):
    """Metric names in a PromQL expression: identifiers outside strings, not called, not in a
    grouping list, not a label matcher's name."""
    text = STRING.sub('""', expr)
    text = re.sub(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', r'\1', text)
    text = re.sub(r'\{[^}]*\}', '{}', text)       # label matchers
    text = re.sub(r'\[[^\]]*\]', '[]', text)       # ranges, subqueries
    found = set()
    for m in NAME.finditer(text):
        word, rest = m.group(0), text[m.end():].lstrip()
        if rest.startswith("(") or word.lower() in KEYWORDS:
            continue
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue  # the exponent or unit of a number (1e12, 5m)
        found.add(word)
    return found


def base(name):
    return re.sub(r'_(bucket|sum|count)$', '', name)


def main():
    c_file, rules_file, dash_file, out = sys.argv[1:5]
    with open(c_file) as f:
        families = set(FAMILY.findall(f.read()))
    with open(rules_file) as f:
        rules = yaml.safe_load(f)
    with open(dash_file) as f:
        dash = json.load(f)  # fails on invalid JSON

    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    known = families | recorded | {"up"}
    exprs = [("rules: " + (r.get("record") or r.get("alert")), r["expr"])
             for g in rules["groups"] for r in g["rules"]]

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                exprs.append(("dashboard: " + node.get("refId", "?"), node["expr"]))
            q = node.get("query")
            if isinstance(q, dict) and isinstance(q.get("query"), str):
                m = re.match(r'label_values\((.*),\s*\w+\)$', q["query"])
                if m:
                    exprs.append(("dashboard variable", m.group(1)))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(dash)

    bad = 0
    for where, expr in exprs:
        for name in sorted(names_in(expr)):
            if base(name) not in known and name not in known:
                print(f"FAIL: {where}: {name} is no family of the exposition: {expr}")
                bad += 1
    # The dashboard's queries as recording rules, its variables filled in, for promtool.
    filled = [e.replace("$__rate_interval", "5m").replace("$rig", ".*").replace("$device", ".*")
              for w, e in exprs if w.startswith("dashboard")]
    doc = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(filled)]}]}
    with open(out, "w") as f:
        yaml.safe_dump(doc, f)
    print(f"checked {len(exprs)} expressions against {len(families)} families")
    return 1 if bad or not families else 0


if __name__ == "__main__":
    sys.exit(main())
