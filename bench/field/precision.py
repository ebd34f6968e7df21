"""Precision of soclint's findings on the field corpus, from hand labels.

labels.tsv holds one row per labelled finding: repository, path, line, rule_id,
resource, fingerprint, label (true / false / debatable) and a one-line reason.
A label is matched to today's findings by fingerprint first (it survives line
shifts); failing that, by (repository, path, rule, resource) and then
(repository, rule, resource) when exactly one unmatched finding fits — so a label
outlives a fingerprint scheme change or a finding whose location moved to the
caller. Precision = true / (true + false) over matched labels; debatable ones are
listed, not counted. Labels that match nothing are listed too: a `false` one is a
fixed false positive, a `true` one a lost true finding.
"""

import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from corpus import HERE
from scan import load_report, report_path, soclint_binary
from table import markdown, read_tsv, write_tsv

LABELS = HERE / "labels.tsv"
COLUMNS = ["repository", "path", "line", "rule_id", "resource", "fingerprint", "label", "reason"]
VERDICTS = ("true", "false", "debatable")
DOCUMENT_TARGETS = ("policy-document", "repository")  # the subject of issue 15
LARGE_RULE = 50  # a rule with this many findings gets twice the sample


def rule_targets():
    out = subprocess.run([str(soclint_binary()), "rules", "--format", "json"], capture_output=True, check=True)
    return {r["id"]: r["target"] for r in json.loads(out.stdout)}


def target_of(rule_id, targets):
    return targets.get(rule_id, "(rule gone)")


def family(rule_id: str) -> str:
    """AWS-S3-001 -> AWS-S3; DOC-REQ-003 -> DOC-REQ."""
    return rule_id.rsplit("-", 1)[0]


def current_findings(repos):
    out = []
    for repo in repos:
        if not report_path(repo).is_file():
            sys.exit(f"no soclint report for {repo.name}: run `field.py scan` first")
        for f in load_report(repo)["findings"]:
            out.append((repo.name, f))
    return out


def match(labels, findings):
    """label index -> index into findings (or None)."""
    by_fp = defaultdict(list)
    by_path = defaultdict(list)
    by_res = defaultdict(list)
    for i, (repo, f) in enumerate(findings):
        by_fp[(repo, f["rule_id"], f["fingerprint"])].append(i)
        by_path[(repo, f["path"], f["rule_id"], f["resource"])].append(i)
        by_res[(repo, f["rule_id"], f["resource"])].append(i)
    keys = (
        lambda lb: by_fp.get((lb["repository"], lb["rule_id"], lb["fingerprint"]), []),
        lambda lb: by_path.get((lb["repository"], lb["path"], lb["rule_id"], lb["resource"]), []),
        lambda lb: by_res.get((lb["repository"], lb["rule_id"], lb["resource"]), []),
    )
    taken, result = set(), {}
    for strict, key in zip((True, False, False), keys):
        for k, lb in enumerate(labels):
            if k in result:
                continue
            free = [i for i in key(lb) if i not in taken]
            # a fingerprint is unique; the looser keys only count when they are too
            if free and (strict or len(free) == 1):
                result[k] = free[0]
                taken.add(free[0])
    return result


def load_labels():
    labels = read_tsv(LABELS) if LABELS.is_file() else []
    bad = [lb for lb in labels if lb["label"] not in VERDICTS]
    if bad:
        sys.exit(f"labels.tsv: label must be one of {VERDICTS}: {bad[0]}")
    seen = Counter((lb["repository"], lb["rule_id"], lb["fingerprint"]) for lb in labels)
    dup = [k for k, n in seen.items() if n > 1]
    if dup:
        sys.exit(f"labels.tsv: labelled twice: {dup[0]}")
    return labels


