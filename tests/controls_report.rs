//! `soclint report` with the organisation's control matrix: each control's
//! status from the rules it names, its manual evidence listed, selectors that
//! match nothing said, and the matrix found through soclint.toml.
mod common;

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
"#;

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == id)
        .expect("control")
}

#[test]
fn controls_get_statuses_from_their_rules() {
    let (_tmp, root) = demo_repo();
    std::fs::write(root.join("controls.toml"), MATRIX).expect("write");
    let (code, out) = soclint(
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
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["header"]["controls_file"], "controls.toml");

    // every rule gave a verdict, none failed, nothing manual: the one case
    // that is not partial
    let net = control(&report, "NET-01");
    assert_eq!(net["status"], "no-exceptions");
    assert_eq!(
        net["rules"],
        serde_json::json!(["AWS-EC2-002", "AWS-EC2-003"])
    );
    assert_eq!(
        (net["passed"].as_u64(), net["failed"].as_u64()),
        (Some(14), Some(0))
    );
    // manual evidence listed: partial
    let log = control(&report, "LOG-01");
    assert_eq!(log["status"], "no-exceptions-partial");
    assert_eq!(log["evidence"][0]["name"], "quarterly log review ticket");
    let acc = control(&report, "ACC-02");
    assert_eq!(acc["status"], "exceptions-found");
    assert_eq!(acc["unmatched"], serde_json::json!(["NO-SUCH-RULE"]));
    assert!(acc["failed"].as_u64().expect("failed") > 0);
    let hr = control(&report, "HR-01");
    assert_eq!(hr["status"], "manual-evidence-required");
    assert_eq!(hr["rules"], serde_json::json!([]));
    assert_eq!(report["totals"]["controls"], 4);

    // the same matrix through soclint.toml, and its Markdown
    let toml = std::fs::read_to_string(root.join("soclint.toml")).expect("toml");
    std::fs::write(
        root.join("soclint.toml"),
        format!("controls = \"controls.toml\"\n{toml}"),
    )
    .expect("write");
    let (code, md) = soclint(&root, NOW, &["report", ".", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.contains("| Control matrix | `controls.toml` |"), "{md}");
    assert!(md.contains(
        "| NET-01 | Instances are not reachable from the internet | platform`@`acme.example | continuous | CC6.6 | 2 | 14 | 0 | 0 | 0 | ✅ no exceptions in automated checks |"
    ), "{md}");
    assert!(md.contains("  - manual evidence: background check records"));
    assert!(md.contains("  - selectors that match no active rule: NO-SUCH-RULE"));
}

#[test]
fn a_bad_matrix_points_into_the_file_and_a_config_cannot_name_one_outside() {
    let (_tmp, root) = demo_repo();
    std::fs::write(
        root.join("controls.toml"),
        "[[control]]\nid = \"X\"\ntitle = \"t\"\nowner = \"o\"\nfrequency = \"hourly\"\ncriteria = [\"CC6.1\"]\n",
    )
    .expect("write");
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .env("SOCLINT_NOW", NOW)
        .args(["report", ".", "--controls", "controls.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("controls.toml:5:"), "{err}");
    assert!(err.contains("hourly"), "{err}");

    // a matrix outside the repository exists, but the repository's own
    // config may not name it
    std::fs::write(root.join("../elsewhere.toml"), MATRIX).expect("write");
    std::fs::write(
        root.join("soclint.toml"),
        "controls = \"../elsewhere.toml\"\n",
    )
    .expect("write");
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(&root)
        .env("SOCLINT_NOW", NOW)
        .args(["report", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("controls = \"../elsewhere.toml\" in"), "{err}");
}
