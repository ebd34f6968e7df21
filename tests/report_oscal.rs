//! `soclint report --format oscal-ar`: OSCAL assessment results that
//! compliance-trestle validates, with the objective status of each control
//! and criterion never claiming more than soclint's status, identifiers that
//! are the same bytes on every run, and repository text kept as data.
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{demo_repo, soclint, NOW};
use serde_json::Value;

const MATRIX: &str = r#"
[[control]]
id = "NET-01"
title = "Instances are not reachable from the internet"
owner = "platform@acme.example"
frequency = "continuous"
criteria = ["CC6.6"]
rules = ["AWS-EC2-002", "AWS-EC2-003"]

[[control]]
id = "LOG-01"
title = "Audit trails are kept"
owner = "security@acme.example"
frequency = "continuous"
criteria = ["CC7.2"]
rules = ["AWS-CT-001", "AWS-CT-004"]
evidence = [{ name = "quarterly log review ticket", frequency = "quarterly" }]

[[control]]
id = "ACC-02"
title = "Storage is private"
owner = "platform@acme.example"
frequency = "per-change"
criteria = ["CC6.1"]
rules = ["AWS-S3-", "NO-SUCH-RULE"]

[[control]]
id = "HR-01"
title = "Background checks"
owner = "people@acme.example"
frequency = "annual"
criteria = ["CC1.4"]
evidence = [{ name = "background check records" }]

[[control]]
id = "KEY-01"
title = "Keys rotate"
owner = "security@acme.example"
frequency = "continuous"
criteria = ["CC6.1"]
rules = ["AWS-KMS-001"]
"#;

/// A file whose name is Markdown, HTML and a link, holding a public bucket.
const HOSTILE_NAME: &str = "infra/terraform/odd [x](javascript:alert(1)) <b>*.tf";

/// The demo repository with the matrix, the one KMS finding accepted (so
/// KEY-01 has full coverage and an accepted exception) and a hostile name.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = demo_repo();
    std::fs::write(root.join("controls.toml"), MATRIX).expect("write");
    let storage = root.join("infra/terraform/storage.tf");
    let text = std::fs::read_to_string(&storage).expect("read");
    let text = text.replace(
        "resource \"aws_kms_key\" \"logs\" {",
        "# soclint:ignore AWS-KMS-001 reason=\"rotated by hand, see runbook\" until=2027-06-30 owner=alice ticket=SEC-7\nresource \"aws_kms_key\" \"logs\" {",
    );
    std::fs::write(&storage, text).expect("write");
    std::fs::write(
        root.join(HOSTILE_NAME),
        "resource \"aws_s3_bucket_acl\" \"x\" {\n  bucket = \"b\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    (tmp, root)
}

fn oscal(root: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        ".",
        "--format",
        "oscal-ar",
        "--controls",
        "controls.toml",
    ];
    args.extend_from_slice(extra);
    let (code, out) = soclint(root, NOW, &args);
    assert_eq!(code, 0, "{out}");
    out
}

fn result(doc: &Value) -> &Value {
    &doc["assessment-results"]["results"][0]
}

fn finding<'a>(doc: &'a Value, kind: &str, id: &str) -> &'a Value {
    result(doc)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| prop(f, "kind") == Some(kind) && f["target"]["target-id"] == id)
        .unwrap_or_else(|| panic!("no finding for {kind} {id}"))
}

fn prop<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v["props"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

fn state(f: &Value) -> (&str, &str) {
    let s = &f["target"]["status"];
    (
        s["state"].as_str().expect("state"),
        s["reason"].as_str().expect("reason"),
    )
}

/// compliance-trestle's `trestle` (`SOCLINT_TRESTLE`, installed by
/// `.ci/tools.sh`); `None` outside CI when it is missing.
fn trestle() -> Option<PathBuf> {
    match std::env::var_os("SOCLINT_TRESTLE").map(PathBuf::from) {
        Some(p) if p.is_file() => Some(p),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "CI is set but compliance-trestle is missing; .ci/run installs it (SOCLINT_TRESTLE)"
            );
            eprintln!(
                "SKIPPED: compliance-trestle not installed (run .ci/tools.sh and set SOCLINT_TRESTLE); OSCAL validation skipped outside CI"
            );
            None
        }
    }
}

