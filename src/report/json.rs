//! The JSON report: stable keys, sorted findings, no timings (byte-identical
//! across runs and thread counts).
use std::collections::BTreeMap;

use std::io::Write;

use serde::Serialize;

use super::pretty;
use crate::finding::{Finding, Role, ScanResult};
use crate::frameworks::Framework;
use crate::rules::Severity;
use crate::unscanned::Status;

#[derive(Serialize)]
struct RelatedOut<'a> {
    /// `landing`, `set-at`, `module-call` or `rendered` ([`Role::name`]).
    role: &'static str,
    note: &'a str,
    /// The place in a file (none for a value set on the command line).
    #[serde(flatten)]
    at: Option<PlaceOut<'a>>,
}

#[derive(Serialize)]
struct PlaceOut<'a> {
    path: &'a str,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverOut<'a>>,
}

#[derive(Serialize)]
struct SkippedOut<'a> {
    path: &'a str,
    reason: &'static str,
    detail: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverOut<'a>>,
}

/// Where the waiver that accepts a gap is, and its reason.
#[derive(Serialize)]
struct WaiverOut<'a> {
    location: &'a str,
    reason: &'a str,
}

fn waiver(status: &Status) -> Option<WaiverOut<'_>> {
    match status {
        Status::Waived { location, reason } => Some(WaiverOut { location, reason }),
        _ => None,
    }
}

#[derive(Serialize)]
struct NoticeOut<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files_scanned: usize,
    lines_scanned: usize,
    resources: usize,
    rules_evaluated: usize,
    findings: usize,
    suppressed: usize,
    baselined: usize,
    fixed: usize,
    errors: usize,
    /// Files not scanned (every status).
    skipped: usize,
    by_severity: BTreeMap<&'static str, usize>,
    by_criterion: BTreeMap<&'static str, usize>,
    /// Terraform attributes whose value stayed unknown (rules on them skip).
    unknown_attributes: usize,
    /// Terraform module sources not evaluated (registry, git…): not downloaded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remote_modules: Vec<String>,
    /// What the configuration left out of the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<ScopeOut<'a>>,
    /// With `-v`: per rule, the evaluations skipped on a value not known statically.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    skipped_on_unknown: BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct ScopeOut<'a> {
    /// SOC 2 categories in scope.
    categories: Vec<&'static str>,
    /// Rules not run because all their criteria are in categories out of scope.
    rules_out_of_scope: usize,
    out_of_scope_categories: Vec<&'static str>,
    /// Rules off until soclint.toml sets `policy-paths`.
    rules_needing_policy_paths: usize,
    /// Whether the repository-wide rules ran (the scan was of a repository's root).
    repository_rules: bool,
    /// Paths `[[scope]]` tables put out of scope (not scanned).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    out_of_scope_paths: &'a [String],
}

