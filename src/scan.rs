//! The pipeline: discover → parse → extract → evaluate, with a deterministic
//! result (sorted, whatever the thread count).
//!
//! Work is cut into chunks of one directory each: resources see each other only
//! within a Terraform module (a directory) or a file, so a chunk is parsed,
//! evaluated and dropped on its own thread, and memory follows the largest
//! directory rather than the whole repository. The repository-level resources
//! (each file's facts, the repository) form one last chunk.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use globset::GlobSet;

use crate::discover::{self, classify_name, Discovered, FileKind, NameClass, Root};
use crate::document::{LineIndex, Node, Span};
use crate::evaluate::{self, locate_span, ChunkOutcome, Deferred, EvalOptions, FileRef};
use crate::extract::{self, file_facts, Resource};
use crate::filter::suppress;
use crate::finding::{
    Directive, FileError, Finding, Location, Notice, RuleStats, ScanResult, UnknownUse,
};
use crate::parse::{Loaded, ParseOptions};
use crate::rules::{RuleSet, Target};
use crate::unit_scan::{ChartScan, ScanTree, Units};
use crate::unscanned::{Reason, Skipped, Status};

pub mod cache;
pub mod parsed;
pub use cache::Cache;
use cache::Reads;

/// How to scan: what, with how many threads, and each stage's own options
/// (defined beside the stage, so no stage imports the pipeline that calls it).
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<Root>,
    /// The one root is a repository's root directory: the repository's own
    /// rules (what files exist, CODEOWNERS, committed secrets) run. Never for
    /// a subdirectory, a plain directory, or files named one by one.
    pub repository: bool,
    pub exclude: GlobSet,
    pub threads: usize,
    pub parse: ParseOptions,
    pub eval: EvalOptions,
    pub terraform: crate::terraform::Inputs,
    /// Helm values for every chart (`--helm-values`, `--helm-set`).
    pub helm: crate::render::helm::Inputs,
    /// CloudFormation parameter values for every template (`--cfn-parameters`).
    pub cloudformation: crate::extract::cfn_values::Overrides,
    /// Which Kustomize kustomizations are built and checked.
    pub kustomize: crate::unit_scan::kustomize::Roots,
}

impl ScanOptions {
    /// One directory scanned as a repository root with the default limits on
    /// one thread, as the rule fixtures, tests and fuzz targets do; fields
    /// differ by struct update.
    pub fn for_directory(dir: &std::path::Path, today: i64) -> Self {
        ScanOptions {
            roots: vec![Root {
                path: dir.to_path_buf(),
                is_dir: true,
                display_prefix: String::new(),
            }],
            repository: true,
            exclude: GlobSet::empty(),
            threads: 1,
            parse: ParseOptions::default(),
            eval: EvalOptions {
                today,
                ..EvalOptions::default()
            },
            terraform: crate::terraform::Inputs::default(),
            helm: crate::render::helm::Inputs::default(),
            cloudformation: Vec::new(),
            kustomize: crate::unit_scan::kustomize::Roots::default(),
        }
    }
}

/// What a directory chunk hands back once its documents are dropped.
#[derive(Clone)]
struct ChunkResult {
    /// Its Terraform evaluated as a root module: dropped when another kept
    /// root evaluated it as a module (see [`kept_roots`]).
    as_root: Option<RootModule>,
    outcome: ChunkOutcome,
    /// A Helm chart's render and its checks, when the chunk is a chart.
    /// (Boxed, as the next: rare, and ~370 bytes each in every chunk's
    /// result, all of which are held until they merge.)
    chart: Option<Box<ChartScan>>,
    /// A Kustomize overlay's build and its checks, when the chunk's
    /// directory has a checked kustomization.
    overlay: Option<Box<ChartScan>>,
    /// (kind, lines, size) per file of the chunk, in order: for the summary
    /// and the file facts.
    files: Vec<(FileKind, usize, u64)>,
    errors: Vec<FileError>,
    skipped: Vec<Skipped>,
    notices: Vec<Notice>,
    directives: Vec<Directive>,
    resources: usize,
    /// What the repository resource lists of each policy document.
    policies: Vec<Node>,
    /// The files outside its own that the chunk read (for [`Cache`]).
    reads: Reads,
}

/// A directory's Terraform evaluated as a root module (with the local modules
/// it calls).
#[derive(Clone)]
struct RootModule {
    outcome: ChunkOutcome,
    resources: usize,
    /// Terraform attributes that stayed unknown after evaluation.
    unknown: usize,
    remote: Vec<String>,
    notices: Vec<Notice>,
    /// The local module directories this evaluation made at least one
    /// instance of (through any depth of calls).
    called: Vec<String>,
    /// Suppression comments in the variables files it read.
    directives: Vec<Directive>,
}

/// The scanned directories by (root, path), so a chunk can load the local
/// modules its Terraform calls. Which directories are called is learnt while
/// the chunks run: every directory with Terraform is evaluated as a root
/// module, and that evaluation is dropped when a kept root evaluated it as a
/// module (a text pre-scan of every .tf file before parsing cost a second
/// read of each, ~3% of a scan, and a text search finds calls in comments).
pub struct ModuleDirs<'d> {
    dirs: HashMap<(usize, String), &'d [Discovered]>,
    /// Each root resolved once (what Terraform's file functions may read
    /// under); `None` when it cannot be.
    canonical_roots: Vec<Option<PathBuf>>,
}

impl<'d> ModuleDirs<'d> {
    fn new(chunks: &[&'d [Discovered]], opts: &ScanOptions, units: &Units) -> Self {
        let dirs = chunks
            .iter()
            .map(|c| {
                let (root, dir) = dir_key(opts, units, &c[0]);
                ((root, dir.to_string()), *c)
            })
            .collect();
        let canonical_roots = opts
            .roots
            .iter()
            .map(|r| r.path.canonicalize().ok())
            .collect();
        ModuleDirs {
            dirs,
            canonical_roots,
        }
    }

    fn get(&self, root: usize, dir: &str) -> Option<&'d [Discovered]> {
        self.dirs.get(&(root, dir.to_string())).copied()
    }
}

/// The files under the roots, and the problems met walking them: what a scan
/// looks at, known before its rules are loaded.
#[derive(Clone)]
pub struct Found {
    pub files: Vec<Discovered>,
    /// What discovery passed over (links, devices, walk errors, …).
    pub skipped: Vec<Skipped>,
    problems: Vec<(String, String)>,
    started: Instant,
}

impl Found {
    /// The same files for another scan, timed from now (the language server
    /// walks the tree again only when files on disk change).
    pub fn again(&self) -> Found {
        Found {
            started: Instant::now(),
            ..self.clone()
        }
    }
}

