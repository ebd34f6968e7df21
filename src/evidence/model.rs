//! The evidence model: everything the report says, computed once from a scan
//! and the rule set. Renderers (HTML, Markdown, JSON) are pure functions of it.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::git::GitInfo;
use super::hash::sha256_hex;
use super::history::{Entry, HistoryView};
pub use super::status::Status;
use super::time::{format_date, format_utc};
use crate::finding::ScanResult;
use crate::rules::criteria::{self, Category, Evidence as StaticEvidence};
use crate::rules::{RuleSet, Severity};

/// Exceptions expiring within this many days are highlighted.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// How far this repository's files evidence a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// Technical settings in the files evidence it directly.
    Direct,
    /// The files give supporting or documentary evidence only.
    Supporting,
    /// Statically testable, but no rule evaluated anything here.
    NotEvidenced,
    /// Out of reach of static analysis: other evidence is needed.
    OutOfReach,
}

impl Coverage {
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Direct => "Evidenced directly by this repository's files",
            Coverage::Supporting => "Supporting evidence only (operating evidence still needed)",
            Coverage::NotEvidenced => "Testable, but nothing in this repository was checked",
            Coverage::OutOfReach => "Out of reach of static analysis (needs other evidence)",
        }
    }
    pub const ALL: [Coverage; 4] = [
        Coverage::Direct,
        Coverage::Supporting,
        Coverage::NotEvidenced,
        Coverage::OutOfReach,
    ];
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub scanned_path: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub scan_time: String,
    pub today: String,
    pub soclint_version: &'static str,
    /// SHA-256 over the active rules' ids and TOML definitions as written.
    pub ruleset_hash: String,
    pub rules_active: usize,
    pub categories: Vec<Category>,
    pub files_scanned: usize,
    pub resources: usize,
    pub parse_errors: usize,
    /// Files skipped (see [`Evidence::not_scanned`]).
    pub not_scanned: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleEvidence {
    pub id: String,
    pub title: String,
    /// The rule is from the built-in pack: its text is soclint's own, and the
    /// Markdown report keeps its formatting (a repository's rule text is
    /// escaped like any other text from the repository).
    #[serde(skip)]
    pub builtin: bool,
    pub severity: Severity,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub resources_checked: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingEvidence {
    pub rule_id: String,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub resource: String,
    pub message: String,
    pub remediation: String,
    /// As [`RuleEvidence::builtin`], for the remediation.
    #[serde(skip)]
    pub builtin: bool,
}

/// A suppression or waiver (from inline comments or config once issue #4
/// lands; see `exceptions_from`).
#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    pub rule_id: String,
    pub criteria: Vec<String>,
    pub path: Option<String>,
    pub line: Option<usize>,
    pub resource: Option<String>,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    pub expired: bool,
    /// Expires within `EXPIRY_WARNING_DAYS` days.
    pub expiring_soon: bool,
}

/// A file the scan did not check, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotScanned {
    pub path: String,
    /// `parse-error` or a skip reason's id (`too-large`, `symlink`, …).
    pub kind: &'static str,
    /// The kind in words.
    pub what: &'static str,
    pub detail: String,
    /// `error`, `warning`, `ignored`, `waived` or `baselined`.
    pub status: &'static str,
}