/// `trestle validate` (every validator trestle has: the NIST schema as its
/// pydantic models, duplicate uuids, references) on one assessment-results
/// file, in a trestle workspace of its own.
fn trestle_validate(tool: &Path, text: &str) {
    let work = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        std::process::Command::new(tool)
            .args(args)
            .current_dir(work.path())
            .output()
            .expect("trestle runs")
    };
    let init = run(&["init"]);
    assert!(init.status.success(), "trestle init: {init:?}");
    let dir = work.path().join("assessment-results/soclint");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("assessment-results.json"), text).expect("write");
    let out = run(&[
        "validate",
        "-f",
        "assessment-results/soclint/assessment-results.json",
    ]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "trestle validate failed: {said}");
    assert!(said.contains("VALID: Model"), "{said}");
}

#[test]
fn oscal_assessment_results_validate_with_trestle() {
    let (_tmp, root) = repo();
    let text = oscal(&root, &[]);
    if let Some(tool) = trestle() {
        trestle_validate(&tool, &text);
    }
}

#[test]
fn findings_never_claim_more_than_the_status() {
    let (_tmp, root) = repo();
    let doc: Value = serde_json::from_str(&oscal(&root, &[])).expect("json");
    // the same scan as the JSON evidence report states it
    let (code, json) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            "json",
            "--controls",
            "controls.toml",
        ],
    );
    assert_eq!(code, 0);
    let ev: Value = serde_json::from_str(&json).expect("json");

    let control = |id: &str| finding(&doc, "control", id);
    // every rule gave a verdict, none failed, nothing manual, nothing accepted
    assert_eq!(state(control("NET-01")), ("satisfied", "pass"));
    assert_eq!(prop(control("NET-01"), "status"), Some("no-exceptions"));
    // manual evidence listed: partial coverage is never satisfied, and not a failure
    assert_eq!(state(control("LOG-01")), ("not-satisfied", "other"));
    assert_eq!(
        prop(control("LOG-01"), "status"),
        Some("no-exceptions-partial")
    );
    assert!(control("LOG-01")["remarks"]
        .as_str()
        .expect("remarks")
        .contains("Manual evidence soclint cannot check: quarterly log review ticket."));
    // exceptions found
    assert_eq!(state(control("ACC-02")), ("not-satisfied", "fail"));
    // nothing automated
    assert_eq!(state(control("HR-01")), ("not-satisfied", "other"));
    assert_eq!(
        prop(control("HR-01"), "status"),
        Some("manual-evidence-required")
    );
    // full coverage with the one finding accepted: no exception open, but
    // an accepted risk is not "satisfied"
    assert_eq!(prop(control("KEY-01"), "status"), Some("no-exceptions"));
    assert_eq!(state(control("KEY-01")), ("not-satisfied", "other"));
    assert!(control("KEY-01")["target"]["status"]["remarks"]
        .as_str()
        .expect("remarks")
        .contains("Accepted exceptions: 1 finding."));

    // every criterion in scope has a finding whose state follows its status;
    // none out of scope has one
    let mut seen = 0;
    for c in ev["criteria"].as_array().expect("criteria") {
        let id = c["id"].as_str().expect("id");
        let status = c["status"].as_str().expect("status");
        let found = result(&doc)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| prop(f, "kind") == Some("criterion") && f["target"]["target-id"] == id);
        if status == "not-in-scope" {
            assert!(found.is_none(), "{id}");
            continue;
        }
        seen += 1;
        let f = found.unwrap_or_else(|| panic!("{id}"));
        assert_eq!(prop(f, "status"), Some(status), "{id}");
        let want = match status {
            "exceptions-found" => ("not-satisfied", "fail"),
            "no-exceptions" if c["suppressed"] == 0 => ("satisfied", "pass"),
            _ => ("not-satisfied", "other"),
        };
        assert_eq!(state(f), want, "{id} {status}");
    }
    assert_eq!(
        seen,
        ev["totals"]["criteria_in_scope"].as_u64().unwrap() as usize
    );
    // the demo has criteria of each kind but "no exceptions" with full coverage
    let reasons: BTreeSet<&str> = result(&doc)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| prop(f, "kind") == Some("criterion"))
        .map(|f| state(f).1)
        .collect();
    assert_eq!(reasons, BTreeSet::from(["fail", "other"]));
    // reviewed controls: the matrix, then the criteria in scope
    let selections = &result(&doc)["reviewed-controls"]["control-selections"];
    let ids = |i: usize| -> Vec<String> {
        selections[i]["include-controls"]
            .as_array()
            .expect("include")
            .iter()
            .map(|c| c["control-id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(0), ["NET-01", "LOG-01", "ACC-02", "HR-01", "KEY-01"]);
    assert_eq!(ids(1).len(), seen);
}

#[test]
fn observations_hold_each_rules_population_and_evidence() {
    let (_tmp, root) = repo();
    let doc: Value = serde_json::from_str(&oscal(&root, &[])).expect("json");
    let r = result(&doc);
    let observations = r["observations"].as_array().expect("observations");
    let kms = observations
        .iter()
        .find(|o| prop(o, "rule") == Some("AWS-KMS-001"))
        .expect("AWS-KMS-001 observation");
    assert_eq!(kms["methods"], serde_json::json!(["TEST"]));
    assert_eq!(kms["origins"][0]["actors"][0]["type"], "tool");
    assert_eq!(
        kms["origins"][0]["actors"][0]["actor-uuid"],
        r["local-definitions"]["assessment-assets"]["components"][0]["uuid"]
    );
    let verdicts: Vec<(&str, &str)> = kms["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| (s["title"].as_str().unwrap(), prop(s, "verdict").unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            (
                "infra/terraform/storage.tf:153 aws\\_kms\\_key.data",
                "pass"
            ),
            (
                "infra/terraform/storage.tf:159 aws\\_kms\\_key.logs",
                "suppressed"
            ),
        ]
    );
    // the accepted finding is relevant evidence, at its file and line
    let evidence = kms["relevant-evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0]["href"], "infra/terraform/storage.tf");
    let description = evidence[0]["description"].as_str().unwrap();
    assert!(
        description.starts_with("infra/terraform/storage.tf:159: aws\\_kms\\_key.logs: accepted at infra/terraform/storage.tf\\:158\\: rotated by hand"),
        "{description}"
    );
    assert_eq!(prop(&evidence[0], "verdict"), Some("suppressed"));

    // every reference resolves: subjects to inventory items, findings to
    // observations, the plan to the back matter; no uuid twice
    let inventory: BTreeSet<&str> = r["local-definitions"]["inventory-items"]
        .as_array()
        .expect("inventory")
        .iter()
        .map(|i| i["uuid"].as_str().unwrap())
        .collect();
    let obs: BTreeSet<&str> = observations
        .iter()
        .map(|o| o["uuid"].as_str().unwrap())
        .collect();
    for o in observations {
        for s in o["subjects"].as_array().into_iter().flatten() {
            assert!(inventory.contains(s["subject-uuid"].as_str().unwrap()));
        }
    }
    for f in r["findings"].as_array().expect("findings") {
        for o in f["related-observations"].as_array().into_iter().flatten() {
            assert!(obs.contains(o["observation-uuid"].as_str().unwrap()));
        }
    }
    let plan = doc["assessment-results"]["import-ap"]["href"]
        .as_str()
        .unwrap();
    assert_eq!(
        format!(
            "#{}",
            doc["assessment-results"]["back-matter"]["resources"][0]["uuid"]
                .as_str()
                .unwrap()
        ),
        plan
    );
    let mut uuids = BTreeMap::new();
    collect_uuids(&doc, &mut uuids);
    let twice: Vec<_> = uuids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "{twice:?}");
}

