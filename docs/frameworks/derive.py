#!/usr/bin/env python3
"""Derives soclint's framework mappings (src/frameworks/data/*.tsv) from pinned
public sources, so every shipped row can be traced and re-derived.

    python3 docs/frameworks/derive.py PROWLER_GIT_DIR

PROWLER_GIT_DIR is a clone (or bare mirror) of prowler-cloud/prowler; the
files are read at the pinned commit below with `git show`, never from a work
tree, so a moved checkout cannot change the result.

Path A of /work/shared/soc2/frameworks.md: equivalents.tsv pairs each soclint
rule with the Prowler checks that test the same setting (judged by hand);
every framework requirement whose check list holds one of them becomes a row
(rule, framework, control, kind=check, source, revision, via). Ids are
canonicalised as that note describes (NIST and HIPAA from the requirement
name, PCI from the section prefix). catalogue.tsv lists each framework's
requirement ids as the same files give them (titles only where the text is
public: NIST SP 800-53 and the HIPAA Security Rule are US government works;
ISO, PCI and CIS titles are copyrighted, so ids only).
"""
import json
import subprocess
import sys
from pathlib import Path

PROWLER_COMMIT = "3e000faa3109230b748e4418a13c11c9e59f5cfb"
HERE = Path(__file__).resolve().parent
OUT = HERE.parent.parent / "src" / "frameworks" / "data"

# framework id -> (files per provider, id function)
LEGACY = {
    "iso27001": ["aws/iso27001_2022_aws.json", "azure/iso27001_2022_azure.json",
                 "gcp/iso27001_2022_gcp.json", "kubernetes/iso27001_2022_kubernetes.json"],
    "nist80053": ["aws/nist_800_53_revision_5_aws.json"],
    "pci4": ["aws/pci_4.0_aws.json", "azure/pci_4.0_azure.json", "gcp/pci_4.0_gcp.json",
             "kubernetes/pci_4.0_kubernetes.json"],
    "hipaa": ["aws/hipaa_aws.json", "azure/hipaa_azure.json", "gcp/hipaa_gcp.json"],
}
UNIVERSAL = {"cis8": "cis_controls_8.1.json"}


def show(git_dir, path):
    text = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{PROWLER_COMMIT}:prowler/compliance/{path}"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def first_token(name):
    return name.strip().split(" ")[0]


def control_id(framework, req):
    if framework == "iso27001":
        return req["Id"]
    if framework in ("nist80053", "hipaa"):
        return first_token(req["Name"])
    if framework == "pci4":
        return req["Attributes"][0]["Section"].split(":")[0].strip()
    raise ValueError(framework)


def title_of(framework, req):
    if framework in ("nist80053", "hipaa"):
        rest = req["Name"].strip().split(" ", 1)
        return rest[1].strip() if len(rest) > 1 else ""
    return ""


def main():
    git_dir = sys.argv[1]
    equivalents = {}
    for line in (HERE / "equivalents.tsv").read_text().splitlines():
        if not line or line.startswith("#") or line.startswith("rule\t"):
            continue
        rule, provider, check = line.split("\t")
        equivalents.setdefault((provider, check), set()).add(rule)
    rows = set()
    catalogue = {}
    short = PROWLER_COMMIT[:8]
    for framework, files in LEGACY.items():
        for f in files:
            provider = f.split("/")[0]
            data = show(git_dir, f)
            for req in data["Requirements"]:
                cid = control_id(framework, req)
                old = catalogue.get((framework, cid), "")
                catalogue[(framework, cid)] = old or title_of(framework, req)
                for check in req.get("Checks", []):
                    for rule in equivalents.get((provider, check), ()):
                        rows.add((rule, framework, cid, "check",
                                  f"prowler-cloud/prowler prowler/compliance/{f}", short, check))
    for framework, f in UNIVERSAL.items():
        data = show(git_dir, f)
        for req in data["requirements"]:
            cid = req["id"]
            catalogue.setdefault((framework, cid), "")
            for provider, checks in req.get("checks", {}).items():
                for check in checks:
                    for rule in equivalents.get((provider, check), ()):
                        rows.add((rule, framework, cid, "check",
                                  f"prowler-cloud/prowler prowler/compliance/{f}", short, check))
    # ISO/IEC 27001:2022 Annex A has 93 controls; Prowler's files leave A.8.28 out
    for theme, n in (("5", 37), ("6", 8), ("7", 14), ("8", 34)):
        for i in range(1, n + 1):
            catalogue.setdefault(("iso27001", f"A.{theme}.{i}"), "")
    OUT.mkdir(parents=True, exist_ok=True)
    header = ("# Derived by docs/frameworks/derive.py from prowler-cloud/prowler@" + PROWLER_COMMIT +
              " (Apache-2.0) and docs/frameworks/equivalents.tsv; do not edit by hand.\n")
    with open(OUT / "mappings.tsv", "w") as out:
        out.write(header)
        out.write("rule\tframework\tcontrol\tkind\tsource\trevision\tvia\n")
        for row in sorted(rows, key=lambda r: (r[0], r[1], natural(r[2]), r[6], r[4])):
            out.write("\t".join(row) + "\n")
    with open(OUT / "catalogue.tsv", "w") as out:
        out.write(header)
        out.write("framework\tcontrol\ttitle\n")
        for (fw, cid), title in sorted(catalogue.items(), key=lambda kv: (kv[0][0], natural(kv[0][1]))):
            out.write(f"{fw}\t{cid}\t{title}\n")
    print(f"{len(rows)} mapping rows, {len(catalogue)} catalogue ids", file=sys.stderr)


def natural(s):
    import re
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s)]


if __name__ == "__main__":
    main()
