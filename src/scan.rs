//! The pipeline: discover → parse → extract → evaluate, in parallel, with a
//! deterministic result (sorted, whatever the thread count).
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use globset::GlobSet;
use rayon::prelude::*;

use crate::discover::{self, classify_name, Discovered, FileKind, NameClass, Root};
use crate::document::{self, Limits, LineIndex, Node, ParseError, Span};
use crate::extract::{self, file_facts, Resource};
use crate::finding::{FileError, Finding, Location, Notice, RuleStats, ScanResult};
use crate::rules::eval::{header_span, Context, Verdict};
use crate::rules::{Rule, RuleSet};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<Root>,
    pub exclude: GlobSet,
    pub max_file_size: u64,
    pub limits: Limits,
    pub threads: usize,
    /// Days since 1970-01-01 taken as today (for review-date rules).
    pub today: i64,
}

/// One file after parsing.
struct Loaded {
    rel: String,
    root: usize,
    kind: FileKind,
    text: Option<Arc<str>>,
    docs: Vec<Node>,
    facts: Node,
    lines: usize,
    error: Option<ParseError>,
    notice: Option<String>,
}

pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> ScanResult {
    let started = Instant::now();
    let (found, problems) = discover::discover(&opts.roots, &opts.exclude, opts.threads);
    let loaded: Vec<Loaded> = found.par_iter().map(|d| load(d, opts)).collect();
    let mut result = evaluate(&loaded, opts, rules);
    result.notices.extend(
        problems
            .into_iter()
            .map(|(path, message)| Notice { path, message }),
    );
    result.notices.sort();
    result.elapsed = started.elapsed();
    result
}

fn load(d: &Discovered, opts: &ScanOptions) -> Loaded {
    let class = classify_name(&d.rel);
    let mut out = Loaded {
        rel: d.rel.clone(),
        root: d.root,
        kind: FileKind::Other,
        text: None,
        docs: Vec::new(),
        facts: Node::null(Span::default()),
        lines: 0,
        error: None,
        notice: None,
    };
    let known = matches!(class, NameClass::Known(_));
    if class != NameClass::Other {
        if d.size > opts.max_file_size {
            out.notice = Some(format!(
                "skipped: {} bytes is over the {} byte limit (--max-file-size)",
                d.size, opts.max_file_size
            ));
        } else {
            match std::fs::read(&d.path) {
                Err(e) if known => {
                    out.error = Some(ParseError::new(
                        Span::default(),
                        format!("cannot read: {e}"),
                    ))
                }
                Err(_) => {}
                Ok(bytes) => parse_bytes(bytes, class, opts, &mut out),
            }
        }
    }
    out.facts = file_facts(&out.rel, d.size, out.kind.name());
    out
}

