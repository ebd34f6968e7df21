#!/usr/bin/env bash
# Benchmark: generates synthetic corpora (default 10k, 100k, 200k, 1M and 10M
# lines; the 10M one is 1.6 GB on disk) plus the repository's own fixtures,
# scans each with the release build, and prints files/s, lines/s, wall time
# and peak RSS. Usage: bench/run.sh [LINES...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/soclint
OUT=bench/out
mkdir -p "$OUT"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 200000 1000000 10000000)

measure() { # name dir
  local name=$1 dir=$2
  # warm the page cache, then take the best of three runs
  "$BIN" check "$dir" --format json --fail-on never >"$OUT/$name.json" || true
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M %U %S" -o "$OUT/time" "$BIN" check "$dir" --format json --fail-on never >/dev/null
    read -r wall rss user sys <"$OUT/time"
    if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best="$wall $rss $user $sys"; fi
  done
  read -r wall rss user sys <<<"$best"
  python3 - "$name" "$wall" "$rss" "$user" "$sys" "$OUT/$name.json" <<'PY'
import json, sys
name, wall, rss, cpu, path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) + float(sys.argv[5]), sys.argv[6]
s = json.load(open(path))["summary"]
w = max(wall, 0.001)
# CPU time (user + system) is steadier than wall time on a shared machine
print(f"{name:>10}  {s['files_scanned']:>7} files  {s['lines_scanned']:>9} lines  {s['findings']:>7} findings  "
      f"{wall:6.3f} s  {s['files_scanned']/w:>9.0f} files/s  {s['lines_scanned']/w:>10.0f} lines/s  {rss/1024:7.1f} MB peak  "
      f"{cpu:6.2f} s CPU")
PY
}

echo "soclint $($BIN --version | cut -d' ' -f2), $(nproc) cores, release build"
for n in "${sizes[@]}"; do
  dir=bench/corpus/$n
  [ -d "$dir" ] || python3 bench/gen_corpus.py "$dir" "$n" >/dev/null
  measure "$n" "$dir" | tee "$OUT/$n.line"
done
measure fixtures fixtures
# growth from 100k to 1M lines: ~10x is linear
if [ -f "$OUT/100000.line" ] && [ -f "$OUT/1000000.line" ]; then
  python3 - "$OUT/100000.line" "$OUT/1000000.line" <<'PY'
import re, sys
def grab(p):
    t = open(p).read()
    return float(re.search(r"([0-9.]+) s ", t).group(1)), float(re.search(r"([0-9.]+) MB peak", t).group(1))
(t1, m1), (t2, m2) = grab(sys.argv[1]), grab(sys.argv[2])
print(f"growth 100k -> 1M lines: time x{t2 / t1:.1f}, peak memory x{m2 / m1:.1f}")
PY
fi
# peak memory of the other report formats on the largest corpus
largest=${sizes[${#sizes[@]}-1]}
for fmt in compact sarif; do
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$BIN" check "bench/corpus/$largest" --format "$fmt" --fail-on never >/dev/null
  read -r wall rss <"$OUT/time"
  echo "$largest lines, --format $fmt: $wall s, $((rss / 1024)) MB peak"
done
# start-up: `soclint check` on an empty directory, on a directory with one
# Terraform file (the largest target: its ~110 built-in rules are loaded), one
# Kubernetes manifest and one workflow, `soclint --version`, and `soclint
# rules` (every built-in rule file loaded and compiled): median and best wall
# time of 100 runs each (python's clock: /usr/bin/time rounds to 10 ms), and
# the mean CPU (user + system of the children, steadier on a shared machine)
mkdir -p "$OUT/empty" "$OUT/one-tf" "$OUT/one-k8s" "$OUT/one-workflow/.github/workflows"
cp fixtures/demo/infra/terraform/storage.tf "$OUT/one-tf/"
cp fixtures/demo/k8s/api.yaml "$OUT/one-k8s/"
cp fixtures/demo/.github/workflows/ci.yml "$OUT/one-workflow/.github/workflows/"
python3 - "$BIN" "$OUT" <<'PY'
import resource, statistics, subprocess, sys, time
def once(args):
    t0 = time.perf_counter()
    subprocess.run([sys.argv[1], *args], capture_output=True)
    return time.perf_counter() - t0
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
out = sys.argv[2]
for name, args in [
    ("check of an empty directory", ["check", f"{out}/empty", "--fail-on", "never"]),
    ("check of one Terraform file", ["check", f"{out}/one-tf", "--fail-on", "never"]),
    ("check of one Kubernetes manifest", ["check", f"{out}/one-k8s", "--fail-on", "never"]),
    ("check of one workflow", ["check", f"{out}/one-workflow", "--fail-on", "never"]),
    ("--version", ["--version"]),
    ("rules (the whole pack loaded)", ["rules"]),
]:
    c0 = cpu()
    runs = sorted(once(args) for _ in range(100))
    print(f"start-up, {name}: median {statistics.median(runs) * 1000:.1f} ms, best {runs[0] * 1000:.1f} ms, "
          f"CPU {(cpu() - c0) * 10:.1f} ms (100 runs)")
PY
