//! The project as a scan sees it: which config applies, which rules run, and
//! the scan and filter steps every command shares. A library module in the
//! role ruff's `ruff_workspace` plays: commands call it, and so can anything
//! else that scans (a language server, a test), without the command line's
//! clap types; what the command line adds arrives as plain override structs.
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use miette::Report;

use crate::config::{self, Config};
use crate::discover::{self, Root};
use crate::document::Limits;
use crate::evaluate::EvalOptions;
use crate::filter::{self, FilterOptions};
use crate::finding::ScanResult;
use crate::parallel;
use crate::parse::{self, ParseOptions, PolicyPlaces};
use crate::repo_path::{self, MAX_CONFIG_FILE_SIZE};
use crate::rules::criteria::{self, Category};
use crate::rules::selection::Selection;
use crate::rules::{self, eval, LazyGlobs, Requirement, Rule, RuleSet, Target};
use crate::scan::{self, ScanOptions};

/// Why a project cannot be scanned as asked (an unreadable config, a broken
/// rule file, a bad value): a miette report, so config and rule errors keep
/// their source excerpt when the caller renders them.
pub type Error = Report;

/// An error; its text names files of the scanned tree, so what a terminal
/// would act on is shown as escapes.
fn error(msg: impl Into<String>) -> Error {
    miette::miette!("{}", crate::escape::terminal(&msg.into()))
}

/// A config or rule file error, boxed by its parser, as a report.
fn boxed<E: miette::Diagnostic + Send + Sync + 'static>(e: Box<E>) -> Error {
    Report::new_boxed(e)
}

/// What the caller sets, over the config, about which rules run.
#[derive(Debug, Clone, Default)]
pub struct RuleOverrides {
    /// A soclint.toml to use instead of the one found.
    pub config: Option<PathBuf>,
    /// Use no soclint.toml found in the tree.
    pub no_config: bool,
    /// Directories (or files) of extra TOML rules.
    pub rules: Vec<PathBuf>,
    /// Leave the built-in rule pack out.
    pub no_builtin: bool,
    /// Only these rules: ids, id prefixes or criteria (replaces the config's `select`).
    pub select: Vec<String>,
    /// Not these rules: ids, id prefixes or criteria (added to the config's `ignore`).
    pub ignore: Vec<String>,
}

/// Where a scan stands in the file system: what paths are reported
/// relative to, and where the search for `soclint.toml` starts.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The root paths are reported relative to: the repository root (the
    /// nearest directory at or above the scanned paths holding `.git`), else
    /// the one scanned directory, else the working directory. Absolute.
    pub base: PathBuf,
    /// The directory holding every scanned path (the one scanned directory,
    /// or a file's directory): the config search walks up from here to `base`.
    pub start: PathBuf,
    /// `base` is a repository's root (it holds `.git`).
    pub in_repository: bool,
}

impl Anchor {
    /// The anchor of a scan of `paths` (files or directories, as given).
    pub fn of(paths: &[PathBuf]) -> Anchor {
        let dirs: Vec<PathBuf> = paths
            .iter()
            .map(|p| {
                let abs = discover::absolute(p);
                if p.is_dir() {
                    abs
                } else {
                    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
                }
            })
            .collect();
        let cwd = discover::absolute(Path::new("."));
        let start = dirs.iter().skip(1).fold(
            dirs.first().cloned().unwrap_or_else(|| cwd.clone()),
            |common, d| {
                common
                    .ancestors()
                    .find(|a| d.starts_with(a))
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            },
        );
        match discover::repository_root(&start) {
            Some(root) => Anchor {
                base: root,
                start,
                in_repository: true,
            },
            None => {
                let one_dir = matches!(paths, [p] if p.is_dir());
                Anchor {
                    base: if one_dir { start.clone() } else { cwd },
                    start,
                    in_repository: false,
                }
            }
        }
    }

    /// A scanned path as reported: relative to [`Anchor::base`] (forward
    /// slashes, `""` for the base itself), else as given.
    pub fn display(&self, path: &Path) -> String {
        discover::relative_to(path, &self.base).unwrap_or_else(|| discover::normalise(path))
    }

    /// Whether a scan of the one directory `dir` is a scan of the repository
    /// root, so the repository's own rules apply.
    pub fn is_repository_root(&self, dir: &Path) -> bool {
        self.in_repository && discover::absolute(dir) == self.base
    }
}

