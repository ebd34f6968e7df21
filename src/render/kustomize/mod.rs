//! Kustomize overlays built in-process, as `kustomize build` does: a
//! kustomization's resources (files, and directories with their own
//! kustomization), then its components, generators and transformers in
//! kustomize's order (strategic-merge patches, `patches`, namespace, name
//! prefix and suffix, labels and annotations, JSON 6902 patches, replicas,
//! images). Every value of a built resource keeps the span of the file that
//! set it (see [`space`]), so a finding points at the patch line that set
//! the value, or at the base line when the overlay left it.
//!
//! Not done: remote resources (git or HTTP), Helm charts (`helmCharts`),
//! `replacements`, `vars` and plugin transformers; each is reported as a
//! failure of the kustomization, never passed over. Generated ConfigMaps and
//! Secrets keep their names without kustomize's content-hash suffix, and
//! references to renamed objects are not rewritten.
use std::collections::BTreeMap;

use crate::document::{Entry, Limits, Node, Span, Value};
use crate::render::join_relative;
use crate::render::{Failure, Files, Output};

pub mod patch;
pub mod space;
mod transform;
pub mod tree;

use space::Space;

/// The names kustomize reads a kustomization from, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a path names a kustomization file.
pub fn is_kustomization(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    FILE_NAMES.contains(&name)
}

/// How a build used a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A manifest listed in `resources`.
    Resource,
    /// A patch (never a manifest on its own).
    Patch,
    /// Read by a generator (`files`, `envs`).
    GeneratorInput,
    /// A kustomization or component.
    Kustomization,
}

/// A resource being built: its tree and the names it had before prefixes
/// and suffixes (patches and selectors may name it by either).
#[derive(Debug, Clone)]
pub struct Res {
    pub node: Node,
    pub names: Vec<String>,
}

impl Res {
    fn new(node: Node) -> Res {
        let names = tree::str_at(&node, &["metadata", "name"])
            .map(str::to_string)
            .into_iter()
            .collect();
        Res { node, names }
    }
    pub fn kind(&self) -> &str {
        self.node.get("kind").and_then(Node::as_str).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        tree::str_at(&self.node, &["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&str> {
        tree::str_at(&self.node, &["metadata", "namespace"])
    }
    /// Named `name`, now or before a prefix or suffix.
    pub fn named(&self, name: &str) -> bool {
        self.name() == name || self.names.iter().any(|n| n == name)
    }
}

/// What building one kustomization gave.
#[derive(Debug, Default)]
pub struct Built {
    /// The kustomization file.
    pub path: String,
    /// Its render (one document: the whole build as a YAML stream) and what
    /// it could not apply.
    pub output: Output,
    /// Every file the build read, and how.
    pub reads: BTreeMap<String, Role>,
    /// The directories of the kustomizations it includes.
    pub includes: Vec<String>,
    /// A component (`kind: Component`): applied by the kustomizations that
    /// list it, never built on its own.
    pub component: bool,
}

/// Deeper nesting of kustomizations than this is taken for a loop.
const MAX_DEPTH: usize = 32;

/// The kustomization file of `dir`, if the scanned tree has one.
pub fn kustomization_in(files: &dyn Files, dir: &str) -> Option<String> {
    FILE_NAMES
        .iter()
        .map(|n| join(dir, n))
        .find(|p| files.exists(p))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn is_remote(r: &str) -> bool {
    r.contains("://")
        || r.starts_with("github.com/")
        || r.starts_with("git@")
        || r.contains("?ref=")
        || r.contains(".git//")
}

/// Builds the kustomization at `path` (a file of `files`).
pub fn build(path: &str, files: &dyn Files, limits: &Limits) -> Built {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut b = Builder {
        files,
        limits,
        space: Space::default(),
        failures: Vec::new(),
        reads: BTreeMap::new(),
        includes: Vec::new(),
        stack: Vec::new(),
        component: false,
    };
    let mut resources = Vec::new();
    let template = b.run(dir, Some(path), &mut resources);
    let mut out = Output {
        failures: std::mem::take(&mut b.failures),
        ..Output::default()
    };
    match template {
        Ok(template) => {
            let docs: Vec<Node> = resources.into_iter().map(|r| r.node).collect();
            if !docs.is_empty() {
                out.documents
                    .push(space::emit_stream(&docs, &b.space, template));
            }
        }
        Err(message) => out.failures.insert(
            0,
            Failure {
                path: path.to_string(),
                message,
            },
        ),
    }
    out.sources = std::mem::take(&mut b.space.sources);
    b.includes.sort();
    b.includes.dedup();
    Built {
        path: path.to_string(),
        output: out,
        reads: b.reads,
        includes: b.includes,
        component: b.component,
    }
}

struct Builder<'a> {
    files: &'a dyn Files,
    limits: &'a Limits,
    space: Space,
    failures: Vec<Failure>,
    reads: BTreeMap<String, Role>,
    includes: Vec<String>,
    stack: Vec<String>,
    /// The kustomization built is a component.
    component: bool,
}

/// The kustomization fields this build applies or that change nothing a
/// rule reads; any other is reported as not applied.
const KNOWN: [&str; 26] = [
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "sortOptions",
    "buildMetadata",
    "openapi",
    "crds",
    "configurations",
    "nameReference",
];

impl Builder<'_> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.failures.push(Failure {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn read(&mut self, rel: &str, role: Role) {
        let e = self.reads.entry(rel.to_string()).or_insert(role);
        // a file used both ways is a patch: never a manifest of its own
        if role == Role::Patch {
            *e = role;
        }
    }

