//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! line per finding, which GitHub shows as annotations on the pull request,
//! then one per file that did not parse or was not scanned (grouped by
//! reason when there are many).
//! The `file` property carries the path exactly (so the annotation lands on
//! it); titles and messages, which GitHub shows, go through
//! [`crate::escape::terminal`] first, so no escape sequence reaches the log.
use std::fmt::Write;

use super::{level, listed, Context};
use crate::escape::terminal;
use crate::finding::ScanResult;
use crate::unscanned::Status;
use crate::wording::plural;

/// Escaping of a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut out = String::new();
    for f in listed(result, ctx) {
        let command = match (&f.suppression, level(f.rule.severity)) {
            (Some(_), _) | (None, "note") => "notice",
            (None, l) => l,
        };
        let mut title = format!(
            "{} {} [{}]",
            f.rule.id,
            f.rule.title,
            f.rule.criteria.join(", ")
        );
        if f.suppression.is_some() {
            title.push_str(" (suppressed)");
        }
        let l = &f.location;
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&f.path),
            l.start_line,
            l.start_column,
            l.end_line,
            l.end_column,
            escape_property(&terminal(&title)),
            escape_data(&format!(
                "{}\n{}",
                terminal(&f.message()),
                terminal(&f.rule.remediation)
            )),
        );
    }
    for e in result.errors.iter().filter(|e| e.status.listed()) {
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            gap_command(&e.status),
            escape_property(&e.path),
            e.line,
            e.column,
            escape_property("soclint: file could not be parsed"),
            escape_data(&terminal(&e.message))
        );
    }
    skipped(&mut out, result);
    let _ = write!(
        out,
        "soclint: {}, {} suppressed, {} in the baseline, {} not parsed",
        plural(result.findings.len(), "finding", "findings"),
        result.suppressed.len(),
        result.baselined,
        plural(result.errors.len(), "file", "files")
    );
    if !result.skipped.is_empty() {
        let _ = write!(
            out,
            ", {} not scanned",
            plural(result.skipped.len(), "file", "files")
        );
    }
    out.push('\n');
    out
}

/// `error` for a gap that fails the run, else `warning`.
fn gap_command(status: &Status) -> &'static str {
    if *status == Status::Error {
        "error"
    } else {
        "warning"
    }
}

/// Skipped files at most this many get an annotation each; more are grouped
/// by reason (GitHub shows ten annotations of a level per step).
const ONE_EACH: usize = 10;

/// An annotation per skipped file, or when there are many, one per reason
/// naming the files (the first [`super::GROUP_LINES`] lines of the group).
fn skipped(out: &mut String, result: &ScanResult) {
    let groups = super::skip_groups(result);
    let total: usize = groups.iter().map(|g| g.files.len()).sum();
    for g in &groups {
        let command = if g.error { "error" } else { "warning" };
        if total <= ONE_EACH {
            for f in &g.files {
                let _ = writeln!(
                    out,
                    "::{command} file={},title={}::{}",
                    escape_property(&f.path),
                    escape_property(&format!("soclint: not scanned ({})", g.reason.what())),
                    escape_data(&terminal(&f.detail))
                );
            }
            continue;
        }
        let names: Vec<String> = super::skip_lines(&g.files)
            .into_iter()
            .map(|line| match line {
                super::SkipLine::File(f) => terminal(&f.path).into_owned(),
                super::SkipLine::Directory { dir, files, .. } => {
                    format!("{}/ ({})", terminal(dir), super::files(files))
                }
                super::SkipLine::More(n) => format!("and {} more", super::files(n)),
            })
            .collect();
        let _ = writeln!(
            out,
            "::{command} title={}::{}",
            escape_property(&format!(
                "soclint: {} not scanned ({})",
                super::files(g.files.len()),
                g.reason.heading()
            )),
            escape_data(&names.join(", "))
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
