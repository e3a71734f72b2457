#!/usr/bin/env bash
# Packages one release binary of campaign-pulse the way the release workflow attaches it and
# the GitHub Action installs it:
#
#   scripts/package-release.sh TARGET VERSION BINARY OUT_DIR
#
# writes OUT_DIR/campaign-pulse-VERSION-TARGET.tar.gz (a .zip for Windows targets) holding the
# folder campaign-pulse-VERSION-TARGET/ with the binary, the README, the licences, the manual
# pages (man/) and the shell completions (completions/), and prints the archive's path. The
# pages and completions come from $CP_RELEASE_DOCS when set (a folder with man/ and
# completions/, made once by a binary that runs on the build machine: a cross-compiled one
# cannot), else from BINARY itself. SHA256SUMS is written once every archive is made (the release
# workflow does it; so does the action's test).
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 TARGET VERSION BINARY OUT_DIR" >&2
  exit 2
fi
target=$1 version=$2 binary=$3 out=$4
root=$(cd "$(dirname "$0")/.." && pwd)
name="campaign-pulse-$version-$target"

case "$target" in
  *[!a-z0-9_.-]*) echo "error: target \`$target\` is not a Rust target triple" >&2; exit 2 ;;
esac
case "$version" in
  *[!0-9A-Za-z.+-]*|"") echo "error: version \`$version\` is not a version" >&2; exit 2 ;;
esac
if [ ! -f "$binary" ]; then
  echo "error: $binary does not exist; build it first (cargo build --release --locked --target $target)" >&2
  exit 2
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/$name"
exe=campaign-pulse
case "$target" in *windows*) exe=campaign-pulse.exe ;; esac
cp "$binary" "$work/$name/$exe"
chmod 0755 "$work/$name/$exe"
cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$work/$name/"
mkdir "$work/$name/licenses"
cp "$root"/licenses/* "$work/$name/licenses/"
if [ -n "${CP_RELEASE_DOCS:-}" ]; then
  cp -R "$CP_RELEASE_DOCS/man" "$CP_RELEASE_DOCS/completions" "$work/$name/"
else
  "$root/scripts/release-docs.sh" "$work/$name/$exe" "$work/$name" >/dev/null
fi

case "$target" in
  *windows*)
    archive="$out/$name.zip"
    rm -f "$archive"
    if command -v zip >/dev/null; then
      (cd "$work" && zip -qr "$archive" "$name")
    elif command -v 7z >/dev/null; then
      (cd "$work" && 7z a -tzip -bd "$archive" "$name" >/dev/null)
    else
      echo "error: neither zip nor 7z is installed" >&2
      exit 1
    fi
    ;;
  *)
    archive="$out/$name.tar.gz"
    if tar --version 2>/dev/null | grep -q GNU; then
      # the same bytes for the same inputs: sorted names, no owner, fixed times
      (cd "$work" && tar --sort=name --owner=0 --group=0 --numeric-owner \
        --mtime='2000-01-01 00:00:00Z' -cf - "$name") | gzip -n -9 > "$archive"
    else
      (cd "$work" && tar -cf - "$name") | gzip -n -9 > "$archive"
    fi
    ;;
esac
echo "$archive"
