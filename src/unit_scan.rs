//! Units in the scan: a Helm chart (a directory with `Chart.yaml`) claims its
//! `templates/` (and its vendored subcharts'), so they are not parsed as
//! manifests; the chart is one chunk. Its render goes through the Kubernetes
//! parser, extractor and rules unchanged, and each finding moves to the source
//! of the offending bytes (the values line when the value came from values,
//! else the template line), the rendered place kept as a related site. What
//! cannot be rendered is a skipped file (`unrendered`) with the reason.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::discover::{Discovered, FileKind};
use crate::document::{Expr, LineIndex, Node, Span, Value};
use crate::evaluate::{self, locate_span, ChunkOutcome, EvalOptions, FileRef};
use crate::extract::{self, Resource};
use crate::filter::suppress;
use crate::finding::{fingerprint_of, Directive, Location, Notice, Role, Site};
use crate::parse::{Capped, ParseOptions};
use crate::render::{helm, Files, Rendered, Source};
use crate::rules::RuleSet;
use crate::unscanned::{Reason, Skipped};

pub mod gitlab;
pub mod kustomize;
pub mod terragrunt;

/// The chart directories among the scanned files (a chart inside another
/// chart's `charts/` is part of that chart).
#[derive(Debug, Default)]
pub struct Units {
    /// (root index, directory), sorted.
    charts: Vec<(usize, String)>,
    /// The Kustomize overlays, built.
    pub overlays: kustomize::Overlays,
    /// The files GitLab CI pipelines include.
    pub pipelines: gitlab::Pipelines,
}

/// Whether a path inside a chart (relative to it) is one of its templates or
/// a vendored subchart's.
fn claimed_inside(inner: &str) -> bool {
    let parts: Vec<&str> = inner.split('/').collect();
    let mut i = 0;
    loop {
        match parts.get(i..) {
            Some(["templates", _, ..]) => return true,
            Some(["charts", _, rest @ ..]) if !rest.is_empty() => i += 2,
            _ => return false,
        }
    }
}

impl Units {
    /// `dir_root(d)`: the root index a file's directory chunk is keyed by
    /// (`None`: a file named on its own, never part of a unit).
    pub fn find(found: &[Discovered], dir_root: impl Fn(&Discovered) -> Option<usize>) -> Units {
        let mut charts: Vec<(usize, String)> = found
            .iter()
            .filter_map(|d| {
                let root = dir_root(d)?;
                let dir = match d.rel.rsplit_once('/') {
                    Some((dir, "Chart.yaml")) => dir,
                    None if d.rel == "Chart.yaml" => "",
                    _ => return None,
                };
                Some((root, dir.to_string()))
            })
            .collect();
        charts.sort();
        charts.dedup();
        let all = charts.clone();
        // a chart under another chart's charts/ belongs to it
        charts.retain(|(root, dir)| {
            !all.iter().any(|(r, outer)| {
                r == root && outer != dir && {
                    let prefix = if outer.is_empty() {
                        String::new()
                    } else {
                        format!("{outer}/")
                    };
                    dir.strip_prefix(&prefix)
                        .is_some_and(|rest| rest.starts_with("charts/"))
                }
            })
        });
        Units {
            charts,
            overlays: kustomize::Overlays::default(),
            pipelines: gitlab::Pipelines::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.charts.is_empty()
    }

    pub fn is_chart(&self, root: usize, dir: &str) -> bool {
        self.charts
            .binary_search_by(|(r, d)| (*r, d.as_str()).cmp(&(root, dir)))
            .is_ok()
    }

    /// The length of the directory of the chart that claims `rel`, if one does.
    pub fn claim(&self, root: usize, rel: &str) -> Option<usize> {
        if self.charts.is_empty() || !rel.contains("templates/") {
            return None;
        }
        if self.is_chart(root, "") && claimed_inside(rel) {
            return Some(0);
        }
        for (i, _) in rel.match_indices('/') {
            let dir = &rel[..i];
            if self.is_chart(root, dir) && claimed_inside(&rel[i + 1..]) {
                return Some(i);
            }
        }
        None
    }
}

/// The discovered files as the renderer reads them: nothing else, with the
/// scan's size limit, an open buffer in place of its file (the language
/// server's overlay).
pub struct ScanTree<'a> {
    files: Vec<(&'a str, &'a std::path::Path)>,
    parse: &'a ParseOptions,
}