    /// Builds the kustomization (or component) of `dir` into `res`; gives
    /// its source index.
    fn run(&mut self, dir: &str, file: Option<&str>, res: &mut Vec<Res>) -> Result<usize, String> {
        let path = match file {
            Some(f) => f.to_string(),
            None => kustomization_in(self.files, dir)
                .ok_or_else(|| format!("`{dir}` has no kustomization among the scanned files"))?,
        };
        if self.stack.len() >= MAX_DEPTH || self.stack.contains(&path) {
            return Err(format!(
                "{path}: kustomizations include each other in a loop"
            ));
        }
        let docs = self.space.yaml(self.files, &path, self.limits)?;
        self.read(&path, Role::Kustomization);
        let src = self.space.load(self.files, &path)?;
        let k = docs
            .into_iter()
            .next()
            .unwrap_or(Node::map(Vec::new(), Span::default()));
        if k.as_map().is_none() {
            return Err(format!("{path}: a kustomization is a YAML map"));
        }
        if self.stack.is_empty() {
            self.component = k.get("kind").and_then(Node::as_str) == Some("Component");
        }
        self.stack.push(path.clone());
        let result = self.apply(dir, &path, &k, res);
        self.stack.pop();
        result.map(|()| src)
    }

    fn apply(&mut self, dir: &str, path: &str, k: &Node, res: &mut Vec<Res>) -> Result<(), String> {
        for e in k.as_map().unwrap_or_default() {
            if !KNOWN.contains(&e.key.as_str()) {
                self.fail(
                    path,
                    format!("`{}` is not applied by soclint's kustomize build; the overlay is checked without it", e.key),
                );
            }
        }
        let list = |key: &str| -> Vec<Node> {
            k.get(key)
                .and_then(Node::as_list)
                .map(<[Node]>::to_vec)
                .unwrap_or_default()
        };
        for r in list("resources").iter().chain(list("bases").iter()) {
            let Some(name) = r.as_str() else { continue };
            self.resource(dir, path, name, res)?;
        }
        for c in list("components") {
            let Some(name) = c.as_str() else { continue };
            if is_remote(name) {
                self.fail(path, format!("remote component `{name}` is not fetched; the overlay is checked without it"));
                continue;
            }
            let Some(cdir) = join_relative(dir, name) else {
                self.fail(
                    path,
                    format!("component `{name}` is outside the scanned tree; not applied"),
                );
                continue;
            };
            self.includes.push(cdir.clone());
            self.run(&cdir, None, res)?;
        }
        transform::generators(self, dir, path, k, res);
        for p in list("patchesStrategicMerge") {
            self.strategic_patch_entry(dir, path, &p, res);
        }
        for p in list("patches") {
            self.patch_entry(dir, path, &p, res);
        }
        transform::namespace(k, res);
        transform::names(k, res);
        transform::labels(k, res);
        for p in list("patchesJson6902") {
            self.patch_entry(dir, path, &p, res);
        }
        transform::replicas(k, res);
        transform::images(k, res);
        Ok(())
    }

