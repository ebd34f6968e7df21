//! The evidence model: everything the report says, computed once from a scan,
//! the rule set and the control matrix. Renderers (HTML, Markdown, JSON,
//! OSCAL) are functions of it; the populations, which can be millions of
//! rows, stay in the scan result and are written from it as they are made
//! ([`super::population`]).
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::git::GitInfo;
use super::hash::sha256_hex;
use super::history::{ControlMark, Entry, ExceptionMark, HistoryView};
use super::period::PeriodView;
use super::points;
use super::population::Populations;
pub use super::status::Status;
use super::time::{format_date, format_utc};
use crate::controls::{ControlMatrix, ManualEvidence};
use crate::finding::{Finding, ScanResult};
use crate::frameworks::{self, Framework};
use crate::rules::criteria::{self, Category};
use crate::rules::{RuleSet, Severity};

/// Exceptions expiring within this many days are highlighted.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Findings kept per rule for the summary (the population has them all).
pub const FINDINGS_PER_RULE: usize = 10;

/// Population rows per rule the HTML report shows (the CSV and JSON hold all).
pub const POPULATION_SAMPLE: usize = 25;

/// One member of a rule's population, as the HTML sample shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PopulationRow {
    pub verdict: super::population::Verdict,
    pub path: String,
    pub line: usize,
    pub resource: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub scanned_path: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub scan_time: String,
    pub today: String,
    pub soclint_version: String,
    /// SHA-256 over the active rules' ids and TOML definitions as written.
    pub ruleset_hash: String,
    pub rules_active: usize,
    pub categories: Vec<Category>,
    pub files_scanned: usize,
    pub resources: usize,
    pub parse_errors: usize,
    /// Files skipped (see [`Evidence::not_scanned`]).
    pub not_scanned: usize,
    /// The control matrix the report reads, if any.
    #[serde(default)]
    pub controls_file: Option<String>,
}

/// A status and what it means, as the report defines it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusDefinition {
    pub status: Status,
    pub label: String,
    pub meaning: String,
}

pub fn status_definitions() -> Vec<StatusDefinition> {
    Status::ALL
        .iter()
        .map(|s| StatusDefinition {
            status: *s,
            label: s.label().to_string(),
            meaning: s.meaning().to_string(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingEvidence {
    pub rule_id: String,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub resource: String,
    pub message: String,
}

/// One rule's results: its population's counts and its first findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleEvidence {
    pub id: String,
    pub title: String,
    /// The rule is from the built-in pack: its text is soclint's own, and the
    /// Markdown report keeps its formatting (a repository's rule text is
    /// escaped like any other text from the repository).
    #[serde(skip)]
    pub builtin: bool,
    pub severity: Severity,
    pub criteria: Vec<String>,
    pub remediation: String,
    pub passed: usize,
    /// Findings not covered by an accepted exception.
    pub failed: usize,
    pub skipped: usize,
    /// Findings an accepted exception covers.
    pub suppressed: usize,
    /// Distinct resources examined.
    pub resources: usize,
    /// The first findings in report order (at most [`FINDINGS_PER_RULE`]).
    pub findings: Vec<FindingEvidence>,
}

impl RuleEvidence {
    pub fn evaluated(&self) -> usize {
        self.passed + self.failed + self.skipped + self.suppressed
    }
}

/// A point of focus static checks can evidence, and whether this run did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointEvidence {
    pub id: String,
    pub evidence: String,
    /// Rules citing the criterion that evidence this point and gave a verdict here.
    pub rules_tested: Vec<String>,
    pub tested: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionEvidence {
    pub id: String,
    pub family: String,
    pub area: String,
    pub title: String,
    pub category: Category,
    pub in_scope: bool,
    pub status: Status,
    /// Active rules that cite it.
    pub rules: Vec<String>,
    /// Of those, the ones that gave a verdict here.
    pub rules_evaluated: usize,
    pub resources: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    /// How many points of focus the criterion has.
    pub points_total: usize,
    /// The ones static checks can evidence.
    pub points_testable: Vec<PointEvidence>,
    /// How many need evidence from outside the repository whatever the scan.
    pub points_other_evidence: usize,
}

impl CriterionEvidence {
    pub fn points_tested(&self) -> usize {
        self.points_testable.iter().filter(|p| p.tested).count()
    }
}

/// One control of the organisation's matrix and what the run says of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlEvidence {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub frequency: crate::controls::Frequency,
    pub grace_days: u32,
    pub criteria: Vec<String>,
    /// The selectors as written.
    pub selectors: Vec<String>,
    /// Selectors no active rule matches (a typo, or rules out of scope).
    pub unmatched: Vec<String>,
    /// Active rules the selectors pick.
    pub rules: Vec<String>,
    pub rules_evaluated: usize,
    pub resources: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    pub evidence: Vec<ManualEvidence>,
    pub status: Status,
}

/// The report read against another framework: each control of its catalogue
/// with the rules mapped to it and their results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameworkView {
    pub framework: Framework,
    pub name: String,
    pub controls: Vec<FrameworkControl>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameworkControl {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
    pub status: Status,
}

/// A suppression or waiver: who accepted which risk, until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exception {
    pub rule_id: String,
    pub criteria: Vec<String>,
    pub path: Option<String>,
    pub line: Option<usize>,
    pub resource: Option<String>,
    /// `inSource` or `external`.
    #[serde(default)]
    pub kind: String,
    /// Where it is written (`path:line`).
    #[serde(default)]
    pub location: String,
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    pub expired: bool,
    /// Expires within `EXPIRY_WARNING_DAYS` days.
    pub expiring_soon: bool,
    #[serde(default)]
    pub fingerprint: String,
}

/// A file the scan did not check, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotScanned {
    pub path: String,
    /// `parse-error` or a skip reason's id (`too-large`, `symlink`, …).
    pub kind: String,
    /// The kind in words.
    pub what: String,
    pub detail: String,
    /// `error`, `warning`, `ignored`, `waived` or `baselined`.
    pub status: String,
}

