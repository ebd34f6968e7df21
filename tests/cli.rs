//! End-to-end tests of the `soclint` binary: output formats, exit codes,
//! configuration, selection, and the other subcommands. They use the rules in
//! `fixtures/cli/rules` so the built-in pack can grow without touching them.
use std::path::Path;

use assert_cmd::Command;
use insta::{assert_json_snapshot, assert_snapshot};

mod common;

const RULES: [&str; 3] = ["--no-builtin", "--rules", "fixtures/cli/rules"];

fn soclint() -> Command {
    let mut cmd = Command::cargo_bin("soclint").expect("binary built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOCLINT_TODAY", "2026-11-25")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = soclint().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check"];
    args.extend(RULES);
    args.extend(extra);
    run(&args)
}

/// A copy of `fixtures/cli/NAME` in a temporary directory, outside any
/// repository: paths are reported relative to it whatever holds the
/// checkout. With `repository`, it gets a `.git` and so the repository's rules.
struct Fixture {
    _dir: tempfile::TempDir,
    path: String,
}

impl std::ops::Deref for Fixture {
    type Target = str;
    fn deref(&self) -> &str {
        &self.path
    }
}

fn fixture(name: &str, repository: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join(name);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/cli")
            .join(name),
        &root,
    );
    if repository {
        std::fs::create_dir(root.join(".git")).expect("mkdir .git");
    }
    Fixture {
        path: root.to_str().expect("utf-8 path").to_string(),
        _dir: dir,
    }
}

