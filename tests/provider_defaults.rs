//! Defaults that changed with a provider version (issue 14 item 7,
//! bench/field/FAILURES.md D1): the version from `.terraform.lock.hcl`, else
//! the lowest `required_providers` admits, decides an unset attribute; an
//! unknown version makes the finding low-severity hardening.
use std::path::Path;

use soclint::config::Config;
use soclint::project::{build_rules, RuleOverrides};
use soclint::rules::Severity;
use soclint::scan::{scan, ScanOptions};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

const MAIN: &str = r#"resource "azurerm_mssql_server" "main" {
  name    = "acme-sql"
  version = "12.0"
}

resource "azurerm_storage_account" "data" {
  name = "acmedata"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
"#;

const RULES: [&str; 4] = ["AZ-SQL-004", "AZ-STG-002", "AWS-S3-002", "AWS-S3-003"];

/// (rule, line, severity, whether the message says it depends on the provider version).
fn findings(files: &[(&str, &str)]) -> Vec<(String, usize, Severity, bool)> {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), files);
    let rules = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let result = scan(&ScanOptions::for_directory(dir.path(), 0), &rules);
    let mut out: Vec<_> = result
        .findings
        .iter()
        .filter(|f| RULES.contains(&f.rule.id.as_str()))
        .map(|f| {
            (
                f.rule.id.clone(),
                f.location.start_line as usize,
                f.rule.severity,
                f.message().contains("(hardening: "),
            )
        })
        .collect();
    out.sort();
    out
}

fn f(
    rule: &str,
    line: usize,
    severity: Severity,
    hardening: bool,
) -> (String, usize, Severity, bool) {
    (rule.to_string(), line, severity, hardening)
}

const LOCK_NEW: &str = r#"provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.31.0"
  constraints = ">= 3.0.0"
}

provider "registry.terraform.io/hashicorp/azurerm" {
  version = "3.85.0"
}
"#;

const LOCK_OLD: &str = r#"provider "registry.terraform.io/hashicorp/aws" {
  version = "3.76.1"
}

provider "registry.terraform.io/hashicorp/azurerm" {
  version = "2.99.0"
}
"#;

#[test]
fn a_lock_file_with_new_providers_takes_the_new_defaults() {
    use Severity::Low;
    assert_eq!(
        findings(&[("main.tf", MAIN), (".terraform.lock.hcl", LOCK_NEW)]),
        vec![
            f("AWS-S3-002", 10, Low, true),
            f("AWS-S3-003", 10, Low, true)
        ]
    );
}

#[test]
fn a_lock_file_with_old_providers_keeps_the_old_defaults_at_full_severity() {
    use Severity::High;
    assert_eq!(
        findings(&[("main.tf", MAIN), (".terraform.lock.hcl", LOCK_OLD)]),
        vec![
            f("AWS-S3-002", 10, High, false),
            f("AWS-S3-003", 10, High, false),
            f("AZ-SQL-004", 1, High, false),
            f("AZ-STG-002", 6, High, false),
        ]
    );
}

/// The lock file's exact version wins over the constraint's lower bound.
#[test]
fn the_lock_file_wins_over_required_providers() {
    use Severity::High;
    let versions = "terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \">= 3.0.0\"\n    }\n  }\n}\n";
    let lock =
        "provider \"registry.terraform.io/hashicorp/azurerm\" {\n  version = \"2.99.0\"\n}\n";
    let found = findings(&[
        ("main.tf", MAIN),
        ("versions.tf", versions),
        (".terraform.lock.hcl", lock),
    ]);
    assert!(
        found.contains(&f("AZ-SQL-004", 1, High, false)),
        "{found:?}"
    );
    assert!(
        found.contains(&f("AZ-STG-002", 6, High, false)),
        "{found:?}"
    );
}

#[test]
fn required_providers_alone_gives_the_lowest_admitted_version() {
    use Severity::Low;
    let versions = "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n    azurerm = \"~> 3.0\"\n  }\n}\n";
    assert_eq!(
        findings(&[("main.tf", MAIN), ("versions.tf", versions)]),
        vec![
            f("AWS-S3-002", 10, Low, true),
            f("AWS-S3-003", 10, Low, true)
        ]
    );
}

#[test]
fn an_unknown_version_makes_unset_attributes_low_severity_hardening() {
    use Severity::Low;
    let found = findings(&[("main.tf", MAIN)]);
    assert_eq!(
        found,
        vec![
            f("AWS-S3-002", 10, Low, true),
            f("AWS-S3-003", 10, Low, true),
            f("AZ-SQL-004", 1, Low, true),
            f("AZ-STG-002", 6, Low, true),
        ]
    );
    // a value written in the configuration does not depend on the provider
    let explicit = MAIN.replace(
        "  version = \"12.0\"\n",
        "  version = \"12.0\"\n  minimum_tls_version = \"1.0\"\n",
    );
    assert!(findings(&[("main.tf", &explicit)]).contains(&f(
        "AZ-SQL-004",
        4,
        Severity::High,
        false
    )));
}

/// terragoat's azure configuration: `version = ">= 2.0.0"` admits azurerm
/// 2.x, whose unset TLS minimums are weak.
#[test]
fn terragoat_shaped_constraint_admits_the_old_azurerm() {
    use Severity::{High, Low};
    let provider = "terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \">= 2.0.0\"\n    }\n  }\n}\n";
    assert_eq!(
        findings(&[("main.tf", MAIN), ("provider.tf", provider)]),
        vec![
            f("AWS-S3-002", 10, Low, true),
            f("AWS-S3-003", 10, Low, true),
            f("AZ-SQL-004", 1, High, false),
            f("AZ-STG-002", 6, High, false),
        ]
    );
}

/// terragoat's actual file: the pre-0.13 `version` argument of the
/// provider block.
#[test]
fn terragoat_legacy_provider_block_version() {
    let provider = "provider \"azurerm\" {\n  subscription_id = var.subscription_id\n  version = \">= 2.0.0\"\n  features {}\n}\n";
    let found = findings(&[("main.tf", MAIN), ("provider.tf", provider)]);
    assert!(
        found.contains(&f("AZ-SQL-004", 1, Severity::High, false)),
        "{found:?}"
    );
    assert!(
        found.contains(&f("AZ-STG-002", 6, Severity::High, false)),
        "{found:?}"
    );
}

/// A module called by the root takes the root's lock file.
#[test]
fn a_called_module_takes_the_roots_lock_file() {
    let root = "module \"db\" {\n  source = \"./modules/db\"\n}\n";
    let found = findings(&[
        ("main.tf", root),
        (".terraform.lock.hcl", LOCK_NEW),
        ("modules/db/main.tf", MAIN),
    ]);
    assert!(
        !found.iter().any(|(r, ..)| r.starts_with("AZ-")),
        "{found:?}"
    );
}