fn parse_bytes(bytes: Vec<u8>, class: NameClass, opts: &ScanOptions, out: &mut Loaded) {
    let known = match class {
        NameClass::Known(k) => Some(k),
        _ => None,
    };
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        if let Some(k) = known {
            out.kind = k;
            out.error = Some(ParseError::new(
                Span::default(),
                "binary file (contains NUL bytes); not scanned",
            ));
        }
        return;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            if let Some(k) = known {
                let at = e.utf8_error().valid_up_to();
                out.kind = k;
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                out.text = Some(Arc::from(&lossy[..at.min(lossy.len())]));
                out.error = Some(ParseError::new(
                    Span::new(at, at),
                    "invalid UTF-8; not scanned",
                ));
            }
            return;
        }
    };
    // a byte-order mark is not content; blank it so spans stay file offsets
    let text: Arc<str> = Arc::from(text);
    let body: &str = text
        .strip_prefix('\u{feff}')
        .map(|_| &text[3..])
        .unwrap_or(&text);
    let offset = text.len() - body.len();
    out.lines = text.bytes().filter(|&b| b == b'\n').count()
        + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let limits = &opts.limits;
    let parsed: Option<(FileKind, Result<Vec<Node>, ParseError>)> = match class {
        NameClass::Known(k) => Some((k, parse_as(k, body, limits))),
        NameClass::Yaml => sniff_yaml(body).map(|k| (k, document::yaml::parse(body, limits))),
        NameClass::Json => {
            sniff_json(body).map(|k| (k, document::json::parse(body, limits).map(|n| vec![n])))
        }
        NameClass::Markdown => (body.starts_with("---")).then(|| {
            (
                FileKind::PolicyDocument,
                document::markdown::parse(body, limits).map(|n| vec![n]),
            )
        }),
        NameClass::Other => None,
    };
    let Some((kind, result)) = parsed else { return };
    out.text = Some(text.clone());
    match result {
        Err(mut e) => {
            out.kind = kind;
            // an error at the very end points at the last character, so it can be shown
            let start = (e.span.start + offset).min(text.len().saturating_sub(1));
            let end = (e.span.end + offset).clamp(start, text.len());
            e.span = Span::new(start, end.max((start + 1).min(text.len())));
            while !text.is_char_boundary(e.span.start) {
                e.span.start -= 1;
            }
            while !text.is_char_boundary(e.span.end) {
                e.span.end += 1;
            }
            out.error = Some(e);
        }
        Ok(mut docs) => {
            if offset > 0 {
                docs.iter_mut().for_each(|d| d.shift(offset));
            }
            out.kind = match kind {
                FileKind::Kubernetes | FileKind::Cloudformation | FileKind::Iam => {
                    refine(kind, &mut docs)
                }
                k => k,
            };
            out.docs = docs;
        }
    }
}

fn parse_as(kind: FileKind, text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    match kind {
        FileKind::Terraform => document::hcl::parse(text, limits).map(|n| vec![n]),
        FileKind::TerraformJson | FileKind::Iam => {
            document::json::parse(text, limits).map(|n| vec![n])
        }
        FileKind::Dockerfile => document::dockerfile::parse(text, limits).map(|n| vec![n]),
        FileKind::PolicyDocument => document::markdown::parse(text, limits).map(|n| vec![n]),
        _ => document::yaml::parse(text, limits),
    }
}

/// A YAML file worth parsing: CloudFormation or Kubernetes by its words.
fn sniff_yaml(text: &str) -> Option<FileKind> {
    if text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
    {
        Some(FileKind::Cloudformation)
    } else if text.contains("apiVersion") && text.contains("kind") && !text.contains("{{") {
        Some(FileKind::Kubernetes)
    } else {
        None
    }
}

fn sniff_json(text: &str) -> Option<FileKind> {
    if text.contains("AWSTemplateFormatVersion")
        || (text.contains("\"Resources\"") && text.contains("AWS::"))
    {
        Some(FileKind::Cloudformation)
    } else if text.contains("\"Statement\"") && text.contains("\"Version\"") {
        Some(FileKind::Iam)
    } else {
        None
    }
}

