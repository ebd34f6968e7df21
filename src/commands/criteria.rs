//! `soclint criteria`: the Trust Services Criteria and their rule coverage.
use std::collections::BTreeMap;

use super::output::print;
use super::{Fatal, EXIT_OK};
use crate::cli::{Framework, ListFormat, RuleSourceArgs};
use crate::frameworks;
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::criteria;

/// `soclint criteria`: each Trust Services Criterion with how many rules in
/// the audit's scope cover it.
pub fn run(args: &RuleSourceArgs, format: ListFormat, framework: Framework) -> Result<u8, Fatal> {
    let set = rules_for_listing(&RuleOverrides::from(args), true)?;
    if framework != Framework::Tsc {
        print(&framework_table(&set, format, framework));
        return Ok(EXIT_OK);
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &set.rules {
        for c in &r.meta.criteria {
            *counts.entry(c).or_insert(0) += 1;
        }
    }
    let text = match format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = criteria::CRITERIA
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id, "area": c.area, "title": c.title, "category": c.category(),
                        "static_evidence": c.static_evidence, "rules": counts.get(c.id).copied().unwrap_or(0),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut s = format!("{:6}  {:5}  {:7}  TITLE\n", "ID", "RULES", "STATIC");
            for c in criteria::CRITERIA {
                let ev = match c.static_evidence {
                    criteria::Evidence::Yes => "yes",
                    criteria::Evidence::Partly => "partly",
                    criteria::Evidence::No => "no",
                };
                s.push_str(&format!(
                    "{:6}  {:5}  {:7}  {}\n",
                    c.id,
                    counts.get(c.id).copied().unwrap_or(0),
                    ev,
                    c.title
                ));
            }
            let covered = criteria::CRITERIA
                .iter()
                .filter(|c| counts.contains_key(c.id))
                .count();
            s.push_str(&format!(
                "{covered} of {} criteria covered by {} active rules\n",
                criteria::CRITERIA.len(),
                set.rules.len()
            ));
            s
        }
    };
    print(&text);
    Ok(EXIT_OK)
}

/// `soclint criteria --framework X`: each control of the framework's
/// catalogue with the active rules mapped to it.
fn framework_table(set: &crate::rules::RuleSet, format: ListFormat, fw: Framework) -> String {
    let mut rules_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &set.rules {
        for c in frameworks::controls(&r.meta.id, &r.meta.criteria, fw) {
            rules_of.entry(c).or_default().push(&r.meta.id);
        }
    }
    let catalogue = frameworks::catalogue(fw);
    match format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = catalogue
                .iter()
                .map(|(id, title)| {
                    serde_json::json!({
                        "framework": fw.id(), "id": id, "title": title,
                        "rules": rules_of.get(id).cloned().unwrap_or_default(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let w = catalogue
                .iter()
                .map(|(c, _)| c.len())
                .max()
                .unwrap_or(2)
                .max(2);
            let mut s = format!("{}\n{:w$}  {:5}  TITLE\n", fw.name(), "ID", "RULES");
            for (id, title) in &catalogue {
                let n = rules_of.get(id).map_or(0, Vec::len);
                s.push_str(format!("{id:w$}  {n:5}  {title}").trim_end());
                s.push('\n');
            }
            let covered = catalogue
                .iter()
                .filter(|(c, _)| rules_of.contains_key(c))
                .count();
            s.push_str(&format!(
                "{covered} of {} controls mapped from {} active rules (titles are shown only where the text is free to copy)\n",
                catalogue.len(),
                set.rules.len()
            ));
            s
        }
    }
}
