//! The terminal report: a miette diagnostic per finding (snippet, underline,
//! label, help), then a summary. Every text from the repository (paths,
//! messages, rule text from its rule files, the snippets themselves) goes
//! through [`terminal`] or [`Shown`], and the whole report through the
//! workflow-command guard: nothing in it drives the terminal or a CI log.
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::snippet::{Shown, Snippet};
use super::{criteria_list, describe_suppression, Context};
use crate::document::Span;
use crate::escape::{self, terminal};
use crate::finding::{FileError, Finding, Role, ScanResult};
use crate::rules::Severity;
use crate::unscanned::Status;
use crate::wording::plural;

pub struct Style {
    pub color: bool,
    pub width: usize,
    pub verbose: bool,
    /// The order findings are listed in.
    pub sort: Sort,
    /// A table of findings per rule before the summary (`--statistics`).
    pub statistics: bool,
    /// Only the findings that fail the run (and files not scanned that do),
    /// then the summary (`--quiet`).
    pub quiet: bool,
    /// The lowest severity that fails the run (`None`: nothing does).
    pub fail_at: Option<Severity>,
}

/// How the terminal report orders findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most severe first, each severity under a heading, then by path.
    #[default]
    Severity,
    /// By path, line and column (the order of every other format).
    Path,
    /// By rule id, then path.
    Rule,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
            verbose: false,
            sort: Sort::default(),
            statistics: false,
            quiet: false,
            fail_at: Some(Severity::Low),
        }
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    /// The snippet and the finding's span in it.
    source: Option<(Snippet, Span)>,
    /// Secondary labels in the same snippet: where a value set here lands,
    /// when that is in the same file.
    also: Vec<(Span, &'a str)>,
    /// `check --fix` would fix it: `[*]` after the rule id, as ruff marks
    /// it, and the fix under the help.
    fixable: bool,
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
            terminal(&r.title),
            criteria_list(&r.criteria)
        )?;
        if self.source.is_none() {
            write!(
                f,
                "\n{}: {}",
                terminal(&self.finding.path),
                terminal(&self.finding.message())
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.fixable {
            return Some(Box::new(format!("{} [*]", self.finding.rule.id)));
        }
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
        let rule = &self.finding.rule;
        // a suggestion is never applied, so the report is where it is seen
        match rule.fix.as_ref().filter(|f| f.suggestion || self.fixable) {
            Some(fx) if fx.suggestion => Some(Box::new(format!(
                "{}\n{}",
                terminal(&rule.remediation),
                terminal(&fx.sentence())
            ))),
            Some(fx) => Some(Box::new(format!(
                "{}\n[*] fix: {} (`soclint check --fix` applies it)",
                terminal(&rule.remediation),
                terminal(&fx.title)
            ))),
            None => Some(Box::new(terminal(&rule.remediation))),
        }
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.source.as_ref()?;
        let label = self
            .finding
            .label()
            .unwrap_or_else(|| self.finding.message());
        let also = self.also.iter().map(|(at, note)| {
            LabeledSpan::new_with_span(Some(terminal(note).into_owned()), at.start..at.end)
        });
        Some(Box::new(
            std::iter::once(LabeledSpan::new_primary_with_span(
                Some(terminal(&label).into_owned()),
                span.start..span.end,
            ))
            .chain(also),
        ))
    }
}

struct ErrorDiagnostic<'a> {
    error: &'a FileError,
    source: Option<(Snippet, Span)>,
}

impl fmt::Debug for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} could not be scanned", terminal(&self.error.path))?;
        if self.source.is_none() {
            write!(f, ": {}", terminal(&self.error.message))?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorDiagnostic<'_> {}

impl Diagnostic for ErrorDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new("parse-error"))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.error.status {
            Status::Error => miette::Severity::Error,
            _ => miette::Severity::Warning,
        })
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(terminal(&self.error.message).into_owned()),
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

/// The texts snippets show, by path: every secret found in the file masked
/// (a snippet for one finding may show another finding's line as context),
/// hidden characters visible; each made once, when first needed.
struct Texts<'r> {
    result: &'r ScanResult,
    masked: HashMap<&'r str, Arc<str>>,
    shown: HashMap<&'r str, Shown>,
}

impl<'r> Texts<'r> {
    fn new(result: &'r ScanResult) -> Self {
        Texts {
            result,
            masked: masked_texts(result),
            shown: HashMap::new(),
        }
    }

