#!/usr/bin/env bash
# What a pushed tag means for the release workflow:
#
#   scripts/release-tag.sh TAG [CARGO_TOML]
#
# prints `version=X.Y.Z[-PRE]`, `prerelease=true|false` and `major=vX` (the moving tag that
# `uses: OWNER/campaign-pulse@vX` resolves, moved by stable releases only), one a line, for
# $GITHUB_OUTPUT. A tag that is not `vX.Y.Z` or `vX.Y.Z-PRE` (semver), or that is not
# Cargo.toml's version, is refused (exit 1): `v1` itself, pushed by the workflow, never
# starts a release.
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
  echo "usage: $0 TAG [CARGO_TOML]" >&2
  exit 2
fi
tag=$1
manifest=${2:-$(cd "$(dirname "$0")/.." && pwd)/Cargo.toml}
number='(0|[1-9][0-9]*)'
pre='[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*'
if [[ ! "$tag" =~ ^v$number\.$number\.$number(-$pre)?$ ]]; then
  echo "::error::tag $tag is not a release version (vX.Y.Z, or vX.Y.Z-rc.1 for a pre-release)" >&2
  exit 1
fi
version=${tag#v}
cargo_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$manifest" | head -n 1)
if [ "$version" != "$cargo_version" ]; then
  echo "::error::tag $tag does not match Cargo.toml's version $cargo_version" >&2
  exit 1
fi
echo "version=$version"
case "$version" in
  *-*) echo "prerelease=true" ;;
  *) echo "prerelease=false" ;;
esac
echo "major=v${version%%.*}"