pub fn discover(opts: &ScanOptions) -> Found {
    let started = Instant::now();
    let d = discover::discover(&opts.roots, &opts.exclude, opts.threads);
    Found {
        files: d.files,
        skipped: d.skipped,
        problems: d.problems,
        started,
    }
}

pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> ScanResult {
    scan_found(opts, rules, discover(opts))
}

pub fn scan_found(opts: &ScanOptions, rules: &RuleSet, found: Found) -> ScanResult {
    scan_found_with(opts, rules, found, None)
}

/// [`scan_found`] keeping each chunk's result in `cache` and reusing those
/// still valid (see [`Cache::changed`]): the same result as a full scan.
pub fn scan_found_cached(
    opts: &ScanOptions,
    rules: &RuleSet,
    found: Found,
    cache: &mut Cache,
) -> ScanResult {
    scan_found_with(opts, rules, found, Some(cache))
}

fn scan_found_with(
    opts: &ScanOptions,
    rules: &RuleSet,
    found: Found,
    mut cache: Option<&mut Cache>,
) -> ScanResult {
    let Found {
        files: mut found,
        mut skipped,
        problems,
        started,
    } = found;
    // a directory walked: each file's facts; its repository's root: the
    // repository itself too (what must or must not exist)
    let wants_facts = opts.roots.len() == 1 && opts.roots[0].is_dir;
    let whole_repository = wants_facts && opts.repository;
    // the repository's file tests search its paths in order: discovery gives
    // them so (checked, as this is public), before they are grouped by directory
    let repo_files: Vec<String> = if whole_repository {
        let mut paths: Vec<String> = found.iter().map(|d| d.rel.clone()).collect();
        if !paths.is_sorted() {
            paths.sort_unstable();
        }
        paths
    } else {
        Vec::new()
    };
    // Helm charts: each claims its templates, and is one chunk
    let dir_root = |d: &Discovered| {
        opts.roots
            .get(d.root)
            .is_some_and(|r| r.is_dir)
            .then_some(d.root)
    };
    let kept_units = cache.as_deref_mut().and_then(|c| c.take_units(&found));
    let units = match kept_units {
        Some((mut units, unit_skipped, overlay_changed)) => {
            skipped.extend(unit_skipped);
            if !overlay_changed.is_empty() {
                let tree = ScanTree::new(&found, &opts.parse);
                let claims_changed =
                    units
                        .overlays
                        .rebuild(&overlay_changed, &tree, &opts.parse.limits);
                if let Some(c) = cache.as_deref_mut() {
                    c.units_rebuilt(&units, claims_changed);
                }
            }
            units
        }
        None => {
            let mut units = Units::find(&found, dir_root);
            // Kustomize overlays: built first, so their inputs are known
            if found
                .iter()
                .any(|d| crate::render::kustomize::is_kustomization(&d.rel))
            {
                let tree = ScanTree::new(&found, &opts.parse);
                units.overlays = crate::unit_scan::kustomize::Overlays::find(
                    &found,
                    dir_root,
                    &tree,
                    &opts.parse.limits,
                    opts.kustomize,
                );
            }
            // GitLab CI pipelines: the files they include are pipeline files too
            if found
                .iter()
                .any(|d| classify_name(&d.rel) == NameClass::Known(FileKind::GitlabCi))
            {
                let tree = ScanTree::new(&found, &opts.parse);
                units.pipelines = crate::unit_scan::gitlab::Pipelines::find(
                    &found,
                    dir_root,
                    |root| opts.roots[root].display_prefix.clone(),
                    &tree,
                    &opts.parse.limits,
                );
            }
            if let Some(c) = cache.as_deref_mut() {
                c.found_units(&found, &units, dir_root);
            }
            skipped.append(&mut units.pipelines.skipped);
            units
        }
    };
    let mut notices_early: Vec<Notice> = Vec::new();
    let helm_values = if units.is_empty() {
        Vec::new()
    } else {
        crate::unit_scan::values_files(&opts.helm.values_files).unwrap_or_else(|e| {
            notices_early.push(Notice {
                path: ".".into(),
                message: e,
            });
            Vec::new()
        })
    };
    // a directory's files together, even when a subdirectory sorts between them
    crate::parallel::sort_by(&mut found, |a, b| {
        dir_key(opts, &units, a)
            .cmp(&dir_key(opts, &units, b))
            .then_with(|| a.rel.cmp(&b.rel))
    });
    let mut chunks: Vec<&[Discovered]> = Vec::new();
    let mut start = 0;
    for i in 1..=found.len() {
        if i == found.len()
            || dir_key(opts, &units, &found[i]) != dir_key(opts, &units, &found[start])
        {
            chunks.push(&found[start..i]);
            start = i;
        }
    }
    let module_dirs = ModuleDirs::new(&chunks, opts, &units);
    let tree = (!units.is_empty()).then(|| ScanTree::new(&found, &opts.parse));
    let charts = Charts {
        units: &units,
        tree: tree.as_ref(),
        values: &helm_values,
    };
    let keys: Vec<(usize, &str)> = chunks
        .iter()
        .map(|c| dir_key(opts, &units, &c[0]))
        .collect();
    // the language server's parses, kept until their file changes
    let parsed = cache.as_deref_mut().map(|c| std::mem::take(&mut c.parsed));
    let modules = parsed::Parsed::default();
    let reader = parsed::Reader {
        parsed: parsed.as_ref(),
        modules: Some(&modules),
        opts: &opts.parse,
    };
    let mut results: Vec<ChunkResult> = match cache.as_deref_mut() {
        None => crate::parallel::map(&chunks, |c| {
            scan_chunk(c, &module_dirs, &charts, reader, opts, rules)
        }),
        Some(cache) => cache.results(&chunks, &keys, |c| {
            scan_chunk(c, &module_dirs, &charts, reader, opts, rules)
        }),
    };
    let keep_root = kept_roots(&keys, &results);
    drop(keys);
    drop(module_dirs);
    drop(modules);
    if let Some(c) = cache {
        c.put_units(units);
        c.parsed = parsed.unwrap_or_default();
        (c.parsed_files, c.own_kept) = c.parsed.take_count();
    }
    let mut policies: Vec<Node> = Vec::new();
    for r in &mut results {
        policies.append(&mut r.policies);
    }

    let mut result = ScanResult {
        rules_active: rules.rules.len(),
        ..ScanResult::default()
    };
    if opts.eval.record_resources {
        result.discovered = found.iter().map(|d| d.rel.clone()).collect();
        result.discovered.sort_unstable();
    }
    // chunks are consecutive runs of `found`: their files' kinds in order are
    // the kinds of `found`
    let kinds: Vec<(FileKind, u64)> = results
        .iter()
        .flat_map(|r| r.files.iter().map(|&(kind, _, size)| (kind, size)))
        .collect();
    let mut verdicts = vec![[0usize; 3]; rules.rules.len()];
    let mut deferred = Deferred::default();
    let mut unknowns: Vec<UnknownUse> = Vec::new();
    // the repository's file facts need only the kinds; the chunks' results
    // merge meanwhile (both are a few tens of ms at a million lines)
    let (repo, mut parts) = crate::parallel::join(
        || {
            wants_facts.then(|| {
                let repo = RepositoryInput {
                    whole: whole_repository,
                    files: &repo_files,
                    policies,
                };
                scan_repository(&found, &kinds, repo, opts, rules)
            })
        },
        || {
            let totals = (&mut verdicts[..], &mut deferred, &mut unknowns);
            merge_chunks(&mut result, totals, results, keep_root)
        },
    );
    if let Some((mut repo, resources)) = repo {
        result.resources += resources;
        let totals = (&mut verdicts[..], &mut deferred, &mut unknowns);
        parts.push(merge(&mut result, totals, &mut repo));
    }
    // the relations across the scan are answered now every chunk has spoken
    let mut masks = Vec::new();
    parts.push(deferred.resolve(rules, &mut verdicts, &mut masks, &mut result.population));
    for (rel, spans) in masks {
        result.masks.entry(rel).or_default().extend(spans);
    }
    // one allocation of the final size, each finding moved into it once
    result.findings = join_sorted(parts);
    result.stats = rules
        .rules
        .iter()
        .zip(verdicts)
        .map(|(r, [passed, failed, skipped])| {
            (
                r.meta.id.clone(),
                RuleStats {
                    passed,
                    failed,
                    skipped,
                },
            )
        })
        .collect();
    result.unknowns = crate::unknowns::summarise(unknowns, rules);
    if opts.eval.record_resources {
        crate::parallel::sort_moving_once(&mut result.population, Ord::cmp);
    }
    result.notices.extend(
        problems
            .into_iter()
            .map(|(path, message)| Notice { path, message }),
    );
    result.notices.append(&mut notices_early);
    result.skipped.extend(skipped);
    result.skipped.sort();
    result
        .skipped
        .dedup_by(|a, b| a.path == b.path && a.reason == b.reason);
    result.notices.sort();
    result.notices.dedup();
    result.remote_modules.sort();
    result.remote_modules.dedup();
    result.errors.sort();
    result.directives.sort();
    // a base's comments reach every overlay built on it; a variables file
    // read by several root modules (a --var-file) counts once
    result.directives.dedup();
    crate::finding::sort_findings(&mut result.findings);
    result
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    crate::finding::merge_renderings(&mut result.findings);
    result.elapsed = started.elapsed();
    result
}

