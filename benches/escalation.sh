#!/usr/bin/env bash
# Escalation bookkeeping at scale: N open alerts that an escalation rule matches, on two
# channels, with `escalations.jsonl` already holding 90% of them for each channel (so each run
# asks "was this sent?" 2 × N times and has N/10 new alerts due). Runs
# `campaign-pulse run --only escalate --dry-run` offline from a fixture (nothing is sent: the
# messages go to the outbox) and prints wall time and peak memory per size.
#
#   benches/escalation.sh [N ...]        # default: 5000 20000 40000; BENCH_PROFILE=release
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000 20000 40000)
profile=${BENCH_PROFILE:-debug}
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=$PWD/target/$profile/campaign-pulse
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| alerts | records | wall (s) | peak memory (MB) |"
echo "|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  dir="$work/$n"
  mkdir -p "$dir/state"
  python3 - "$dir" "$n" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
alerts, records = [], []
for i in range(n):
    repo = f"acme/repo-{i % 400}"
    number = i // 400 + 1
    alerts.append({
        "number": number, "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-02T00:00:00Z",
        "state": "open", "secret_type": "azure_storage_account_key",
        "secret_type_display_name": "Azure Storage Account Access Key",
        "provider": "Microsoft Azure", "provider_slug": "azure", "validity": "active",
        "publicly_leaked": True,
        "html_url": f"https://github.com/{repo}/security/secret-scanning/{number}",
        "repository": {"full_name": repo, "name": repo.split("/")[1]},
        "first_location_detected": {"path": "config/prod.env", "commit_sha": "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"},
    })
    if i % 10:
        for channel in ["slack:secops", "teams:leadership"]:
            records.append({"rule": "public", "repo": repo, "number": number, "channel": channel,
                            "as_of": "2026-11-01T00:00:00Z", "sent_at": "2026-11-01T00:00:00Z"})
json.dump(alerts, open(f"{d}/alerts.json", "w"))
with open(f"{d}/state/escalations.jsonl", "w") as f:
    for r in records:
        f.write(json.dumps(r) + "\n")
open(f"{d}/config.yaml", "w").write("""github: { org: acme, generic_secret_types: [] }
history: { path: state/history.jsonl }
output: { dir: out }
campaigns:
  - { id: all }
delivery:
  slack:
    - { name: secops, webhook_env: HOOK_SECOPS }
  teams:
    - { name: leadership, webhook_env: HOOK_LEADERSHIP }
escalation:
  - name: public
    when: "validity:active publicly-leaked"
    after: 24h
    notify: [secops, leadership]
""")
print(len(records), file=open(f"{d}/records", "w"))
PY
  (cd "$dir" && python3 - "$bin" "$n" "$(cat records)" <<'PY'
import resource, subprocess, sys, time
binary, n, records = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.monotonic()
r = subprocess.run([binary, "run", "--config", "config.yaml", "--source", "fixture:alerts.json",
                    "--as-of", "2026-11-23", "--only", "escalate", "--dry-run", "-q"],
                   capture_output=True, text=True)
wall = time.monotonic() - t
if r.returncode != 0:
    sys.exit(f"run failed ({r.returncode}): {r.stderr[-2000:]}")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"| {int(n):,} | {int(records):,} | {wall:.2f} | {peak:.0f} |")
PY
  )
done
