//! Helm charts rendered in-process: Go's `text/template` (lexer, parser,
//! executor), the Sprig and Helm functions, the chart model (values,
//! dependencies, `.Release`/`.Chart`/`.Capabilities`/`.Files`), and the
//! provenance of every rendered byte (template line or values line).
pub mod chart;
pub mod exec;
pub mod funcs;
pub mod lex;
pub mod parse;
pub mod source;
pub mod value;
pub mod yaml;

use std::collections::BTreeMap;

use source::{Origin, Str};
use value::{MapEntry, Val};

/// Renders one template text with `helpers` (defines) and a values YAML, as
/// Helm renders a template file (the oracle tests compare this with Go's
/// text/template and Sprig). The dot has `Values` and a fixed `Release`.
pub fn render_text(template: &str, helpers: &str, values: &str) -> Result<String, String> {
    let mut eng = exec::Engine::new(10_000_000, 16 << 20);
    eng.add("_helpers.tpl", Str::new(helpers, Origin::exact(1, 0)))
        .map_err(|(at, m)| format!("helpers:{at}: {m}"))?;
    let main = eng
        .add("main", Str::new(template, Origin::exact(0, 0)))
        .map_err(|(at, m)| format!("template:{at}: {m}"))?;
    let vals = match yaml::parse_first(&Str::new(values, Origin::exact(2, 0)))? {
        Some(v @ Val::Map(_)) => v,
        _ => Val::empty_map(),
    };
    let entry = |v: Val| MapEntry {
        key_origin: Origin::NONE,
        val: v,
    };
    let release: BTreeMap<String, MapEntry> = [
        ("Name", Val::str("rel", Origin::NONE)),
        ("Namespace", Val::str("ns", Origin::NONE)),
        ("Service", Val::str("Helm", Origin::NONE)),
        ("IsInstall", Val::bool(true)),
        ("IsUpgrade", Val::bool(false)),
        ("Revision", Val::int(1)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), entry(v)))
    .collect();
    let dot: BTreeMap<String, MapEntry> = [
        ("Values".to_string(), entry(vals)),
        ("Release".to_string(), entry(Val::map(release))),
    ]
    .into_iter()
    .collect();
    let out = eng.execute(&main, Val::map(dot)).map_err(|e| e.message)?;
    Ok(exec::strip_no_value(&out).as_str().to_string())
}

use std::sync::Arc;

use crate::document::LineIndex;
use crate::render::{Failure, Files, Link, Output, Rendered, Source};

/// Helm values for every chart of a scan, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--helm-values` files, in order (later ones win).
    pub values_files: Vec<std::path::PathBuf>,
    /// `--helm-set` assignments, in order (over the files).
    pub set: Vec<String>,
}

/// What a chart render may use and spend.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--helm-values` files, already read, in order (later ones win).
    pub values_files: Vec<Source>,
    /// `--helm-set` assignments, in order.
    pub set: Vec<String>,
    /// Largest text a template may produce (the scan's file size limit).
    pub max_bytes: usize,
    /// Evaluation steps a chart may take.
    pub steps: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            values_files: Vec::new(),
            set: Vec::new(),
            max_bytes: 5 << 20,
            steps: 50_000_000,
        }
    }
}

/// Helm's parse order (`sortTemplates`): deeper paths first, then by name,
/// descending; a later `define` replaces an earlier one, so the root chart's
/// helpers win over its subcharts'.
fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    let depth = |s: &str| s.matches('/').count();
    depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
}

/// `path:line:col` of an origin.
fn locate(sources: &[Source], o: Origin) -> Option<String> {
    let s = sources.get(o.src as usize)?;
    let (line, col) = LineIndex::new(&s.text).line_col(&s.text, o.offset as usize);
    Some(format!("{}:{line}:{col}", s.path))
}

fn links_of(s: &Str) -> Vec<Link> {
    s.segments()
        .into_iter()
        .map(|(start, _, o)| Link {
            start: start as u32,
            src: o.src,
            offset: o.offset,
            exact: o.exact,
        })
        .collect()
}