/// Which chunks' root-module evaluations the report keeps: a directory is
/// left out as a root only when a kept root evaluated at least one instance
/// of it, so every directory with Terraform is evaluated somewhere, whatever
/// calls it (a `count = 0` call, a call from a directory nobody evaluates,
/// a cycle). Directories no one evaluated are roots; then, in chunk order
/// (sorted, so the choice is deterministic), each directory still not
/// evaluated by a kept root becomes one (the first of a cycle).
fn kept_roots(keys: &[(usize, &str)], results: &[ChunkResult]) -> Vec<bool> {
    let called = |i: usize| -> Vec<(usize, &str)> {
        results[i]
            .as_root
            .iter()
            .flat_map(|m| m.called.iter().map(|d| (keys[i].0, d.as_str())))
            .collect()
    };
    let anyone: std::collections::HashSet<(usize, &str)> =
        (0..keys.len()).flat_map(called).collect();
    let mut keep: Vec<bool> = keys.iter().map(|k| !anyone.contains(k)).collect();
    let mut evaluated: std::collections::HashSet<(usize, &str)> = std::collections::HashSet::new();
    for i in (0..keys.len()).filter(|&i| keep[i]) {
        evaluated.extend(called(i));
    }
    for i in 0..keys.len() {
        let k = keys[i];
        if keep[i] || results[i].as_root.is_none() || evaluated.contains(&k) {
            continue;
        }
        keep[i] = true;
        evaluated.insert(k);
        evaluated.extend(called(i));
    }
    keep
}

/// Moves each chunk's verdicts and notes into `result` and returns its
/// findings, in chunk order (a called directory's own root evaluation is
/// dropped: `keep_root` is false).
fn merge_chunks(
    result: &mut ScanResult,
    (verdicts, deferred, unknowns): Totals,
    results: Vec<ChunkResult>,
    keep_root: Vec<bool>,
) -> Vec<Vec<Finding>> {
    let mut findings = Vec::with_capacity(results.len());
    for (mut r, keep) in results.into_iter().zip(keep_root) {
        findings.push(merge(
            result,
            (verdicts, deferred, unknowns),
            &mut r.outcome,
        ));
        if let Some(mut m) = r.as_root.take().filter(|_| keep) {
            findings.push(merge(
                result,
                (verdicts, deferred, unknowns),
                &mut m.outcome,
            ));
            result.resources += m.resources;
            result.unknown_attributes += m.unknown;
            result.remote_modules.append(&mut m.remote);
            result.notices.append(&mut m.notices);
            result.directives.append(&mut m.directives);
        }
        for mut c in [r.chart.take(), r.overlay.take()].into_iter().flatten() {
            findings.push(merge(
                result,
                (verdicts, deferred, unknowns),
                &mut c.outcome,
            ));
            result.resources += c.resources;
            result.notices.append(&mut c.notices);
            result.skipped.append(&mut c.skipped);
            result.directives.append(&mut c.directives);
        }
        for &(kind, lines, _) in &r.files {
            if kind != FileKind::Other {
                result.files_scanned += 1;
                result.lines_scanned += lines;
                *result.kinds.entry(kind.name()).or_insert(0) += 1;
            }
        }
        result.resources += r.resources;
        result.errors.append(&mut r.errors);
        result.skipped.append(&mut r.skipped);
        result.directives.append(&mut r.directives);
        result.notices.append(&mut r.notices);
    }
    findings
}

