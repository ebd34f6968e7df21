//! The chart model: `Chart.yaml`, `values.yaml`, dependencies (under
//! `charts/`, a `file://` repository path, or a sibling directory as in
//! bitnami/charts, where every chart depends on `../common`), values
//! coalesced as Helm does (user values over the chart's, subchart values
//! under the subchart's name, `global` handed down, `condition`/`tags`), and
//! the fixed objects a template sees (`.Release`, `.Chart`, `.Capabilities`,
//! `.Files`, `.Template`).
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use super::source::{Origin, Str};
use super::value::{Host, List, Map, MapEntry, Val};
use super::yaml;
use crate::render::{Files, Source};

/// Nesting of subcharts followed before giving up (a loop of `file://` paths).
const MAX_CHART_DEPTH: usize = 8;

/// The Kubernetes version `.Capabilities` reports (what `helm template` reports without a cluster).
pub const KUBE_VERSION: &str = "v1.31.0";

/// A dependency as `Chart.yaml` lists it.
#[derive(Debug, Clone, Default)]
struct DepSpec {
    name: String,
    repository: String,
    condition: String,
    tags: Vec<String>,
    alias: String,
}

/// A loaded chart.
#[derive(Debug)]
pub struct Chart {
    /// Its directory, relative to the scanned root.
    pub dir: String,
    /// Its name (a dependency's alias when it has one).
    pub name: String,
    pub library: bool,
    /// Chart.yaml as Helm's `chart.Metadata` fields.
    meta: BTreeMap<&'static str, Val>,
    values: Val,
    pub templates: Vec<TemplateFile>,
    /// Files `.Files` serves (path relative to the chart → text), read only
    /// when a template mentions `.Files`.
    files: Rc<BTreeMap<String, Rc<str>>>,
    deps: Vec<Chart>,
    specs: Vec<DepSpec>,
    /// Dependencies not found, with the reason.
    missing: Vec<(DepSpec, String)>,
}

/// A file under a chart's `templates/`.
#[derive(Debug)]
pub struct TemplateFile {
    /// Relative to the scanned root.
    pub rel: String,
    /// Relative to the chart (`templates/deployment.yaml`).
    pub inner: String,
    pub text: Result<Arc<str>, String>,
}

/// Sources of the render: templates and values files, by index.
pub struct Sources {
    pub list: Vec<Source>,
}

