//! What each subcommand does, between parsed arguments and an exit code.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::Report;

use crate::cli::{
    BaselineArgs, CheckArgs, FailOn, ListFormat, OutputFormat, RuleSourceArgs, RulesArgs,
    RulesFormat, TestArgs,
};
use crate::config::{self, Config};
use crate::discover::{classify_name, FileKind, NameClass, Root};
use crate::document::Limits;
use crate::filter::{self, changed, FilterOptions};
use crate::finding::ScanResult;
use crate::fixture::{test_rule, RuleTest};
use crate::parallel;
use crate::report;
use crate::rules::criteria::{self, Category};
use crate::rules::{self, eval, Rule, RuleSet, Severity, Target};
use crate::scan::{self, ScanOptions};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// A failure that ends the run with exit code 2, rendered by miette.
pub struct Fatal(pub Report);

impl<E: miette::Diagnostic + Send + Sync + 'static> From<Box<E>> for Fatal {
    fn from(e: Box<E>) -> Self {
        Fatal(Report::new_boxed(e))
    }
}

pub(crate) fn fatal(msg: impl Into<String>) -> Fatal {
    Fatal(miette::miette!("{}", msg.into()))
}

/// The config that applies: `--config`, else `soclint.toml` in the (single) scanned directory, else in the working directory.
fn find_config(
    explicit: Option<&Path>,
    roots: &[PathBuf],
) -> Result<(Config, Option<PathBuf>), Fatal> {
    if let Some(p) = explicit {
        return Ok((config::load(p)?, Some(p.to_path_buf())));
    }
    let base = match roots {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let candidate = base.join(config::FILE_NAME);
    if candidate.is_file() {
        Ok((config::load(&candidate)?, Some(candidate)))
    } else {
        Ok((Config::default(), None))
    }
}

/// Loads rules from a file or every `*.toml` below a directory (sorted).
/// Loads one rule file; with `broken`, an invalid rule is recorded there
/// instead of aborting (`soclint test`).
fn load_rule_text(
    name: &str,
    text: &str,
    out: &mut Vec<Rule>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<(), Fatal> {
    match broken {
        Some(b) => {
            let (ok, bad) = rules::load_file_lenient(name, text)?;
            out.extend(ok);
            b.extend(bad);
        }
        None => out.extend(rules::load_file(name, text)?),
    }
    Ok(())
}

fn load_rule_path(
    path: &Path,
    out: &mut Vec<Rule>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<(), Fatal> {
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .follow_links(false)
        {
            let entry = entry
                .map_err(|e| fatal(format!("cannot read rules in {}: {e}", path.display())))?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml")
            {
                files.push(entry.path().to_path_buf());
            }
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        return Err(fatal(format!(
            "rules path {} does not exist",
            path.display()
        )));
    }
    for f in files {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| fatal(format!("cannot read {}: {e}", f.display())))?;
        load_rule_text(&f.display().to_string(), &text, out, broken)?;
    }
    Ok(())
}

/// Builds the active rule set from the built-in pack, config and flags.
/// With `in_scope_only`, rules mapped only to SOC 2 categories outside the
/// audit's scope (config `categories`) are left out, as a scan does; listing,
/// explaining and testing rules see them all.
pub fn build_rules(
    args: &RuleSourceArgs,
    config: &Config,
    config_path: Option<&Path>,
    in_scope_only: bool,
) -> Result<RuleSet, Fatal> {
    build_rules_with(args, config, config_path, in_scope_only, None, &mut None)
}

/// [`build_rules`] for a scan: of the built-in pack, only the files for the
/// `targets` the scanned files can yield are loaded (start-up on a repository
/// without, say, Kubernetes manifests skips compiling the Kubernetes rules).
pub fn build_rules_for(
    args: &RuleSourceArgs,
    config: &Config,
    config_path: Option<&Path>,
    targets: &BTreeSet<Target>,
) -> Result<RuleSet, Fatal> {
    build_rules_with(args, config, config_path, true, Some(targets), &mut None)
}

/// [`build_rules`]; with `targets`, built-in files of other targets are not
/// loaded; with `broken`, invalid rules and repeated ids are recorded there and
/// left out instead of aborting.
fn build_rules_with(
    args: &RuleSourceArgs,
    config: &Config,
    config_path: Option<&Path>,
    in_scope_only: bool,
    targets: Option<&BTreeSet<Target>>,
    broken: &mut Option<Vec<rules::BrokenRule>>,
) -> Result<RuleSet, Fatal> {
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
            let (ok, bad) = file?;
            all.extend(ok);
            if let Some(b) = broken.as_mut() {
                b.extend(bad);
            }
        }
    }
    let config_dir = config_path.and_then(Path::parent).unwrap_or(Path::new("."));
    for dir in &config.rules {
        load_rule_path(&config_dir.join(dir), &mut all, broken)?;
    }
    for dir in &args.rules {
        load_rule_path(dir, &mut all, broken)?;
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
    let mut set = RuleSet::new(all).map_err(fatal)?;
    set.settings = config.settings();
    Ok(set)
}

pub(crate) fn today() -> Result<i64, Fatal> {
    if let Ok(s) = std::env::var("SOCLINT_TODAY") {
        return eval::parse_date(&s)
            .ok_or_else(|| fatal(format!("SOCLINT_TODAY={s} is not a YYYY-MM-DD date")));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok((secs / 86_400) as i64)
}

fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    }
}

