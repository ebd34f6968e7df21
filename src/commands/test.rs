//! `soclint test`: each rule's metadata checked and its fixtures run.
use super::output::print;
use super::{Fatal, EXIT_FINDINGS, EXIT_OK};
use crate::cli::TestArgs;
use crate::fixture::{test_rule, RuleTest};
use std::path::PathBuf;

use crate::project::{build_rules_with, find_config, today, Anchor, RuleOverrides};
use crate::rules::criteria::{category_of, Category};

/// `soclint test`: each rule against its fixtures; PASS, FAIL and SKIP apart.
pub fn run(args: &TestArgs) -> Result<u8, Fatal> {
    let overrides = RuleOverrides::from(&args.rules);
    let (config, path) = find_config(
        overrides.config_choice(),
        &Anchor::of(&[PathBuf::from(".")]),
    )?;
    let mut broken = Some(Vec::new());
    let set = build_rules_with(
        &overrides,
        &config,
        path.as_deref(),
        false,
        None,
        &mut broken,
    )?;
    let broken = broken.unwrap_or_default();
    let today = today()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut out = format!(
        "testing {}: metadata (ids unique, criteria in the catalogue, severity and target known, \
         message placeholders resolve, paths, regexes and globs compile) and fixtures in {}\n",
        crate::wording::plural(set.rules.len() + broken.len(), "rule", "rules"),
        args.dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for b in &broken {
        failed += 1;
        out.push_str(&format!("FAIL {} (metadata: {})\n", b.id, b.reason));
    }
    for rule in &set.rules {
        let m = &rule.meta;
        let mut verdict = RuleTest::Skip;
        for dir in &args.dirs {
            verdict = test_rule(&set, &m.id, m.target.name(), dir, today);
            if !matches!(verdict, RuleTest::Skip) {
                break;
            }
        }
        match verdict {
            RuleTest::Pass {
                findings,
                passes,
                fixed,
            } => {
                passed += 1;
                let plural = crate::wording::plural;
                let fixes = if fixed > 0 {
                    format!(", {} as `fixed/` expects", plural(fixed, "fix", "fixes"))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "PASS {} (metadata ok; {} expected, {}{fixes})\n",
                    m.id,
                    plural(findings, "finding", "findings"),
                    plural(passes, "passing evaluation", "passing evaluations")
                ));
            }
            RuleTest::Fail { problems } => {
                failed += 1;
                out.push_str(&format!("FAIL {} (metadata ok; fixtures differ)\n", m.id));
                for p in problems {
                    out.push_str(&format!("    {p}\n"));
                }
            }
            RuleTest::Skip if args.require_fixtures => {
                failed += 1;
                out.push_str(&format!("FAIL {} (metadata ok; no fixtures)\n", m.id));
            }
            RuleTest::Skip => {
                skipped += 1;
                out.push_str(&format!("SKIP {} (metadata ok; no fixtures)\n", m.id));
            }
        }
    }
    // a rule of the project's own that passes here but that `check` never
    // runs: all its criteria are in categories soclint.toml leaves out
    let mut scope = vec![Category::Security];
    scope.extend(config.categories.iter().copied());
    for m in set.rules.iter().map(|r| &r.meta) {
        let in_scope = m.criteria.iter().any(|c| scope.contains(&category_of(c)));
        if !in_scope && !m.origin.starts_with("builtin:") {
            out.push_str(&format!(
                "note: {} does not run in `soclint check`: its criteria ({}) are in categories not in scope (add them to `categories` in soclint.toml)\n",
                m.id,
                m.criteria.join(", ")
            ));
        }
    }
    out.push_str(&format!(
        "{passed} passed, {failed} failed, {skipped} skipped\n"
    ));
    print(&out);
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