impl Sources {
    pub fn add(&mut self, path: String, text: Arc<str>) -> u32 {
        if let Some(i) = self.list.iter().position(|s| s.path == path) {
            return i as u32;
        }
        self.list.push(Source { path, text });
        (self.list.len() - 1) as u32
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

pub use crate::render::join_relative;

fn parent(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        return None;
    }
    Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
}

fn str_of(v: Option<&Val>) -> String {
    match v {
        Some(Val::Str(s)) => s.as_str().to_string(),
        Some(Val::Float(f, _)) => super::value::format_float_g(*f),
        Some(Val::Bool(b, _)) => b.to_string(),
        _ => String::new(),
    }
}

fn map_get(v: &Val, key: &str) -> Option<Val> {
    match v {
        Val::Map(m) => m.borrow().entries.get(key).map(|e| e.val.clone()),
        _ => None,
    }
}

/// Loads the chart in `dir` and, recursively, its dependencies.
pub fn load(
    dir: &str,
    files: &dyn Files,
    sources: &mut Sources,
    depth: usize,
) -> Result<Chart, String> {
    if depth > MAX_CHART_DEPTH {
        return Err(format!(
            "subcharts nested deeper than {MAX_CHART_DEPTH} levels"
        ));
    }
    let chart_yaml = join(dir, "Chart.yaml");
    let text = files.read(&chart_yaml)?;
    let src = Str::new(text.as_ref(), Origin::NONE);
    let meta_val = match yaml::parse_first(&src) {
        Ok(Some(v @ Val::Map(_))) => v,
        Ok(_) => return Err(format!("{chart_yaml}: not a mapping")),
        Err(e) => return Err(format!("{chart_yaml}: {e}")),
    };
    let name = str_of(map_get(&meta_val, "name").as_ref());
    if name.is_empty() {
        return Err(format!("{chart_yaml}: chart name is required"));
    }
    let library = str_of(map_get(&meta_val, "type").as_ref()) == "library";
    let mut meta: BTreeMap<&'static str, Val> = BTreeMap::new();
    for (key, field) in [
        ("name", "Name"),
        ("home", "Home"),
        ("version", "Version"),
        ("description", "Description"),
        ("icon", "Icon"),
        ("apiVersion", "APIVersion"),
        ("condition", "Condition"),
        ("tags", "Tags"),
        ("appVersion", "AppVersion"),
        ("kubeVersion", "KubeVersion"),
        ("type", "Type"),
    ] {
        meta.insert(
            field,
            Val::string(str_of(map_get(&meta_val, key).as_ref()), Origin::NONE),
        );
    }
    for (key, field) in [
        ("sources", "Sources"),
        ("keywords", "Keywords"),
        ("maintainers", "Maintainers"),
        ("annotations", "Annotations"),
        ("dependencies", "Dependencies"),
    ] {
        meta.insert(field, map_get(&meta_val, key).unwrap_or(Val::Nil));
    }
    meta.insert(
        "Deprecated",
        map_get(&meta_val, "deprecated").unwrap_or(Val::bool(false)),
    );

    let mut specs: Vec<DepSpec> = Vec::new();
    let mut spec_lists = vec![map_get(&meta_val, "dependencies")];
    if let Ok(req) = files.read(&join(dir, "requirements.yaml")) {
        if let Ok(Some(r)) = yaml::parse_first(&Str::new(req.as_ref(), Origin::NONE)) {
            spec_lists.push(map_get(&r, "dependencies"));
        }
    }
    for list in spec_lists.into_iter().flatten() {
        let Val::List(l) = list else { continue };
        for d in &l.items {
            let tags = match map_get(d, "tags") {
                Some(Val::List(t)) => t.items.iter().map(|t| str_of(Some(t))).collect(),
                _ => Vec::new(),
            };
            specs.push(DepSpec {
                name: str_of(map_get(d, "name").as_ref()),
                repository: str_of(map_get(d, "repository").as_ref()),
                condition: str_of(map_get(d, "condition").as_ref()),
                tags,
                alias: str_of(map_get(d, "alias").as_ref()),
            });
        }
    }

    let values_path = join(dir, "values.yaml");
    let values = match files.read(&values_path) {
        Ok(text) => {
            let src = sources.add(values_path.clone(), text.clone());
            match yaml::parse_first(&Str::new(text.as_ref(), Origin::exact(src, 0))) {
                Ok(Some(v @ Val::Map(_))) => v,
                Ok(None | Some(Val::Nil)) => Val::empty_map(),
                Ok(Some(_)) => return Err(format!("{values_path}: values are not a mapping")),
                Err(e) => return Err(format!("{values_path}: {e}")),
            }
        }
        Err(_) => Val::empty_map(),
    };

    let all = files.list(dir);
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut vendored_dirs: Vec<String> = Vec::new();
    let mut packaged: Vec<String> = Vec::new();
    for rel in &all {
        let inner = rel.strip_prefix(&prefix).unwrap_or(rel);
        if let Some(sub) = inner.strip_prefix("charts/") {
            match sub.split_once('/') {
                Some((d, "Chart.yaml")) => vendored_dirs.push(join(dir, &format!("charts/{d}"))),
                None if sub.ends_with(".tgz") => packaged.push(sub.to_string()),
                _ => {}
            }
            continue;
        }
        if inner.starts_with("templates/") {
            templates.push(TemplateFile {
                rel: rel.clone(),
                inner: inner.to_string(),
                text: files.read(rel),
            });
        } else if !matches!(
            inner,
            "Chart.yaml"
                | "values.yaml"
                | "Chart.lock"
                | "requirements.yaml"
                | "requirements.lock"
                | "values.schema.json"
        ) {
            other.push((rel.clone(), inner.to_string()));
        }
    }
    let mut deps: Vec<Chart> = Vec::new();
    let mut missing: Vec<(DepSpec, String)> = Vec::new();
    for v in &vendored_dirs {
        deps.push(load(v, files, sources, depth + 1)?);
    }
    for spec in &specs {
        if deps
            .iter()
            .any(|d| d.name == spec.name || d.dir.rsplit('/').next() == Some(spec.name.as_str()))
        {
            continue;
        }
        let found = resolve_dependency(dir, spec, files);
        match found {
            Some(d) => deps.push(load(&d, files, sources, depth + 1)?),
            None => {
                // rendered without it; said unless its condition disables it
                let why = match packaged.iter().find(|p| p.starts_with(&format!("{}-", spec.name))) {
                    Some(tgz) => format!(
                        "dependency `{}` is packaged as charts/{tgz}, which is not read (unpack it under charts/)",
                        spec.name
                    ),
                    None => format!(
                        "dependency `{}` (repository {}) is neither under charts/ nor a chart beside this one (run `helm dependency build`, or keep it as a sibling directory)",
                        spec.name,
                        if spec.repository.is_empty() { "none" } else { &spec.repository }
                    ),
                };
                missing.push((spec.clone(), why));
            }
        }
    }
    // aliases rename a dependency
    for spec in &specs {
        if spec.alias.is_empty() {
            continue;
        }
        if let Some(d) = deps.iter_mut().find(|d| d.name == spec.name) {
            d.name = spec.alias.clone();
        }
    }
    let wants_files = templates
        .iter()
        .any(|t| t.text.as_ref().is_ok_and(|t| t.contains(".Files")));
    let mut served = BTreeMap::new();
    if wants_files {
        for (rel, inner) in other {
            if let Ok(t) = files.read(&rel) {
                served.insert(inner, Rc::from(t.as_ref()));
            }
        }
    }
    Ok(Chart {
        dir: dir.to_string(),
        name,
        library,
        meta,
        values,
        templates,
        files: Rc::new(served),
        deps,
        specs,
        missing,
    })
}

/// A dependency's directory: `file://` paths, then a sibling directory named
/// after it whose `Chart.yaml` has that name.
fn resolve_dependency(dir: &str, spec: &DepSpec, files: &dyn Files) -> Option<String> {
    let has_chart = |d: &str| files.read(&join(d, "Chart.yaml")).is_ok();
    if let Some(path) = spec.repository.strip_prefix("file://") {
        let d = join_relative(dir, path)?;
        return has_chart(&d).then_some(d);
    }
    let sibling = join(parent(dir)?, &spec.name);
    if sibling == dir || !has_chart(&sibling) {
        return None;
    }
    let text = files.read(&join(&sibling, "Chart.yaml")).ok()?;
    let meta = yaml::parse_first(&Str::new(text.as_ref(), Origin::NONE)).ok()??;
    (str_of(map_get(&meta, "name").as_ref()) == spec.name).then_some(sibling)
}

// ---------------------------------------------------------------------------
// values

fn new_map() -> Rc<RefCell<Map>> {
    Rc::new(RefCell::new(Map::default()))
}

/// Helm's `coalesceTables`: `dst` (user values) wins; `src` (chart values)
/// fills what is missing; a null in `dst` removes the key.
fn coalesce_tables(dst: &Rc<RefCell<Map>>, src: &Rc<RefCell<Map>>, depth: usize) {
    if depth > 64 || Rc::ptr_eq(dst, src) {
        return;
    }
    let src_entries: Vec<(String, MapEntry)> = src
        .borrow()
        .entries
        .iter()
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    for (k, se) in src_entries {
        let de = dst.borrow().entries.get(&k).map(|e| e.val.clone());
        match de {
            None => {
                dst.borrow_mut().entries.insert(
                    k,
                    MapEntry {
                        key_origin: se.key_origin,
                        val: se.val.deep_copy(),
                    },
                );
            }
            Some(Val::Nil) => {
                dst.borrow_mut().entries.remove(&k);
            }
            Some(Val::Map(dm)) => {
                if let Val::Map(sm) = &se.val {
                    coalesce_tables(&dm, sm, depth + 1);
                }
            }
            Some(_) => {}
        }
    }
}

/// Helm's `coalesce`: the chart's values under `v`, then each dependency's
/// under its name, with the parent's globals handed down.
fn coalesce(chart: &Chart, v: &Rc<RefCell<Map>>) {
    if let Val::Map(cv) = &chart.values {
        coalesce_tables(v, cv, 0);
    }
    for dep in &chart.deps {
        let sub = match v.borrow().entries.get(&dep.name).map(|e| e.val.clone()) {
            Some(Val::Map(m)) => Some(m),
            Some(_) => None,
            None => None,
        };
        let sub = match sub {
            Some(m) => m,
            None => {
                if v.borrow()
                    .entries
                    .get(&dep.name)
                    .is_some_and(|e| !matches!(e.val, Val::Nil))
                {
                    continue; // not a table: Helm warns and skips
                }
                let m = new_map();
                v.borrow_mut().entries.insert(
                    dep.name.clone(),
                    MapEntry {
                        key_origin: Origin::NONE,
                        val: Val::Map(m.clone()),
                    },
                );
                m
            }
        };
        coalesce_globals(&sub, v);
        coalesce(dep, &sub);
    }
}

/// The parent's `global` into the subchart's, the parent winning.
fn coalesce_globals(dest: &Rc<RefCell<Map>>, src: &Rc<RefCell<Map>>) {
    let Some(Val::Map(sg)) = src.borrow().entries.get("global").map(|e| e.val.clone()) else {
        return;
    };
    let dg = match dest.borrow().entries.get("global").map(|e| e.val.clone()) {
        Some(Val::Map(m)) => m,
        _ => new_map(),
    };
    let parent: Vec<(String, MapEntry)> = sg
        .borrow()
        .entries
        .iter()
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    for (k, pe) in parent {
        match &pe.val {
            Val::Map(pm) => {
                let copy = match pe.val.deep_copy() {
                    Val::Map(m) => m,
                    _ => pm.clone(),
                };
                if let Some(Val::Map(dm)) = dg.borrow().entries.get(&k).map(|e| e.val.clone()) {
                    coalesce_tables(&copy, &dm, 0);
                }
                dg.borrow_mut().entries.insert(
                    k,
                    MapEntry {
                        key_origin: pe.key_origin,
                        val: Val::Map(copy),
                    },
                );
            }
            _ => {
                dg.borrow_mut().entries.insert(k, pe);
            }
        }
    }
    dest.borrow_mut().entries.insert(
        "global".into(),
        MapEntry {
            key_origin: Origin::NONE,
            val: Val::Map(dg),
        },
    );
}

/// The value at a dotted path.
fn path_value(v: &Val, path: &str) -> Option<Val> {
    let mut cur = v.clone();
    for p in path.split('.') {
        cur = map_get(&cur, p)?;
    }
    Some(cur)
}

fn enabled(spec: &DepSpec, values: &Val, prefix: &str) -> bool {
    for cond in spec
        .condition
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if let Some(Val::Bool(b, _)) = path_value(values, &format!("{prefix}{cond}")) {
            return b;
        }
    }
    let tags = map_get(values, "tags");
    let (mut has_true, mut has_false) = (false, false);
    for t in &spec.tags {
        match tags.as_ref().and_then(|tv| map_get(tv, t)) {
            Some(Val::Bool(true, _)) => has_true = true,
            Some(Val::Bool(false, _)) => has_false = true,
            _ => {}
        }
    }
    has_true || !has_false
}

