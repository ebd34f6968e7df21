//! The evidence report as one self-contained HTML file: inline CSS and SVG,
//! no scripts, no external fetches; readable at 1280 px and printable.
use std::fmt::Write;

use super::model::{CriterionEvidence, Evidence, RuleEvidence, Status};
use super::page::{clip, Page, MAX_BYTES};
use super::render::{anchor, categories, esc, file_href, or_dash};
use super::svg;
use crate::wording::plural;

/// Rows shown of each long list (exceptions, files not scanned, findings
/// open during the period); the rest are counted, and are in the JSON.
pub const LIST_ROWS: usize = 500;

/// Untrusted text for a table cell: cut to a readable length, escaped.
fn cell(s: &str) -> String {
    esc(&clip(s)).into_owned()
}

/// Nothing but the inline style and inline images runs or loads, whatever
/// text from the repository got into the page: no script, no form, no fetch.
pub(super) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   base-uri 'none'; form-action 'none'";

pub(super) const CSS: &str = r#"
:root { --pass: #2e7d32; --fail: #c62828; --none: #6b7480; --line: #d8dde3; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1d2329; margin: 0; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1d2329; }
h3 { font-size: 15px; margin: 22px 0 6px; }
.sub { color: #555; margin: 0 0 18px; }
dl.meta { display: grid; grid-template-columns: 210px 1fr; gap: 3px 16px; margin: 0;
          padding: 12px 16px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
dl.meta dt { color: #555; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.cards { display: flex; gap: 12px; margin: 16px 0 6px; flex-wrap: wrap; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card.wide { flex: 2 1 260px; }
.card .n { font-size: 24px; font-weight: 700; } .card .l { color: #555; font-size: 12.5px; }
.card.pass .n { color: var(--pass); } .card.fail .n { color: var(--fail); } .card.none .n { color: var(--none); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-size: 12.5px; color: #333; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { white-space: nowrap; font-weight: 600; }
table.matrix td.title { min-width: 300px; }
td.rule { white-space: nowrap; }
table.findings td.loc { max-width: 300px; overflow-wrap: anywhere; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
        white-space: nowrap; color: #fff; }
.pill.no-exceptions { background: var(--pass); } .pill.no-exceptions-partial { background: #3d6b8c; }
.pill.exceptions-found { background: var(--fail); }
.pill.manual-evidence-required, .pill.not-in-scope { background: #e3e6ea; color: #333; }
.sev { font-size: 11.5px; font-weight: 700; text-transform: uppercase; white-space: nowrap; }
.sev.critical { color: #8e0000; } .sev.high { color: var(--fail); } .sev.medium { color: #b25e00; }
.sev.low { color: #4b5b6b; } .sev.info { color: #4b5b6b; }
.crit { border: 1px solid var(--line); border-left: 5px solid var(--none); border-radius: 4px;
        padding: 4px 14px 8px; margin: 14px 0; }
.crit.no-exceptions { border-left-color: var(--pass); } .crit.no-exceptions-partial { border-left-color: #3d6b8c; }
.crit.exceptions-found { border-left-color: var(--fail); }
.crit h3 { margin-top: 8px; }
.crit .nums { color: #444; margin: 0 0 6px; }
.fix { color: #444; font-size: 13px; }
.idle { color: #555; font-size: 12.5px; }
.muted { color: #666; }
.warn { background: #fff3cd; } .expired { background: #fde2e2; }
ul.cov { margin: 4px 0 12px; padding-left: 20px; }
ul.cov li { margin: 2px 0; }
dl.defs { display: grid; grid-template-columns: 390px 1fr; gap: 6px 16px; margin: 8px 0; }
dl.defs dd { margin: 0; color: #333; }
ul.points { margin: 4px 0 10px; padding-left: 20px; } ul.points li { margin: 2px 0; }
.tested { color: var(--pass); font-weight: 600; } .untested { color: #8a5a00; font-weight: 600; }
details.pop { border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; padding: 2px 10px; }
details.pop summary { cursor: pointer; padding: 4px 0; }
.v-pass { color: var(--pass); } .v-fail { color: var(--fail); font-weight: 600; }
.v-skipped { color: #8a5a00; } .v-suppressed { color: #555; font-style: italic; }
svg.chart { max-width: 1100px; display: block; margin: 8px 0; }
svg.timeline { vertical-align: middle; }
a { color: #0b5cad; }
nav.toc { margin: 12px 0 0; font-size: 13px; color: #555; }
tr.more td { color: #555; background: #fafbfc; }
table.org td.title { min-width: 200px; }
table.org th.n { white-space: normal; width: 72px; }
table.org td.names { font-size: 12px; min-width: 200px; overflow-wrap: anywhere; }
table.org .pill { white-space: normal; }
footer { margin-top: 36px; color: #666; font-size: 12px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; } h3 { break-after: avoid; }
  tr, .card, .crit li { break-inside: avoid; }
  details.pop > *:not(summary) { display: revert; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn pill(s: Status) -> String {
    format!("<span class=\"pill {}\">{}</span>", s.id(), esc(s.label()))
}

/// The page, under [`MAX_BYTES`] whatever the repository holds: each rule
/// shows its first findings and a sample of its population, long lists their
/// first [`LIST_ROWS`] rows, and what is left out is counted where it would
/// have been, with links to the complete population (CSV, JSON).
pub fn render(ev: &Evidence) -> String {
    render_within(ev, Page::default())
}

/// [`render`] on a page of a given size (tests fill a small one).
pub fn render_within(ev: &Evidence, mut page: Page) -> String {
    let h = &ev.header;
    let title = format!(
        "SOC 2 evidence report — {}",
        h.repository.as_deref().unwrap_or(&h.scanned_path)
    );
    let s = &mut page.s;
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        cell(&title)
    );
    let _ = writeln!(s, "<h1>SOC 2 evidence report</h1>");
    let _ = writeln!(
        s,
        "<p class=\"sub\">Trust Services Criteria (2017, points of focus revised 2022) as far as the \
         infrastructure-as-code and policy files of this repository can evidence them. Automated \
         checks test settings on the resources the repository holds; they never show on their own \
         that a criterion is met.</p>"
    );
    header(s, ev);
    let notice_at = s.len();
    contents(s, ev);
    summary(s, ev);
    controls(&mut page, ev);
    definitions(&mut page.s, ev);
    framework(&mut page, ev);
    matrix(&mut page.s, ev);
    details(&mut page, ev);
    populations(&mut page, ev);
    exceptions(&mut page, ev);
    coverage(&mut page, ev);
    history(&mut page, ev);
    period(&mut page, ev);
    let _ = writeln!(
        page.s,
        "<footer>Generated by soclint {} at {}. Rule evaluations that could not be decided \
         statically (an expression, a reference, a data source) are counted as skipped, never as \
         passed or failed.</footer>\n</main>\n</body>\n</html>",
        esc(&h.soclint_version),
        esc(&h.scan_time)
    );
    if page.omitted > 0 {
        let notice = format!(
            "<p class=\"warn\" id=\"size-limit\">This page holds at most {} MB so that a browser \
             opens it: {} not shown below (each place says how many). {}</p>\n",
            MAX_BYTES / 1_000_000,
            plural(page.omitted, "row or section is", "rows or sections are"),
            complete_populations(ev)
        );
        page.s.insert_str(notice_at, &notice);
    }
    page.s
}

/// Where the complete populations are: the CSV and JSON files written in the
/// same run (relative links), else how to write them.
fn complete_populations(ev: &Evidence) -> String {
    if ev.population_links.is_empty() {
        return "The complete populations were not written in this run: \
                <code>soclint report --format html:evidence.html --format csv:population.csv</code> \
                writes them beside the page."
            .to_string();
    }
    let links: Vec<String> = ev
        .population_links
        .iter()
        .map(|(label, href)| population_link(label, href))
        .collect();
    format!(
        "Every evaluation of every rule, with its verdict: {}.",
        links.join(", ")
    )
}

fn population_link(label: &str, href: &str) -> String {
    let encoded = crate::escape::uri_path(href);
    let dot = if encoded.starts_with("../") { "" } else { "./" };
    format!(
        "<a href=\"{dot}{}\">{}</a> ({label})",
        esc(&encoded),
        esc(href)
    )
}

/// The page's sections, linked.
fn contents(s: &mut String, ev: &Evidence) {
    let mut items = vec![("summary", "Summary")];
    if ev.header.controls_file.is_some() {
        items.push(("controls", "Control matrix"));
    }
    items.push(("statuses", "How to read the statuses"));
    if let Some(fv) = &ev.framework {
        items.push(("framework", fv.framework.name()));
    }
    items.extend([
        ("matrix", "Criteria matrix"),
        ("details", "Criteria in detail"),
        ("populations", "Populations"),
        ("exceptions", "Exceptions register"),
        ("coverage", "What the scan could not see"),
    ]);
    if ev.history.is_some() {
        items.push(("history", "History"));
    }
    if ev.period.is_some() {
        items.push(("period", "Review period"));
    }
    let links: Vec<String> = items
        .iter()
        .map(|(id, label)| format!("<a href=\"#{id}\">{}</a>", esc(label)))
        .collect();
    let _ = writeln!(s, "<nav class=\"toc\">{}</nav>", links.join(" · "));
}

fn header(s: &mut String, ev: &Evidence) {
    let h = &ev.header;
    let mut rows = vec![
        ("Repository", cell(or_dash(&h.repository))),
        (
            "Commit",
            h.commit
                .as_deref()
                .map_or("—".into(), |c| format!("<code>{}</code>", cell(c))),
        ),
        ("Branch", cell(or_dash(&h.branch))),
        (
            "Scanned path",
            format!("<code>{}</code>", cell(&h.scanned_path)),
        ),
        ("Scan time (UTC)", esc(&h.scan_time).into_owned()),
        ("soclint version", esc(&h.soclint_version).into_owned()),
        (
            "Rule set",
            format!(
                "{} active rules · SHA-256 <code>{}</code>",
                h.rules_active,
                esc(&h.ruleset_hash)
            ),
        ),
        (
            "SOC 2 categories in scope",
            esc(&categories(ev)).into_owned(),
        ),
        (
            "Scanned",
            format!(
                "{}, {}, {}, {} not scanned",
                plural(h.files_scanned, "file", "files"),
                plural(h.resources, "resource", "resources"),
                plural(h.parse_errors, "parse error", "parse errors"),
                plural(h.not_scanned, "file", "files")
            ),
        ),
    ];
    rows.push((
        "Control matrix",
        h.controls_file.as_deref().map_or_else(
            || "none (criteria only; see <code>controls.toml</code>)".to_string(),
            |f| format!("<code>{}</code>", cell(f)),
        ),
    ));
    s.push_str("<dl class=\"meta\">\n");
    for (k, v) in rows {
        let _ = writeln!(s, "<dt>{k}</dt><dd>{v}</dd>");
    }
    s.push_str("</dl>\n");
}

fn definitions(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"statuses\">How to read the statuses</h2>");
    s.push_str("<dl class=\"defs\">\n");
    for d in &ev.statuses {
        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", pill(d.status), esc(&d.meaning));
    }
    s.push_str("</dl>\n");
}

fn count(map: &std::collections::BTreeMap<Status, usize>, st: Status) -> usize {
    map.get(&st).copied().unwrap_or(0)
}

fn summary(s: &mut String, ev: &Evidence) {
    let t = &ev.totals;
    let by = &t.criteria_by_status;
    let _ = writeln!(s, "<h2 id=\"summary\">Summary</h2>");
    let _ = writeln!(
        s,
        "<div class=\"cards\">\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">criteria in scope</div></div>\
         <div class=\"card fail\"><div class=\"n\">{}</div><div class=\"l\">exceptions found</div></div>\
         <div class=\"card pass\"><div class=\"n\">{}</div><div class=\"l\">no exceptions in automated checks ({} of them partial coverage)</div></div>\
         <div class=\"card none\"><div class=\"n\">{}</div><div class=\"l\">manual evidence required</div></div>\
         <div class=\"card wide\"><div class=\"n\">{} / {} / {}</div><div class=\"l\">rule evaluations passed / failed / skipped</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">accepted exceptions</div></div>\
         </div>",
        t.criteria_in_scope,
        count(by, Status::ExceptionsFound),
        count(by, Status::NoExceptions) + count(by, Status::NoExceptionsPartial),
        count(by, Status::NoExceptionsPartial),
        count(by, Status::ManualEvidenceRequired),
        t.passed,
        t.failed,
        t.skipped,
        t.suppressed
    );
    if ev.header.controls_file.is_some() {
        let by = &t.controls_by_status;
        let _ = writeln!(
            s,
            "<div class=\"cards\">\
             <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">controls in the matrix</div></div>\
             <div class=\"card fail\"><div class=\"n\">{}</div><div class=\"l\">controls with exceptions found</div></div>\
             <div class=\"card pass\"><div class=\"n\">{}</div><div class=\"l\">controls with no exceptions in automated checks</div></div>\
             <div class=\"card none\"><div class=\"n\">{}</div><div class=\"l\">controls needing manual evidence only</div></div>\
             <div class=\"card none\"><div class=\"n\">{}</div><div class=\"l\">not in scope</div></div>\
             </div>",
            t.controls,
            count(by, Status::ExceptionsFound),
            count(by, Status::NoExceptions) + count(by, Status::NoExceptionsPartial),
            count(by, Status::ManualEvidenceRequired),
            count(by, Status::NotInScope)
        );
    }
    let _ = writeln!(
        s,
        "<h3>Passed and failed evaluations per criterion family</h3>"
    );
    s.push_str(&svg::family_chart(&ev.families));
    s.push('\n');
}

fn counts_cells(passed: usize, failed: usize, skipped: usize, suppressed: usize) -> String {
    format!(
        "<td class=\"n\">{passed}</td><td class=\"n\">{failed}</td><td class=\"n\">{skipped}</td>\
         <td class=\"n\">{suppressed}</td>"
    )
}

const COUNT_HEADS: &str = "<th class=\"n\">Passed</th><th class=\"n\">Failed</th>\
                           <th class=\"n\">Skipped</th><th class=\"n\">Accepted</th>";

fn controls(page: &mut Page, ev: &Evidence) {
    if ev.header.controls_file.is_none() {
        return;
    }
    let s = &mut page.s;
    let _ = writeln!(s, "<h2 id=\"controls\">Control matrix</h2>");
    let _ = writeln!(
        s,
        "<p class=\"muted\">The organisation's controls, each with the rules that test it \
         automatically and the evidence soclint cannot produce.</p>"
    );
    let _ = writeln!(
        s,
        "<table><thead><tr><th>Control</th><th>Title and owner</th><th>Frequency</th><th>Criteria</th>\
         <th class=\"n\">Rules</th><th class=\"n\">Resources</th>{COUNT_HEADS}<th>Status</th></tr></thead><tbody>"
    );
    let left = page.rows(&ev.controls, |s, c| {
        let _ = writeln!(
            s,
            "<tr><td class=\"id\"><a href=\"#{}\">{}</a></td><td>{}<br><span class=\"muted\">owner: {}</span></td>\
             <td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}<td>{}</td></tr>",
            anchor("ctl", &c.id),
            cell(&c.id),
            cell(&c.title),
            cell(&c.owner),
            c.frequency.name(),
            cell(&c.criteria.join(", ")),
            c.rules.len(),
            c.resources,
            counts_cells(c.passed, c.failed, c.skipped, c.suppressed),
            pill(c.status)
        );
    });
    left_out_row(&mut page.s, left, 11, "controls");
    page.s.push_str("</tbody></table>\n");
    let left = page.rows(&ev.controls, |s, c| control_section(s, ev, c));
    left_out_note(&mut page.s, left, "control sections");
}

/// One control: what tests it, its rules' results and first findings, and
/// the manual evidence it asks for.
fn control_section(s: &mut String, ev: &Evidence, c: &super::model::ControlEvidence) {
    let _ = writeln!(
        s,
        "<section class=\"crit {}\" id=\"{}\"><h3>{} {} {}</h3>",
        c.status.id(),
        anchor("ctl", &c.id),
        cell(&c.id),
        cell(&c.title),
        pill(c.status)
    );
    if !c.description.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", cell(&c.description));
    }
    let tested = if c.rules.is_empty() {
        "No rule tests it automatically.".to_string()
    } else {
        format!(
            "Tested by {} ({} gave a verdict here): <span class=\"mono\">{}</span>",
            plural(c.rules.len(), "rule", "rules"),
            c.rules_evaluated,
            cell(&c.rules.join(", "))
        )
    };
    let _ = writeln!(s, "<p class=\"nums\">{tested}</p>");
    if !c.unmatched.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"warn\">Selectors that match no active rule: <span class=\"mono\">{}</span></p>",
            cell(&c.unmatched.join(", "))
        );
    }
    if c.evidence.is_empty() {
        s.push_str("<p class=\"muted\">No manual evidence listed.</p>\n");
    } else {
        s.push_str("<p>Manual evidence soclint cannot check:</p><ul class=\"points\">\n");
        for e in &c.evidence {
            let mut extra = Vec::new();
            if let Some(f) = e.frequency {
                extra.push(f.name().to_string());
            }
            if let Some(o) = &e.owner {
                extra.push(format!("owner {o}"));
            }
            let _ = writeln!(
                s,
                "<li>{}{}</li>",
                cell(&e.name),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(
                        " <span class=\"muted\">({})</span>",
                        cell(&extra.join(", "))
                    )
                }
            );
        }
        s.push_str("</ul>\n");
    }
    let rules: Vec<&RuleEvidence> = c.rules.iter().filter_map(|id| ev.rule(id)).collect();
    let active: Vec<&RuleEvidence> = rules.into_iter().filter(|r| r.evaluated() > 0).collect();
    rule_table(s, &active);
    findings(s, ev, &active);
    s.push_str("</section>\n");
}

fn framework(page: &mut Page, ev: &Evidence) {
    let Some(fv) = &ev.framework else {
        return;
    };
    let s = &mut page.s;
    let _ = writeln!(s, "<h2 id=\"framework\">{}</h2>", esc(&fv.name));
    let _ = writeln!(
        s,
        "<p class=\"muted\">The same rules read against this framework's controls (mappings cited in \
         <code>soclint explain</code>); a control no rule maps to needs other evidence.</p>"
    );
    let _ = writeln!(
        s,
        "<table><thead><tr><th>Control</th><th>Title</th><th>Rules</th>{COUNT_HEADS}<th>Status</th></tr></thead><tbody>"
    );
    let left = page.rows(&fv.controls, |s, c| {
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{}</td><td>{}</td><td class=\"mono\">{}</td>{}<td>{}</td></tr>",
            esc(&c.id),
            esc(&c.title),
            cell(&c.rules.join(", ")),
            counts_cells(c.passed, c.failed, c.skipped, c.suppressed),
            pill(c.status)
        );
    });
    left_out_row(&mut page.s, left, 8, "controls");
    page.s.push_str("</tbody></table>\n");
}

fn matrix(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"matrix\">Criteria matrix</h2>");
    let _ = writeln!(
        s,
        "<p class=\"muted\">Passed, failed and skipped count rule evaluations (one per resource, or per \
         item of a resource, a rule looked at); accepted counts findings an exception covers. \
         <em>Points of focus</em>: tested here / testable by static checks / all the criterion's \
         points of focus.</p>"
    );
    let _ = writeln!(
        s,
        "<table class=\"matrix\"><thead><tr><th>Criterion</th><th>Title</th><th class=\"n\">Points of focus</th>\
         <th class=\"n\">Rules</th><th class=\"n\">Resources</th>{COUNT_HEADS}<th>Status</th></tr></thead><tbody>"
    );
    for c in &ev.criteria {
        let id = if shown_in_detail(c) {
            format!("<a href=\"#{}\">{}</a>", anchor("c", &c.id), esc(&c.id))
        } else {
            esc(&c.id).into_owned()
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{id}</td><td class=\"title\">{}</td><td class=\"n\">{} / {} / {}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td>{}<td>{}</td></tr>",
            esc(&c.title),
            c.points_tested(),
            c.points_testable.len(),
            c.points_total,
            c.rules.len(),
            c.resources,
            counts_cells(c.passed, c.failed, c.skipped, c.suppressed),
            pill(c.status)
        );
    }
    s.push_str("</tbody></table>\n");
}

fn shown_in_detail(c: &CriterionEvidence) -> bool {
    c.in_scope && (!c.rules.is_empty() || !c.points_testable.is_empty())
}

fn details(page: &mut Page, ev: &Evidence) {
    let _ = writeln!(page.s, "<h2 id=\"details\">Criteria in detail</h2>");
    let shown = ev.criteria.iter().filter(|c| shown_in_detail(c));
    let left = page.rows(shown, |s, c| criterion_section(s, ev, c));
    left_out_note(&mut page.s, left, "criterion sections");
}

/// One criterion: its points of focus, its rules' results and first findings.
fn criterion_section(s: &mut String, ev: &Evidence, c: &CriterionEvidence) {
    let _ = writeln!(
        s,
        "<section class=\"crit {}\" id=\"{}\"><h3>{} {} {}</h3>",
        c.status.id(),
        anchor("c", &c.id),
        esc(&c.id),
        esc(&c.title),
        pill(c.status)
    );
    let _ = writeln!(
        s,
        "<p class=\"nums\">{} examined · {} passed · {} failed · {} skipped · {} accepted</p>",
        plural(c.resources, "resource", "resources"),
        c.passed,
        c.failed,
        c.skipped,
        c.suppressed
    );
    let _ = writeln!(
        s,
        "<p>Points of focus: {} in all; static checks can evidence {}, of which {} tested here; \
             {} need evidence from outside the repository.</p>",
        c.points_total,
        c.points_testable.len(),
        c.points_tested(),
        c.points_other_evidence
    );
    if !c.points_testable.is_empty() {
        s.push_str("<ul class=\"points\">\n");
        for p in &c.points_testable {
            let mark = if p.tested {
                format!(
                    "<span class=\"tested\">tested</span> by <span class=\"mono\">{}</span>",
                    esc(&p.rules_tested.join(", "))
                )
            } else {
                "<span class=\"untested\">not tested here</span> (nothing it examines in this repository)".to_string()
            };
            let _ = writeln!(
                s,
                "<li><strong>{}</strong> {}: {mark}</li>",
                esc(&p.id),
                esc(&p.evidence)
            );
        }
        s.push_str("</ul>\n");
    }
    let rules: Vec<&RuleEvidence> = c.rules.iter().filter_map(|id| ev.rule(id)).collect();
    let (active, idle): (Vec<&RuleEvidence>, Vec<&RuleEvidence>) =
        rules.into_iter().partition(|r| r.evaluated() > 0);
    rule_table(s, &active);
    if !idle.is_empty() {
        let ids: Vec<&str> = idle.iter().map(|r| r.id.as_str()).collect();
        let _ = writeln!(
                s,
                "<p class=\"idle\">Nothing to evaluate in this repository for: <span class=\"mono\">{}</span></p>",
                cell(&ids.join(", "))
            );
    }
    findings(s, ev, &active);
    s.push_str("</section>\n");
}

/// The rules' counts, one row each, linked to their populations.
fn rule_table(s: &mut String, active: &[&RuleEvidence]) {
    if active.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<table><thead><tr><th>Rule</th><th>Severity</th><th>Title</th><th class=\"n\">Resources</th>\
         {COUNT_HEADS}</tr></thead><tbody>"
    );
    for r in active {
        let _ = writeln!(
            s,
            "<tr><td class=\"mono\"><a href=\"#{}\">{}</a></td><td><span class=\"sev {}\">{}</span></td>\
             <td>{}</td><td class=\"n\">{}</td>{}</tr>",
            anchor("pop", &r.id),
            cell(&r.id),
            r.severity,
            r.severity,
            cell(&r.title),
            r.resources,
            counts_cells(r.passed, r.failed, r.skipped, r.suppressed)
        );
    }
    s.push_str("</tbody></table>\n");
}

/// The first findings of each rule ([`super::model::FINDINGS_PER_RULE`]),
/// with a count of the rest and where they are.
fn findings(s: &mut String, ev: &Evidence, rules: &[&RuleEvidence]) {
    if rules.iter().all(|r| r.findings.is_empty()) {
        return;
    }
    s.push_str(
        "<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Location</th>\
         <th>Finding and remediation</th></tr></thead><tbody>\n",
    );
    for r in rules {
        for f in &r.findings {
            let _ = writeln!(
                s,
                "<tr><td><span class=\"sev {}\">{}</span></td><td class=\"mono rule\">{}</td>\
                 <td class=\"mono loc\"><a href=\"{}\">{}:{}</a><br><span class=\"muted\">{}</span></td>\
                 <td>{}<div class=\"fix\"><strong>Fix:</strong> {}</div></td></tr>",
                f.severity,
                f.severity,
                cell(&f.rule_id),
                esc(&file_href(ev, &f.path, f.line)),
                cell(&f.path),
                f.line,
                cell(&f.resource),
                cell(&f.message),
                cell(&r.remediation)
            );
        }
        if r.failed > r.findings.len() {
            let _ = writeln!(
                s,
                "<tr class=\"more\"><td></td><td class=\"mono rule\">{}</td><td colspan=\"2\">and {} more failing \
                 ({} in all): <a href=\"#{}\">its population</a>{}</td></tr>",
                cell(&r.id),
                r.failed - r.findings.len(),
                r.failed,
                anchor("pop", &r.id),
                files_of_rule(ev)
            );
        }
    }
    s.push_str("</tbody></table>\n");
}

/// `; complete in population.csv (CSV)` for the files of this run.
fn files_of_rule(ev: &Evidence) -> String {
    if ev.population_links.is_empty() {
        return String::new();
    }
    let links: Vec<String> = ev
        .population_links
        .iter()
        .map(|(label, href)| population_link(label, href))
        .collect();
    format!("; every one in {}", links.join(", "))
}

/// A table row saying how many rows the page left out (nothing when none).
fn left_out_row(s: &mut String, left: usize, columns: usize, what: &str) {
    if left > 0 {
        let _ = writeln!(
            s,
            "<tr class=\"more\"><td colspan=\"{columns}\">{} more {what} not shown: the page is at its size limit \
             (<a href=\"#size-limit\">why</a>)</td></tr>",
            left
        );
    }
}

/// A paragraph saying how many sections the page left out.
fn left_out_note(s: &mut String, left: usize, what: &str) {
    if left > 0 {
        let _ = writeln!(
            s,
            "<p class=\"warn\">{left} more {what} not shown: the page is at its size limit \
             (<a href=\"#size-limit\">why</a>).</p>"
        );
    }
}

fn populations(page: &mut Page, ev: &Evidence) {
    let _ = writeln!(page.s, "<h2 id=\"populations\">Populations</h2>");
    let _ = writeln!(
        page.s,
        "<p>Every resource each rule examined, with its verdict, to sample from. Each rule is \
         collapsed; the browser's find (Ctrl+F) searches the collapsed rows too. At most {} rows per \
         rule are shown here. {}</p>",
        super::model::POPULATION_SAMPLE,
        complete_populations(ev)
    );
    let evaluated = ev.rules.iter().filter(|r| r.evaluated() > 0);
    let left = page.rows(evaluated, |s, r| population(s, ev, r));
    left_out_note(&mut page.s, left, "rules' populations");
}

/// One rule's population, collapsed: its counts and first rows.
fn population(s: &mut String, ev: &Evidence, r: &RuleEvidence) {
    let rows = ev
        .population_sample
        .get(&r.id)
        .map_or(&[][..], Vec::as_slice);
    let _ = writeln!(
        s,
        "<details class=\"pop\" id=\"{}\"><summary><span class=\"mono\">{}</span> {} — {} \
         ({} passed, {} failed, {} skipped, {} accepted; {})</summary>",
        anchor("pop", &r.id),
        cell(&r.id),
        cell(&r.title),
        plural(r.evaluated(), "evaluation", "evaluations"),
        r.passed,
        r.failed,
        r.skipped,
        r.suppressed,
        plural(r.resources, "resource", "resources")
    );
    s.push_str(
        "<table><thead><tr><th>Verdict</th><th>Location</th><th>Resource</th><th>Detail</th></tr></thead><tbody>\n",
    );
    for row in rows {
        let loc = if row.path.is_empty() {
            "(repository)".to_string()
        } else {
            format!(
                "<a href=\"{}\">{}:{}</a>",
                esc(&file_href(ev, &row.path, row.line)),
                cell(&row.path),
                row.line
            )
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"v-{v}\">{v}</td><td class=\"mono loc\">{loc}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
            cell(&row.resource),
            cell(&row.detail),
            v = row.verdict.name()
        );
    }
    if r.evaluated() > rows.len() {
        let _ = writeln!(
            s,
            "<tr class=\"more\"><td colspan=\"4\">and {} more in the complete population{}</td></tr>",
            r.evaluated() - rows.len(),
            files_of_rule(ev)
        );
    }
    s.push_str("</tbody></table></details>\n");
}

fn exceptions(page: &mut Page, ev: &Evidence) {
    let s = &mut page.s;
    let _ = writeln!(s, "<h2 id=\"exceptions\">Exceptions register</h2>");
    if ev.exceptions.is_empty() {
        let _ = writeln!(
            s,
            "<p>No suppressions or waivers are recorded for this scan: every failing evaluation above \
             is reported as a finding.</p>"
        );
        return;
    }
    let _ = writeln!(
        s,
        "<p class=\"muted\">Who accepted which risk, until when. Highlighted: expiring within {} days \
         of {} (yellow) or expired (red).</p>",
        super::model::EXPIRY_WARNING_DAYS,
        esc(&ev.header.today)
    );
    s.push_str(
        "<table><thead><tr><th>Rule</th><th>Criteria</th><th>Finding</th><th>Accepted at</th><th>Reason</th>\
         <th>Owner</th><th>Ticket</th><th>Expires</th></tr></thead><tbody>\n",
    );
    let shown = ev.exceptions.len().min(LIST_ROWS);
    let left = page.rows(&ev.exceptions[..shown], |s, e| {
        let class = if e.expired {
            " class=\"expired\""
        } else if e.expiring_soon {
            " class=\"warn\""
        } else {
            ""
        };
        let loc = match (&e.path, e.line) {
            (Some(p), Some(l)) => format!(
                "<a href=\"{}\">{}:{l}</a>",
                esc(&file_href(ev, p, l)),
                cell(p)
            ),
            (Some(p), None) => cell(p),
            _ => "—".into(),
        };
        let _ = writeln!(
            s,
            "<tr{class}><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{loc}</td><td class=\"mono\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&e.rule_id),
            cell(&e.criteria.join(", ")),
            cell(&e.location),
            cell(&e.reason),
            cell(e.owner.as_deref().unwrap_or("—")),
            cell(e.ticket.as_deref().unwrap_or("—")),
            cell(e.expires.as_deref().unwrap_or("never"))
        );
    });
    more_of_list(
        &mut page.s,
        ev,
        ev.exceptions.len() - shown,
        left,
        8,
        "exceptions",
    );
    page.s.push_str("</tbody></table>\n");
}

fn coverage(page: &mut Page, ev: &Evidence) {
    let s = &mut page.s;
    let _ = writeln!(s, "<h2 id=\"coverage\">What the scan could not see</h2>");
    let manual: Vec<&str> = ev
        .criteria
        .iter()
        .filter(|c| c.status == Status::ManualEvidenceRequired)
        .map(|c| c.id.as_str())
        .collect();
    let _ = writeln!(
        s,
        "<p>Criteria in scope with no automated verdict ({}): <span class=\"mono\">{}</span>. \
         Every criterion also has points of focus that only evidence from outside the repository \
         (records, tickets, configuration exports, interviews) and operation over the period can \
         show.</p>",
        manual.len(),
        esc(&if manual.is_empty() {
            "none".to_string()
        } else {
            manual.join(", ")
        })
    );
    let _ = writeln!(s, "<h3>Files not scanned ({})</h3>", ev.not_scanned.len());
    if ev.not_scanned.is_empty() {
        s.push_str("<p class=\"muted\">None: every file of a kind soclint reads was parsed.</p>\n");
        return;
    }
    s.push_str(
        "<p class=\"muted\">Files whose evidence the scan could not see: the results above do not cover them.</p>\n\
         <table><thead><tr><th>File</th><th>Why</th><th>Detail</th><th>Status</th></tr></thead><tbody>\n",
    );
    let shown = ev.not_scanned.len().min(LIST_ROWS);
    let left = page.rows(&ev.not_scanned[..shown], |s, n| {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&n.path),
            cell(&n.what),
            cell(&n.detail),
            cell(&n.status)
        );
    });
    more_of_list(
        &mut page.s,
        ev,
        ev.not_scanned.len() - shown,
        left,
        4,
        "files",
    );
    page.s.push_str("</tbody></table>\n");
}

/// The row after a list cut to [`LIST_ROWS`] (`cut`) or by the page's size
/// (`left`): how many more, and where all of them are.
fn more_of_list(
    s: &mut String,
    ev: &Evidence,
    cut: usize,
    left: usize,
    columns: usize,
    what: &str,
) {
    if cut > 0 {
        let _ = writeln!(
            s,
            "<tr class=\"more\"><td colspan=\"{columns}\">and {} more {what}: the first {LIST_ROWS} are shown; \
             all are in the JSON evidence{}</td></tr>",
            cut + left,
            if ev.population_links.iter().any(|(l, _)| l == "JSON") {
                format!(
                    " ({})",
                    ev.population_links
                        .iter()
                        .filter(|(l, _)| l == "JSON")
                        .map(|(l, h)| population_link(l, h))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                " (<code>--format json:evidence.json</code>)".to_string()
            }
        );
    } else {
        left_out_row(s, left, columns, what);
    }
}

fn history(page: &mut Page, ev: &Evidence) {
    let Some(hv) = &ev.history else {
        return;
    };
    let s = &mut page.s;
    let _ = writeln!(s, "<h2 id=\"history\">History</h2>");
    let _ = writeln!(
        s,
        "<p class=\"muted\">{} from {} to {}, oldest first. Each square is one run: \
         <span style=\"color:{}\">■</span> no exceptions, <span style=\"color:{}\">■</span> exceptions found, \
         <span style=\"color:{}\">■</span> nothing tested, □ not in that run.{}</p>",
        plural(hv.runs.len(), "run", "runs"),
        esc(hv.runs.first().map_or("—", |r| r.time.as_str())),
        esc(hv.runs.last().map_or("—", |r| r.time.as_str())),
        svg::PASS,
        svg::FAIL,
        svg::NONE,
        if hv.ruleset_changed {
            " The rule set changed between runs, so not every run is like for like."
        } else {
            ""
        }
    );
    if !hv.problems.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"warn\">{} reading the history file: {}.</p>",
            plural(hv.problems.len(), "problem", "problems"),
            cell(&hv.problems.join("; "))
        );
    }
    let times: Vec<String> = hv
        .runs
        .iter()
        .map(|r| match &r.commit {
            Some(c) => format!("{} ({})", r.time, c.chars().take(10).collect::<String>()),
            None => r.time.clone(),
        })
        .collect();
    s.push_str(
        "<table><thead><tr><th>Criterion</th><th>Result over time</th><th>Longest stretch without exceptions</th></tr></thead><tbody>\n",
    );
    let left = page.rows(&hv.rows, |s, row| {
        let longest = match &row.longest_without_exceptions {
            Some(st) => format!(
                "{} ({}, {} → {}{})",
                plural(st.days as usize, "day", "days"),
                plural(st.runs, "run", "runs"),
                esc(&st.from.chars().take(10).collect::<String>()),
                esc(&st.to.chars().take(10).collect::<String>()),
                if st.ongoing { ", still holding" } else { "" }
            ),
            None => "<span class=\"muted\">none</span>".into(),
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.id),
            svg::timeline(&row.statuses, &times),
            longest
        );
    });
    left_out_row(&mut page.s, left, 3, "criteria");
    page.s.push_str("</tbody></table>\n");
}

fn period(page: &mut Page, ev: &Evidence) {
    let Some(p) = &ev.period else {
        return;
    };
    let s = &mut page.s;
    let _ = writeln!(
        s,
        "<h2 id=\"period\">Review period {} to {}</h2>",
        esc(&p.from),
        esc(&p.to)
    );
    let _ = writeln!(
        s,
        "<p class=\"muted\">{} in the period; per {}, whether the automated evidence shows it \
         operating throughout (runs at its frequency, no failing stretch longer than its grace).</p>",
        plural(p.runs, "run", "runs"),
        if p.subject == "controls" { "control" } else { "criterion" }
    );
    s.push_str(
        "<table><thead><tr><th>Id</th><th>Frequency</th><th class=\"n\">Runs</th><th>Gaps</th>\
         <th>Failing stretches</th><th>Conclusion</th></tr></thead><tbody>\n",
    );
    let stretches =
        |v: &[super::period::Stretch]| super::period::describe_stretches(v, " → ", "<br>");
    let left = page.rows(&p.controls, |s, c| {
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&c.id),
            c.frequency.name(),
            c.runs,
            stretches(&c.gaps),
            stretches(&c.failing),
            if c.operated_throughout { "operated throughout: " } else { "" },
            esc(&c.conclusion)
        );
    });
    left_out_row(&mut page.s, left, 6, "controls");
    let s = &mut page.s;
    s.push_str("</tbody></table>\n");
    let _ = writeln!(
        s,
        "<h3>Findings open during the period ({}, {} still open at its end)</h3>",
        p.exceptions.len(),
        p.open_at_end
    );
    if p.exceptions.is_empty() {
        s.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    s.push_str(
        "<table><thead><tr><th>Rule</th><th>Location</th><th>Accepted</th><th>Opened</th><th>Closed</th></tr></thead><tbody>\n",
    );
    let shown = p.exceptions.len().min(LIST_ROWS);
    let left = page.rows(&p.exceptions[..shown], |s, x| {
        let _ = writeln!(
            s,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{} <span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&x.rule),
            cell(&x.path),
            cell(&x.resource),
            if x.accepted { "yes" } else { "no" },
            esc(&x.opened),
            esc(x.closed.as_deref().unwrap_or("open"))
        );
    });
    more_of_list(
        &mut page.s,
        ev,
        p.exceptions.len() - shown,
        left,
        5,
        "findings",
    );
    page.s.push_str("</tbody></table>\n");
}
