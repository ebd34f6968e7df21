//! `path:line:col: SEVERITY RULE_ID [CC6.1,CC6.7] message`, one line a finding
//! (the pre-commit hook's format); then a line per file that did not parse
//! (`parse-error`) or was not scanned (`not-scanned REASON: why`). Text from the repository goes through
//! [`escape::terminal`], the whole report through the workflow-command guard.
use std::fmt::Write;

use super::{describe_suppression, listed, Context};
use crate::escape::{self, terminal};
use crate::finding::{Role, ScanResult};
use crate::unscanned::Status;

/// A coverage gap's level: `ERROR` when it fails the run, else `WARNING`.
fn level(status: &Status) -> &'static str {
    if *status == Status::Error {
        "ERROR"
    } else {
        "WARNING"
    }
}

pub fn render(result: &ScanResult, ctx: &Context) -> String {
    let mut out = String::new();
    for f in listed(result, ctx) {
        let _ = write!(
            out,
            "{}:{}:{}: {} {} [{}]{} {}",
            terminal(&f.path),
            f.location.start_line,
            f.location.start_column,
            f.rule.severity.name().to_ascii_uppercase(),
            f.rule.id,
            f.rule.criteria.join(","),
            super::framework_tags(&f.rule, ctx),
            terminal(&f.message())
        );
        for r in &f.related {
            let what = match r.role {
                Role::Landing => "used at",
                Role::ModuleCall => "via",
                Role::Rendered => "rendered at",
                Role::SetAt => {
                    let _ = write!(out, " ({})", terminal(&r.note));
                    continue;
                }
                Role::Hidden => continue,
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
    for e in result.errors.iter().filter(|e| e.status.listed()) {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} parse-error {}",
            terminal(&e.path),
            e.line,
            e.column,
            level(&e.status),
            terminal(&e.message)
        );
    }
    for s in result.skipped.iter().filter(|s| s.status.listed()) {
        let _ = writeln!(
            out,
            "{}:1:1: {} not-scanned {}: {}",
            terminal(&s.path),
            level(&s.status),
            s.reason.id(),
            terminal(&s.detail)
        );
    }
    escape::guard_workflow_commands(out)
}
