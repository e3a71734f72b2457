#!/usr/bin/env bash
# What a refactoring must not change: the SHA-256 of every file the demo writes (its PNG
# charts included), and of every summary.json the end-to-end tests write. Prints one hash for
# each set and keeps the lists in target/output-hashes/ for a diff. What differs from run to
# run by design is normalized first: the loopback port of the test servers, and an email's
# Date, Message-ID and MIME boundaries; the test that kills runs mid-write is left out.
#
#   scripts/output-hashes.sh            # run before and after, compare the two lines
#   scripts/output-hashes.sh --hash DIR # hash a kept target/output-hashes folder again
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/output-hashes
if [ "${1:-}" = "--hash" ]; then
  out=$2
else
  rm -rf "$out" && mkdir -p "$out"
  cargo run --quiet -- demo --out "$out/demo" >/dev/null 2>&1
  CAMPAIGN_PULSE_KEEP_SUMMARIES="$PWD/$out/summaries" cargo test --quiet --tests -- --test-threads=1 >/dev/null 2>&1
fi
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
for kind, pattern in [("demo", "*"), ("summaries", "summary.json")]:
    root = out / kind
    def label(p):
        parts = p.relative_to(root).parts
        # a test's summaries are under <test>/<n>/…, n counting its folders in no fixed order
        return "/".join(parts[:1] + parts[2:]) if kind == "summaries" else "/".join(parts)
    # a test that kills runs mid-write leaves what the moment of the kill decides
    files = [p for p in root.rglob(pattern) if p.is_file() and p.suffix != ".lock"
             and not label(p).startswith("a_run_killed_while_writing")]
    lines = sorted(f"{label(p)}  {hashlib.sha256(normalized(p)).hexdigest()}" for p in files)
    (out / f"{kind}.sha256").write_text("\n".join(lines) + "\n")
    total = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    print(f"{kind}: {len(files)} files, {total}")
PY
