#!/usr/bin/env bash
# Benchmark: generates synthetic corpora (default 10k, 100k, 200k and 1M lines)
# plus the repository's own fixtures, scans each with the release build, and
# prints files/s, lines/s, wall time and peak RSS. Usage: bench/run.sh [LINES...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/soclint
OUT=bench/out
mkdir -p "$OUT"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 200000 1000000)

measure() { # name dir
  local name=$1 dir=$2
  # warm the page cache, then take the best of three runs
  "$BIN" check "$dir" --format json --fail-on never >"$OUT/$name.json"
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$BIN" check "$dir" --format json --fail-on never >/dev/null
    read -r wall rss <"$OUT/time"
    if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best="$wall $rss"; fi
  done
  read -r wall rss <<<"$best"
  python3 - "$name" "$wall" "$rss" "$OUT/$name.json" <<'PY'
import json, sys
name, wall, rss, path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = json.load(open(path))["summary"]
w = max(wall, 0.001)
print(f"{name:>10}  {s['files_scanned']:>7} files  {s['lines_scanned']:>9} lines  {s['findings']:>7} findings  "
      f"{wall:6.3f} s  {s['files_scanned']/w:>9.0f} files/s  {s['lines_scanned']/w:>10.0f} lines/s  {rss/1024:7.1f} MB peak")
PY
}

echo "soclint $($BIN --version | cut -d' ' -f2), $(nproc) cores, release build"
for n in "${sizes[@]}"; do
  dir=bench/corpus/$n
  [ -d "$dir" ] || python3 bench/gen_corpus.py "$dir" "$n" >/dev/null
  measure "$n" "$dir"
done
measure fixtures fixtures
