#!/usr/bin/env bash
# End-to-end benchmark: the release binary against the project's fake GitHub (the tests'
# server, examples/fake_github.rs) with a latency added to every alert page, on generated
# organizations (benches/gen_alerts.py). For each size: a first run, a run a week later with
# about 2% of the alerts changed (from the alert store), and the same with --full (whose
# summary.json files must be byte-identical). Prints a Markdown table: requests (with the
# one rate-limit read) and the fewest pages the data needs, wall time against pages ×
# latency, CPU (and per request), peak memory; and the first run offline from the same
# alerts (--source fixture:).
#
#   benches/e2e.sh [N ...]          # default: 20000 100000; LATENCY_MS=150 by default
#
# Needs python3 (it also times the runs: wall, CPU, peak memory). Nothing leaves loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 100000)
latency=${LATENCY_MS:-150}
token=ghp_test-token-0123456789

# shellcheck source=benches/lib.sh
. benches/lib.sh
build_binaries

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  "$fake" --port "$port" --alerts "$1" --latency-ms "$latency" --owners "$work/owners" > "$work/fake.log" &
  pid=$!
  for _ in $(seq 1 200); do
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && return
    sleep 0.1
  done
  echo "the fake GitHub did not start" >&2
  exit 1
}


# the fewest pages a run's listings need (each listing at least one page): open alerts, and
# resolved alerts changed since $2 (the campaigns' earliest need, or the last run's read)
min_pages() {
  python3 - "$1" "$2" <<'PY'
import json, math, sys
alerts = json.load(open(sys.argv[1]))
since = sys.argv[2]
generic = {"password", "rsa_private_key"}
count = {}
for a in alerts:
    g = a["secret_type"] in generic
    if a["state"] == "open":
        key = (g, "open")
    elif a["updated_at"] >= since:
        key = (g, "resolved")
    else:
        continue
    count[key] = count.get(key, 0) + 1
pages = 0
for g in (False, True):
    for s in ("open", "resolved"):
        pages += max(1, math.ceil(count.get((g, s), 0) / 100))
print(pages)
PY
}

cat > "$work/config.yaml" <<YAML
github:
  org: acme
  api_url: http://127.0.0.1:$port
  generic_secret_types: [password, rsa_private_key]
history: { path: state/history.jsonl }
output: { dir: out }
campaigns:
  - { id: azure, filter: "provider:azure", starts_on: 2026-09-01, due_on: 2026-12-31 }
  - { id: public, filter: "publicly-leaked", starts_on: 2026-10-01 }
  - { id: generic, filter: "results:generic", starts_on: 2026-10-01 }
YAML

# one run in folder $1 (holding its state/ and out/): label, alerts file, T, the instant the
# fewest pages count resolved alerts from, extra arguments
measure() {
  local dir=$1 label=$2 file=$3 as_of=$4 since=$5
  shift 5
  serve "$work/$file"
  local pages
  pages=$(min_pages "$work/$file" "$since")
  cp "$work/config.yaml" "$dir/config.yaml"
  (cd "$dir" && timed "$work/time" \
    env GITHUB_TOKEN=$token CAMPAIGN_PULSE_LOG=campaign_pulse=info \
    "$bin" run --config config.yaml --as-of "$as_of" --no-send "$@" > /dev/null 2> "$work/log") || {
      cat "$work/log" >&2
      exit 1
    }
  read -r wall user sys rss < "$work/time"
  requests=$(sed -n 's/.*fetched [0-9]* alerts in \([0-9]*\) requests.*/\1/p' "$work/log" | tail -n 1)
  # owner lookups: REST commits asked, CODEOWNERS contents requests, GraphQL queries
  commits=$(sed -n 's/.*owners: \([0-9]*\) commit authors asked over REST.*/\1/p' "$work/log" | tail -n 1)
  files=$(sed -n 's/.* over REST in \([0-9]*\) requests.*/\1/p' "$work/log" | tail -n 1)
  queries=$(sed -n 's/.*; \([0-9]*\) GraphQL queries.*/\1/p' "$work/log" | tail -n 1)
  python3 - "$n" "$label" "$requests" "$pages" "$wall" "$user" "$sys" "$rss" "$latency" "${commits:-0}" "${files:-0}" "${queries:-0}" <<'PY'
import sys
n, label, requests, pages, wall, user, sys_, rss, latency, commits, files, queries = sys.argv[1:]
cpu = float(user) + float(sys_)
floor = int(pages) * int(latency) / 1000
per_page = cpu / max(1, int(requests or 0)) * 1000
lookups = int(commits) + int(files)
share = lookups / 5000 * 100
print(f"| {int(n):,} | {label} | {requests} | {pages} | {queries} | {commits} + {files} ({share:.1f} % of 5,000) | {float(wall):.1f} s | {floor:.1f} s | {float(wall) / max(floor, 0.001):.2f}× | {cpu:.2f} s | {per_page:.1f} ms | {int(rss)/1024:.0f} MB |")
PY
}

echo "| alerts | run | alert requests | fewest pages | GraphQL queries (owners) | REST owner lookups: commits + CODEOWNERS (share of an hour's budget) | wall | floor: pages × ${latency} ms | wall / floor | CPU | CPU a request | peak memory |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  python3 benches/gen_alerts.py "$n" 1 --owners "$work/owners" > "$work/week1.json"
  python3 benches/gen_alerts.py "$n" 2 --owners "$work/owners" > "$work/week2.json"
  rm -rf "$work/a" "$work/b"
  mkdir -p "$work/a"
  measure "$work/a" "first" week1.json 2026-11-23 2026-09-01
  cp -r "$work/a" "$work/b"
  # the last run read up to the newest change of week 1 (2026-11-23)
  measure "$work/a" "a week later" week2.json 2026-11-30 2026-11-23
  measure "$work/b" "a week later, --full" week2.json 2026-11-30 2026-09-01 --full
  # the same first run offline: what computing and rendering cost without the network
  rm -rf "$work/c" && mkdir -p "$work/c" && cp "$work/config.yaml" "$work/c/config.yaml"
  (cd "$work/c" && timed "$work/time" \
    "$bin" run --config config.yaml --as-of 2026-11-23 --no-send -q --source "fixture:$work/week1.json")
  read -r wall user sys rss < "$work/time"
  python3 - "$n" "$wall" "$user" "$sys" "$rss" <<'PY'
import sys
n, wall, user, sys_, rss = sys.argv[1:]
print(f"| {int(n):,} | first, offline (`--source fixture:`) | – | – | – | – | {float(wall):.1f} s | – | – | {float(user) + float(sys_):.2f} s | – | {int(rss)/1024:.0f} MB |")
PY
  for f in $(cd "$work/a/out" && find . -name summary.json | sort); do
    cmp -s "$work/a/out/$f" "$work/b/out/$f" || { echo "$f differs between the run from the store and --full" >&2; exit 1; }
  done
  echo "<!-- $n alerts: every summary.json of the run from the store is byte-identical to --full's; alert store $(du -k "$work/a/state/alerts.jsonl" | cut -f1) KB -->"
done
