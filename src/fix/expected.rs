//! A rule's fix checked on its fixture (`soclint test` and the pack's own
//! tests): the fixes of the rule's findings in `fail/`, applied, give the
//! files of `fixed/` byte for byte (each file the fixes change, and no
//! other), and scanning the fixed text no longer finds what was fixed. A
//! suggestion is applied for the comparison (its placeholder shows in the
//! expected text) but not expected to pass: a person fills it in.
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{apply, for_finding, unified_diff, Fix};
use crate::finding::ScanResult;
use crate::parse::Overlay;
use crate::rules::{Fix as RuleFix, RuleSet};
use crate::scan::{scan, ScanOptions};

/// Where a rule's expected fixed text lives, beside `fail/` and `pass/`.
pub const FIXED_DIR: &str = "fixed";

/// Checks `fix`, the fix of rule `id`, on the `fail/` case scanned as
/// `result` with `opts`, against the files of `fixed`. The number of
/// findings fixed, or what differs.
pub fn check_case(
    rules: &RuleSet,
    id: &str,
    fix: &RuleFix,
    opts: &ScanOptions,
    result: &ScanResult,
    fail: &Path,
    fixed: &Path,
) -> Result<usize, Vec<String>> {
    let mut problems = Vec::new();
    // (path as reported) → (text before, fixes, (resource) fixed)
    let mut files: BTreeMap<&str, (String, Vec<Fix>, Vec<&str>)> = BTreeMap::new();
    for f in result.findings.iter().filter(|f| f.rule.id == id) {
        let Ok(text) = std::fs::read_to_string(fail.join(&*f.path)) else {
            continue;
        };
        let entry = files
            .entry(&*f.path)
            .or_insert_with(|| (text, Vec::new(), Vec::new()));
        if let Some(fx) = for_finding(f, fix, &entry.0) {
            if !fx.suggestion {
                entry.2.push(&*f.resource);
            }
            entry.1.push(fx);
        }
    }
    let mut count = 0;
    let mut overlay = std::collections::HashMap::new();
    let mut changed = std::collections::BTreeSet::new();
    for (rel, (old, fixes, _)) in &files {
        if fixes.is_empty() {
            continue;
        }
        let applied = apply(old, fixes);
        count += applied.applied.len();
        changed.insert(rel.to_string());
        match std::fs::read_to_string(fixed.join(rel)) {
            Ok(want) if want == applied.text => {}
            Ok(want) => problems.push(format!(
                "fixed/{rel} differs from the fixed text (- expected, + fixed):\n{}",
                unified_diff(rel, &want, &applied.text)
            )),
            Err(_) => problems.push(format!(
                "fixed/{rel} is missing; the fix changes fail/{rel} to:\n{}",
                applied.text
            )),
        }
        overlay.insert(fail.join(rel), Arc::from(applied.text.as_str()));
    }
    for entry in walkdir::WalkDir::new(fixed).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(fixed)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if !changed.contains(&rel) {
            problems.push(format!("fixed/{rel}: the fix does not change fail/{rel}"));
        }
    }
    if count == 0 {
        problems.push("the fix changes nothing in the fail case".into());
    }
    if !overlay.is_empty() {
        let mut again = opts.clone();
        again.parse.overlay = Overlay::new(overlay);
        let after = scan(&again, rules);
        for e in &after.errors {
            if changed.contains(&e.path) {
                problems.push(format!("fixed/{}: does not parse: {}", e.path, e.message));
            }
        }
        for f in after.findings.iter().filter(|f| f.rule.id == id) {
            let fixed_here = files
                .get(&*f.path)
                .is_some_and(|(_, _, res)| res.contains(&&*f.resource));
            if fixed_here {
                problems.push(format!(
                    "fixed/{}:{}: still fails the rule after its fix",
                    f.path, f.location.start_line
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(problems)
    }
}
