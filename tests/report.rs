//! `soclint report` on the demo repository: per-criterion numbers agree with
//! `check --format json` and the rule stats, the header reads the commit from
//! `.git` files, Markdown and JSON are pinned by snapshots, and the history
//! section follows three runs with different results.
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use common::{demo_repo, soclint, three_runs, NOW, SHA};
use serde_json::Value;

fn report_json(dir: &Path, now: &str, extra: &[&str]) -> Value {
    let mut args = vec!["report", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out) = soclint(dir, now, &args);
    assert_eq!(code, 0);
    serde_json::from_str(&out).expect("json")
}

#[test]
fn per_criterion_numbers_match_check_output_and_rule_stats() {
    let (_tmp, root) = demo_repo();
    let (code, check) = soclint(&root, NOW, &["check", ".", "--format", "json"]);
    assert_eq!(code, 1);
    let check: Value = serde_json::from_str(&check).expect("json");
    let by_criterion = check["summary"]["by_criterion"]
        .as_object()
        .expect("by_criterion");
    let report = report_json(&root, NOW, &[]);
    let rules: BTreeMap<&str, &Value> = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["id"].as_str().expect("id"), r))
        .collect();

    let criteria = report["criteria"].as_array().expect("criteria");
    assert_eq!(criteria.len(), 61, "every category is in scope");
    let mut seen = BTreeMap::new();
    for c in criteria {
        let id = c["id"].as_str().expect("id");
        let expected_failed = by_criterion.get(id).and_then(Value::as_u64).unwrap_or(0);
        assert_eq!(c["failed"].as_u64(), Some(expected_failed), "{id} failed");
        let sum = |key: &str| -> u64 {
            c["rules"]
                .as_array()
                .expect("rules")
                .iter()
                .map(|r| {
                    rules[r.as_str().expect("rule id")][key]
                        .as_u64()
                        .expect("count")
                })
                .sum()
        };
        assert_eq!(c["passed"].as_u64(), Some(sum("passed")), "{id} passed");
        assert_eq!(c["skipped"].as_u64(), Some(sum("skipped")), "{id} skipped");
        // without suppressions every failed evaluation is a finding
        assert_eq!(sum("failed"), expected_failed, "{id} rule stats");
        let evaluated = sum("passed") + sum("failed") + sum("skipped");
        let resources = c["resources"].as_u64().expect("resources");
        assert_eq!(resources > 0, evaluated > 0, "{id} resources examined");
        assert!(resources <= evaluated, "{id}");
        let status = c["status"].as_str().expect("status");
        // static checks never reach every point of focus: no exceptions is
        // always partial coverage
        let want = if expected_failed > 0 {
            "exceptions-found"
        } else if sum("passed") > 0 {
            "no-exceptions-partial"
        } else {
            "manual-evidence-required"
        };
        assert_eq!(status, want, "{id}");
        seen.insert(id.to_string(), expected_failed);
    }
    for id in by_criterion.keys() {
        assert!(seen.contains_key(id), "{id} missing from the report");
    }
    assert_eq!(
        report["totals"]["failed"], check["summary"]["findings"],
        "same findings"
    );
    assert_eq!(
        report["header"]["files_scanned"],
        check["summary"]["files_scanned"]
    );
    assert_eq!(report["header"]["resources"], check["summary"]["resources"]);
    assert_eq!(
        report["header"]["rules_active"],
        check["summary"]["rules_evaluated"]
    );
    assert_eq!(report["exceptions"], serde_json::json!([]));
}

