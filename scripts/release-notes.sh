#!/usr/bin/env bash
# The release notes of one version: its section of CHANGELOG.md, without the heading.
#
#   scripts/release-notes.sh VERSION [CHANGELOG]
#
# A version without a section is refused (exit 1): every release says what changed.
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: $0 VERSION [CHANGELOG]" >&2
  exit 2
fi
version=$1
changelog=${2:-$(cd "$(dirname "$0")/.." && pwd)/CHANGELOG.md}
notes=$(awk -v v="$version" '
  /^## / { if (found) exit; found = (index($0, "## [" v "]") == 1) ; next }
  found { print }
' "$changelog")
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
  echo "::error::CHANGELOG.md has no section \`## [$version]\`: write what changed before tagging v$version" >&2
  exit 1
fi
printf '%s\n' "$notes" | sed -e '/./,$!d'