    /// The snippet for `span` of `path`, its header at (line, column).
    fn snippet(
        &mut self,
        path: &'r str,
        span: Option<Span>,
        column: usize,
    ) -> Option<(Snippet, Span)> {
        let span = span?;
        let shown = match self.shown.entry(path) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let text = self
                    .masked
                    .get(path)
                    .or_else(|| self.result.texts.get(path))?;
                e.insert(Shown::new(text))
            }
        };
        let at = Span::new(shown.offset(span.start), shown.offset(span.end));
        Some((
            Snippet {
                name: terminal(path).into_owned(),
                text: Arc::clone(&shown.text),
                primary: Some((at.start, column.saturating_sub(1))),
            },
            at,
        ))
    }

    /// `span` of `path` in the text a snippet of `path` already shows.
    fn shown_span(&self, path: &str, span: Span) -> Option<Span> {
        let shown = self.shown.get(path)?;
        Some(Span::new(shown.offset(span.start), shown.offset(span.end)))
    }
}

/// Each file's text with its secrets masked: every span a secret rule found
/// in the scan (before suppressions and the baseline, so an accepted secret
/// is masked too), every secret finding's own span, and what looks like a
/// credential in a file that could not be parsed.
fn masked_texts(result: &ScanResult) -> HashMap<&str, Arc<str>> {
    let mut spans: HashMap<&str, Vec<Span>> = result
        .masks
        .iter()
        .map(|(path, spans)| (path.as_str(), spans.clone()))
        .collect();
    for f in result.findings.iter().chain(&result.suppressed) {
        if let (true, Some(s)) = (f.rule.secret, f.span()) {
            spans.entry(&*f.path).or_default().push(s);
        }
    }
    // no rule read a file that could not be parsed: what looks like a
    // credential in it is masked in its error's snippet
    for e in &result.errors {
        if let Some(text) = result.texts.get(&e.path) {
            let found = super::snippet::secret_like(text);
            if !found.is_empty() {
                spans.entry(&*e.path).or_default().extend(found);
            }
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

/// The findings the report lists, in its order: with `--quiet` only those
/// that fail the run. The findings arrive in path order; sorts are stable.
fn listed<'r>(result: &'r ScanResult, style: &Style) -> Vec<&'r Finding> {
    let mut shown: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| !style.quiet || style.fail_at.is_some_and(|t| f.severity() >= t))
        .collect();
    match style.sort {
        Sort::Path => {}
        Sort::Severity => shown.sort_by_key(|f| std::cmp::Reverse(f.severity())),
        Sort::Rule => shown.sort_by(|a, b| a.rule.id.cmp(&b.rule.id)),
    }
    shown
}

