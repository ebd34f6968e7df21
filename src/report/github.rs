//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! line per finding, which GitHub shows as annotations on the pull request.
//! The `file` property carries the path exactly (so the annotation lands on
//! it); titles and messages, which GitHub shows, go through
//! [`crate::escape::terminal`] first, so no escape sequence reaches the log.
use std::fmt::Write;

use super::{level, listed, Context};
use crate::escape::terminal;
use crate::finding::ScanResult;

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
                terminal(&f.message),
                terminal(&f.rule.remediation)
            )),
        );
    }
    for e in &result.errors {
        let _ = writeln!(
            out,
            "::error file={},line={},col={},title={}::{}",
            escape_property(&e.path),
            e.line,
            e.column,
            escape_property("soclint: file could not be parsed"),
            escape_data(&terminal(&e.message))
        );
    }
    let _ = writeln!(
        out,
        "soclint: {} finding(s), {} suppressed, {} in the baseline, {} file(s) not parsed",
        result.findings.len(),
        result.suppressed.len(),
        result.baselined,
        result.errors.len()
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(super::escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