    fn resource(
        &mut self,
        dir: &str,
        path: &str,
        name: &str,
        res: &mut Vec<Res>,
    ) -> Result<(), String> {
        if is_remote(name) {
            self.fail(
                path,
                format!(
                    "remote resource `{name}` is not fetched; the overlay is checked without it"
                ),
            );
            return Ok(());
        }
        let Some(rel) = join_relative(dir, name) else {
            self.fail(
                path,
                format!("resource `{name}` is outside the scanned tree; not included"),
            );
            return Ok(());
        };
        if self.files.exists(&rel) {
            match self.space.yaml(self.files, &rel, self.limits) {
                Ok(docs) => {
                    self.read(&rel, Role::Resource);
                    for d in docs {
                        self.push_doc(&rel, d, res);
                    }
                }
                Err(e) => self.fail(
                    path,
                    format!("resource `{name}` does not parse ({e}); not included"),
                ),
            }
            return Ok(());
        }
        if kustomization_in(self.files, &rel).is_some() {
            self.includes.push(rel.clone());
            let mut sub = Vec::new();
            self.run(&rel, None, &mut sub)?;
            res.extend(sub);
            return Ok(());
        }
        self.fail(
            path,
            format!("resource `{name}` is neither a file nor a directory with a kustomization among the scanned files; not included"),
        );
        Ok(())
    }

    /// A manifest document as resources (a `List` as its items).
    fn push_doc(&mut self, rel: &str, d: Node, res: &mut Vec<Res>) {
        match &d.value {
            Value::Null => {}
            Value::Map(_) => {
                let kind = d.get("kind").and_then(Node::as_str).unwrap_or("");
                if kind.ends_with("List") && d.get("items").is_some_and(|i| i.as_list().is_some()) {
                    let items = d
                        .get("items")
                        .and_then(Node::as_list)
                        .unwrap_or_default()
                        .to_vec();
                    for i in items {
                        self.push_doc(rel, i, res);
                    }
                } else if kind.is_empty() {
                    self.fail(
                        rel,
                        "a document without `kind`: not a resource kustomize builds; left out",
                    );
                } else {
                    res.push(Res::new(d));
                }
            }
            _ => self.fail(rel, "a document that is not a map: left out"),
        }
    }

    /// The documents of a patch given as a path or inline.
    fn patch_docs(&mut self, dir: &str, path: &str, p: &Node) -> Option<(String, Vec<Node>)> {
        let text = p.as_str()?;
        let inline = text.contains('\n') || text.trim_start().starts_with(['{', '[']);
        if !inline {
            let Some(rel) = join_relative(dir, text) else {
                self.fail(
                    path,
                    format!("patch `{text}` is outside the scanned tree; not applied"),
                );
                return None;
            };
            return match self.space.yaml(self.files, &rel, self.limits) {
                Ok(docs) => {
                    self.read(&rel, Role::Patch);
                    Some((rel, docs))
                }
                Err(e) => {
                    self.fail(
                        path,
                        format!("patch `{text}` cannot be read: {e}; not applied"),
                    );
                    None
                }
            };
        }
        match self.space.inline_yaml(p, self.limits) {
            Ok(docs) => Some((path.to_string(), docs)),
            Err(e) => {
                self.fail(
                    path,
                    format!("an inline patch does not parse: {e}; not applied"),
                );
                None
            }
        }
    }

    /// A `patchesStrategicMerge` entry: each document patches the resource
    /// of its kind and name.
    fn strategic_patch_entry(&mut self, dir: &str, path: &str, p: &Node, res: &mut [Res]) {
        let Some((from, docs)) = self.patch_docs(dir, path, p) else {
            return;
        };
        for d in docs.iter().filter(|d| d.as_map().is_some()) {
            self.strategic_by_id(&from, d, res);
        }
    }

