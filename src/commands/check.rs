//! `soclint check`: what to scan (paths, single files, `--changed-since`),
//! where each report goes, and the exit code.
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::output::{render, stream_output, write_output, HumanOptions};
use super::{fatal, Fatal, EXIT_FINDINGS, EXIT_OK};
use crate::cli::{CheckArgs, FailOn, KustomizeRoots, OutputFormat};
use crate::discover::{classify_name, FileKind, NameClass, Root};
use crate::filter::{self, changed, FilterOptions};
use crate::output_file::Guard;
use crate::parallel;
use crate::project::{
    build_rules, build_rules_for, config_display, configured_baseline, find_config, load_baseline,
    run_scan_found, scan_options, Anchor, RuleOverrides, ScanOverrides,
};
use crate::report;
use crate::rules::Severity;
use crate::scan;
use crate::unit_scan::kustomize::Roots;

/// `soclint check`: scan, filter, write each report asked for; exit 1 when a
/// finding reaches the threshold or a file could not be parsed.
pub fn run(args: &CheckArgs) -> Result<u8, Fatal> {
    let plan = plan_outputs(&args.format, &args.output)?;
    let targets = resolve_targets(args)?;
    let rule_overrides = RuleOverrides::from(&args.rules);
    let (config, config_path) = find_config(rule_overrides.config_choice(), &targets.anchor)?;
    let fail_on = match (args.fail_on, config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some(s)) => <FailOn as clap::ValueEnum>::from_str(s, true).map_err(fatal)?,
        (None, None) => FailOn::Low,
    };
    let mut policy = config.unscanned_policy().map_err(fatal)?;
    for spec in &args.on_unscanned {
        policy
            .apply(spec)
            .map_err(|e| fatal(format!("--on-unscanned {spec}: {e}")))?;
    }
    // `--baseline FILE`, else the one soclint.toml names
    let baseline_path = match &args.baseline {
        Some(p) => Some(p.clone()),
        None => configured_baseline(
            &config,
            config_path.as_deref(),
            rule_overrides.config.is_none(),
        )?,
    };
    let baseline = baseline_path.as_deref().map(load_baseline).transpose()?;
    // fixes compare the text they edit with the text the scan read
    let keep_texts = plan.iter().any(|(f, _)| *f == OutputFormat::Human) || args.fix || args.diff;
    let mut opts = scan_options(
        targets.roots,
        targets.repository,
        &config,
        &scan_overrides(args),
        keep_texts,
        false,
    )?;
    // -v names each value that stayed unknown and the evaluations it skipped
    opts.eval.record_unknowns = args.verbose;
    if let (Some(b), Some(p)) = (&baseline, &baseline_path) {
        if b.legacy() {
            opts.eval.legacy_fingerprints = true;
            eprintln!(
                "note: {} is a version 1 baseline (FNV-1a fingerprints, which a crafted finding can collide with): its entries are matched by their old fingerprint and must name the finding's rule, path and resource; rewrite it with `soclint baseline` (SHA-256 fingerprints).",
                crate::escape::terminal(&p.display().to_string())
            );
        }
    }
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
                &rule_overrides,
                &config,
                config_path.as_deref(),
                &crate::discover::targets_of(&found.files),
            )?,
            None => build_rules(&rule_overrides, &config, config_path.as_deref(), true)?,
        };
        let mut result = run_scan_found(&opts, &rules, plan_input, found)?;
        result.scope = rules.selection.summary.clone();
        // a directory that is not a repository's root: say what did not run
        result.scope.not_repository_root =
            !targets.repository && targets.report_paths.is_none() && plan_input.is_none();
        if !targets.repository {
            // the required-policy rules are repository rules: off here anyway
            result.scope.need_policy_paths = 0;
        }
        let filter_opts = FilterOptions {
            today: opts.eval.today,
            waivers: &config.waiver,
            suppressions: config.suppressions,
            config_path: config_display(config_path.as_deref(), &targets.anchor.base),
            report_paths: targets.report_paths,
            changed_lines: targets.changed_lines,
            baseline,
            policy,
            selection: Some(&rules.selection),
        };
        filter::apply(&mut result, &filter_opts);
        // the scanned directories and the working directory: no output path
        // goes through a link in them
        let guard = Guard::new(
            opts.roots
                .iter()
                .map(|r| r.path.as_path())
                .chain([targets.anchor.base.as_path()]),
        );
        if args.fix || args.diff {
            let fixes = super::fix::Run {
                opts: &opts,
                rules: &rules,
                filter: &filter_opts,
                guard: &guard,
            };
            if let Some(code) = fixes.run(args.diff, &mut result)? {
                return Ok(code);
            }
        }
        // which findings `--fix` would fix: only for the formats that show
        // it, and only findings of rules with a fix
        let shows_fixable = plan
            .iter()
            .any(|(f, _)| matches!(f, OutputFormat::Human | OutputFormat::Json));
        let fixable = if shows_fixable {
            let run = super::fix::Run {
                opts: &opts,
                rules: &rules,
                filter: &filter_opts,
                guard: &guard,
            };
            report::Fixable::new(&result, run.fixable(&result))
        } else {
            report::Fixable::default()
        };
        let ctx = report::Context {
            show_suppressed: args.show_suppressed,
            link_base: report::github_link_base(),
            frameworks: args.framework.clone(),
            fixable,
        };
        let human = HumanOptions {
            verbose: args.verbose,
            sort: args.sort,
            statistics: args.statistics,
            quiet: args.quiet,
            color: args.color,
            fail_at: threshold(fail_on),
        };
        for (format, dest) in &plan {
            let to_terminal = dest.is_none() && std::io::stdout().is_terminal();
            match format {
                // the large machine formats stream; the rest are built as text
                OutputFormat::Json => stream_output(dest.as_deref(), &guard, |w| {
                    report::json::write_with(&result, &args.framework, &ctx.fixable, w)
                })?,
                OutputFormat::Sarif => stream_output(dest.as_deref(), &guard, |w| {
                    report::sarif::write_with(&result, &args.framework, w)
                })?,
                _ => {
                    let text = render(&result, *format, to_terminal, &human, &ctx);
                    write_output(dest.as_deref(), &text, &guard)?;
                }
            }
        }
        let failing = threshold(fail_on).is_some_and(|t| {
            result.findings.iter().any(|f| f.severity() >= t) || result.failing_gaps()
        });
        // the process ends here: freeing 100,000 findings one by one took
        // longer (~40 ms) than writing them
        std::mem::forget(result);
        Ok(if failing && !args.exit_zero {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        })
    })
    .map_err(fatal)?
}

