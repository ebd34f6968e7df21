//! Terraform: `resource` and `data` blocks (HCL and `.tf.json` share one shape),
//! the file as a whole (type `file`: its `provider`, `variable`, `locals`…
//! blocks, as written), and the variables whose literal defaults rules may see
//! through `var.x`.
use super::Push;
use crate::document::{Node, Value};
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    for (block, prefix) in [("resource", ""), ("data", "data.")] {
        let Some(entries) = doc.as_map() else { return };
        for top in entries.iter().filter(|e| e.key == block) {
            for by_type in top.value.as_map().unwrap_or(&[]) {
                for by_name in by_type.value.as_map().unwrap_or(&[]) {
                    let ty = format!("{prefix}{}", by_type.key);
                    let address = format!("{ty}.{}", by_name.key);
                    let header = top.key_span.join(by_name.key_span);
                    // `.tf.json` allows a list of bodies for one name
                    match &by_name.value.value {
                        Value::List(bodies) => {
                            for body in bodies {
                                push(Target::Terraform, &ty, address.clone(), body, header);
                            }
                        }
                        _ => push(Target::Terraform, &ty, address, &by_name.value, header),
                    }
                }
            }
        }
    }
}

/// The file as written, as one resource of type `file`: rules on the blocks
/// that are not resources (credentials in a `provider` block, a literal
/// default of a `variable`). Not evaluated, so once per file whoever calls
/// its module.
pub fn file<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let header = doc
        .as_map()
        .and_then(|m| m.first())
        .map_or(doc.span, |e| e.key_span);
    push(Target::Terraform, "file", "file".into(), doc, header);
}

/// Variables of a file whose default is fully known (no expressions inside).
pub fn variables(doc: &Node) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for top in doc
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key == "variable")
    {
        for var in top.value.as_map().unwrap_or(&[]) {
            if let Some(default) = var.value.get("default") {
                if is_literal(default) {
                    out.push((var.key.as_str(), default));
                }
            }
        }
    }
    out
}

fn is_literal(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) => false,
        Value::String(s) => !s.contains("${"),
        Value::List(items) => items.iter().all(is_literal),
        Value::Map(entries) => entries.iter().all(|e| is_literal(&e.value)),
        _ => true,
    }
}
