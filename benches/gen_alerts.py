#!/usr/bin/env python3
"""Secret-scanning alerts for the end-to-end benchmark (benches/e2e.sh), as GitHub lists them.

    python3 benches/gen_alerts.py N WEEK > alerts.json

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
    return a


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
    json.dump(organization(n, week), sys.stdout, separators=(",", ":"))
