//! `docs/rules/` is the generated reference of the built-in pack; it must match
//! what `soclint rules --format markdown` produces now, byte for byte.
use std::path::Path;

use soclint::config::Config;
use soclint::project::build_rules;
use soclint::project::RuleOverrides;

#[test]
fn committed_rule_docs_are_current() {
    let set = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let rules: Vec<_> = set.rules.iter().collect();
    let pages = soclint::docs::render(&rules);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let regenerate =
        "regenerate with `cargo run -- rules --format markdown --output-dir docs/rules`";
    let mut stale = Vec::new();
    for (name, text) in &pages {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(committed) if committed == *text => {}
            Ok(_) => stale.push(format!("docs/rules/{name} is out of date")),
            Err(_) => stale.push(format!("docs/rules/{name} is missing")),
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    for name in on_disk {
        if !pages.iter().any(|(n, _)| *n == name) {
            stale.push(format!("docs/rules/{name} is not generated any more"));
        }
    }
    assert!(stale.is_empty(), "{}; {regenerate}", stale.join("\n"));
}

#[test]
fn markdown_pages_carry_every_rule_with_its_metadata() {
    let set = build_rules(&RuleOverrides::default(), &Config::default(), None, false)
        .unwrap_or_else(|_| panic!("built-in rules load"));
    let rules: Vec<_> = set.rules.iter().collect();
    let pages = soclint::docs::render(&rules);
    assert_eq!(pages[0].0, "README.md");
    let all: String = pages.iter().map(|(_, t)| t.as_str()).collect();
    for r in &set.rules {
        assert!(
            all.contains(&format!("\n## {}\n", r.meta.id)),
            "{}",
            r.meta.id
        );
        for c in &r.meta.checkov {
            assert!(all.contains(c.as_str()), "{c}");
        }
    }
    assert!(pages[0].1.contains("| CC6.1 |"));
}
