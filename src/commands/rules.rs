//! `soclint rules`: list the active rules, or write the rule reference.
use super::output::{cannot_write, print};
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::Framework;
use crate::cli::{RulesArgs, RulesFormat};
use crate::frameworks;
use crate::output_file::{self, Guard};
use crate::project::{rules_for_listing, RuleOverrides};
use crate::rules::criteria;
use crate::rules::{Rule, Target};

/// `soclint rules`: the rules, filtered by criterion and target, as a table,
/// JSON or the Markdown reference.
pub fn run(args: &RulesArgs) -> Result<u8, Fatal> {
    let set = rules_for_listing(&RuleOverrides::from(&args.rules), false)?;
    let target = match &args.target {
        Some(t) => Some(Target::parse(t).ok_or_else(|| {
            fatal(format!(
                "unknown target `{t}` (expected one of: {})",
                Target::ALL
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
        None => None,
    };
    let shown: Vec<&Rule> = set
        .rules
        .iter()
        .filter(|r| target.is_none_or(|t| r.meta.target == t))
        .filter(|r| {
            args.criteria
                .as_ref()
                .is_none_or(|c| r.meta.criteria.iter().any(|rc| criteria::selects(c, rc)))
        })
        .filter(|r| {
            args.framework
                .is_none_or(|fw| !controls_of(r, fw).is_empty())
        })
        .collect();
    let fw = args.framework.unwrap_or(Framework::Tsc);
    if args.output_dir.is_some() && args.format != RulesFormat::Markdown {
        return Err(fatal("--output-dir goes with --format markdown"));
    }
    let text = match args.format {
        RulesFormat::Markdown => {
            let pages = crate::docs::render(&shown);
            if let Some(dir) = &args.output_dir {
                let guard = Guard::new([]);
                output_file::create_dir_all(dir, &guard)
                    .map_err(|e| fatal(format!("cannot create {}: {e}", dir.display())))?;
                for (name, text) in &pages {
                    let p = dir.join(name);
                    output_file::replace_with_text(&p, &guard, text)
                        .map_err(|e| cannot_write(&p, e))?;
                }
                return Ok(EXIT_OK);
            }
            pages
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
                .join("\n")
        }
        RulesFormat::Json => {
            let items: Vec<serde_json::Value> = shown
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    let mut v = serde_json::json!({
                        "id": m.id, "title": m.title, "severity": m.severity, "criteria": m.criteria,
                        "target": m.target, "resources": m.resources, "checkov": m.checkov,
                    });
                    if fw != Framework::Tsc {
                        v["framework"] = serde_json::json!(fw.id());
                        v["controls"] = serde_json::json!(controls_of(r, fw));
                    }
                    v
                })
                .collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        RulesFormat::Table => {
            let mut s = String::new();
            let idw = shown
                .iter()
                .map(|r| r.meta.id.len())
                .max()
                .unwrap_or(2)
                .max(2);
            let column = if fw == Framework::Tsc {
                "CRITERIA".to_string()
            } else {
                fw.short().to_ascii_uppercase()
            };
            s.push_str(&format!(
                "{:idw$}  {:8}  {:15}  {:24}  TITLE\n",
                "ID", "SEVERITY", "TARGET", column
            ));
            for r in &shown {
                let m = &r.meta;
                s.push_str(&format!(
                    "{:idw$}  {:8}  {:15}  {:24}  {}\n",
                    m.id,
                    m.severity.name(),
                    m.target.name(),
                    controls_of(r, fw).join(","),
                    m.title
                ));
            }
            s.push_str(&format!(
                "{}\n",
                crate::wording::plural(shown.len(), "rule", "rules")
            ));
            s
        }
    };
    print(&text);
    Ok(EXIT_OK)
}

/// The rule's controls in `fw` (its criteria for the TSC).
fn controls_of(r: &Rule, fw: Framework) -> Vec<&'static str> {
    frameworks::controls(&r.meta.id, &r.meta.criteria, fw)
}
