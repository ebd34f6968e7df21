//! Kustomize's built-in generators and transformers. A value a transformer
//! writes points at the kustomization line that asked for it (the `newTag`
//! of `images`, the `count` of `replicas`, the literal of a generator).
use base64::Engine as _;

use super::tree::{self, map_at, set};
use super::{entry, join_relative, Builder, Res, Role};
use crate::document::{Node, Span, Value};

/// Kinds that have no namespace.
const CLUSTER_SCOPED: [&str; 16] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "PodSecurityPolicy",
    "Node",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "VolumeSnapshotClass",
];

/// Workloads whose pod template and selector carry common labels.
const WORKLOADS: [&str; 4] = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

pub fn namespace(k: &Node, res: &mut [Res]) {
    let Some(ns) = k.get("namespace").filter(|n| n.as_str().is_some()) else {
        return;
    };
    for r in res
        .iter_mut()
        .filter(|r| !CLUSTER_SCOPED.contains(&r.kind()))
    {
        if let Some(meta) = map_at(&mut r.node, &["metadata"], ns.span) {
            set(meta, "namespace", ns.clone(), ns.span);
        }
    }
}

pub fn names(k: &Node, res: &mut [Res]) {
    let prefix = k.get("namePrefix").and_then(Node::as_str).unwrap_or("");
    let suffix = k.get("nameSuffix").and_then(Node::as_str).unwrap_or("");
    if prefix.is_empty() && suffix.is_empty() {
        return;
    }
    for r in res
        .iter_mut()
        .filter(|r| r.kind() != "CustomResourceDefinition")
    {
        let old = r.name().to_string();
        if !r.names.contains(&old) {
            r.names.push(old.clone());
        }
        if let Some(name) =
            tree::get_mut(&mut r.node, "metadata").and_then(|m| tree::get_mut(m, "name"))
        {
            // the base's name line stays the place of the name
            name.value = Value::String(format!("{prefix}{old}{suffix}"));
        }
    }
}

/// `commonLabels` (metadata, selectors and pod templates), `labels` (as
/// each entry's `includeSelectors`/`includeTemplates` say) and
/// `commonAnnotations` (metadata and pod templates).
pub fn labels(k: &Node, res: &mut [Res]) {
    let mut sets: Vec<(&[crate::document::Entry], &str, bool, bool)> = Vec::new();
    if let Some(m) = k.get("commonLabels").and_then(Node::as_map) {
        sets.push((m, "labels", true, true));
    }
    for l in k.get("labels").and_then(Node::as_list).unwrap_or_default() {
        let Some(pairs) = l.get("pairs").and_then(Node::as_map) else {
            continue;
        };
        let flag = |f: &str| matches!(l.get(f).map(|n| &n.value), Some(Value::Bool(true)));
        let selectors = flag("includeSelectors");
        sets.push((
            pairs,
            "labels",
            selectors,
            selectors || flag("includeTemplates"),
        ));
    }
    if let Some(m) = k.get("commonAnnotations").and_then(Node::as_map) {
        sets.push((m, "annotations", false, true));
    }
    for (pairs, field, selectors, templates) in sets {
        for r in res.iter_mut() {
            let kind = r.kind().to_string();
            let mut places: Vec<Vec<&str>> = vec![vec!["metadata", field]];
            if templates && (WORKLOADS.contains(&kind.as_str()) || kind == "Job") {
                places.push(vec!["spec", "template", "metadata", field]);
            }
            if templates && kind == "CronJob" {
                places.push(vec![
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    field,
                ]);
            }
            if selectors && field == "labels" && WORKLOADS.contains(&kind.as_str()) {
                places.push(vec!["spec", "selector", "matchLabels"]);
            }
            if selectors && field == "labels" && kind == "Service" {
                places.push(vec!["spec", "selector"]);
            }
            for place in places {
                let at = pairs.first().map_or(Span::default(), |e| e.key_span);
                if let Some(m) = map_at(&mut r.node, &place, at) {
                    for e in pairs {
                        set(m, &e.key, e.value.clone(), e.key_span);
                    }
                }
            }
        }
    }
}