/// `parts` (each sorted by [`Finding::sort_key`]) joined in report order:
/// what a stable sort of their concatenation gives, without sorting it all.
/// Ordered by their first findings, parts whose key ranges meet form a
/// group (a directory's own files and its Terraform root evaluation, a
/// directory and the subdirectory whose paths sort between its files); a
/// group of one part is moved as it is, a larger one is concatenated in the
/// parts' own order and sorted stably. Groups hold disjoint, increasing key
/// ranges, so their concatenation is sorted; the scan's final sort then only
/// checks it. (A stable sort of all ~1.4M findings of a 10M-line scan took
/// ~0.3 s of its serial end, most directories there meeting another.)
fn join_sorted(mut parts: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut order: Vec<usize> = (0..parts.len()).filter(|&i| !parts[i].is_empty()).collect();
    let first = |i: usize| parts[i][0].sort_key();
    let last = |i: usize| parts[i][parts[i].len() - 1].sort_key();
    order.sort_by(|&a, &b| first(a).cmp(&first(b)).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // the part of the current group whose last finding comes last
    let mut reach: Option<usize> = None;
    for &i in &order {
        match (reach, groups.last_mut()) {
            (Some(r), Some(group)) if first(i) <= last(r) => {
                group.push(i);
                if last(i) > last(r) {
                    reach = Some(i);
                }
            }
            _ => {
                groups.push(vec![i]);
                reach = Some(i);
            }
        }
    }
    let mut joined = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for mut group in groups {
        if let [one] = group[..] {
            // taken, not appended: `append` keeps each part's buffer until
            // every part is dropped, two copies of the findings at the peak
            joined.extend(std::mem::take(&mut parts[one]));
            continue;
        }
        group.sort_unstable();
        let start = joined.len();
        for i in group {
            joined.extend(std::mem::take(&mut parts[i]));
        }
        joined[start..].sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    joined
}

/// The chunk a file belongs to: its directory under its root. Files named one
/// by one (`check a.tf b.tf`) share one pseudo-root, so a module's files named
/// separately still form one module.
fn dir_key<'a>(opts: &ScanOptions, units: &Units, d: &'a Discovered) -> (usize, &'a str) {
    let root = if opts.roots.get(d.root).is_some_and(|r| r.is_dir) {
        d.root
    } else {
        usize::MAX
    };
    // a chart's templates are in the chart's chunk
    if let Some(n) = units.claim(root, &d.rel) {
        return (root, &d.rel[..n]);
    }
    (
        root,
        d.rel.rsplit_once('/').map(|(dir, _)| dir).unwrap_or(""),
    )
}

/// A Terraform file OpenTofu does not load, said so.
fn overridden(rel: &str, tofu: &str) -> Skipped {
    let name = tofu.rsplit('/').next().unwrap_or(tofu);
    Skipped::new(
        rel,
        Reason::Overridden,
        format!("OpenTofu loads {name} instead of this file, and so does soclint"),
    )
}

/// What a chunk needs to render the chart it may be.
struct Charts<'a> {
    units: &'a Units,
    tree: Option<&'a ScanTree<'a>>,
    values: &'a [crate::render::Source],
}

/// What chunks add up into: verdicts per rule, what waits for the whole
/// scan, and the unknown values met.
type Totals<'t> = (
    &'t mut [[usize; 3]],
    &'t mut Deferred,
    &'t mut Vec<UnknownUse>,
);

/// Adds a chunk's verdicts, population and texts to the totals and
/// hands back its findings (the caller places them).
#[must_use = "the chunk's findings are returned, not merged"]
fn merge(
    result: &mut ScanResult,
    (verdicts, deferred, unknowns): Totals,
    outcome: &mut ChunkOutcome,
) -> Vec<Finding> {
    deferred.gather(outcome);
    result.population.append(&mut outcome.population);
    unknowns.append(&mut outcome.unknowns);
    for &(ri, v) in &outcome.verdicts {
        for k in 0..3 {
            verdicts[ri as usize][k] += v[k] as usize;
        }
    }
    for (rel, text) in &outcome.texts {
        result
            .texts
            .entry(rel.clone())
            .or_insert_with(|| Arc::clone(text));
    }
    for (rel, spans) in outcome.masks.drain(..) {
        result.masks.entry(rel).or_default().extend(spans);
    }
    result
        .legacy_fingerprints
        .extend(outcome.legacy_fingerprints.drain(..));
    std::mem::take(&mut outcome.findings)
}

