//! Which of the loaded rules a scan runs, and where: what `select`, `ignore`,
//! the categories in scope, required settings and `[[scope]]` tables left
//! out, kept so reports can say it and suppressions are judged only against
//! the rules that ran.
use std::collections::{BTreeSet, HashSet};

use super::criteria::Category;
use super::LazyGlobs;
use crate::wording::plural;

/// What the configuration left out of a scan, for the summary of every report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The SOC 2 categories in scope (security first, always).
    pub categories: Vec<Category>,
    /// Selected rules whose criteria all belong to categories out of scope.
    pub out_of_scope: usize,
    /// The categories those rules belong to.
    pub out_of_scope_categories: BTreeSet<Category>,
    /// Selected, in-scope rules that wait for `policy-paths` in soclint.toml.
    pub need_policy_paths: usize,
    /// The repository-wide rules (CODEOWNERS, SECURITY.md, CI, required
    /// policies) did not run: the scan was not of a repository's root.
    pub not_repository_root: bool,
    /// Paths `[[scope]]` tables put out of scope (not scanned).
    pub out_of_scope_paths: Vec<String>,
    /// Rules from the project's own files that never run because all their
    /// criteria are out of scope: (id, file, their categories).
    pub own_rules_out_of_scope: Vec<(String, String, Vec<Category>)>,
}

impl Summary {
    /// What the summary of a report says about the scope, one sentence per
    /// line ("1 rule", "2 rules"); nothing when no scan set it.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.categories.is_empty() {
            return out;
        }
        let names: Vec<&str> = self.categories.iter().map(|c| c.name()).collect();
        let mut line = format!("Categories in scope: {}.", names.join(", "));
        if self.out_of_scope > 0 {
            let off: Vec<&str> = self
                .out_of_scope_categories
                .iter()
                .map(|c| c.name())
                .collect();
            line.push_str(&format!(
                " {} {} {} not in scope: add categories in soclint.toml.",
                self.out_of_scope,
                off.join("/"),
                if self.out_of_scope == 1 {
                    "rule"
                } else {
                    "rules"
                },
            ));
        }
        out.push(line);
        if self.need_policy_paths > 0 {
            out.push(format!(
                "{} off: soclint.toml does not say where the repository keeps its policies (set `policy-paths`).",
                plural(self.need_policy_paths, "policy rule", "policy rules"),
            ));
        }
        if self.not_repository_root {
            out.push(
                "Repository rules (CODEOWNERS, SECURITY.md, CI, required policies) not run: the scanned directory is not a repository's root."
                    .to_string(),
            );
        }
        for (id, origin, categories) in &self.own_rules_out_of_scope {
            let names: Vec<&str> = categories.iter().map(|c| c.name()).collect();
            out.push(format!(
                "Rule {id} ({origin}) does not run: its criteria are all in {}, not in scope (add to `categories` in soclint.toml).",
                names.join("/")
            ));
        }
        if !self.out_of_scope_paths.is_empty() {
            out.push(format!(
                "Not scanned, out of scope ([[scope]] in soclint.toml): {}.",
                self.out_of_scope_paths.join(", ")
            ));
        }
        out
    }
}

/// The rules a scan runs where, beyond the rule set itself.
#[derive(Debug, Default)]
pub struct Selection {
    pub summary: Summary,
    /// Ids of loaded rules left out of the whole scan (not selected, out of
    /// scope, a required setting missing).
    pub left_out: HashSet<String>,
    /// `[[scope]]` tables, in config order: the paths each covers and the ids
    /// of the rules that run there. Empty without such tables.
    pub path_scopes: Vec<(LazyGlobs, HashSet<String>)>,
    /// With path scopes: the rules that run outside all of them.
    pub outside: HashSet<String>,
}

impl Selection {
    /// Whether rule `id` ran for `path` (the first `[[scope]]` covering it
    /// decides, else the top-level selection). An id no loaded rule has is
    /// taken as run: a suppression naming it can only be unused.
    pub fn ran(&self, id: &str, path: &str) -> bool {
        if self.left_out.contains(id) {
            return false;
        }
        if self.path_scopes.is_empty() {
            return true;
        }
        match self
            .path_scopes
            .iter()
            .find(|(globs, _)| globs.is_match(path))
        {
            Some((_, active)) => active.contains(id),
            None => self.outside.contains(id) || !self.known(id),
        }
    }

    /// Whether some part of the scan runs rule `id`.
    fn known(&self, id: &str) -> bool {
        self.outside.contains(id) || self.path_scopes.iter().any(|(_, a)| a.contains(id))
    }

    /// Whether findings must be filtered by path (`[[scope]]` tables).
    pub fn by_path(&self) -> bool {
        !self.path_scopes.is_empty()
    }
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Availability => "availability",
            Category::ProcessingIntegrity => "processing-integrity",
            Category::Confidentiality => "confidentiality",
            Category::Privacy => "privacy",
        }
    }
}