/// The text of every markup field: titles, descriptions and remarks.
fn markup_fields<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("title" | "description" | "remarks", Value::String(s)) => out.push(s),
                    _ => markup_fields(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| markup_fields(x, out)),
        _ => {}
    }
}

/// Every `uuid` declared (not references), with how often.
fn collect_uuids<'a>(v: &'a Value, out: &mut BTreeMap<&'a str, usize>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "uuid" {
                    *out.entry(x.as_str().expect("uuid")).or_default() += 1;
                } else {
                    collect_uuids(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_uuids(x, out)),
        _ => {}
    }
}

#[test]
fn the_same_scan_gives_the_same_bytes_at_any_thread_count() {
    let (_tmp, root) = repo();
    let one = oscal(&root, &["--threads", "1"]);
    let four = oscal(&root, &["--threads", "4"]);
    let again = oscal(&root, &[]);
    assert_eq!(one, four);
    assert_eq!(one, again);
    // another scan time is another result; the resources keep their uuids
    let (code, later) = soclint(
        &root,
        "2026-11-26T09:30:00Z",
        &[
            "report",
            ".",
            "--format",
            "oscal-ar",
            "--controls",
            "controls.toml",
        ],
    );
    assert_eq!(code, 0);
    let a: Value = serde_json::from_str(&one).unwrap();
    let b: Value = serde_json::from_str(&later).unwrap();
    assert_ne!(result(&a)["uuid"], result(&b)["uuid"]);
    assert_eq!(
        result(&a)["local-definitions"]["inventory-items"],
        result(&b)["local-definitions"]["inventory-items"]
    );
    // written to a file: the same bytes as on standard output
    let (code, _) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            "oscal-ar",
            "--controls",
            "controls.toml",
            "--output",
            "ar.json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(root.join("ar.json")).unwrap(), one);
}