/// Parses, extracts and evaluates the files of one directory; with Terraform,
/// also evaluates it as a root module with the local modules it calls.
fn scan_chunk(
    chunk: &[Discovered],
    module_dirs: &ModuleDirs,
    charts: &Charts,
    reader: parsed::Reader,
    opts: &ScanOptions,
    rules: &RuleSet,
) -> ChunkResult {
    let (root, dir) = dir_key(opts, charts.units, &chunk[0]);
    let is_chart = charts.units.is_chart(root, dir);
    let overlays = &charts.units.overlays;
    // a chart's templates are rendered, not parsed on their own; nor are
    // the files a Kustomize build reads
    let mut unchecked_inputs = Vec::new();
    let names: std::collections::HashSet<&str> = chunk.iter().map(|d| d.rel.as_str()).collect();
    let tofu_override =
        |d: &Discovered| crate::discover::tofu_override(&d.rel, |p| names.contains(p));
    let mut loaded: Vec<Arc<Loaded>> = chunk
        .iter()
        .map(|d| {
            if is_chart && charts.units.claim(root, &d.rel).is_some() {
                Arc::new(Loaded::placeholder(d, FileKind::HelmTemplate))
            } else if let Some(claim) = overlays.claim(root, &d.rel) {
                match crate::unit_scan::kustomize::unchecked(&d.rel, claim) {
                    Some(s) => {
                        unchecked_inputs.push(s);
                        Arc::new(Loaded::placeholder(d, FileKind::Other))
                    }
                    None => {
                        let mut l = Loaded::placeholder(d, FileKind::KustomizeInput);
                        if let Some((lines, size)) = overlays.size(root, &d.rel) {
                            l.lines = lines;
                            l.size = size;
                        }
                        Arc::new(l)
                    }
                }
            } else if charts.units.pipelines.claims(root, &d.rel) {
                reader.load_as(d, FileKind::GitlabCi)
            } else if let Some(tofu) = tofu_override(d) {
                unchecked_inputs.push(overridden(&d.rel, &tofu));
                Arc::new(Loaded::placeholder(d, FileKind::Other))
            } else {
                reader.load(d)
            }
        })
        .collect();
    let overlay = overlays
        .checked(root, dir)
        .map(|b| crate::unit_scan::kustomize::scan(b, &opts.parse, &opts.eval, rules));
    let chart = match (is_chart, charts.tree) {
        (true, Some(tree)) => {
            let inputs = crate::unit_scan::ChartInputs {
                values: charts.values,
                set: &opts.helm.set,
                parse: &opts.parse,
                eval: &opts.eval,
            };
            let c = crate::unit_scan::scan_chart(dir, tree, &inputs, rules);
            for f in loaded
                .iter_mut()
                .filter(|f| f.kind == FileKind::HelmTemplate)
            {
                if let Some(&(lines, size)) = c.sizes.get(&f.rel) {
                    let f = Arc::make_mut(f);
                    f.lines = lines;
                    f.size = size;
                }
            }
            Some(c)
        }
        _ => None,
    };
    // CloudFormation: SAM's `Globals`, parameters, conditions and functions of
    // known values; ARM: parameters and variables of known values; and where
    // the values used were set (by file index)
    let cfn_origins: Vec<Vec<crate::document::Origin>> = loaded
        .iter_mut()
        .enumerate()
        .map(|(i, f)| {
            // a kept parse is copied here, not changed for the next scan
            if f.kind == FileKind::Cloudformation && f.error.is_none() {
                let docs = &mut Arc::make_mut(f).docs;
                // SAM's `Globals` first: their values are resolved with the rest
                extract::sam::apply_globals(docs);
                extract::cfn_values::resolve(docs, &opts.cloudformation, i)
            } else if f.kind == FileKind::Arm && f.error.is_none() {
                extract::arm_values::resolve(&mut Arc::make_mut(f).docs, i)
            } else {
                // GitLab CI: includes as maps, what jobs inherit merged in
                if f.kind == FileKind::GitlabCi && f.error.is_none() {
                    let pipelines = &charts.units.pipelines;
                    extract::gitlab_ci::resolve(&mut Arc::make_mut(f).docs, &|name| {
                        pipelines.template(root, name)
                    });
                }
                Vec::new()
            }
        })
        .collect();
    let loaded = loaded;
    let is_tf = |k: FileKind| matches!(k, FileKind::Terraform | FileKind::TerraformJson);
    let has_tf = loaded.iter().any(|f| is_tf(f.kind));
    // a terragrunt.hcl: the module it names is this directory's root module
    let repo_root = opts.repository && opts.roots.get(root).is_some_and(|r| r.is_dir);
    let tg = crate::unit_scan::terragrunt::evaluate(&loaded, &opts.parse, repo_root, &|rel| {
        let (d, _) = rel.rsplit_once('/').unwrap_or(("", rel));
        module_dirs
            .get(root, d)
            .and_then(|files| files.iter().find(|f| f.rel == rel))
    });
    let tg_module = tg.as_ref().and_then(|t| t.module(dir));
    // the modules it calls, directly or through others, by directory (from
    // parsed `module` blocks; files that did not parse call nothing)
    let own: Vec<(usize, &Loaded)> = loaded.iter().map(|f| &**f).enumerate().collect();
    let mut callees: Vec<(String, Vec<Arc<Loaded>>)> = Vec::new();
    let mut todo = if has_tf {
        crate::terraform::local_calls(&module_of(dir, &own))
    } else {
        Vec::new()
    };
    todo.extend(tg_module.clone());
    // the file functions read under the scanned root, from the root module's directory
    let file_access = opts.roots.get(root).and_then(|r| {
        let inside = match r.display_prefix.as_str() {
            "" => dir,
            p => dir.strip_prefix(p)?.trim_start_matches('/'),
        };
        let canonical = module_dirs.canonical_roots.get(root)?.as_deref()?;
        // open buffers are read as the chunk's own files are
        Some(
            crate::terraform::functions::Files::new(canonical, inside, opts.parse.max_file_size)
                .with_overlay(&r.path, opts.parse.overlay.clone()),
        )
    });
    let asked_by = file_access.clone();
    // the registry and git modules `terraform init` put on disk
    let downloaded = match (&file_access, has_tf && tg_module.is_none()) {
        (Some(f), true) => crate::terraform::downloaded::read(f, dir, root, &opts.parse),
        _ => Default::default(),
    };
    while let Some(t) = todo.pop() {
        if t == dir || callees.iter().any(|(d, _)| *d == t) {
            continue;
        }
        let Some(files) = module_dirs.get(root, &t) else {
            continue;
        };
        let names: std::collections::HashSet<&str> = files.iter().map(|d| d.rel.as_str()).collect();
        let files: Vec<Arc<Loaded>> = files
            .iter()
            .filter(|f| {
                matches!(
                    classify_name(&f.rel),
                    NameClass::Known(FileKind::Terraform | FileKind::TerraformJson)
                ) && crate::discover::tofu_override(&f.rel, |p| names.contains(p)).is_none()
            })
            .map(|f| reader.load_module(f))
            .collect();
        let indexed: Vec<(usize, &Loaded)> = files.iter().map(|f| &**f).enumerate().collect();
        todo.extend(crate::terraform::local_calls(&module_of(&t, &indexed)));
        callees.push((t, files));
    }
    let crate::terraform::downloaded::Downloaded {
        keys: downloaded_keys,
        dirs: downloaded_dirs,
        notices: downloaded_notices,
    } = downloaded;
    callees.extend(
        downloaded_dirs
            .into_iter()
            .map(|(d, files)| (d, files.into_iter().map(Arc::new).collect())),
    );
    callees.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all: Vec<&Loaded> = loaded.iter().map(|f| &**f).collect();
    let tg_files = tg.as_ref().map_or(&[][..], |t| &t.files[..]);
    all.extend(tg_files.iter());
    for (_, files) in &callees {
        all.extend(files.iter().map(|f| &**f));
    }
    let files: Vec<FileRef> = all
        .iter()
        .map(|f| FileRef {
            rel: &f.rel,
            text: f.text.as_ref(),
        })
        .collect();
    // the directory's own resources, whoever calls it
    let mut resources: Vec<Resource> = Vec::new();
    for (i, f) in loaded.iter().enumerate() {
        if f.error.is_some() {
            continue;
        }
        if is_tf(f.kind) {
            extract::terraform_files(&f.docs, i, i, &mut resources);
        } else {
            let first = resources.len();
            extract::extract(f.kind, &f.docs, i, i, &mut resources);
            if !cfn_origins[i].is_empty() {
                resources[first..]
                    .iter_mut()
                    .for_each(|r| r.origins = &cfn_origins[i]);
            }
        }
    }
    // the provider versions the lock file or `required_providers` name,
    // for this directory's resources and, as a root, every module it calls
    let providers = if has_tf {
        crate::terraform::providers::read(
            file_access.as_ref(),
            &module_of(dir, &own),
            &opts.parse.limits,
        )
    } else {
        Default::default()
    };
    let mut outcome = reader.own_outcome((root, dir), &loaded, &providers, || {
        evaluate::evaluate(
            &resources,
            &files,
            HashMap::new(),
            providers.clone(),
            &[],
            rules,
            &opts.eval,
        )
    });
    let tg_root = tg_module
        .as_ref()
        .filter(|m| callees.iter().any(|(d, _)| d == *m));
    // what this chunk read outside its own files (the cache's dependencies)
    let mut reads = Reads {
        dirs: std::iter::once(dir.to_string())
            .chain(callees.iter().map(|(d, _)| d.clone()))
            .collect(),
        under: tg_files.iter().map(|f| f.rel.clone()).collect(),
    };
    if is_chart {
        reads.under.push(dir.to_string());
    }
    // a built overlay read its bases, patches and generated files
    if let Some(b) = overlays.checked(root, dir) {
        reads
            .under
            .extend(crate::unit_scan::kustomize::depends(b).map(str::to_string));
    }
    if has_tf {
        reads.under.push(match dir {
            "" => ".terraform".to_string(),
            d => format!("{d}/.terraform"),
        });
    }
    let as_root = (has_tf && tg_module.is_none() || tg_root.is_some()).then(|| {
        let mut root_module = module_of(dir, &own);
        let mut modules = HashMap::new();
        let mut next = loaded.len() + tg_files.len();
        for (d, files) in &callees {
            let indexed: Vec<(usize, &Loaded)> = files
                .iter()
                .enumerate()
                .map(|(i, f)| (next + i, &**f))
                .collect();
            next += files.len();
            if Some(d) == tg_root {
                // Terragrunt copies the configuration's directory into the
                // module's before running: `.tf` files beside terragrunt.hcl
                // are part of the root module, replacing a module file of
                // the same name
                let beside: Vec<(usize, &Loaded)> =
                    own.iter().copied().filter(|(_, f)| is_tf(f.kind)).collect();
                let name = |f: &Loaded| f.rel.rsplit('/').next().unwrap_or("").to_string();
                let replaced: std::collections::HashSet<String> =
                    beside.iter().map(|(_, f)| name(f)).collect();
                let mut combined: Vec<(usize, &Loaded)> = indexed
                    .iter()
                    .copied()
                    .filter(|(_, f)| !replaced.contains(&name(f)))
                    .collect();
                combined.extend(beside);
                root_module = module_of(d, &combined);
            }
            modules.insert(d.clone(), module_of(d, &indexed));
        }
        let mut inputs =
            crate::terraform::root_inputs(chunk, &opts.terraform, &opts.parse, all.len(), &|p| {
                var_file_in_scan(opts, root, p)
            });
        reads
            .under
            .extend(inputs.files.iter().map(|v| v.rel.clone()));
        if let Some(t) = &tg {
            t.add_inputs(&mut inputs.values, &all);
        }
        let mut tf_out = crate::terraform::evaluate_root(
            &root_module,
            &modules,
            inputs.values,
            file_access,
            downloaded_keys,
        );
        if let (Some(t), Some(m)) = (&tg, tg_root) {
            t.called_from(&mut tf_out, m, loaded.len());
        }
        // the variable files read: findings whose values were set there point into them
        let mut files: Vec<FileRef> = files.clone();
        files.extend(inputs.files.iter().map(|v| FileRef {
            rel: &v.rel,
            text: Some(&v.text),
        }));
        let directives = inputs
            .files
            .iter()
            .flat_map(|v| {
                let kind = if v.json {
                    FileKind::TerraformJson
                } else {
                    FileKind::Terraform
                };
                suppress::directives(&v.rel, kind, &v.text, std::slice::from_ref(&v.doc))
            })
            .collect();
        // evaluated Terraform resources: one scope per module instance
        let scope_base = all.len() + 1;
        let tf_resources: Vec<Resource> = tf_out
            .resources
            .iter()
            .map(|r| Resource {
                target: r.target,
                ty: r.ty.clone(),
                address: r.address.clone(),
                file: Some(r.file),
                body: &r.body,
                header: r.header,
                scope: scope_base + r.instance,
                related: r.related.clone(),
                namespace: None,
                labels: None,
                origins: &tf_out.origins[r.instance],
            })
            .collect();
        let outcome = evaluate::evaluate(
            &tf_resources,
            &files,
            HashMap::new(),
            providers,
            &[],
            rules,
            &opts.eval,
        );
        let mut notices = inputs.notices;
        if let Some(t) = &tg {
            notices.extend(t.notices(&all));
        }
        notices.extend(downloaded_notices.iter().map(|m| Notice {
            path: dir.to_string(),
            message: m.clone(),
        }));
        notices.extend(tf_out.diagnostics.iter().map(|(file, span, message)| {
            let f = all[*file];
            let loc = f
                .text
                .as_ref()
                .map(|t| locate_span(&LineIndex::new(t), t, *span))
                .unwrap_or_default();
            Notice {
                path: f.rel.clone(),
                message: format!("{}:{}: {message}", loc.start_line, loc.start_column),
            }
        }));
        RootModule {
            outcome,
            resources: tf_resources.len(),
            unknown: tf_out.unknown,
            remote: tf_out.remote.iter().cloned().collect(),
            notices,
            called: tf_out.called.iter().cloned().collect(),
            directives,
        }
    });

    if let Some(f) = asked_by {
        let prefix = opts
            .roots
            .get(root)
            .map_or("", |r| r.display_prefix.as_str());
        reads
            .under
            .extend(f.asked().into_iter().map(|p| match (prefix, p.as_str()) {
                ("", _) => p,
                (_, "") => prefix.to_string(),
                _ => format!("{prefix}/{p}"),
            }));
    }
    let mut errors = Vec::new();
    let mut skipped = unchecked_inputs;
    let mut notices = Vec::new();
    if let Some(t) = &tg {
        skipped.extend(t.not_evaluated(has_tf, tg_root.is_some()));
        if as_root.is_none() {
            notices.extend(t.notices(&all));
        }
    }
    let mut directives = Vec::new();
    let mut policies = Vec::new();
    for f in &loaded {
        if let (FileKind::PolicyDocument, None, Some(doc)) = (f.kind, &f.error, f.docs.first()) {
            policies.push(extract::policy_facts(&f.rel, doc));
        }
        if let Some(t) = &f.text {
            directives.extend(suppress::directives(&f.rel, f.kind, t, &f.docs));
        }
        if let Some(s) = &f.skipped {
            skipped.push(s.clone());
        }
        if let Some(e) = &f.error {
            let loc = f
                .text
                .as_ref()
                .map(|t| locate_span(&LineIndex::new(t), t, e.span))
                .unwrap_or(Location {
                    start_line: 1,
                    start_column: 1,
                    end_line: 1,
                    end_column: 1,
                });
            errors.push(FileError {
                path: f.rel.clone(),
                span: f.text.as_ref().map(|_| e.span),
                line: loc.start_line as usize,
                column: loc.start_column as usize,
                message: e.message.clone(),
                status: Status::default(),
            });
            if let (Some(t), true) = (&f.text, opts.eval.keep_texts) {
                outcome.texts.push((f.rel.clone(), Arc::clone(t)));
            }
        }
    }
    ChunkResult {
        as_root,
        chart: chart.map(Box::new),
        overlay: overlay.map(Box::new),
        files: loaded.iter().map(|f| (f.kind, f.lines, f.size)).collect(),
        outcome,
        errors,
        skipped,
        notices,
        directives,
        resources: resources
            .iter()
            .filter(|r| !extract::is_file_view(r))
            .count(),
        policies,
        reads,
    }
}

