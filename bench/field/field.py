#!/usr/bin/env python3
"""soclint's field corpus: lay out, scan, recall against Checkov, precision of labels.

    field.py layout   [REPO...]   lay out the pinned trees under WORK/trees
    field.py scan     [REPO...]   run soclint on each; tables in OUT (scan.md, scan*.tsv)
    field.py checkov  [REPO...]   run Checkov on each (cached under .cache/checkov)
    field.py recall   [REPO...]   strict recall of Checkov's SOC 2-relevant failures
    field.py precision            precision of soclint's findings against labels.tsv
    field.py sample   [N]         unlabelled findings to label next (stratified by rule)
    field.py show     FILE        print each finding of a labels-shaped TSV with its source
    field.py catalogue FILE       refresh catalogue-checkov.tsv from shared/soc2/rule-catalogue.tsv
    field.py all                  scan, checkov, recall, precision

Environment: SOCLINT (binary, default target/release/soclint), SOCLINT_FIELD_MIRRORS
(directory of git mirrors), SOCLINT_FIELD_WORK (default bench/field/.work), CHECKOV
(default bench/field/.cache/venv/bin/checkov). See bench/field/README.md.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["layout", "scan", "checkov", "recall", "precision", "sample", "show", "catalogue", "all"])
    p.add_argument("repos", nargs="*", help="repository names from repos.tsv (default: all)")
    p.add_argument("--out", type=Path, help="where tables go (default WORK/report)")
    p.add_argument("--no-time", action="store_true", help="leave the time column out (byte-stable tables)")
    p.add_argument("--per-rule", type=int, default=2, help="sample: findings per rule (twice that for large rules)")
    a = p.parse_args()
    out = (a.out or corpus.work_dir() / "report").resolve()
    if a.command == "sample":
        import precision

        precision.sample(corpus.load_repos(), int(a.repos[0]) if a.repos else 0, a.per_rule)
        return
    if a.command == "show":
        import precision

        precision.show(corpus.load_repos(), Path(a.repos[0]))
        return
    if a.command == "catalogue":
        import recall

        recall.refresh_catalogue(Path(a.repos[0]))
        return
    repos = corpus.load_repos(a.repos)
    if a.command == "layout":
        for r in repos:
            print(r.name, corpus.layout(r))
    if a.command in ("scan", "all"):
        import scan

        scan.scan(repos, out, not a.no_time)
    if a.command in ("checkov", "all"):
        import recall

        recall.run_checkov_all(repos)
    if a.command in ("recall", "all"):
        import recall

        recall.recall(repos, out)
    if a.command in ("precision", "all"):
        import precision

        precision.precision(corpus.load_repos(), out)


if __name__ == "__main__":
    main()
