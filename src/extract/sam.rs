//! AWS SAM (`Transform: AWS::Serverless-2016-10-31`): the template's
//! `Globals` section applied to its serverless resources, as the transform
//! does, before rules see them.
//!
//! Rules name the SAM types (`AWS::Serverless::Function`) with SAM's own
//! property paths (`Tracing`, `DeadLetterQueue`) rather than the extractor
//! expanding each SAM resource into the CloudFormation ones SAM generates:
//! the SAM property is the line a user edits, and a rule's logic stays in
//! its TOML. What the rules cannot see without help is `Globals`: a
//! `Globals: Function:` value holds for every `AWS::Serverless::Function`
//! that does not set its own. It is merged in here with its own spans, so a
//! finding on a value set in `Globals` points at the `Globals` line.
use crate::document::{Entry, Node, Value};

/// The transform that makes a template a SAM template.
const TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Whether the template is a SAM template: it declares the transform
/// (`Transform` is a name or a list of them), or has a serverless resource,
/// which deploys only through it (SAM's own test templates leave the
/// `Transform` out).
pub fn is_sam(doc: &Node) -> bool {
    let declared = match doc.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => s == TRANSFORM,
        Some(Value::List(items)) => items.iter().any(|t| t.as_str() == Some(TRANSFORM)),
        _ => false,
    };
    declared
        || doc
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .any(|r| {
                r.value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            })
}

/// Merges each `Globals: KIND:` section into the `Properties` of every
/// `AWS::Serverless::KIND` resource of each SAM template of `docs`.
pub fn apply_globals(docs: &mut [Node]) {
    for doc in docs {
        if !is_sam(doc) {
            continue;
        }
        let Some(globals) = doc.get("Globals").and_then(Node::as_map) else {
            continue;
        };
        let globals: Vec<Entry> = globals.to_vec();
        let Value::Map(entries) = &mut doc.value else {
            continue;
        };
        // the last `Resources` wins on lookup, as everywhere
        let Some(resources) = entries.iter_mut().rev().find(|e| e.key == "Resources") else {
            continue;
        };
        let Value::Map(resources) = &mut resources.value.value else {
            continue;
        };
        for r in resources.iter_mut() {
            let Some(kind) = r
                .value
                .get("Type")
                .and_then(Node::as_str)
                .and_then(|t| t.strip_prefix("AWS::Serverless::"))
            else {
                continue;
            };
            let Some(section) = globals.iter().rev().find(|g| g.key == kind) else {
                continue;
            };
            if section.value.as_map().is_none() {
                continue;
            }
            let Value::Map(body) = &mut r.value.value else {
                continue;
            };
            match body.iter_mut().rev().find(|e| e.key == "Properties") {
                Some(props) => merge(&section.value, &mut props.value),
                // a resource with no properties takes the section whole
                None => body.push(Entry {
                    key: "Properties".into(),
                    key_span: section.key_span,
                    value: section.value.clone(),
                }),
            }
        }
    }
}

/// SAM's merge of a global value into a resource's: maps merge key by key
/// (the resource's value of a key wins, maps within merge again), lists are
/// the global items followed by the resource's, and a resource's scalar (or
/// intrinsic function) replaces the global one.
fn merge(global: &Node, local: &mut Node) {
    match (&global.value, &mut local.value) {
        (Value::Map(g), Value::Map(l)) if !is_intrinsic(global) && !is_intrinsic_map(l) => {
            for ge in g {
                match l.iter_mut().rev().find(|le| le.key == ge.key) {
                    Some(le) => merge(&ge.value, &mut le.value),
                    None => l.push(ge.clone()),
                }
            }
        }
        (Value::List(g), Value::List(l)) => {
            let mut items = g.clone();
            items.append(l);
            *l = items;
        }
        _ => {}
    }
}

/// A map that is a function application (`{"Ref": …}`, `{"Fn::If": …}`):
/// SAM replaces it whole rather than merging into it.
fn is_intrinsic(node: &Node) -> bool {
    node.as_map().is_some_and(is_intrinsic_map)
}

fn is_intrinsic_map(entries: &[Entry]) -> bool {
    matches!(entries, [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
}
