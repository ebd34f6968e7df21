//! A scan loads only the built-in rule files of the targets its files can
//! yield (start-up). These tests pin that nothing is lost by it: every
//! built-in file holds rules of its directory's target only, and on every
//! fixture the findings are those of the whole pack.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use soclint::config::Config;
use soclint::discover::targets_of;
use soclint::project::RuleOverrides;
use soclint::project::{build_rules, build_rules_for};
use soclint::rules::{builtin_files, builtin_target, load_file, Target};
use soclint::scan::{discover, scan_found, ScanOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn every_builtin_file_holds_rules_of_its_directory_target() {
    let mut seen = BTreeSet::new();
    for (name, text) in builtin_files() {
        let target = builtin_target(name).unwrap_or_else(|| panic!("{name}: no target dir"));
        seen.insert(target);
        let rules = load_file(name, text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        for r in rules {
            assert_eq!(r.meta.target, target, "{} in {name}", r.meta.id);
        }
    }
    assert_eq!(
        seen.len(),
        Target::ALL.len(),
        "a target has no built-in file"
    );
}

fn options(dir: &Path) -> ScanOptions {
    let today = soclint::rules::eval::parse_date("2026-11-25").expect("date");
    ScanOptions::for_directory(dir, today)
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![fixtures().join("demo")];
    for target in std::fs::read_dir(fixtures()).expect("fixtures") {
        let target = target.expect("entry").path();
        for rule in std::fs::read_dir(&target).into_iter().flatten() {
            let rule = rule.expect("entry").path();
            for case in ["fail", "pass"] {
                if rule.join(case).is_dir() {
                    dirs.push(rule.join(case));
                }
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn loading_rules_by_target_finds_what_the_whole_pack_finds() {
    let args = RuleOverrides::default();
    let config = Config::default();
    let all = build_rules(&args, &config, None, true).unwrap_or_else(|_| panic!("pack loads"));
    let key = |r: &soclint::finding::ScanResult| -> Vec<String> {
        r.findings
            .iter()
            .map(|f| {
                let l = &f.location;
                format!(
                    "{} {}:{}:{}",
                    f.rule.id, f.path, l.start_line, l.start_column
                )
            })
            .collect()
    };
    let mut dirs = case_dirs();
    assert!(dirs.len() > 400, "only {} fixture dirs", dirs.len());
    // IAM statements written in Terraform, with no other IAM file around
    let tf_only = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tf_only.path().join("iam.tf"),
        r#"resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"#,
    )
    .expect("write");
    dirs.push(tf_only.path().to_path_buf());
    let mut fewer = 0;
    let mut sets = std::collections::HashMap::new();
    for dir in dirs {
        let opts = options(&dir);
        let found = discover(&opts);
        let targets = targets_of(&found.files);
        let some = sets.entry(targets.clone()).or_insert_with(|| {
            build_rules_for(&args, &config, None, &targets).unwrap_or_else(|_| panic!("pack loads"))
        });
        if some.rules.len() < all.rules.len() {
            fewer += 1;
        }
        let lazy = scan_found(&opts, some, found);
        let whole = scan_found(&opts, &all, discover(&opts));
        assert_eq!(key(&lazy), key(&whole), "{}", dir.display());
        if dir == tf_only.path() {
            assert!(key(&lazy)
                .iter()
                .any(|k| k.starts_with("IAM-ADMIN-001 iam.tf:")));
        }
        assert!(!lazy.findings.is_empty() || !whole.findings.is_empty() || dir.ends_with("pass"));
    }
    assert!(
        fewer > 400,
        "loading by target left out rules in only {fewer} dirs"
    );
}

fn soclint() -> Command {
    let mut cmd = Command::cargo_bin("soclint").expect("binary built");
    cmd.env("SOCLINT_TODAY", "2026-11-25").env("NO_COLOR", "1");
    cmd
}

fn rules_evaluated(dir: &Path) -> u64 {
    let out = soclint()
        .args(["check", "--format", "json", "--fail-on", "never"])
        .arg(dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["summary"]["rules_evaluated"]
        .as_u64()
        .expect("rules_evaluated")
}

#[test]
fn check_counts_the_rules_of_the_targets_present() {
    let all = build_rules(&RuleOverrides::default(), &Config::default(), None, true)
        .unwrap_or_else(|_| panic!("pack loads"));
    let count = |targets: &[Target]| {
        all.rules
            .iter()
            .filter(|r| targets.contains(&r.meta.target))
            .count() as u64
    };
    let empty = tempfile::tempdir().expect("tempdir");
    assert_eq!(rules_evaluated(empty.path()), count(&[Target::Repository]));

    let docker = tempfile::tempdir().expect("tempdir");
    std::fs::write(docker.path().join("Dockerfile"), "FROM alpine:3.20\n").expect("write");
    assert_eq!(
        rules_evaluated(docker.path()),
        count(&[Target::Dockerfile, Target::Repository])
    );

    // a .tf file brings the IAM rules (policies written in Terraform)
    let tf = tempfile::tempdir().expect("tempdir");
    std::fs::write(tf.path().join("main.tf"), "locals {}\n").expect("write");
    assert_eq!(
        rules_evaluated(tf.path()),
        count(&[Target::Terraform, Target::Iam, Target::Repository])
    );
    // the demo's soclint.toml sets `policy-paths`: the required-policy rules run too
    let with_policies = Config {
        policy_paths: Some(vec!["docs/policies".into()]),
        ..Config::default()
    };
    let demo_rules = build_rules(&RuleOverrides::default(), &with_policies, None, true)
        .unwrap_or_else(|_| panic!("pack loads"));
    assert!(demo_rules.rules.len() > all.rules.len());
    assert_eq!(
        rules_evaluated(&fixtures().join("demo")),
        demo_rules.rules.len() as u64
    );
}