/// Parse errors, then skipped files, as the evidence report lists them.
fn not_scanned(result: &ScanResult) -> Vec<NotScanned> {
    let errors = result.errors.iter().map(|e| NotScanned {
        path: e.path.clone(),
        kind: "parse-error".into(),
        what: "could not be parsed".into(),
        detail: format!("{}:{}: {}", e.line, e.column, e.message),
        status: e.status.name().into(),
    });
    let skipped = result.skipped.iter().map(|s| NotScanned {
        path: s.path.clone(),
        kind: s.reason.id().into(),
        what: s.reason.what().into(),
        detail: s.detail.clone(),
        status: s.status.name().into(),
    });
    errors.chain(skipped).collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FamilySummary {
    pub family: String,
    pub area: String,
    pub criteria: usize,
    pub exceptions_found: usize,
    pub no_exceptions: usize,
    pub manual: usize,
    pub passed: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    pub criteria_in_scope: usize,
    /// Criteria in scope by status id.
    pub criteria_by_status: BTreeMap<Status, usize>,
    pub controls: usize,
    pub controls_by_status: BTreeMap<Status, usize>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub suppressed: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    pub header: Header,
    pub statuses: Vec<StatusDefinition>,
    pub totals: Totals,
    pub families: Vec<FamilySummary>,
    pub controls: Vec<ControlEvidence>,
    pub criteria: Vec<CriterionEvidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<FrameworkView>,
    pub rules: Vec<RuleEvidence>,
    pub exceptions: Vec<Exception>,
    /// Files that did not parse or were skipped: evidence the scan could not
    /// see (the coverage section lists them).
    pub not_scanned: Vec<NotScanned>,
    /// Prefix that turns a finding's path into a link relative to the report.
    #[serde(skip)]
    pub link_base: String,
    /// Where the complete populations are (relative links), when written in
    /// the same run.
    #[serde(skip)]
    pub population_links: Vec<(String, String)>,
    /// Per rule: the first rows of its population (for the HTML report).
    #[serde(skip)]
    pub population_sample: BTreeMap<String, Vec<PopulationRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodView>,
}

impl Evidence {
    /// This run as one line of the history file, with the findings open in
    /// it (`result` is the scan the evidence was built from).
    pub fn history_entry(&self, result: &ScanResult) -> Entry {
        let mark = |f: &Finding, accepted: bool| ExceptionMark {
            fp: f.fingerprint.to_string(),
            rule: f.rule.id.clone(),
            path: f.path.to_string(),
            resource: f.resource.to_string(),
            accepted,
        };
        let mut exceptions: Vec<ExceptionMark> = result
            .findings
            .iter()
            .map(|f| mark(f, false))
            .chain(result.suppressed.iter().map(|f| mark(f, true)))
            .collect();
        exceptions.sort();
        exceptions.dedup();
        Entry {
            time: self.header.scan_time.clone(),
            commit: self.header.commit.clone(),
            branch: self.header.branch.clone(),
            ruleset: self.header.ruleset_hash.clone(),
            criteria: self
                .criteria
                .iter()
                .filter(|c| c.in_scope)
                .map(|c| (c.id.clone(), [c.passed, c.failed]))
                .collect(),
            controls: self
                .controls
                .iter()
                .map(|c| (c.id.clone(), [c.passed, c.failed]))
                .collect(),
            exceptions,
        }
    }

    pub fn rule(&self, id: &str) -> Option<&RuleEvidence> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}

/// What `build` needs besides the scan.
pub struct Inputs<'a> {
    pub result: &'a ScanResult,
    pub rules: &'a RuleSet,
    /// Categories from config; security is added.
    pub categories: &'a [Category],
    pub controls: Option<&'a ControlMatrix>,
    pub framework: Option<Framework>,
    pub git: GitInfo,
    /// Seconds since the epoch.
    pub scan_time: i64,
    /// Days since the epoch.
    pub today: i64,
    pub scanned_path: String,
    pub link_base: String,
}

