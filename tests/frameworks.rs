//! Other frameworks from the same rules: the framework views list exactly
//! the rules the shipped mapping data maps, every mapping names its source,
//! and SARIF carries a taxonomy per framework asked for.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn soclint(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOCLINT_TODAY", "2026-11-25")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

/// rule -> controls, read straight from the data file (not through soclint).
fn mapped(framework: &str) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/frameworks/data/mappings.tsv"),
    )
    .expect("mappings.tsv");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 7, "{line}");
        assert!(
            f[4].starts_with("prowler-cloud/prowler prowler/compliance/"),
            "{line}"
        );
        assert_eq!(f[5], "3e000faa", "{line}");
        assert!(
            !f[6].is_empty(),
            "a check-level row names its check: {line}"
        );
        if f[1] == framework {
            out.entry(f[0].to_string())
                .or_default()
                .insert(f[2].to_string());
        }
    }
    out
}

#[test]
fn each_framework_view_lists_exactly_the_mapped_rules() {
    let (_, all) = soclint(&["rules", "--format", "json"]);
    let all: Vec<Value> = serde_json::from_str(&all).expect("json");
    let ids: BTreeSet<String> = all
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for fw in ["iso27001", "nist80053", "cis8", "pci4", "hipaa"] {
        let expected = mapped(fw);
        let expected: BTreeMap<&String, &BTreeSet<String>> =
            expected.iter().filter(|(r, _)| ids.contains(*r)).collect();
        assert!(!expected.is_empty(), "{fw} maps no rule");
        let (code, out) = soclint(&["rules", "--format", "json", "--framework", fw]);
        assert_eq!(code, 0);
        let listed: Vec<Value> = serde_json::from_str(&out).expect("json");
        let got: BTreeMap<String, BTreeSet<String>> = listed
            .iter()
            .map(|r| {
                assert_eq!(r["framework"], fw);
                let controls = r["controls"].as_array().unwrap();
                (
                    r["id"].as_str().unwrap().to_string(),
                    controls
                        .iter()
                        .map(|c| c.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        let got: BTreeMap<&String, &BTreeSet<String>> = got.iter().collect();
        assert_eq!(got, expected, "{fw}");
    }
    // the worked example of the sources note, end to end
    let (_, out) = soclint(&["rules", "--framework", "iso27001"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("AWS-S3-002 "))
        .expect("AWS-S3-002 listed");
    assert!(line.contains(" A.8.11,A.8.24 "), "{line}");
    // a rule no source maps is not listed, and explain says so
    assert!(!out.contains("DKR-USER-001"));
    let (_, explain) = soclint(&["explain", "DKR-USER-001", "--framework", "iso27001"]);
    assert!(
        explain.contains("\nNot mapped (no cited source maps this rule): ISO 27001\n"),
        "{explain}"
    );
    let (_, explain) = soclint(&["explain", "AWS-S3-002", "--framework", "pci4"]);
    assert!(explain.contains(
        "PCI DSS v4.0:\n  3.5.1  (pci_4.0_aws.json via s3_bucket_default_encryption @3e000faa)\n  8.3.2  (pci_4.0_aws.json via s3_bucket_default_encryption @3e000faa)\n"
    ), "{explain}");
}

#[test]
fn soc1_domains_are_editorial_and_criteria_lists_the_catalogue() {
    let (_, out) = soclint(&["criteria", "--framework", "soc1", "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&out).expect("json");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["access", "change", "development", "operations"]);
    let change: Vec<&str> = rows[1]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(change.contains(&"GH-BP-001") && change.contains(&"GHA-PIN-001"));
    assert!(
        rows[2]["rules"].as_array().unwrap().is_empty(),
        "no rule tests program development"
    );
    let (_, table) = soclint(&["criteria", "--framework", "iso27001"]);
    assert!(
        table.starts_with("ISO/IEC 27001:2022 Annex A\nID      RULES  TITLE\nA.5.1 "),
        "{table}"
    );
    assert!(
        table.contains("\nA.8.28      0\n"),
        "Annex A control Prowler leaves out is still listed"
    );
    assert!(table.trim_end().ends_with(
        "controls mapped from 216 active rules (titles are shown only where the text is free to copy)"
    ) || table.contains(" of 93 controls mapped from "), "{table}");
}

#[test]
fn check_reports_carry_the_frameworks_asked_for() {
    let (code, out) = soclint(&[
        "check",
        "fixtures/demo",
        "--format",
        "json",
        "--framework",
        "iso27001,soc1",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "AWS-EC2-001")
        .expect("an SSH security group finding in the demo");
    assert_eq!(
        f["frameworks"],
        serde_json::json!({ "iso27001": ["A.8.20", "A.8.21", "A.8.22"], "soc1": ["access"] })
    );
    // without --framework the JSON is as before
    let (_, plain) = soclint(&["check", "fixtures/demo", "--format", "json"]);
    assert!(!plain.contains("\"frameworks\""));
    let (_, compact) = soclint(&[
        "check",
        "fixtures/demo",
        "--format",
        "compact",
        "--framework",
        "soc1",
    ]);
    assert!(
        compact
            .lines()
            .any(|l| l.contains(" GHA-PIN-001 [") && l.contains("] [SOC 1 ITGC change] ")),
        "{compact}"
    );

    let (_, sarif) = soclint(&[
        "check",
        "fixtures/demo",
        "--format",
        "sarif",
        "--framework",
        "pci4,hipaa",
    ]);
    let s: Value = serde_json::from_str(&sarif).expect("sarif");
    let run = &s["runs"][0];
    let names: Vec<&str> = run["taxonomies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["TSC", "PCI DSS 4.0", "HIPAA"]);
    let supported: Vec<&str> = run["tool"]["driver"]["supportedTaxonomies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(supported, names);
    // every relationship points at a taxon of its taxonomy
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for rel in rule["relationships"].as_array().unwrap() {
            let comp = rel["target"]["toolComponent"]["name"].as_str().unwrap();
            let tax = run["taxonomies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == comp)
                .unwrap();
            let i = rel["target"]["index"].as_u64().unwrap() as usize;
            assert_eq!(tax["taxa"][i]["id"], rel["target"]["id"], "{}", rule["id"]);
        }
    }
    let s3 = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "AWS-S3-002")
        .unwrap();
    let pci: Vec<&str> = s3["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["toolComponent"]["name"] == "PCI DSS 4.0")
        .map(|r| r["target"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(pci, ["3.5.1", "8.3.2"]);
}
