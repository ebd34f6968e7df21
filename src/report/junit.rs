//! JUnit XML for CI test tabs: one test case per rule and file that has
//! findings (all its findings in one failure, with locations), one per file
//! that could not be parsed, one per file not scanned (an error when that
//! fails the run, else skipped). Attribute values go through
//! [`xml_attribute`], element text through [`xml`] (the document stays
//! well-formed XML 1.0 whatever a name holds); text from the repository is
//! first made visible with [`terminal`], so it cannot add lines of its own.
use std::collections::BTreeMap;
use std::fmt::Write;

use super::{listed, Context};
use crate::escape::{terminal, xml, xml_attribute};
use crate::finding::{Finding, ScanResult};
use crate::unscanned::Status;
use crate::wording::plural;

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
            xml_attribute(rule),
            xml_attribute(rule),
            xml_attribute(&terminal(path)),
            xml_attribute(path)
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
                    terminal(&f.path),
                    f.location.start_line,
                    f.location.start_column,
                    terminal(&f.message())
                );
            }
            let _ = writeln!(text, "Remediation: {}", terminal(&r.remediation));
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml_attribute(&format!(
                    "{} [{}] {}: {}",
                    terminal(&r.title),
                    r.criteria.join(", "),
                    plural(active.len(), "finding", "findings"),
                    r.severity
                )),
                r.severity.name(),
                xml(&text)
            );
        }
        let _ = writeln!(body, "    </testcase>");
    }
    let errors: Vec<_> = result.errors.iter().filter(|e| e.status.listed()).collect();
    for e in &errors {
        let _ = writeln!(
            body,
            "    <testcase classname=\"parse-error\" name=\"parse {}\" file=\"{}\">\n      <error message=\"{}\">{}:{}:{}: {}</error>\n    </testcase>",
            xml_attribute(&terminal(&e.path)),
            xml_attribute(&e.path),
            xml_attribute(&terminal(&e.message)),
            xml(&terminal(&e.path)),
            e.line,
            e.column,
            xml(&terminal(&e.message))
        );
    }
    // a file not scanned: an error when that fails the run, else skipped
    let skipped: Vec<_> = result
        .skipped
        .iter()
        .filter(|s| s.status.listed())
        .collect();
    let mut skipped_errors = 0;
    for s in &skipped {
        let message =
            xml_attribute(&format!("{}: {}", s.reason.what(), terminal(&s.detail))).into_owned();
        let outcome = if s.status == Status::Error {
            skipped_errors += 1;
            format!("<error message=\"{message}\"/>")
        } else {
            format!("<skipped message=\"{message}\"/>")
        };
        let _ = writeln!(
            body,
            "    <testcase classname=\"not-scanned\" name=\"not scanned {}\" file=\"{}\">\n      {outcome}\n    </testcase>",
            xml_attribute(&terminal(&s.path)),
            xml_attribute(&s.path),
        );
    }
    let tests = cases.len() + errors.len() + skipped.len();
    let error_count = errors.len() + skipped_errors;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"soclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{error_count}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"soclint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{error_count}\" skipped=\"{}\">",
        cases.len() - failures + skipped.len() - skipped_errors
    );
    out.push_str(&body);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