/// The criterion family (`CC6`, `A1`, `PI1`, `P`) a criterion belongs to.
pub fn family_of(id: &str) -> &str {
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
                path: Some(f.path.to_string()),
                line: Some(f.location.start_line as usize),
                resource: Some(f.resource.to_string()),
                kind: match s.kind {
                    crate::finding::SuppressionKind::InSource => "inSource".into(),
                    crate::finding::SuppressionKind::External => "external".into(),
                },
                location: s.location.clone(),
                reason: s.justification.clone(),
                owner: s.owner.clone(),
                ticket: s.ticket.clone(),
                expires: s.expires.clone(),
                expired: false,
                expiring_soon: false,
                fingerprint: f.fingerprint.to_string(),
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

fn finding_evidence(f: &Finding) -> FindingEvidence {
    FindingEvidence {
        rule_id: f.rule.id.clone(),
        severity: f.rule.severity,
        path: f.path.to_string(),
        line: f.location.start_line as usize,
        column: f.location.start_column as usize,
        resource: f.resource.to_string(),
        message: f.message().into_owned(),
    }
}

/// The status of something tested by `rules` (their evidence in `by_id`):
/// exceptions when an active finding remains, manual evidence when nothing
/// gave a verdict, else no exceptions, fully or partly covered.
fn status_of(passed: usize, failed: usize, suppressed: usize, covered: bool) -> Status {
    if failed > 0 {
        Status::ExceptionsFound
    } else if passed == 0 && suppressed == 0 {
        Status::ManualEvidenceRequired
    } else if covered {
        Status::NoExceptions
    } else {
        Status::NoExceptionsPartial
    }
}

/// Whether a criterion's automated checks reach all of it: every point of
/// focus tested, and the criterion's evidence is technical settings in files
/// (`static: yes` in the catalogue). Where files give supporting evidence
/// only (an access policy that mentions reviews), a point can be "tested"
/// without the criterion's operation being seen.
fn fully_covered(evidence: criteria::Evidence, total: usize, testable: &[PointEvidence]) -> bool {
    evidence == criteria::Evidence::Yes
        && testable.len() == total
        && testable.iter().all(|p| p.tested)
}

#[derive(Default, Clone, Copy)]
struct Sums {
    passed: usize,
    failed: usize,
    skipped: usize,
    suppressed: usize,
    evaluated: usize,
}

fn sums<'a>(ids: impl Iterator<Item = &'a str>, by_id: &HashMap<&str, &RuleEvidence>) -> Sums {
    let mut s = Sums::default();
    for id in ids {
        if let Some(r) = by_id.get(id) {
            s.passed += r.passed;
            s.failed += r.failed;
            s.skipped += r.skipped;
            s.suppressed += r.suppressed;
            s.evaluated += usize::from(r.evaluated() > 0);
        }
    }
    s
}

