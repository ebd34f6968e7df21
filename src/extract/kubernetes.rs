//! Kubernetes: every document with `apiVersion` and `kind`; for the kinds that
//! carry pods, also the pod spec (`pod_spec`) and each container (`container`)
//! so rules are written once for Pod, Deployment, CronJob, …
use super::{entry_header, Push};
use crate::document::Node;
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        return;
    };
    if doc.get("apiVersion").is_none() {
        return;
    }
    if kind == "List" {
        for item in doc.get("items").and_then(Node::as_list).unwrap_or(&[]) {
            extract(item, push);
        }
        return;
    }
    let meta = doc.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("unnamed");
    let address = match meta.and_then(|m| m.get("namespace")).and_then(Node::as_str) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    };
    let header = entry_header(doc, "kind").unwrap_or(doc.span);
    push(Target::Kubernetes, kind, address.clone(), doc, header);

    let Some(pod_spec) = pod_spec(doc, kind) else {
        return;
    };
    let spec_header = pod_header(doc, kind).unwrap_or(header);
    push(
        Target::Kubernetes,
        "pod_spec",
        address.clone(),
        pod_spec,
        spec_header,
    );
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for c in pod_spec.get(list).and_then(Node::as_list).unwrap_or(&[]) {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or("unnamed");
            let ch = entry_header(c, "name").unwrap_or_else(|| c.header_span());
            push(
                Target::Kubernetes,
                "container",
                format!("{address}/{cname}"),
                c,
                ch,
            );
        }
    }
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
