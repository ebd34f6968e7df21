//! Baselines: the accepted findings of a moment, by fingerprint (never by line),
//! so `check --baseline` reports only what is new and lists what was fixed;
//! and the accepted coverage gaps (files that did not parse or were not
//! scanned), by path and kind.
use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::finding::{BaselineEntry, Finding, ScanResult};
use crate::unscanned::{Gap, Status};

pub const FILE_NAME: &str = ".soclint-baseline.json";

/// The version written: 2 since fingerprints are SHA-256. Version 1 files
/// hold FNV-1a fingerprints: still read, their entries matched by the
/// fingerprint that version computed (and by rule, path and resource), until
/// `soclint baseline` rewrites them.
pub const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
    /// Files that did not parse or were not scanned, accepted as they are
    /// (by path and kind: a file that stays unparsable stays accepted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unscanned: Vec<GapEntry>,
}

/// A coverage gap in the baseline.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapEntry {
    pub path: String,
    /// `parse-error` or a skip reason (`too-large`, `symlink`, …).
    pub kind: String,
}

pub fn entry(f: &Finding) -> BaselineEntry {
    BaselineEntry {
        fingerprint: f.fingerprint.to_string(),
        rule_id: f.rule.id.clone(),
        path: f.path.to_string(),
        resource: f.resource.to_string(),
        message: f.message().into_owned(),
    }
}

/// The coverage gaps of a scan that a baseline records: those that fail the
/// run or warn (a waived or ignored one needs no entry).
pub fn gaps(result: &ScanResult) -> Vec<GapEntry> {
    let errors = result
        .errors
        .iter()
        .filter(|e| e.status.listed())
        .map(|e| (&*e.path, Gap::ParseError));
    let skipped = result
        .skipped
        .iter()
        .filter(|s| s.status.listed())
        .map(|s| (&*s.path, s.gap()));
    let mut out: Vec<GapEntry> = errors
        .chain(skipped)
        .map(|(path, gap)| GapEntry {
            path: path.to_string(),
            kind: gap.id().to_string(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Marks the gaps the baseline lists as baselined; returns its gap entries
/// that nothing matched (in scope), as fixed entries (`rule_id` is
/// `unscanned:KIND`).
pub fn apply_gaps(
    result: &mut ScanResult,
    baseline: &Baseline,
    in_scope: impl Fn(&str) -> bool,
) -> Vec<BaselineEntry> {
    let mut matched = vec![false; baseline.unscanned.len()];
    let mut accept = |path: &str, gap: Gap, status: &mut Status| {
        if !status.listed() {
            return;
        }
        if let Some(i) = baseline
            .unscanned
            .iter()
            .position(|e| e.path == path && e.kind == gap.id())
        {
            matched[i] = true;
            *status = Status::Baselined;
        }
    };
    for e in &mut result.errors {
        accept(&e.path, Gap::ParseError, &mut e.status);
    }
    for s in &mut result.skipped {
        accept(&s.path, s.gap(), &mut s.status);
    }
    baseline
        .unscanned
        .iter()
        .zip(matched)
        .filter(|(e, m)| !m && in_scope(&e.path))
        .map(|(e, _)| BaselineEntry {
            fingerprint: String::new(),
            rule_id: format!("unscanned:{}", e.kind),
            path: e.path.clone(),
            resource: String::new(),
            message: "no longer a file that is not scanned".into(),
        })
        .collect()
}

/// What a finding's baseline entry holds as its fingerprint: its own, or
/// for a version 1 baseline the old one.
fn match_key<'a>(
    f: &'a Finding,
    legacy: Option<&'a HashMap<String, String>>,
) -> Option<Cow<'a, str>> {
    let Some(legacy) = legacy else {
        return Some(Cow::Owned(f.fingerprint.to_string()));
    };
    // `-N` marks the Nth finding with one fingerprint: the same findings
    // repeat under the old one, in the same order
    let old = legacy.get(&f.fingerprint.first().to_string())?;
    Some(match f.fingerprint.occurrence() {
        Some(n) => Cow::Owned(format!("{old}-{n}")),
        None => Cow::Borrowed(old.as_str()),
    })
}

/// The baseline file for these findings and gaps: sorted by path, rule,
/// resource and fingerprint, one key per line, so a change shows as a small
/// diff.
pub fn render(findings: &[Finding], gaps: Vec<GapEntry>) -> String {
    let mut entries: Vec<BaselineEntry> = findings.iter().map(entry).collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule_id, &a.resource, &a.fingerprint).cmp(&(
            &b.path,
            &b.rule_id,
            &b.resource,
            &b.fingerprint,
        ))
    });
    let b = Baseline {
        version: VERSION,
        findings: entries,
        unscanned: gaps,
    };
    serde_json::to_string_pretty(&b).unwrap_or_default() + "\n"
}

pub fn parse(text: &str) -> Result<Baseline, String> {
    let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if !(1..=VERSION).contains(&b.version) {
        return Err(format!("baseline version {} is not supported", b.version));
    }
    Ok(b)
}

impl Baseline {
    /// A version 1 baseline: its fingerprints are FNV-1a, so a run matching
    /// it computes each finding's old fingerprint too.
    pub fn legacy(&self) -> bool {
        self.version == 1
    }
}

/// Drops the findings the baseline lists (each entry accounts for one
/// finding); returns how many were dropped and the entries nothing matched.
/// A version 1 baseline's entries are matched by each finding's old
/// fingerprint (`legacy`: fingerprint → old fingerprint, without the `-N`
/// of a repeated one) and must name the finding's rule, path and resource:
/// FNV-1a is no obstacle to a crafted collision, so the old fingerprint only
/// tells apart findings of one rule on one resource.
pub fn apply(
    findings: &mut Vec<Finding>,
    baseline: &Baseline,
    legacy: &HashMap<String, String>,
    in_scope: impl Fn(&str) -> bool,
) -> (usize, Vec<BaselineEntry>) {
    let mut remaining: HashMap<&str, Vec<&BaselineEntry>> = HashMap::new();
    for e in &baseline.findings {
        remaining.entry(&e.fingerprint).or_default().push(e);
    }
    let legacy = baseline.legacy().then_some(legacy);
    let before = findings.len();
    findings.retain(|f| {
        let list = match_key(f, legacy).and_then(|k| remaining.get_mut(k.as_ref()));
        match list {
            Some(list) => match list.iter().rposition(|e| {
                e.rule_id == f.rule.id && *e.path == *f.path && *e.resource == *f.resource
            }) {
                Some(i) => {
                    list.remove(i);
                    false
                }
                None => true,
            },
            None => true,
        }
    });
    let mut fixed: Vec<BaselineEntry> = remaining
        .into_values()
        .flatten()
        .filter(|e| in_scope(&e.path))
        .cloned()
        .collect();
    fixed.sort();
    (before - findings.len(), fixed)
}