/// Drops the dependencies their `condition` or `tags` disable (Helm's
/// `processDependencyEnabled`); `values`: the coalesced top-level values.
/// Returns the reasons of the enabled dependencies that were not found.
fn prune(chart: &mut Chart, values: &Val, prefix: &str, missing: &mut Vec<String>) {
    let specs = chart.specs.clone();
    chart.deps.retain(|d| {
        specs
            .iter()
            .find(|s| d.name == s.name || (!s.alias.is_empty() && d.name == s.alias))
            .is_none_or(|spec| enabled(spec, values, prefix))
    });
    for (spec, why) in &chart.missing {
        if enabled(spec, values, prefix) {
            missing.push(format!("{}: {why}", chart.dir));
        }
    }
    for d in &mut chart.deps {
        let p = format!("{prefix}{}.", d.name);
        prune(d, values, &p, missing);
    }
}

/// Values given on the command line: `--helm-values` files (later ones win)
/// and `--helm-set` assignments over them.
pub fn user_values(files: &[(u32, &Source)], sets: &[String]) -> Result<Rc<RefCell<Map>>, String> {
    let out = new_map();
    for (src, f) in files {
        let v = yaml::parse_first(&Str::new(f.text.as_ref(), Origin::exact(*src, 0)))
            .map_err(|e| format!("{}: {e}", f.path))?;
        if let Some(Val::Map(m)) = v {
            merge_user(&out, &m);
        }
    }
    for s in sets {
        parse_set(s, &out)?;
    }
    Ok(out)
}