pub fn render(result: &ScanResult, style: &Style, ctx: &Context) -> String {
    let handler = handler(style);
    let mut texts = Texts::new(result);
    let mut out = String::new();
    let shown = listed(result, style);
    let mut heading: Option<Severity> = None;
    for f in shown.iter().copied() {
        if style.sort == Sort::Severity && heading != Some(f.severity()) {
            heading = Some(f.severity());
            let n = shown
                .iter()
                .filter(|g| g.severity() == f.severity())
                .count();
            let _ = writeln!(
                out,
                "── {} ({}) ──\n",
                f.severity(),
                plural(n, "finding", "findings")
            );
        }
        let source = texts.snippet(&f.path, f.span(), f.location.start_column as usize);
        // where a value set here is used, when in the same file: a label
        let mut also = Vec::new();
        let mut lines = Vec::new();
        for r in f.related.iter().filter(|r| r.role != Role::Hidden) {
            let same_file = source.is_some() && r.role == Role::Landing && r.path == f.path;
            if let Some(at) = r.span.filter(|_| same_file) {
                if let Some(at) = texts.shown_span(&f.path, at) {
                    also.push((at, r.note.as_str()));
                    continue;
                }
            }
            lines.push(r);
        }
        let d = FindingDiagnostic {
            finding: f,
            source,
            also,
            fixable: ctx.fixable.contains(f),
        };
        let _ = handler.render_report(&mut out, &d);
        for r in lines {
            if r.path.is_empty() {
                let _ = writeln!(out, "  = {}", terminal(&r.note));
                continue;
            }
            let what = match r.role {
                Role::ModuleCall => "in a module called".into(),
                Role::Rendered => "rendered".into(),
                _ => terminal(&r.note),
            };
            let _ = writeln!(
                out,
                "  = {what} at {}:{}:{}",
                terminal(&r.path),
                r.location.start_line,
                r.location.start_column
            );
        }
        for fw in &ctx.frameworks {
            let controls = crate::frameworks::controls(&f.rule.id, &f.rule.criteria, *fw);
            let list = if controls.is_empty() {
                "not mapped".to_string()
            } else {
                controls.join(", ")
            };
            let _ = writeln!(out, "  = {}: {list}", fw.short());
        }
        out.push('\n');
    }
    for e in result
        .errors
        .iter()
        .filter(|e| e.status.listed() && (!style.quiet || e.status == Status::Error))
    {
        let source = texts.snippet(&e.path, e.span, e.column);
        let d = ErrorDiagnostic { error: e, source };
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    if ctx.show_suppressed && !style.quiet && !result.suppressed.is_empty() {
        let _ = writeln!(out, "Suppressed findings:");
        for f in &result.suppressed {
            let _ = writeln!(
                out,
                "  {}:{}:{}: {} {} {}",
                terminal(&f.path),
                f.location.start_line,
                f.location.start_column,
                f.rule.severity,
                f.rule.id,
                terminal(&f.message())
            );
            if let Some(s) = &f.suppression {
                let _ = writeln!(out, "      {}", terminal(&describe_suppression(s)));
            }
        }
        out.push('\n');
    }
    if !result.fixed.is_empty() && !style.quiet {
        let _ = writeln!(out, "Fixed since the baseline (remove them from it):");
        for e in &result.fixed {
            let _ = writeln!(
                out,
                "  {} {} {} {}",
                terminal(&e.path),
                terminal(&e.rule_id),
                terminal(&e.resource),
                terminal(&e.fingerprint)
            );
        }
        out.push('\n');
    }
    if style.statistics {
        out.push_str(&statistics(result));
    }
    out.push_str(&summary(result, style.verbose, ctx.fixable.len()));
    escape::guard_workflow_commands(out)
}

/// `--statistics`: one line per rule that found something (count, severity,
/// id, title), most findings first, then most severe, then by id.
fn statistics(result: &ScanResult) -> String {
    let mut per_rule: Vec<(usize, &Finding)> = Vec::new();
    for f in &result.findings {
        match per_rule.iter_mut().find(|(_, g)| g.rule.id == f.rule.id) {
            Some((n, _)) => *n += 1,
            None => per_rule.push((1, f)),
        }
    }
    if per_rule.is_empty() {
        return String::new();
    }
    per_rule.sort_by(|(n, f), (m, g)| {
        m.cmp(n)
            .then_with(|| g.severity().cmp(&f.severity()))
            .then_with(|| f.rule.id.cmp(&g.rule.id))
    });
    let count_width = per_rule[0].0.to_string().len().max("count".len());
    let id_width = per_rule
        .iter()
        .map(|(_, f)| terminal(&f.rule.id).chars().count())
        .max()
        .unwrap_or(0)
        .max("rule".len());
    let mut s = String::from("Findings per rule:\n");
    let _ = writeln!(
        s,
        "  {:>count_width$}  {:<8}  {:<id_width$}  title",
        "count", "severity", "rule"
    );
    for (n, f) in per_rule {
        let _ = writeln!(
            s,
            "  {n:>count_width$}  {:<8}  {:<id_width$}  {}",
            f.severity().name(),
            terminal(&f.rule.id),
            terminal(&f.rule.title)
        );
    }
    s.push('\n');
    s
}

/// The files not scanned, grouped: those that fail the run first, then
/// those that warn; per reason, a line per file (or per directory holding
/// several), at most [`super::GROUP_LINES`] lines a reason.
fn skipped(s: &mut String, result: &ScanResult) {
    let groups = super::skip_groups(result);
    for error in [true, false] {
        let mine: Vec<&super::SkipGroup> = groups.iter().filter(|g| g.error == error).collect();
        let n: usize = mine.iter().map(|g| g.files.len()).sum();
        if n == 0 {
            continue;
        }
        if error {
            let _ = writeln!(
                s,
                "error: {} not scanned, which fails the run (--on-unscanned):",
                super::files(n)
            );
        } else {
            let _ = writeln!(s, "warning: {} not scanned:", super::files(n));
        }
        for g in mine {
            let _ = writeln!(s, "  {}:", g.reason.heading());
            for line in super::skip_lines(&g.files) {
                let _ = match line {
                    super::SkipLine::File(f) => {
                        writeln!(s, "    {}: {}", terminal(&f.path), terminal(&f.detail))
                    }
                    super::SkipLine::Directory { dir, files, detail } => writeln!(
                        s,
                        "    {}/ ({}){}",
                        terminal(dir),
                        super::files(files),
                        detail.map_or(String::new(), |d| format!(": {}", terminal(d)))
                    ),
                    super::SkipLine::More(n) => writeln!(
                        s,
                        "    … and {} more (the JSON and SARIF reports list every one)",
                        super::files(n)
                    ),
                };
            }
        }
    }
}

/// The most unknown values `-v` lists in the human report (the JSON report
/// lists every one).
const MAX_UNKNOWNS_SHOWN: usize = 50;

/// `-v`: the rules that skipped evaluations on unknown values, then each
/// value with why it is unknown and what it skipped, most skips first.
fn unknowns(s: &mut String, result: &ScanResult) {
    let per_rule: Vec<(&String, usize)> = result
        .stats
        .iter()
        .filter(|(_, st)| st.skipped > 0)
        .map(|(id, st)| (id, st.skipped))
        .collect();
    if per_rule.is_empty() {
        return;
    }
    let total: usize = per_rule.iter().map(|(_, n)| n).sum();
    let _ = writeln!(
        s,
        "Skipped on a value not known statically: {} ({})",
        plural(total, "rule evaluation", "rule evaluations"),
        per_rule
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut shown: Vec<&crate::finding::UnknownValue> = result.unknowns.iter().collect();
    // most skips first; the scan's order (path, line) breaks ties
    shown.sort_by_key(|u| std::cmp::Reverse(u.skipped.values().sum::<usize>()));
    for u in shown.iter().take(MAX_UNKNOWNS_SHOWN) {
        let skipped: usize = u.skipped.values().sum();
        let rules = u
            .skipped
            .iter()
            .map(|(id, n)| {
                if *n == 1 {
                    id.clone()
                } else {
                    format!("{id} ×{n}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "  {}:{}:{}: `{}` — {}; skipped {} ({rules})",
            terminal(&u.path),
            u.line,
            u.column,
            terminal(&u.expression),
            terminal(&u.reason),
            plural(skipped, "evaluation", "evaluations"),
        );
    }
    if shown.len() > MAX_UNKNOWNS_SHOWN {
        let _ = writeln!(
            s,
            "  … and {} more (every one in `--format json -v`)",
            plural(
                shown.len() - MAX_UNKNOWNS_SHOWN,
                "unknown value",
                "unknown values"
            )
        );
    }
}

/// Counts a person reads after the findings; timing stays on its own line so
/// snapshot tests can drop it.
pub fn summary(result: &ScanResult, verbose: bool, fixable: usize) -> String {
    let mut s = String::new();
    for n in &result.notices {
        let _ = writeln!(s, "note: {}: {}", terminal(&n.path), terminal(&n.message));
    }
    if !result.remote_modules.is_empty() {
        let _ = writeln!(
            s,
            "note: {} not downloaded (`terraform init` puts them under .terraform/modules, where soclint evaluates them), not evaluated: {}",
            plural(
                result.remote_modules.len(),
                "remote Terraform module source",
                "remote Terraform module sources"
            ),
            terminal(&result.remote_modules.join(", "))
        );
    }
    skipped(&mut s, result);
    let _ = writeln!(
        s,
        "Scanned {} ({}, {}) with {}: {}, {} not parsed{}.",
        plural(result.files_scanned, "file", "files"),
        plural(result.lines_scanned, "line", "lines"),
        plural(result.resources, "resource", "resources"),
        plural(result.rules_active, "rule", "rules"),
        plural(result.findings.len(), "finding", "findings"),
        plural(result.errors.len(), "file", "files"),
        match result.skipped.len() {
            0 => String::new(),
            n => format!(", {n} not scanned"),
        }
    );
    if fixable > 0 {
        // as ruff says it: the marked findings, and how to fix them
        let _ = writeln!(
            s,
            "[*] {} fixable with `soclint check --fix` (`--diff` shows the edits).",
            plural(fixable, "finding", "findings")
        );
    }
    for line in result.scope.sentences() {
        let _ = writeln!(s, "{}", terminal(&line));
    }
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
    let accepted = |name: &str| {
        result
            .errors
            .iter()
            .filter(|e| e.status.name() == name)
            .count()
            + result
                .skipped
                .iter()
                .filter(|s| s.status.name() == name)
                .count()
    };
    let (waived, baselined, ignored) = (
        accepted("waived"),
        accepted("baselined"),
        accepted("ignored"),
    );
    if waived + baselined + ignored > 0 {
        let _ = writeln!(
            s,
            "Files not parsed or not scanned, accepted: {waived} waived, {baselined} in the baseline, {ignored} ignored (--on-unscanned)."
        );
    }
    if verbose {
        let _ = writeln!(
            s,
            "Terraform: {} stayed unknown after evaluation (rules on them skip).",
            plural(
                result.unknown_attributes,
                "attribute value",
                "attribute values"
            )
        );
        unknowns(&mut s, result);
    }
    let _ = writeln!(s, "Finished in {:.3}s.", result.elapsed.as_secs_f64());
    s
}
