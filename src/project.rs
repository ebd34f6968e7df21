//! The project as a scan sees it: which config applies, which rules run, and
//! the scan and filter steps every command shares. A library module in the
//! role ruff's `ruff_workspace` plays: commands call it, and so can anything
//! else that scans (a language server, a test), without the command line's
//! clap types; what the command line adds arrives as plain override structs.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use miette::Report;

use crate::config::{self, Config};
use crate::discover::Root;
use crate::document::Limits;
use crate::evaluate::EvalOptions;
use crate::filter::{self, FilterOptions};
use crate::finding::ScanResult;
use crate::parallel;
use crate::parse::{self, ParseOptions};
use crate::repo_path::{self, MAX_CONFIG_FILE_SIZE};
use crate::rules::criteria::{self, Category};
use crate::rules::{self, eval, Rule, RuleSet, Target};
use crate::scan::{self, ScanOptions};

/// Why a project cannot be scanned as asked (an unreadable config, a broken
/// rule file, a bad value): a miette report, so config and rule errors keep
/// their source excerpt when the caller renders them.
pub type Error = Report;

fn error(msg: impl Into<String>) -> Error {
    miette::miette!("{}", msg.into())
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
    /// Directories (or files) of extra TOML rules.
    pub rules: Vec<PathBuf>,
    /// Leave the built-in rule pack out.
    pub no_builtin: bool,
    /// Only these rules: ids, id prefixes or criteria (replaces the config's `select`).
    pub select: Vec<String>,
    /// Not these rules: ids, id prefixes or criteria (added to the config's `ignore`).
    pub ignore: Vec<String>,
}

/// The config that applies: `explicit` (`--config`), else `soclint.toml` in the (single) scanned directory, else in the working directory.
/// A `soclint.toml` found in the tree that is a link is followed only inside
/// the repository; one that is not a regular file is an error, not "no config".
pub fn find_config(
    explicit: Option<&Path>,
    roots: &[PathBuf],
) -> Result<(Config, Option<PathBuf>), Error> {
    if let Some(p) = explicit {
        return Ok((config::load(p).map_err(boxed)?, Some(p.to_path_buf())));
    }
    let base = match roots {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let candidate = base.join(config::FILE_NAME);
    match std::fs::symlink_metadata(&candidate) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Config::default(), None)),
        Err(e) => Err(error(format!("cannot read {}: {e}", candidate.display()))),
        Ok(meta) => {
            if meta.file_type().is_symlink() {
                let root = repo_path::repository_root(&base)
                    .map_err(|e| error(format!("cannot resolve {}: {e}", base.display())))?;
                repo_path::resolve_inside(&root, &base, config::FILE_NAME)
                    .map_err(|e| error(format!("{} is a link that {e}", candidate.display())))?;
            }
            Ok((config::load(&candidate).map_err(boxed)?, Some(candidate)))
        }
    }
}

/// How findings about waivers name the config file: relative to the scanned
/// directory when it is inside it.
pub fn config_display(config_path: Option<&Path>, base: &Path) -> String {
    let Some(p) = config_path else {
        return config::FILE_NAME.to_string();
    };
    let rel = p
        .strip_prefix(base)
        .or_else(|_| p.strip_prefix("./"))
        .unwrap_or(p);
    crate::discover::normalise(rel)
}

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
    let name = path.display().to_string();
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
            let name = format!("builtin:{name}");
            if lenient {
                rules::load_file_lenient(&name, text)
            } else {
                rules::load_file(&name, text).map(|ok| (ok, Vec::new()))
            }
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
    let select: Vec<&String> = if args.select.is_empty() {
        config.select.iter().collect()
    } else {
        args.select.iter().collect()
    };
    let ignore: Vec<&String> = config.ignore.iter().chain(&args.ignore).collect();
    let mut scope: Vec<Category> = vec![Category::Security];
    scope.extend(config.categories.iter().copied());
    all.retain(|r| {
        let m = &r.meta;
        (select.is_empty() || select.iter().any(|s| m.selected_by(s)))
            && !ignore.iter().any(|s| m.selected_by(s))
            && (!in_scope_only
                || m.criteria
                    .iter()
                    .any(|c| scope.contains(&criteria::category_of(c))))
    });
    let mut set = RuleSet::new(all).map_err(error)?;
    set.settings = config.settings();
    Ok(set)
}

/// The rule set as configured in the working directory (`soclint rules`,
/// `explain`, `criteria`): nothing is scanned, so no root names a config.
pub fn rules_for_listing(args: &RuleOverrides, in_scope_only: bool) -> Result<RuleSet, Error> {
    let (config, path) = find_config(args.config.as_deref(), &[])?;
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
}

/// The scan options for `roots`: overrides, then the config, then defaults.
/// `keep_texts` is for reports that quote source; `record_resources` for
/// the evidence report's "resources checked".
pub fn scan_options(
    roots: Vec<Root>,
    config: &Config,
    flags: &ScanOverrides,
    keep_texts: bool,
    record_resources: bool,
) -> Result<ScanOptions, Error> {
    let exclude = rules::compile::build_globs(config.exclude.iter().map(|g| (g.as_str(), 0..0)))
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
    Ok(ScanOptions {
        roots,
        exclude,
        threads,
        parse,
        eval,
        terraform,
        helm,
    })
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
    pub config: Config,
    pub rules: RuleSet,
    pub result: ScanResult,
}

/// [`Prepared`] for `dir`: its config (or `rule_args.config`), its rules in
/// the audit's scope, one scan, suppressions and waivers applied.
pub fn scan_directory(
    dir: &Path,
    rule_args: &RuleOverrides,
    flags: &ScanOverrides,
    record_resources: bool,
) -> Result<Prepared, Error> {
    let (config, config_path) = find_config(
        rule_args.config.as_deref(),
        std::slice::from_ref(&dir.to_path_buf()),
    )?;
    let rules = build_rules(rule_args, &config, config_path.as_deref(), true)?;
    let roots = vec![Root {
        path: dir.to_path_buf(),
        is_dir: true,
        display_prefix: String::new(),
    }];
    let opts = scan_options(roots, &config, flags, false, record_resources)?;
    let mut result = run_scan(&opts, &rules, None)?;
    filter::apply(
        &mut result,
        &FilterOptions {
            today: opts.eval.today,
            waivers: &config.waiver,
            config_path: config_display(config_path.as_deref(), dir),
            ..FilterOptions::default()
        },
    );
    Ok(Prepared {
        config,
        rules,
        result,
    })
}
