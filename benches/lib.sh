# Shared by the benchmark scripts (sourced, not run): the binaries under test, a scratch
# folder removed on exit (with the fake GitHub, when one was started), and `timed`.

# BENCH_PROFILE=debug: the debug build (CI runs the scripts that way, small, to keep them
# working); release otherwise. Sets bin and fake.
build_binaries() {
  profile=${BENCH_PROFILE:-release}
  if [ "$profile" = release ]; then
    cargo build --release --quiet --example fake_github
    cargo build --release --quiet
  else
    cargo build --quiet --example fake_github
    cargo build --quiet
  fi
  bin=$PWD/target/$profile/campaign-pulse
  fake=$PWD/target/$profile/examples/fake_github
}

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

# timed FILE COMMAND...: runs COMMAND, writes "wall user system peak-KB" to FILE, keeps its
# exit status (what GNU time -f "%e %U %S %M" does, without needing it installed)
timed() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.monotonic()
code = subprocess.call(cmd)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write(f"{wall:.2f} {r.ru_utime:.2f} {r.ru_stime:.2f} {r.ru_maxrss}\n")
sys.exit(code)
PY
}
