//! The evidence report as Markdown (for a pull request, a wiki or a PDF
//! converter): the same sections as the HTML report, without the charts.
use std::borrow::Cow;
use std::fmt::Write;

use crate::escape::markdown_code;
use crate::wording::plural;

use super::model::{Evidence, RuleEvidence, Status};
use super::render::{categories, file_href};
use super::status::RunResult;

/// Text that renders as written, never as markup ([`crate::escape::markdown`]).
fn md(s: &str) -> Cow<'_, str> {
    crate::escape::markdown(s)
}

/// A rule's own text: Markdown as written for the built-in pack, escaped
/// for a repository's rule files.
fn rule_text(s: &str, builtin: bool) -> Cow<'_, str> {
    if builtin {
        Cow::Borrowed(s)
    } else {
        md(s)
    }
}

fn status_md(s: Status) -> String {
    let mark = match s {
        Status::ExceptionsFound => "❌",
        Status::NoExceptions => "✅",
        Status::NoExceptionsPartial => "◐",
        Status::ManualEvidenceRequired => "📝",
        Status::NotInScope => "➖",
    };
    format!("{mark} {}", s.label())
}

pub fn render(ev: &Evidence) -> String {
    let mut s = String::new();
    let h = &ev.header;
    let t = &ev.totals;
    let _ = writeln!(s, "# SOC 2 evidence report\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    let code_or_dash =
        |v: &Option<String>| v.as_deref().map_or("—".into(), |r| markdown_code(r, true));
    let _ = writeln!(s, "| Repository | {} |", code_or_dash(&h.repository));
    let _ = writeln!(s, "| Commit | {} |", code_or_dash(&h.commit));
    let _ = writeln!(s, "| Branch | {} |", code_or_dash(&h.branch));
    let _ = writeln!(
        s,
        "| Scanned path | {} |",
        markdown_code(&h.scanned_path, true)
    );
    let _ = writeln!(s, "| Scan time (UTC) | {} |", h.scan_time);
    let _ = writeln!(s, "| soclint version | {} |", h.soclint_version);
    let _ = writeln!(
        s,
        "| Rule set | {} active rules, SHA-256 `{}` |",
        h.rules_active, h.ruleset_hash
    );
    let _ = writeln!(s, "| SOC 2 categories in scope | {} |", categories(ev));
    let _ = writeln!(
        s,
        "| Scanned | {}, {}, {}, {} not scanned |",
        plural(h.files_scanned, "file", "files"),
        plural(h.resources, "resource", "resources"),
        plural(h.parse_errors, "parse error", "parse errors"),
        plural(h.not_scanned, "file", "files")
    );
    let _ = writeln!(
        s,
        "| Control matrix | {} |\n",
        h.controls_file
            .as_deref()
            .map_or("none".into(), |f| markdown_code(f, true))
    );

    let _ = writeln!(s, "## How to read the statuses\n");
    for d in &ev.statuses {
        let _ = writeln!(s, "- **{}**: {}", status_md(d.status), d.meaning);
    }
    s.push('\n');

    let _ = writeln!(s, "## Summary\n");
    let by = |st: Status| t.criteria_by_status.get(&st).copied().unwrap_or(0);
    let _ = writeln!(
        s,
        "{} criteria in scope: **{} with exceptions found**, {} with no exceptions in automated \
         checks ({} of them with partial coverage), {} needing manual evidence only. \
         {} rule evaluations passed, {} failed, {} were skipped (value not known statically); \
         {}.\n",
        t.criteria_in_scope,
        by(Status::ExceptionsFound),
        by(Status::NoExceptions) + by(Status::NoExceptionsPartial),
        by(Status::NoExceptionsPartial),
        by(Status::ManualEvidenceRequired),
        t.passed,
        t.failed,
        t.skipped,
        plural(t.suppressed, "accepted exception", "accepted exceptions")
    );
    let _ = writeln!(
        s,
        "| family | area | criteria | exceptions found | no exceptions | manual only | evaluations passed | evaluations failed |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for f in &ev.families {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            f.family,
            f.area,
            f.criteria,
            f.exceptions_found,
            f.no_exceptions,
            f.manual,
            f.passed,
            f.failed
        );
    }

    if h.controls_file.is_some() {
        let _ = writeln!(s, "\n## Control matrix\n");
        let _ = writeln!(
            s,
            "| control | title | owner | frequency | criteria | rules | passed | failed | skipped | accepted | status |\n|---|---|---|---|---|---:|---:|---:|---:|---:|---|"
        );
        for c in &ev.controls {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&c.id),
                md(&c.title),
                md(&c.owner),
                c.frequency.name(),
                md(&c.criteria.join(", ")),
                c.rules.len(),
                c.passed,
                c.failed,
                c.skipped,
                c.suppressed,
                status_md(c.status)
            );
        }
        s.push('\n');
        for c in ev
            .controls
            .iter()
            .filter(|c| !c.evidence.is_empty() || !c.unmatched.is_empty())
        {
            let _ = writeln!(s, "- **{}**:", md(&c.id));
            for e in &c.evidence {
                let _ = writeln!(s, "  - manual evidence: {}", md(&e.name));
            }
            if !c.unmatched.is_empty() {
                let _ = writeln!(
                    s,
                    "  - selectors that match no active rule: {}",
                    md(&c.unmatched.join(", "))
                );
            }
        }
    }

    if let Some(fv) = &ev.framework {
        let _ = writeln!(s, "\n## {}\n", fv.name);
        let _ = writeln!(
            s,
            "| control | rules | passed | failed | skipped | accepted | status |\n|---|---|---:|---:|---:|---:|---|"
        );
        for c in &fv.controls {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.id,
                c.rules.join(", "),
                c.passed,
                c.failed,
                c.skipped,
                c.suppressed,
                status_md(c.status)
            );
        }
    }

    let _ = writeln!(s, "\n## Criteria matrix\n");
    let _ = writeln!(
        s,
        "Points of focus: tested here / testable by static checks / all of the criterion's.\n"
    );
    let _ = writeln!(
        s,
        "| criterion | title | points of focus | rules | resources | passed | failed | skipped | accepted | status |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for c in &ev.criteria {
        let _ = writeln!(
            s,
            "| {} | {} | {} / {} / {} | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.title,
            c.points_tested(),
            c.points_testable.len(),
            c.points_total,
            c.rules.len(),
            c.resources,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed,
            status_md(c.status)
        );
    }

    let _ = writeln!(s, "\n## Criteria in detail\n");
    for c in ev
        .criteria
        .iter()
        .filter(|c| c.in_scope && (!c.rules.is_empty() || !c.points_testable.is_empty()))
    {
        let _ = writeln!(s, "### {} {}\n", c.id, c.title);
        let _ = writeln!(
            s,
            "{} · {} resources examined · {} passed · {} failed · {} skipped · {} accepted\n",
            status_md(c.status),
            c.resources,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed
        );
        let _ = writeln!(
            s,
            "Points of focus: {} in all; static checks can evidence {}, {} tested here; {} need evidence from outside the repository.\n",
            c.points_total,
            c.points_testable.len(),
            c.points_tested(),
            c.points_other_evidence
        );
        for p in &c.points_testable {
            let mark = if p.tested {
                format!("tested by {}", p.rules_tested.join(", "))
            } else {
                "not tested here".to_string()
            };
            let _ = writeln!(s, "- {} {}: {mark}", p.id, p.evidence);
        }
        if !c.points_testable.is_empty() {
            s.push('\n');
        }
        let rules: Vec<&RuleEvidence> = c.rules.iter().filter_map(|id| ev.rule(id)).collect();
        let (active, idle): (Vec<&RuleEvidence>, Vec<&RuleEvidence>) =
            rules.into_iter().partition(|r| r.evaluated() > 0);
        if !active.is_empty() {
            let _ = writeln!(
                s,
                "| rule | severity | title | resources | passed | failed | skipped | accepted |\n|---|---|---|---:|---:|---:|---:|---:|"
            );
            for r in &active {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    md(&r.id),
                    r.severity,
                    rule_text(&r.title, r.builtin),
                    r.resources,
                    r.passed,
                    r.failed,
                    r.skipped,
                    r.suppressed
                );
            }
            s.push('\n');
        }
        if !idle.is_empty() {
            let ids: Vec<&str> = idle.iter().map(|r| r.id.as_str()).collect();
            let _ = writeln!(
                s,
                "Nothing to evaluate in this repository for: {}.\n",
                md(&ids.join(", "))
            );
        }
        if active.iter().any(|r| !r.findings.is_empty()) {
            let _ = writeln!(s, "Findings:\n");
            for r in &active {
                for f in &r.findings {
                    let _ = writeln!(
                        s,
                        "- **{}** ({}) [{}]({}) {}: {}  \n  Fix: {}",
                        md(&f.rule_id),
                        f.severity,
                        markdown_code(&format!("{}:{}", f.path, f.line), false),
                        file_href(ev, &f.path, f.line),
                        markdown_code(&f.resource, false),
                        md(&f.message),
                        rule_text(&r.remediation, r.builtin)
                    );
                }
                if r.failed > r.findings.len() {
                    let _ = writeln!(
                        s,
                        "- **{}**: and {} more in its population",
                        md(&r.id),
                        r.failed - r.findings.len()
                    );
                }
            }
            s.push('\n');
        }
    }

    let _ = writeln!(s, "## Populations\n");
    let _ = writeln!(
        s,
        "Per rule, how many evaluations it made and on how many resources; every evaluation with its \
         verdict is in `soclint report --format csv` and `--format json`.\n"
    );
    let _ = writeln!(
        s,
        "| rule | evaluations | passed | failed | skipped | accepted | resources |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for r in ev.rules.iter().filter(|r| r.evaluated() > 0) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&r.id),
            r.evaluated(),
            r.passed,
            r.failed,
            r.skipped,
            r.suppressed,
            r.resources
        );
    }
    s.push('\n');

    let _ = writeln!(s, "## Exceptions register\n");
    if ev.exceptions.is_empty() {
        let _ = writeln!(
            s,
            "No suppressions or waivers are recorded for this scan.\n"
        );
    } else {
        let _ = writeln!(
            s,
            "| rule | criteria | finding | accepted at | reason | owner | ticket | expires |\n|---|---|---|---|---|---|---|---|"
        );
        for e in &ev.exceptions {
            let flag = if e.expired {
                " **(expired)**"
            } else if e.expiring_soon {
                " **(expires within 30 days)**"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {}{} |",
                md(&e.rule_id),
                e.criteria.join(", "),
                md(&match (&e.path, e.line) {
                    (Some(p), Some(l)) => format!("{p}:{l}"),
                    (Some(p), None) => p.clone(),
                    _ => "—".into(),
                }),
                md(&e.location),
                md(&e.reason),
                md(e.owner.as_deref().unwrap_or("—")),
                md(e.ticket.as_deref().unwrap_or("—")),
                md(e.expires.as_deref().unwrap_or("never")),
                flag
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## What the scan could not see\n");
    let manual: Vec<&str> = ev
        .criteria
        .iter()
        .filter(|c| c.status == Status::ManualEvidenceRequired)
        .map(|c| c.id.as_str())
        .collect();
    let _ = writeln!(
        s,
        "- **Criteria in scope with no automated verdict** ({}): {}",
        manual.len(),
        if manual.is_empty() {
            "none".to_string()
        } else {
            manual.join(", ")
        }
    );
    if ev.not_scanned.is_empty() {
        let _ = writeln!(s, "- **Files not scanned** (0): none");
    } else {
        let _ = writeln!(
            s,
            "- **Files not scanned** ({}): their evidence is not covered above\n",
            ev.not_scanned.len()
        );
        let _ = writeln!(s, "  | File | Why | Detail | Status |\n  |---|---|---|---|");
        for n in &ev.not_scanned {
            let _ = writeln!(
                s,
                "  | {} | {} | {} | {} |",
                crate::escape::markdown_code(&n.path, true),
                n.what,
                md(&n.detail),
                n.status
            );
        }
    }
    s.push('\n');

    if let Some(hv) = &ev.history {
        let _ = writeln!(s, "## History\n");
        let _ = writeln!(
            s,
            "{}, {} to {}.{}\n",
            plural(hv.runs.len(), "run", "runs"),
            // times are in one canonical form (`history::parse`): no markup
            hv.runs.first().map_or("—", |r| r.time.as_str()),
            hv.runs.last().map_or("—", |r| r.time.as_str()),
            if hv.ruleset_changed {
                " The rule set changed between runs."
            } else {
                ""
            }
        );
        if !hv.problems.is_empty() {
            let _ = writeln!(
                s,
                "{} reading the history file: {}.\n",
                plural(hv.problems.len(), "problem", "problems"),
                md(&hv.problems.join("; "))
            );
        }
        let _ = writeln!(
            s,
            "Legend: ✅ no exceptions, ❌ exceptions found, ➖ nothing tested, · not in that run.\n"
        );
        let _ = writeln!(
            s,
            "| criterion | runs (oldest first) | longest stretch without exceptions |\n|---|---|---|"
        );
        for row in &hv.rows {
            let marks: String = row
                .statuses
                .iter()
                .map(|st| match st {
                    Some(RunResult::NoExceptions) => "✅",
                    Some(RunResult::Exceptions) => "❌",
                    Some(RunResult::NothingTested) => "➖",
                    None => "·",
                })
                .collect();
            let longest = match &row.longest_without_exceptions {
                Some(st) => format!(
                    "{} ({}, {} to {}{})",
                    plural(st.days as usize, "day", "days"),
                    plural(st.runs, "run", "runs"),
                    st.from,
                    st.to,
                    if st.ongoing { ", still holding" } else { "" }
                ),
                None => "none".into(),
            };
            let _ = writeln!(s, "| {} | {} | {} |", md(&row.id), marks, longest);
        }
        s.push('\n');
    }
    if let Some(p) = &ev.period {
        let _ = writeln!(s, "## Review period {} to {}\n", p.from, p.to);
        let _ = writeln!(
            s,
            "| id | frequency | runs | gaps | failing stretches | conclusion |\n|---|---|---:|---|---|---|"
        );
        let stretches =
            |v: &[super::period::Stretch]| super::period::describe_stretches(v, " to ", "; ");
        for c in &p.controls {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {}{} |",
                md(&c.id),
                c.frequency.name(),
                c.runs,
                stretches(&c.gaps),
                stretches(&c.failing),
                if c.operated_throughout {
                    "operated throughout: "
                } else {
                    ""
                },
                c.conclusion
            );
        }
        let _ = writeln!(
            s,
            "\nFindings open during the period: {} ({} still open at its end).\n",
            p.exceptions.len(),
            p.open_at_end
        );
        for x in &p.exceptions {
            let _ = writeln!(
                s,
                "- {} {} {}: opened {}, {}{}",
                md(&x.rule),
                markdown_code(&x.path, false),
                markdown_code(&x.resource, false),
                x.opened,
                x.closed
                    .as_deref()
                    .map_or("still open".to_string(), |c| format!("closed {c}")),
                if x.accepted { " (accepted)" } else { "" }
            );
        }
        s.push('\n');
    }
    s
}