impl<'a> ScanTree<'a> {
    pub fn new(found: &'a [Discovered], parse: &'a ParseOptions) -> Self {
        let mut files: Vec<(&str, &std::path::Path)> = found
            .iter()
            .map(|d| (d.rel.as_str(), d.path.as_path()))
            .collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        ScanTree { files, parse }
    }
}

impl Files for ScanTree<'_> {
    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let start = self.files.partition_point(|(p, _)| *p < prefix.as_str());
        self.files[start..]
            .iter()
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.to_string())
            .collect()
    }

    fn exists(&self, rel: &str) -> bool {
        self.files.binary_search_by(|(p, _)| (*p).cmp(rel)).is_ok()
    }

    fn read(&self, rel: &str) -> Result<Arc<str>, String> {
        let i = self
            .files
            .binary_search_by(|(p, _)| (*p).cmp(rel))
            .map_err(|_| format!("{rel}: not found among the scanned files"))?;
        match self.parse.read(self.files[i].1) {
            Err(e) => Err(format!("{rel}: cannot read: {e}")),
            Ok(Capped::TooLarge(n)) => Err(format!(
                "{rel}: {n} bytes is over the {} byte limit (--max-file-size)",
                self.parse.max_file_size
            )),
            Ok(Capped::Read(bytes)) => {
                let text = String::from_utf8(bytes).map_err(|_| format!("{rel}: invalid UTF-8"))?;
                let text = text
                    .strip_prefix('\u{feff}')
                    .map(str::to_string)
                    .unwrap_or(text);
                Ok(Arc::from(text))
            }
        }
    }
}

/// What scanning a chart gave.
#[derive(Default, Clone)]
pub struct ChartScan {
    pub outcome: ChunkOutcome,
    pub notices: Vec<Notice>,
    /// Templates (or the whole chart, at its `Chart.yaml`) not rendered or
    /// not checked, with why.
    pub skipped: Vec<Skipped>,
    pub directives: Vec<Directive>,
    pub resources: usize,
    /// (lines, bytes) of each template read, by path.
    pub sizes: HashMap<String, (usize, u64)>,
}

/// `--helm-values` files, read once for every chart of a scan.
pub fn values_files(paths: &[PathBuf]) -> Result<Vec<Source>, String> {
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read --helm-values {}: {e}", p.display()))?;
            Ok(Source {
                path: crate::discover::normalise(p),
                text: Arc::from(text),
            })
        })
        .collect()
}

/// Scalars holding the renderer's unknown mark become unknowns (rules skip them).
fn mark_unknowns(n: &mut Node) {
    match &mut n.value {
        Value::String(s) if s.contains(crate::render::helm::value::UNKNOWN_MARK) => {
            n.value = Value::Expr(Expr {
                text: "a value known only at install time (lookup, the release namespace)".into(),
                function: None,
                argument: None,
            });
        }
        Value::List(items) => items.iter_mut().for_each(mark_unknowns),
        Value::Map(entries) => entries.iter_mut().for_each(|e| mark_unknowns(&mut e.value)),
        _ => {}
    }
}

/// The virtual path of a rendered template (its findings' related site).
fn rendered_path(template: &str, renderer: &str) -> String {
    format!("{template}@{renderer}")
}

/// Where the rendered bytes `s` came from: an exact copy maps byte for byte,
/// else the source token at the start's origin.
fn source_span(doc: &Rendered, out: &crate::render::Output, s: Span) -> Option<(usize, Span)> {
    let (src, off, _) = doc.source_of(s.start)?;
    let source = out.sources.get(src)?;
    let end = if doc.exact_run(s.start, s.end) {
        off + s.len()
    } else {
        token_end(&source.text, off).max(off)
    };
    Some((src, Span::new(off, end.min(source.text.len()))))
}

/// The end of what starts at `at` in a source: a template action (`{{ … }}`),
/// a quoted scalar, or else the rest of the line before a comment.
fn token_end(text: &str, at: usize) -> usize {
    let rest = &text[at.min(text.len())..];
    if rest.starts_with("{{") {
        return rest.find("}}").map_or(text.len(), |i| at + i + 2);
    }
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let mut escaped = false;
        for (i, c) in line.char_indices().skip(1) {
            if c == q && !escaped {
                return at + i + 1;
            }
            escaped = q == '"' && c == '\\' && !escaped;
        }
        return at + line.len();
    }
    let body = line.find(" #").map_or(line, |i| &line[..i]);
    at + body.trim_end().len()
}