/// The wording of each status on the demo: CC3.4 (a change-management
/// policy is kept) is not "passing" but partial coverage, with its one
/// testable point of focus named; a criterion no rule reaches needs manual
/// evidence; one outside the categories in scope is not in scope.
#[test]
fn statuses_say_what_the_checks_reach() {
    let (_tmp, root) = demo_repo();
    let report = report_json(&root, NOW, &[]);
    let criterion = |id: &str| {
        report["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .expect("criterion")
    };
    let cc34 = criterion("CC3.4");
    assert_eq!(cc34["status"], "no-exceptions-partial");
    assert_eq!(
        (cc34["passed"].as_u64(), cc34["failed"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(cc34["points_total"], 6);
    assert_eq!(cc34["points_other_evidence"], 5);
    assert_eq!(cc34["points_testable"][0]["id"], "CC3.4.d");
    assert_eq!(cc34["points_testable"][0]["tested"], true);
    assert_eq!(
        cc34["points_testable"][0]["rules_tested"],
        serde_json::json!(["DOC-REQ-003"])
    );
    // a point whose rules had nothing to examine is said to be untested
    let cc52 = criterion("CC5.2");
    assert_eq!(cc52["status"], "manual-evidence-required");
    assert_eq!(cc52["points_testable"][0]["id"], "CC5.2.d");
    assert_eq!(cc52["points_testable"][0]["tested"], false);
    assert_eq!(criterion("CC1.2")["status"], "manual-evidence-required");
    assert_eq!(criterion("CC6.1")["status"], "exceptions-found");
    let labels: Vec<&str> = report["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|d| d["label"].as_str().expect("label"))
        .collect();
    assert_eq!(
        labels,
        [
            "exceptions found",
            "no exceptions in automated checks",
            "no exceptions in automated checks (partial coverage)",
            "manual evidence required",
            "not in scope"
        ]
    );

    // security only: the privacy criteria are not in scope
    std::fs::write(
        root.join("soclint.toml"),
        "policy-paths = [\"docs/policies\"]\n",
    )
    .expect("write");
    let report = report_json(&root, NOW, &[]);
    let p11 = report["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["id"] == "P1.1")
        .cloned()
        .expect("P1.1");
    assert_eq!(p11["status"], "not-in-scope");
    assert_eq!(report["totals"]["criteria_in_scope"], 33);
}

#[test]
fn header_reads_git_files_and_hashes_the_rule_set() {
    let (_tmp, root) = demo_repo();
    let report = report_json(&root, NOW, &[]);
    let h = &report["header"];
    assert_eq!(h["commit"], SHA);
    assert_eq!(h["branch"], "main");
    assert_eq!(h["repository"], "https://example.com/acme/infra.git");
    assert_eq!(h["scan_time"], NOW);
    assert_eq!(h["soclint_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        h["categories"],
        serde_json::json!([
            "security",
            "availability",
            "processing-integrity",
            "confidentiality",
            "privacy"
        ])
    );
    let hash = h["ruleset_hash"].as_str().expect("hash");
    assert_eq!(hash.len(), 64);
    let again = report_json(&root, "2026-12-01T00:00:00Z", &[]);
    assert_eq!(again["header"]["ruleset_hash"], hash, "stable across runs");
    let fewer = report_json(&root, NOW, &["--ignore", "REPO-GOV-002"]);
    assert_ne!(
        fewer["header"]["ruleset_hash"], hash,
        "changes with the rules"
    );

    // detached HEAD: a commit and no branch
    std::fs::write(root.join(".git/HEAD"), format!("{SHA}\n")).expect("write");
    let detached = report_json(&root, NOW, &[]);
    assert_eq!(detached["header"]["commit"], SHA);
    assert_eq!(detached["header"]["branch"], Value::Null);
}

#[test]
fn links_are_relative_to_the_report_file() {
    let (tmp, root) = demo_repo();
    let out_dir = tmp.path().join("out/reports");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let (code, _) = soclint(
        tmp.path(),
        NOW,
        &[
            "report",
            "acme-infra",
            "--format",
            "markdown",
            "--output",
            "out/reports/evidence.md",
        ],
    );
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(out_dir.join("evidence.md")).expect("report");
    assert!(
        md.contains("(../../acme-infra/infra/terraform/storage.tf#L"),
        "{}",
        &md[..2000.min(md.len())]
    );
    // links resolve to files that exist
    let target = out_dir.join("../../acme-infra/infra/terraform/storage.tf");
    assert!(target.is_file());
    drop(root);
}

fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // the hash follows every rule edit; its stability is tested above
    s.add_filter(r"[0-9a-f]{64}", "[ruleset-sha256]");
    s
}

#[test]
fn markdown_snapshot() {
    let (_tmp, root) = demo_repo();
    let (code, md) = soclint(&root, NOW, &["report", ".", "--format", "markdown"]);
    assert_eq!(code, 0);
    snapshot_settings().bind(|| insta::assert_snapshot!(md));
}

#[test]
fn json_snapshot() {
    let (_tmp, root) = demo_repo();
    let mut v = report_json(&root, NOW, &[]);
    // findings are pinned by the Markdown snapshot and the populations by
    // tests/populations.rs; keep this one to the numbers
    for r in v["rules"].as_array_mut().expect("rules") {
        let n = r["findings"].as_array().map_or(0, Vec::len);
        r["findings"] = Value::from(format!("[{n} findings]"));
    }
    let n = v["population"].as_array().map_or(0, Vec::len);
    v["population"] = Value::from(format!("[{n} evaluations]"));
    let text = serde_json::to_string_pretty(&v).expect("json");
    snapshot_settings().bind(|| insta::assert_snapshot!(text));
}

#[test]
fn history_over_three_runs() {
    let (tmp, root) = demo_repo();
    let history = tmp.path().join("history.jsonl");
    let history = history.to_str().expect("utf-8");
    three_runs(&root, history);
    let lines: Vec<Value> = std::fs::read_to_string(history)
        .expect("history")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["commit"], SHA);
    assert_eq!(lines[0]["criteria"]["CC2.3"], serde_json::json!([0, 1]));
    assert_eq!(lines[1]["criteria"]["CC2.3"], serde_json::json!([1, 0]));

    let v = report_json(&root, "2026-11-25T09:30:00Z", &["--history", history]);
    let hv = &v["history"];
    assert_eq!(
        hv["runs"].as_array().expect("runs").len(),
        4,
        "three runs and this one"
    );
    let row = |id: &str| {
        hv["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("row")
    };
    let cc23 = row("CC2.3");
    assert_eq!(
        cc23["statuses"],
        serde_json::json!([
            "exceptions",
            "no-exceptions",
            "no-exceptions",
            "no-exceptions"
        ])
    );
    let longest = &cc23["longest_without_exceptions"];
    assert_eq!(longest["from"], "2026-07-15T08:00:00Z");
    assert_eq!(longest["to"], "2026-11-25T09:30:00Z");
    assert_eq!(longest["days"], 133);
    assert_eq!(longest["ongoing"], true);
    let cc53 = row("CC5.3");
    assert_eq!(cc53["statuses"][0], "exceptions");
    // with the policy documents removed, the required-policy rules (DOC-REQ-*)
    // report each missing policy, so CC5.3 fails rather than going unevidenced
    assert_eq!(cc53["statuses"][2], "exceptions");
    let cc61 = row("CC6.1");
    assert_eq!(
        cc61["longest_without_exceptions"],
        Value::Null,
        "always exceptions"
    );

    // the same file for both flags: this run is appended once, then shown
    let (code, md) = soclint(
        &root,
        "2026-11-26T09:30:00Z",
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "--append-history",
            history,
            "--history",
            history,
        ],
    );
    assert_eq!(code, 0);
    assert!(
        md.contains("4 runs, 2026-05-01T08:00:00Z to 2026-11-26T09:30:00Z"),
        "{md}"
    );
    assert!(md.contains("| CC2.3 | ❌✅✅✅ | 134 days (3 runs, 2026-07-15T08:00:00Z to 2026-11-26T09:30:00Z, still holding) |"));
}

#[test]
fn bad_inputs_are_usage_errors() {
    let (tmp, root) = demo_repo();
    let missing = tmp.path().join("missing.jsonl");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .args(["report", ".", "--history", missing.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read history"));
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .env("SOCLINT_NOW", "yesterday")
        .args(["report", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOCLINT_NOW"));
}
