#!/usr/bin/env bash
# The shell logic of the campaign-pulse GitHub Action (action.yml), one step per subcommand,
# so that it can be run and tested outside GitHub Actions:
#
#   action/run.sh install    # the release binary for this runner, checked against SHA256SUMS
#   action/run.sh checkout   # the history branch, checked out in $CP_STATE_DIR
#   action/run.sh run        # campaign-pulse run (or rollup, with CP_RUNS), from $CP_STATE_DIR
#   action/run.sh save       # commit and push $CP_STATE_DIR to the history branch
#   action/run.sh site       # the part of the reports people read, for the artifact and Pages
#   action/run.sh cleanup    # removes the checkout of the history branch (self-hosted runners)
#
# Inputs come from the environment (action.yml maps its inputs to these):
#   CP_VERSION         version to install (default: the version in the action's Cargo.toml)
#   CP_RELEASE_BASE    where the release archives and SHA256SUMS are (default:
#                      https://github.com/$CP_ACTION_REPOSITORY/releases/download/v$CP_VERSION);
#                      https:// or file:// only
#   CP_ACTION_PATH     the action's own checkout (default: this script's parent folder)
#   CP_ACTION_REPOSITORY  owner/name of the action (github.action_repository)
#   CP_INSTALL_DIR     where to put the binary (default: $RUNNER_TEMP/campaign-pulse)
#   CP_CONFIG          the configuration, relative to the workspace (default:
#                      config/campaign-pulse.yaml)
#   CP_AS_OF           --as-of, when set
#   CP_ARGS            more arguments for `campaign-pulse run` (split on spaces)
#   CP_RUNS            a roll-up job: the organizations' report folders (downloaded artifacts;
#                      a glob such as `runs/*`, relative to the workspace); the run is then
#                      `campaign-pulse rollup --send` over them (no --send with --dry-run)
#   CP_HISTORY_BRANCH  the branch keeping history and reports (default: campaign-reports)
#   CP_STATE_DIR       its checkout (default: campaign-pulse-state, in the workspace)
#   CP_PUSH_TOKEN      token for fetching and pushing the branch over https (optional)
# and GitHub's: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_WORKSPACE, GITHUB_OUTPUT,
# GITHUB_PATH, GITHUB_SERVER_URL. Outputs: `binary` (install); `exit-status`, `report-dir`,
# `reports-written` and `dry-run` (run); `site-dir` (site).
set -euo pipefail

