//! The evidence report as one self-contained HTML file: inline CSS and SVG,
//! no scripts, no external fetches; readable at 1280 px and printable.
use std::fmt::Write;

use super::model::{Coverage, CriterionEvidence, Evidence, Status};
use super::render::{categories, esc, file_href, or_dash, split_rules, static_label};
use super::svg;

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
td.rule { white-space: nowrap; }
table.findings td.loc { max-width: 300px; overflow-wrap: anywhere; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
        white-space: nowrap; color: #fff; }
.pill.passing { background: var(--pass); } .pill.failing { background: var(--fail); }
.pill.not-evidenced { background: #e3e6ea; color: #333; }
.sev { font-size: 11.5px; font-weight: 700; text-transform: uppercase; white-space: nowrap; }
.sev.critical { color: #8e0000; } .sev.high { color: var(--fail); } .sev.medium { color: #b25e00; }
.sev.low { color: #4b5b6b; } .sev.info { color: #4b5b6b; }
.crit { border: 1px solid var(--line); border-left: 5px solid var(--none); border-radius: 4px;
        padding: 4px 14px 8px; margin: 14px 0; }
.crit.passing { border-left-color: var(--pass); } .crit.failing { border-left-color: var(--fail); }
.crit h3 { margin-top: 8px; }
.crit .nums { color: #444; margin: 0 0 6px; }
.fix { color: #444; font-size: 13px; }
.idle { color: #555; font-size: 12.5px; }
.muted { color: #666; }
.warn { background: #fff3cd; } .expired { background: #fde2e2; }
ul.cov { margin: 4px 0 12px; padding-left: 20px; }
ul.cov li { margin: 2px 0; }
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
  a { color: inherit; text-decoration: none; }
}
"#;

fn pill(s: Status) -> String {
    let class = match s {
        Status::Passing => "passing",
        Status::Failing => "failing",
        Status::NotEvidenced => "not-evidenced",
    };
    format!("<span class=\"pill {class}\">{}</span>", s.label())
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
        "<p class=\"sub\">Trust Services Criteria (2017, points of focus revised 2022) as evidenced by \
         the infrastructure-as-code and policy files of this repository.</p>"
    );
    header(&mut s, ev);
    summary(&mut s, ev);
    matrix(&mut s, ev);
    details(&mut s, ev);
    exceptions(&mut s, ev);
    coverage(&mut s, ev);
    history(&mut s, ev);
    let _ = writeln!(
        s,
        "<footer>Generated by soclint {} at {}. Rule evaluations that could not be decided \
         statically (an expression, a reference, a data source) are counted as skipped, never as \
         passed or failed.</footer>\n</main>\n</body>\n</html>",
        h.soclint_version, h.scan_time
    );
    s
}

fn header(s: &mut String, ev: &Evidence) {
    let h = &ev.header;
    let rows = [
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
        ("soclint version", esc(h.soclint_version).into_owned()),
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
                "{} files, {} resources, {} parse error(s), {} file(s) not scanned",
                h.files_scanned, h.resources, h.parse_errors, h.not_scanned
            ),
        ),
    ];
    s.push_str("<dl class=\"meta\">\n");
    for (k, v) in rows {
        let _ = writeln!(s, "<dt>{k}</dt><dd>{v}</dd>");
    }
    s.push_str("</dl>\n");
}

fn summary(s: &mut String, ev: &Evidence) {
    let t = &ev.totals;
    let _ = writeln!(s, "<h2 id=\"summary\">Summary</h2>");
    let _ = writeln!(
        s,
        "<div class=\"cards\">\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">criteria in scope</div></div>\
         <div class=\"card pass\"><div class=\"n\">{}</div><div class=\"l\">passing</div></div>\
         <div class=\"card fail\"><div class=\"n\">{}</div><div class=\"l\">failing</div></div>\
         <div class=\"card none\"><div class=\"n\">{}</div><div class=\"l\">not evidenced by code</div></div>\
         <div class=\"card wide\"><div class=\"n\">{} / {} / {}</div><div class=\"l\">rule evaluations passed / failed / skipped</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">exceptions</div></div>\
         </div>",
        t.criteria, t.passing, t.failing, t.not_evidenced, t.passed, t.failed, t.skipped, t.suppressed
    );
    let _ = writeln!(s, "<h3>Pass and fail per criterion family</h3>");
    s.push_str(&svg::family_chart(&ev.families));
    s.push('\n');
}

fn matrix(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"matrix\">Criteria matrix</h2>");
    let _ = writeln!(
        s,
        "<p class=\"muted\">Passed, failed and skipped count rule evaluations (one per resource, or per \
         item of a resource, a rule looked at); failed counts findings. A criterion is <em>not evidenced \
         by code</em> when no rule evaluated anything for it here.</p>"
    );
    s.push_str(
        "<table class=\"matrix\"><thead><tr><th>Criterion</th><th>Title</th><th class=\"n\">Rules</th>\
         <th class=\"n\">Resources checked</th><th class=\"n\">Passed</th><th class=\"n\">Failed</th>\
         <th class=\"n\">Skipped</th><th class=\"n\">Suppressed</th><th>Status</th></tr></thead><tbody>\n",
    );
    for c in &ev.criteria {
        let id = if c.rules.is_empty() {
            esc(c.id).into_owned()
        } else {
            format!("<a href=\"#{}\">{}</a>", anchor(c), esc(c.id))
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"id\">{id}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td></tr>",
            esc(c.title),
            c.rules.len(),
            c.resources_checked,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed.len(),
            pill(c.status)
        );
    }
    s.push_str("</tbody></table>\n");
}

fn anchor(c: &CriterionEvidence) -> String {
    format!("c-{}", c.id.replace('.', "-"))
}

fn details(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"details\">Rules and findings by criterion</h2>");
    for c in ev.criteria.iter().filter(|c| !c.rules.is_empty()) {
        let class = match c.status {
            Status::Passing => "passing",
            Status::Failing => "failing",
            Status::NotEvidenced => "not-evidenced",
        };
        let _ = writeln!(
            s,
            "<section class=\"crit {class}\" id=\"{}\"><h3>{} {} {}</h3>",
            anchor(c),
            esc(c.id),
            esc(c.title),
            pill(c.status)
        );
        let _ = writeln!(
            s,
            "<p class=\"nums\">{} resources checked · {} passed · {} failed · {} skipped · {} suppressed</p>",
            c.resources_checked,
            c.passed,
            c.failed,
            c.skipped,
            c.suppressed.len()
        );
        let (active, idle) = split_rules(c);
        if !active.is_empty() {
            s.push_str(
                "<table><thead><tr><th>Rule</th><th>Severity</th><th>Title</th><th class=\"n\">Resources</th>\
                 <th class=\"n\">Passed</th><th class=\"n\">Failed</th><th class=\"n\">Skipped</th></tr></thead><tbody>\n",
            );
            for r in active {
                let _ = writeln!(
                    s,
                    "<tr><td class=\"mono\">{}</td><td><span class=\"sev {}\">{}</span></td><td>{}</td>\
                     <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    esc(&r.id),
                    r.severity,
                    r.severity,
                    esc(&r.title),
                    r.resources_checked,
                    r.passed,
                    r.failed,
                    r.skipped
                );
            }
            s.push_str("</tbody></table>\n");
        }
        if !idle.is_empty() {
            let _ = writeln!(
                s,
                "<p class=\"idle\">Nothing to evaluate in this repository for: <span class=\"mono\">{}</span></p>",
                esc(&idle.join(", "))
            );
        }
        if !c.findings.is_empty() {
            s.push_str(
                "<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Location</th>\
                 <th>Finding and remediation</th></tr></thead><tbody>\n",
            );
            for f in &c.findings {
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
                    esc(&f.remediation)
                );
            }
            s.push_str("</tbody></table>\n");
        }
        if !c.suppressed.is_empty() {
            let ids: Vec<String> = c
                .suppressed
                .iter()
                .map(|&i| {
                    let e = &ev.exceptions[i];
                    format!(
                        "{} ({}, owner {})",
                        e.rule_id,
                        e.reason,
                        e.owner.as_deref().unwrap_or("—")
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "<p class=\"idle\">Suppressed: {}</p>",
                esc(&ids.join("; "))
            );
        }
        s.push_str("</section>\n");
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
        "<p class=\"muted\">Highlighted: expiring within 30 days of {} (yellow) or expired (red).</p>",
        esc(&ev.header.today)
    );
    s.push_str(
        "<table><thead><tr><th>Rule</th><th>Criteria</th><th>Location</th><th>Reason</th><th>Owner</th>\
         <th>Ticket</th><th>Expires</th></tr></thead><tbody>\n",
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
            "<tr{class}><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{loc}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.rule_id),
            esc(&e.criteria.join(", ")),
            esc(&e.reason),
            esc(e.owner.as_deref().unwrap_or("—")),
            esc(e.ticket.as_deref().unwrap_or("—")),
            esc(e.expires.as_deref().unwrap_or("never"))
        );
    }
    s.push_str("</tbody></table>\n");
}

fn coverage(s: &mut String, ev: &Evidence) {
    let _ = writeln!(s, "<h2 id=\"coverage\">Coverage</h2>");
    let _ = writeln!(
        s,
        "<p class=\"muted\">What this repository's files can and cannot evidence. Criteria out of reach \
         of static analysis, and those with supporting evidence only, need other evidence (records, \
         tickets, screenshots, interviews) for the audit.</p>"
    );
    for cov in Coverage::ALL {
        let items: Vec<&CriterionEvidence> =
            ev.criteria.iter().filter(|c| c.coverage == cov).collect();
        let _ = writeln!(s, "<h3>{} ({})</h3>", esc(cov.label()), items.len());
        if items.is_empty() {
            s.push_str("<p class=\"muted\">None.</p>\n");
            continue;
        }
        s.push_str("<ul class=\"cov\">\n");
        for c in items {
            let _ = writeln!(
                s,
                "<li><strong>{}</strong> {} <span class=\"muted\">(static evidence: {}; {} rule(s))</span></li>",
                esc(c.id),
                esc(c.title),
                static_label(c.static_evidence),
                c.rules.len()
            );
        }
        s.push_str("</ul>\n");
    }
    let _ = writeln!(s, "<h3>Files not scanned ({})</h3>", ev.not_scanned.len());
    if ev.not_scanned.is_empty() {
        s.push_str("<p class=\"muted\">None: every file of a kind soclint reads was parsed.</p>\n");
        return;
    }
    s.push_str(
        "<p class=\"muted\">Files whose evidence the scan could not see: the criteria above do not cover them.</p>\n\
         <table><thead><tr><th>File</th><th>Why</th><th>Detail</th><th>Status</th></tr></thead><tbody>\n",
    );
    for n in &ev.not_scanned {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&n.path),
            esc(n.what),
            esc(&n.detail),
            n.status
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
        "<p class=\"muted\">{} run(s) from {} to {}, oldest first. Each square is one run: \
         <span style=\"color:{}\">■</span> passing, <span style=\"color:{}\">■</span> failing, \
         <span style=\"color:{}\">■</span> not evidenced, □ not in that run.{}</p>",
        hv.runs.len(),
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
            "<p class=\"warn\">{} problem(s) reading the history file: {}.</p>",
            hv.problems.len(),
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
        "<table><thead><tr><th>Criterion</th><th>Status over time</th><th>Longest period passing</th></tr></thead><tbody>\n",
    );
    for row in &hv.rows {
        let longest = match &row.longest_passing {
            Some(st) => format!(
                "{} days ({} run(s), {} → {}{})",
                st.days,
                st.runs,
                esc(&st.from.chars().take(10).collect::<String>()),
                esc(&st.to.chars().take(10).collect::<String>()),
                if st.ongoing { ", still passing" } else { "" }
            ),
            None => "<span class=\"muted\">never passing</span>".into(),
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
