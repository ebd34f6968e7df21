//! `soclint criteria`: the Trust Services Criteria and their rule coverage.
use std::collections::BTreeMap;

use super::output::print;
use super::{Fatal, EXIT_OK};
use crate::cli::{ListFormat, RuleSourceArgs};
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::criteria;

/// `soclint criteria`: each Trust Services Criterion with how many rules in
/// the audit's scope cover it.
pub fn run(args: &RuleSourceArgs, format: ListFormat) -> Result<u8, Fatal> {
    let set = rules_for_listing(&RuleOverrides::from(args), true)?;
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