/// What to scan and what to report of it.
struct Targets {
    roots: Vec<Root>,
    /// The directory paths are relative to (for git and the config path).
    base: PathBuf,
    report_paths: Option<HashSet<String>>,
    changed_lines: Option<HashMap<String, Vec<(usize, usize)>>>,
}

/// Files named one by one, each reported under `rel`; a Terraform file brings
/// the other Terraform files of its directory as context (not reported).
fn file_targets(files: Vec<(PathBuf, String)>, base: PathBuf) -> Targets {
    let mut report = HashSet::new();
    let mut roots: Vec<Root> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let is_tf = |rel: &str| {
        matches!(
            classify_name(rel),
            NameClass::Known(FileKind::Terraform | FileKind::TerraformJson)
        )
    };
    let mut add = |path: PathBuf, rel: String, roots: &mut Vec<Root>| {
        if seen.insert(rel.clone()) {
            roots.push(Root {
                path,
                is_dir: false,
                display_prefix: rel,
            });
        }
    };
    for (path, rel) in &files {
        report.insert(rel.clone());
        add(path.clone(), rel.clone(), &mut roots);
    }
    for (path, rel) in &files {
        if !is_tf(rel) {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let rel_dir = rel.rsplit_once('/').map(|(d, _)| d);
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut siblings: Vec<(PathBuf, String)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let srel = match rel_dir {
                    Some(d) => format!("{d}/{name}"),
                    None => name,
                };
                is_tf(&srel).then(|| (e.path(), srel))
            })
            .collect();
        siblings.sort();
        for (p, r) in siblings {
            add(p, r, &mut roots);
        }
    }
    Targets {
        roots,
        base,
        report_paths: Some(report),
        changed_lines: None,
    }
}

fn resolve_targets(args: &CheckArgs) -> Result<Targets, Fatal> {
    for p in &args.paths {
        if !p.exists() {
            return Err(fatal(format!("{} does not exist", p.display())));
        }
    }
    if let Some(reference) = &args.changed_since {
        let [dir] = args.paths.as_slice() else {
            return Err(fatal("--changed-since takes one directory (default .)"));
        };
        if !dir.is_dir() {
            return Err(fatal("--changed-since takes a directory, not a file"));
        }
        let base = changed::merge_base(dir, reference).map_err(fatal)?;
        let files: Vec<(PathBuf, String)> = changed::changed_files(dir, &base)
            .map_err(fatal)?
            .into_iter()
            .map(|rel| (dir.join(&rel), rel))
            .filter(|(p, _)| p.is_file())
            .collect();
        let mut t = file_targets(files, dir.clone());
        if args.changed_lines_only {
            t.changed_lines = Some(changed::changed_lines(dir, &base).map_err(fatal)?);
        }
        return Ok(t);
    }
    if args.paths.iter().all(|p| p.is_file()) {
        let files = args
            .paths
            .iter()
            .map(|p| (p.clone(), crate::discover::normalise(p)))
            .collect();
        return Ok(file_targets(files, PathBuf::from(".")));
    }
    let single = args.paths.len() == 1 && args.paths[0].is_dir();
    let roots = args
        .paths
        .iter()
        .map(|p| Root {
            path: p.clone(),
            is_dir: p.is_dir(),
            display_prefix: if single || !p.is_dir() {
                String::new()
            } else {
                crate::discover::normalise(p)
            },
        })
        .collect();
    Ok(Targets {
        roots,
        base: if single {
            args.paths[0].clone()
        } else {
            PathBuf::from(".")
        },
        report_paths: None,
        changed_lines: None,
    })
}

