//! Inline SVG: the pass/fail chart per criterion family and the small
//! per-criterion history timelines. Plain shapes and text, no scripts.
use super::model::FamilySummary;
use super::render::esc;
use super::status::RunResult;

pub const PASS: &str = "#2e7d32";
pub const FAIL: &str = "#c62828";
pub const NONE: &str = "#b0b7bf";

/// One row per family: a bar split by passed and failed evaluations, with the
/// counts and how many criteria have exceptions, have none, or need manual
/// evidence only.
pub fn family_chart(families: &[FamilySummary]) -> String {
    let (label_w, bar_w, text_w, row_h, top) = (200.0, 400.0, 440.0, 28.0, 30.0);
    let width = label_w + bar_w + text_w;
    let height = top + row_h * families.len() as f64 + 10.0;
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"Passed and failed evaluations per criterion family\">\n"
    );
    s.push_str(&format!(
        "<text x=\"{label_w}\" y=\"16\" font-size=\"12\" fill=\"#444\">share of evaluations: \
         <tspan fill=\"{PASS}\">■ passed</tspan>  <tspan fill=\"{FAIL}\">■ failed</tspan>  \
         <tspan fill=\"{NONE}\">■ nothing evaluated</tspan></text>\n"
    ));
    for (i, f) in families.iter().enumerate() {
        let y = top + row_h * i as f64;
        let total = f.passed + f.failed;
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\"><tspan font-weight=\"bold\">{}</tspan> \
             <tspan fill=\"#555\">{}</tspan></text>\n",
            y + 17.0,
            esc(&f.family),
            esc(&short_area(&f.area))
        ));
        if total == 0 {
            s.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"18\" fill=\"{NONE}\"/>\n",
                y + 4.0
            ));
        } else {
            let pw = bar_w * f.passed as f64 / total as f64;
            s.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{}\" width=\"{pw:.1}\" height=\"18\" fill=\"{PASS}\"/>\n\
                 <rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"18\" fill=\"{FAIL}\"/>\n",
                y + 4.0,
                label_w + pw,
                y + 4.0,
                bar_w - pw
            ));
        }
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#222\">{} passed · {} failed  \
             <tspan fill=\"#555\">criteria: {} exceptions · {} none · {} manual</tspan></text>\n",
            label_w + bar_w + 10.0,
            y + 17.0,
            f.passed,
            f.failed,
            f.exceptions_found,
            f.no_exceptions,
            f.manual
        ));
    }
    s.push_str("</svg>");
    s
}

fn short_area(area: &str) -> String {
    let short = match area {
        "Communication and information" => "Communication",
        "Logical and physical access" => "Access",
        "Processing integrity" => "Proc. integrity",
        other => other,
    };
    short.to_string()
}

/// A row of squares, one per run, coloured by status; each has a tooltip.
pub fn timeline(statuses: &[Option<RunResult>], times: &[String]) -> String {
    let cell = 14.0;
    let gap = 3.0;
    let width = (cell + gap) * statuses.len() as f64;
    let mut s = format!(
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{cell}\" \
         viewBox=\"0 0 {width} {cell}\" role=\"img\">"
    );
    for (i, st) in statuses.iter().enumerate() {
        let x = (cell + gap) * i as f64;
        let (fill, label) = match st {
            Some(RunResult::NoExceptions) => (PASS, "no exceptions"),
            Some(RunResult::Exceptions) => (FAIL, "exceptions found"),
            Some(RunResult::NothingTested) => (NONE, "nothing tested"),
            None => ("#ffffff", "not in this run"),
        };
        let time = times.get(i).map(String::as_str).unwrap_or("");
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"0\" width=\"{cell}\" height=\"{cell}\" rx=\"2\" fill=\"{fill}\" \
             stroke=\"#777\" stroke-width=\"0.5\"><title>{}: {label}</title></rect>",
            esc(time)
        ));
    }
    s.push_str("</svg>");
    s
}