fn is_cloudformation(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc
            .get("Resources")
            .and_then(Node::as_map)
            .is_some_and(|rs| {
                rs.iter().any(|r| {
                    r.value
                        .get("Type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.starts_with("AWS::"))
                })
            })
}

/// Decides the kind from parsed content; keeps only documents of that kind.
fn refine(sniffed: FileKind, docs: &mut Vec<Node>) -> FileKind {
    if docs.iter().any(is_cloudformation) {
        docs.retain(is_cloudformation);
        return FileKind::Cloudformation;
    }
    if sniffed == FileKind::Iam || sniffed == FileKind::Cloudformation {
        let is_policy = |d: &Node| d.get("Statement").is_some() && d.get("Version").is_some();
        if docs.iter().any(is_policy) {
            docs.retain(is_policy);
            return FileKind::Iam;
        }
    }
    docs.retain(|d| d.get("apiVersion").is_some() && d.get("kind").is_some());
    if docs.is_empty() {
        FileKind::Other
    } else {
        FileKind::Kubernetes
    }
}

fn evaluate(loaded: &[Loaded], opts: &ScanOptions, rules: &RuleSet) -> ScanResult {
    // scopes: a Terraform module is its directory; anything else is its file
    let mut scope_ids: HashMap<(usize, &str), usize> = HashMap::new();
    let mut scopes = Vec::with_capacity(loaded.len());
    for (i, f) in loaded.iter().enumerate() {
        let scope = if matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson) {
            let dir = f.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let next = loaded.len() + scope_ids.len();
            *scope_ids.entry((f.root, dir)).or_insert(next)
        } else {
            i
        };
        scopes.push(scope);
    }
    let repo_scope = loaded.len() + scope_ids.len();
    let single_dir_root = opts.roots.len() == 1 && opts.roots[0].is_dir;
    let repo_body = Node::map(Vec::new(), Span::default());

    let mut resources: Vec<Resource> = Vec::new();
    for (i, f) in loaded.iter().enumerate() {
        if f.error.is_none() {
            extract::extract(f.kind, &f.docs, i, scopes[i], &mut resources);
        }
        if single_dir_root {
            resources.push(Resource {
                target: crate::rules::Target::Repository,
                ty: "file".into(),
                address: f.rel.clone(),
                file: Some(i),
                body: &f.facts,
                header: Span::default(),
                scope: repo_scope,
            });
        }
    }
    if single_dir_root {
        resources.push(Resource {
            target: crate::rules::Target::Repository,
            ty: "repository".into(),
            address: "repository".into(),
            file: None,
            body: &repo_body,
            header: Span::default(),
            scope: repo_scope,
        });
    }

    let mut by_scope_type: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, r) in resources.iter().enumerate() {
        by_scope_type
            .entry((r.scope, r.ty.as_str()))
            .or_default()
            .push(i);
    }
    let mut vars: HashMap<usize, HashMap<&str, &Node>> = HashMap::new();
    for (i, f) in loaded.iter().enumerate() {
        if matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson) {
            for doc in &f.docs {
                vars.entry(scopes[i])
                    .or_default()
                    .extend(extract::terraform::variables(doc));
            }
        }
    }
    let repo_files: Vec<String> = loaded.iter().map(|f| f.rel.clone()).collect();
    let ctx = Context {
        resources: &resources,
        by_scope_type,
        vars,
        repo_files: &repo_files,
        today: opts.today,
    };

    let per_resource: Vec<ResourceOutcome> = resources
        .par_iter()
        .map(|res| evaluate_resource(&ctx, res, rules, loaded))
        .collect();

    let mut result = ScanResult {
        rules_active: rules.rules.len(),
        resources: resources.len(),
        ..ScanResult::default()
    };
    let mut stats: Vec<RuleStats> = vec![RuleStats::default(); rules.rules.len()];
    for (findings, verdicts) in per_resource {
        result.findings.extend(findings);
        for (ri, v) in verdicts {
            let s = &mut stats[ri];
            match v {
                Verdict::Pass => s.passed += 1,
                Verdict::Fail => s.failed += 1,
                Verdict::Skip => s.skipped += 1,
            }
        }
    }
    result.stats = rules
        .rules
        .iter()
        .zip(stats)
        .map(|(r, s)| (r.meta.id.clone(), s))
        .collect::<BTreeMap<_, _>>();

    for f in loaded {
        if f.kind != FileKind::Other || f.error.is_some() {
            result.files_scanned += 1;
            result.lines_scanned += f.lines;
        }
        if let Some(n) = &f.notice {
            result.notices.push(Notice {
                path: f.rel.clone(),
                message: n.clone(),
            });
        }
        if let Some(e) = &f.error {
            result.errors.push(FileError {
                path: f.rel.clone(),
                span: Some(e.span),
                line: 0,
                column: 0,
                message: e.message.clone(),
            });
        }
    }
    locate(&mut result, loaded);
    result
}

/// The findings for one resource, and (rule index, verdict) for every evaluation.
type ResourceOutcome = (Vec<Finding>, Vec<(usize, Verdict)>);

