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