/// Helm's `mergeMaps` for values files: later maps win key by key.
fn merge_user(dst: &Rc<RefCell<Map>>, src: &Rc<RefCell<Map>>) {
    let entries: Vec<(String, MapEntry)> = src
        .borrow()
        .entries
        .iter()
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    for (k, se) in entries {
        let de = dst.borrow().entries.get(&k).map(|e| e.val.clone());
        if let (Some(Val::Map(dm)), Val::Map(sm)) = (&de, &se.val) {
            merge_user(dm, sm);
            continue;
        }
        dst.borrow_mut().entries.insert(k, se);
    }
}

/// One `--helm-set a.b[0].c=v,d=w` (Helm's strvals, for the common forms):
/// `true`/`false` booleans, integers as int64, `null`; `\,` and `\.` escape.
fn parse_set(s: &str, into: &Rc<RefCell<Map>>) -> Result<(), String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if n != ',' {
                        cur.push('\\');
                    }
                    cur.push(n);
                }
            }
            ',' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let (key, raw) = part
            .split_once('=')
            .ok_or_else(|| format!("--helm-set {part:?}: key has no value (want key=value)"))?;
        let value = typed(raw);
        let mut keys: Vec<String> = Vec::new();
        let mut k = String::new();
        let mut it = key.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\\' if it.peek() == Some(&'.') => {
                    k.push('.');
                    it.next();
                }
                '.' => keys.push(std::mem::take(&mut k)),
                c => k.push(c),
            }
        }
        keys.push(k);
        set_path(into, &keys, value)?;
    }
    Ok(())
}

