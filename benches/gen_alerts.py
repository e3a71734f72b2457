#!/usr/bin/env python3
"""Secret-scanning alerts for the end-to-end benchmark (benches/e2e.sh), as GitHub lists them.

    python3 benches/gen_alerts.py N WEEK > alerts.json
    python3 benches/gen_alerts.py N WEEK --owners DIR > alerts.json

Every alert has a first location (a path and the commit that added it: about one commit in
five adds two secrets). With --owners, DIR/commits.json maps each commit to its author's
login (one in seven is linked to no account: null) and DIR/codeowners.json gives half of the
400 repositories a `.github/CODEOWNERS`, so the owners are looked up as in real use.

N alerts of a made-up organization `acme`, the same every time. WEEK 1 is the organization as
of 2026-11-23; WEEK 2 is the same organization a week later: about 2% of the alerts changed
(1% of the open ones resolved, 1% new).
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

T1 = datetime(2026, 11, 23, tzinfo=timezone.utc)
PROVIDERS = [
    ("azure_storage_account_key", "Azure Storage Account Access Key", "azure", "Azure"),
    ("aws_access_key_id", "Amazon AWS Access Key ID", "aws", "Amazon AWS"),
    ("github_personal_access_token", "GitHub Personal Access Token", "github", "GitHub"),
    ("slack_api_token", "Slack API Token", "slack", "Slack"),
    ("stripe_api_key", "Stripe API Key", "stripe", "Stripe"),
]
GENERIC = [("password", "Password"), ("rsa_private_key", "RSA Private Key")]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def alert(n, rng, created, resolved):
    repo = f"acme/repo-{rng.randrange(400):03d}"
    if rng.random() < 0.1:
        secret_type, display = rng.choice(GENERIC)
        slug = provider = None
    else:
        secret_type, display, slug, provider = rng.choice(PROVIDERS)
    number = n
    a = {
        "number": number,
        "created_at": iso(created),
        "updated_at": iso(resolved or created),
        "url": f"https://api.github.com/repos/{repo}/secret-scanning/alerts/{number}",
        "html_url": f"https://github.com/{repo}/security/secret-scanning/{number}",
        "locations_url": f"https://api.github.com/repos/{repo}/secret-scanning/alerts/{number}/locations",
        "state": "resolved" if resolved else "open",
        "resolution": rng.choice(["revoked", "revoked", "false_positive", "wont_fix"]) if resolved else None,
        "resolved_at": iso(resolved) if resolved else None,
        "resolved_by": {"login": "octocat"} if resolved else None,
        "secret_type": secret_type,
        "secret_type_display_name": display,
        "provider": provider,
        "provider_slug": slug,
        "repository": {"id": 1, "name": repo.split("/")[1], "full_name": repo},
        "push_protection_bypassed": rng.random() < 0.05,
        "push_protection_bypassed_by": None,
        "validity": rng.choice(["active", "inactive", "unknown"]),
        "publicly_leaked": rng.random() < 0.03,
        "multi_repo": rng.random() < 0.05,
        "is_base64_encoded": False,
        "has_more_locations": False,
        "assigned_to": None,
    }
    # the location from its own generator, so the other fields stay as they were
    loc = random.Random(n * 7919 + 17)
    commit = n if loc.random() < 0.8 else n - 1
    sha = f"{commit * 2654435761 % 2**160:040x}"
    a["first_location_detected"] = {
        "path": loc.choice(["config/app.yaml", ".env", "deploy/prod.env", "src/settings.py"]),
        "start_line": 3, "end_line": 3, "start_column": 9, "end_column": 49,
        "blob_sha": "af5626b4a114abcb82d63db7c8082c3c4756e51b",
        "commit_sha": sha,
    }
    return a


def owners(alerts):
    """commit sha -> login or None, and repository -> CODEOWNERS text."""
    commits = {}
    for a in alerts:
        sha = a["first_location_detected"]["commit_sha"]
        r = random.Random(sha)
        commits[sha] = None if r.random() < 1 / 7 else f"dev-{r.randrange(300):03d}"
    codeowners = {}
    for i in range(0, 400, 2):
        codeowners[f"acme/repo-{i:03d}"] = (
            f"# owners\n* @acme/team-{i % 12:02d}\n/config/ @dev-{i % 300:03d}\n"
        )
    return commits, codeowners


def organization(n, week):
    rng = random.Random(20261123)
    alerts = []
    for i in range(n):
        created = T1 - timedelta(days=rng.uniform(0, 360))
        resolved = None
        if rng.random() < 0.7:
            resolved = created + timedelta(days=rng.uniform(0, 120))
            if resolved >= T1:
                resolved = None
        alerts.append(alert(i + 1, rng, created, resolved))
    if week == 2:
        t2 = T1 + timedelta(days=7)
        change = random.Random(7)
        open_ones = [a for a in alerts if a["state"] == "open"]
        for a in change.sample(open_ones, max(1, n // 100)):
            when = T1 + timedelta(days=change.uniform(0, 7))
            a.update(state="resolved", resolution="revoked", resolved_at=iso(when), updated_at=iso(when),
                     resolved_by={"login": "octocat"})
        for i in range(max(1, n // 100)):
            created = T1 + timedelta(days=change.uniform(0, 7))
            alerts.append(alert(n + i + 1, change, created, None))
        assert all(a["created_at"] < iso(t2) for a in alerts)
    return alerts


if __name__ == "__main__":
    n, week = int(sys.argv[1]), int(sys.argv[2])
    alerts = organization(n, week)
    if len(sys.argv) == 5 and sys.argv[3] == "--owners":
        import os
        commits, codeowners = owners(alerts)
        os.makedirs(sys.argv[4], exist_ok=True)
        with open(os.path.join(sys.argv[4], "commits.json"), "w") as f:
            json.dump(commits, f)
        with open(os.path.join(sys.argv[4], "codeowners.json"), "w") as f:
            json.dump(codeowners, f)
    json.dump(alerts, sys.stdout, separators=(",", ":"))