/// `--format FORMAT[:FILE]` and `--output [FORMAT=]FILE` → where each report goes.
fn plan_outputs(
    formats: &[String],
    outputs: &[String],
) -> Result<Vec<(OutputFormat, Option<PathBuf>)>, Fatal> {
    let parse = |s: &str| <OutputFormat as clap::ValueEnum>::from_str(s, true).ok();
    let mut plan: Vec<(OutputFormat, Option<PathBuf>)> = Vec::new();
    for spec in formats {
        match spec.split_once(':').and_then(|(f, file)| Some((parse(f)?, file))) {
            Some((f, file)) if !file.is_empty() => plan.push((f, Some(PathBuf::from(file)))),
            _ => plan.push((
                parse(spec).ok_or_else(|| {
                    fatal(format!(
                        "unknown format `{spec}` (expected human, compact, json, sarif, github, junit or markdown, optionally FORMAT:FILE)"
                    ))
                })?,
                None,
            )),
        }
    }
    if plan.is_empty() {
        plan.push((OutputFormat::Human, None));
    }
    for spec in outputs {
        if let Some((f, file)) = spec
            .split_once('=')
            .and_then(|(f, file)| Some((parse(f)?, file)))
        {
            match plan
                .iter_mut()
                .find(|(pf, dest)| *pf == f && dest.is_none())
            {
                Some(entry) => entry.1 = Some(PathBuf::from(file)),
                None => plan.push((f, Some(PathBuf::from(file)))),
            }
            continue;
        }
        match plan.iter_mut().rev().find(|(_, dest)| dest.is_none()) {
            Some(entry) => entry.1 = Some(PathBuf::from(spec)),
            None => {
                return Err(fatal(format!(
                    "--output {spec}: every --format already has a file"
                )))
            }
        }
    }
    if plan.iter().filter(|(_, d)| d.is_none()).count() > 1 {
        return Err(fatal(
            "only one report can go to standard output; give the others a file (--format sarif:report.sarif or --output sarif=report.sarif)",
        ));
    }
    Ok(plan)
}

/// Scan settings from the command line that every scanning command shares.
#[derive(Default)]
pub(crate) struct ScanFlags {
    pub threads: Option<usize>,
    pub max_file_size: Option<u64>,
    pub max_depth: Option<usize>,
    pub max_nodes: Option<usize>,
    pub max_alias_nodes: Option<usize>,
    pub var_files: Vec<PathBuf>,
    pub vars: Vec<String>,
}

impl From<&CheckArgs> for ScanFlags {
    fn from(a: &CheckArgs) -> Self {
        ScanFlags {
            threads: a.limits.threads,
            max_file_size: a.limits.max_file_size,
            max_depth: a.limits.max_depth,
            max_nodes: a.limits.max_nodes,
            max_alias_nodes: a.limits.max_alias_nodes,
            var_files: a.var_files.clone(),
            vars: a.vars.clone(),
        }
    }
}

pub(crate) fn scan_options(
    roots: Vec<Root>,
    config: &Config,
    flags: &ScanFlags,
    keep_texts: bool,
    record_resources: bool,
) -> Result<ScanOptions, Fatal> {
    let exclude = rules::compile::build_globs(config.exclude.iter().map(|g| (g.as_str(), 0..0)))
        .map_err(|e| fatal(format!("invalid exclude glob in config: {}", e.message)))?;
    let threads = flags.threads.unwrap_or(0);
    let defaults = Limits::default();
    Ok(ScanOptions {
        roots,
        exclude,
        max_file_size: flags
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
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
        threads: if threads == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        } else {
            threads
        },
        today: today()?,
        keep_texts,
        record_resources,
        var_files: flags.var_files.clone(),
        vars: parse_vars(&flags.vars)?,
    })
}

/// Scans the roots, or with `plan` (the plan file and the source directory it
/// maps back to) a Terraform plan.
pub(crate) fn run_scan(
    opts: &ScanOptions,
    rules: &RuleSet,
    plan: Option<(&Path, &Path)>,
) -> Result<ScanResult, Fatal> {
    if plan.is_some() {
        return run_scan_found(opts, rules, plan, None);
    }
    let found = scan::discover(opts);
    let files = found.files.len();
    parallel::in_pool(opts.threads, Some(files), || {
        run_scan_found(opts, rules, None, Some(found))
    })
    .map_err(fatal)?
}

