#!/usr/bin/env bash
# Many organizations (SPEC §15): one run over `github.orgs` against the project's fake GitHub
# (examples/fake_github.rs, with a latency on every alert page and owner lookup), ORGS
# organizations of N alerts each (benches/gen_alerts.py, one copy per organization), first
# run; then `campaign-pulse rollup` over the organizations' folders, as a matrix's roll-up
# job would. Prints a Markdown table: alert requests, wall time, CPU, peak memory.
#
#   benches/orgs.sh [ORGS [N]]        # default: 10 organizations × 2000 alerts; LATENCY_MS=150
#
# Needs python3. Nothing leaves loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
orgs=${1:-10}
n=${2:-2000}
latency=${LATENCY_MS:-150}
token=ghp_test-token-0123456789
# shellcheck source=benches/lib.sh
. benches/lib.sh
build_binaries

# ORGS copies of the generated organization, org0 … org(ORGS-1), in one file; owners likewise
python3 benches/gen_alerts.py "$n" 1 --owners "$work/owners1" > "$work/acme.json"
python3 - "$work" "$orgs" <<'PY'
import json, sys
work, orgs = sys.argv[1], int(sys.argv[2])
text = open(f"{work}/acme.json").read()
alerts = []
for i in range(orgs):
    alerts += json.loads(text.replace("acme/", f"org{i}/").replace("/acme", f"/org{i}"))
json.dump(alerts, open(f"{work}/alerts.json", "w"))
import os
os.makedirs(f"{work}/owners", exist_ok=True)
commits = json.load(open(f"{work}/owners1/commits.json"))
json.dump(commits, open(f"{work}/owners/commits.json", "w"))
codeowners = json.load(open(f"{work}/owners1/codeowners.json"))
json.dump({r.replace("acme/", f"org{i}/"): t for i in range(orgs) for r, t in codeowners.items()},
          open(f"{work}/owners/codeowners.json", "w"))
PY
more=$(python3 -c "import sys; print(','.join(f'org{i}' for i in range(1, int(sys.argv[1]))))" "$orgs")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$fake" --port "$port" --org org0 ${more:+--more-orgs "$more"} --alerts "$work/alerts.json" \
  --latency-ms "$latency" --owners "$work/owners" > "$work/fake.log" &
pid=$!
for _ in $(seq 1 300); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.1
done

{
  echo "github:"
  echo "  api_url: http://127.0.0.1:$port"
  echo "  generic_secret_types: [password, rsa_private_key]"
  echo "  orgs:"
  for i in $(seq 0 $((orgs - 1))); do echo "    - org$i"; done
  echo "history: { path: state/history.jsonl }"
  echo "output: { dir: out }"
  echo "campaigns:"
  echo '  - { id: azure, filter: "provider:azure", starts_on: 2026-09-01, due_on: 2026-12-31 }'
  echo '  - { id: public, filter: "publicly-leaked", starts_on: 2026-10-01 }'
  echo '  - { id: generic, filter: "results:generic", starts_on: 2026-10-01 }'
} > "$work/config.yaml"


row() {
  read -r wall user sys rss < "$work/time"
  python3 - "$1" "$2" "$wall" "$user" "$sys" "$rss" <<'PY'
import sys
label, requests, wall, user, sys_, rss = sys.argv[1:]
print(f"| {label} | {requests} | {float(wall):.1f} s | {float(user) + float(sys_):.2f} s | {int(rss)/1024:.0f} MB |")
PY
}

echo "| $orgs organizations × $n alerts, latency ${latency} ms | alert requests | wall | CPU | peak memory |"
echo "|---|---:|---:|---:|---:|"
(cd "$work" && timed "$work/time" env GITHUB_TOKEN=$token CAMPAIGN_PULSE_LOG=campaign_pulse=info \
  "$bin" run --config config.yaml --as-of 2026-11-23 --no-send > /dev/null 2> "$work/log") || {
  cat "$work/log" >&2
  exit 1
}
requests=$(sed -n 's/.*fetched [0-9]* alerts in \([0-9]*\) requests.*/\1/p' "$work/log" |
  python3 -c 'import sys; print(sum(int(l) for l in sys.stdin))')
row "first run over \`github.orgs\`" "$requests"
test "$(python3 -c "import json; print(len(json.load(open('$work/out/rollup.json'))['orgs']))")" = "$orgs"
dirs=()
for i in $(seq 0 $((orgs - 1))); do dirs+=("out/org$i"); done
(cd "$work" && timed "$work/time" "$bin" rollup --config config.yaml --out site -q "${dirs[@]}")
row "\`rollup\` over the $orgs folders (copied into site/)" "–"
cmp -s <(python3 -c "import json; d=json.load(open('$work/out/rollup.json')); print(json.dumps(d['campaigns']))") \
       <(python3 -c "import json; d=json.load(open('$work/site/rollup.json')); print(json.dumps(d['campaigns']))") ||
  { echo "the roll-up of the folders differs from the run's" >&2; exit 1; }
echo "<!-- rollup.json of the folders equals the run's; out/ holds $(du -sk "$work/out" | cut -f1) KB -->"
