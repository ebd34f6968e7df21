//! Markdown policy documents: one `policy` resource per file (front matter and
//! headings).
use super::Push;
use crate::document::{Node, Span};
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let header = doc
        .entry("front_matter")
        .map(|e| e.key_span)
        .unwrap_or(Span::new(0, 0));
    let name = doc
        .get("front_matter")
        .and_then(|f| f.get("title"))
        .or_else(|| doc.get("title"))
        .and_then(Node::as_str)
        .unwrap_or("policy")
        .to_string();
    push(Target::PolicyDocument, "policy", name, doc, header);
}
