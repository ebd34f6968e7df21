//! `soclint report --period FROM..TO`: a Type II review period judged from
//! the history, per control: runs at its frequency, failing stretches
//! against its grace, gaps with their dates, and findings opened and closed.
mod common;

use common::{demo_repo, soclint};
use serde_json::Value;

const MATRIX: &str = r#"
[[control]]
id = "SEC-CONTACT"
title = "A security contact is published"
owner = "security@acme.example"
frequency = "quarterly"
criteria = ["CC2.3"]
rules = ["REPO-GOV-002"]
grace-days = 30

[[control]]
id = "SEC-CONTACT-MONTHLY"
title = "The same, checked monthly"
owner = "security@acme.example"
frequency = "monthly"
criteria = ["CC2.3"]
rules = ["REPO-GOV-002"]
grace-days = 90
"#;

#[test]
fn a_period_with_a_gap_and_a_failing_stretch() {
    let (tmp, root) = demo_repo();
    std::fs::write(root.join("controls.toml"), MATRIX).expect("write");
    let history = tmp.path().join("history.jsonl");
    let history = history.to_str().expect("utf-8");
    let run = |now: &str| {
        let args = [
            "report",
            ".",
            "--format",
            "json",
            "--output",
            "/dev/null",
            "--controls",
            "controls.toml",
            "--append-history",
            history,
        ];
        assert_eq!(soclint(&root, now, &args).0, 0);
    };
    // no SECURITY.md: REPO-GOV-002 fails; added before the second run
    run("2026-05-01T08:00:00Z");
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\nReport to security@example.com.\n",
    )
    .expect("write");
    run("2026-07-15T08:00:00Z");
    run("2026-10-01T08:00:00Z");

    let (code, out) = soclint(
        &root,
        "2026-10-02T08:00:00Z",
        &[
            "report",
            ".",
            "--format",
            "json",
            "--controls",
            "controls.toml",
            "--history",
            history,
            "--period",
            "2026-04-01..2026-09-30",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let p = &v["period"];
    assert_eq!(
        (p["from"].as_str(), p["to"].as_str()),
        (Some("2026-04-01"), Some("2026-09-30"))
    );
    assert_eq!(p["runs"], 2, "the October run is after the period");
    assert_eq!(p["subject"], "controls");
    let quarterly = &p["controls"][0];
    assert_eq!(quarterly["id"], "SEC-CONTACT");
    assert_eq!(quarterly["gaps"], serde_json::json!([]));
    assert_eq!(
        quarterly["failing"],
        serde_json::json!([{"from": "2026-05-01", "to": "2026-07-15", "days": 75}])
    );
    assert_eq!(quarterly["failing_over_grace"], 1);
    assert_eq!(quarterly["operated_throughout"], false);
    assert_eq!(
        quarterly["conclusion"],
        "1 failing stretch longer than the 30-day grace"
    );
    let monthly = &p["controls"][1];
    assert_eq!(
        monthly["gaps"],
        serde_json::json!([
            {"from": "2026-05-01", "to": "2026-07-15", "days": 75},
            {"from": "2026-07-15", "to": "2026-09-30", "days": 77}
        ])
    );
    assert_eq!(monthly["failing_over_grace"], 0);
    assert_eq!(monthly["conclusion"], "2 gaps in the runs");
    // the missing SECURITY.md: open at the first run, closed by the second
    let opened: Vec<&Value> = p["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .filter(|x| x["rule"] == "REPO-GOV-002")
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0]["opened"], "2026-05-01");
    assert_eq!(opened[0]["closed"], "2026-07-15");

    // a period that is not FROM..TO is a usage error; --period needs --history
    let usage = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("soclint")
            .expect("binary")
            .current_dir(&root)
            .args(args)
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = usage(&[
        "report",
        ".",
        "--history",
        history,
        "--period",
        "2026-09-30..2026-04-01",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--period 2026-09-30..2026-04-01: expected FROM..TO"),
        "{err}"
    );
    let (code, err) = usage(&["report", ".", "--period", "2026-04-01..2026-09-30"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--history"), "{err}");
}
