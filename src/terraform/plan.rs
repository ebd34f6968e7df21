//! `terraform show -json` plans: the planned resources (`resource_changes`
//! after-values, else `planned_values`), with attributes listed in
//! `after_unknown` kept unknown, and a way back to the source: the
//! `configuration` section names each module call's source, so a resource's
//! configuration address leads to its block in the module's files.
use super::module::join_dir;
use crate::document::{Entry, Node, Span, Value};

use super::value::unknown;

/// A resource as the plan will leave it.
pub struct PlanResource {
    /// `module.a["x"].aws_s3_bucket.b[0]`
    pub address: String,
    /// `aws_s3_bucket` (`data.aws_…` for data sources).
    pub ty: String,
    /// `aws_s3_bucket.b`: the block's name in its module.
    pub local: String,
    /// Module call names from the root (`["a"]`).
    pub modules: Vec<String>,
    /// The values, spans in the plan file.
    pub body: Node,
    /// The resource's entry in the plan file.
    pub header: Span,
}

pub fn resources(plan: &Node) -> Vec<PlanResource> {
    let mut out = Vec::new();
    if let Some(changes) = plan.get("resource_changes").and_then(Node::as_list) {
        for rc in changes {
            let Some(change) = rc.get("change") else {
                continue;
            };
            let deleted = change
                .get("actions")
                .and_then(Node::as_list)
                .is_some_and(|a| a.iter().all(|x| x.as_str() == Some("delete")));
            let Some(after) = change.get("after").filter(|a| a.as_map().is_some()) else {
                continue;
            };
            if deleted {
                continue;
            }
            let mut body = after.clone();
            if let Some(u) = change.get("after_unknown") {
                mark_unknown(&mut body, u);
            }
            if let Some(r) = resource(rc, body) {
                out.push(r);
            }
        }
        return out;
    }
    if let Some(root) = plan
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        planned(root, &mut out);
    }
    out
}

fn planned(module: &Node, out: &mut Vec<PlanResource>) {
    for r in module
        .get("resources")
        .and_then(Node::as_list)
        .unwrap_or(&[])
    {
        if let Some(values) = r.get("values").filter(|v| v.as_map().is_some()) {
            if let Some(res) = resource(r, values.clone()) {
                out.push(res);
            }
        }
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_list)
        .unwrap_or(&[])
    {
        planned(child, out);
    }
}

fn resource(r: &Node, body: Node) -> Option<PlanResource> {
    let address = r.get("address")?.as_str()?.to_string();
    let ty = r.get("type")?.as_str()?;
    let name = r.get("name")?.as_str()?;
    let data = r.get("mode").and_then(Node::as_str) == Some("data");
    let ty = if data {
        format!("data.{ty}")
    } else {
        ty.to_string()
    };
    let modules = module_names(&address);
    let header = r
        .entry("address")
        .map(|e| e.key_span.join(e.value.span))
        .unwrap_or(r.span);
    Some(PlanResource {
        local: format!("{ty}.{name}"),
        address,
        ty,
        modules,
        body,
        header,
    })
}

/// `module.a["x"].module.b.aws_s3_bucket.c[0]` → `["a", "b"]`.
fn module_names(address: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        let end = r.find(['.', '[']).unwrap_or(r.len());
        out.push(r[..end].to_string());
        let mut depth = 0;
        let mut next = r.len();
        for (i, c) in r.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                '.' if depth == 0 => {
                    next = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &r[next.min(r.len())..];
    }
    out
}

/// Attributes marked `true` in `after_unknown` become unknown.
fn mark_unknown(body: &mut Node, u: &Node) {
    match (&mut body.value, &u.value) {
        (Value::Map(entries), Value::Map(flags)) => {
            for f in flags {
                match &f.value.value {
                    Value::Bool(true) => {
                        let span = body_span(entries, &f.key).unwrap_or(f.value.span);
                        entries.retain(|e| e.key != f.key);
                        entries.push(Entry {
                            key: f.key.clone(),
                            key_span: span,
                            value: unknown("(known after apply)", span),
                        });
                    }
                    _ => {
                        if let Some(e) = entries.iter_mut().find(|e| e.key == f.key) {
                            mark_unknown(&mut e.value, &f.value);
                        }
                    }
                }
            }
        }
        (Value::List(items), Value::List(flags)) => {
            for (i, f) in items.iter_mut().zip(flags) {
                if f.value == Value::Bool(true) {
                    let span = i.span;
                    *i = unknown("(known after apply)", span);
                } else {
                    mark_unknown(i, f);
                }
            }
        }
        _ => {}
    }
}

fn body_span(entries: &[Entry], key: &str) -> Option<Span> {
    entries.iter().find(|e| e.key == key).map(|e| e.value.span)
}

/// The directory (relative to the source root) of the module a resource is in,
/// following `configuration.root_module.module_calls.<name>.source`.
pub fn module_dir(plan: &Node, modules: &[String]) -> Option<String> {
    let mut dir = String::new();
    let mut module = plan.get("configuration")?.get("root_module")?;
    for m in modules {
        let call = module.get("module_calls")?.get(m)?;
        let source = call.get("source")?.as_str()?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        dir = join_dir(&dir, source)?;
        module = call.get("module")?;
    }
    Some(dir)
}

/// The keys leading from `root` to the node with exactly `span`.
pub fn path_to(root: &Node, span: Span) -> Option<Vec<PathKey>> {
    if root.span == span {
        return Some(Vec::new());
    }
    if !(root.span.start <= span.start && span.end <= root.span.end) {
        return None;
    }
    match &root.value {
        Value::Map(entries) => entries.iter().find_map(|e| {
            if e.key_span == span {
                return Some(vec![PathKey::Key(e.key.clone())]);
            }
            let mut p = path_to(&e.value, span)?;
            p.insert(0, PathKey::Key(e.key.clone()));
            Some(p)
        }),
        Value::List(items) => items.iter().enumerate().find_map(|(i, n)| {
            let mut p = path_to(n, span)?;
            p.insert(0, PathKey::Index(i));
            Some(p)
        }),
        _ => None,
    }
}

pub enum PathKey {
    Key(String),
    Index(usize),
}

/// The span in a source block body of the deepest node along `path`
/// (nested blocks written once are a map where the plan has a one-element list).
pub fn source_span(body: &Node, path: &[PathKey]) -> Option<Span> {
    let mut node = body;
    let mut best = None;
    for k in path {
        let next = match (k, &node.value) {
            (PathKey::Key(k), Value::Map(_)) => node.entry(k).map(|e| {
                best = Some(match &e.value.value {
                    Value::Map(_) | Value::List(_) => e.key_span,
                    _ => e.value.span,
                });
                &e.value
            }),
            (PathKey::Index(i), Value::List(items)) => items.get(*i),
            (PathKey::Index(0), Value::Map(_)) => Some(node),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    best
}