pub fn replicas(k: &Node, res: &mut [Res]) {
    for rep in k
        .get("replicas")
        .and_then(Node::as_list)
        .unwrap_or_default()
    {
        let (Some(name), Some(count)) = (rep.get("name").and_then(Node::as_str), rep.get("count"))
        else {
            continue;
        };
        for r in res.iter_mut().filter(|r| {
            matches!(
                r.kind(),
                "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
            ) && r.named(name)
        }) {
            if let Some(spec) = map_at(&mut r.node, &["spec"], count.span) {
                set(spec, "replicas", count.clone(), count.span);
            }
        }
    }
}

/// An image reference's name (before its tag or digest).
fn image_name(image: &str) -> (&str, &str) {
    if let Some(i) = image.find('@') {
        return (&image[..i], &image[i..]);
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (&image[..slash + i], &image[slash + i..]),
        None => (image, ""),
    }
}

pub fn images(k: &Node, res: &mut [Res]) {
    let list = k.get("images").and_then(Node::as_list).unwrap_or_default();
    if list.is_empty() {
        return;
    }
    for r in res.iter_mut() {
        containers(&mut r.node, &mut |c| {
            let Some(image) = c.get("image").and_then(Node::as_str).map(str::to_string) else {
                return;
            };
            let (name, tail) = image_name(&image);
            for i in list {
                if i.get("name").and_then(Node::as_str) != Some(name) {
                    continue;
                }
                let new_name = i.get("newName").and_then(Node::as_str).unwrap_or(name);
                let digest = i.get("digest").and_then(Node::as_str);
                let tag = i.get("newTag").and_then(|t| match &t.value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(crate::document::format_number(*n)),
                    _ => None,
                });
                let new = match (digest, &tag) {
                    (Some(d), _) => format!("{new_name}@{d}"),
                    (None, Some(t)) => format!("{new_name}:{t}"),
                    (None, None) => format!("{new_name}{tail}"),
                };
                // the line that decided the reference
                let at = ["digest", "newTag", "newName", "name"]
                    .iter()
                    .find_map(|f| i.get(f))
                    .map_or(i.span, |n| n.span);
                set(c, "image", Node::string(new, at), at);
                break;
            }
        });
    }
}

/// Calls `f` on every container of a resource (any depth: pods, pod
/// templates, job templates).
fn containers(n: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    match &mut n.value {
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                if matches!(
                    e.key.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                ) {
                    if let Value::List(items) = &mut e.value.value {
                        items
                            .iter_mut()
                            .filter(|i| i.as_map().is_some())
                            .for_each(&mut *f);
                        continue;
                    }
                }
                containers(&mut e.value, f);
            }
        }
        Value::List(items) => items.iter_mut().for_each(|i| containers(i, f)),
        _ => {}
    }
}

/// `configMapGenerator` and `secretGenerator`: a ConfigMap or Secret per
/// entry (or merged into the base's with `behavior: merge|replace`).
pub fn generators(b: &mut Builder, dir: &str, path: &str, k: &Node, res: &mut Vec<Res>) {
    let options = k.get("generatorOptions");
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for g in k.get(field).and_then(Node::as_list).unwrap_or_default() {
            let Some(name_node) = g.get("name").filter(|n| n.as_str().is_some()) else {
                b.fail(
                    path,
                    format!("a `{field}` entry without `name`; not generated"),
                );
                continue;
            };
            let name = name_node.as_str().unwrap_or_default();
            let at = name_node.span;
            let data = generated_data(b, dir, path, g, kind == "Secret");
            let behavior = g.get("behavior").and_then(Node::as_str).unwrap_or("create");
            if behavior != "create" {
                let Some(r) = res.iter_mut().find(|r| r.kind() == kind && r.named(name)) else {
                    b.fail(path, format!("`{field}` `{name}` has behavior `{behavior}` but the build has no {kind} of that name; not generated"));
                    continue;
                };
                let Some(m) = map_at(&mut r.node, &["data"], at) else {
                    continue;
                };
                if behavior == "replace" {
                    m.value = Value::Map(Vec::new());
                }
                for e in data {
                    set(m, &e.key, e.value, e.key_span);
                }
                continue;
            }
            let mut meta = vec![entry("name", name_node.clone(), at)];
            if let Some(ns) = g.get("namespace") {
                meta.push(entry("namespace", ns.clone(), ns.span));
            }
            for opts in [options, g.get("options")].into_iter().flatten() {
                for f in ["labels", "annotations"] {
                    if let Some(m) = opts.get(f).filter(|m| m.as_map().is_some()) {
                        meta.push(entry(f, m.clone(), m.span));
                    }
                }
            }
            let mut body = vec![
                entry("apiVersion", Node::string("v1", at), at),
                entry("kind", Node::string(kind, at), at),
                entry("metadata", Node::map(meta, at), at),
            ];
            if kind == "Secret" {
                let ty = g.get("type").cloned().unwrap_or(Node::string("Opaque", at));
                body.push(entry("type", ty, at));
            }
            body.push(entry("data", Node::map(data, at), at));
            res.push(Res::new(Node::map(body, at)));
        }
    }
}

