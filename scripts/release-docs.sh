#!/usr/bin/env bash
# The manual pages and shell completions that release archives ship, as ripgrep's and
# git-cliff's do:
#
#   scripts/release-docs.sh BINARY OUT_DIR
#
# writes OUT_DIR/man/campaign-pulse.1 (and one page per command) and
# OUT_DIR/completions/{campaign-pulse.bash,_campaign-pulse,campaign-pulse.fish,
# campaign-pulse.elv,_campaign-pulse.ps1}. BINARY must run on this machine.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 BINARY OUT_DIR" >&2
  exit 2
fi
binary=$1 out=$2
mkdir -p "$out/man" "$out/completions"
"$binary" man --out "$out/man" >/dev/null
"$binary" completions bash > "$out/completions/campaign-pulse.bash"
"$binary" completions zsh > "$out/completions/_campaign-pulse"
"$binary" completions fish > "$out/completions/campaign-pulse.fish"
"$binary" completions elvish > "$out/completions/campaign-pulse.elv"
"$binary" completions powershell > "$out/completions/_campaign-pulse.ps1"
echo "$out"