/// [`run_scan`] over files already discovered (`None`: discover them now),
/// on the calling thread: the caller decides on a pool ([`parallel::in_pool`]).
fn run_scan_found(
    opts: &ScanOptions,
    rules: &RuleSet,
    plan: Option<(&Path, &Path)>,
    found: Option<scan::Found>,
) -> Result<ScanResult, Fatal> {
    if let Some((plan, source_root)) = plan {
        let rel = plan
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return scan::scan_plan(plan, &rel, source_root, opts, rules).map_err(fatal);
    }
    let found = found.unwrap_or_else(|| scan::discover(opts));
    Ok(scan::scan_found(opts, rules, found))
}

/// A scan of one directory with its config applied, filtered (inline
/// suppressions and waivers) but not reported: what `soclint report` reads.
pub(crate) struct Prepared {
    pub config: Config,
    pub rules: RuleSet,
    pub result: ScanResult,
}

pub(crate) fn scan_directory(
    dir: &Path,
    rule_args: &RuleSourceArgs,
    flags: &ScanFlags,
    record_resources: bool,
) -> Result<Prepared, Fatal> {
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
            today: opts.today,
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

/// How findings about waivers name the config file: relative to the scanned
/// directory when it is inside it.
fn config_display(config_path: Option<&Path>, base: &Path) -> String {
    let Some(p) = config_path else {
        return config::FILE_NAME.to_string();
    };
    let rel = p
        .strip_prefix(base)
        .or_else(|_| p.strip_prefix("./"))
        .unwrap_or(p);
    crate::discover::normalise(rel)
}

pub fn check(args: &CheckArgs) -> Result<u8, Fatal> {
    let plan = plan_outputs(&args.format, &args.output)?;
    let targets = resolve_targets(args)?;
    let config_roots = match &args.changed_since {
        Some(_) => vec![targets.base.clone()],
        None => args.paths.clone(),
    };
    let (config, config_path) = find_config(args.rules.config.as_deref(), &config_roots)?;
    let fail_on = match (args.fail_on, config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some(s)) => <FailOn as clap::ValueEnum>::from_str(s, true).map_err(fatal)?,
        (None, None) => FailOn::Low,
    };
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| fatal(format!("cannot read baseline {}: {e}", p.display())))?;
            Some(
                filter::baseline::parse(&text)
                    .map_err(|e| fatal(format!("invalid baseline {}: {e}", p.display())))?,
            )
        }
        None => None,
    };
    let keep_texts = plan.iter().any(|(f, _)| *f == OutputFormat::Human);
    let opts = scan_options(
        targets.roots,
        &config,
        &ScanFlags::from(args),
        keep_texts,
        false,
    )?;
    // a plan maps back to the scanned directory when one is given, else to its own
    let plan_source = args.plan.as_ref().map(|plan| match args.paths.as_slice() {
        [p] if p.is_dir() && args.paths_given() => p.clone(),
        _ => plan.parent().map(Path::to_path_buf).unwrap_or_default(),
    });
    let plan_input = args.plan.as_deref().zip(plan_source.as_deref());
    // discovery first: only the rules for the kinds of files found are loaded,
    // and a small scan runs on this thread (threads cost more than it takes)
    let found = plan_input.is_none().then(|| scan::discover(&opts));
    let files = found.as_ref().map(|f| f.files.len());
    // the whole run in one pool: the report stage renders in parallel too
    parallel::in_pool(opts.threads, files, || {
        let rules = match &found {
            Some(found) => build_rules_for(
                &args.rules,
                &config,
                config_path.as_deref(),
                &crate::discover::targets_of(&found.files),
            )?,
            None => build_rules(&args.rules, &config, config_path.as_deref(), true)?,
        };
        let mut result = run_scan_found(&opts, &rules, plan_input, found)?;
        filter::apply(
            &mut result,
            &FilterOptions {
                today: opts.today,
                waivers: &config.waiver,
                config_path: config_display(config_path.as_deref(), &targets.base),
                report_paths: targets.report_paths,
                changed_lines: targets.changed_lines,
                baseline,
            },
        );
        let ctx = report::Context {
            show_suppressed: args.show_suppressed,
            link_base: report::github_link_base(),
        };
        for (format, dest) in &plan {
            let to_terminal = dest.is_none() && std::io::stdout().is_terminal();
            match format {
                // the large machine formats stream; the rest are built as text
                OutputFormat::Json => {
                    stream_output(dest.as_deref(), |w| report::json::write(&result, w))?
                }
                OutputFormat::Sarif => {
                    stream_output(dest.as_deref(), |w| report::sarif::write(&result, w))?
                }
                _ => {
                    let text = render(&result, *format, to_terminal, args.verbose, &ctx);
                    write_output(dest.as_deref(), &text)?;
                }
            }
        }
        let failing = threshold(fail_on).is_some_and(|t| {
            result.findings.iter().any(|f| f.severity() >= t) || !result.errors.is_empty()
        });
        // the process ends here: freeing 100,000 findings one by one took
        // longer (~40 ms) than writing them
        std::mem::forget(result);
        Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
    })
    .map_err(fatal)?
}

