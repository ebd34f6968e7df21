//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`:
//! counts by severity and criterion, then the most severe findings with links.
//! Paths are code spans and other text from the repository is escaped
//! ([`crate::escape`]): it renders as written, never as a link, an image,
//! HTML or a mention.
use std::fmt::Write;

use super::{criteria_list, Context};
use crate::escape::{markdown as cell, markdown_code, uri_path};
use crate::finding::{Finding, ScanResult};
use crate::rules::Severity;
use crate::wording::plural;

const TOP: usize = 25;

/// `path:line` as a code span, linked to the file when the blob URL is known.
fn link(f: &Finding, ctx: &Context) -> String {
    let text = markdown_code(&format!("{}:{}", f.path, f.location.start_line), true);
    match &ctx.link_base {
        Some(base) => format!(
            "[{text}]({base}{}#L{})",
            uri_path(&f.path),
            f.location.start_line
        ),
        None => text,
    }
}

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut s = String::new();
    let n = result.findings.len();
    let verdict = if n == 0 && !result.failing_gaps() {
        "no findings"
    } else {
        "findings to fix"
    };
    let _ = writeln!(s, "## soclint: {verdict}\n");
    let not_scanned = match result.skipped.len() {
        0 => String::new(),
        k => format!(", {} not scanned", plural(k, "file", "files")),
    };
    let _ = writeln!(
        s,
        "{} in {} scanned; {} suppressed, {} in the baseline, {} fixed since the baseline, {} not parsed{not_scanned}.\n",
        plural(n, "finding", "findings"),
        plural(result.files_scanned, "file", "files"),
        result.suppressed.len(),
        result.baselined,
        result.fixed.len(),
        plural(result.errors.len(), "file", "files")
    );
    let scope = result.scope.sentences();
    if !scope.is_empty() {
        let lines: Vec<String> = scope.iter().map(|l| cell(l).into_owned()).collect();
        let _ = writeln!(s, "{}\n", lines.join(" "));
    }
    if n > 0 {
        let by_sev = result.count_by_severity();
        let _ = writeln!(s, "| Severity | Findings |\n|---|---:|");
        for sev in Severity::ALL {
            if let Some(c) = by_sev.get(&sev) {
                let _ = writeln!(s, "| {sev} | {c} |");
            }
        }
        let _ = writeln!(s, "\n| Criterion | Findings |\n|---|---:|");
        for (c, k) in result.count_by_criterion() {
            let _ = writeln!(s, "| {c} | {k} |");
        }
        let mut top: Vec<&Finding> = result.findings.iter().collect();
        top.sort_by(|a, b| {
            b.rule
                .severity
                .cmp(&a.rule.severity)
                .then_with(|| a.sort_key().cmp(&b.sort_key()))
        });
        let _ = writeln!(
            s,
            "\n### Top findings\n\n| Severity | Rule | Criteria | Location | Message |\n|---|---|---|---|---|"
        );
        for f in top.iter().take(TOP) {
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} |",
                f.rule.severity,
                f.rule.id,
                criteria_list(&f.rule.criteria),
                link(f, ctx),
                cell(&f.message())
            );
        }
        if n > TOP {
            let _ = writeln!(s, "\n…and {} more.", n - TOP);
        }
    }
    let errors: Vec<_> = result.errors.iter().filter(|e| e.status.listed()).collect();
    if !errors.is_empty() {
        let _ = writeln!(s, "\n### Files not parsed\n");
        for e in errors {
            let _ = writeln!(
                s,
                "- {}: {}",
                markdown_code(&format!("{}:{}", e.path, e.line), false),
                cell(&e.message)
            );
        }
    }
    skipped(&mut s, result);
    if ctx.show_suppressed && !result.suppressed.is_empty() {
        let _ = writeln!(
            s,
            "\n### Suppressed\n\n| Rule | Location | Justification |\n|---|---|---|"
        );
        for f in &result.suppressed {
            let why = f
                .suppression
                .as_deref()
                .map(super::describe_suppression)
                .unwrap_or_default();
            let _ = writeln!(s, "| `{}` | {} | {} |", f.rule.id, link(f, ctx), cell(&why));
        }
    }
    if !result.fixed.is_empty() {
        let _ = writeln!(s, "\n### Fixed since the baseline\n");
        for e in &result.fixed {
            let _ = writeln!(
                s,
                "- {} {} {}",
                markdown_code(&e.rule_id, false),
                markdown_code(&e.path, false),
                cell(&e.resource)
            );
        }
    }
    s
}

/// The files not scanned, grouped by reason as in the terminal report.
fn skipped(s: &mut String, result: &ScanResult) {
    let groups = super::skip_groups(result);
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n### Files not scanned\n");
    for g in &groups {
        let _ = writeln!(
            s,
            "- **{}** ({}{}):",
            g.reason.heading(),
            super::files(g.files.len()),
            if g.error { ", fails the run" } else { "" }
        );
        for line in super::skip_lines(&g.files) {
            let _ = match line {
                super::SkipLine::File(f) => writeln!(
                    s,
                    "  - {}: {}",
                    markdown_code(&f.path, false),
                    cell(&f.detail)
                ),
                super::SkipLine::Directory { dir, files, detail } => writeln!(
                    s,
                    "  - {} ({}){}",
                    markdown_code(&format!("{dir}/"), false),
                    super::files(files),
                    detail.map_or(String::new(), |d| format!(": {}", cell(d)))
                ),
                super::SkipLine::More(n) => writeln!(
                    s,
                    "  - …and {} more (the JSON and SARIF reports list every one)",
                    super::files(n)
                ),
            };
        }
    }
}
