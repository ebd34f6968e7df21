//! JUnit XML for CI test tabs: one test case per rule and file that has
//! findings (all its findings in one failure, with locations), one per file
//! that could not be parsed.
use std::collections::BTreeMap;
use std::fmt::Write;

use super::{listed, Context};
use crate::finding::{Finding, ScanResult};

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut cases: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in listed(result, ctx) {
        cases.entry((&f.rule.id, &f.path)).or_default().push(f);
    }
    let failures = cases
        .values()
        .filter(|fs| fs.iter().any(|f| f.suppression.is_none()))
        .count();
    let mut body = String::new();
    for ((rule, path), fs) in &cases {
        let r = &fs[0].rule;
        let _ = writeln!(
            body,
            "    <testcase classname=\"{}\" name=\"{} {}\" file=\"{}\">",
            escape(rule),
            escape(rule),
            escape(path),
            escape(path)
        );
        let active: Vec<&&Finding> = fs.iter().filter(|f| f.suppression.is_none()).collect();
        if active.is_empty() {
            let _ = writeln!(body, "      <skipped message=\"suppressed\"/>");
        } else {
            let mut text = String::new();
            for f in &active {
                let _ = writeln!(
                    text,
                    "{}:{}:{}: {}",
                    f.path, f.location.start_line, f.location.start_column, f.message
                );
            }
            let _ = writeln!(text, "Remediation: {}", r.remediation);
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&format!(
                    "{} [{}] {} finding(s): {}",
                    r.title,
                    r.criteria.join(", "),
                    active.len(),
                    r.severity
                )),
                escape(r.severity.name()),
                escape(&text)
            );
        }
        let _ = writeln!(body, "    </testcase>");
    }
    for e in &result.errors {
        let _ = writeln!(
            body,
            "    <testcase classname=\"parse-error\" name=\"parse {}\" file=\"{}\">\n      <error message=\"{}\">{}:{}:{}: {}</error>\n    </testcase>",
            escape(&e.path),
            escape(&e.path),
            escape(&e.message),
            escape(&e.path),
            e.line,
            e.column,
            escape(&e.message)
        );
    }
    let tests = cases.len() + result.errors.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"soclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">",
        result.errors.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"soclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\" skipped=\"{}\">",
        result.errors.len(),
        cases.len() - failures
    );
    out.push_str(&body);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