/// `soclint baseline`: today's active findings (after suppressions and waivers).
pub fn baseline(args: &BaselineArgs) -> Result<u8, Fatal> {
    if !args.path.is_dir() {
        return Err(fatal(format!("{} is not a directory", args.path.display())));
    }
    let (config, config_path) = find_config(
        args.rules.config.as_deref(),
        std::slice::from_ref(&args.path),
    )?;
    let rules = build_rules(&args.rules, &config, config_path.as_deref(), true)?;
    let roots = vec![Root {
        path: args.path.clone(),
        is_dir: true,
        display_prefix: String::new(),
    }];
    let flags = ScanFlags {
        threads: args.threads,
        ..ScanFlags::default()
    };
    let opts = scan_options(roots, &config, &flags, false, false)?;
    let mut result = run_scan(&opts, &rules, None)?;
    filter::apply(
        &mut result,
        &FilterOptions {
            today: opts.today,
            waivers: &config.waiver,
            config_path: config_display(config_path.as_deref(), &args.path),
            ..FilterOptions::default()
        },
    );
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.path.join(filter::baseline::FILE_NAME));
    write_output(Some(&out), &filter::baseline::render(&result.findings))?;
    eprintln!(
        "wrote {} finding(s) to {}",
        result.findings.len(),
        out.display()
    );
    Ok(EXIT_OK)
}

/// `--var name=value` → (name, value).
fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, Fatal> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_string(), val.to_string())),
            _ => Err(fatal(format!("--var {v}: expected NAME=VALUE"))),
        })
        .collect()
}

fn render(
    result: &ScanResult,
    format: OutputFormat,
    to_terminal: bool,
    verbose: bool,
    ctx: &report::Context,
) -> String {
    match format {
        OutputFormat::Human => {
            let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let width = if to_terminal { terminal_width() } else { 100 };
            report::human::render(
                result,
                &report::human::Style {
                    color,
                    width,
                    verbose,
                },
                ctx,
            )
        }
        OutputFormat::Compact => report::compact::render(result, ctx),
        OutputFormat::Json => report::json::render(result),
        OutputFormat::Sarif => report::sarif::render(result),
        OutputFormat::Github => report::github::render(result, ctx),
        OutputFormat::Junit => report::junit::render(result, ctx),
        OutputFormat::Markdown => report::markdown::render(result, ctx),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), Fatal> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| fatal(format!("cannot write {}: {e}", p.display())))
        }
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`soclint check | head`) is not an error worth a message
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

/// Like [`write_output`], for a report that writes itself piece by piece
/// (and buffers its own writes).
fn stream_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Fatal> {
    match path {
        Some(p) => {
            let cannot = |e: std::io::Error| fatal(format!("cannot write {}: {e}", p.display()));
            let mut file = std::fs::File::create(p).map_err(cannot)?;
            write(&mut file).map_err(cannot)
        }
        None => {
            let mut out = std::io::stdout().lock();
            // a closed pipe (`soclint check | head`) is not an error worth a message
            let _ = write(&mut out).and_then(|()| out.flush());
            Ok(())
        }
    }
}

fn rules_for_listing(args: &RuleSourceArgs, in_scope_only: bool) -> Result<RuleSet, Fatal> {
    let (config, path) = find_config(args.config.as_deref(), &[])?;
    build_rules(args, &config, path.as_deref(), in_scope_only)
}

