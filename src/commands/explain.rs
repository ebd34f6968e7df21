//! `soclint explain`: one rule in full.
use super::output::print;
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::{Framework, RuleSourceArgs};
use crate::frameworks;
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::criteria;

/// `soclint explain RULE-ID`: everything about one rule, from its metadata.
pub fn run(id: &str, args: &RuleSourceArgs, only: &[Framework]) -> Result<u8, Fatal> {
    let set = rules_for_listing(&RuleOverrides::from(args), false)?;
    let Some(rule) = set.find(id) else {
        return Err(fatal(format!("no rule `{id}`; `soclint rules` lists them")));
    };
    let m = &rule.meta;
    let mut s = String::new();
    s.push_str(&format!("{}: {}\n\n", m.id, m.title));
    s.push_str(&format!(
        "Severity: {}\nTarget:   {}\n",
        m.severity, m.target
    ));
    if !m.resources.is_empty() {
        s.push_str(&format!("Applies to: {}\n", m.resources.join(", ")));
    }
    s.push_str("\nTrust Services Criteria:\n");
    for c in &m.criteria {
        let title = criteria::find(c).map(|c| c.title).unwrap_or("");
        s.push_str(&format!("  {c}  {title}\n"));
    }
    s.push_str(&framework_section(&m.id, only));
    s.push_str(&format!("\nWhy it matters:\n  {}\n", m.rationale));
    s.push_str(&format!("\nHow to fix:\n  {}\n", m.remediation));
    for (i, ex) in m.examples.iter().enumerate() {
        if let Some(f) = &ex.fail {
            s.push_str(&format!("\nExample {} (fails):\n{}\n", i + 1, indent(f)));
        }
        if let Some(p) = &ex.pass {
            s.push_str(&format!("\nExample {} (passes):\n{}\n", i + 1, indent(p)));
        }
    }
    if !m.checkov.is_empty() {
        s.push_str(&format!("\nCheckov equivalent: {}\n", m.checkov.join(", ")));
    }
    if !m.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &m.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    s.push_str(&format!("\nDefined in: {}\n", m.origin));
    print(&s);
    Ok(EXIT_OK)
}

/// The rule's controls in other frameworks, each with the source that backs
/// it; a framework with no row says so (unmapped, never guessed).
fn framework_section(rule: &str, only: &[Framework]) -> String {
    let mut s = String::new();
    let mut unmapped: Vec<&str> = Vec::new();
    for fw in Framework::ALL
        .into_iter()
        .filter(|f| *f != Framework::Tsc && (only.is_empty() || only.contains(f)))
    {
        let rows = frameworks::for_rule(rule, fw);
        if rows.is_empty() {
            unmapped.push(fw.short());
            continue;
        }
        s.push_str(&format!("\n{}:\n", fw.name()));
        let mut controls: Vec<&str> = rows.iter().map(|m| m.control).collect();
        controls.sort_by_key(|c| frameworks::natural_key(c));
        controls.dedup();
        for c in controls {
            let title = frameworks::title(fw, c);
            let mut vias: Vec<String> = rows
                .iter()
                .filter(|m| m.control == c)
                .map(|m| match m.kind {
                    frameworks::Kind::Check => format!(
                        "{} via {} @{}",
                        m.source.rsplit('/').next().unwrap_or(m.source),
                        m.via,
                        m.revision
                    ),
                    frameworks::Kind::Editorial => "editorial".to_string(),
                })
                .collect();
            vias.sort();
            vias.dedup();
            if title.is_empty() {
                s.push_str(&format!("  {c}  ({})\n", vias.join("; ")));
            } else {
                s.push_str(&format!("  {c}  {title}  ({})\n", vias.join("; ")));
            }
        }
    }
    if !unmapped.is_empty() {
        s.push_str(&format!(
            "\nNot mapped (no cited source maps this rule): {}\n",
            unmapped.join(", ")
        ));
    }
    s
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