pub fn build(inputs: Inputs) -> Evidence {
    let Inputs {
        result,
        rules,
        categories,
        controls,
        framework,
        git,
        scan_time,
        today,
        scanned_path,
        link_base,
    } = inputs;
    let mut scope = vec![Category::Security];
    for c in categories {
        if !scope.contains(c) {
            scope.push(*c);
        }
    }
    scope.sort();
    let pop = Populations::new(result, rules);

    // rules, in id order
    let mut rule_rows: Vec<RuleEvidence> = pop
        .rule_ids
        .iter()
        .map(|&id| {
            let c = pop.counts(id);
            let meta = rules.find(id).map(|r| r.meta.clone()).or_else(|| {
                pop.findings(id)
                    .first()
                    .or(pop.suppressed(id).first())
                    .map(|f| f.rule.clone())
            });
            let (title, severity, criteria, remediation, builtin) = match &meta {
                Some(m) => (
                    m.title.clone(),
                    m.severity,
                    m.criteria.iter().map(|c| c.to_string()).collect(),
                    m.remediation.clone(),
                    m.origin.starts_with("builtin:"),
                ),
                None => (
                    String::new(),
                    Severity::Info,
                    Vec::new(),
                    String::new(),
                    false,
                ),
            };
            RuleEvidence {
                id: id.to_string(),
                title,
                builtin,
                severity,
                criteria,
                remediation,
                passed: c.passed,
                failed: c.failed,
                skipped: c.skipped,
                suppressed: c.suppressed,
                resources: c.resources,
                findings: pop
                    .findings(id)
                    .iter()
                    .take(FINDINGS_PER_RULE)
                    .map(|f| finding_evidence(f))
                    .collect(),
            }
        })
        .collect();
    rule_rows.sort_by(|a, b| a.id.cmp(&b.id));
    let by_id: HashMap<&str, &RuleEvidence> =
        rule_rows.iter().map(|r| (r.id.as_str(), r)).collect();

    // criteria
    let mut criteria_out = Vec::new();
    for c in criteria::CRITERIA {
        let in_scope = scope.contains(&c.category());
        let ids: Vec<&str> = rule_rows
            .iter()
            .filter(|r| r.criteria.iter().any(|x| x == c.id))
            .map(|r| r.id.as_str())
            .collect();
        let s = sums(ids.iter().copied(), &by_id);
        let pof = points::of(c.id);
        let testable: Vec<PointEvidence> = pof
            .testable
            .iter()
            .map(|t| {
                let tested: Vec<String> = ids
                    .iter()
                    .filter(|id| t.selects(id))
                    .filter(|id| {
                        by_id
                            .get(*id)
                            .is_some_and(|r| r.passed + r.failed + r.suppressed > 0)
                    })
                    .map(|id| id.to_string())
                    .collect();
                PointEvidence {
                    id: t.id.clone(),
                    evidence: t.evidence.to_string(),
                    tested: !tested.is_empty(),
                    rules_tested: tested,
                }
            })
            .collect();
        let covered = fully_covered(c.static_evidence, pof.total, &testable);
        let status = if in_scope {
            status_of(s.passed, s.failed, s.suppressed, covered)
        } else {
            Status::NotInScope
        };
        criteria_out.push(CriterionEvidence {
            id: c.id.to_string(),
            family: family_of(c.id).to_string(),
            area: c.area.to_string(),
            title: c.title.to_string(),
            category: c.category(),
            in_scope,
            status,
            rules_evaluated: s.evaluated,
            resources: pop.resources_of(&ids),
            rules: ids.iter().map(|s| s.to_string()).collect(),
            passed: s.passed,
            failed: s.failed,
            skipped: s.skipped,
            suppressed: s.suppressed,
            points_total: pof.total,
            points_other_evidence: pof.total - testable.len(),
            points_testable: testable,
        });
    }

    // controls
    let status_by_criterion: HashMap<&str, Status> = criteria_out
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    let controls_out: Vec<ControlEvidence> = controls
        .map(|m| {
            m.controls
                .iter()
                .map(|ctl| {
                    let picked: Vec<&str> = rules
                        .rules
                        .iter()
                        .filter(|r| ctl.rules.iter().any(|sel| r.meta.selected_by(sel)))
                        .map(|r| r.meta.id.as_str())
                        .collect();
                    let unmatched: Vec<String> = ctl
                        .rules
                        .iter()
                        .filter(|sel| !rules.rules.iter().any(|r| r.meta.selected_by(sel)))
                        .cloned()
                        .collect();
                    let s = sums(picked.iter().copied(), &by_id);
                    let in_scope = ctl.criteria.iter().any(|c| {
                        status_by_criterion
                            .get(c.as_str())
                            .is_some_and(|s| *s != Status::NotInScope)
                    });
                    // covered: every rule it names gave a verdict and it asks
                    // for no evidence soclint cannot see
                    let covered = !picked.is_empty()
                        && s.evaluated == picked.len()
                        && ctl.evidence.is_empty()
                        && unmatched.is_empty();
                    let status = if in_scope {
                        status_of(s.passed, s.failed, s.suppressed, covered)
                    } else {
                        Status::NotInScope
                    };
                    ControlEvidence {
                        id: ctl.id.clone(),
                        title: ctl.title.clone(),
                        description: ctl.description.clone(),
                        owner: ctl.owner.clone(),
                        frequency: ctl.frequency,
                        grace_days: ctl.grace_days,
                        criteria: ctl.criteria.clone(),
                        selectors: ctl.rules.clone(),
                        unmatched,
                        rules_evaluated: s.evaluated,
                        resources: pop.resources_of(&picked),
                        rules: picked.iter().map(|s| s.to_string()).collect(),
                        passed: s.passed,
                        failed: s.failed,
                        skipped: s.skipped,
                        suppressed: s.suppressed,
                        evidence: ctl.evidence.clone(),
                        status,
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let framework_view = framework
        .filter(|f| *f != Framework::Tsc)
        .map(|fw| framework_view(fw, &rule_rows, &by_id));

    let mut exceptions = exceptions_from(result);
    for e in &mut exceptions {
        mark_expiry(e, today);
    }
    let families = summarise_families(&criteria_out);
    let mut totals = Totals {
        controls: controls_out.len(),
        passed: rule_rows.iter().map(|r| r.passed).sum(),
        failed: rule_rows.iter().map(|r| r.failed).sum(),
        skipped: rule_rows.iter().map(|r| r.skipped).sum(),
        suppressed: rule_rows.iter().map(|r| r.suppressed).sum(),
        ..Totals::default()
    };
    for c in criteria_out.iter().filter(|c| c.in_scope) {
        totals.criteria_in_scope += 1;
        *totals.criteria_by_status.entry(c.status).or_insert(0) += 1;
    }
    for c in &controls_out {
        *totals.controls_by_status.entry(c.status).or_insert(0) += 1;
    }
    Evidence {
        header: Header {
            repository: git.repository,
            commit: git.commit,
            branch: git.branch,
            scanned_path,
            scan_time: format_utc(scan_time),
            today: format_date(today),
            soclint_version: env!("CARGO_PKG_VERSION").to_string(),
            ruleset_hash: ruleset_hash(rules),
            rules_active: rules.rules.len(),
            categories: scope,
            files_scanned: result.files_scanned,
            resources: result.resources,
            parse_errors: result.errors.len(),
            not_scanned: result.skipped.len(),
            controls_file: controls.map(|m| m.path.clone()),
        },
        statuses: status_definitions(),
        totals,
        families,
        controls: controls_out,
        criteria: criteria_out,
        framework: framework_view,
        rules: rule_rows,
        exceptions,
        not_scanned: not_scanned(result),
        link_base,
        population_links: Vec::new(),
        population_sample: pop
            .rule_ids
            .iter()
            .map(|&id| {
                let rows = pop
                    .first_items(id, POPULATION_SAMPLE)
                    .into_iter()
                    .map(|i| PopulationRow {
                        verdict: i.verdict,
                        path: i.path.to_string(),
                        line: i.line,
                        resource: i.resource.to_string(),
                        detail: i.detail.into_owned(),
                    })
                    .collect();
                (id.to_string(), rows)
            })
            .collect(),
        history: None,
        period: None,
    }
}

fn framework_view(
    fw: Framework,
    rule_rows: &[RuleEvidence],
    by_id: &HashMap<&str, &RuleEvidence>,
) -> FrameworkView {
    let mut rules_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rule_rows {
        let crit: Vec<&str> = r.criteria.iter().map(String::as_str).collect();
        for c in frameworks::controls(&r.id, &static_criteria(&crit), fw) {
            rules_of.entry(c).or_default().push(&r.id);
        }
    }
    let controls = frameworks::catalogue(fw)
        .into_iter()
        .map(|(id, title)| {
            let ids = rules_of.get(id).cloned().unwrap_or_default();
            let s = sums(ids.iter().copied(), by_id);
            FrameworkControl {
                id: id.to_string(),
                title: title.to_string(),
                rules: ids.iter().map(|s| s.to_string()).collect(),
                passed: s.passed,
                failed: s.failed,
                skipped: s.skipped,
                suppressed: s.suppressed,
                // no points-of-focus data for other frameworks: never "covered"
                status: status_of(s.passed, s.failed, s.suppressed, false),
            }
        })
        .collect();
    FrameworkView {
        framework: fw,
        name: fw.name().to_string(),
        controls,
    }
}

/// The catalogue's own `'static` ids for criteria given as text.
fn static_criteria(ids: &[&str]) -> Vec<&'static str> {
    ids.iter()
        .filter_map(|id| criteria::find(id).map(|c| c.id))
        .collect()
}

fn summarise_families(cs: &[CriterionEvidence]) -> Vec<FamilySummary> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, FamilySummary> = BTreeMap::new();
    for c in cs.iter().filter(|c| c.in_scope) {
        if !order.contains(&c.family) {
            order.push(c.family.clone());
        }
        let f = by.entry(c.family.clone()).or_insert(FamilySummary {
            family: c.family.clone(),
            area: c.area.clone(),
            ..FamilySummary::default()
        });
        f.criteria += 1;
        match c.status {
            Status::ExceptionsFound => f.exceptions_found += 1,
            Status::NoExceptions | Status::NoExceptionsPartial => f.no_exceptions += 1,
            Status::ManualEvidenceRequired | Status::NotInScope => f.manual += 1,
        }
        f.passed += c.passed;
        f.failed += c.failed;
    }
    order.into_iter().filter_map(|f| by.remove(&f)).collect()
}

/// A control's status run by run, for the history and the review period.
pub fn control_marks(ev: &Evidence) -> Vec<ControlMark> {
    ev.controls
        .iter()
        .map(|c| ControlMark {
            id: c.id.clone(),
            frequency: c.frequency,
            grace_days: c.grace_days,
            automated: !c.rules.is_empty(),
        })
        .collect()
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
    fn statuses_never_say_passing() {
        assert_eq!(status_of(3, 1, 0, true), Status::ExceptionsFound);
        assert_eq!(status_of(0, 0, 0, true), Status::ManualEvidenceRequired);
        assert_eq!(status_of(3, 0, 0, true), Status::NoExceptions);
        assert_eq!(status_of(3, 0, 0, false), Status::NoExceptionsPartial);
        assert_eq!(status_of(0, 0, 2, false), Status::NoExceptionsPartial);
        for s in Status::ALL {
            assert!(!s.label().contains("pass"), "{}", s.label());
        }
    }

    /// CC6.2's three points of focus all have rules, but its evidence in
    /// files is supporting only: never fully covered.
    #[test]
    fn full_coverage_needs_every_point_and_technical_evidence() {
        let tested = |id: &str| PointEvidence {
            id: id.into(),
            evidence: String::new(),
            rules_tested: vec!["R".into()],
            tested: true,
        };
        let all = [tested("a"), tested("b"), tested("c")];
        let cc62 = criteria::find("CC6.2").expect("CC6.2");
        assert_eq!(points::of("CC6.2").total, 3);
        assert!(!fully_covered(cc62.static_evidence, 3, &all));
        assert!(fully_covered(criteria::Evidence::Yes, 3, &all));
        assert!(!fully_covered(criteria::Evidence::Yes, 4, &all));
        let mut one_untested = all.clone();
        one_untested[1].tested = false;
        assert!(!fully_covered(criteria::Evidence::Yes, 3, &one_untested));
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
            kind: String::new(),
            location: String::new(),
            reason: "r".into(),
            owner: None,
            ticket: None,
            expires: Some("2026-12-10".into()),
            expired: false,
            expiring_soon: false,
            fingerprint: String::new(),
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
