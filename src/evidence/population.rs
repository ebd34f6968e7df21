//! Populations: for each rule, every resource it examined with its verdict
//! (passed, failed, skipped with the reason, suppressed with the
//! justification), so an auditor can sample from it. Passing and skipped
//! evaluations come from the scan's record, failing ones are the findings and
//! suppressed ones the accepted findings, so the counts are the `check`
//! verdicts by construction. Items are produced rule by rule and written as
//! they are made (CSV, JSON): nothing holds the whole population as text.
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;

use serde::Serialize;

use crate::finding::{Evaluation, Finding, Role, ScanResult};
use crate::rules::RuleSet;

/// A finding's resource as the passing evaluations name it: by the file the
/// resource is in (its landing site when the finding moved to where the
/// value was set), so one resource is not counted twice.
fn resource_key(f: &Finding) -> (&str, &str) {
    let path = f
        .related
        .iter()
        .find(|s| s.role == Role::Landing)
        .map_or(&*f.path, |s| &*s.path);
    (path, &*f.resource)
}

/// Why a skipped evaluation has no verdict.
pub const SKIP_REASON: &str =
    "a value the rule reads is not known statically (an expression, a reference, a data source)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Skipped,
    Suppressed,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skipped => "skipped",
            Verdict::Suppressed => "suppressed",
        }
    }
}

/// One member of a rule's population.
#[derive(Debug, Clone, Serialize)]
pub struct Item<'a> {
    pub rule_id: &'a str,
    pub verdict: Verdict,
    pub path: &'a str,
    pub line: usize,
    pub resource: &'a str,
    /// The finding's message, the skip reason, or the accepted exception.
    pub detail: Cow<'a, str>,
}

/// Per-rule counts of a population.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    /// Distinct resources (file and address) examined.
    pub resources: usize,
}

/// The populations of one scan, indexed for rule-by-rule access.
pub struct Populations<'a> {
    /// Rule ids in report order: the rule set's, then rules that only have
    /// findings (the suppression meta-rules).
    pub rule_ids: Vec<&'a str>,
    records: HashMap<&'a str, &'a [Evaluation]>,
    findings: HashMap<&'a str, Vec<&'a Finding>>,
    suppressed: HashMap<&'a str, Vec<&'a Finding>>,
}

impl<'a> Populations<'a> {
    pub fn new(result: &'a ScanResult, rules: &'a RuleSet) -> Self {
        let mut rule_ids: Vec<&str> = rules.rules.iter().map(|r| r.meta.id.as_str()).collect();
        let mut records: HashMap<&str, &[Evaluation]> = HashMap::new();
        // the record is sorted by rule index: one slice per rule
        let mut start = 0;
        let pop = &result.population;
        while start < pop.len() {
            let ri = pop[start].rule;
            let end = start + pop[start..].partition_point(|e| e.rule == ri);
            if let Some(r) = rules.rules.get(ri as usize) {
                records.insert(r.meta.id.as_str(), &pop[start..end]);
            }
            start = end;
        }
        let mut findings: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &result.findings {
            findings.entry(f.rule.id.as_str()).or_default().push(f);
        }
        let mut suppressed: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &result.suppressed {
            suppressed.entry(f.rule.id.as_str()).or_default().push(f);
        }
        let known: HashSet<&str> = rule_ids.iter().copied().collect();
        let mut extra: Vec<&str> = findings
            .keys()
            .chain(suppressed.keys())
            .copied()
            .filter(|id| !known.contains(id))
            .collect();
        extra.sort_unstable();
        extra.dedup();
        rule_ids.extend(extra);
        Populations {
            rule_ids,
            records,
            findings,
            suppressed,
        }
    }

    pub fn findings(&self, rule: &str) -> &[&'a Finding] {
        self.findings.get(rule).map_or(&[], Vec::as_slice)
    }

    pub fn suppressed(&self, rule: &str) -> &[&'a Finding] {
        self.suppressed.get(rule).map_or(&[], Vec::as_slice)
    }

    /// The rule's counts and distinct resources.
    pub fn counts(&self, rule: &str) -> Counts {
        let records = self.records.get(rule).copied().unwrap_or(&[]);
        let mut c = Counts::default();
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for e in records {
            if e.skipped {
                c.skipped += 1;
            } else {
                c.passed += 1;
            }
            seen.insert((&e.path, &e.resource));
        }
        for f in self.findings(rule) {
            c.failed += 1;
            seen.insert(resource_key(f));
        }
        for f in self.suppressed(rule) {
            c.suppressed += 1;
            seen.insert(resource_key(f));
        }
        c.resources = seen.len();
        c
    }

    /// Distinct resources examined by any of `rules`.
    pub fn resources_of(&self, rules: &[&str]) -> usize {
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for r in rules {
            for e in self.records.get(r).copied().unwrap_or(&[]) {
                seen.insert((&e.path, &e.resource));
            }
            for f in self.findings(r).iter().chain(self.suppressed(r)) {
                seen.insert(resource_key(f));
            }
        }
        seen.len()
    }

    /// Every member of the rule's population, sorted by path, line, resource
    /// and verdict (then record, finding, accepted finding, in their order),
    /// each made as it is taken: only the order is held.
    pub fn items(&self, rule: &'a str) -> impl Iterator<Item = Item<'a>> + '_ {
        let mut keys = self.keys(rule);
        keys.sort_unstable();
        keys.into_iter().map(move |k| self.item(rule, k.4))
    }

