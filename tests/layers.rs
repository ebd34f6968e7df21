//! The crate's module layers, and a guard that data flows one way through
//! them: a module may import its own layer and the layers below, never one
//! above, and the top-level modules import each other without a cycle.
//!
//! soclint is one crate, so Cargo cannot enforce layering the way separate
//! crates would (ruff, oxc); this test reads `src/**/*.rs` instead. It looks
//! at `crate::…` paths (in `use` lines, grouped `use crate::{…}` included,
//! and inline), which is how the crate names another module; comments are
//! skipped. It works on top-level modules only: imports between the
//! submodules of one module (`evidence::model` → `evidence::history`,
//! `terraform::eval` → `terraform::functions`) are not checked here, and
//! neither are `super::` paths (no module reaches the crate root with one).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, bottom-up. Every module under `src/` is listed
/// exactly once, so a new one has to be placed.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary every stage shares: the document model, rule targets, thread-pool helpers, build facts, output escaping, the hardened git runner, output files, paths a repository names, what a scan did not check, did-you-mean suggestions, reading TOML with every unknown key named, counts in words",
        &["document", "target", "parallel", "version", "escape", "git", "output_file", "repo_path", "unscanned", "suggest", "toml_check", "wording"],
    ),
    (
        "inputs and the rule language: discovery, rendering (Helm), parsing, resource extraction, rules, the config file, the control matrix, other frameworks' mappings",
        &["discover", "render", "parse", "extract", "rules", "config", "controls", "frameworks"],
    ),
    (
        "evaluation: findings, the evaluate stage, Terraform's module evaluation, the values that stayed unknown",
        &["finding", "evaluate", "terraform", "unknowns"],
    ),
    (
        "the pipeline: scanning, filtering (suppressions, waivers, baseline), rule fixtures, fixes",
        &["scan", "unit_scan", "filter", "fixture", "fix"],
    ),
    (
        "output: the report formats, the evidence report's model and renderers, the rule reference",
        &["report", "evidence", "docs"],
    ),
    (
        "the project as a scan sees it: config discovery, rule loading, the shared scan steps; what a repository holds (for init)",
        &["project", "inspect"],
    ),
    (
        "the editor: the language server over the project's scan",
        &["lsp"],
    ),
    (
        "the command line: clap types and one file per subcommand",
        &["commands", "cli"],
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The top-level modules `text` names through `crate::` paths.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            // `$crate::` in a macro and identifiers ending in `crate` are not paths to this crate
            if before.is_some_and(|c| c == '$' || c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level item
                let mut depth = 0;
                let mut item = String::new();
                let mut items = Vec::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                        _ if depth == 0 => item.push(c),
                        _ => {}
                    }
                }
                items.push(item);
                out.extend(items.iter().filter_map(|i| first_segment(i.trim())));
            } else if let Some(m) = first_segment(rest) {
                out.insert(m);
            }
        }
    }
    out
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

/// Each top-level module with the files that make it up.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let first = rel.components().next().expect("a component");
            let name = first.as_os_str().to_string_lossy();
            let module = name.strip_suffix(".rs").unwrap_or(&name).to_string();
            // the crate root and the binary are not modules of the library
            if module != "lib" && module != "main" {
                out.entry(module).or_default().push(path);
            }
        }
    }
    out
}

/// module → the other top-level modules it imports.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    modules(src)
        .into_iter()
        .map(|(module, files)| {
            let mut deps = BTreeSet::new();
            for f in files {
                let text = std::fs::read_to_string(&f).expect("read a source file");
                deps.extend(imports(&text));
            }
            deps.remove(&module);
            (module, deps)
        })
        .collect()
}

/// Imports that point up the layer list, as `from -> to (layer i -> j)`.
fn upward(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (from, deps) in graph {
        let Some(own) = layer_of(from) else { continue };
        for to in deps {
            match layer_of(to) {
                Some(theirs) if theirs > own => {
                    out.push(format!("{from} -> {to} (layer {own} -> {theirs})"))
                }
                _ => {}
            }
        }
    }
    out
}

/// A cycle among the modules, as `a -> b -> a`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit<'g>(
        node: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut shown = path[start..].to_vec();
            shown.push(node);
            return Some(shown.join(" -> "));
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_module_has_a_layer() {
    let found: BTreeSet<String> = modules(&src()).into_keys().collect();
    let listed: Vec<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let unplaced: Vec<&String> = found.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "place these modules in a layer in tests/layers.rs: {unplaced:?}"
    );
    let gone: Vec<&&str> = listed.iter().filter(|m| !found.contains(**m)).collect();
    assert!(gone.is_empty(), "listed but not in src/: {gone:?}");
    let unique: BTreeSet<&&str> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a module is listed twice");
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let up = upward(&graph(&src()));
    assert!(
        up.is_empty(),
        "imports up the layer list (move the shared type down instead):\n{}",
        up.join("\n")
    );
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let g = graph(&src());
    assert_eq!(cycle(&g), None);
    // the layers hold real edges: the graph is not empty by a parsing slip
    assert!(g["scan"].contains("evaluate") && g["commands"].contains("project"));
}

#[test]
fn paths_are_read_from_use_lines_groups_and_inline() {
    let text = "use crate::{rules::{self, Rule}, scan::ScanOptions, target};\n\
                use crate::document::Node;\n\
                let x = crate::finding::sort_findings(&mut f); // crate::report in a comment\n\
                macro_rules! m { () => { $crate::evidence::x } }\n\
                use std::collections::HashMap;\n";
    let got: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(got, ["document", "finding", "rules", "scan", "target"]);
}

#[test]
fn an_upward_import_and_a_cycle_are_caught() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("scan", &["evaluate"][..]),
        ("evaluate", &["scan"][..]),
        ("document", &["project"][..]),
    ]
    .into_iter()
    .map(|(m, deps)| (m.to_string(), deps.iter().map(|d| d.to_string()).collect()))
    .collect();
    assert_eq!(
        upward(&g),
        [
            "document -> project (layer 0 -> 5)",
            "evaluate -> scan (layer 2 -> 3)"
        ]
    );
    assert_eq!(cycle(&g).as_deref(), Some("evaluate -> scan -> evaluate"));
}