/// What the caller says about soclint.toml: a file to use, or none at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConfigChoice<'a> {
    /// `--config FILE`: this file, whatever the tree holds.
    pub explicit: Option<&'a Path>,
    /// `--no-config`: no soclint.toml from the tree (the defaults, or `explicit`).
    pub ignore_tree: bool,
}

impl RuleOverrides {
    /// What `--config` and `--no-config` ask.
    pub fn config_choice(&self) -> ConfigChoice<'_> {
        ConfigChoice {
            explicit: self.config.as_deref(),
            ignore_tree: self.no_config,
        }
    }
}

/// The config that applies to a scan anchored at `anchor`: `--config FILE`,
/// else the nearest `soclint.toml` from the scanned directory up to the
/// repository root (none with `--no-config`). Paths in a config found in the
/// tree are relative to its directory; in a `--config` file, to the
/// repository root (where the gate runs).
pub fn find_config(
    choice: ConfigChoice,
    anchor: &Anchor,
) -> Result<(Config, Option<PathBuf>), Error> {
    if let Some(p) = choice.explicit {
        return Ok((config::load(p).map_err(boxed)?, Some(p.to_path_buf())));
    }
    if choice.ignore_tree {
        return Ok((Config::default(), None));
    }
    let top: &Path = if anchor.start.starts_with(&anchor.base) {
        &anchor.base
    } else {
        &anchor.start
    };
    for dir in anchor.start.ancestors() {
        let candidate = dir.join(config::FILE_NAME);
        let shown = shown_path(&candidate);
        // a soclint.toml that is a link is followed only inside the
        // repository; one that is not a regular file is an error, not "no config"
        match std::fs::symlink_metadata(&candidate) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(error(format!("cannot read {}: {e}", shown.display()))),
            Ok(meta) => {
                if meta.file_type().is_symlink() {
                    let root = repo_path::repository_root(dir)
                        .map_err(|e| error(format!("cannot resolve {}: {e}", dir.display())))?;
                    repo_path::resolve_inside(&root, dir, config::FILE_NAME)
                        .map_err(|e| error(format!("{} is a link that {e}", shown.display())))?;
                }
                let mut config = config::load(&shown).map_err(boxed)?;
                if let Some(prefix) = discover::relative_to(dir, &anchor.base) {
                    config.rebase(&prefix);
                }
                return Ok((config, Some(shown)));
            }
        }
        if dir == top {
            break;
        }
    }
    Ok((Config::default(), None))
}

/// An absolute path as a person would type it here: relative to the working
/// directory when it is inside it.
fn shown_path(abs: &Path) -> PathBuf {
    match discover::relative_to(abs, Path::new(".")) {
        Some(rel) if !rel.is_empty() => PathBuf::from(rel),
        _ => abs.to_path_buf(),
    }
}

/// How findings about waivers name the config file: relative to the base
/// (the repository root) when it is inside it.
pub fn config_display(config_path: Option<&Path>, base: &Path) -> String {
    let Some(p) = config_path else {
        return config::FILE_NAME.to_string();
    };
    match discover::relative_to(p, base) {
        Some(rel) if !rel.is_empty() => rel,
        _ => discover::normalise(p),
    }
}

/// The baseline soclint.toml names (`baseline = "…"`, relative to the
/// file). A config found in the tree may name one only inside the
/// repository (a link is followed, then checked), as its rule paths; the
/// directory it goes in must exist there.
pub fn configured_baseline(
    config: &Config,
    config_path: Option<&Path>,
    from_tree: bool,
) -> Result<Option<PathBuf>, Error> {
    configured_path(
        "baseline",
        config.baseline.as_deref(),
        config_path,
        from_tree,
    )
}

/// The control matrix soclint.toml names (`controls = "…"`), on the same
/// terms as its baseline.
pub fn configured_controls(
    config: &Config,
    config_path: Option<&Path>,
    from_tree: bool,
) -> Result<Option<PathBuf>, Error> {
    configured_path(
        "controls",
        config.controls.as_deref(),
        config_path,
        from_tree,
    )
}