    fn strategic_by_id(&mut self, from: &str, d: &Node, res: &mut [Res]) {
        let kind = d.get("kind").and_then(Node::as_str).unwrap_or("");
        let name = tree::str_at(d, &["metadata", "name"]).unwrap_or("");
        let ns = tree::str_at(d, &["metadata", "namespace"]);
        let mut hit = false;
        for r in res.iter_mut() {
            if r.kind() == kind && r.named(name) && (ns.is_none() || r.namespace() == ns) {
                patch::strategic_merge(&mut r.node, d);
                hit = true;
            }
        }
        if !hit {
            self.fail(
                from,
                format!("patch of {kind} `{name}` matches no resource of the build; not applied"),
            );
        }
    }

    /// A `patches` or `patchesJson6902` entry: `path` or `patch`, and an
    /// optional `target` selector.
    fn patch_entry(&mut self, dir: &str, path: &str, p: &Node, res: &mut [Res]) {
        let body = p.get("path").or_else(|| p.get("patch"));
        let Some((from, docs)) = body.and_then(|b| self.patch_docs(dir, path, b)) else {
            if body.is_none() {
                self.fail(path, "a patch without `path` or `patch`; not applied");
            }
            return;
        };
        let target = p.get("target");
        // a list of operations is JSON 6902; else strategic merge
        let ops: Option<&[Node]> = docs.first().and_then(Node::as_list);
        let Some(target) = target else {
            if ops.is_some() {
                self.fail(&from, "a JSON 6902 patch without `target`; not applied");
                return;
            }
            for d in docs.iter().filter(|d| d.as_map().is_some()) {
                self.strategic_by_id(&from, d, res);
            }
            return;
        };
        let mut hit = false;
        for r in res.iter_mut().filter(|r| selects(target, r)) {
            hit = true;
            match ops {
                Some(ops) => {
                    for op in ops {
                        if let Err(e) = patch::json6902(&mut r.node, op) {
                            let msg = format!(
                                "a JSON 6902 operation on {} `{}`: {e}; not applied",
                                r.kind(),
                                r.name()
                            );
                            self.failures.push(Failure {
                                path: from.clone(),
                                message: msg,
                            });
                        }
                    }
                }
                None => {
                    for d in docs.iter().filter(|d| d.as_map().is_some()) {
                        patch::strategic_merge(&mut r.node, d);
                    }
                }
            }
        }
        if !hit {
            self.fail(
                &from,
                "the patch's target matches no resource of the build; not applied",
            );
        }
    }
}

/// Whether a patch `target` selects a resource (kind and name are
/// anchored regular expressions, as kustomize reads them).
fn selects(target: &Node, r: &Res) -> bool {
    let field = |k: &str| target.get(k).and_then(Node::as_str);
    let matches = |pattern: &str, value: &str| {
        regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_or(pattern == value, |re| re.is_match(value))
    };
    if let Some(kind) = field("kind") {
        if !matches(kind, r.kind()) {
            return false;
        }
    }
    if let Some(name) = field("name") {
        if !(matches(name, r.name()) || r.names.iter().any(|n| matches(name, n))) {
            return false;
        }
    }
    if let Some(ns) = field("namespace") {
        if !matches(ns, r.namespace().unwrap_or("default")) {
            return false;
        }
    }
    let api = r
        .node
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("");
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    if field("group").is_some_and(|g| g != group) || field("version").is_some_and(|v| v != version)
    {
        return false;
    }
    for (sel, key) in [
        ("labelSelector", "labels"),
        ("annotationSelector", "annotations"),
    ] {
        if let Some(s) = field(sel) {
            let have = r.node.get("metadata").and_then(|m| m.get(key));
            let ok = s
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .all(|term| {
                    match term
                        .split_once("!=")
                        .map(|(k, v)| (k, v, false))
                        .or_else(|| {
                            term.split_once("==")
                                .or_else(|| term.split_once('='))
                                .map(|(k, v)| (k, v, true))
                        }) {
                        Some((k, v, eq)) => {
                            let got = have.and_then(|h| h.get(k.trim())).and_then(Node::as_str);
                            (got == Some(v.trim())) == eq
                        }
                        None => have.and_then(|h| h.get(term)).is_some(),
                    }
                });
            if !ok {
                return false;
            }
        }
    }
    true
}

/// An entry for a new map key, pointing at `at`.
fn entry(key: &str, value: Node, at: Span) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: at,
        value,
    }
}

#[cfg(test)]
mod tests;