/// The human report ends with a timing line; everything else is stable.
fn without_timing(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("Finished in "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn human_report_points_at_each_attribute() {
    let repo = fixture("repo", false);
    let (code, out, _) = check(&[&repo]);
    assert_eq!(code, 1);
    assert_snapshot!(without_timing(&out));
}

#[test]
fn compact_report() {
    let repo = fixture("repo", false);
    let (code, out, _) = check(&[&repo, "--format", "compact"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "infra/main.tf:3:12: CRITICAL TEST-S3-001 [CC6.1,CC6.6] bucket `aws_s3_bucket.public` has ACL `public-read`\n\
         infra/main.tf:13:23: MEDIUM TEST-RDS-001 [CC6.1,C1.1] database `aws_db_instance.main` stores data unencrypted\n\
         k8s/web.yaml:12:25: HIGH TEST-K8S-001 [CC6.8] container `Deployment/web/app` runs privileged\n"
    );
}

#[test]
fn json_report() {
    let repo = fixture("repo", false);
    let (code, out, _) = check(&[&repo, "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_json_snapshot!(v);
}

#[test]
fn output_file_gets_the_report() {
    let repo = fixture("repo", false);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("report.json");
    let f = file.to_str().expect("utf-8 path");
    let (code, out, _) = check(&[&repo, "--format", "json", "--output", f]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(written.contains("\"rule_id\": \"TEST-S3-001\""));
}

#[test]
fn exit_codes_follow_the_threshold() {
    let repo = fixture("repo", false);
    // findings: critical, high, medium
    assert_eq!(check(&[&repo, "--format", "compact"]).0, 1);
    assert_eq!(
        check(&[&repo, "--format", "compact", "--fail-on", "critical"]).0,
        1
    );
    assert_eq!(
        check(&[&repo, "--format", "compact", "--fail-on", "never"]).0,
        0
    );
    let (code, out, _) = check(&[
        &repo,
        "--format",
        "compact",
        "--select",
        "TEST-RDS",
        "--fail-on",
        "high",
    ]);
    assert_eq!((code, out.lines().count()), (0, 1));
    // usage errors
    assert_eq!(run(&["check", "--format", "nope"]).0, 2);
    assert_eq!(run(&["check", "--bogus"]).0, 2);
    let (code, _, err) = check(&["does/not/exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does/not/exist does not exist"), "{err}");
}

#[test]
fn clean_scan_exits_zero() {
    let repo = fixture("repo", false);
    let (code, out, _) = check(&[
        &format!("{}/infra", &*repo),
        "--select",
        "TEST-K8S",
        "--format",
        "compact",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn select_and_ignore_take_ids_prefixes_and_criteria() {
    let repo = fixture("repo", false);
    let ids = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![&*repo, "--format", "compact"];
        args.extend(extra);
        let (_, out, _) = check(&args);
        out.lines()
            .map(|l| l.split(' ').nth(2).unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&["--select", "CC6.8"]), ["TEST-K8S-001"]);
    assert_eq!(ids(&["--select", "C1"]), ["TEST-RDS-001"]);
    assert_eq!(
        ids(&["--select", "TEST-S3-001,TEST-K8S"]),
        ["TEST-S3-001", "TEST-K8S-001"]
    );
    assert_eq!(ids(&["--ignore", "CC6.1"]), ["TEST-K8S-001"]);
    assert!(ids(&["--ignore", "CC6"]).is_empty());
    assert_eq!(
        ids(&["--ignore", "TEST-S3", "--ignore", "TEST-K8S-001"]),
        ["TEST-RDS-001"]
    );
}

#[test]
fn malformed_files_of_every_format_are_reported_and_the_scan_goes_on() {
    let broken = fixture("broken", false);
    let (code, out, _) = check(&[&broken, "--format", "compact"]);
    assert_eq!(code, 1);
    assert_snapshot!(out);
    let (_, json, _) = check(&[&broken, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(7));
    assert_eq!(v["findings"][0]["path"], "good.tf");
}

#[test]
fn human_parse_errors_point_into_the_file() {
    let (_, out, _) = check(&[
        "fixtures/cli/broken/unclosed.tf",
        "fixtures/cli/broken/policy.json",
    ]);
    assert_snapshot!(without_timing(&out));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in ["json", "compact", "human"] {
        let mut outputs = Vec::new();
        for threads in ["1", "2", "8"] {
            let (_, out, _) = run(&[
                "check",
                "fixtures",
                "--format",
                format,
                "--threads",
                threads,
                "--fail-on",
                "never",
            ]);
            outputs.push(without_timing(&out));
        }
        assert!(
            outputs[0].len() > 1000,
            "{format}: the scan found little: {}",
            outputs[0]
        );
        assert_eq!(outputs[0], outputs[1], "{format}: 1 vs 2 threads");
        assert_eq!(outputs[0], outputs[2], "{format}: 1 vs 8 threads");
    }
}

#[test]
fn config_in_the_root_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/repo")),
        dir.path(),
    );
    std::fs::write(
        dir.path().join("soclint.toml"),
        "categories = [\"availability\"]\nignore = [\"TEST-S3\"]\nfail-on = \"critical\"\nexclude = [\"infra/**\"]\n",
    )
    .expect("write config");
    let root = dir.path().to_str().expect("utf-8");
    let (code, out, _) = check(&[root, "--format", "compact"]);
    // availability is in scope (A1.2 rule on), infra/ excluded, nothing critical left
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "k8s/web.yaml:2:1: LOW TEST-AVAIL-001 [A1.2] `Deployment/web` runs 1 replica\n\
         k8s/web.yaml:12:25: HIGH TEST-K8S-001 [CC6.8] container `Deployment/web/app` runs privileged\n"
    );
    // the command line wins over the config
    assert_eq!(
        check(&[root, "--format", "compact", "--fail-on", "high"]).0,
        1
    );
}

#[test]
fn invalid_config_points_into_the_file() {
    let repo = fixture("repo", false);
    let (code, out, err) = check(&[&repo, "--config", "fixtures/cli/config-bad/soclint.toml"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("unknown field `colour`"), "{err}");
    assert!(err.contains("soclint.toml:3:1"), "{err}");
}

#[test]
fn invalid_rule_file_points_into_the_toml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("bad.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"MY-001\"\ntitle = \"t\"\nseverity = \"high\"\ncriteria = [\"CC6.1\", \"CC6.12\"]\n\
         target = \"terraform\"\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\nassert = { path = \"a\", exists = true }\n",
    )
    .expect("write");
    let (code, _, err) = run(&[
        "check",
        "fixtures/cli/repo",
        "--no-builtin",
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`CC6.12` is not a Trust Services Criterion"),
        "{err}"
    );
    assert!(err.contains("bad.toml:5:22"), "{err}");
    for (body, message) in [
        (
            "assert = { path = \"a\", exists = true, equals = 1 }",
            "one operator per condition",
        ),
        ("assert = { path = \"a[\", exists = true }", "invalid path"),
        (
            "assert = { path = \"a\", matches = \"(\" }",
            "invalid regex",
        ),
        (
            "assert = { path = \"a\", exits = true }",
            "unknown field `exits`",
        ),
        ("assert = { }", "empty condition"),
    ] {
        let text = format!(
            "[[rule]]\nid = \"MY-001\"\ntitle = \"t\"\nseverity = \"high\"\ncriteria = [\"CC6.1\"]\n\
             target = \"terraform\"\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\n{body}\n"
        );
        std::fs::write(&rules, text).expect("write");
        let (code, _, err) = run(&[
            "rules",
            "--no-builtin",
            "--rules",
            rules.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 2, "{body}");
        assert!(err.contains(message), "{body}: {err}");
        assert!(err.contains("bad.toml:10:"), "{body}: {err}");
    }
}

#[test]
fn rules_explain_and_criteria() {
    let (code, out, _) = run(&["rules", "--no-builtin", "--rules", "fixtures/cli/rules"]);
    assert_eq!(code, 0);
    assert_snapshot!("rules_table", out);
    let (_, out, _) = run(&[
        "rules",
        "--no-builtin",
        "--rules",
        "fixtures/cli/rules",
        "--criteria",
        "CC6",
        "--target",
        "kubernetes",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["id"], "TEST-K8S-001");
    let (code, out, _) = run(&[
        "explain",
        "test-s3-001",
        "--no-builtin",
        "--rules",
        "fixtures/cli/rules",
    ]);
    assert_eq!(code, 0);
    assert_snapshot!("explain", out.replace('\\', "/"));
    assert_eq!(run(&["explain", "NOPE-001"]).0, 2);
    let (_, out, _) = run(&[
        "criteria",
        "--no-builtin",
        "--rules",
        "fixtures/cli/rules",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rules_for = |id: &str| {
        v.as_array()
            .and_then(|a| a.iter().find(|c| c["id"] == id))
            .map(|c| c["rules"].clone())
    };
    assert_eq!(v.as_array().map(Vec::len), Some(61));
    assert_eq!(rules_for("CC6.1"), Some(serde_json::json!(2)));
    assert_eq!(
        rules_for("A1.2"),
        Some(serde_json::json!(0)),
        "availability is out of scope by default"
    );
}

#[test]
fn oversized_files_are_skipped_and_reported() {
    let repo = fixture("repo", false);
    let (code, out, _) = check(&[&repo, "--format", "json", "--max-file-size", "272"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(code, 1, "the k8s file is small enough");
    assert_eq!(v["skipped"][0]["path"], "infra/main.tf");
    assert_eq!(v["skipped"][0]["detail"], "275 bytes; the limit is 272");
}

#[test]
fn policy_paths_and_max_age_come_from_the_config() {
    let policies = fixture("policy-settings", true);
    let (code, out, _) = run(&[
        "check",
        &policies,
        "--select",
        "DOC-REQ-002,DOC-REQ-003,DOC-REQ-004,DOC-REVIEW-002",
        "--format",
        "compact",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    // found under governance/ (the configured path), so no DOC-REQ-002/003;
    // the missing incident response policy is named under governance/
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("governance/incident-response.md:1:1: HIGH DOC-REQ-004")),
        "{out}"
    );
    assert!(
        !out.contains("DOC-REQ-002") && !out.contains("DOC-REQ-003"),
        "{out}"
    );
    // reviewed 2026-06-01: older than the configured 90 days; 2026-10-01 is not
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("governance/change-management.md:6:")
                && l.contains("DOC-REVIEW-002")),
        "{out}"
    );
    assert!(!out.contains("access-control.md"), "{out}");
}

#[test]
fn unknown_setting_in_younger_than_days_is_a_rule_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("r.toml"),
        "[[rule]]\nid = \"X-DOC-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC5.3\"]\ntarget = \"policy-document\"\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\nassert = { path = \"front_matter.last_reviewed\", younger_than_days = \"max-age\" }\n",
    )
    .expect("write");
    let path = dir.path().join("r.toml");
    let (code, _, err) = run(&[
        "rules",
        "--no-builtin",
        "--rules",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`max-age` is not a setting"), "{err}");
}

#[test]
fn test_reports_bad_metadata_as_failures_and_goes_on() {
    let (code, out, err) = run(&[
        "test",
        "fixtures/cli",
        "--no-builtin",
        "--rules",
        "fixtures/cli/rules",
        "--rules",
        "fixtures/cli/bad-rules",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("testing "), "{out}");
    assert!(
        out.contains("FAIL X-BAD-001 (metadata: `CC6.12` is not a Trust Services Criterion"),
        "{out}"
    );
    assert!(
        out.contains("FAIL X-BAD-002 (metadata: invalid regex"),
        "{out}"
    );
    assert!(out.contains("bad.toml:21:34)"), "{out}");
    assert!(
        out.contains("FAIL TEST-S3-001 (metadata: rule id TEST-S3-001 is defined twice"),
        "{out}"
    );
    let last = out.lines().last().unwrap_or_default();
    assert!(last.contains("3 failed"), "{last}");
}