/// Renders the chart in `dir` (relative to the scanned root) as
/// `helm template` would, with the provenance of every rendered byte.
pub fn render_chart(dir: &str, files: &dyn Files, opts: &Options) -> Output {
    let mut sources = chart::Sources { list: Vec::new() };
    let mut out = Output::default();
    let chart_yaml = if dir.is_empty() {
        "Chart.yaml".to_string()
    } else {
        format!("{dir}/Chart.yaml")
    };
    let fail_chart = |out: &mut Output, sources: chart::Sources, message: String| {
        out.failures.push(Failure {
            path: chart_yaml.clone(),
            message,
        });
        out.sources = sources.list;
    };
    let mut chart = match chart::load(dir, files, &mut sources, 0) {
        Ok(c) => c,
        Err(e) => {
            fail_chart(&mut out, sources, e);
            return out;
        }
    };
    if chart.library {
        // a library chart renders nothing of its own
        out.sources = sources.list;
        return out;
    }
    let user_files: Vec<(u32, Source)> = opts
        .values_files
        .iter()
        .map(|f| (sources.add(f.path.clone(), f.text.clone()), f.clone()))
        .collect();
    let refs: Vec<(u32, &Source)> = user_files.iter().map(|(i, f)| (*i, f)).collect();
    let user = match chart::user_values(&refs, &opts.set) {
        Ok(u) => u,
        Err(e) => {
            fail_chart(&mut out, sources, e);
            return out;
        }
    };
    let mut missing = Vec::new();
    let values = chart::final_values(&mut chart, &user, &mut missing);
    for m in missing {
        out.failures.push(Failure {
            path: chart_yaml.clone(),
            message: format!("rendered without a dependency: {m}"),
        });
    }
    let mut scopes = Vec::new();
    chart::scopes(&chart, &values, &chart.name, true, &mut scopes);
    let mut all: Vec<(String, usize, &chart::TemplateFile)> = Vec::new();
    for (si, (scope, c)) in scopes.iter().enumerate() {
        for t in &c.templates {
            all.push((format!("{}/{}", scope.full_path, t.inner), si, t));
        }
    }
    all.sort_by(|a, b| helm_order(&a.0, &b.0));
    let mut eng = exec::Engine::new(opts.steps, opts.max_bytes);
    let mut parsed = Vec::with_capacity(all.len());
    for (name, _, t) in &all {
        let text = match &t.text {
            Ok(text) => text.clone(),
            Err(e) => {
                out.failures.push(Failure {
                    path: t.rel.clone(),
                    message: format!("not rendered: {e}"),
                });
                parsed.push(None);
                continue;
            }
        };
        let src = sources.add(t.rel.clone(), text.clone());
        match eng.add(name, Str::new(text.as_ref(), Origin::exact(src, 0))) {
            Ok(tm) => parsed.push(Some((tm, src))),
            Err((at, message)) => {
                let (line, col) = LineIndex::new(&text).line_col(&text, at);
                out.failures.push(Failure {
                    path: t.rel.clone(),
                    message: format!("not rendered: {line}:{col}: {message}"),
                });
                parsed.push(None);
            }
        }
    }
    let (caps, release) = chart::fixed_objects();
    for ((name, si, t), p) in all.iter().zip(&parsed) {
        let base = name.rsplit('/').next().unwrap_or(name);
        let scope = &scopes[*si].0;
        if base.starts_with('_') || base == "NOTES.txt" || scope.library {
            continue;
        }
        let Some((tm, src)) = p else { continue };
        let dot = chart::dot(scope, &caps, &release, name);
        match eng.execute(tm, dot) {
            Ok(s) => {
                let s = exec::strip_no_value(&s);
                if s.as_str().trim().is_empty() {
                    continue;
                }
                out.documents.push(Rendered {
                    template: *src as usize,
                    text: Arc::from(s.as_str()),
                    links: links_of(&s),
                });
            }
            Err(e) => {
                let at = locate(&sources.list, e.origin)
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                out.failures.push(Failure {
                    path: t.rel.clone(),
                    message: format!("not rendered: {}{at}", e.message),
                });
            }
        }
    }
    out.documents.sort_by(|a, b| {
        sources.list[a.template]
            .path
            .cmp(&sources.list[b.template].path)
    });
    out.failures.sort_by(|a, b| a.path.cmp(&b.path));
    out.sources = sources.list;
    out
}
