//! Baselines: the accepted findings of a moment, by fingerprint (never by line),
//! so `check --baseline` reports only what is new and lists what was fixed.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::finding::{BaselineEntry, Finding};

pub const FILE_NAME: &str = ".soclint-baseline.json";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

pub fn entry(f: &Finding) -> BaselineEntry {
    BaselineEntry {
        fingerprint: f.fingerprint.clone(),
        rule_id: f.rule.id.clone(),
        path: f.path.clone(),
        resource: f.resource.clone(),
        message: f.message.clone(),
    }
}

/// The baseline file for these findings: sorted by path, rule, resource and
/// fingerprint, one key per line, so a change shows as a small diff.
pub fn render(findings: &[Finding]) -> String {
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
        version: 1,
        findings: entries,
    };
    serde_json::to_string_pretty(&b).unwrap_or_default() + "\n"
}

pub fn parse(text: &str) -> Result<Baseline, String> {
    let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if b.version != 1 {
        return Err(format!("baseline version {} is not supported", b.version));
    }
    Ok(b)
}

/// Drops the findings the baseline lists (each entry accounts for one
/// finding); returns how many were dropped and the entries nothing matched.
pub fn apply(
    findings: &mut Vec<Finding>,
    baseline: &Baseline,
    in_scope: impl Fn(&str) -> bool,
) -> (usize, Vec<BaselineEntry>) {
    let mut remaining: HashMap<&str, Vec<&BaselineEntry>> = HashMap::new();
    for e in &baseline.findings {
        remaining.entry(&e.fingerprint).or_default().push(e);
    }
    let before = findings.len();
    findings.retain(|f| match remaining.get_mut(f.fingerprint.as_str()) {
        Some(list) if !list.is_empty() => {
            list.pop();
            false
        }
        _ => true,
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