/// Where a `--var-file` is in the scan: its path as findings name files,
/// when it lies under the chunk's root directory (links resolved).
fn var_file_in_scan(opts: &ScanOptions, root: usize, path: &std::path::Path) -> Option<String> {
    let r = opts.roots.get(root).filter(|r| r.is_dir)?;
    let base = std::fs::canonicalize(&r.path).ok()?;
    let file = std::fs::canonicalize(path).ok()?;
    let rel = crate::discover::normalise(file.strip_prefix(&base).ok()?);
    Some(match r.display_prefix.as_str() {
        "" => rel,
        p => format!("{p}/{rel}"),
    })
}

fn module_of<'a>(d: &str, files: &[(usize, &'a Loaded)]) -> crate::terraform::ModuleDir<'a> {
    crate::terraform::ModuleDir {
        dir: d.to_string(),
        files: files
            .iter()
            .filter(|(_, f)| {
                f.error.is_none() && matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson)
            })
            .filter_map(|(i, f)| {
                Some(crate::terraform::FileSrc {
                    idx: *i,
                    doc: f.docs.first()?,
                    text: f.text.as_deref()?,
                    json: f.kind == FileKind::TerraformJson,
                })
            })
            .collect(),
    }
}

/// What the repository-wide resource is made of.
struct RepositoryInput<'r> {
    /// The scan is of a repository's root: the `repository` resource exists.
    whole: bool,
    /// Every path found, sorted (for `file_exists`/`file_absent`).
    files: &'r [String],
    /// The policy documents found ([`extract::policy_facts`]).
    policies: Vec<Node>,
}