pub fn list_rules(args: &RulesArgs) -> Result<u8, Fatal> {
    let set = rules_for_listing(&args.rules, false)?;
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
        .collect();
    if args.output_dir.is_some() && args.format != RulesFormat::Markdown {
        return Err(fatal("--output-dir goes with --format markdown"));
    }
    let text = match args.format {
        RulesFormat::Markdown => {
            let pages = crate::docs::render(&shown);
            if let Some(dir) = &args.output_dir {
                std::fs::create_dir_all(dir)
                    .map_err(|e| fatal(format!("cannot create {}: {e}", dir.display())))?;
                for (name, text) in &pages {
                    let p = dir.join(name);
                    std::fs::write(&p, text)
                        .map_err(|e| fatal(format!("cannot write {}: {e}", p.display())))?;
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
                    serde_json::json!({
                        "id": m.id, "title": m.title, "severity": m.severity, "criteria": m.criteria,
                        "target": m.target, "resources": m.resources, "checkov": m.checkov,
                    })
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
            s.push_str(&format!(
                "{:idw$}  {:8}  {:15}  {:24}  TITLE\n",
                "ID", "SEVERITY", "TARGET", "CRITERIA"
            ));
            for r in &shown {
                let m = &r.meta;
                s.push_str(&format!(
                    "{:idw$}  {:8}  {:15}  {:24}  {}\n",
                    m.id,
                    m.severity.name(),
                    m.target.name(),
                    m.criteria.join(","),
                    m.title
                ));
            }
            s.push_str(&format!("{} rule(s)\n", shown.len()));
            s
        }
    };
    write_output(None, &text)?;
    Ok(EXIT_OK)
}

pub fn explain(id: &str, args: &RuleSourceArgs) -> Result<u8, Fatal> {
    let set = rules_for_listing(args, false)?;
    let Some(rule) = set.find(id) else {
        return Err(fatal(format!("no rule `{id}`; `soclint rules` lists them")));
    };
    let m = &rule.meta;
    let mut s = String::new();
    s.push_str(&format!("{}: {}\n\n", m.id, m.title));
    s.push_str(&format!(
        "Severity: {}\nTarget:   {}\n",
        m.severity, m.target
    ));
    if !m.resources.is_empty() {
        s.push_str(&format!("Applies to: {}\n", m.resources.join(", ")));
    }
    s.push_str("\nTrust Services Criteria:\n");
    for c in &m.criteria {
        let title = criteria::find(c).map(|c| c.title).unwrap_or("");
        s.push_str(&format!("  {c}  {title}\n"));
    }
    s.push_str(&format!("\nWhy it matters:\n  {}\n", m.rationale));
    s.push_str(&format!("\nHow to fix:\n  {}\n", m.remediation));
    for (i, ex) in m.examples.iter().enumerate() {
        if let Some(f) = &ex.fail {
            s.push_str(&format!("\nExample {} (fails):\n{}\n", i + 1, indent(f)));
        }
        if let Some(p) = &ex.pass {
            s.push_str(&format!("\nExample {} (passes):\n{}\n", i + 1, indent(p)));
        }
    }
    if !m.checkov.is_empty() {
        s.push_str(&format!("\nCheckov equivalent: {}\n", m.checkov.join(", ")));
    }
    if !m.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &m.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    s.push_str(&format!("\nDefined in: {}\n", m.origin));
    write_output(None, &s)?;
    Ok(EXIT_OK)
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn list_criteria(args: &RuleSourceArgs, format: ListFormat) -> Result<u8, Fatal> {
    let set = rules_for_listing(args, true)?;
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
    write_output(None, &text)?;
    Ok(EXIT_OK)
}

/// `soclint test`: each rule against its fixtures; PASS, FAIL and SKIP apart.
pub fn test(args: &TestArgs) -> Result<u8, Fatal> {
    let (config, path) = find_config(args.rules.config.as_deref(), &[])?;
    let mut broken = Some(Vec::new());
    let set = build_rules_with(
        &args.rules,
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
        "testing {} rule(s): metadata (ids unique, criteria in the catalogue, severity and target known, \
         message placeholders resolve, paths, regexes and globs compile) and fixtures in {}\n",
        set.rules.len() + broken.len(),
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
            RuleTest::Pass { findings, passes } => {
                passed += 1;
                out.push_str(&format!(
                    "PASS {} (metadata ok; {findings} expected finding(s), {passes} passing evaluation(s))\n",
                    m.id
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
    out.push_str(&format!(
        "{passed} passed, {failed} failed, {skipped} skipped\n"
    ));
    write_output(None, &out)?;
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
