//! Azure Resource Manager templates: each entry of `resources` (an array,
//! or in `languageVersion` 2.0 an object keyed by symbolic name), with its
//! nested `resources` as ARM joins them: a child written inside its parent
//! has the parent's type and name before its own
//! (`Microsoft.Sql/servers` + `firewallRules` →
//! `Microsoft.Sql/servers/firewallRules`, `acme-sql/AllowOffice`). The body
//! is the whole resource, so rules see `apiVersion`, `properties`, `sku`…
//! The resources of a nested deployment's inline template
//! (`Microsoft.Resources/deployments`, `properties.template`) are resources
//! of the file too.
//! Values are those [`super::arm_values`] resolved.
use super::Push;
use crate::document::{Node, Span, Value};
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    if let Some(resources) = doc.get("resources") {
        resources_of(resources, None, push);
    }
}

/// The resources of `list`, children of `parent` (its full type and name).
fn resources_of<'a>(list: &'a Node, parent: Option<(&str, &str)>, push: &mut Push<'_, 'a>) {
    let items: Vec<(Option<&'a str>, &'a Node)> = match &list.value {
        Value::List(items) => items.iter().map(|n| (None, n)).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| (Some(e.key.as_str()), &e.value))
            .collect(),
        _ => return,
    };
    for (symbolic, r) in items {
        let Some(ty) = r.get("type").and_then(Node::as_str) else {
            continue;
        };
        let name = r.get("name").map(name_text);
        let (ty, name) = match parent {
            // a child written inside its parent names only its own segment
            Some((pty, pname)) => {
                let ty = if ty.contains('/') {
                    ty.to_string()
                } else {
                    format!("{pty}/{ty}")
                };
                (ty, name.map(|n| format!("{pname}/{n}")))
            }
            None => (ty.to_string(), name),
        };
        let address = symbolic
            .map(str::to_string)
            .or_else(|| name.clone())
            .unwrap_or_else(|| ty.clone());
        let header = super::entry_header(r, "name")
            .or_else(|| super::entry_header(r, "type"))
            .unwrap_or(Span::new(r.span.start, r.span.start + 1));
        push(Target::Arm, &ty, address.clone(), r, header);
        // a nested deployment's inline template: its resources are deployed too
        let inline = r
            .get("properties")
            .and_then(|p| p.get("template"))
            .and_then(|t| t.get("resources"))
            .filter(|_| ty.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
        if let Some(children) = r.get("resources") {
            let full_name = name.unwrap_or(address);
            resources_of(children, Some((&ty, &full_name)), push);
        }
        if let Some(nested) = inline {
            resources_of(nested, None, push);
        }
    }
}

/// A resource's name as a person reads it: the literal, or the expression
/// as written (`[parameters('name')]`) when it is not known.
fn name_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Expr(e) => format!("[{}]", e.text),
        Value::Number(n) => crate::document::format_number(*n),
        _ => String::new(),
    }
}