fn configured_path(
    key: &str,
    named: Option<&str>,
    config_path: Option<&Path>,
    from_tree: bool,
) -> Result<Option<PathBuf>, Error> {
    let Some(named) = named else {
        return Ok(None);
    };
    let dir = config_path
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let config_name = config_path.map_or_else(String::new, |p| p.display().to_string());
    let refuse = |e: String| {
        error(format!(
            "{key} = \"{}\" in {config_name}: the path {e}",
            named.escape_debug()
        ))
    };
    repo_path::check_relative(named).map_err(refuse)?;
    let path = dir.join(named);
    if from_tree {
        let root = repo_path::repository_root(dir)
            .map_err(|e| error(format!("cannot resolve {}: {e}", dir.display())))?;
        // `soclint baseline` writes the file, which need not exist yet: its
        // directory must, inside the repository (`../x.json` wrote outside)
        let (parent, file) = named.rsplit_once('/').unwrap_or(("", named));
        if matches!(file, "" | "." | "..") {
            return Err(refuse("does not name a file".into()));
        }
        let parent = if parent.is_empty() { "." } else { parent };
        repo_path::resolve_inside(&root, dir, parent).map_err(refuse)?;
        if path.symlink_metadata().is_ok() {
            repo_path::resolve_inside(&root, dir, named).map_err(refuse)?;
        }
    }
    Ok(Some(path))
}

/// Reads a baseline file (`check --baseline`, or the config's `baseline`).
pub fn load_baseline(path: &Path) -> Result<crate::filter::baseline::Baseline, Error> {
    let (bytes, _) = repo_path::read_regular(path, MAX_BASELINE_SIZE).map_err(|e| {
        let hint = if path.exists() {
            ""
        } else {
            " (write it with `soclint baseline` or `soclint init --baseline`)"
        };
        error(format!("baseline {} {e}{hint}", path.display()))
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| error(format!("invalid baseline {}: not UTF-8", path.display())))?;
    filter::baseline::parse(&text)
        .map_err(|e| error(format!("invalid baseline {}: {e}", path.display())))
}

/// The largest baseline read: 100,000 findings take about 40 MB.
const MAX_BASELINE_SIZE: u64 = 256 * 1024 * 1024;

/// Loads one rule file; with `broken`, an invalid rule is recorded there
/// instead of aborting (`soclint test`). Only a regular `*.toml` file of at
/// most [`MAX_CONFIG_FILE_SIZE`] bytes is read, and an error quotes the file
/// only when it is TOML ([`repo_path::may_quote`]); otherwise it gives the
/// line and column: a rule path may name any file, and what is not TOML may
/// be anything (an environment block, a key).
fn load_rule_file(
    path: &Path,
    out: &mut Vec<Rule>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<(), Error> {
    // the name stands in errors and in the rules' provenance, so a file
    // name from the repository shows its hidden characters as escapes
    let name = crate::escape::terminal(&path.display().to_string()).into_owned();
    if !is_toml_name(path) {
        return Err(error(format!(
            "rule file {name} is not a .toml file; rules are read from *.toml files only"
        )));
    }
    let (bytes, links) = repo_path::read_regular(path, MAX_CONFIG_FILE_SIZE)
        .map_err(|e| error(format!("rule file {name} {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        error(format!(
            "invalid rule file {name}{}: not UTF-8 text",
            repo_path::utf8_position(&e)
        ))
    })?;
    let quote = repo_path::may_quote(&text, links);
    let shown = |mut e: Box<rules::RuleFileError>| {
        if !quote {
            let rules::RuleFileError {
                name,
                source_code,
                span,
                ..
            } = &mut *e;
            repo_path::position_only(name, source_code, span);
            for other in &mut e.others {
                let rules::RuleFileError {
                    name,
                    source_code,
                    span,
                    ..
                } = other;
                repo_path::position_only(name, source_code, span);
            }
        }
        boxed(e)
    };
    match broken {
        Some(b) => {
            let (ok, bad) = rules::load_file_lenient(&name, &text).map_err(shown)?;
            out.extend(ok);
            b.extend(bad);
        }
        None => out.extend(rules::load_file(&name, &text).map_err(shown)?),
    }
    Ok(())
}

fn is_toml_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// Loads rules from a file or every `*.toml` below a directory (sorted).
/// `within` bounds where links may lead: for paths from `soclint.toml`, the
/// repository root (the path itself was resolved inside it); for paths the
/// operator named (`None`), a named file is read wherever it is, and links
/// inside a named directory must stay in that directory (its content may be
/// the repository's).
fn load_rule_path(
    path: &Path,
    within: Option<&Path>,
    out: &mut Vec<Rule>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<(), Error> {
    let meta = std::fs::metadata(path)
        .map_err(|_| error(format!("rules path {} does not exist", path.display())))?;
    if !meta.is_dir() {
        return load_rule_file(path, out, broken);
    }
    let bound = match within {
        Some(root) => root.to_path_buf(),
        None => path
            .canonicalize()
            .map_err(|e| error(format!("cannot read rules in {}: {e}", path.display())))?,
    };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .follow_links(true)
    {
        let entry =
            entry.map_err(|e| error(format!("cannot read rules in {}: {e}", path.display())))?;
        if entry.path_is_symlink() && entry.depth() > 0 {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&bound));
            if !inside {
                return Err(error(format!(
                    "{} is a link that leads outside {}; rules are not read through it",
                    entry.path().display(),
                    bound.display()
                )));
            }
        }
        if !entry.file_type().is_dir() && is_toml_name(entry.path()) {
            files.push(entry.path().to_path_buf());
        }
    }
    for f in files {
        load_rule_file(&f, out, broken)?;
    }
    Ok(())
}