action_path=${CP_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
workspace=${GITHUB_WORKSPACE:-$PWD}
state=${CP_STATE_DIR:-campaign-pulse-state}
case "$state" in /*) ;; *) state="$workspace/$state" ;; esac
branch=${CP_HISTORY_BRANCH:-campaign-reports}
output=${GITHUB_OUTPUT:-/dev/null}

fail() {
  echo "::error::$*" >&2
  exit 1
}

# git with the push token as an extra header (never in the URL, so never in a log). An
# `actions/checkout` with its default `persist-credentials` left its own header for the server
# in the repository's configuration; the empty values reset that list first, so the token input
# is the one git sends.
git_auth() {
  if [ -n "${CP_PUSH_TOKEN:-}" ]; then
    local auth server
    auth="AUTHORIZATION: basic $(printf 'x-access-token:%s' "$CP_PUSH_TOKEN" | base64 | tr -d '\n')"
    server=${GITHUB_SERVER_URL:-https://github.com}
    git -c "http.extraheader=" -c "http.$server/.extraheader=" \
      -c "http.$server/.extraheader=$auth" "$@"
  else
    git "$@"
  fi
}

version() {
  if [ -n "${CP_VERSION:-}" ]; then
    echo "$CP_VERSION"
    return
  fi
  sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1
}

# The release target of this runner, empty when there is no prebuilt binary for it.
target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    *) echo "" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Downloads $1 to $2; returns 1 when it does not exist (404, missing file), fails otherwise.
download() {
  local code
  code=$(curl --proto '=https,file' --tlsv1.2 --silent --show-error --location \
    --retry 3 --connect-timeout 20 --max-time 300 --output "$2" --write-out '%{http_code}' "$1") || {
    case "$1" in file://*) return 1 ;; esac
    fail "could not download $1"
  }
  case "$code" in
    200 | 000) return 0 ;; # 000: file:// URLs have no status
    404) return 1 ;;
    *) fail "downloading $1 answered HTTP $code" ;;
  esac
}

install() {
  local v t base dir tmp archive sums expected actual
  v=$(version)
  [ -n "$v" ] || fail "cannot tell which version to install: no version in $action_path/Cargo.toml"
  t=$(target)
  dir=${CP_INSTALL_DIR:-${RUNNER_TEMP:-/tmp}/campaign-pulse}
  mkdir -p "$dir/bin"
  if [ -n "$t" ]; then
    base=${CP_RELEASE_BASE:-https://github.com/${CP_ACTION_REPOSITORY:?set CP_ACTION_REPOSITORY}/releases/download/v$v}
    archive="campaign-pulse-$v-$t.tar.gz"
    tmp=$(mktemp -d)
    if download "$base/$archive" "$tmp/$archive"; then
      download "$base/SHA256SUMS" "$tmp/SHA256SUMS" ||
        fail "the release v$v has $archive but no SHA256SUMS: refusing to install an archive that cannot be checked"
      expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
      [ -n "$expected" ] || fail "SHA256SUMS of v$v does not list $archive: refusing to install it"
      actual=$(sha256 "$tmp/$archive")
      if [ "$actual" != "$expected" ]; then
        fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; refusing to install it"
      fi
      tar -xzf "$tmp/$archive" -C "$tmp"
      cp "$tmp/campaign-pulse-$v-$t/campaign-pulse" "$dir/bin/campaign-pulse"
      chmod 0755 "$dir/bin/campaign-pulse"
      rm -rf "$tmp"
      echo "installed campaign-pulse $v ($t), SHA-256 $actual"
    else
      rm -rf "$tmp"
      echo "no release archive $archive at $base: building from the action's source instead"
      t=""
    fi
  else
    echo "no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: building from the action's source"
  fi
  if [ -z "$t" ]; then
    "${CARGO:-cargo}" install --locked --path "$action_path" --root "$dir"
  fi
  "$dir/bin/campaign-pulse" --version
  echo "binary=$dir/bin/campaign-pulse" >> "$output"
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$dir/bin" >> "$GITHUB_PATH"; fi
}

# What an earlier run in this workspace left (a self-hosted runner keeps it): the checkout of
# the history branch, its worktree registration and the local branch of a first run.
cleanup() {
  cd "$workspace"
  if [ -e "$state" ]; then
    git worktree remove --force "$state" 2>/dev/null ||
      fail "$state exists and is not a checkout of the history branch: move or remove it (CP_STATE_DIR names another folder)"
  fi
  git worktree prune
  if git show-ref --verify --quiet "refs/heads/$branch" &&
    [ "$(git symbolic-ref --quiet --short HEAD || true)" != "$branch" ]; then
    git branch --quiet -D -- "$branch"
  fi
}

checkout() {
  cd "$workspace"
  # the branch input reaches git: a name git would read as an option is refused
  case "$branch" in -*) fail "history-branch \`$branch\` is not a branch name" ;; esac
  git check-ref-format "refs/heads/$branch" || fail "history-branch \`$branch\` is not a branch name"
  cleanup
  # ls-remote exits 2 when the branch does not exist: only then is this a first run. Any other
  # failure (network, server error, authentication) stops here, before anything is computed or
  # sent: a run that took it for a first run would re-send every delivery.
  local found=0
  git_auth ls-remote --exit-code --heads origin "refs/heads/$branch" >/dev/null || found=$?
  case "$found" in
    0)
      git_auth fetch --quiet --depth=1 -- origin "refs/heads/$branch"
      git worktree add --quiet --detach "$state" FETCH_HEAD
      ;;
    2)
      echo "First run: creating the $branch branch"
      git worktree add --quiet --detach "$state"
      git -C "$state" checkout --quiet --orphan "$branch"
      git -C "$state" rm -r --quiet --force --ignore-unmatch .
      ;;
    *)
      fail "could not read the $branch branch of origin (git ls-remote exited $found): nothing was run; check the token's contents permission and the network, then run again"
      ;;
  esac
}

# What CP_ARGS makes the run write, which decides what is saved and published: a dry run
# saves nothing and publishes nothing; an escalation-only run saves its records but writes
# no report. Sets dry_run and reports_written.
mode() {
  local extra=() i
  dry_run=false
  reports_written=true
  if [ -n "${CP_ARGS:-}" ]; then read -r -a extra <<< "$CP_ARGS"; fi
  for ((i = 0; i < ${#extra[@]}; i++)); do
    case "${extra[i]}" in
      --dry-run) dry_run=true ;;
      --only=escalate) reports_written=false ;;
      --only) [ "${extra[i + 1]:-}" != escalate ] || reports_written=false ;;
    esac
  done
}

run() {
  local config binary status=0 args=()
  config=${CP_CONFIG:-config/campaign-pulse.yaml}
  case "$config" in /*) ;; *) config="$workspace/$config" ;; esac
  [ -f "$config" ] || fail "no configuration at $config: write one with \`campaign-pulse init --out ${CP_CONFIG:-config/campaign-pulse.yaml}\` and commit it"
  binary=${CP_BINARY:-${CP_INSTALL_DIR:-${RUNNER_TEMP:-/tmp}/campaign-pulse}/bin/campaign-pulse}
  [ -x "$binary" ] || binary=$(command -v campaign-pulse) ||
    fail "campaign-pulse is not installed: run \`action/run.sh install\` first"
  [ -d "$state" ] || fail "$state does not exist: run \`action/run.sh checkout\` first"
  local out
  out=$(sed -n 's/^  dir: *\([^ #]*\).*$/\1/p' "$config" | head -n 1)
  out=${out:-reports}
  case "$out" in /*) ;; *) out="$state/$out" ;; esac
  mode
  if [ -n "${CP_RUNS:-}" ]; then
    # a roll-up job: the organizations' folders, as the glob names them in the workspace
    local runs=() pattern dir
    read -r -a pattern <<< "$CP_RUNS"
    for dir in $(cd "$workspace" && for p in "${pattern[@]}"; do compgen -G "$p" || true; done); do
      case "$dir" in /*) runs+=("$dir") ;; *) runs+=("$workspace/$dir") ;; esac
    done
    [ "${#runs[@]}" -gt 0 ] || fail "no report folder matches \`runs: $CP_RUNS\`: did the organizations' jobs upload their reports, and this job download them?"
    args=(rollup --config "$config" --out "$out")
    if [ "$dry_run" != true ]; then args+=(--send); fi
    args+=("${runs[@]}")
  else
    args=(run --config "$config")
    if [ -n "${CP_AS_OF:-}" ]; then args+=(--as-of "$CP_AS_OF"); fi
    if [ -n "${CP_ARGS:-}" ]; then
      local extra
      read -r -a extra <<< "$CP_ARGS"
      args+=("${extra[@]}")
    fi
  fi
  cd "$state"
  "$binary" "${args[@]}" || status=$?
  echo "exit-status=$status" >> "$output"
  echo "dry-run=$dry_run" >> "$output"
  echo "reports-written=$reports_written" >> "$output"
  if [ -d "$out" ]; then echo "report-dir=$out" >> "$output"; fi
  # 0: done; 3: reports and history written but a delivery failed (saved, then failed later)
  if [ "$status" != 0 ] && [ "$status" != 3 ]; then exit "$status"; fi
}

save() {
  cd "$state"
  mode
  if [ "$dry_run" = true ]; then
    echo "Dry run: nothing saved to the $branch branch"
    return
  fi
  git add -A
  if git diff --cached --quiet; then
    echo "Nothing new to save"
    return
  fi
  git -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
    commit --quiet -m "campaign-pulse ${CP_AS_OF:-$(date -u +%F)}"
  git_auth push --quiet origin "HEAD:refs/heads/$branch"
  echo "saved to the $branch branch"
}

# The pages people read (HTML, Markdown, charts, summary.json) without the history, the
# delivery and escalation records, the outbox or the lock: what GitHub Pages may publish.
site() {
  local from to
  from=${CP_REPORT_DIR:?set CP_REPORT_DIR to the report folder}
  to=${CP_SITE_DIR:-${RUNNER_TEMP:-/tmp}/campaign-pulse-site}
  rm -rf "$to"
  mkdir -p "$to"
  (cd "$from" && find . -path ./outbox -prune -o -type f \
    \( -name '*.html' -o -name '*.md' -o -name '*.png' -o -name 'summary.json' -o -name 'rollup.json' \) -print) |
    while IFS= read -r f; do
      mkdir -p "$to/$(dirname "$f")"
      cp "$from/$f" "$to/$f"
    done
  echo "site-dir=$to" >> "$output"
  echo "site: $(find "$to" -type f | wc -l | tr -d ' ') files in $to"
}

case "${1:-}" in
  install) install ;;
  site) site ;;
  checkout) checkout ;;
  run) run ;;
  save) save ;;
  cleanup) cleanup ;;
  *)
    echo "usage: $0 install|checkout|run|save|site|cleanup" >&2
    exit 2
    ;;
esac
