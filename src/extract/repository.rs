//! Repository facts: one `file` resource per file found (whatever its kind), so
//! rules can forbid committed secrets by name, and one `repository` resource per
//! scanned root for rules on what must exist.
use crate::document::{Entry, Node, Span, Value};

/// The facts of one file: `path`, `name`, `extension`, `size`, `kind`.
pub fn file_facts(rel: &str, size: u64, kind: &str) -> Node {
    let at = Span::new(0, 0);
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let entry = |key: &str, value: Value| Entry {
        key: key.to_string(),
        key_span: at,
        value: Node::new(value, at),
    };
    Node::map(
        vec![
            entry("path", Value::String(rel.to_string())),
            entry("name", Value::String(name.to_string())),
            entry("extension", Value::String(ext.to_string())),
            entry("size", Value::Number(size as f64)),
            entry("kind", Value::String(kind.to_string())),
        ],
        at,
    )
}

/// What the repository resource knows of one policy document (its
/// `policies` list): `path`, and `title` and `type` when the document has
/// them, so required-policy rules can match a policy by what it says it is
/// (`information.md` titled "Information Security Policy"), not its name.
pub fn policy_facts(rel: &str, doc: &Node) -> Node {
    let at = Span::new(0, 0);
    let entry = |key: &str, value: &str| Entry {
        key: key.to_string(),
        key_span: at,
        value: Node::new(Value::String(value.to_string()), at),
    };
    let mut entries = vec![entry("path", rel)];
    if let Some(title) = super::policy_docs::title(doc) {
        entries.push(entry("title", title));
    }
    let fm = doc.get("front_matter");
    let kind = ["type", "policy"]
        .iter()
        .find_map(|k| fm.and_then(|f| f.get(k)).and_then(Node::as_str));
    if let Some(kind) = kind {
        entries.push(entry("type", kind));
    }
    Node::map(entries, at)
}

/// The `repository` resource: the policy documents found (see [`policy_facts`]).
pub fn repository_facts(policies: Vec<Node>) -> Node {
    let at = Span::new(0, 0);
    Node::map(
        vec![Entry {
            key: "policies".into(),
            key_span: at,
            value: Node::list(policies, at),
        }],
        at,
    )
}
