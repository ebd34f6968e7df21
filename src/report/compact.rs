//! `path:line:col: SEVERITY RULE_ID [CC6.1,CC6.7] message`, one line a finding.
use std::fmt::Write;

use super::{describe_suppression, listed, Context};
use crate::finding::ScanResult;

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut out = String::new();
    for f in listed(result, ctx) {
        let via: String = f
            .related
            .iter()
            .map(|r| {
                format!(
                    " (via {}:{}:{})",
                    r.path, r.location.start_line, r.location.start_column
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {} [{}] {}{via}",
            f.path,
            f.location.start_line,
            f.location.start_column,
            f.rule.severity.name().to_ascii_uppercase(),
            f.rule.id,
            f.rule.criteria.join(","),
            f.message
        );
        if let Some(s) = &f.suppression {
            out.pop();
            let _ = writeln!(out, " [suppressed: {}]", describe_suppression(s));
        }
    }
    for e in &result.errors {
        let _ = writeln!(
            out,
            "{}:{}:{}: ERROR parse-error {}",
            e.path, e.line, e.column, e.message
        );
    }
    out
}
