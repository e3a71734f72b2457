#!/usr/bin/env bash
# Writes `repository = "URL"` into Cargo.toml's [package] (replacing one already there), so the
# published crate names the repository it was released from:
#
#   scripts/stamp-repository.sh https://github.com/OWNER/campaign-pulse [Cargo.toml]
#
# `cargo binstall` builds the archive URLs from it ([package.metadata.binstall]).
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: $0 URL [CARGO_TOML]" >&2
  exit 2
fi
url=$1 manifest=${2:-Cargo.toml}
case "$url" in
  https://*) ;;
  *) echo "error: \`$url\` is not an https:// URL" >&2; exit 2 ;;
esac
case "$url" in
  *[!A-Za-z0-9:/._-]*) echo "error: \`$url\` is not a repository URL" >&2; exit 2 ;;
esac
tmp=$(mktemp)
awk -v url="$url" '
  /^\[/ { if (in_package && !done) { print "repository = \"" url "\""; done = 1 } in_package = ($0 == "[package]") }
  in_package && /^repository = / { if (!done) { print "repository = \"" url "\""; done = 1 } next }
  { print }
  END { if (in_package && !done) print "repository = \"" url "\"" }
' "$manifest" > "$tmp"
mv "$tmp" "$manifest"