/// Builds the active rule set from the built-in pack, config and flags.
/// With `in_scope_only`, rules mapped only to SOC 2 categories outside the
/// audit's scope (config `categories`) are left out, as a scan does; listing,
/// explaining and testing rules see them all.
pub fn build_rules(
    args: &RuleOverrides,
    config: &Config,
    config_path: Option<&Path>,
    in_scope_only: bool,
) -> Result<RuleSet, Error> {
    build_rules_with(args, config, config_path, in_scope_only, None, &mut None)
}

/// [`build_rules`] for a scan: of the built-in pack, only the files for the
/// `targets` the scanned files can yield are loaded (start-up on a repository
/// without, say, Kubernetes manifests skips compiling the Kubernetes rules).
pub fn build_rules_for(
    args: &RuleOverrides,
    config: &Config,
    config_path: Option<&Path>,
    targets: &BTreeSet<Target>,
) -> Result<RuleSet, Error> {
    build_rules_with(args, config, config_path, true, Some(targets), &mut None)
}

/// [`build_rules`]; with `targets`, built-in files of other targets are not
/// loaded; with `broken`, invalid rules and repeated ids are recorded there and
/// left out instead of aborting.
pub fn build_rules_with(
    args: &RuleOverrides,
    config: &Config,
    config_path: Option<&Path>,
    in_scope_only: bool,
    targets: Option<&BTreeSet<Target>>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<RuleSet, Error> {
    let mut all = Vec::new();
    if !args.no_builtin && config.builtin != Some(false) {
        // the embedded files compile in parallel (most of start-up); results
        // are taken in file order, so the first error reported is the same.
        // A scan (`targets`) has decided on its pool and `parallel::map`
        // follows it; loading the whole pack uses rayon's global pool.
        let lenient = broken.is_some();
        let wanted: Vec<&(&str, &str)> = rules::builtin_files()
            .iter()
            .filter(|(name, _)| match (targets, rules::builtin_target(name)) {
                (Some(set), Some(target)) => set.contains(&target),
                _ => true,
            })
            .collect();
        let load = |(name, text): &&(&str, &str)| {
            rules::load_builtin_file(&format!("builtin:{name}"), text, lenient)
        };
        let loaded: Vec<_> = if targets.is_some() {
            crate::parallel::map(&wanted, load)
        } else {
            use rayon::prelude::*;
            wanted.par_iter().map(load).collect()
        };
        for file in loaded {
            let (ok, bad) = file.map_err(boxed)?;
            all.extend(ok);
            if let Some(b) = broken.as_mut() {
                b.extend(bad);
            }
        }
    }
    let config_dir = config_path
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !config.rules.is_empty() {
        // the config may be the repository's own: its paths stay inside it
        let root = repo_path::repository_root(config_dir)
            .map_err(|e| error(format!("cannot resolve {}: {e}", config_dir.display())))?;
        let config_name = config_path.map_or_else(String::new, |p| p.display().to_string());
        for dir in &config.rules {
            let named = dir.to_string_lossy();
            repo_path::resolve_inside(&root, config_dir, &named).map_err(|e| {
                error(format!(
                    "rules = [\"{}\"] in {config_name}: the path {e}",
                    named.escape_debug()
                ))
            })?;
            load_rule_path(&config_dir.join(dir), Some(&root), &mut all, broken)?;
        }
    }
    for dir in &args.rules {
        load_rule_path(dir, None, &mut all, broken)?;
    }
    if let Some(b) = broken {
        b.extend(rules::dedupe(&mut all));
    }
    check_selectors(
        &all,
        args,
        config,
        config_path,
        targets.is_some() && !args.no_builtin,
    )?;
    let selection = if in_scope_only {
        select_for_scan(&mut all, args, config)
    } else {
        let top = Choice::top(args, config);
        all.retain(|r| top.selects(&r.meta));
        Selection::default()
    };
    let mut set = RuleSet::new(all).map_err(error)?;
    set.settings = config.settings();
    set.selection = selection;
    Ok(set)
}

/// Every `select`/`ignore` entry (command line, soclint.toml, `[[scope]]`
/// tables) names a rule, an id prefix or a criterion: one that names nothing
/// is a typo that would silently run everything or ignore nothing, so it is
/// an error, with the nearest id offered (`aws-s3-001` → `AWS-S3-001`). With
/// only part of the built-in pack loaded (`partial`), an entry that matches
/// none of it is checked against the whole pack before it is called unknown.
fn check_selectors(
    loaded: &[Rule],
    args: &RuleOverrides,
    config: &Config,
    config_path: Option<&Path>,
    partial: bool,
) -> Result<(), Error> {
    let config_name =
        config_path.map_or_else(|| "soclint.toml".to_string(), |p| p.display().to_string());
    let mut entries: Vec<(String, &str)> = Vec::new();
    for s in &args.select {
        entries.push(("--select".into(), s));
    }
    for s in &args.ignore {
        entries.push(("--ignore".into(), s));
    }
    for s in &config.select {
        entries.push((format!("select in {config_name}"), s));
    }
    for s in &config.ignore {
        entries.push((format!("ignore in {config_name}"), s));
    }
    for scope in &config.scope {
        for s in scope.select.iter().flatten() {
            entries.push((format!("select of a [[scope]] in {config_name}"), s));
        }
        for s in &scope.ignore {
            entries.push((format!("ignore of a [[scope]] in {config_name}"), s));
        }
    }
    let known_criterion = |s: &str| {
        criteria::CRITERIA
            .iter()
            .any(|c| criteria::selects(s, c.id))
    };
    let mut ids: BTreeSet<&str> = loaded.iter().map(|r| r.meta.id.as_str()).collect();
    ids.extend(filter::suppress::META_IDS);
    if partial {
        ids.extend(rules::builtin_ids());
    }
    let names = |s: &str| {
        known_criterion(s)
            || loaded.iter().any(|r| r.meta.selected_by(s))
            || ids.iter().any(|id| id.starts_with(s))
    };
    let unknown: Vec<String> = entries
        .into_iter()
        .filter(|(_, s)| !names(s))
        .map(|(place, s)| {
            // an id, a prefix of one up to a dash (`AWS-S3`), or a criterion
            let mut known: BTreeSet<&str> = ids.clone();
            for id in &ids {
                known.extend(id.match_indices('-').map(|(at, _)| &id[..at]));
            }
            known.extend(criteria::CRITERIA.iter().map(|c| c.id));
            crate::escape::terminal(&format!(
                "{place}: `{s}` is not a rule id, id prefix or criterion{}",
                crate::suggest::did_you_mean(s, known.iter().copied())
            ))
            .into_owned()
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(miette::miette!("{}", unknown.join("\n")))
}

/// Which rules one part of the project runs: `select` (empty: all), `ignore`
/// and the categories in scope.
struct Choice<'c> {
    select: Vec<&'c str>,
    ignore: Vec<&'c str>,
    categories: Vec<Category>,
}

impl<'c> Choice<'c> {
    /// The top-level choice: the command line over soclint.toml.
    fn top(args: &'c RuleOverrides, config: &'c Config) -> Choice<'c> {
        let select = if args.select.is_empty() {
            &config.select
        } else {
            &args.select
        };
        Choice {
            select: select.iter().map(String::as_str).collect(),
            ignore: config
                .ignore
                .iter()
                .chain(&args.ignore)
                .map(String::as_str)
                .collect(),
            categories: categories_in_scope(&config.categories),
        }
    }

    /// A `[[scope]]` table's choice: its own categories and selection where
    /// it has them, the command line's selection above all.
    fn scoped(
        top: &Choice<'c>,
        args: &'c RuleOverrides,
        scope: &'c config::PathScope,
    ) -> Choice<'c> {
        let select = match (&scope.select, args.select.is_empty()) {
            (Some(own), true) => own.iter().map(String::as_str).collect(),
            _ => top.select.clone(),
        };
        Choice {
            select,
            ignore: top
                .ignore
                .iter()
                .copied()
                .chain(scope.ignore.iter().map(String::as_str))
                .collect(),
            categories: match &scope.categories {
                Some(c) => categories_in_scope(c),
                None => top.categories.clone(),
            },
        }
    }

    fn selects(&self, m: &rules::RuleMeta) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| m.selected_by(s)))
            && !self.ignore.iter().any(|s| m.selected_by(s))
    }

    fn in_scope(&self, m: &rules::RuleMeta) -> bool {
        m.criteria
            .iter()
            .any(|c| self.categories.contains(&criteria::category_of(c)))
    }

    fn runs(&self, m: &rules::RuleMeta, settings_met: &dyn Fn(Requirement) -> bool) -> bool {
        self.selects(m) && self.in_scope(m) && m.requires.iter().all(|r| settings_met(*r))
    }
}

