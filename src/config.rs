//! `soclint.toml`: project settings, with errors that point into the file.
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;

use crate::repo_path::{self, MAX_CONFIG_FILE_SIZE};
use crate::rules::criteria::Category;
use crate::unscanned::{Gap, Policy, Reason};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Only these rules (ids, id prefixes, criteria).
    #[serde(default)]
    pub select: Vec<String>,
    /// Not these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Globs of paths not to scan (relative to the root).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// critical, high, medium, low or never.
    pub fail_on: Option<String>,
    /// Extra rule directories, relative to this file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// SOC 2 categories in the audit's scope; security is always in.
    #[serde(default)]
    pub categories: Vec<Category>,
    pub max_file_size: Option<u64>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    pub max_alias_nodes: Option<usize>,
    /// Load the built-in rule pack (default true).
    pub builtin: Option<bool>,
    /// Directories where organisational policies are kept (`{policy_paths}` in
    /// rules); default `policies`, `docs/policies`, `compliance`.
    pub policy_paths: Option<Vec<String>>,
    /// How old a policy's `last_reviewed` may be (`younger_than_days =
    /// "policy-max-age-days"` in rules); default 365.
    pub policy_max_age_days: Option<u32>,
    /// Accepted exceptions kept out of the code (`[[waiver]]` tables).
    #[serde(default)]
    pub waiver: Vec<Waiver>,
    /// The baseline `check` applies (and `baseline` writes) when no
    /// `--baseline` is given; relative to this file.
    pub baseline: Option<String>,
    /// The organisation's control matrix `report` reads (`controls.toml`);
    /// relative to this file.
    pub controls: Option<String>,
    /// What an accepted exception (inline suppression or waiver) must carry;
    /// one that lacks it is not accepted and is reported.
    #[serde(default)]
    pub suppressions: SuppressionPolicy,
    /// Parts of a monorepo with a scope of their own (`[[scope]]` tables).
    #[serde(default)]
    pub scope: Vec<PathScope>,
    /// What a file that did not parse or was not scanned does to the run:
    /// `"error"`, `"warn"` or `"ignore"` for every kind, or a table by kind
    /// (`{ too-large = "warn", symlink = "error" }`, `all` for the rest).
    pub on_unscanned: Option<OnUnscanned>,
}

/// `[suppressions]`: the exceptions policy. Every accepted exception needs a
/// reason; these ask for more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SuppressionPolicy {
    /// An `owner=` (or a waiver's `owner`): who accepted the risk.
    #[serde(default)]
    pub require_owner: bool,
    /// A `ticket=` (or a waiver's `ticket`) recording the acceptance.
    #[serde(default)]
    pub require_ticket: bool,
    /// An end date (`until=`, a waiver's `expires`) at most this many days
    /// ahead: no open-ended exception.
    pub max_days: Option<u32>,
}

/// A part of the repository with its own audit scope: other categories, its
/// own rule selection, or out of scope altogether (not scanned). The first
/// table whose paths cover a file decides for it; files no table covers
/// follow the top-level settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathScope {
    /// Directories (everything below them) or globs, relative to this file.
    pub paths: Vec<String>,
    /// SOC 2 categories in scope there (security always is); unset: the
    /// top-level `categories`.
    pub categories: Option<Vec<Category>>,
    /// Only these rules there (ids, prefixes, criteria); unset: the
    /// top-level `select`. `--select` overrides both.
    pub select: Option<Vec<String>>,
    /// Not these rules there, besides the top-level `ignore`.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// `false`: out of the audit's scope; not scanned, and the summary says so.
    pub in_scope: Option<bool>,
}

impl PathScope {
    /// The scope's paths as globs: a directory covers everything below it.
    pub fn globs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.paths {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if p.contains(['*', '?', '[', '{']) {
                out.push(p.to_string());
            } else {
                out.push(p.to_string());
                out.push(format!("{p}/**"));
            }
        }
        out
    }

    pub fn is_in_scope(&self) -> bool {
        self.in_scope != Some(false)
    }
}

/// `on-unscanned`: one action for every kind of gap, or one per kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OnUnscanned {
    All(String),
    ByKind(std::collections::BTreeMap<String, String>),
}

impl Config {
    /// The policy for coverage gaps: the default, then `on-unscanned`
    /// (`all` first, then each kind). Checked when the config is loaded.
    pub fn unscanned_policy(&self) -> Result<Policy, String> {
        let mut policy = Policy::default();
        match &self.on_unscanned {
            None => {}
            Some(OnUnscanned::All(action)) => policy.apply(action)?,
            Some(OnUnscanned::ByKind(kinds)) => {
                if let Some(action) = kinds.get("all") {
                    policy.apply(action)?;
                }
                for (kind, action) in kinds.iter().filter(|(k, _)| *k != "all") {
                    policy.apply(&format!("{kind}={action}"))?;
                }
            }
        }
        Ok(policy)
    }
}

impl Waiver {
    /// What it accepts, for messages: the rule id, or `files not scanned
    /// (KIND)`.
    pub fn subject(&self) -> String {
        match &self.unscanned {
            Some(kind) => format!("files not scanned ({kind})"),
            None => self.rule.clone(),
        }
    }
}