/// The data of one generator entry: `literals` (`KEY=VALUE`), `files`
/// (`[KEY=]PATH`, the whole file), `envs`/`env` (`KEY=VALUE` lines). Secret
/// values are base64-encoded, as kustomize writes them; every value points
/// at the bytes it came from.
fn generated_data(
    b: &mut Builder,
    dir: &str,
    path: &str,
    g: &Node,
    secret: bool,
) -> Vec<crate::document::Entry> {
    let mut data: Vec<crate::document::Entry> = Vec::new();
    let mut put = |key: &str, value: &str, key_at: Span, value_at: Span| {
        let v = if secret {
            base64::engine::general_purpose::STANDARD.encode(value)
        } else {
            value.to_string()
        };
        data.retain(|e| e.key != key);
        data.push(entry(key, Node::string(v, value_at), key_at));
    };
    for lit in g
        .get("literals")
        .and_then(Node::as_list)
        .unwrap_or_default()
    {
        let Some(s) = lit.as_str() else { continue };
        let Some((key, value)) = s.split_once('=') else {
            b.fail(
                path,
                format!(
                    "literal `{key}` is not KEY=VALUE; left out",
                    key = s.split(':').next().unwrap_or("")
                ),
            );
            continue;
        };
        let start = lit.span.start + usize::from(lit.span.len() > s.len());
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        put(
            key,
            value,
            Span::new(start, start + key.len()),
            Span::new(start + key.len() + 1, lit.span.end),
        );
    }
    let file_list = |field: &str| -> Vec<String> {
        match g.get(field).map(|n| &n.value) {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let files = file_list("files");
    let envs: Vec<String> = file_list("envs")
        .into_iter()
        .chain(file_list("env"))
        .collect();
    for f in files {
        let (key, rel) = match f.split_once('=') {
            Some((k, p)) => (k.to_string(), p.to_string()),
            None => (f.rsplit('/').next().unwrap_or(&f).to_string(), f.clone()),
        };
        let Some((src, text)) = read_input(b, dir, path, &rel) else {
            continue;
        };
        let base = b.space.base(src);
        let whole = Span::new(base, base + text.len());
        put(&key, &text, Span::new(base, base), whole);
    }
    for f in envs {
        let Some((src, text)) = read_input(b, dir, path, &f) else {
            continue;
        };
        let base = b.space.base(src);
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let trimmed = body.trim_start();
            let lead = body.len() - trimmed.len();
            if let Some((key, value)) = trimmed
                .split_once('=')
                .filter(|_| !trimmed.starts_with('#'))
            {
                let s = base + at + lead;
                put(
                    key.trim(),
                    value,
                    Span::new(s, s + key.len()),
                    Span::new(s + key.len() + 1, base + at + body.len()),
                );
            }
            at += line.len();
        }
    }
    data
}

fn read_input(
    b: &mut Builder,
    dir: &str,
    path: &str,
    rel: &str,
) -> Option<(usize, std::sync::Arc<str>)> {
    let Some(full) = join_relative(dir, rel) else {
        b.fail(
            path,
            format!("generator input `{rel}` is outside the scanned tree; left out"),
        );
        return None;
    };
    match b.space.load(b.files, &full) {
        Ok(src) => {
            b.read(&full, Role::GeneratorInput);
            Some((src, b.space.text(src).clone()))
        }
        Err(e) => {
            b.fail(path, format!("generator input `{rel}`: {e}; left out"));
            None
        }
    }
}