pub fn render(result: &ScanResult) -> String {
    let mut out = Vec::new();
    // writing into memory cannot fail, and serde_json emits UTF-8
    let _ = write(result, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Streams the report into `w`; the findings are rendered in parallel inside
/// a thread pool (see [`super::pretty`]), in the order and bytes serde_json
/// would give.
pub fn write(result: &ScanResult, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with(result, &[], &super::Fixable::default(), w)
}

/// [`write`], each finding also carrying `frameworks`: its controls in each
/// framework of `frameworks` (an empty list where the rule is unmapped).
///
/// A finding in `fixable` carries `"fixable": true`.
pub fn write_with(
    result: &ScanResult,
    frameworks: &[Framework],
    fixable: &super::Fixable,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let by_sev = result.count_by_severity();
    let errors: Vec<ErrorOut> = result
        .errors
        .iter()
        .map(|e| ErrorOut {
            path: &e.path,
            line: e.line,
            column: e.column,
            message: &e.message,
            status: e.status.name(),
            waiver: waiver(&e.status),
        })
        .collect();
    let skipped: Vec<SkippedOut> = result
        .skipped
        .iter()
        .map(|s| SkippedOut {
            path: &s.path,
            reason: s.reason.id(),
            detail: &s.detail,
            status: s.status.name(),
            waiver: waiver(&s.status),
        })
        .collect();
    let notices: Vec<NoticeOut> = result
        .notices
        .iter()
        .map(|n| NoticeOut {
            path: &n.path,
            message: &n.message,
        })
        .collect();
    let summary = Summary {
        files_scanned: result.files_scanned,
        lines_scanned: result.lines_scanned,
        resources: result.resources,
        rules_evaluated: result.rules_active,
        findings: result.findings.len(),
        suppressed: result.suppressed.len(),
        baselined: result.baselined,
        fixed: result.fixed.len(),
        errors: result.errors.len(),
        skipped: result.skipped.len(),
        by_severity: Severity::ALL
            .iter()
            .map(|s| (s.name(), by_sev.get(s).copied().unwrap_or(0)))
            .collect(),
        by_criterion: result.count_by_criterion(),
        unknown_attributes: result.unknown_attributes,
        skipped_on_unknown: if result.unknowns.is_empty() {
            BTreeMap::new()
        } else {
            result
                .stats
                .iter()
                .filter(|(_, st)| st.skipped > 0)
                .map(|(id, st)| (id.as_str(), st.skipped))
                .collect()
        },
        remote_modules: result.remote_modules.clone(),
        scope: (!result.scope.categories.is_empty()).then(|| {
            let sc = &result.scope;
            ScopeOut {
                categories: sc.categories.iter().map(|c| c.name()).collect(),
                rules_out_of_scope: sc.out_of_scope,
                out_of_scope_categories: sc
                    .out_of_scope_categories
                    .iter()
                    .map(|c| c.name())
                    .collect(),
                rules_needing_policy_paths: sc.need_policy_paths,
                repository_rules: !sc.not_repository_root,
                out_of_scope_paths: &sc.out_of_scope_paths,
            }
        }),
    };
    // buffered here, where the writer's type is known: serde_json makes many
    // small writes, and each through `dyn Write` cost more than the buffer
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut report = pretty::Object::begin(&mut out, 0)?;
    report.field("version", &env!("CARGO_PKG_VERSION"))?;
    let one = |buf: &mut Vec<u8>, depth: usize, f: &Finding| {
        finding(buf, depth, f, frameworks, fixable.contains(f))
    };
    report.array_with("findings", &result.findings, one)?;
    report.array_with("suppressed", &result.suppressed, one)?;
    report.field("fixed", &result.fixed)?;
    report.field("errors", &errors)?;
    report.field("skipped", &skipped)?;
    report.field("notices", &notices)?;
    // only with `-v` (the scan records them only then)
    if !result.unknowns.is_empty() {
        report.field("unknowns", &result.unknowns)?;
    }
    report.field("summary", &summary)?;
    report.end()?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One finding `depth` levels deep, written field by field (the same bytes
/// as serde_json's pretty printer; most of a report is these, and the rule's
/// title, criteria and remediation repeat in every one of them).
fn finding(
    w: &mut Vec<u8>,
    depth: usize,
    f: &Finding,
    frameworks: &[Framework],
    fixable: bool,
) -> std::io::Result<()> {
    let mut o = pretty::Object::begin(w, depth)?;
    o.str("rule_id", &f.rule.id)?;
    o.str("title", &f.rule.title)?;
    o.str("severity", f.rule.severity.name())?;
    pretty::strings(o.key("criteria")?, depth + 1, &f.rule.criteria)?;
    o.str("path", &f.path)?;
    o.uint("start_line", f.location.start_line as usize)?;
    o.uint("start_column", f.location.start_column as usize)?;
    o.uint("end_line", f.location.end_line as usize)?;
    o.uint("end_column", f.location.end_column as usize)?;
    o.str("resource", &f.resource)?;
    o.str("message", &f.message())?;
    o.str("remediation", &f.rule.remediation)?;
    if let Some(fx) = f.rule.fix.as_ref().filter(|x| x.suggestion) {
        // never applied: a value only a person knows (a KMS key, a commit SHA)
        o.str("suggestion", &fx.title)?;
    }
    if fixable {
        // `check --fix` fixes it (built on the file's text, as --fix does)
        o.field("fixable", &true)?;
    }
    o.str("fingerprint", &f.fingerprint.to_string())?;
    if !frameworks.is_empty() {
        let map: BTreeMap<&str, Vec<&str>> = frameworks
            .iter()
            .map(|fw| {
                (
                    fw.id(),
                    crate::frameworks::controls(&f.rule.id, &f.rule.criteria, *fw),
                )
            })
            .collect();
        o.field("frameworks", &map)?;
    }
    if let Some(s) = f.suppression.as_deref() {
        o.field("suppression", s)?;
    }
    if f.related.iter().any(|r| r.role != Role::Hidden) {
        let related: Vec<RelatedOut> = f
            .related
            .iter()
            .filter(|r| r.role != Role::Hidden)
            .map(|r| RelatedOut {
                role: r.role.name(),
                note: &r.note,
                at: (!r.path.is_empty()).then_some(PlaceOut {
                    path: &r.path,
                    start_line: r.location.start_line as usize,
                    start_column: r.location.start_column as usize,
                    end_line: r.location.end_line as usize,
                    end_column: r.location.end_column as usize,
                }),
            })
            .collect();
        o.field("related", &related)?;
    }
    o.end()
}