/// What a chart's scan is given besides the tree and the rules.
pub struct ChartInputs<'a> {
    /// `--helm-values` files, read.
    pub values: &'a [Source],
    /// `--helm-set` assignments.
    pub set: &'a [String],
    pub parse: &'a ParseOptions,
    pub eval: &'a EvalOptions,
}

/// Renders the chart in `dir` and checks what it renders.
pub fn scan_chart(
    dir: &str,
    files: &dyn Files,
    inputs: &ChartInputs,
    rules: &RuleSet,
) -> ChartScan {
    let mut scan = ChartScan::default();
    let helm_opts = helm::Options {
        values_files: inputs.values.to_vec(),
        set: inputs.set.to_vec(),
        max_bytes: usize::try_from(inputs.parse.max_file_size).unwrap_or(usize::MAX),
        ..helm::Options::default()
    };
    let out = helm::render_chart(dir, files, &helm_opts);
    for f in &out.failures {
        let message =
            if f.path.ends_with("Chart.yaml") && !f.message.starts_with("rendered without") {
                format!(
                    "Helm chart not rendered, its templates are not checked: {}",
                    f.message
                )
            } else {
                f.message.clone()
            };
        scan.skipped
            .push(Skipped::new(f.path.clone(), Reason::Unrendered, message));
    }
    let own = |p: &str| dir.is_empty() || p.starts_with(&format!("{dir}/"));
    for s in &out.sources {
        if own(&s.path) {
            // a template is not YAML until rendered: no parsed values to
            // tell its strings from its comments
            scan.directives.extend(suppress::directives(
                &s.path,
                FileKind::Kubernetes,
                &s.text,
                &[],
            ));
            let lines = s.text.lines().count();
            scan.sizes
                .insert(s.path.clone(), (lines, s.text.len() as u64));
        }
    }
    check_rendered(&out, "helm", inputs.parse, inputs.eval, rules, &mut scan);
    scan
}