fn typed(raw: &str) -> Val {
    match raw {
        "true" => Val::bool(true),
        "false" => Val::bool(false),
        "null" => Val::Nil,
        r if r == "0"
            || (!r.starts_with('0') && !r.starts_with("-0") && r.parse::<i64>().is_ok()) =>
        {
            Val::int64(r.parse().unwrap_or(0))
        }
        r => Val::str(r, Origin::NONE),
    }
}

fn set_path(map: &Rc<RefCell<Map>>, keys: &[String], value: Val) -> Result<(), String> {
    let (first, rest) = keys.split_first().ok_or("empty key")?;
    // `name[2]`: a list element
    let (name, index) = match first.split_once('[') {
        Some((n, i)) => (
            n.to_string(),
            Some(
                i.trim_end_matches(']')
                    .parse::<usize>()
                    .map_err(|_| format!("bad index in {first}"))?,
            ),
        ),
        None => (first.clone(), None),
    };
    if name.is_empty() {
        return Err("--helm-set: empty key".into());
    }
    let existing = map.borrow().entries.get(&name).map(|e| e.val.clone());
    let entry = |v: Val| MapEntry {
        key_origin: Origin::NONE,
        val: v,
    };
    match index {
        Some(i) => {
            if i > 1024 {
                return Err(format!("--helm-set: index {i} too large"));
            }
            let mut items = match existing {
                Some(Val::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            while items.len() <= i {
                items.push(Val::Nil);
            }
            if rest.is_empty() {
                items[i] = value;
            } else {
                let m = match &items[i] {
                    Val::Map(m) => m.clone(),
                    _ => new_map(),
                };
                set_path(&m, rest, value)?;
                items[i] = Val::Map(m);
            }
            map.borrow_mut().entries.insert(
                name,
                entry(Val::List(Rc::new(List {
                    items,
                    origin: Origin::NONE,
                }))),
            );
        }
        None if rest.is_empty() => {
            map.borrow_mut().entries.insert(name, entry(value));
        }
        None => {
            let m = match existing {
                Some(Val::Map(m)) => m,
                _ => {
                    let m = new_map();
                    map.borrow_mut()
                        .entries
                        .insert(name, entry(Val::Map(m.clone())));
                    m
                }
            };
            set_path(&m, rest, value)?;
        }
    }
    Ok(())
}

/// The values every template of the tree sees: user values coalesced with
/// the charts', after the disabled dependencies are dropped.
/// `missing`: the enabled dependencies that were not found, with the reason.
pub fn final_values(chart: &mut Chart, user: &Rc<RefCell<Map>>, missing: &mut Vec<String>) -> Val {
    let first = match Val::Map(user.clone()).deep_copy() {
        Val::Map(m) => m,
        _ => new_map(),
    };
    coalesce(chart, &first);
    prune(chart, &Val::Map(first), "", missing);
    let v = match Val::Map(user.clone()).deep_copy() {
        Val::Map(m) => m,
        _ => new_map(),
    };
    coalesce(chart, &v);
    Val::Map(v)
}

// ---------------------------------------------------------------------------
// the objects templates see

fn entry(v: Val) -> MapEntry {
    MapEntry {
        key_origin: Origin::NONE,
        val: v,
    }
}

/// Built-in API versions of Kubernetes 1.31, as `group/version` and
/// `group/version/Kind` (what `.Capabilities.APIVersions.Has` is asked).
const API_VERSIONS: &[(&str, &[&str])] = &[
    (
        "v1",
        &[
            "Binding",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        ],
    ),
    (
        "admissionregistration.k8s.io/v1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ],
    ),
    ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
    ("apiregistration.k8s.io/v1", &["APIService"]),
    (
        "apps/v1",
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
        ],
    ),
    (
        "authentication.k8s.io/v1",
        &["SelfSubjectReview", "TokenReview"],
    ),
    (
        "authorization.k8s.io/v1",
        &[
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SubjectAccessReview",
        ],
    ),
    ("autoscaling/v1", &["HorizontalPodAutoscaler"]),
    ("autoscaling/v2", &["HorizontalPodAutoscaler"]),
    ("batch/v1", &["CronJob", "Job"]),
    ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
    ("coordination.k8s.io/v1", &["Lease"]),
    ("discovery.k8s.io/v1", &["EndpointSlice"]),
    ("events.k8s.io/v1", &["Event"]),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        &["FlowSchema", "PriorityLevelConfiguration"],
    ),
    (
        "networking.k8s.io/v1",
        &["Ingress", "IngressClass", "NetworkPolicy"],
    ),
    ("node.k8s.io/v1", &["RuntimeClass"]),
    ("policy/v1", &["Eviction", "PodDisruptionBudget"]),
    (
        "rbac.authorization.k8s.io/v1",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    ),
    ("scheduling.k8s.io/v1", &["PriorityClass"]),
    (
        "storage.k8s.io/v1",
        &[
            "CSIDriver",
            "CSINode",
            "CSIStorageCapacity",
            "StorageClass",
            "VolumeAttachment",
        ],
    ),
];