#[test]
fn repository_text_stays_data() {
    let (_tmp, root) = repo();
    let text = oscal(&root, &[]);
    let doc: Value = serde_json::from_str(&text).expect("json");
    // no Markdown link or HTML from the file name reaches a markup field
    // (titles, descriptions, remarks: OSCAL's Markdown)
    let mut markup = Vec::new();
    markup_fields(&doc, &mut markup);
    assert!(markup.len() > 1000, "{}", markup.len());
    for m in markup {
        assert!(!m.contains("[x]("), "link kept: {m}");
        assert!(!m.contains("<b>"), "HTML kept: {m}");
    }
    let acl = result(&doc)["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| prop(o, "rule") == Some("AWS-S3-001"))
        .expect("AWS-S3-001");
    let evidence: Vec<&Value> = acl["relevant-evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["href"].as_str().unwrap().contains("odd"))
        .collect();
    assert_eq!(evidence.len(), 1);
    // the href is a relative path with every special byte percent-encoded
    assert_eq!(
        evidence[0]["href"],
        "infra/terraform/odd%20%5Bx%5D%28javascript%3Aalert%281%29%29%20%3Cb%3E%2A.tf"
    );
    let description = evidence[0]["description"].as_str().unwrap();
    assert!(
        description.starts_with(
            "infra/terraform/odd \\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>\\*.tf:3: "
        ),
        "{description}"
    );
    // the raw name is kept where OSCAL holds plain strings: a property value
    let items = result(&doc)["local-definitions"]["inventory-items"]
        .as_array()
        .unwrap();
    assert!(items.iter().any(|i| prop(i, "path") == Some(HOSTILE_NAME)));
}

#[test]
fn merge_does_not_write_oscal() {
    let (_tmp, root) = repo();
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .args(["report", "--merge", "a.json", "--format", "oscal-ar"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--merge writes the organisation report"),
        "{err}"
    );
}
