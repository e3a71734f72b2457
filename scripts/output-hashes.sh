#!/usr/bin/env bash
# What a refactoring must not change: the SHA-256 of every file the demo writes (its PNG
# charts included), and of every summary.json the end-to-end tests write. Prints one hash for
# each set and keeps the lists in target/output-hashes/ for a diff. What differs from run to
# run by design is normalized first: the loopback port of the test servers, and an email's
# Date, Message-ID and MIME boundaries; the test that kills runs mid-write is left out.
#
#   scripts/output-hashes.sh            # run before and after, compare the two lines
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/output-hashes
rm -rf "$out" && mkdir -p "$out"
cargo run --quiet -- demo --out "$out/demo" >/dev/null 2>&1
CAMPAIGN_PULSE_KEEP_SUMMARIES="$PWD/$out/summaries" cargo test --quiet --tests -- --test-threads=1 >/dev/null 2>&1
python3 - "$out" <<'PY'
import hashlib, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
def normalized(p):
    b = p.read_bytes()
    if p.suffix == ".eml":
        for boundary in set(re.findall(rb'boundary="([^"]+)"', b)):
            b = b.replace(boundary, b"BOUNDARY")
        b = re.sub(rb"(?m)^(Date|Message-ID): .*$", rb"\1: -", b)
    return re.sub(rb"127\.0\.0\.1:\d+", b"127.0.0.1:PORT", b)
for name, root, pattern in [("demo", out / "demo", "*"), ("summaries", out / "summaries", "summary.json")]:
    # a test that kills runs mid-write leaves what the moment of the kill decides
    files = sorted(p for p in root.rglob(pattern) if p.is_file() and p.suffix != ".lock"
                   and not str(p.relative_to(root)).startswith("a_run_killed_while_writing"))
    lines = [f"{hashlib.sha256(normalized(p)).hexdigest()}  {p.relative_to(root)}" for p in files]
    (out / f"{name}.sha256").write_text("\n".join(lines) + "\n")
    total = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    print(f"{name}: {len(files)} files, {total}")
PY
