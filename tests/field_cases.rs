//! Minimal cases, in the shape of the real files, of what the field corpus
//! showed soclint getting wrong (bench/field/FAILURES.md) and that is not a
//! rule fixture: identities and fingerprints, subjects chosen across files.
use std::path::Path;

use soclint::config::Config;
use soclint::project::{build_rules, RuleOverrides};
use soclint::scan::{scan, ScanOptions};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// (rule, resource, line, fingerprint) of every finding of the built-in pack.
fn findings(dir: &Path) -> Vec<(String, String, usize, String)> {
    let rules = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let result = scan(&ScanOptions::for_directory(dir, 0), &rules);
    result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.id.clone(),
                f.resource.clone(),
                f.location.start_line,
                f.fingerprint.clone(),
            )
        })
        .collect()
}

const WORKFLOW: &str = "\
name: release
on: push
permissions: {contents: read}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Tests
        run: make test
      - id: publish
        uses: pypa/gh-action-pypi-publish@release/v1
";

/// FAILURES.md item 7 (GitHub Actions fingerprints): a step is known by its
/// `id`, `name` or `uses`, so inserting a step keeps the other steps'
/// findings (and a baseline of them) as they were.
#[test]
fn inserting_a_step_keeps_the_other_steps_fingerprints() {
    let before = tempfile::tempdir().expect("tempdir");
    write(
        before.path(),
        &[(".github/workflows/release.yml", WORKFLOW)],
    );
    let after = tempfile::tempdir().expect("tempdir");
    let inserted = WORKFLOW.replace("    steps:\n", "    steps:\n      - run: echo start\n");
    write(
        after.path(),
        &[(".github/workflows/release.yml", &inserted)],
    );
    let strip = |v: Vec<(String, String, usize, String)>| -> Vec<(String, String, String)> {
        v.into_iter().map(|(r, res, _, fp)| (r, res, fp)).collect()
    };
    let old = strip(findings(before.path()));
    let new = strip(findings(after.path()));
    let addresses: Vec<&str> = old.iter().map(|(_, r, _)| r.as_str()).collect();
    assert!(
        addresses.contains(&"jobs.build.steps[actions/checkout@v4]")
            && addresses.contains(&"jobs.build.steps[publish]"),
        "{old:?}"
    );
    for f in &old {
        assert!(
            new.contains(f),
            "{f:?} changed when a step was inserted: {new:?}"
        );
    }
}