/// Security, always in scope, then the configured categories.
fn categories_in_scope(configured: &[Category]) -> Vec<Category> {
    let mut scope = vec![Category::Security];
    for c in configured {
        if !scope.contains(c) {
            scope.push(*c);
        }
    }
    scope
}

/// Keeps the rules some part of the project runs (the top level or a
/// `[[scope]]` table) and records what was left out and why.
fn select_for_scan(all: &mut Vec<Rule>, args: &RuleOverrides, config: &Config) -> Selection {
    let top = Choice::top(args, config);
    let scoped: Vec<(&config::PathScope, Choice)> = config
        .scope
        .iter()
        .filter(|s| s.is_in_scope())
        .map(|s| (s, Choice::scoped(&top, args, s)))
        .collect();
    let met = |r: Requirement| match r {
        Requirement::PolicyPaths => config.policy_paths.is_some(),
    };
    let mut selection = Selection::default();
    selection.summary.categories = top.categories.clone();
    selection.summary.out_of_scope_paths = config
        .scope
        .iter()
        .filter(|s| !s.is_in_scope())
        .flat_map(|s| s.paths.iter().cloned())
        .collect();
    let mut active_in: Vec<HashSet<String>> = vec![HashSet::new(); scoped.len()];
    all.retain(|r| {
        let m = &r.meta;
        let at_top = top.runs(m, &met);
        let mut anywhere = at_top;
        for (i, (_, choice)) in scoped.iter().enumerate() {
            if choice.runs(m, &met) {
                active_in[i].insert(m.id.clone());
                anywhere = true;
            }
        }
        if at_top {
            selection.outside.insert(m.id.clone());
        } else if top.selects(m) && !anywhere {
            if !top.in_scope(m) {
                let categories: BTreeSet<Category> = m
                    .criteria
                    .iter()
                    .map(|c| criteria::category_of(c))
                    .collect();
                selection.summary.out_of_scope += 1;
                selection
                    .summary
                    .out_of_scope_categories
                    .extend(categories.iter().copied());
                if !m.origin.starts_with("builtin:") {
                    selection.summary.own_rules_out_of_scope.push((
                        m.id.clone(),
                        m.origin.clone(),
                        categories.into_iter().collect(),
                    ));
                }
            } else {
                selection.summary.need_policy_paths += 1;
            }
        }
        if !anywhere {
            selection.left_out.insert(m.id.clone());
        }
        anywhere
    });
    selection.summary.own_rules_out_of_scope.sort();
    if !scoped.is_empty() {
        selection.path_scopes = scoped
            .iter()
            .zip(active_in)
            .map(|((scope, _), active)| (LazyGlobs::new(scope.globs()), active))
            .collect();
    }
    selection
}

