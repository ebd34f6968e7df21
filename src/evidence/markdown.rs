//! The evidence report as Markdown (for a pull request, a wiki or a PDF
//! converter): the same sections as the HTML report, without the charts.
use std::borrow::Cow;
use std::fmt::Write;

use crate::escape::markdown_code;

use super::model::{Coverage, Evidence, Status};
use super::render::{categories, file_href, split_rules, static_label};

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

fn status_md(s: Status) -> &'static str {
    match s {
        Status::Passing => "✅ passing",
        Status::Failing => "❌ failing",
        Status::NotEvidenced => "➖ not evidenced by code",
    }
}

pub fn render(ev: &Evidence) -> String {
    let mut s = String::new();
    let h = &ev.header;
    let t = &ev.totals;
    let _ = writeln!(s, "# SOC 2 evidence report\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Repository | {} |",
        h.repository
            .as_deref()
            .map_or("—".into(), |r| markdown_code(r, true))
    );
    let _ = writeln!(
        s,
        "| Commit | {} |",
        h.commit
            .as_deref()
            .map_or("—".into(), |c| markdown_code(c, true))
    );
    let _ = writeln!(
        s,
        "| Branch | {} |",
        h.branch
            .as_deref()
            .map_or("—".into(), |b| markdown_code(b, true))
    );
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
        "| Scanned | {} files, {} resources, {} parse error(s), {} file(s) not scanned |\n",
        h.files_scanned, h.resources, h.parse_errors, h.not_scanned
    );

    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(
        s,
        "{} criteria in scope: **{} passing**, **{} failing**, {} not evidenced by code. \
         {} rule evaluations passed, {} failed, {} were skipped (value not known statically); \
         {} findings; {} exception(s).\n",
        t.criteria,
        t.passing,
        t.failing,
        t.not_evidenced,
        t.passed,
        t.failed,
        t.skipped,
        t.findings,
        t.suppressed
    );
    let _ = writeln!(
        s,
        "| family | area | criteria | passing | failing | not evidenced | evaluations passed | evaluations failed |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    for f in &ev.families {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            f.family, f.area, f.criteria, f.passing, f.failing, f.not_evidenced, f.passed, f.failed
        );
    }

    let _ = writeln!(s, "\n## Criteria matrix\n");
    let _ = writeln!(
        s,
        "| criterion | title | rules | resources checked | passed | failed | skipped | suppressed | status |\n|---|---|---:|---:|---:|---:|---:|---:|---|"
    );
    for c in &ev.criteria {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.title,
            c.rules.len(),
            c.resources_checked,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed.len(),
            status_md(c.status)
        );
    }

    let _ = writeln!(s, "\n## Criteria in detail\n");
    for c in ev.criteria.iter().filter(|c| !c.rules.is_empty()) {
        let _ = writeln!(s, "### {} {}\n", c.id, c.title);
        let _ = writeln!(
            s,
            "{} · {} resources checked · {} passed · {} failed · {} skipped · {} suppressed\n",
            status_md(c.status),
            c.resources_checked,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed.len()
        );
        let (active, idle) = split_rules(c);
        if !active.is_empty() {
            let _ = writeln!(
                s,
                "| rule | severity | title | resources | passed | failed | skipped |\n|---|---|---|---:|---:|---:|---:|"
            );
            for r in active {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    r.id,
                    r.severity,
                    rule_text(&r.title, r.builtin),
                    r.resources_checked,
                    r.passed,
                    r.failed,
                    r.skipped
                );
            }
            s.push('\n');
        }
        if !idle.is_empty() {
            let _ = writeln!(
                s,
                "Nothing to evaluate in this repository for: {}.\n",
                idle.join(", ")
            );
        }
        if !c.findings.is_empty() {
            let _ = writeln!(s, "Findings:\n");
            for f in &c.findings {
                let _ = writeln!(
                    s,
                    "- **{}** ({}) [{}]({}) {}: {}  \n  Fix: {}",
                    md(&f.rule_id),
                    f.severity,
                    markdown_code(&format!("{}:{}", f.path, f.line), false),
                    file_href(ev, &f.path, f.line),
                    markdown_code(&f.resource, false),
                    md(&f.message),
                    rule_text(&f.remediation, f.builtin)
                );
            }
            s.push('\n');
        }
        for &i in &c.suppressed {
            let e = &ev.exceptions[i];
            let _ = writeln!(
                s,
                "- suppressed: {} at {} ({}; owner {}, expires {})",
                md(&e.rule_id),
                md(e.path.as_deref().unwrap_or("—")),
                md(&e.reason),
                md(e.owner.as_deref().unwrap_or("—")),
                md(e.expires.as_deref().unwrap_or("never"))
            );
        }
    }

    let _ = writeln!(s, "## Exceptions register\n");
    if ev.exceptions.is_empty() {
        let _ = writeln!(
            s,
            "No suppressions or waivers are recorded for this scan.\n"
        );
    } else {
        let _ = writeln!(
            s,
            "| rule | criteria | location | reason | owner | ticket | expires |\n|---|---|---|---|---|---|---|"
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
                "| {} | {} | {} | {} | {} | {} | {}{} |",
                md(&e.rule_id),
                e.criteria.join(", "),
                md(&match (&e.path, e.line) {
                    (Some(p), Some(l)) => format!("{p}:{l}"),
                    (Some(p), None) => p.clone(),
                    _ => "—".into(),
                }),
                md(&e.reason),
                md(e.owner.as_deref().unwrap_or("—")),
                md(e.ticket.as_deref().unwrap_or("—")),
                md(e.expires.as_deref().unwrap_or("never")),
                flag
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Coverage\n");
    for cov in Coverage::ALL {
        let ids: Vec<&str> = ev
            .criteria
            .iter()
            .filter(|c| c.coverage == cov)
            .map(|c| c.id)
            .collect();
        let _ = writeln!(
            s,
            "- **{}** ({}): {}",
            cov.label(),
            ids.len(),
            if ids.is_empty() {
                "none".to_string()
            } else {
                ids.join(", ")
            }
        );
    }
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
    let _ = writeln!(
        s,
        "\nStatic evidence per criterion (yes / partly / no): {}\n",
        ev.criteria
            .iter()
            .map(|c| format!("{} {}", c.id, static_label(c.static_evidence)))
            .collect::<Vec<_>>()
            .join(" · ")
    );

    if let Some(hv) = &ev.history {
        let _ = writeln!(s, "## History\n");
        let _ = writeln!(
            s,
            "{} run(s), {} to {}.{}\n",
            hv.runs.len(),
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
                "{} problem(s) reading the history file: {}.\n",
                hv.problems.len(),
                md(&hv.problems.join("; "))
            );
        }
        let _ = writeln!(
            s,
            "Legend: ✅ passing, ❌ failing, ➖ not evidenced, · not in that run.\n"
        );
        let _ = writeln!(
            s,
            "| criterion | runs (oldest first) | longest period passing |\n|---|---|---|"
        );
        for row in &hv.rows {
            let marks: String = row
                .statuses
                .iter()
                .map(|st| match st {
                    Some(Status::Passing) => "✅",
                    Some(Status::Failing) => "❌",
                    Some(Status::NotEvidenced) => "➖",
                    None => "·",
                })
                .collect();
            let longest = match &row.longest_passing {
                Some(st) => format!(
                    "{} days ({} run(s), {} to {}{})",
                    st.days,
                    st.runs,
                    st.from,
                    st.to,
                    if st.ongoing { ", still passing" } else { "" }
                ),
                None => "never passing".into(),
            };
            let _ = writeln!(s, "| {} | {} | {} |", row.id, marks, longest);
        }
        s.push('\n');
    }
    s
}