fn evaluate_resource<'a>(
    ctx: &Context<'a>,
    res: &Resource<'a>,
    rules: &RuleSet,
    loaded: &[Loaded],
) -> ResourceOutcome {
    let mut findings = Vec::new();
    let mut verdicts = Vec::new();
    let path = res.file.map(|i| loaded[i].rel.as_str()).unwrap_or("");
    for (ri, rule) in rules.for_resource(res.target, &res.ty) {
        if let Some(globs) = &rule.paths {
            if !globs.is_match(path) {
                continue;
            }
        }
        if let Some(w) = &rule.where_ {
            if ctx.eval(res, res.body, w).verdict != Verdict::Pass {
                continue;
            }
        }
        let subjects: Vec<(&Node, Option<Span>)> = match &rule.for_each {
            None => vec![(res.body, None)],
            Some(p) => ctx
                .subjects(res, p)
                .into_iter()
                .filter(|(n, _)| {
                    rule.for_each_where
                        .as_ref()
                        .is_none_or(|w| ctx.eval(res, n, w).verdict == Verdict::Pass)
                })
                .map(|(n, _)| (n, Some(header_span(n))))
                .collect(),
        };
        for (subject, subject_header) in subjects {
            let outcome = ctx.eval(res, subject, &rule.assert);
            verdicts.push((ri, outcome.verdict));
            if outcome.verdict != Verdict::Fail {
                continue;
            }
            findings.push(make_finding(rule, res, path, subject_header, outcome));
        }
    }
    (findings, verdicts)
}

fn make_finding(
    rule: &Rule,
    res: &Resource,
    path: &str,
    subject_header: Option<Span>,
    outcome: crate::rules::eval::Outcome,
) -> Finding {
    let (path, span) = match &outcome.file {
        Some(file) => (file.clone(), None),
        None => {
            let span = outcome.span.or(subject_header).unwrap_or(res.header);
            let whole_file =
                res.file.is_none() || (span.is_empty() && span.start == 0 && res.header.is_empty());
            (path.to_string(), if whole_file { None } else { Some(span) })
        }
    };
    let message = render_message(&rule.meta.message, res, &path, outcome.value.as_deref());
    Finding {
        rule: rule.meta.clone(),
        path: if path.is_empty() { ".".into() } else { path },
        span,
        location: Location::default(),
        resource: res.address.clone(),
        message,
        value: outcome.value,
    }
}

fn render_message(template: &str, res: &Resource, path: &str, value: Option<&str>) -> String {
    template
        .replace("{resource}", &res.address)
        .replace("{type}", &res.ty)
        .replace("{file}", path)
        .replace("{path}", path)
        .replace("{value}", value.unwrap_or("not set"))
}

/// Byte spans → line:column, once per file, then sort and deduplicate.
fn locate(result: &mut ScanResult, loaded: &[Loaded]) {
    let texts: HashMap<&str, &Arc<str>> = loaded
        .iter()
        .filter_map(|f| f.text.as_ref().map(|t| (f.rel.as_str(), t)))
        .collect();
    let mut indexes: HashMap<String, LineIndex> = HashMap::new();
    let mut place = |path: &str, span: Span| -> Option<Location> {
        let text = texts.get(path)?;
        let idx = indexes
            .entry(path.to_string())
            .or_insert_with(|| LineIndex::new(text));
        let (sl, sc) = idx.line_col(text, span.start);
        let (el, ec) = idx.line_col(text, span.end);
        Some(Location {
            start_line: sl,
            start_column: sc,
            end_line: el,
            end_column: ec,
        })
    };
    let whole = Location {
        start_line: 1,
        start_column: 1,
        end_line: 1,
        end_column: 1,
    };
    for f in &mut result.findings {
        f.location = f.span.and_then(|s| place(&f.path, s)).unwrap_or(whole);
    }
    for e in &mut result.errors {
        let loc = e.span.and_then(|s| place(&e.path, s)).unwrap_or(whole);
        e.line = loc.start_line;
        e.column = loc.start_column;
    }
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    result.errors.sort();
    for path in result
        .findings
        .iter()
        .map(|f| &f.path)
        .chain(result.errors.iter().map(|e| &e.path))
    {
        if let Some(t) = texts.get(path.as_str()) {
            result
                .texts
                .entry(path.clone())
                .or_insert_with(|| Arc::clone(t));
        }
    }
}
