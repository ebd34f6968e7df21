//! `path:line:col: SEVERITY RULE_ID [CC6.1,CC6.7] message`, one line a finding
//! (the pre-commit hook's format). Text from the repository goes through
//! [`escape::terminal`], the whole report through the workflow-command guard.
use std::fmt::Write;

use super::{describe_suppression, listed, Context};
use crate::escape::{self, terminal};
use crate::finding::{RelatedKind, ScanResult};

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut out = String::new();
    for f in listed(result, ctx) {
        let _ = write!(
            out,
            "{}:{}:{}: {} {} [{}] {}",
            terminal(&f.path),
            f.location.start_line,
            f.location.start_column,
            f.rule.severity.name().to_ascii_uppercase(),
            f.rule.id,
            f.rule.criteria.join(","),
            terminal(&f.message)
        );
        for r in &f.related {
            let what = match r.kind {
                RelatedKind::ModuleCall => "via",
                RelatedKind::Rendered => "rendered at",
            };
            let _ = write!(
                out,
                " ({what} {}:{}:{})",
                terminal(&r.path),
                r.location.start_line,
                r.location.start_column
            );
        }
        if let Some(s) = &f.suppression {
            let _ = write!(out, " [suppressed: {}]", terminal(&describe_suppression(s)));
        }
        out.push('\n');
    }
    for e in &result.errors {
        let _ = writeln!(
            out,
            "{}:{}:{}: ERROR parse-error {}",
            terminal(&e.path),
            e.line,
            e.column,
            terminal(&e.message)
        );
    }
    escape::guard_workflow_commands(out)
}
