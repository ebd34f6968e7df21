//! The exceptions register: inline suppressions carry `owner=` and
//! `ticket=`, and the `[suppressions]` policy in soclint.toml turns a missing
//! owner or ticket, or an open-ended or too long exception, into a finding
//! (the exception is then not accepted and its finding is reported again).
mod common;

use common::{demo_repo, soclint, NOW};
use serde_json::Value;

const FILE: &str = "infra/terraform/storage.tf";

/// Puts `comment` above the first finding in storage.tf; its rule and line.
fn suppress_first(root: &std::path::Path, comment: &str) -> (String, usize) {
    let (_, check) = soclint(root, NOW, &["check", ".", "--format", "json"]);
    let check: Value = serde_json::from_str(&check).expect("json");
    let f = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == FILE)
        .expect("a finding")
        .clone();
    let rule = f["rule_id"].as_str().expect("rule").to_string();
    let line = f["start_line"].as_u64().expect("line") as usize;
    let path = root.join(FILE);
    let text = std::fs::read_to_string(&path).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.insert(line - 1, comment.replace("RULE", &rule));
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    (rule, line)
}

fn check(root: &std::path::Path) -> (i32, Value) {
    let (code, out) = soclint(root, NOW, &["check", ".", "--format", "json"]);
    (code, serde_json::from_str(&out).expect("json"))
}

#[test]
fn owner_and_ticket_reach_the_register() {
    let (_tmp, root) = demo_repo();
    let (rule, line) = suppress_first(
        &root,
        "# soclint:ignore RULE reason=\"public assets\" until=2027-01-31 owner=alice@acme.example ticket=SEC-142",
    );
    let (code, report) = soclint(&root, NOW, &["report", ".", "--format", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&report).expect("json");
    let e = &report["exceptions"][0];
    assert_eq!(e["rule_id"], rule.as_str());
    assert_eq!(e["location"], format!("{FILE}:{line}"));
    assert_eq!(e["owner"], "alice@acme.example");
    assert_eq!(e["ticket"], "SEC-142");
    assert_eq!(e["expires"], "2027-01-31");
    let (_, md) = soclint(&root, NOW, &["report", ".", "--format", "markdown"]);
    let row = format!(
        "| {FILE}\\:{} | {FILE}\\:{line} | public assets | alice`@`acme.example | SEC-142 | 2027-01-31 |",
        line + 1
    );
    assert!(md.contains(&row), "{md}");
}

#[test]
fn the_policy_turns_incomplete_exceptions_into_findings() {
    let (_tmp, root) = demo_repo();
    let toml = std::fs::read_to_string(root.join("soclint.toml")).expect("toml");
    std::fs::write(
        root.join("soclint.toml"),
        format!("{toml}\n[suppressions]\nrequire-owner = true\nrequire-ticket = true\nmax-days = 90\n\n[[waiver]]\nrule = \"REPO-GOV-002\"\npath = \".\"\nreason = \"contact published on the website\"\nowner = \"bob\"\nexpires = \"2027-01-31\"\n"),
    )
    .expect("write");
    let (rule, line) = suppress_first(
        &root,
        "# soclint:ignore RULE reason=\"public assets\" until=2027-06-30",
    );
    let (code, v) = check(&root);
    assert_eq!(code, 1);
    let meta: Vec<&Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "SOCLINT-SUPPRESS-001")
        .collect();
    assert_eq!(meta.len(), 2, "{meta:?}");
    let inline = meta.iter().find(|f| f["path"] == FILE).expect("inline");
    assert_eq!(inline["start_line"].as_u64(), Some(line as u64));
    assert_eq!(
        inline["message"],
        format!(
            "suppression of {rule} is not accepted: the exceptions policy requires an owner \
             (suppressions.require-owner), a ticket (suppressions.require-ticket), an end date \
             at most 90 days ahead (suppressions.max-days), not 2027-06-30"
        )
    );
    let waiver = meta
        .iter()
        .find(|f| f["path"] == "soclint.toml")
        .expect("waiver");
    assert_eq!(
        waiver["message"],
        "waiver of REPO-GOV-002 for `.` is not accepted: the exceptions policy requires a ticket \
         (suppressions.require-ticket)"
    );
    // not accepted: the finding is reported again, nothing is suppressed
    assert!(v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(
            |f| f["rule_id"] == rule.as_str() && f["start_line"].as_u64() == Some(line as u64 + 1)
        ));
    assert_eq!(v["suppressed"], serde_json::json!([]));

    // complete, and within 90 days of today (2026-11-25): accepted
    let path = root.join(FILE);
    let text = std::fs::read_to_string(&path).expect("read").replace(
        "until=2027-06-30",
        "until=2027-01-31 owner=alice ticket=SEC-1",
    );
    std::fs::write(&path, text).expect("write");
    let (_, v) = check(&root);
    assert_eq!(v["suppressed"].as_array().expect("suppressed").len(), 1);
    assert_eq!(v["suppressed"][0]["rule_id"], rule.as_str());
}