/// Parse errors, then skipped files, as the evidence report lists them.
fn not_scanned(result: &ScanResult) -> Vec<NotScanned> {
    let errors = result.errors.iter().map(|e| NotScanned {
        path: e.path.clone(),
        kind: "parse-error",
        what: "could not be parsed",
        detail: format!("{}:{}: {}", e.line, e.column, e.message),
        status: e.status.name(),
    });
    let skipped = result.skipped.iter().map(|s| NotScanned {
        path: s.path.clone(),
        kind: s.reason.id(),
        what: s.reason.what(),
        detail: s.detail.clone(),
        status: s.status.name(),
    });
    errors.chain(skipped).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionEvidence {
    pub id: &'static str,
    pub family: &'static str,
    pub area: &'static str,
    pub title: &'static str,
    pub category: Category,
    pub static_evidence: StaticEvidence,
    pub rules: Vec<RuleEvidence>,
    /// Distinct resources any of its rules evaluated.
    pub resources_checked: usize,
    pub passed: usize,
    /// Unsuppressed findings.
    pub failed: usize,
    /// Evaluations whose values were not known statically.
    pub skipped: usize,
    /// Indices into `Evidence::exceptions`.
    pub suppressed: Vec<usize>,
    pub status: Status,
    pub coverage: Coverage,
    pub findings: Vec<FindingEvidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilySummary {
    pub family: &'static str,
    pub area: &'static str,
    pub criteria: usize,
    pub passing: usize,
    pub failing: usize,
    pub not_evidenced: usize,
    pub passed: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub criteria: usize,
    pub passing: usize,
    pub failing: usize,
    pub not_evidenced: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    pub findings: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub header: Header,
    pub totals: Totals,
    pub families: Vec<FamilySummary>,
    pub criteria: Vec<CriterionEvidence>,
    pub exceptions: Vec<Exception>,
    /// Files that did not parse or were skipped: evidence the scan could not
    /// see (the coverage section lists them).
    pub not_scanned: Vec<NotScanned>,
    /// Prefix that turns a finding's path into a link relative to the report.
    pub link_base: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryView>,
}

impl Evidence {
    /// This run as one line of the history file.
    pub fn history_entry(&self) -> Entry {
        Entry {
            time: self.header.scan_time.clone(),
            commit: self.header.commit.clone(),
            branch: self.header.branch.clone(),
            ruleset: self.header.ruleset_hash.clone(),
            criteria: self
                .criteria
                .iter()
                .map(|c| (c.id.to_string(), [c.passed, c.failed]))
                .collect(),
        }
    }
}

/// What `build` needs besides the scan.
pub struct Inputs<'a> {
    pub result: &'a ScanResult,
    pub rules: &'a RuleSet,
    /// Categories from config; security is added.
    pub categories: &'a [Category],
    pub git: GitInfo,
    /// Seconds since the epoch.
    pub scan_time: i64,
    /// Days since the epoch.
    pub today: i64,
    pub scanned_path: String,
    pub link_base: String,
    pub exceptions: Vec<Exception>,
}

/// The criterion family (`CC6`, `A1`, `PI1`, `P`) a criterion belongs to.
pub fn family_of(id: &'static str) -> &'static str {
    if id.starts_with('P') && !id.starts_with("PI") {
        return "P";
    }
    id.split_once('.').map(|(f, _)| f).unwrap_or(id)
}

/// SHA-256 over each active rule's id and TOML definition as written, in id order.
pub fn ruleset_hash(rules: &RuleSet) -> String {
    let mut text = String::new();
    for r in &rules.rules {
        text.push_str(&r.meta.id);
        text.push('\n');
        text.push_str(&r.meta.definition);
        text.push('\u{1e}');
    }
    sha256_hex(text.as_bytes())
}

/// The accepted exceptions of a scan: every finding an inline
/// `soclint:ignore` comment or a `[[waiver]]` suppressed, with its reason,
/// owner, ticket and expiry (expiry flags are set by `mark_expiry`).
pub fn exceptions_from(result: &ScanResult) -> Vec<Exception> {
    result
        .suppressed
        .iter()
        .filter_map(|f| {
            let s = f.suppression.as_ref()?;
            Some(Exception {
                rule_id: f.rule.id.clone(),
                criteria: f.rule.criteria.iter().map(|c| c.to_string()).collect(),
                path: Some(f.path.clone()),
                line: Some(f.location.start_line),
                resource: Some(f.resource.clone()),
                reason: s.justification.clone(),
                owner: s.owner.clone(),
                ticket: s.ticket.clone(),
                expires: s.expires.clone(),
                expired: false,
                expiring_soon: false,
            })
        })
        .collect()
}

/// Sets `expired` / `expiring_soon` from `expires` as of `today`.
pub fn mark_expiry(e: &mut Exception, today: i64) {
    let days = e
        .expires
        .as_deref()
        .and_then(crate::rules::eval::parse_date);
    e.expired = days.is_some_and(|d| d < today);
    e.expiring_soon = days.is_some_and(|d| d >= today && d - today <= EXPIRY_WARNING_DAYS);
}

pub fn build(inputs: Inputs) -> Evidence {
    let Inputs {
        result,
        rules,
        categories,
        git,
        scan_time,
        today,
        scanned_path,
        link_base,
        mut exceptions,
    } = inputs;
    let mut scope = vec![Category::Security];
    for c in categories {
        if !scope.contains(c) {
            scope.push(*c);
        }
    }
    scope.sort();
    for e in &mut exceptions {
        mark_expiry(e, today);
        if e.criteria.is_empty() {
            if let Some(r) = rules.find(&e.rule_id) {
                e.criteria = r.meta.criteria.iter().map(|c| c.to_string()).collect();
            }
        }
    }
    let mut criteria_out = Vec::new();
    for c in criteria::CRITERIA
        .iter()
        .filter(|c| scope.contains(&c.category()))
    {
        let mut rule_rows = Vec::new();
        let mut resources: BTreeSet<&str> = BTreeSet::new();
        for r in rules
            .rules
            .iter()
            .filter(|r| r.meta.criteria.contains(&c.id))
        {
            let st = result.stats.get(&r.meta.id).copied().unwrap_or_default();
            let checked = result.checked.get(&r.meta.id);
            resources.extend(checked.into_iter().flatten().map(String::as_str));
            rule_rows.push(RuleEvidence {
                id: r.meta.id.clone(),
                title: r.meta.title.clone(),
                builtin: r.meta.origin.starts_with("builtin:"),
                severity: r.meta.severity,
                passed: st.passed,
                failed: st.failed,
                skipped: st.skipped,
                resources_checked: checked.map_or(0, BTreeSet::len),
            });
        }
        let findings: Vec<FindingEvidence> = result
            .findings
            .iter()
            .filter(|f| f.rule.criteria.contains(&c.id))
            .map(|f| FindingEvidence {
                rule_id: f.rule.id.clone(),
                severity: f.rule.severity,
                path: f.path.clone(),
                line: f.location.start_line,
                column: f.location.start_column,
                resource: f.resource.clone(),
                message: f.message.clone(),
                remediation: f.rule.remediation.clone(),
                builtin: f.rule.origin.starts_with("builtin:"),
            })
            .collect();
        let suppressed: Vec<usize> = exceptions
            .iter()
            .enumerate()
            .filter(|(_, e)| e.criteria.iter().any(|x| x == c.id))
            .map(|(i, _)| i)
            .collect();
        let passed: usize = rule_rows.iter().map(|r| r.passed).sum();
        let skipped: usize = rule_rows.iter().map(|r| r.skipped).sum();
        let failed = findings.len();
        let status = if failed > 0 {
            Status::Failing
        } else if passed > 0 || !suppressed.is_empty() {
            Status::Passing
        } else {
            Status::NotEvidenced
        };
        let coverage = match (c.static_evidence, status) {
            (StaticEvidence::No, _) => Coverage::OutOfReach,
            (_, Status::NotEvidenced) => Coverage::NotEvidenced,
            (StaticEvidence::Yes, _) => Coverage::Direct,
            (StaticEvidence::Partly, _) => Coverage::Supporting,
        };
        criteria_out.push(CriterionEvidence {
            id: c.id,
            family: family_of(c.id),
            area: c.area,
            title: c.title,
            category: c.category(),
            static_evidence: c.static_evidence,
            rules: rule_rows,
            resources_checked: resources.len(),
            passed,
            failed,
            skipped,
            suppressed,
            status,
            coverage,
            findings,
        });
    }
    let families = summarise_families(&criteria_out);
    let totals = Totals {
        criteria: criteria_out.len(),
        passing: count(&criteria_out, Status::Passing),
        failing: count(&criteria_out, Status::Failing),
        not_evidenced: count(&criteria_out, Status::NotEvidenced),
        passed: result.stats.values().map(|s| s.passed).sum(),
        failed: result.stats.values().map(|s| s.failed).sum(),
        skipped: result.stats.values().map(|s| s.skipped).sum(),
        suppressed: exceptions.len(),
        findings: result.findings.len(),
    };
    Evidence {
        header: Header {
            repository: git.repository,
            commit: git.commit,
            branch: git.branch,
            scanned_path,
            scan_time: format_utc(scan_time),
            today: format_date(today),
            soclint_version: env!("CARGO_PKG_VERSION"),
            ruleset_hash: ruleset_hash(rules),
            rules_active: rules.rules.len(),
            categories: scope,
            files_scanned: result.files_scanned,
            resources: result.resources,
            parse_errors: result.errors.len(),
            not_scanned: result.skipped.len(),
        },
        totals,
        families,
        criteria: criteria_out,
        exceptions,
        not_scanned: not_scanned(result),
        link_base,
        history: None,
    }
}

fn count(cs: &[CriterionEvidence], s: Status) -> usize {
    cs.iter().filter(|c| c.status == s).count()
}

fn summarise_families(cs: &[CriterionEvidence]) -> Vec<FamilySummary> {
    let mut order: Vec<&'static str> = Vec::new();
    let mut by: BTreeMap<&'static str, FamilySummary> = BTreeMap::new();
    for c in cs {
        if !order.contains(&c.family) {
            order.push(c.family);
        }
        let f = by.entry(c.family).or_insert(FamilySummary {
            family: c.family,
            area: c.area,
            criteria: 0,
            passing: 0,
            failing: 0,
            not_evidenced: 0,
            passed: 0,
            failed: 0,
        });
        f.criteria += 1;
        match c.status {
            Status::Passing => f.passing += 1,
            Status::Failing => f.failing += 1,
            Status::NotEvidenced => f.not_evidenced += 1,
        }
        f.passed += c.passed;
        f.failed += c.failed;
    }
    order.into_iter().filter_map(|f| by.remove(f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family_of("CC6.1"), "CC6");
        assert_eq!(family_of("A1.2"), "A1");
        assert_eq!(family_of("C1.1"), "C1");
        assert_eq!(family_of("PI1.4"), "PI1");
        assert_eq!(family_of("P4.2"), "P");
    }

    #[test]
    fn expiry_marks() {
        let today = crate::rules::eval::parse_date("2026-11-25").unwrap();
        let mut e = Exception {
            rule_id: "X".into(),
            criteria: vec![],
            path: None,
            line: None,
            resource: None,
            reason: "r".into(),
            owner: None,
            ticket: None,
            expires: Some("2026-12-10".into()),
            expired: false,
            expiring_soon: false,
        };
        mark_expiry(&mut e, today);
        assert!(e.expiring_soon && !e.expired);
        e.expires = Some("2026-11-01".into());
        mark_expiry(&mut e, today);
        assert!(e.expired && !e.expiring_soon);
        e.expires = Some("2027-06-01".into());
        mark_expiry(&mut e, today);
        assert!(!e.expired && !e.expiring_soon);
    }
}
