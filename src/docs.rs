//! The generated rule reference (`soclint rules --format markdown`): one page
//! per target and an index with counts per target and per criterion, all from
//! rule metadata. `docs/rules/` in the repository is this output for the
//! built-in pack (a test keeps it current).
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::rules::{criteria, Rule, Target};

/// The pages: (file name, Markdown), the index (`README.md`) first, then one
/// page per target that has rules, in target order.
pub fn render(rules: &[&Rule]) -> Vec<(String, String)> {
    let mut by_target: BTreeMap<Target, Vec<&Rule>> = BTreeMap::new();
    for r in rules {
        by_target.entry(r.meta.target).or_default().push(r);
    }
    for list in by_target.values_mut() {
        list.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    }
    let mut pages = vec![("README.md".to_string(), index(rules, &by_target))];
    for (target, list) in &by_target {
        pages.push((page_name(*target), page(*target, list)));
    }
    pages
}

fn page_name(t: Target) -> String {
    format!("{}.md", t.name())
}

fn fence_lang(t: Target) -> &'static str {
    match t {
        Target::Terraform => "hcl",
        Target::Cloudformation
        | Target::Kubernetes
        | Target::GithubActions
        | Target::GitlabCi
        | Target::DockerCompose => "yaml",
        Target::Dockerfile => "dockerfile",
        Target::Iam | Target::Arm => "json",
        Target::PolicyDocument => "markdown",
        Target::Repository => "text",
    }
}

/// Keeps a table cell on one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn anchor(id: &str) -> String {
    id.to_ascii_lowercase()
}

fn index(rules: &[&Rule], by_target: &BTreeMap<Target, Vec<&Rule>>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# soclint rule reference\n");
    let _ = writeln!(
        s,
        "Generated from the rule metadata by `soclint rules --format markdown --output-dir docs/rules`; \
         do not edit by hand. {} rules.\n",
        rules.len()
    );
    let _ = writeln!(s, "## Rules per target\n");
    let _ = writeln!(s, "| target | rules |\n|---|---:|");
    for (t, list) in by_target {
        let _ = writeln!(s, "| [{}]({}) | {} |", t.name(), page_name(*t), list.len());
    }
    let _ = writeln!(s, "\n## Rules per criterion\n");
    let _ = writeln!(
        s,
        "| criterion | summary | static evidence | rules | ids |\n|---|---|---|---:|---|"
    );
    for c in criteria::CRITERIA {
        let mut ids: Vec<&Rule> = rules
            .iter()
            .copied()
            .filter(|r| r.meta.criteria.contains(&c.id))
            .collect();
        ids.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let links = ids
            .iter()
            .map(|r| {
                format!(
                    "[{}]({}#{})",
                    r.meta.id,
                    page_name(r.meta.target),
                    anchor(&r.meta.id)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            c.id,
            cell(c.title),
            match c.static_evidence {
                criteria::Evidence::Yes => "yes",
                criteria::Evidence::Partly => "partly",
                criteria::Evidence::No => "no",
            },
            ids.len(),
            links
        );
    }
    s
}

fn page(target: Target, list: &[&Rule]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} rules\n", target.name());
    let _ = writeln!(
        s,
        "Generated from the rule metadata; do not edit by hand. {} rules. [Index](README.md)\n",
        list.len()
    );
    let _ = writeln!(s, "| id | severity | title | criteria |\n|---|---|---|---|");
    for r in list {
        let m = &r.meta;
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} |",
            m.id,
            anchor(&m.id),
            m.severity.name(),
            cell(&m.title),
            m.criteria.join(", ")
        );
    }
    for r in list {
        let m = &r.meta;
        let _ = writeln!(s, "\n## {}\n", m.id);
        let _ = writeln!(s, "**{}**\n", m.title);
        let _ = writeln!(s, "- severity: {}", m.severity.name());
        let _ = writeln!(s, "- criteria:");
        for c in &m.criteria {
            let title = criteria::find(c).map(|c| c.title).unwrap_or_default();
            let _ = writeln!(s, "  - {c}: {title}");
        }
        if !m.resources.is_empty() {
            let res = m
                .resources
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(s, "- resources: {res}");
        }
        if !m.checkov.is_empty() {
            let _ = writeln!(s, "- checkov: {}", m.checkov.join(", "));
        }
        let _ = writeln!(s, "\n{}\n", m.rationale.trim());
        let _ = writeln!(s, "**Remediation:** {}", m.remediation.trim());
        if let Some(fx) = &m.fix {
            let kind = if fx.suggestion { "Suggestion" } else { "Fix" };
            let how = if fx.suggestion {
                "shown with a placeholder to fill in, never applied by `--fix`"
            } else {
                "`soclint check --fix`, `--diff` and the editor apply it where unambiguous"
            };
            let _ = writeln!(s, "\n**{kind}:** {} ({how})", fx.title);
        }
        for ex in &m.examples {
            for (label, text) in [("Fails", &ex.fail), ("Passes", &ex.pass)] {
                if let Some(t) = text {
                    let _ = writeln!(
                        s,
                        "\n{label}:\n\n````{}\n{}\n````",
                        fence_lang(target),
                        t.trim_matches('\n')
                    );
                }
            }
        }
        if !m.references.is_empty() {
            let _ = writeln!(s, "\nReferences:\n");
            for u in &m.references {
                let _ = writeln!(s, "- <{u}>");
            }
        }
    }
    s
}
