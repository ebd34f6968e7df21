//! Kubernetes: every document with `apiVersion` and `kind`; for the kinds that
//! carry pods, also the pod spec (`pod_spec`) and each container (`container`)
//! so rules are written once for Pod, Deployment, CronJob, …
//!
//! A list (`kind: List`, or a typed list such as `DeploymentList`) is its
//! items. A custom resource whose kind has a built-in kind's name in another
//! API group (Knative's `serving.knative.dev` `Service`) is not that kind:
//! it is typed `GROUP/KIND`, so the built-in kind's rules leave it alone.
use super::entry_header;
use crate::document::{Node, Span};

/// One resource of a Kubernetes document, with what names and selects it.
pub struct Object<'a> {
    pub ty: String,
    pub address: String,
    pub body: &'a Node,
    pub header: Span,
    pub namespace: Option<&'a str>,
    pub labels: Option<&'a Node>,
}

/// Where each resource of a document goes.
pub type Push<'p, 'a> = dyn FnMut(Object<'a>) + 'p;

/// Built-in kinds the rules name, and the API groups that serve them (`""`:
/// the core group, `apiVersion: v1`).
const BUILT_IN: &[(&str, &[&str])] = &[
    ("ConfigMap", &[""]),
    ("CronJob", &["batch"]),
    ("DaemonSet", &["apps", "extensions"]),
    ("Deployment", &["apps", "extensions"]),
    ("Ingress", &["networking.k8s.io", "extensions"]),
    ("Job", &["batch"]),
    ("Namespace", &[""]),
    ("NetworkPolicy", &["networking.k8s.io", "extensions"]),
    ("PersistentVolume", &[""]),
    ("PersistentVolumeClaim", &[""]),
    ("Pod", &[""]),
    ("PodSecurityPolicy", &["policy", "extensions"]),
    ("PodTemplate", &[""]),
    ("ReplicaSet", &["apps", "extensions"]),
    ("ReplicationController", &[""]),
    ("Role", &["rbac.authorization.k8s.io"]),
    ("RoleBinding", &["rbac.authorization.k8s.io"]),
    ("ClusterRole", &["rbac.authorization.k8s.io"]),
    ("ClusterRoleBinding", &["rbac.authorization.k8s.io"]),
    ("Secret", &[""]),
    ("Service", &[""]),
    ("ServiceAccount", &[""]),
    ("StatefulSet", &["apps"]),
];

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The type rules see for `kind` served by `api_version`: the kind itself,
/// unless it is a built-in kind's name in a group that does not serve it.
fn resource_type<'k>(kind: &'k str, api_version: &str) -> std::borrow::Cow<'k, str> {
    let g = group(api_version);
    match BUILT_IN.iter().find(|(k, _)| *k == kind) {
        Some((_, groups)) if !groups.contains(&g) => format!("{g}/{kind}").into(),
        _ => kind.into(),
    }
}

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        return;
    };
    let Some(api_version) = doc.get("apiVersion") else {
        return;
    };
    let api_version = api_version.as_str().unwrap_or("");
    extract_as(doc, kind, api_version, push);
}

/// `doc` as a resource of `kind` (a typed list's items say neither).
fn extract_as<'a>(doc: &'a Node, kind: &str, api_version: &str, push: &mut Push<'_, 'a>) {
    if let Some(items) = list_items(doc, kind) {
        // a typed list's items are of its kind, in its group
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        for item in items {
            let own_kind = item.get("kind").and_then(Node::as_str);
            let own_version = item.get("apiVersion").and_then(Node::as_str);
            match (own_kind.or(item_kind), own_version.or(Some(api_version))) {
                (Some(k), Some(v)) if item.as_map().is_some() => extract_as(item, k, v, push),
                _ => {}
            }
        }
        return;
    }
    let ty = resource_type(kind, api_version);
    let meta = doc.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("unnamed");
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::as_str);
    let address = match namespace {
        Some(ns) => format!("{ty}/{ns}/{name}"),
        None => format!("{ty}/{name}"),
    };
    let header = entry_header(doc, "kind").unwrap_or(doc.span);
    push(Object {
        ty: ty.to_string(),
        address: address.clone(),
        body: doc,
        header,
        namespace,
        labels: meta.and_then(|m| m.get("labels")),
    });
    if ty != kind {
        // a custom resource: its own schema, none of the built-in rules
        return;
    }

    let Some(pod_spec) = pod_spec(doc, kind) else {
        return;
    };
    let pod_labels = pod_template(doc, kind)
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"));
    let spec_header = pod_header(doc, kind).unwrap_or(header);
    push(Object {
        ty: "pod_spec".to_string(),
        address: address.clone(),
        body: pod_spec,
        header: spec_header,
        namespace,
        labels: pod_labels,
    });
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in pod_spec.get(list).and_then(Node::as_list).unwrap_or(&[]) {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or("unnamed");
            let ch = entry_header(c, "name").unwrap_or_else(|| c.header_span());
            push(Object {
                ty: "container".to_string(),
                address: format!("{address}/{cname}"),
                body: c,
                header: ch,
                namespace,
                labels: pod_labels,
            });
        }
    }
}

/// The object whose `metadata` and `spec` make the pods of a pod-bearing
/// kind: the Pod itself, or the pod template.
fn pod_template<'a>(doc: &'a Node, kind: &str) -> Option<&'a Node> {
    let spec = doc.get("spec")?;
    match kind {
        "Pod" => Some(doc),
        "CronJob" => spec.get("jobTemplate")?.get("spec")?.get("template"),
        _ => spec.get("template"),
    }
}

/// The items of a list: `kind: List`, or a kind named `…List` whose
/// `items` is a list (`DeploymentList`, as the API serves lists).
fn list_items<'a>(doc: &'a Node, kind: &str) -> Option<&'a [Node]> {
    if !kind.ends_with("List") {
        return None;
    }
    let items = doc.get("items")?.as_list()?;
    (kind == "List" || doc.get("spec").is_none()).then_some(items)
}

/// The pod spec of a pod-bearing kind.
pub fn pod_spec<'a>(doc: &'a Node, kind: &str) -> Option<&'a Node> {
    let spec = doc.get("spec")?;
    match kind {
        "Pod" => Some(spec),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController"
        | "PodTemplate" => spec.get("template")?.get("spec"),
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        _ => None,
    }
}

fn pod_header(doc: &Node, kind: &str) -> Option<crate::document::Span> {
    let spec = doc.get("spec")?;
    let holder = match kind {
        "Pod" => return doc.entry("spec").map(|e| e.key_span),
        "CronJob" => spec.get("jobTemplate")?.get("spec")?.get("template")?,
        _ => spec.get("template")?,
    };
    holder.entry("spec").map(|e| e.key_span)
}
