//! The pipeline: discover → parse → extract → evaluate, with a deterministic
//! result (sorted, whatever the thread count).
//!
//! Work is cut into chunks of one directory each: resources see each other only
//! within a Terraform module (a directory) or a file, so a chunk is parsed,
//! evaluated and dropped on its own thread, and memory follows the largest
//! directory rather than the whole repository. The repository-level resources
//! (each file's facts, the repository) form one last chunk.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use globset::GlobSet;
use rayon::prelude::*;

use crate::discover::{self, Discovered, FileKind, Root};
use crate::document::{Limits, LineIndex, Node, Span};
use crate::evaluate::{self, locate_span, ChunkOutcome, FileRef};
use crate::extract::{self, file_facts, Resource};
use crate::filter::suppress;
use crate::finding::{Directive, FileError, Location, Notice, RuleStats, ScanResult};
use crate::parse::{self, Loaded};
use crate::rules::{RuleSet, Target};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<Root>,
    pub exclude: GlobSet,
    pub max_file_size: u64,
    pub limits: Limits,
    pub threads: usize,
    /// Days since 1970-01-01 taken as today (for review-date rules).
    pub today: i64,
    /// Keep the text of files with findings (the human report shows snippets);
    /// without it memory stays flat however many files have findings.
    pub keep_texts: bool,
}

/// What a directory chunk hands back once its documents are dropped.
struct ChunkResult {
    outcome: ChunkOutcome,
    /// (rel, kind, lines) per file, for the summary and the file facts.
    files: Vec<(String, FileKind, usize)>,
    errors: Vec<FileError>,
    notices: Vec<Notice>,
    directives: Vec<Directive>,
    resources: usize,
}

pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> ScanResult {
    let started = Instant::now();
    let (mut found, problems) = discover::discover(&opts.roots, &opts.exclude, opts.threads);
    // a directory's files together, even when a subdirectory sorts between them
    found.sort_by(|a, b| {
        dir_key(opts, a)
            .cmp(&dir_key(opts, b))
            .then_with(|| a.rel.cmp(&b.rel))
    });
    let mut chunks: Vec<&[Discovered]> = Vec::new();
    let mut start = 0;
    for i in 1..=found.len() {
        if i == found.len() || dir_key(opts, &found[i]) != dir_key(opts, &found[start]) {
            chunks.push(&found[start..i]);
            start = i;
        }
    }
    let results: Vec<ChunkResult> = chunks
        .par_iter()
        .map(|c| scan_chunk(c, opts, rules))
        .collect();

    let mut result = ScanResult {
        rules_active: rules.rules.len(),
        ..ScanResult::default()
    };
    let mut verdicts = vec![[0usize; 3]; rules.rules.len()];
    let mut kinds: HashMap<&str, FileKind> = HashMap::new();
    for r in &results {
        merge(&mut result, &mut verdicts, &r.outcome);
        for (rel, kind, lines) in &r.files {
            kinds.insert(rel, *kind);
            if *kind != FileKind::Other {
                result.files_scanned += 1;
                result.lines_scanned += lines;
            }
        }
        result.resources += r.resources;
        result.errors.extend(r.errors.iter().cloned());
        result.directives.extend(r.directives.iter().cloned());
        result.notices.extend(r.notices.iter().cloned());
    }
    if opts.roots.len() == 1 && opts.roots[0].is_dir {
        let repo = scan_repository(&found, &kinds, opts, rules, &mut result.resources);
        merge(&mut result, &mut verdicts, &repo);
    }
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
    result.notices.extend(
        problems
            .into_iter()
            .map(|(path, message)| Notice { path, message }),
    );
    result.notices.sort();
    result.errors.sort();
    result.directives.sort();
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    result.elapsed = started.elapsed();
    result
}

/// The chunk a file belongs to: its directory under its root. Files named one
/// by one (`check a.tf b.tf`) share one pseudo-root, so a module's files named
/// separately still form one module.
fn dir_key<'a>(opts: &ScanOptions, d: &'a Discovered) -> (usize, &'a str) {
    let root = if opts.roots.get(d.root).is_some_and(|r| r.is_dir) {
        d.root
    } else {
        usize::MAX
    };
    (
        root,
        d.rel.rsplit_once('/').map(|(dir, _)| dir).unwrap_or(""),
    )
}