def precision(repos, out_dir: Path):
    labels = load_labels()
    findings = current_findings(repos)
    targets = rule_targets()
    matched = match(labels, findings)
    per_target = defaultdict(Counter)
    per_family = defaultdict(Counter)
    debatable, false_rows, stale = [], [], []
    for k, lb in enumerate(labels):
        if k not in matched:
            stale.append(lb)
            continue
        t = target_of(lb["rule_id"], targets)
        per_target[t][lb["label"]] += 1
        per_target["all"][lb["label"]] += 1
        per_family[family(lb["rule_id"])][lb["label"]] += 1
        if lb["label"] == "debatable":
            debatable.append(lb)
        elif lb["label"] == "false":
            false_rows.append(lb)
    labelled = set(matched.values())
    unlabelled = Counter(f["rule_id"] for i, (_, f) in enumerate(findings) if i not in labelled)

    def row(name, c):
        judged = c["true"] + c["false"]
        return {"scope": name, "labelled": sum(c.values()), "true": c["true"], "false": c["false"],
                "debatable": c["debatable"], "precision": f"{100 * c['true'] / judged:.1f}%" if judged else "-"}

    # the sample is stratified by rule, so its precision weighs a rule with 3
    # findings like one with 200; `weighted` re-weighs each rule's precision by
    # how many findings it has today (rules with no judged label left out)
    judged = defaultdict(Counter)
    for k, lb in enumerate(labels):
        if k in matched:
            judged[lb["rule_id"]][lb["label"]] += 1
    count = Counter(f["rule_id"] for _, f in findings)

    def weighted(keep):
        num = den = 0.0
        for rule, c in judged.items():
            if keep(rule) and c["true"] + c["false"]:
                num += count[rule] * c["true"] / (c["true"] + c["false"])
                den += count[rule]
        return f"{100 * num / den:.1f}%" if den else "-"

    infra = lambda r: target_of(r, targets) not in DOCUMENT_TARGETS  # noqa: E731
    for k, lb in enumerate(labels):
        if k in matched and infra(lb["rule_id"]):
            per_target["all but documents and repository"][lb["label"]] += 1
    order = lambda t: (t.startswith("all"), t == "all", t)  # noqa: E731
    target_rows = []
    for t in sorted(per_target, key=order):
        r = row(t, per_target[t])
        r["weighted"] = weighted({"all": lambda _: True, "all but documents and repository": infra}.get(
            t, lambda rule, t=t: target_of(rule, targets) == t))
        target_rows.append(r)
    family_rows = [row(fam, per_family[fam]) for fam in sorted(per_family)]
    brief = ["repository", "path", "line", "rule_id", "resource", "reason"]
    md = [
        "# Precision on the labelled sample\n",
        f"{len(labels)} labels, {len(matched)} matched to today's {len(findings)} findings; "
        f"{len(findings) - len(labelled)} findings unlabelled.\n",
        "## Per target (debatable excluded)\n", markdown(target_rows),
        "\n## Per rule family\n", markdown(family_rows),
        "\n## False findings\n", markdown(false_rows, brief) or "none\n",
        "\n## Debatable (not counted)\n", markdown(debatable, brief) or "none\n",
        "\n## Labels that match no finding today\n",
        "A `false` one is a false positive that went away; a `true` one is a real finding lost.\n",
        markdown(stale, brief + ["label"]) or "none\n",
        "\n## Unlabelled findings per rule\n",
        markdown([{"rule_id": r, "unlabelled": n} for r, n in sorted(unlabelled.items())]) or "none\n",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "precision.md").write_text("\n".join(md))
    write_tsv(out_dir / "precision.tsv", target_rows + family_rows)
    print(markdown(target_rows))
    if stale:
        print(f"{len(stale)} label(s) match no finding today (see precision.md)")


def sample(repos, limit: int, per_rule: int):
    """Prints unlabelled findings to label next as labels.tsv rows (label and reason
    empty): per rule at most `per_rule` (twice that for a rule with LARGE_RULE
    findings or more), spread over repositories, chosen by a hash
    of the fingerprint so the choice is stable from run to run."""
    labels = load_labels()
    findings = current_findings(repos)
    matched = set(match(labels, findings).values())
    have = Counter(lb["rule_id"] for lb in labels)
    by_rule = defaultdict(lambda: defaultdict(list))
    for i, (repo, f) in enumerate(findings):
        if i not in matched:
            by_rule[f["rule_id"]][repo].append(f)
    rows = []
    for rule in sorted(by_rule):
        repos_here = sorted(by_rule[rule].items())
        # start the round at a repository chosen by the rule's name, so that the
        # alphabetically first repository is not sampled for every rule
        turn = int(hashlib.sha256(rule.encode()).hexdigest(), 16) % len(repos_here)
        repos_here = repos_here[turn:] + repos_here[:turn]
        queues = [(r, sorted(fs, key=lambda f: hashlib.sha256(f["fingerprint"].encode()).hexdigest()))
                  for r, fs in repos_here]
        size = sum(len(q) for _, q in queues) + have[rule]
        want = (2 * per_rule if size >= LARGE_RULE else per_rule) - have[rule]
        while want > 0 and any(q for _, q in queues):
            for repo, q in queues:
                if q and want > 0:
                    f = q.pop(0)
                    want -= 1
                    rows.append({"repository": repo, "path": f["path"], "line": f["start_line"],
                                 "rule_id": rule, "resource": f["resource"], "fingerprint": f["fingerprint"],
                                 "label": "", "reason": f["message"]})
    if limit:
        rows = rows[:limit]
    write_tsv(Path("/dev/stdout"), rows, COLUMNS)


def show(repos, rows_file: Path, context: int = 4):
    """Prints each finding of a labels-shaped TSV with the source around it (and its
    related locations), the way a labeller reads it before deciding."""
    from corpus import tree_dir

    reports = {r.name: load_report(r) for r in repos}
    for row in read_tsv(rows_file):
        f = next((f for f in reports[row["repository"]]["findings"]
                  if f["fingerprint"] == row["fingerprint"] and f["rule_id"] == row["rule_id"]), None)
        print(f"=== {row['repository']} {row['path']}:{row['line']} {row['rule_id']} {row['resource']}")
        if f is None:
            print("  (no such finding today)")
            continue
        print(f"  {f['message']}")
        locs = [(f["path"], f["start_line"], f["end_line"])]
        locs += [(r["path"], r["start_line"], r["end_line"]) for r in f.get("related", []) or []]
        for path, start, end in locs:
            src = tree_dir(next(r for r in repos if r.name == row["repository"])) / path
            try:
                lines = src.read_text(errors="replace").splitlines()
            except OSError:
                continue
            print(f"  --- {path}:{start}")
            for n in range(max(1, start - context), min(len(lines), max(end, start) + context) + 1):
                mark = ">" if start <= n <= max(end, start) else " "
                print(f"  {mark}{n:5} {lines[n - 1][:160]}")
