"""Run a soclint binary on every tree of the field corpus and tabulate what it did.

Per repository: files scanned, findings (per rule), suppressed findings, skipped
files and notices, parse errors (with their paths), Terraform attributes left
unknown, and the wall time of the one run. soclint's JSON report of each
repository is kept under WORK/soclint/ for recall.py and precision.py.
Everything but the time column is deterministic; `--no-time` leaves it out.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from corpus import HERE, ROOT, layout, missing_files, tree_dir, work_dir
from table import markdown, write_tsv

TODAY = "2026-12-01"  # review-date rules see a fixed day, so figures do not drift
CONFIG = HERE / "soclint.toml"  # every SOC 2 category in scope


def soclint_binary() -> Path:
    return Path(os.environ.get("SOCLINT", ROOT / "target" / "release" / "soclint")).resolve()


def report_path(repo) -> Path:
    return work_dir() / "soclint" / f"{repo.name}.json"


def run_soclint(repo, binary: Path):
    """Scans the repository's tree; returns (report, seconds)."""
    tree = layout(repo)
    cmd = [str(binary), "check", ".", "--format", "json", "--fail-on", "never", "-v", "--config", str(CONFIG)]
    env = dict(os.environ, SOCLINT_TODAY=TODAY, NO_COLOR="1")
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True)
    seconds = time.monotonic() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{repo.name}: soclint exited {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
    out = report_path(repo)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(proc.stdout)
    return json.loads(proc.stdout), seconds


def load_report(repo):
    path = report_path(repo)
    if not path.is_file():
        sys.exit(f"no soclint report for {repo.name} ({path}): run `field.py scan` first")
    return json.loads(path.read_text())


def unrendered_inputs(tree: Path):
    """(Helm template files, Kustomize overlays/bases) in the tree: inputs soclint
    does not render yet (issue 18), counted so the table shows what goes unchecked."""
    templates = kustomizations = 0
    for chart in tree.rglob("Chart.yaml"):
        folder = chart.parent / "templates"
        if folder.is_dir() and not folder.is_symlink():
            templates += sum(1 for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".tpl", ".txt"))
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        kustomizations += sum(1 for _ in tree.rglob(name))
    return templates, kustomizations


def skipped_of(report):
    """Files soclint said it did not check, where the report lists them (`skipped`,
    issue 13); today's reports say it among the notices, which are counted apart."""
    return report.get("skipped", [])


def unknown_count(report) -> int:
    value = report["summary"].get("unknown_attributes", 0)
    return value if isinstance(value, int) else len(value)


def scan(repos, out_dir: Path, with_time: bool):
    binary = soclint_binary()
    if not binary.is_file():
        sys.exit(f"no soclint binary at {binary} (cargo build --release, or set SOCLINT)")
    rows, rule_rows, error_rows, notice_rows = [], [], [], []
    totals = Counter()
    per_rule = Counter()
    for repo in repos:
        print(f"scan {repo.name}", file=sys.stderr)
        report, seconds = run_soclint(repo, binary)
        s = report["summary"]
        skipped = skipped_of(report)
        row = {
            "repository": repo.name,
            "commit": repo.commit[:12],
            "files": s["files_scanned"],
            "lines": s["lines_scanned"],
            "resources": s["resources"],
            "findings": s["findings"],
            "suppressed": s["suppressed"],
            "parse_errors": len(report["errors"]),
            "skipped": len(skipped),
            "notices": len(report["notices"]),
            "unknown": unknown_count(report),
        }
        row["helm_templates"], row["kustomizations"] = unrendered_inputs(tree_dir(repo))
        row["absent_blobs"] = len(missing_files(repo))
        if with_time:
            row["seconds"] = f"{seconds:.2f}"
        rows.append(row)
        for k, v in row.items():
            if isinstance(v, int):
                totals[k] += v
        for rule, n in sorted(Counter(f["rule_id"] for f in report["findings"]).items()):
            rule_rows.append({"repository": repo.name, "rule": rule, "findings": n})
            per_rule[rule] += n
        for e in report["errors"]:
            error_rows.append(
                {"repository": repo.name, "path": e["path"], "line": e["line"], "column": e["column"], "message": e["message"]}
            )
        for n in skipped:
            notice_rows.append({"repository": repo.name, "kind": "skipped", "path": n["path"], "message": n.get("reason", "")})
        for n in report["notices"]:
            notice_rows.append({"repository": repo.name, "kind": "notice", "path": n["path"], "message": n["message"]})
    total = {"repository": "total", "commit": ""}
    total.update({k: totals[k] for k in rows[0] if k not in ("repository", "commit", "seconds")})
    if with_time:
        total["seconds"] = f"{sum(float(r['seconds']) for r in rows):.2f}"
    rows.append(total)

    out_dir.mkdir(parents=True, exist_ok=True)
    write_tsv(out_dir / "scan.tsv", rows)
    write_tsv(out_dir / "scan-rules.tsv", rule_rows)
    write_tsv(out_dir / "scan-errors.tsv", error_rows)
    write_tsv(out_dir / "scan-notices.tsv", notice_rows)
    by_rule = {}
    for r in rule_rows:
        by_rule.setdefault(r["rule"], []).append(f"{r['repository']} {r['findings']}")
    rule_table = [{"rule": k, "findings": per_rule[k], "where": ", ".join(v)} for k, v in sorted(by_rule.items())]
    md = [
        f"# soclint on the field corpus\n\n`{binary.name} check . --format json --fail-on never -v "
        f"--config bench/field/soclint.toml`, SOCLINT_TODAY={TODAY}\n",
        "## Per repository\n",
        markdown(rows),
        "\n## Findings per rule\n",
        markdown(rule_table),
        "\n## Parse errors\n",
        markdown(error_rows) if error_rows else "none\n",
        "\n## Skipped files and notices\n",
        markdown(notice_rows) if notice_rows else "none\n",
    ]
    (out_dir / "scan.md").write_text("\n".join(md))
    print(markdown(rows))
