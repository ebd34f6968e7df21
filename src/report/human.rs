//! The terminal report: a miette diagnostic per finding (snippet, underline,
//! label, help), then a summary.
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{criteria_list, describe_suppression, Context};
use crate::finding::{FileError, Finding, ScanResult};
use crate::rules::Severity;

pub struct Style {
    pub color: bool,
    pub width: usize,
    pub verbose: bool,
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<Arc<str>>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.rule.id)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.finding.rule;
        write!(
            f,
            "{} {} [{}]",
            r.severity,
            r.title,
            criteria_list(&r.criteria)
        )?;
        if self.source.is_none() {
            write!(f, "\n{}: {}", self.finding.path, self.finding.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule.id))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.rule.severity {
            Severity::Critical | Severity::High => miette::Severity::Error,
            Severity::Medium => miette::Severity::Warning,
            Severity::Low | Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule.remediation))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span?;
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(if self.finding.label.is_empty() {
                    self.finding.message.clone()
                } else {
                    self.finding.label.clone()
                }),
                span.start..span.end,
            ),
        )))
    }
}

struct ErrorDiagnostic<'a> {
    error: &'a FileError,
    source: Option<NamedSource<Arc<str>>>,
}

impl fmt::Debug for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} could not be scanned", self.error.path)?;
        if self.source.is_none() {
            write!(f, ": {}", self.error.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorDiagnostic<'_> {}

impl Diagnostic for ErrorDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("parse-error"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.error.span?;
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(self.error.message.clone()),
                span.start..span.end.max(span.start),
            ),
        )))
    }
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_urls(false)
        .with_width(style.width)
        .with_context_lines(1)
}

/// The text a diagnostic shows, with every secret found in the file masked
/// (a snippet for one finding may show another finding's line as context).
fn source(
    result: &ScanResult,
    masked: &HashMap<&str, Arc<str>>,
    path: &str,
) -> Option<NamedSource<Arc<str>>> {
    let text = masked.get(path).or_else(|| result.texts.get(path))?;
    Some(NamedSource::new(path, Arc::clone(text)))
}

fn masked_texts(result: &ScanResult) -> HashMap<&str, Arc<str>> {
    let mut spans: HashMap<&str, Vec<crate::document::Span>> = HashMap::new();
    for f in result.findings.iter().filter(|f| f.rule.secret) {
        if let Some(s) = f.span {
            spans.entry(f.path.as_str()).or_default().push(s);
        }
    }
    spans
        .into_iter()
        .filter_map(|(path, spans)| {
            let text = result.texts.get(path)?;
            Some((path, Arc::from(crate::finding::mask_spans(text, &spans))))
        })
        .collect()
}

pub fn render(result: &ScanResult, style: &Style, ctx: &Context) -> String {
    let handler = handler(style);
    let masked = masked_texts(result);
    let mut out = String::new();
    for f in &result.findings {
        let source = if f.span.is_some() {
            source(result, &masked, &f.path)
        } else {
            None
        };
        let d = FindingDiagnostic { finding: f, source };
        let _ = handler.render_report(&mut out, &d);
        for r in &f.related {
            let _ = writeln!(
                out,
                "  = in a module called at {}:{}:{}",
                r.path, r.location.start_line, r.location.start_column
            );
        }
        out.push('\n');
    }
    for e in &result.errors {
        let source = if e.span.is_some() {
            source(result, &masked, &e.path)
        } else {
            None
        };
        let d = ErrorDiagnostic { error: e, source };
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    if ctx.show_suppressed && !result.suppressed.is_empty() {
        let _ = writeln!(out, "Suppressed findings:");
        for f in &result.suppressed {
            let _ = writeln!(
                out,
                "  {}:{}:{}: {} {} {}",
                f.path,
                f.location.start_line,
                f.location.start_column,
                f.rule.severity,
                f.rule.id,
                f.message
            );
            if let Some(s) = &f.suppression {
                let _ = writeln!(out, "      {}", describe_suppression(s));
            }
        }
        out.push('\n');
    }
    if !result.fixed.is_empty() {
        let _ = writeln!(out, "Fixed since the baseline (remove them from it):");
        for e in &result.fixed {
            let _ = writeln!(
                out,
                "  {} {} {} {}",
                e.path, e.rule_id, e.resource, e.fingerprint
            );
        }
        out.push('\n');
    }
    out.push_str(&summary(result, style.verbose));
    out
}

/// Counts a person reads after the findings; timing stays on its own line so
/// snapshot tests can drop it.
pub fn summary(result: &ScanResult, verbose: bool) -> String {
    let mut s = String::new();
    for n in &result.notices {
        let _ = writeln!(s, "note: {}: {}", n.path, n.message);
    }
    if !result.remote_modules.is_empty() {
        let _ = writeln!(
            s,
            "note: {} remote Terraform module source(s) not downloaded, not evaluated: {}",
            result.remote_modules.len(),
            result.remote_modules.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "Scanned {} files ({} lines, {} resources) with {} rules: {} finding{}, {} file{} not parsed.",
        result.files_scanned,
        result.lines_scanned,
        result.resources,
        result.rules_active,
        result.findings.len(),
        if result.findings.len() == 1 { "" } else { "s" },
        result.errors.len(),
        if result.errors.len() == 1 { "" } else { "s" },
    );
    if !result.suppressed.is_empty() || result.baselined > 0 || !result.fixed.is_empty() {
        let _ = writeln!(
            s,
            "Not reported: {} suppressed, {} in the baseline; {} baseline entr{} fixed.",
            result.suppressed.len(),
            result.baselined,
            result.fixed.len(),
            if result.fixed.len() == 1 { "y" } else { "ies" },
        );
    }
    if !result.findings.is_empty() {
        let by_sev = result.count_by_severity();
        let sev: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sv| by_sev.get(sv).map(|n| format!("{sv} {n}")))
            .collect();
        let _ = writeln!(s, "By severity: {}", sev.join(", "));
        let crit: Vec<String> = result
            .count_by_criterion()
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        let _ = writeln!(s, "By criterion: {}", crit.join(", "));
    }
    if verbose {
        let _ = writeln!(
            s,
            "Terraform: {} attribute value(s) stayed unknown after evaluation (rules on them skip).",
            result.unknown_attributes
        );
    }
    let _ = writeln!(s, "Finished in {:.3}s.", result.elapsed.as_secs_f64());
    s
}
