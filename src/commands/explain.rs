//! `soclint explain`: one rule in full; for a criterion or a Checkov id,
//! the rules that test it.
use super::output::print;
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::{Framework, RuleSourceArgs};
use crate::escape::terminal;
use crate::frameworks;
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::{criteria, Rule, RuleSet};

/// `soclint explain RULE-ID`: everything about one rule, from its metadata.
pub fn run(id: &str, args: &RuleSourceArgs, only: &[Framework]) -> Result<u8, Fatal> {
    let set = rules_for_listing(&RuleOverrides::from(args), false)?;
    let Some(rule) = set.find(id) else {
        return explain_other(id, &set);
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
    if let Some(fx) = &m.fix {
        s.push_str(&format!("  {}\n", fx.sentence()));
    }
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

/// `explain CC6.1` (a criterion, or a family such as `CC6`): the rules that
/// test it; `explain CKV_AWS_20`: the rules that cover that Checkov check.
/// Anything else is an error naming the nearest id, criterion or check.
fn explain_other(id: &str, set: &RuleSet) -> Result<u8, Fatal> {
    let criterion = criteria::CRITERIA
        .iter()
        .any(|c| criteria::selects(id, c.id));
    let mut s = String::new();
    if criterion {
        let covering: Vec<&Rule> = set
            .rules
            .iter()
            .filter(|r| r.meta.criteria.iter().any(|c| criteria::selects(id, c)))
            .collect();
        match criteria::find(id) {
            Some(c) => s.push_str(&format!("{}: {}\nArea: {}\n", c.id, c.title, c.area)),
            None => {
                s.push_str(&format!("{id}: a family of criteria\n"));
                for c in criteria::CRITERIA
                    .iter()
                    .filter(|c| criteria::selects(id, c.id))
                {
                    s.push_str(&format!("  {}  {}\n", c.id, c.title));
                }
            }
        }
        s.push_str(&rule_list(&covering, "test it"));
    } else {
        let covering: Vec<&Rule> = set
            .rules
            .iter()
            .filter(|r| r.meta.checkov.iter().any(|c| c.eq_ignore_ascii_case(id)))
            .collect();
        if covering.is_empty() {
            let mut known: Vec<&str> = set.rules.iter().map(|r| r.meta.id.as_str()).collect();
            known.extend(criteria::CRITERIA.iter().map(|c| c.id));
            known.extend(
                set.rules
                    .iter()
                    .flat_map(|r| r.meta.checkov.iter().map(String::as_str)),
            );
            return Err(fatal(crate::escape::terminal(&format!(
                "`{id}` is not a rule id, a criterion or a Checkov id a rule covers (`soclint rules` lists the rules){}",
                crate::suggest::did_you_mean(id, known)
            ))));
        }
        let name = &covering[0]
            .meta
            .checkov
            .iter()
            .find(|c| c.eq_ignore_ascii_case(id))
            .map_or(id, String::as_str);
        s.push_str(&format!("{}: a Checkov check\n", terminal(name)));
        s.push_str(&rule_list(&covering, "cover it"));
    }
    print(&s);
    Ok(EXIT_OK)
}

/// `Rules that test it (2):` and a line per rule (id, severity, title).
fn rule_list(rules: &[&Rule], what: &str) -> String {
    if rules.is_empty() {
        return format!("\nNo rule {what}.\n");
    }
    let width = rules
        .iter()
        .map(|r| terminal(&r.meta.id).chars().count())
        .max()
        .unwrap_or(0);
    let mut s = format!("\nRules that {what} ({}):\n", rules.len());
    for r in rules {
        s.push_str(&format!(
            "  {:<width$}  {:<8}  {}\n",
            terminal(&r.meta.id),
            r.meta.severity.name(),
            terminal(&r.meta.title)
        ));
    }
    s.push_str("\n`soclint explain RULE-ID` shows a rule in full.\n");
    s
}