/// One `file` resource per file found, and, for a repository's root, the
/// `repository` resource for rules on what must (not) exist.
fn scan_repository(
    found: &[Discovered],
    kinds: &[(FileKind, u64)],
    repo: RepositoryInput,
    opts: &ScanOptions,
    rules: &RuleSet,
) -> (ChunkOutcome, usize) {
    let files_and_kinds: Vec<(&Discovered, &(FileKind, u64))> = found.iter().zip(kinds).collect();
    let facts: Vec<Node> = crate::parallel::map(&files_and_kinds, |(d, (kind, size))| {
        file_facts(&d.rel, *size, kind.name())
    });
    let repo_body = extract::repository_facts(repo.policies);
    let scope = 0;
    let mut resources: Vec<Resource> = facts
        .iter()
        .zip(found)
        .enumerate()
        .map(|(i, (body, d))| Resource {
            target: Target::Repository,
            ty: "file".into(),
            address: d.rel.clone(),
            file: Some(i),
            body,
            header: Span::default(),
            scope,
            related: Vec::new(),
            namespace: None,
            labels: None,
            origins: &[],
        })
        .collect();
    if repo.whole {
        resources.push(Resource {
            target: Target::Repository,
            ty: "repository".into(),
            address: "repository".into(),
            file: None,
            body: &repo_body,
            header: Span::default(),
            scope,
            related: Vec::new(),
            namespace: None,
            labels: None,
            origins: &[],
        });
    }
    let resource_count = resources.len();
    let files: Vec<FileRef> = found
        .iter()
        .map(|d| FileRef {
            rel: &d.rel,
            text: None,
        })
        .collect();
    let outcome = evaluate::evaluate(
        &resources,
        &files,
        HashMap::new(),
        Default::default(),
        repo.files,
        rules,
        &opts.eval,
    );
    (outcome, resource_count)
}