/// The rule set as configured in the working directory (`soclint rules`,
/// `explain`, `criteria`): nothing is scanned, so no root names a config.
pub fn rules_for_listing(args: &RuleOverrides, in_scope_only: bool) -> Result<RuleSet, Error> {
    let (config, path) = find_config(args.config_choice(), &Anchor::of(&[PathBuf::from(".")]))?;
    build_rules(args, &config, path.as_deref(), in_scope_only)
}

/// Today as days since 1970-01-01: `SOCLINT_TODAY` (`YYYY-MM-DD`) when set,
/// so review-date rules and waivers give the same answer in tests and reruns.
pub fn today() -> Result<i64, Error> {
    if let Ok(s) = std::env::var("SOCLINT_TODAY") {
        return eval::parse_date(&s)
            .ok_or_else(|| error(format!("SOCLINT_TODAY={s} is not a YYYY-MM-DD date")));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok((secs / 86_400) as i64)
}

/// What the caller sets over the config about how to scan (each `None` falls
/// back to the config, then to the default).
#[derive(Debug, Clone, Default)]
pub struct ScanOverrides {
    /// Worker threads (`None` or 0: one per core).
    pub threads: Option<usize>,
    pub max_file_size: Option<u64>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    pub max_alias_nodes: Option<usize>,
    /// Terraform variable files for every root module.
    pub var_files: Vec<PathBuf>,
    /// Terraform variables for every root module, as `name=value` (the form
    /// `--var` takes; a malformed one is an error).
    pub vars: Vec<String>,
    /// Helm values files for every chart (each must be readable).
    pub helm_values: Vec<PathBuf>,
    /// Helm `key=value` assignments for every chart.
    pub helm_set: Vec<String>,
    /// CloudFormation parameter files for every template (each inside a
    /// scanned directory).
    pub cfn_parameters: Vec<PathBuf>,
    /// Which Kustomize kustomizations are built and checked.
    pub kustomize_roots: crate::unit_scan::kustomize::Roots,
}

/// The scan options for `roots`: overrides, then the config, then defaults.
/// `keep_texts` is for reports that quote source; `record_resources` for
/// the evidence report's "resources checked".
pub fn scan_options(
    roots: Vec<Root>,
    repository: bool,
    config: &Config,
    flags: &ScanOverrides,
    keep_texts: bool,
    record_resources: bool,
) -> Result<ScanOptions, Error> {
    let out_of_scope: Vec<String> = config
        .scope
        .iter()
        .filter(|s| !s.is_in_scope())
        .flat_map(|s| s.globs())
        .collect();
    let exclude = rules::compile::build_globs(
        config
            .exclude
            .iter()
            .chain(&out_of_scope)
            .map(|g| (g.as_str(), 0..0)),
    )
    .map_err(|e| error(format!("invalid exclude glob in config: {}", e.message)))?;
    let threads = flags.threads.unwrap_or(0);
    let defaults = Limits::default();
    let parse = ParseOptions {
        max_file_size: flags
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(parse::DEFAULT_MAX_FILE_SIZE),
        limits: Limits {
            max_depth: flags
                .max_depth
                .or(config.max_depth)
                .unwrap_or(defaults.max_depth),
            max_nodes: flags
                .max_nodes
                .or(config.max_nodes)
                .unwrap_or(defaults.max_nodes),
            max_alias_nodes: flags
                .max_alias_nodes
                .or(config.max_alias_nodes)
                .unwrap_or(defaults.max_alias_nodes),
        },
        policies: PolicyPlaces {
            dirs: config.settings().policy_paths,
            declared: config.policy_paths.is_some(),
        },
        overlay: parse::Overlay::default(),
    };
    let threads = if threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        threads
    };
    let eval = EvalOptions {
        today: today()?,
        keep_texts,
        record_resources,
        settings: None,
        legacy_fingerprints: false,
        record_unknowns: false,
    };
    let terraform = crate::terraform::Inputs {
        var_files: flags.var_files.clone(),
        vars: parse_vars(&flags.vars)?,
    };
    for p in &flags.helm_values {
        let ok = std::fs::metadata(p).map(|m| m.is_file());
        if !matches!(ok, Ok(true)) {
            let why = match ok {
                Err(e) => e.to_string(),
                Ok(_) => "not a regular file".into(),
            };
            return Err(error(format!(
                "cannot read --helm-values {}: {why}",
                p.display()
            )));
        }
    }
    let helm = crate::render::helm::Inputs {
        values_files: flags.helm_values.clone(),
        set: flags.helm_set.clone(),
    };
    let cloudformation = cfn_parameters(&flags.cfn_parameters, &roots, &parse)?;
    Ok(ScanOptions {
        roots,
        repository,
        exclude,
        threads,
        parse,
        eval,
        terraform,
        helm,
        kustomize: flags.kustomize_roots,
        cloudformation,
    })
}

