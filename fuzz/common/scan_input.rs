//! The whole file-to-findings path for one fuzz input, shared by the
//! `scan_file` fuzz target and `tests/fuzz_regressions.rs` (both include this
//! file with `#[path]`, so the regression tests run exactly what was fuzzed).
//!
//! Input layout: the first byte picks a file name (and with it the file kind
//! the scanner infers); the remaining bytes are the file content, written
//! unchanged (invalid UTF-8 and NUL bytes included) into an empty directory
//! that is then scanned with every built-in rule and rendered in every
//! output format.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use soclint::config::Config;
use soclint::finding::ScanResult;
use soclint::project::build_rules;
use soclint::project::RuleOverrides;
use soclint::rules::RuleSet;
use soclint::scan::{scan, ScanOptions};

/// File names by first input byte (modulo the length). Generic YAML/JSON
/// names are classified by content (Kubernetes, CloudFormation, IAM, ...).
pub const NAMES: &[&str] = &[
    "main.tf",
    "main.tf.json",
    "Dockerfile",
    ".github/workflows/ci.yml",
    "action.yml",
    "docker-compose.yml",
    "k8s/deploy.yaml",
    "template.json",
    "stack.template",
    "docs/policies/access.md",
    "Containerfile",
    "policy.json",
];

/// The name the first byte selects, and the content.
pub fn split(data: &[u8]) -> Option<(&'static str, &[u8])> {
    let (&first, content) = data.split_first()?;
    Some((NAMES[first as usize % NAMES.len()], content))
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        build_rules(&RuleOverrides::default(), &Config::default(), None, false)
            .unwrap_or_else(|_| panic!("built-in rules load"))
    })
}

/// Scans `content` as the only file `name` under a fresh directory in `base`,
/// renders every report format, and returns the scan result.
pub fn scan_one(base: &Path, name: &str, content: &[u8]) -> ScanResult {
    let dir: PathBuf = tempfile::tempdir_in(base).expect("tempdir").keep();
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, content).expect("write");
    let mut opts = ScanOptions::for_directory(&dir, 20_000);
    opts.eval.keep_texts = true;
    let result = scan(&opts, rules());
    let ctx = soclint::report::Context {
        show_suppressed: true,
        link_base: None,
        frameworks: vec![soclint::frameworks::Framework::Iso27001],
        ..Default::default()
    };
    let _ = soclint::report::json::render(&result);
    let _ = soclint::report::compact::render(&result, &ctx);
    let _ = soclint::report::sarif::render(&result);
    let _ = soclint::report::github::render(&result, &ctx);
    let _ = soclint::report::junit::render(&result, &ctx);
    let _ = soclint::report::markdown::render(&result, &ctx);
    let _ = soclint::report::human::render(
        &result,
        &soclint::report::human::Style {
            verbose: true,
            statistics: true,
            ..soclint::report::human::Style::default()
        },
        &ctx,
    );
    let _ = std::fs::remove_dir_all(&dir);
    result
}