fn capabilities() -> Val {
    let mut versions = Vec::new();
    for (gv, kinds) in API_VERSIONS {
        versions.push(gv.to_string());
        for k in *kinds {
            versions.push(format!("{gv}/{k}"));
        }
    }
    let kube = Val::Host(Rc::new(Host::KubeVersion {
        version: KUBE_VERSION.into(),
        major: "1".into(),
        minor: "31".into(),
    }));
    let helm = Val::Host(Rc::new(Host::Struct(
        "version.BuildInfo",
        [
            ("Version", Val::str("v3.16.0", Origin::NONE)),
            ("GitCommit", Val::str("", Origin::NONE)),
            ("GitTreeState", Val::str("clean", Origin::NONE)),
            ("GoVersion", Val::str("go1.22", Origin::NONE)),
        ]
        .into_iter()
        .collect(),
    )));
    Val::Host(Rc::new(Host::Struct(
        "*chartutil.Capabilities",
        [
            ("KubeVersion", kube),
            (
                "APIVersions",
                Val::Host(Rc::new(Host::ApiVersions(versions))),
            ),
            ("HelmVersion", helm),
        ]
        .into_iter()
        .collect(),
    )))
}

/// `.Release` as `helm template` sets it, but for the namespace: `helm
/// template` says `default`, yet the chart does not choose it (`helm install
/// -n` does, as `kubectl -n` does for a manifest without one), so it is not
/// known and a rule about it skips instead of reporting every chart as
/// deployed to `default`.
fn release() -> Val {
    Val::map(
        [
            ("Name", Val::str("release-name", Origin::NONE)),
            (
                "Namespace",
                Val::Unknown("the namespace `helm install -n` gives".into()),
            ),
            ("Service", Val::str("Helm", Origin::NONE)),
            ("IsInstall", Val::bool(true)),
            ("IsUpgrade", Val::bool(false)),
            ("Revision", Val::int(1)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), entry(v)))
        .collect(),
    )
}