    /// The first `n` members of [`Self::items`], without ordering the rest.
    pub fn first_items(&self, rule: &'a str, n: usize) -> Vec<Item<'a>> {
        let mut keys = self.keys(rule);
        if keys.len() > n {
            keys.select_nth_unstable(n);
            keys.truncate(n);
        }
        keys.sort_unstable();
        keys.into_iter().map(|k| self.item(rule, k.4)).collect()
    }

    /// Each member's sort key and where it comes from (the keys are unique:
    /// the source is part of them).
    fn keys(&self, rule: &str) -> Vec<Key<'a>> {
        let records = self.records.get(rule).copied().unwrap_or(&[]);
        let findings = self.findings(rule);
        let suppressed = self.suppressed(rule);
        let mut keys = Vec::with_capacity(records.len() + findings.len() + suppressed.len());
        for (i, e) in records.iter().enumerate() {
            let verdict = if e.skipped {
                Verdict::Skipped
            } else {
                Verdict::Pass
            };
            keys.push((
                &*e.path,
                e.line as usize,
                &*e.resource,
                verdict,
                Source::Record(i),
            ));
        }
        for (i, f) in findings.iter().enumerate() {
            let (path, line, resource) = (&f.path, f.location.start_line as usize, &f.resource);
            keys.push((
                &**path,
                line,
                &**resource,
                Verdict::Fail,
                Source::Finding(i),
            ));
        }
        for (i, f) in suppressed.iter().enumerate() {
            let (path, line, resource) = (&f.path, f.location.start_line as usize, &f.resource);
            let source = Source::Suppressed(i);
            keys.push((&**path, line, &**resource, Verdict::Suppressed, source));
        }
        keys
    }

    fn item(&self, rule: &'a str, source: Source) -> Item<'a> {
        match source {
            Source::Record(i) => {
                let e = &self.records[rule][i];
                Item {
                    rule_id: rule,
                    verdict: if e.skipped {
                        Verdict::Skipped
                    } else {
                        Verdict::Pass
                    },
                    path: &e.path,
                    line: e.line as usize,
                    resource: &e.resource,
                    detail: Cow::Borrowed(if e.skipped { SKIP_REASON } else { "" }),
                }
            }
            Source::Finding(i) => {
                let f = self.findings[rule][i];
                Item {
                    rule_id: rule,
                    verdict: Verdict::Fail,
                    path: &f.path,
                    line: f.location.start_line as usize,
                    resource: &f.resource,
                    detail: f.message(),
                }
            }
            Source::Suppressed(i) => {
                let f = self.suppressed[rule][i];
                let detail = f
                    .suppression
                    .as_deref()
                    .map(|s| {
                        let mut d = format!("accepted at {}: {}", s.location, s.justification);
                        for (k, v) in [
                            ("owner", &s.owner),
                            ("ticket", &s.ticket),
                            ("until", &s.expires),
                        ] {
                            if let Some(v) = v {
                                d.push_str(&format!("; {k} {v}"));
                            }
                        }
                        d
                    })
                    .unwrap_or_default();
                Item {
                    rule_id: rule,
                    verdict: Verdict::Suppressed,
                    path: &f.path,
                    line: f.location.start_line as usize,
                    resource: &f.resource,
                    detail: Cow::Owned(detail),
                }
            }
        }
    }
}

/// Where a population member comes from: the scan's record of passing and
/// skipped evaluations, the findings, or the accepted findings (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Record(usize),
    Finding(usize),
    Suppressed(usize),
}

/// (path, line, resource, verdict, source): a member's place in the order.
type Key<'a> = (&'a str, usize, &'a str, Verdict, Source);

/// The populations as CSV, one row per evaluation: `rule_id, criteria,
/// verdict, path, line, resource, detail`. Cells that a spreadsheet would
/// read as a formula are quoted as text ([`crate::escape::csv_cell`]).
pub fn write_csv(
    pop: &Populations,
    criteria_of: &dyn Fn(&str) -> String,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, w));
    let fail = |e: csv::Error| std::io::Error::other(e.to_string());
    out.write_record([
        "rule_id", "criteria", "verdict", "path", "line", "resource", "detail",
    ])
    .map_err(fail)?;
    for &rule in &pop.rule_ids {
        let criteria = criteria_of(rule);
        for item in pop.items(rule) {
            let line = item.line.to_string();
            out.write_record([
                crate::escape::csv_cell(rule).as_ref(),
                criteria.as_str(),
                item.verdict.name(),
                crate::escape::csv_cell(item.path).as_ref(),
                line.as_str(),
                crate::escape::csv_cell(item.resource).as_ref(),
                crate::escape::csv_cell(&item.detail).as_ref(),
            ])
            .map_err(fail)?;
        }
    }
    out.flush()
}

/// The populations as the members of a JSON array, one object per line
/// (`indent` spaces before each), written as they are made.
pub fn write_json_items(
    pop: &Populations,
    indent: usize,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let pad = " ".repeat(indent);
    let mut first = true;
    for &rule in &pop.rule_ids {
        for item in pop.items(rule) {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            w.write_all(pad.as_bytes())?;
            serde_json::to_writer(&mut *w, &item).map_err(std::io::Error::other)?;
        }
    }
    Ok(())
}