/// Parses, checks and maps back what a unit rendered: each rendered document
/// is a Kubernetes YAML stream (`{template}@{renderer}`, its findings'
/// related site); each finding, and each masked secret, moves to the source
/// of its bytes.
pub fn check_rendered(
    out: &crate::render::Output,
    renderer: &str,
    parse: &ParseOptions,
    eval: &EvalOptions,
    rules: &RuleSet,
    scan: &mut ChartScan,
) {
    // each rendered template parsed as a Kubernetes manifest
    let mut parsed: Vec<(&Rendered, String, Vec<Node>)> = Vec::new();
    for doc in &out.documents {
        let template = &out.sources[doc.template].path;
        match crate::document::yaml::parse(&doc.text, &parse.limits) {
            Ok(mut nodes) => {
                nodes.retain(|n| n.get("apiVersion").is_some() && n.get("kind").is_some());
                nodes.iter_mut().for_each(mark_unknowns);
                parsed.push((doc, rendered_path(template, renderer), nodes));
            }
            Err(e) => {
                let (line, col) = LineIndex::new(&doc.text).line_col(&doc.text, e.span.start);
                scan.skipped.push(Skipped::new(
                    template.clone(),
                    Reason::Unrendered,
                    format!("rendered, but the output is not valid YAML (rendered line {line}, column {col}): {}; not checked", e.message),
                ));
            }
        }
    }
    let refs: Vec<FileRef> = parsed
        .iter()
        .map(|(doc, path, _)| FileRef {
            rel: path,
            text: Some(&doc.text),
        })
        .collect();
    let mut resources: Vec<Resource> = Vec::new();
    for (i, (_, _, nodes)) in parsed.iter().enumerate() {
        extract::extract(FileKind::Kubernetes, nodes, i, i, &mut resources);
    }
    scan.resources = resources.len();
    let mut outcome = evaluate::evaluate(
        &resources,
        &refs,
        HashMap::new(),
        Default::default(),
        &[],
        rules,
        eval,
    );
    // findings move to the source of their bytes
    let by_path: HashMap<&str, &Rendered> =
        parsed.iter().map(|(d, p, _)| (p.as_str(), *d)).collect();
    let mut indexes: HashMap<usize, LineIndex> = HashMap::new();
    let mut texts: Vec<(String, Arc<str>)> = Vec::new();
    // (findings waiting for the scan's relations too: they are made now)
    let waiting = outcome.pending.iter_mut().flat_map(|p| p.findings_mut());
    for f in outcome.findings.iter_mut().chain(waiting) {
        let Some(doc) = by_path.get(&*f.path) else {
            continue;
        };
        let rendered_span = f.span();
        let offending = rendered_span
            .and_then(|s| doc.text.get(s.start..s.end))
            .unwrap_or("")
            .to_string();
        if let Some(span) = rendered_span {
            f.related.insert(
                0,
                Site {
                    path: f.path.clone(),
                    span: Some(span),
                    location: f.location,
                    role: Role::Rendered,
                    note: "the rendered manifest".into(),
                },
            );
        }
        let mapped = rendered_span.and_then(|s| source_span(doc, out, s));
        match mapped {
            Some((src, span)) => {
                let source = &out.sources[src];
                let idx = indexes
                    .entry(src)
                    .or_insert_with(|| LineIndex::new(&source.text));
                f.location = locate_span(idx, &source.text, span);
                f.relocate(Arc::from(source.path.as_str()));
                f.set_span(Some(span));
                if eval.keep_texts {
                    texts.push((source.path.clone(), source.text.clone()));
                }
            }
            None => {
                let template = &out.sources[doc.template];
                f.relocate(Arc::from(template.path.as_str()));
                f.set_span(None);
                f.location = Location {
                    start_line: 1,
                    start_column: 1,
                    end_line: 1,
                    end_column: 1,
                };
            }
        }
        let what = if offending.is_empty() {
            f.message().into_owned()
        } else {
            offending
        };
        let legacy = eval.legacy_fingerprints;
        let path = f.path.clone();
        f.fingerprint = fingerprint_of(
            f,
            &path,
            &what,
            legacy.then_some(&mut outcome.legacy_fingerprints),
        );
    }
    outcome.texts.extend(texts);
    // a secret masked in the rendered text is masked where it is written
    for (path, spans) in std::mem::take(&mut outcome.masks) {
        let Some(doc) = by_path.get(path.as_str()) else {
            outcome.masks.push((path, spans));
            continue;
        };
        for s in spans {
            if let Some((src, span)) = source_span(doc, out, s) {
                outcome
                    .masks
                    .push((out.sources[src].path.clone(), vec![span]));
            }
        }
    }
    crate::finding::sort_findings(&mut outcome.findings);
    scan.outcome = outcome;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_claim_their_templates_and_their_subcharts() {
        let d = |rel: &str| Discovered {
            path: PathBuf::from(rel),
            rel: rel.to_string(),
            size: None,
            root: 0,
        };
        let found = vec![
            d("deploy/app/Chart.yaml"),
            d("deploy/app/templates/a.yaml"),
            d("deploy/app/charts/sub/Chart.yaml"),
            d("deploy/app/charts/sub/templates/b.yaml"),
            d("deploy/app/crds/crd.yaml"),
            d("other/templates/c.yaml"),
        ];
        let units = Units::find(&found, |_| Some(0));
        assert!(units.is_chart(0, "deploy/app"));
        assert!(!units.is_chart(0, "deploy/app/charts/sub"));
        assert_eq!(units.claim(0, "deploy/app/templates/a.yaml"), Some(10));
        assert_eq!(units.claim(0, "deploy/app/templates/x/y.tpl"), Some(10));
        assert_eq!(
            units.claim(0, "deploy/app/charts/sub/templates/b.yaml"),
            Some(10)
        );
        assert_eq!(units.claim(0, "deploy/app/crds/crd.yaml"), None);
        assert_eq!(units.claim(0, "deploy/app/values.yaml"), None);
        assert_eq!(units.claim(0, "other/templates/c.yaml"), None);
        // a chart at the scanned root
        let units = Units::find(&[d("Chart.yaml"), d("templates/a.yaml")], |_| Some(0));
        assert_eq!(units.claim(0, "templates/a.yaml"), Some(0));
    }
}