impl Config {
    /// The settings rules may refer to, defaults filled in.
    pub fn settings(&self) -> crate::rules::Settings {
        let mut s = crate::rules::Settings::default();
        if let Some(p) = &self.policy_paths {
            s.policy_paths = p.clone();
        }
        if let Some(d) = self.policy_max_age_days {
            s.policy_max_age_days = d;
        }
        s
    }
}

/// `pattern`, a glob written relative to a directory `prefix` below the
/// repository root, made relative to the root. A glob without `/` matches at
/// any depth below its directory, as exclude globs do.
pub fn rebase_glob(prefix: &str, pattern: &str) -> String {
    let pattern = pattern.trim_start_matches("./");
    if prefix.is_empty() {
        pattern.to_string()
    } else if pattern.contains('/') {
        format!("{prefix}/{}", pattern.trim_start_matches('/'))
    } else {
        format!("{prefix}/**/{pattern}")
    }
}

impl Config {
    /// Makes the paths in a config found in `prefix` (a directory below the
    /// repository root, forward slashes) relative to the root, which is what
    /// reported paths are relative to.
    pub fn rebase(&mut self, prefix: &str) {
        if prefix.is_empty() {
            return;
        }
        for g in &mut self.exclude {
            *g = rebase_glob(prefix, g);
        }
        for w in &mut self.waiver {
            w.path = rebase_glob(prefix, &w.path);
        }
        if let Some(paths) = &mut self.policy_paths {
            for p in paths {
                *p = format!("{prefix}/{}", p.trim_matches('/'));
            }
        }
        for scope in &mut self.scope {
            for p in &mut scope.paths {
                *p = format!(
                    "{prefix}/{}",
                    p.trim_start_matches("./").trim_start_matches('/')
                );
            }
        }
    }
}

/// A central exception: findings of `rule` in files matching `path` (and, when
/// given, on `resource`) are suppressed until `expires`; or, with
/// `unscanned`, files matching `path` that did not parse or were not scanned
/// for that reason are accepted (they neither fail the run nor warn).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule whose findings it accepts; empty for a waiver of files not
    /// scanned (`unscanned`).
    #[serde(default)]
    pub rule: String,
    /// Instead of a rule: the kind of coverage gap it accepts for `path`
    /// (`parse-error`, `too-large`, …, or `*` for any).
    pub unscanned: Option<String>,
    /// A glob relative to the scanned root (as in `exclude`).
    pub path: String,
    pub resource: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; the waiver stops suppressing after this day.
    pub expires: Option<String>,
    pub ticket: Option<String>,
    /// 1-based line of the `[[waiver]]` header in the config file.
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid config {name}: {message}")]
#[diagnostic(code(soclint::config))]
pub struct ConfigError {
    pub name: String,
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
    /// The file's other errors, found in the same reading.
    #[related]
    pub others: Vec<ConfigError>,
}

pub const FILE_NAME: &str = "soclint.toml";

/// Reads and checks a config file; the directory it is in anchors relative
/// paths. Only a regular file of at most [`MAX_CONFIG_FILE_SIZE`] bytes is
/// read, and an error quotes the file only when it is TOML
/// ([`repo_path::may_quote`]): `--config` may name any file, and what is not
/// TOML may be anything (the error gives the line and column instead).
pub fn load(path: &Path) -> Result<Config, Box<ConfigError>> {
    let name = crate::escape::terminal(&path.display().to_string()).into_owned();
    let fail = |name: String, message: String| {
        Box::new(ConfigError {
            source_code: NamedSource::new(&name, String::new()),
            name,
            message,
            span: None,
            others: Vec::new(),
        })
    };
    let (bytes, links) =
        repo_path::read_regular(path, MAX_CONFIG_FILE_SIZE).map_err(|e| fail(name.clone(), e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(
            format!("{name}{}", repo_path::utf8_position(&e)),
            "not UTF-8 text".into(),
        )
    })?;
    let quote = repo_path::may_quote(&text, links);
    parse(&name, &text).map_err(|mut e| {
        if !quote {
            let ConfigError {
                name,
                source_code,
                span,
                ..
            } = &mut *e;
            repo_path::position_only(name, source_code, span);
            for other in &mut e.others {
                let ConfigError {
                    name,
                    source_code,
                    span,
                    ..
                } = other;
                repo_path::position_only(name, source_code, span);
            }
        }
        e
    })
}

/// A path or glob that names files of the scanned tree (a waiver's `path`,
/// a policy directory): relative to the scanned root, so an absolute path,
/// a drive prefix, `\\` or a `..` could never match anything there (nothing
/// outside is read either way; the error says so instead of a finding with
/// a `../` path or a waiver that silently never applies).
fn in_tree(path: &str) -> Result<(), String> {
    repo_path::check_relative(path)
        .map_err(|e| e.replace("relative to the file", "relative to the scanned directory"))?;
    if path.split('/').any(|part| part == "..") {
        return Err("leaves the scanned directory (`..`); paths here are relative to it".into());
    }
    Ok(())
}