/// The parameter values of `--cfn-parameters` files, later files winning.
/// A file must lie inside a scanned directory (after links are followed),
/// and is read under `--max-file-size`.
fn cfn_parameters(
    files: &[PathBuf],
    roots: &[Root],
    parse: &crate::parse::ParseOptions,
) -> Result<Vec<(String, String)>, Error> {
    let dirs: Vec<PathBuf> = roots
        .iter()
        .filter(|r| r.is_dir)
        .filter_map(|r| r.path.canonicalize().ok())
        .collect();
    let mut out = Vec::new();
    for f in files {
        let fail = |why: String| error(format!("--cfn-parameters {}: {why}", f.display()));
        let real = f.canonicalize().map_err(|e| fail(e.to_string()))?;
        if !dirs.iter().any(|d| real.starts_with(d)) {
            return Err(fail("not inside the scanned directory".into()));
        }
        let bytes = match crate::parse::read_capped(&real, parse.max_file_size) {
            Ok(crate::parse::Capped::Read(b)) => b,
            Ok(crate::parse::Capped::TooLarge(n)) => {
                return Err(fail(format!("{n} bytes, over --max-file-size")))
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8".into()))?;
        let doc = crate::document::json::parse(&text, &parse.limits)
            .map_err(|e| fail(format!("not JSON: {}", e.message)))?;
        out.extend(
            crate::extract::cfn_values::parameter_file(&doc).map_err(|e| fail(e.to_string()))?,
        );
    }
    Ok(out)
}

/// `--var name=value` → (name, value).
fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, Error> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
            _ => Err(error(format!("--var {v}: expected NAME=VALUE"))),
        })
        .collect()
}