/// One chart's part of a render: what its templates see.
pub struct Scope {
    pub values: Val,
    pub chart: Val,
    pub files: Val,
    /// The chart's template path prefix (`parent/charts/sub`).
    pub full_path: String,
    pub library: bool,
}

/// Every chart of the tree (the root first) with the values its templates
/// see, and its templates.
pub fn scopes<'c>(
    chart: &'c Chart,
    values: &Val,
    full_path: &str,
    root: bool,
    out: &mut Vec<(Scope, &'c Chart)>,
) {
    let mut meta = chart.meta.clone();
    meta.insert("IsRoot", Val::bool(root));
    let scope = Scope {
        values: values.clone(),
        chart: Val::Host(Rc::new(Host::Struct("chart.Metadata", meta))),
        files: Val::Host(Rc::new(Host::Files(chart.files.clone()))),
        full_path: full_path.to_string(),
        library: chart.library,
    };
    out.push((scope, chart));
    for d in &chart.deps {
        let sub = map_get(values, &d.name).unwrap_or_else(Val::empty_map);
        scopes(
            d,
            &sub,
            &format!("{full_path}/charts/{}", d.name),
            false,
            out,
        );
    }
}

/// The dot of one template.
pub fn dot(scope: &Scope, caps: &Val, release: &Val, template_name: &str) -> Val {
    let template = Val::map(
        [
            ("Name", Val::str(template_name, Origin::NONE)),
            (
                "BasePath",
                Val::string(format!("{}/templates", scope.full_path), Origin::NONE),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), entry(v)))
        .collect(),
    );
    Val::map(
        [
            ("Values", scope.values.clone()),
            ("Chart", scope.chart.clone()),
            ("Capabilities", caps.clone()),
            ("Release", release.clone()),
            ("Files", scope.files.clone()),
            ("Template", template),
            ("Subcharts", Val::empty_map()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), entry(v)))
        .collect(),
    )
}

pub fn fixed_objects() -> (Val, Val) {
    (capabilities(), release())
}
