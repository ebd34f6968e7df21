#!/usr/bin/env bash
# Runs the test suite (`cargo test`, arguments passed on) with a temporary
# directory of its own, and checks that the suite keeps its files to its own
# temporary directories (`tempfile`'s `.tmp*`) and target/:
# - while it runs, TMPDIR is listed every 0.1 s: any other name there is a
#   file a test wrote beside its temporary directory (`dir.join("../x")`),
#   seen even when the test removes it again before it ends (unless it lives
#   for less than 0.1 s: this is a sample, not a trace of every system call);
# - afterwards nothing may be left in TMPDIR, and the work tree must be as
#   it was (`git status` before and after).
# Programs the suite runs keep their own scratch files there too; those are
# named in ALLOWED: tempfile's `.tmp*`, Chromium's profile directories
# (tests/report_html.rs), rustdoc's doctest directories and the C linker's
# `ccXXXXXX.*` files (doctests are compiled while the suite runs).
set -euo pipefail
cd "$(dirname "$0")/.."
ALLOWED='^(\.tmp|\.?org\.chromium\.|\.?com\.google\.Chrome\.|rustdoctest|cc[A-Za-z0-9]{6}\.)'
suite_tmp=$(mktemp -d)
# like /tmp: tests that drop privileges (tests/adversarial.rs) must reach their files
chmod 1777 "$suite_tmp"
seen=$(mktemp)
watcher=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  if [ -n "$watcher" ]; then kill "$watcher" 2>/dev/null || true; fi
  rm -rf "$suite_tmp" "$seen"
}
trap cleanup EXIT
# the SARIF Multitool (.NET) opens diagnostic pipes and sockets in TMPDIR
# (clr-debug-pipe-*, dotnet-diagnostic-*) unless its runtime diagnostics are off
export DOTNET_EnableDiagnostics=0
# built first, outside the watch: the compiler and linker keep scratch files in TMPDIR
cargo test --no-run "$@"
tree_before=$(git status --porcelain --untracked-files=all)
(
  while :; do
    find "$suite_tmp" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | grep -Ev "$ALLOWED" >>"$seen" || true
    sleep 0.1
  done
) &
watcher=$!
TMPDIR="$suite_tmp" cargo test "$@"
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null || true
watcher=
status=0
stray=$(sort -u "$seen")
if [ -n "$stray" ]; then
  echo "confined-tests: a test wrote outside its own temporary directory, beside it in TMPDIR:" >&2
  echo "$stray" >&2
  status=1
fi
leftover=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
if [ -n "$leftover" ]; then
  echo "confined-tests: the suite left these in its TMPDIR:" >&2
  echo "$leftover" >&2
  status=1
fi
tree_after=$(git status --porcelain --untracked-files=all)
if [ "$tree_before" != "$tree_after" ]; then
  echo "confined-tests: the suite changed the work tree:" >&2
  diff <(echo "$tree_before") <(echo "$tree_after") >&2 || true
  status=1
fi
exit $status
