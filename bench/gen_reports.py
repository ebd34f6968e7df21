#!/usr/bin/env python3
"""Writes N JSON evidence reports for `soclint report --merge` benchmarks.

    python3 bench/gen_reports.py TEMPLATE.json DIR N

TEMPLATE.json is one real report (`soclint report REPO --format json`); each
copy gets its own repository name, commit, scan time and per-criterion,
per-control and per-rule counts varied deterministically (seed = its index),
with statuses that follow from the counts, so the merge sees many different
repositories of the template's size. The population is kept as it is.
"""
import json
import os
import random
import sys


def vary(rng, n):
    return max(0, int(n * rng.uniform(0.3, 1.7)) + rng.randint(-1, 2))


def status_of(passed, failed, suppressed, old):
    if old == "not-in-scope":
        return old
    if failed > 0:
        return "exceptions-found"
    if passed == 0 and suppressed == 0:
        return "manual-evidence-required"
    return old if old in ("no-exceptions", "no-exceptions-partial") else "no-exceptions-partial"


def main():
    template, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(template) as f:
        base = json.load(f)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        rng = random.Random(i)
        r = json.loads(json.dumps(base))
        h = r["header"]
        h["repository"] = f"https://git.example/acme/service-{i:04d}.git"
        h["commit"] = "%040x" % rng.getrandbits(160)
        h["scan_time"] = "2026-11-%02dT%02d:%02d:00Z" % (rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        for group in ("criteria", "controls", "rules"):
            for c in r.get(group, []):
                for k in ("passed", "failed", "skipped"):
                    c[k] = vary(rng, c[k])
                if "status" in c:
                    c["status"] = status_of(c["passed"], c["failed"], c["suppressed"], c["status"])
        by = {}
        for c in r["criteria"]:
            if c["in_scope"]:
                by[c["status"]] = by.get(c["status"], 0) + 1
        r["totals"]["criteria_by_status"] = by
        for k in ("passed", "failed", "skipped"):
            r["totals"][k] = sum(x[k] for x in r["rules"])
        with open(os.path.join(out, f"report-{i:04d}.json"), "w") as f:
            json.dump(r, f, indent=2)


if __name__ == "__main__":
    main()