/// The threads, limits and Terraform variables flags.
fn scan_overrides(a: &CheckArgs) -> ScanOverrides {
    ScanOverrides {
        var_files: a.var_files.clone(),
        vars: a.vars.clone(),
        helm_values: a.helm_values.clone(),
        helm_set: a.helm_set.clone(),
        cfn_parameters: a.cfn_parameters.clone(),
        kustomize_roots: match a.kustomize_roots {
            KustomizeRoots::Overlays => Roots::Overlays,
            KustomizeRoots::Bases => Roots::Bases,
            KustomizeRoots::Both => Roots::Both,
        },
        ..ScanOverrides::from(&a.limits)
    }
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
    /// What paths are relative to, and where the config search starts.
    anchor: Anchor,
    /// The one root is the repository's root: its own rules run.
    repository: bool,
    report_paths: Option<HashSet<String>>,
    changed_lines: Option<HashMap<String, Vec<(usize, usize)>>>,
}

/// Files named one by one, each reported under `rel`; a Terraform file or a
/// Terraform variables file brings the other Terraform and variables files
/// of its directory as context (not reported, but a finding whose value is
/// set in a named variables file is).
fn file_targets(files: Vec<(PathBuf, String)>, anchor: Anchor) -> Targets {
    let mut report = HashSet::new();
    let mut roots: Vec<Root> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let is_tf = |rel: &str| {
        matches!(
            classify_name(rel),
            NameClass::Known(FileKind::Terraform | FileKind::TerraformJson)
        ) || rel.ends_with(".tfvars")
            || rel.ends_with(".tfvars.json")
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
        anchor,
        repository: false,
        report_paths: Some(report),
        changed_lines: None,
    }
}

/// The paths to scan, each named relative to the repository root (or, outside
/// a repository, to the one scanned directory or the working directory).
fn resolve_targets(args: &CheckArgs) -> Result<Targets, Fatal> {
    for p in &args.paths {
        if !p.exists() {
            return Err(fatal(format!("{} does not exist", p.display())));
        }
    }
    let anchor = Anchor::of(&args.paths);
    if let Some(reference) = &args.changed_since {
        let [dir] = args.paths.as_slice() else {
            return Err(fatal("--changed-since takes one directory (default .)"));
        };
        if !dir.is_dir() {
            return Err(fatal("--changed-since takes a directory, not a file"));
        }
        // git names files relative to `dir`; reports name them from the root
        let prefix = anchor.display(dir);
        let from_root = |rel: String| match prefix.as_str() {
            "" => rel,
            p => format!("{p}/{rel}"),
        };
        let base = changed::merge_base(dir, reference).map_err(fatal)?;
        let changed = changed::changed_files(dir, &base).map_err(fatal)?;
        // every changed path goes to discovery, which reports what it cannot
        // scan (a link, a name that is not UTF-8); only directories (a
        // submodule's new commit) are left out
        let files: Vec<(PathBuf, String)> = changed
            .iter()
            .filter(|f| f.path.symlink_metadata().is_ok_and(|m| !m.is_dir()))
            .map(|f| (f.path.clone(), from_root(f.rel.clone())))
            .collect();
        let changed_lines = if args.changed_lines_only {
            let lines = changed::changed_lines(dir, &base, &changed).map_err(fatal)?;
            Some(lines.into_iter().map(|(k, v)| (from_root(k), v)).collect())
        } else {
            None
        };
        let mut t = file_targets(files, anchor);
        t.changed_lines = changed_lines;
        return Ok(t);
    }
    if args.paths.iter().all(|p| p.is_file()) {
        let files = args
            .paths
            .iter()
            .map(|p| (p.clone(), anchor.display(p)))
            .collect();
        return Ok(file_targets(files, anchor));
    }
    let roots = args
        .paths
        .iter()
        .map(|p| Root {
            path: p.clone(),
            is_dir: p.is_dir(),
            display_prefix: anchor.display(p),
        })
        .collect();
    let repository = matches!(args.paths.as_slice(), [dir] if anchor.is_repository_root(dir));
    Ok(Targets {
        roots,
        anchor,
        repository,
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