/// Scans the roots, or with `plan` (the plan file and the source directory it
/// maps back to) a Terraform plan.
pub fn run_scan(
    opts: &ScanOptions,
    rules: &RuleSet,
    plan: Option<(&Path, &Path)>,
) -> Result<ScanResult, Error> {
    if plan.is_some() {
        return run_scan_found(opts, rules, plan, None);
    }
    let found = scan::discover(opts);
    let files = found.files.len();
    parallel::in_pool(opts.threads, Some(files), || {
        run_scan_found(opts, rules, None, Some(found))
    })
    .map_err(error)?
}

/// [`run_scan`] over files already discovered (`None`: discover them now),
/// on the calling thread: the caller decides on a pool ([`parallel::in_pool`]).
pub fn run_scan_found(
    opts: &ScanOptions,
    rules: &RuleSet,
    plan: Option<(&Path, &Path)>,
    found: Option<scan::Found>,
) -> Result<ScanResult, Error> {
    if let Some((plan, source_root)) = plan {
        let rel = plan
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return scan::scan_plan(plan, &rel, source_root, opts, rules).map_err(error);
    }
    let found = found.unwrap_or_else(|| scan::discover(opts));
    Ok(scan::scan_found(opts, rules, found))
}

/// A scan of one directory with its config applied, filtered (inline
/// suppressions and waivers) but not reported: what `soclint report` and
/// `soclint baseline` read.
pub struct Prepared {
    pub anchor: Anchor,
    pub config: Config,
    /// Where the config came from (`None`: defaults).
    pub config_path: Option<PathBuf>,
    pub rules: RuleSet,
    pub result: ScanResult,
}

/// [`Prepared`] for `dir`: its config (or `rule_args.config`), its rules in
/// the audit's scope, one scan (paths relative to the repository root),
/// suppressions and waivers applied.
pub fn scan_directory(
    dir: &Path,
    rule_args: &RuleOverrides,
    flags: &ScanOverrides,
    record_resources: bool,
) -> Result<Prepared, Error> {
    let anchor = Anchor::of(std::slice::from_ref(&dir.to_path_buf()));
    let (config, config_path) = find_config(rule_args.config_choice(), &anchor)?;
    let rules = build_rules(rule_args, &config, config_path.as_deref(), true)?;
    let roots = vec![Root {
        path: dir.to_path_buf(),
        is_dir: true,
        display_prefix: anchor.display(dir),
    }];
    let repository = anchor.is_repository_root(dir);
    let opts = scan_options(roots, repository, &config, flags, false, record_resources)?;
    let mut result = run_scan(&opts, &rules, None)?;
    result.scope = rules.selection.summary.clone();
    result.scope.not_repository_root = !repository;
    if !repository {
        result.scope.need_policy_paths = 0;
    }
    let policy = config.unscanned_policy().map_err(error)?;
    filter::apply(
        &mut result,
        &FilterOptions {
            today: opts.eval.today,
            policy,
            waivers: &config.waiver,
            suppressions: config.suppressions,
            config_path: config_display(config_path.as_deref(), &anchor.base),
            selection: Some(&rules.selection),
            ..FilterOptions::default()
        },
    );
    Ok(Prepared {
        anchor,
        config,
        config_path,
        rules,
        result,
    })
}
