//! The evidence report as one self-contained HTML file: inline CSS and SVG,
//! no scripts, no external fetches; readable at 1280 px and printable.
use std::fmt::Write;

use super::model::{CriterionEvidence, Evidence, RuleEvidence, Status};
use super::render::{anchor, categories, esc, file_href, or_dash};
use super::svg;
use crate::wording::plural;

/// Nothing but the inline style and inline images runs or loads, whatever
/// text from the repository got into the page: no script, no form, no fetch.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   base-uri 'none'; form-action 'none'";

const CSS: &str = r#"
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

pub fn render(ev: &Evidence) -> String {
    let mut s = String::new();
    let h = &ev.header;
    let title = format!(
        "SOC 2 evidence report — {}",
        h.repository.as_deref().unwrap_or(&h.scanned_path)
    );
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    let _ = writeln!(s, "<h1>SOC 2 evidence report</h1>");
    let _ = writeln!(
        s,
        "<p class=\"sub\">Trust Services Criteria (2017, points of focus revised 2022) as far as the \
         infrastructure-as-code and policy files of this repository can evidence them. Automated \
         checks test settings on the resources the repository holds; they never show on their own \
         that a criterion is met.</p>"
    );
    header(&mut s, ev);
    definitions(&mut s, ev);
    summary(&mut s, ev);
    controls(&mut s, ev);
    framework(&mut s, ev);
    matrix(&mut s, ev);
    details(&mut s, ev);
    populations(&mut s, ev);
    exceptions(&mut s, ev);
    coverage(&mut s, ev);
    history(&mut s, ev);
    period(&mut s, ev);
    let _ = writeln!(
        s,
        "<footer>Generated by soclint {} at {}. Rule evaluations that could not be decided \
         statically (an expression, a reference, a data source) are counted as skipped, never as \
         passed or failed.</footer>\n</main>\n</body>\n</html>",
        esc(&h.soclint_version),
        esc(&h.scan_time)
    );
    s
}

fn header(s: &mut String, ev: &Evidence) {
    let h = &ev.header;
    let mut rows = vec![
        ("Repository", esc(or_dash(&h.repository)).into_owned()),
        (
            "Commit",
            h.commit
                .as_deref()
                .map_or("—".into(), |c| format!("<code>{}</code>", esc(c))),
        ),
        ("Branch", esc(or_dash(&h.branch)).into_owned()),
        (
            "Scanned path",
            format!("<code>{}</code>", esc(&h.scanned_path)),
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
            |f| format!("<code>{}</code>", esc(f)),
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

fn controls(s: &mut String, ev: &Evidence) {
    if ev.header.controls_file.is_none() {
        return;
    }
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
    for c in &ev.controls {
        let _ = writeln!(
            s,
            "<tr><td class=\"id\"><a href=\"#{}\">{}</a></td><td>{}<br><span class=\"muted\">owner: {}</span></td>\
             <td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}<td>{}</td></tr>",
            anchor("ctl", &c.id),
            esc(&c.id),
            esc(&c.title),
            esc(&c.owner),
            c.frequency.name(),
            esc(&c.criteria.join(", ")),
            c.rules.len(),
            c.resources,
            counts_cells(c.passed, c.failed, c.skipped, c.suppressed),
            pill(c.status)
        );
    }
    s.push_str("</tbody></table>\n");
    for c in &ev.controls {
        let _ = writeln!(
            s,
            "<section class=\"crit {}\" id=\"{}\"><h3>{} {} {}</h3>",
            c.status.id(),
            anchor("ctl", &c.id),
            esc(&c.id),
            esc(&c.title),
            pill(c.status)
        );
        if !c.description.is_empty() {
            let _ = writeln!(s, "<p>{}</p>", esc(&c.description));
        }
        let tested = if c.rules.is_empty() {
            "No rule tests it automatically.".to_string()
        } else {
            format!(
                "Tested by {} ({} gave a verdict here): <span class=\"mono\">{}</span>",
                plural(c.rules.len(), "rule", "rules"),
                c.rules_evaluated,
                esc(&c.rules.join(", "))
            )
        };
        let _ = writeln!(s, "<p class=\"nums\">{tested}</p>");
        if !c.unmatched.is_empty() {
            let _ = writeln!(
                s,
                "<p class=\"warn\">Selectors that match no active rule: <span class=\"mono\">{}</span></p>",
                esc(&c.unmatched.join(", "))
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
                    esc(&e.name),
                    if extra.is_empty() {
                        String::new()
                    } else {
                        format!(" <span class=\"muted\">({})</span>", esc(&extra.join(", ")))
                    }
                );
            }
            s.push_str("</ul>\n");
        }
        s.push_str("</section>\n");
    }
}

fn framework(s: &mut String, ev: &Evidence) {
    let Some(fv) = &ev.framework else {
        return;
    };
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
    for c in &fv.controls {
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{}</td><td>{}</td><td class=\"mono\">{}</td>{}<td>{}</td></tr>",
            esc(&c.id),
            esc(&c.title),
            esc(&c.rules.join(", ")),
            counts_cells(c.passed, c.failed, c.skipped, c.suppressed),
            pill(c.status)
        );
    }
    s.push_str("</tbody></table>\n");
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

fn details(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"details\">Criteria in detail</h2>");
    for c in ev.criteria.iter().filter(|c| shown_in_detail(c)) {
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
        if !active.is_empty() {
            let _ = writeln!(
                s,
                "<table><thead><tr><th>Rule</th><th>Severity</th><th>Title</th><th class=\"n\">Resources</th>\
                 {COUNT_HEADS}</tr></thead><tbody>"
            );
            for r in &active {
                let _ = writeln!(
                    s,
                    "<tr><td class=\"mono\"><a href=\"#{}\">{}</a></td><td><span class=\"sev {}\">{}</span></td>\
                     <td>{}</td><td class=\"n\">{}</td>{}</tr>",
                    anchor("pop", &r.id),
                    esc(&r.id),
                    r.severity,
                    r.severity,
                    esc(&r.title),
                    r.resources,
                    counts_cells(r.passed, r.failed, r.skipped, r.suppressed)
                );
            }
            s.push_str("</tbody></table>\n");
        }
        if !idle.is_empty() {
            let ids: Vec<&str> = idle.iter().map(|r| r.id.as_str()).collect();
            let _ = writeln!(
                s,
                "<p class=\"idle\">Nothing to evaluate in this repository for: <span class=\"mono\">{}</span></p>",
                esc(&ids.join(", "))
            );
        }
        findings(s, ev, &active);
        s.push_str("</section>\n");
    }
}

/// The first findings of each rule, with a count of the rest.
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
                esc(&f.rule_id),
                esc(&file_href(ev, &f.path, f.line)),
                esc(&f.path),
                f.line,
                esc(&f.resource),
                esc(&f.message),
                esc(&r.remediation)
            );
        }
        if r.failed > r.findings.len() {
            let _ = writeln!(
                s,
                "<tr><td></td><td class=\"mono rule\">{}</td><td colspan=\"2\" class=\"muted\">and {} more: \
                 see <a href=\"#{}\">its population</a></td></tr>",
                esc(&r.id),
                r.failed - r.findings.len(),
                anchor("pop", &r.id)
            );
        }
    }
    s.push_str("</tbody></table>\n");
}