fn merge(result: &mut ScanResult, verdicts: &mut [[usize; 3]], outcome: &ChunkOutcome) {
    result.findings.extend(outcome.findings.iter().cloned());
    for (total, v) in verdicts.iter_mut().zip(&outcome.verdicts) {
        for k in 0..3 {
            total[k] += v[k];
        }
    }
    for (rel, text) in &outcome.texts {
        result
            .texts
            .entry(rel.clone())
            .or_insert_with(|| Arc::clone(text));
    }
}

/// Parses, extracts and evaluates the files of one directory.
fn scan_chunk(chunk: &[Discovered], opts: &ScanOptions, rules: &RuleSet) -> ChunkResult {
    let loaded: Vec<Loaded> = chunk.iter().map(|d| parse::load(d, opts)).collect();
    // one scope for the directory's Terraform files (a module), one per other file
    let module_scope = loaded.len();
    let scope_of = |i: usize, f: &Loaded| match f.kind {
        FileKind::Terraform | FileKind::TerraformJson => module_scope,
        _ => i,
    };
    let mut resources: Vec<Resource> = Vec::new();
    let mut vars: HashMap<usize, HashMap<&str, &Node>> = HashMap::new();
    for (i, f) in loaded.iter().enumerate() {
        if f.error.is_some() {
            continue;
        }
        extract::extract(f.kind, &f.docs, i, scope_of(i, f), &mut resources);
        if matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson) {
            for doc in &f.docs {
                vars.entry(module_scope)
                    .or_default()
                    .extend(extract::terraform::variables(doc));
            }
        }
    }
    let files: Vec<FileRef> = loaded
        .iter()
        .map(|f| FileRef {
            rel: &f.rel,
            text: f.text.as_ref(),
        })
        .collect();
    let mut outcome = evaluate::evaluate(&resources, &files, vars, &[], rules, opts);

    let mut errors = Vec::new();
    let mut notices = Vec::new();
    let mut directives = Vec::new();
    for f in &loaded {
        if let Some(t) = &f.text {
            directives.extend(suppress::directives(&f.rel, f.kind, t));
        }
        if let Some(n) = &f.notice {
            notices.push(Notice {
                path: f.rel.clone(),
                message: n.clone(),
            });
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
                line: loc.start_line,
                column: loc.start_column,
                message: e.message.clone(),
            });
            if let (Some(t), true) = (&f.text, opts.keep_texts) {
                outcome.texts.push((f.rel.clone(), Arc::clone(t)));
            }
        }
    }
    ChunkResult {
        files: loaded
            .iter()
            .map(|f| (f.rel.clone(), f.kind, f.lines))
            .collect(),
        outcome,
        errors,
        notices,
        directives,
        resources: resources.len(),
    }
}

/// The repository as a whole: one `file` resource per file found, and the
/// `repository` resource for rules on what must (not) exist.
fn scan_repository(
    found: &[Discovered],
    kinds: &HashMap<&str, FileKind>,
    opts: &ScanOptions,
    rules: &RuleSet,
    resource_count: &mut usize,
) -> ChunkOutcome {
    let facts: Vec<Node> = found
        .iter()
        .map(|d| {
            file_facts(
                &d.rel,
                d.size,
                kinds
                    .get(d.rel.as_str())
                    .copied()
                    .unwrap_or(FileKind::Other)
                    .name(),
            )
        })
        .collect();
    let repo_body = Node::map(Vec::new(), Span::default());
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
        })
        .collect();
    resources.push(Resource {
        target: Target::Repository,
        ty: "repository".into(),
        address: "repository".into(),
        file: None,
        body: &repo_body,
        header: Span::default(),
        scope,
    });
    *resource_count += resources.len();
    let repo_files: Vec<String> = found.iter().map(|d| d.rel.clone()).collect();
    let files: Vec<FileRef> = found
        .iter()
        .map(|d| FileRef {
            rel: &d.rel,
            text: None,
        })
        .collect();
    evaluate::evaluate(&resources, &files, HashMap::new(), &repo_files, rules, opts)
}
