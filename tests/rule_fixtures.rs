//! Every built-in rule against its fixtures: `fail/` produces exactly the
//! declared findings, `pass/` produces none and passes the rule at least once.
//! The exact line:column of every finding is pinned in a snapshot. The cases
//! run as of the real today, as `soclint test` runs them: a case whose
//! verdict depends on the date pins its own day (`# today:` in expect.txt).
use std::fmt::Write;
use std::path::Path;

use soclint::config::Config;
use soclint::fixture::{run_case, test_rule, RuleTest};
use soclint::project::build_rules;
use soclint::project::RuleOverrides;
use soclint::rules::Target;

#[test]
fn every_builtin_rule_meets_its_fixtures() {
    let today = soclint::project::today().expect("today");
    let all = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut problems = Vec::new();
    let mut locations = String::new();
    for rule in &all.rules {
        let (id, target) = (&rule.meta.id, rule.meta.target.name());
        match test_rule(&all, id, target, &fixtures, today) {
            RuleTest::Pass { .. } => {}
            RuleTest::Skip => {
                problems.push(format!("{id}: no fixtures under fixtures/{target}/{id}"))
            }
            RuleTest::Fail { problems: p } => problems.push(format!("{id}:\n  {}", p.join("\n  "))),
        }
        let case = fixtures.join(target).join(id).join("fail");
        if let Ok(result) = run_case(&all, &case, today) {
            for f in result.scan.findings.iter().filter(|f| &f.rule.id == id) {
                let _ = writeln!(
                    locations,
                    "{target}/{id}/fail/{}:{}:{}-{}:{}",
                    f.path,
                    f.location.start_line,
                    f.location.start_column,
                    f.location.end_line,
                    f.location.end_column,
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "fixture problems:\n{}",
        problems.join("\n")
    );
    insta::assert_snapshot!("fixture_locations", locations);
}

#[test]
fn the_pack_covers_every_target() {
    let all = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    assert!(
        all.rules.len() >= 40,
        "only {} built-in rules",
        all.rules.len()
    );
    for target in Target::ALL {
        let n = all.rules.iter().filter(|r| r.meta.target == target).count();
        assert!(n >= 3, "{target}: {n} rules");
    }
}
