//! IAM policies written in Terraform become `policy_statement` resources of
//! the `iam` target, so the IAM rules check them like policy JSON files:
//! `policy = jsonencode({…})` (with the spans of the object written in HCL),
//! a JSON string or heredoc, and `data "aws_iam_policy_document"` blocks
//! (translated to the JSON shape: `actions` → `Action`, `principals` →
//! `Principal`, `condition` → `Condition`…).
use super::source::FileSrc;
use super::value::respan;
use crate::document::{Entry, Limits, Node, Span, Value};

pub fn statements_of_resource(
    ty: &str,
    address: &str,
    source: &Node,
    evaluated: &Node,
    f: &FileSrc,
    jsonencode_arg: impl Fn(&Node) -> Option<Node>,
    push: &mut dyn FnMut(String, String, Node, Span),
) {
    // a VPC endpoint's policy is not an identity or resource policy
    let stmt_ty = crate::extract::statement_type(ty);
    if ty == "data.aws_iam_policy_document" {
        let stmts = match evaluated.get("statement").map(|s| &s.value) {
            Some(Value::List(items)) => items.iter().collect(),
            Some(_) => evaluated.get("statement").into_iter().collect(),
            None => Vec::new(),
        };
        for (i, s) in stmts.into_iter().enumerate() {
            if let Some(stmt) = from_document_block(s) {
                emit(address, i, stmt, stmt_ty, push);
            }
        }
        return;
    }
    let at = Place {
        address,
        ty: stmt_ty,
    };
    walk(&at, "", source, evaluated, f, &jsonencode_arg, push, 0);
}

/// Whose statements a walk emits: the resource's address and the type its
/// statements get.
struct Place<'a> {
    address: &'a str,
    ty: &'static str,
}

#[allow(clippy::too_many_arguments)]
fn walk(
    at: &Place,
    path: &str,
    source: &Node,
    evaluated: &Node,
    f: &FileSrc,
    jsonencode_arg: &dyn Fn(&Node) -> Option<Node>,
    push: &mut dyn FnMut(String, String, Node, Span),
    depth: usize,
) {
    let Some(entries) = evaluated.as_map() else {
        return;
    };
    for e in entries {
        let src = source.get(&e.key);
        let here = if path.is_empty() {
            e.key.clone()
        } else {
            format!("{path}.{}", e.key)
        };
        if e.key.contains("polic") {
            let doc = src
                .and_then(jsonencode_arg)
                .filter(|d| d.get("Statement").is_some())
                .or_else(|| {
                    e.value
                        .as_str()
                        .and_then(|s| from_json_text(s, &e.value, src, f))
                });
            if let Some(doc) = doc {
                let list: Vec<Node> = match doc.get("Statement").map(|s| &s.value) {
                    Some(Value::List(items)) => items.clone(),
                    Some(Value::Map(_)) => doc.get("Statement").cloned().into_iter().collect(),
                    _ => Vec::new(),
                };
                for (i, s) in list.into_iter().enumerate() {
                    emit(&format!("{}.{here}", at.address), i, s, at.ty, push);
                }
                continue;
            }
        }
        // nested blocks (`inline_policy { policy = … }`)
        if depth < 2 && matches!(e.value.value, Value::Map(_)) {
            if let Some(src) = src {
                walk(at, &here, src, &e.value, f, jsonencode_arg, push, depth + 1);
            }
        }
    }
}

fn emit(
    prefix: &str,
    i: usize,
    s: Node,
    ty: &str,
    push: &mut dyn FnMut(String, String, Node, Span),
) {
    if s.as_map().is_none() {
        return;
    }
    let name = s
        .get("Sid")
        .and_then(Node::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Statement[{i}]"));
    let header = ["Sid", "Effect"]
        .iter()
        .find_map(|k| s.entry(k))
        .map(|e| e.key_span.join(e.value.span))
        .unwrap_or_else(|| s.header_span());
    push(ty.into(), format!("{prefix}.{name}"), s, header);
}

/// A policy written as JSON text: spans inside the text when it is written
/// literally in the file (a heredoc), else the attribute's span.
fn from_json_text(s: &str, value: &Node, src: Option<&Node>, f: &FileSrc) -> Option<Node> {
    if !s.contains("Statement") {
        return None;
    }
    let mut doc = crate::document::json::parse(s, &Limits::default()).ok()?;
    doc.get("Statement")?;
    let literal_at = src
        .filter(|n| !n.is_expr())
        .and_then(|n| {
            f.text
                .get(n.span.start..n.span.end)
                .map(|t| (n.span.start, t))
        })
        .and_then(|(start, t)| t.find(s).map(|off| start + off));
    match literal_at {
        Some(at) if !f.json => {
            doc.shift(at);
            Some(doc)
        }
        _ => Some(respan(doc, value.span)),
    }
}

/// `statement { sid, effect, actions, resources, principals, condition }` → IAM JSON shape.
fn from_document_block(s: &Node) -> Option<Node> {
    let body = s.as_map()?;
    let mut out: Vec<Entry> = Vec::new();
    let rename = |k: &str| -> Option<&'static str> {
        Some(match k {
            "sid" => "Sid",
            "effect" => "Effect",
            "actions" => "Action",
            "not_actions" => "NotAction",
            "resources" => "Resource",
            "not_resources" => "NotResource",
            _ => return None,
        })
    };
    for e in body {
        if let Some(k) = rename(&e.key) {
            out.push(Entry {
                key: k.into(),
                key_span: e.key_span,
                value: e.value.clone(),
            });
        }
    }
    for (block, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(e) = s.entry(block) {
            let mut p: Vec<Entry> = Vec::new();
            for b in blocks_of(&e.value) {
                let (Some(t), Some(ids)) =
                    (b.get("type").and_then(Node::as_str), b.get("identifiers"))
                else {
                    continue;
                };
                p.push(Entry {
                    key: t.to_string(),
                    key_span: b.entry("type").map_or(e.key_span, |x| x.key_span),
                    value: ids.clone(),
                });
            }
            out.push(Entry {
                key: key.into(),
                key_span: e.key_span,
                value: Node::map(p, e.value.span),
            });
        }
    }
    if let Some(e) = s.entry("condition") {
        let mut c: Vec<Entry> = Vec::new();
        for b in blocks_of(&e.value) {
            let (Some(test), Some(var), Some(values)) = (
                b.get("test").and_then(Node::as_str),
                b.get("variable").and_then(Node::as_str),
                b.get("values"),
            ) else {
                continue;
            };
            let inner = Entry {
                key: var.to_string(),
                key_span: b.entry("variable").map_or(e.key_span, |x| x.key_span),
                value: values.clone(),
            };
            match c.iter_mut().find(|x| x.key == test) {
                Some(x) => {
                    if let Value::Map(m) = &mut x.value.value {
                        m.push(inner)
                    }
                }
                None => c.push(Entry {
                    key: test.to_string(),
                    key_span: b.entry("test").map_or(e.key_span, |x| x.key_span),
                    value: Node::map(vec![inner], b.span),
                }),
            }
        }
        out.push(Entry {
            key: "Condition".into(),
            key_span: e.key_span,
            value: Node::map(c, e.value.span),
        });
    }
    if !out.iter().any(|e| e.key == "Effect") {
        // the data source's default
        let at = s.header_span();
        out.insert(
            0,
            Entry {
                key: "Effect".into(),
                key_span: at,
                value: Node::string("Allow", at),
            },
        );
    }
    Some(Node::map(out, s.span))
}

fn blocks_of(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::List(items) => items.iter().collect(),
        Value::Map(_) => vec![n],
        _ => Vec::new(),
    }
}