/// `check --plan`: the plan's resources against the Terraform rules; a finding
/// moves to the resource's block in the source under `source_root` when it is
/// there (the attribute the plan value came from, else the block's header),
/// else it stays in the plan file.
pub fn scan_plan(
    plan_path: &std::path::Path,
    plan_rel: &str,
    source_root: &std::path::Path,
    opts: &ScanOptions,
    rules: &RuleSet,
) -> Result<ScanResult, String> {
    use crate::terraform::plan;
    let started = Instant::now();
    let text: Arc<str> = std::fs::read_to_string(plan_path)
        .map_err(|e| format!("cannot read {}: {e}", plan_path.display()))?
        .into();
    let doc = crate::document::json::parse(&text, &opts.parse.limits)
        .map_err(|e| format!("{} is not valid JSON: {e}", plan_path.display()))?;
    let planned = plan::resources(&doc);
    let resources: Vec<Resource> = planned
        .iter()
        .map(|r| Resource {
            target: Target::Terraform,
            ty: r.ty.clone(),
            address: r.address.clone(),
            file: Some(0),
            body: &r.body,
            header: r.header,
            scope: 0,
            related: Vec::new(),
            namespace: None,
            labels: None,
            origins: &[],
        })
        .collect();
    let files = [FileRef {
        rel: plan_rel,
        text: Some(&text),
    }];
    let mut outcome = evaluate::evaluate(
        &resources,
        &files,
        HashMap::new(),
        Default::default(),
        &[],
        rules,
        &opts.eval,
    );
    // the plan is the whole scan: relations across it are answered here
    Deferred::settle(&mut outcome, rules);

    // source files per module directory: (rel, text, document)
    let mut sources: HashMap<String, Vec<(String, Arc<str>, Node)>> = HashMap::new();
    let load_dir = |dir: &str| -> Vec<(String, Arc<str>, Node)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(source_root.join(dir)) else {
            return out;
        };
        let mut paths: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        paths.sort();
        for p in paths {
            let Ok(t) = std::fs::read_to_string(&p) else {
                continue;
            };
            let Ok(node) = crate::document::hcl::parse(&t, &opts.parse.limits) else {
                continue;
            };
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            out.push((rel, Arc::from(t), node));
        }
        out
    };
    let mut texts: Vec<(String, Arc<str>)> = Vec::new();
    for f in &mut outcome.findings {
        let Some(r) = planned.iter().find(|r| *r.address == *f.resource) else {
            continue;
        };
        let Some(dir) = plan::module_dir(&doc, &r.modules) else {
            continue;
        };
        let files = sources.entry(dir.clone()).or_insert_with(|| load_dir(&dir));
        let (block, kind) = match r.local.strip_prefix("data.") {
            Some(rest) => (rest, "data"),
            None => (r.local.as_str(), "resource"),
        };
        let Some((ty, name)) = block.split_once('.') else {
            continue;
        };
        for (rel, stext, node) in files.iter() {
            let found = node
                .as_map()
                .unwrap_or(&[])
                .iter()
                .filter(|e| e.key == kind)
                .find_map(|e| {
                    let by_type = e.value.entry(ty)?;
                    let by_name = by_type.value.entry(name)?;
                    Some((e.key_span.join(by_name.key_span), &by_name.value))
                });
            let Some((header, body)) = found else {
                continue;
            };
            let span = f
                .span()
                .and_then(|s| plan::path_to(&r.body, s))
                .and_then(|p| plan::source_span(body, &p))
                .unwrap_or(header);
            f.relocate(Arc::from(rel.as_str()));
            f.set_span(Some(span));
            f.location = locate_span(&LineIndex::new(stext), stext, span);
            if opts.eval.keep_texts {
                texts.push((rel.clone(), Arc::clone(stext)));
            }
            break;
        }
    }
    outcome.texts.extend(texts);
    let mut result = ScanResult {
        rules_active: rules.rules.len(),
        files_scanned: 1,
        lines_scanned: text.lines().count(),
        resources: resources.len(),
        ..ScanResult::default()
    };
    let mut verdicts = vec![[0usize; 3]; rules.rules.len()];
    let mut deferred = Deferred::default();
    let mut unknowns: Vec<UnknownUse> = Vec::new();
    let totals = (&mut verdicts[..], &mut deferred, &mut unknowns);
    result.findings = merge(&mut result, totals, &mut outcome);
    result.unknowns = crate::unknowns::summarise(unknowns, rules);
    result.unknown_attributes = planned.iter().map(|r| count_unknown(&r.body)).sum();
    result.stats = rules
        .rules
        .iter()
        .zip(verdicts)
        .map(|(r, [passed, failed, skipped])| {
            (
                r.meta.id.clone(),
                RuleStats {
                    passed,
                    failed,
                    skipped,
                },
            )
        })
        .collect();
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result.elapsed = started.elapsed();
    Ok(result)
}

fn count_unknown(n: &Node) -> usize {
    match &n.value {
        crate::document::Value::Expr(_) => 1,
        crate::document::Value::List(items) => items.iter().map(count_unknown).sum(),
        crate::document::Value::Map(entries) => {
            entries.iter().map(|e| count_unknown(&e.value)).sum()
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::join_sorted;
    use crate::filter::suppress::{meta_finding, INVALID};
    use crate::finding::Finding;

    fn at(path: &str, line: usize, subject: &str) -> Finding {
        meta_finding(
            INVALID,
            path,
            line,
            1,
            subject,
            format!("{subject} at {line}"),
        )
    }

    fn joined(parts: &[Vec<Finding>], order: &[usize]) -> Vec<(String, usize, String)> {
        order
            .iter()
            .flat_map(|&i| &parts[i])
            .map(|f| {
                let line = f.location.start_line as usize;
                (f.path.to_string(), line, f.message().into_owned())
            })
            .collect()
    }

    /// Findings equal but for their rendered sites become the first of
    /// them with every rendered site; the others keep their place and order.
    #[test]
    fn renderings_of_one_place_merge_in_place() {
        use crate::finding::{merge_renderings, Location, Role, Site};
        let rendered = |f: &mut Finding, at: &str| {
            f.related.push(Site {
                path: at.into(),
                span: None,
                location: Location::default(),
                role: Role::Rendered,
                note: String::new(),
            })
        };
        let base = || meta_finding(INVALID, "base/d.yaml", 3, 1, "d", "m".into());
        let mut a = base();
        rendered(&mut a, "overlay-a");
        let other = meta_finding(INVALID, "base/d.yaml", 7, 1, "d", "n".into());
        let mut b = base();
        rendered(&mut b, "overlay-b");
        let mut again = base();
        rendered(&mut again, "overlay-a");
        let plain = meta_finding(INVALID, "z.tf", 1, 1, "r", "p".into());
        let mut findings = vec![a, other, b, again, plain];
        merge_renderings(&mut findings);
        let shown: Vec<(usize, Vec<&str>)> = findings
            .iter()
            .map(|f| {
                let sites = f.related.iter().map(|s| &*s.path).collect();
                (f.location.start_line as usize, sites)
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                (3, vec!["overlay-a", "overlay-b"]),
                (7, vec![]),
                (1, vec![]),
            ]
        );
        // nothing rendered: left as it is
        let mut plain = vec![meta_finding(INVALID, "z.tf", 1, 1, "r", "p".into())];
        merge_renderings(&mut plain);
        assert_eq!(plain.len(), 1);
    }

    /// Parts that follow one another are joined by their first findings;
    /// parts that overlap keep their order (the final stable sort decides).
    #[test]
    fn parts_join_as_a_stable_sort_of_their_concatenation() {
        let same = |m: &str| meta_finding(INVALID, "m/main.tf", 5, 1, "module", m.into());
        let parts = vec![
            vec![at("b/x.tf", 1, "r"), at("b/x.tf", 9, "r")],
            vec![],
            vec![at(".", 1, "repo")],
            vec![at("a/y.tf", 3, "r"), at("a/z.tf", 2, "r")],
            // a directory's files and its subdirectory's interleave
            vec![at("b/a/k.tf", 4, "sub")],
            // the same place found by two parts (a module seen from two
            // callers): the earlier part's first, as a stable sort keeps them
            vec![same("caller a"), at("n/x.tf", 1, "n")],
            vec![at("a/z.tf", 1, "r"), same("caller b")],
        ];
        let mut concatenated: Vec<Finding> = parts.concat();
        concatenated.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let want = joined(&[concatenated], &[0]);
        let got = join_sorted(parts);
        assert_eq!(joined(&[got], &[0]), want);
        assert_eq!(want[7].2, "caller a");
        assert_eq!(want[8].2, "caller b");
        assert!(join_sorted(Vec::new()).is_empty());
    }
}
