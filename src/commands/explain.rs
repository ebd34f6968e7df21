//! `soclint explain`: one rule in full.
use super::output::print;
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::RuleSourceArgs;
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::criteria;

/// `soclint explain RULE-ID`: everything about one rule, from its metadata.
pub fn run(id: &str, args: &RuleSourceArgs) -> Result<u8, Fatal> {
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

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
