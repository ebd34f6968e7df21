//! Field census (run by hand): every chart under $HELM_FIELD rendered, with
//! counts of charts and templates rendered and the failure reasons.
//!
//!     HELM_FIELD=/path/to/repos cargo test --release --test helm_field -- --ignored --nocapture
use std::collections::BTreeMap;
use std::sync::Arc;

use soclint::render::{helm, Files};

struct Fs {
    root: std::path::PathBuf,
    all: Vec<String>,
}

impl Files for Fs {
    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        let start = self.all.partition_point(|p| p.as_str() < prefix.as_str());
        self.all[start..]
            .iter()
            .take_while(|p| p.starts_with(&prefix))
            .cloned()
            .collect()
    }
    fn read(&self, rel: &str) -> Result<Arc<str>, String> {
        if self.all.binary_search_by(|p| p.as_str().cmp(rel)).is_err() {
            return Err("not found".into());
        }
        std::fs::read_to_string(self.root.join(rel))
            .map(Arc::from)
            .map_err(|e| e.to_string())
    }
}

#[test]
#[ignore]
fn field_census() {
    let Ok(root) = std::env::var("HELM_FIELD") else {
        return;
    };
    let root = std::path::PathBuf::from(root);
    let mut all: Vec<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(&root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    all.sort();
    let dirs: Vec<&str> = all
        .iter()
        .filter_map(|p| p.strip_suffix("/Chart.yaml"))
        .collect();
    // a chart under another chart's charts/ is part of it
    let charts: Vec<String> = dirs
        .iter()
        .filter(|d| !dirs.iter().any(|o| d.starts_with(&format!("{o}/charts/"))))
        .map(|d| d.to_string())
        .collect();
    // function calls in every template: implemented or not
    let known: std::collections::BTreeSet<&str> = helm::funcs::names().into_iter().collect();
    let (mut calls, mut covered) = (0usize, 0usize);
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let mut distinct: std::collections::BTreeSet<String> = Default::default();
    for p in all.iter().filter(|p| p.contains("/templates/")) {
        let Ok(text) = std::fs::read_to_string(root.join(p)) else {
            continue;
        };
        let Ok(tokens) = helm::lex::lex(&text) else {
            continue;
        };
        for t in tokens
            .iter()
            .filter(|t| t.tok == helm::lex::Tok::Identifier)
        {
            let name = &text[t.span.start..t.span.end];
            calls += 1;
            distinct.insert(name.to_string());
            if known.contains(name) {
                covered += 1;
            } else {
                *missing.entry(name.to_string()).or_default() += 1;
            }
        }
    }
    println!(
        "function calls: {covered} of {calls} implemented ({:.2}%); {} distinct names, not implemented: {missing:?}",
        100.0 * covered as f64 / calls.max(1) as f64,
        distinct.len()
    );
    let fs = Fs { root, all };
    let (mut ok, mut failed, mut templates_ok, mut templates_failed) = (0, 0, 0, 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let started = std::time::Instant::now();
    for dir in &charts {
        let out = helm::render_chart(dir, &fs, &helm::Options::default());
        let chart_failed = out.failures.iter().any(|f| f.path.ends_with("Chart.yaml"));
        if chart_failed {
            failed += 1;
        } else {
            ok += 1;
        }
        templates_ok += out.documents.len();
        templates_failed += out.failures.len();
        for f in &out.failures {
            let reason: String = f
                .message
                .split(" at ")
                .next()
                .unwrap_or("")
                .chars()
                .take(110)
                .collect();
            println!("FAIL {}: {}", f.path, f.message);
            *reasons.entry(reason).or_default() += 1;
        }
    }
    println!(
        "charts: {} loaded, {} not loaded; templates: {} rendered, {} failed; {:?}",
        ok,
        failed,
        templates_ok,
        templates_failed,
        started.elapsed()
    );
    let mut by_count: Vec<(usize, String)> = reasons.into_iter().map(|(r, n)| (n, r)).collect();
    by_count.sort_by(|a, b| b.cmp(a));
    for (n, r) in by_count.iter().take(60) {
        println!("{n:5} {r}");
    }
}
