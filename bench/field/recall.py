"""Strict recall of Checkov's SOC 2-relevant failures on the field corpus.

SOC 2-relevant Checkov ids: those named in any soclint rule's `checkov` list
(`soclint rules --format json`) plus those named in the SOC 2 rule catalogue
(shared/soc2/rule-catalogue.tsv, column `checkov_id`, copied into catalogue-checkov.tsv). A Checkov failure of such an id is
*found* when soclint reported a finding of a rule whose `checkov` list names that
id, in the same file, whose start line (of its primary location or of one of its
related locations) lies inside Checkov's resource line range. Identical Checkov
entries (same id, file, range and resource) count once.
"""

import csv
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from corpus import HERE, layout
from scan import load_report, soclint_binary
from table import markdown, read_tsv, write_tsv

RENDERED = ("helm", "kustomize")  # Checkov renders these first (helm/kustomize binaries)
FRAMEWORKS = ["terraform", "cloudformation", "kubernetes", "dockerfile", "github_actions", "helm", "kustomize"]
CATALOGUE_IDS = HERE / "catalogue-checkov.tsv"
CHECKOV_WRONG = HERE / "checkov-wrong.tsv"


def checkov_binary() -> Path:
    return Path(os.environ.get("CHECKOV", HERE / ".cache" / "venv" / "bin" / "checkov"))


def checkov_version() -> str:
    out = subprocess.run([str(checkov_binary()), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def cache_path(repo, version: str) -> Path:
    key = hashlib.sha256(" ".join(FRAMEWORKS).encode()).hexdigest()[:8]
    return HERE / ".cache" / "checkov" / f"{repo.name}@{repo.commit[:12]}-checkov{version}-{key}.json"


def run_checkov(repo, version: str) -> Path:
    cached = cache_path(repo, version)
    if cached.is_file():
        return cached
    tree = layout(repo)
    print(f"checkov {repo.name} (minutes for the large repositories)", file=sys.stderr)
    cmd = [str(checkov_binary()), "-d", ".", "--quiet", "-o", "json", "--soft-fail", "--skip-download",
           "--download-external-modules", "false", "--framework", *FRAMEWORKS]
    # no telemetry or platform calls: there is no API key, and nothing is uploaded
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_CREATE_GRAPH="TRUE", LOG_LEVEL="ERROR")
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"checkov failed on {repo.name} ({proc.returncode}):\n{proc.stderr.decode(errors='replace')[-3000:]}")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_bytes(proc.stdout)
    tmp.rename(cached)
    return cached


def run_checkov_all(repos):
    version = checkov_version()
    for repo in repos:
        run_checkov(repo, version)


def soc2_checkov_ids():
    """id -> soclint rules that name it (empty for ids only the catalogue names)."""
    out = subprocess.run([str(soclint_binary()), "rules", "--format", "json"], capture_output=True, check=True)
    by_id = defaultdict(set)
    for rule in json.loads(out.stdout):
        for cid in rule.get("checkov", []):
            by_id[cid].add(rule["id"])
    for row in read_tsv(CATALOGUE_IDS):
        by_id[row["checkov_id"]]  # noqa: B018 - present, perhaps with no rule
    return by_id


