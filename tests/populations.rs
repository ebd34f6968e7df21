//! `soclint report` populations: every evaluation of every rule with its
//! verdict, in JSON and CSV, counted the way `check` counts its verdicts.
mod common;

use std::collections::BTreeMap;

use common::{demo_repo, soclint, NOW};
use serde_json::Value;

/// Per rule id: [pass, fail, skipped, suppressed] members of its population.
fn tally(population: &[Value]) -> BTreeMap<String, [u64; 4]> {
    let mut by: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for item in population {
        let k = match item["verdict"].as_str().expect("verdict") {
            "pass" => 0,
            "fail" => 1,
            "skipped" => 2,
            "suppressed" => 3,
            other => panic!("verdict {other}"),
        };
        by.entry(item["rule_id"].as_str().expect("rule").to_string())
            .or_default()[k] += 1;
    }
    by
}

fn per_rule(findings: &Value) -> BTreeMap<String, u64> {
    let mut by = BTreeMap::new();
    for f in findings.as_array().expect("findings") {
        *by.entry(f["rule_id"].as_str().expect("rule").to_string())
            .or_default() += 1;
    }
    by
}

#[test]
fn populations_count_what_check_counts() {
    let (_tmp, root) = demo_repo();
    // one finding accepted inline, so every verdict appears
    let tf = root.join("infra/terraform/storage.tf");
    let text = std::fs::read_to_string(&tf).expect("storage.tf");
    let (code, check) = soclint(&root, NOW, &["check", ".", "--format", "json"]);
    assert_eq!(code, 1);
    let check: Value = serde_json::from_str(&check).expect("json");
    let first = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == "infra/terraform/storage.tf")
        .expect("a finding in storage.tf")
        .clone();
    let rule = first["rule_id"].as_str().expect("rule");
    let line = first["start_line"].as_u64().expect("line") as usize;
    let mut lines: Vec<&str> = text.lines().collect();
    let comment =
        format!("# soclint:ignore {rule} reason=\"accepted for the test\" until=2027-06-30");
    lines.insert(line - 1, &comment);
    std::fs::write(&tf, lines.join("\n") + "\n").expect("write");

    let (_, check) = soclint(&root, NOW, &["check", ".", "--format", "json"]);
    let check: Value = serde_json::from_str(&check).expect("json");
    let (code, report) = soclint(&root, NOW, &["report", ".", "--format", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&report).expect("json");
    let population = report["population"].as_array().expect("population");
    let pop = tally(population);

    // failing and accepted members are check's findings and suppressions, rule by rule
    let failed = per_rule(&check["findings"]);
    let suppressed = per_rule(&check["suppressed"]);
    assert_eq!(
        suppressed.get(rule),
        Some(&1),
        "the comment accepted one finding"
    );
    for (id, counts) in &pop {
        assert_eq!(
            counts[1],
            failed.get(id).copied().unwrap_or(0),
            "{id} failed"
        );
        assert_eq!(
            counts[3],
            suppressed.get(id).copied().unwrap_or(0),
            "{id} suppressed"
        );
    }
    for id in failed.keys().chain(suppressed.keys()) {
        assert!(pop.contains_key(id), "{id} has findings but no population");
    }
    // and the report's per-rule counts are the population's
    let mut total = 0;
    for r in report["rules"].as_array().expect("rules") {
        let id = r["id"].as_str().expect("id");
        let c = pop.get(id).copied().unwrap_or_default();
        let counts = [&r["passed"], &r["failed"], &r["skipped"], &r["suppressed"]]
            .map(|v| v.as_u64().expect("count"));
        assert_eq!(counts, c, "{id}");
        total += c.iter().sum::<u64>();
    }
    assert_eq!(total, population.len() as u64);
    assert!(pop.values().any(|c| c[0] > 0) && pop.values().any(|c| c[2] > 0));

    let accepted = population
        .iter()
        .find(|i| i["verdict"] == "suppressed")
        .expect("accepted member");
    assert_eq!(accepted["rule_id"], rule);
    assert_eq!(accepted["path"], "infra/terraform/storage.tf");
    assert_eq!(accepted["line"].as_u64(), Some(line as u64 + 1));
    assert_eq!(
        accepted["detail"],
        format!("accepted at infra/terraform/storage.tf:{line}: accepted for the test; until 2027-06-30")
    );
    let skipped = population
        .iter()
        .find(|i| i["verdict"] == "skipped")
        .expect("skipped member");
    assert!(
        skipped["detail"]
            .as_str()
            .expect("detail")
            .starts_with("a value the rule reads is not known statically"),
        "{skipped}"
    );

    // the CSV holds the same members, one row each, in the same order
    let (code, csv) = soclint(&root, NOW, &["report", ".", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("rule_id,criteria,verdict,path,line,resource,detail")
    );
    let mut reader = csv_rows(&csv);
    assert_eq!(reader.len(), population.len());
    let first_row = reader.remove(0);
    let first_item = &population[0];
    assert_eq!(first_row[0], first_item["rule_id"].as_str().expect("rule"));
    assert_eq!(
        first_row[2],
        first_item["verdict"].as_str().expect("verdict")
    );
    assert_eq!(first_row[3], first_item["path"].as_str().expect("path"));
    assert_eq!(first_row[4], first_item["line"].to_string());
}

/// The CSV's records after the header (quoted cells may hold commas).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// A resource name a spreadsheet would run as a formula is written as text.
#[test]
fn csv_cells_are_never_formulas() {
    let (_tmp, root) = demo_repo();
    std::fs::write(
        root.join("infra/terraform/formula.tf"),
        "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"=HYPERLINK(1)\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        root.join("=cmd.tf"),
        "resource \"aws_s3_bucket\" \"y\" {\n  bucket = \"y\"\n}\n",
    )
    .expect("write");
    let (code, csv) = soclint(&root, NOW, &["report", ".", "--format", "csv"]);
    assert_eq!(code, 0);
    let rows = csv_rows(&csv);
    let paths: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert!(paths.contains(&"'=cmd.tf"), "{paths:?}");
    assert!(!paths.contains(&"=cmd.tf"));
    assert!(rows
        .iter()
        .all(|r| r.iter().all(|c| !c.starts_with(['=', '+', '-', '@']))));
}

/// The recorded population is the scan's own tally rule by rule, deferred
/// rules (relations across the whole scan) included, whatever the threads.
#[test]
fn the_population_is_the_scans_tally_with_any_thread_count() {
    use soclint::evidence::population::Populations;
    use soclint::project::{scan_directory, RuleOverrides, ScanOverrides};
    let (_tmp, root) = demo_repo();
    let mut seen = Vec::new();
    for threads in [1, 4] {
        let flags = ScanOverrides {
            threads: Some(threads),
            ..ScanOverrides::default()
        };
        let prepared =
            scan_directory(&root, &RuleOverrides::default(), &flags, true).expect("scan");
        let result = &prepared.result;
        let pop = Populations::new(result, &prepared.rules);
        let mut deferred_members = 0;
        for rule in &prepared.rules.rules {
            let id = rule.meta.id.as_str();
            let stats = result.stats.get(id).copied().unwrap_or_default();
            let c = pop.counts(id);
            assert_eq!((c.passed, c.skipped), (stats.passed, stats.skipped), "{id}");
            assert_eq!(c.failed + c.suppressed, stats.failed, "{id}");
            if rule.uses_scan {
                deferred_members += c.passed + c.skipped;
            }
        }
        assert!(deferred_members > 0, "no deferred rule examined anything");
        seen.push(format!("{:?}", result.population));
    }
    assert_eq!(
        seen[0], seen[1],
        "the population depends on the thread count"
    );
}
