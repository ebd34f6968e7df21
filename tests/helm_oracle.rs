//! soclint's Helm renderer against answers recorded from Go's text/template
//! with Sprig and Helm's functions (tests/data/helm/oracle: the Go harness,
//! its cases and its answers; CI does not need Go).
use std::collections::BTreeMap;

#[derive(Default, Debug)]
struct Case {
    name: String,
    template: String,
    helpers: String,
    values: String,
}

/// The format the Go harness reads: `=== NAME`, then `--- values`,
/// `--- helpers`, `--- template` parts.
fn parse_cases(text: &str) -> Vec<Case> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut cases: Vec<Case> = Vec::new();
    let mut part: Option<&str> = None;
    let mut lines: Vec<&str> = Vec::new();
    fn flush(cases: &mut [Case], part: Option<&str>, lines: &mut Vec<&str>) {
        if let (Some(p), Some(c)) = (part, cases.last_mut()) {
            let joined = lines.join("\n");
            match p {
                "values" => c.values = joined,
                "helpers" => c.helpers = joined,
                _ => c.template = joined,
            }
        }
        lines.clear();
    }
    for line in text.split('\n') {
        if let Some(name) = line.strip_prefix("=== ") {
            flush(&mut cases, part, &mut lines);
            part = None;
            cases.push(Case {
                name: name.to_string(),
                ..Case::default()
            });
        } else if let Some(p) = line
            .strip_prefix("--- ")
            .filter(|p| matches!(*p, "values" | "helpers" | "template"))
        {
            flush(&mut cases, part, &mut lines);
            part = Some(p);
        } else {
            lines.push(line);
        }
    }
    flush(&mut cases, part, &mut lines);
    cases
}

#[derive(serde::Deserialize)]
struct Answer {
    output: String,
    error: bool,
}

#[test]
fn renders_as_go_text_template_with_sprig() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/helm/oracle");
    let cases = parse_cases(&std::fs::read_to_string(dir.join("cases.txt")).unwrap());
    let answers: BTreeMap<String, Answer> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("answers.json")).unwrap()).unwrap();
    assert_eq!(cases.len(), answers.len(), "every case has an answer");
    let mut failures = Vec::new();
    for c in &cases {
        let want = &answers[&c.name];
        let got = soclint::render::helm::render_text(&c.template, &c.helpers, &c.values);
        match (&got, want.error) {
            (Ok(out), false) if *out == want.output => {}
            (Err(_), true) => {}
            _ => failures.push(format!(
                "{}:\n  go:      {}\n  soclint: {:?}",
                c.name,
                if want.error {
                    "error".to_string()
                } else {
                    format!("{:?}", want.output)
                },
                got
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