def refresh_catalogue(catalogue: Path):
    """Rewrites catalogue-checkov.tsv from the catalogue (shared/soc2/rule-catalogue.tsv)."""
    rows = defaultdict(list)
    with open(catalogue, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            for cid in (row.get("checkov_id") or "").split(";"):
                if cid.strip():
                    rows[cid.strip()].append(row["id"])
    header = CATALOGUE_IDS.read_text().split("checkov_id\t")[0] if CATALOGUE_IDS.is_file() else ""
    with open(CATALOGUE_IDS, "w") as f:
        f.write(header + "checkov_id\tcatalogue_rows\n")
        f.writelines(f"{cid}\t{','.join(ids)}\n" for cid, ids in sorted(rows.items()))


def checkov_failures(repo, version: str):
    """Distinct failed checks: (check_id, path relative to the tree, start, end, resource)."""
    data = json.loads(cache_path(repo, version).read_text() or "[]")
    reports = data if isinstance(data, list) else [data]
    tree = str(layout(repo).resolve())
    seen = set()
    for rep in reports:
        for fc in rep.get("results", {}).get("failed_checks", []):
            abs_path = fc.get("file_abs_path") or ""
            if abs_path.startswith(tree + "/"):
                path = abs_path[len(tree) + 1:]
            else:
                path = fc["file_path"].lstrip("/")
            start, end = fc["file_line_range"]
            seen.add((fc["check_id"], path, start, end, fc.get("resource", ""), rep.get("check_type", "")))
    return sorted(seen)


def locations(finding):
    """The primary location and every related one (a caller's argument, issue 14 item 2)."""
    yield finding["path"], finding["start_line"]
    for rel in finding.get("related", []) or []:
        yield rel["path"], rel["start_line"]


def matches(path, start, end, resource, framework, lines):
    """Whether one of soclint's finding locations (path, line) fits Checkov's entry."""
    if framework in RENDERED:
        # Checkov names the kustomization (or chart) that rendered the resource;
        # soclint has no rendering yet (issue 18) and will point at the patch or
        # template line: any location in that directory counts
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        return any(p.startswith(folder) for p, _ in lines)
    # file-level checks: a workflow's (resource `on(NAME)`) get the range 0-1 or
    # the first line that says "permissions", even in a comment; a Dockerfile's
    # (resource `/path/Dockerfile.`) a range that stops short of heredocs
    whole_file = (
        start == 0
        or (framework == "github_actions" and resource.startswith("on("))
        or (framework == "dockerfile" and resource.endswith("."))
    )
    return any(p == path and (whole_file or start <= ln <= end) for p, ln in lines)


def checkov_wrong():
    """(repository, check_id, path) -> reason: Checkov failures verified wrong by hand
    (checkov-wrong.tsv). They stay in the strict figure; `direct_checkov_wrong` counts
    them and `recall_without_wrong` leaves them out of both sides."""
    if not CHECKOV_WRONG.is_file():
        return {}
    return {(r["repository"], r["check_id"], r["path"]): r["reason"] for r in read_tsv(CHECKOV_WRONG)}


def recall(repos, out_dir: Path):
    version = checkov_version()
    by_id = soc2_checkov_ids()
    wrong = checkov_wrong()
    rows, misses, found_rows = [], [], []
    total = Counter()
    per_framework = defaultdict(Counter)
    for repo in repos:
        if not cache_path(repo, version).is_file():
            sys.exit(f"no Checkov output for {repo.name}: run `field.py checkov {repo.name}` first")
        report = load_report(repo)
        # rule -> (path, start line) of each of its findings' locations
        where = defaultdict(list)
        for f in report["findings"] + report.get("suppressed", []):
            where[f["rule_id"]].extend(locations(f))
        n = Counter()
        for cid, path, start, end, resource, framework in checkov_failures(repo, version):
            n["checkov_failed"] += 1
            if cid not in by_id:
                continue
            kind = "rendered" if framework in RENDERED else "direct"
            n[f"{kind}_relevant"] += 1
            per_framework[framework]["relevant"] += 1
            locs = [loc for rule in by_id[cid] for loc in where.get(rule, ())]
            entry = {"repository": repo.name, "check_id": cid, "path": path, "lines": f"{start}-{end}",
                     "resource": resource, "framework": framework,
                     "soclint_rules": ",".join(sorted(by_id[cid])) or "(none)", "checkov_wrong": ""}
            is_wrong = kind == "direct" and (repo.name, cid, path) in wrong
            if is_wrong:
                n["direct_checkov_wrong"] += 1
                entry["checkov_wrong"] = wrong[(repo.name, cid, path)]
            if matches(path, start, end, resource, framework, locs):
                n["wrong_found"] += is_wrong
                n[f"{kind}_found"] += 1
                per_framework[framework]["found"] += 1
                found_rows.append(entry)
            else:
                misses.append(entry)
        rows.append(recall_row(repo.name, n))
        total.update(n)
    rows.append(recall_row("total", total))
    fw_rows = [{"framework": fw, "relevant": c["relevant"], "found": c["found"], "recall": pct(c["found"], c["relevant"])}
               for fw, c in sorted(per_framework.items())]

    out_dir.mkdir(parents=True, exist_ok=True)
    write_tsv(out_dir / "recall.tsv", rows)
    write_tsv(out_dir / "recall-frameworks.tsv", fw_rows)
    write_tsv(out_dir / "recall-misses.tsv", misses)
    write_tsv(out_dir / "recall-found.tsv", found_rows)
    by_check = defaultdict(list)
    for m in misses:
        by_check[m["check_id"]].append(m)
    # the work list: direct misses first (rendered ones wait for issue 18)
    groups = sorted(by_check.items(),
                    key=lambda kv: (-sum(m["framework"] not in RENDERED for m in kv[1]), -len(kv[1]), kv[0]))
    md = [f"# Strict recall against Checkov {version}\n",
          "`direct`: files Checkov reads as they are; `rendered`: Kustomize overlays and Helm charts that "
          "Checkov renders first (matched by directory, see README.md).\n",
          markdown(rows), "\n## Per Checkov framework\n", markdown(fw_rows),
          "\n## Misses by Checkov id\n",
          markdown([{"check_id": cid, "misses": len(ms),
                     "direct": sum(m["framework"] not in RENDERED for m in ms),
                     "soclint_rules": ms[0]["soclint_rules"],
                     "repositories": ", ".join(f"{r} {n}" for r, n in sorted(Counter(m['repository'] for m in ms).items()))}
                    for cid, ms in groups])]
    for cid, ms in groups:
        md.append(f"\n### {cid} ({len(ms)}; soclint rules: {ms[0]['soclint_rules']})\n")
        md.extend(f"- {m['repository']} `{m['path']}`:{m['lines']} {m['resource']}" for m in ms[:40])
        if len(ms) > 40:
            md.append(f"- … {len(ms) - 40} more in recall-misses.tsv")
    (out_dir / "recall.md").write_text("\n".join(md) + "\n")
    print(markdown(rows))
    print(markdown(fw_rows))


def recall_row(name, n):
    both_found = n["direct_found"] + n["rendered_found"]
    both = n["direct_relevant"] + n["rendered_relevant"]
    return {"repository": name, "checkov_failed": n["checkov_failed"],
            "direct_relevant": n["direct_relevant"], "direct_found": n["direct_found"],
            "recall": pct(n["direct_found"], n["direct_relevant"]),
            "rendered_relevant": n["rendered_relevant"], "rendered_found": n["rendered_found"],
            "recall_with_rendered": pct(both_found, both),
            "direct_checkov_wrong": n["direct_checkov_wrong"],
            "recall_without_wrong": pct(n["direct_found"] - n["wrong_found"],
                                        n["direct_relevant"] - n["direct_checkov_wrong"])}


def pct(a, b) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"