fn populations(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"populations\">Populations</h2>");
    let links: Vec<String> = ev
        .population_links
        .iter()
        .map(|(label, href)| {
            format!(
                "<a href=\"{}\">{}</a>",
                esc(&crate::escape::uri_path(href)),
                esc(label)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "<p class=\"muted\">Every resource each rule examined, with its verdict, to sample from. Each \
         rule is collapsed; the browser's find (Ctrl+F) searches the collapsed rows too. At most {} \
         rows per rule are shown here; {}</p>",
        super::model::POPULATION_SAMPLE,
        if links.is_empty() {
            "the complete populations are in <code>soclint report --format csv</code> and \
             <code>--format json</code>."
                .to_string()
        } else {
            format!("the complete populations: {}.", links.join(", "))
        }
    );
    for r in ev.rules.iter().filter(|r| r.evaluated() > 0) {
        let rows = ev
            .population_sample
            .get(&r.id)
            .map_or(&[][..], Vec::as_slice);
        let _ = writeln!(
            s,
            "<details class=\"pop\" id=\"{}\"><summary><span class=\"mono\">{}</span> {} — {} \
             ({} passed, {} failed, {} skipped, {} accepted; {})</summary>",
            anchor("pop", &r.id),
            esc(&r.id),
            esc(&r.title),
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
                    esc(&row.path),
                    row.line
                )
            };
            let _ = writeln!(
                s,
                "<tr><td class=\"v-{v}\">{v}</td><td class=\"mono loc\">{loc}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                esc(&row.resource),
                esc(&row.detail),
                v = row.verdict.name()
            );
        }
        if r.evaluated() > rows.len() {
            let _ = writeln!(
                s,
                "<tr><td colspan=\"4\" class=\"muted\">and {} more in the complete population</td></tr>",
                r.evaluated() - rows.len()
            );
        }
        s.push_str("</tbody></table></details>\n");
    }
}

fn exceptions(s: &mut String, ev: &Evidence) {
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
    for e in &ev.exceptions {
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
                esc(p)
            ),
            (Some(p), None) => esc(p).into_owned(),
            _ => "—".into(),
        };
        let _ = writeln!(
            s,
            "<tr{class}><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{loc}</td><td class=\"mono\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.rule_id),
            esc(&e.criteria.join(", ")),
            esc(&e.location),
            esc(&e.reason),
            esc(e.owner.as_deref().unwrap_or("—")),
            esc(e.ticket.as_deref().unwrap_or("—")),
            esc(e.expires.as_deref().unwrap_or("never"))
        );
    }
    s.push_str("</tbody></table>\n");
}

fn coverage(s: &mut String, ev: &Evidence) {
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
    for n in &ev.not_scanned {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&n.path),
            esc(&n.what),
            esc(&n.detail),
            esc(&n.status)
        );
    }
    s.push_str("</tbody></table>\n");
}

fn history(s: &mut String, ev: &Evidence) {
    let Some(hv) = &ev.history else {
        return;
    };
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
            esc(&hv.problems.join("; "))
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
    for row in &hv.rows {
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
    }
    s.push_str("</tbody></table>\n");
}

fn period(s: &mut String, ev: &Evidence) {
    let Some(p) = &ev.period else {
        return;
    };
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
    for c in &p.controls {
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
    }
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
    for x in &p.exceptions {
        let _ = writeln!(
            s,
            "<tr><td class=\"mono\">{}</td><td class=\"mono\">{} <span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.rule),
            esc(&x.path),
            esc(&x.resource),
            if x.accepted { "yes" } else { "no" },
            esc(&x.opened),
            esc(x.closed.as_deref().unwrap_or("open"))
        );
    }
    s.push_str("</tbody></table>\n");
}