pub fn parse(name: &str, text: &str) -> Result<Config, Box<ConfigError>> {
    let fail = |message: String, span: Option<std::ops::Range<usize>>| {
        Box::new(ConfigError {
            name: name.to_string(),
            message,
            source_code: NamedSource::new(name, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            others: Vec::new(),
        })
    };
    let mut config: Config = crate::toml_check::from_str(text).map_err(|problems| {
        let mut all = problems.into_iter().map(|p| fail(p.message, p.span));
        let mut first = all
            .next()
            .unwrap_or_else(|| fail("invalid TOML".into(), None));
        first.others = all.map(|e| *e).collect();
        first
    })?;
    // the n-th `[[waiver]]` header is the n-th waiver
    let mut headers = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[waiver]]"))
        .map(|(i, _)| i + 1);
    for w in &mut config.waiver {
        w.line = headers.next().unwrap_or(1);
    }
    let at = |value: &str| text.find(value).map(|s| s..s + value.len());
    for w in &config.waiver {
        if let Err(e) = globset::Glob::new(&w.path) {
            return Err(fail(format!("invalid waiver path glob: {e}"), at(&w.path)));
        }
        if let Err(e) = in_tree(&w.path) {
            return Err(fail(format!("waiver path `{}` {e}", w.path), at(&w.path)));
        }
        let header = || {
            let start = text
                .lines()
                .take(w.line.saturating_sub(1))
                .map(|l| l.len() + 1)
                .sum::<usize>();
            Some(start..start + "[[waiver]]".len())
        };
        match (&w.unscanned, w.rule.is_empty()) {
            (None, true) => {
                return Err(fail(
                    "a waiver needs `rule` (a rule id) or `unscanned` (a kind of file not scanned)"
                        .into(),
                    header(),
                ))
            }
            (Some(_), false) => {
                return Err(fail(
                    "a waiver takes `rule` or `unscanned`, not both".into(),
                    header(),
                ))
            }
            (Some(kind), true) if kind != "*" && Gap::from_id(kind).is_none() => {
                let at = text.find(kind.as_str()).map(|s| s..s + kind.len());
                return Err(fail(
                    format!(
                        "`{kind}` is not a kind of file not scanned (expected `*`, parse-error, {})",
                        Reason::ALL.map(Reason::id).join(", ")
                    ),
                    at,
                ));
            }
            _ => {}
        }
    }
    for p in config.policy_paths.iter().flatten() {
        if let Err(e) = in_tree(p) {
            return Err(fail(format!("policy path `{p}` {e}"), at(p)));
        }
    }
    if let Err(e) = config.unscanned_policy() {
        let at = text
            .find("on-unscanned")
            .map(|s| s..s + "on-unscanned".len());
        return Err(fail(format!("on-unscanned: {e}"), at));
    }
    for scope in &config.scope {
        if scope.paths.is_empty() {
            let at = text.find("[[scope]]").map(|s| s..s + 9);
            return Err(fail("a [[scope]] table needs `paths`".into(), at));
        }
        for g in scope.globs() {
            if let Err(e) = globset::Glob::new(&g) {
                let at = text.find(g.trim_end_matches("/**")).map(|s| s..s + g.len());
                return Err(fail(format!("invalid scope path glob: {e}"), at));
            }
        }
    }
    if let Some(f) = &config.fail_on {
        if !matches!(f.as_str(), "critical" | "high" | "medium" | "low" | "never") {
            let at = text.find("fail-on").map(|s| s..s + 7);
            return Err(fail(
                format!("fail-on is `{f}`; expected critical, high, medium, low or never"),
                at,
            ));
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config found below the repository root names paths from its own
    /// directory; reports name them from the root.
    #[test]
    fn paths_in_a_nested_config_are_rebased_to_the_root() {
        let mut c = parse(
            "soclint.toml",
            "exclude = [\"vendor/**\", \"*.generated.tf\"]\npolicy-paths = [\"policies/\"]\n\
             [[waiver]]\nrule = \"X\"\npath = \"./iam/*.json\"\nreason = \"r\"\n\
             [[scope]]\npaths = [\"tools\"]\nin-scope = false\n",
        )
        .expect("valid");
        c.rebase("services/api");
        assert_eq!(
            c.exclude,
            ["services/api/vendor/**", "services/api/**/*.generated.tf"]
        );
        assert_eq!(
            c.policy_paths.as_deref(),
            Some(&["services/api/policies".to_string()][..])
        );
        assert_eq!(c.waiver[0].path, "services/api/iam/*.json");
        assert_eq!(
            c.scope[0].globs(),
            ["services/api/tools", "services/api/tools/**"]
        );
        assert!(!c.scope[0].is_in_scope());
        // at the root nothing moves
        let mut root = parse("soclint.toml", "exclude = [\"a/**\"]\n").expect("valid");
        root.rebase("");
        assert_eq!(root.exclude, ["a/**"]);
    }

    #[test]
    fn a_scope_needs_paths() {
        let err = parse("soclint.toml", "[[scope]]\npaths = []\n").expect_err("invalid");
        assert_eq!(err.message, "a [[scope]] table needs `paths`");
    }
}
