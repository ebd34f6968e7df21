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
    let name = title(doc).unwrap_or("policy").to_string();
    push(Target::PolicyDocument, "policy", name, doc, header);
}

/// What a policy calls itself: its front matter's `title` (or `name`, as
/// comply writes it), else its first level-1 heading.
pub fn title(doc: &Node) -> Option<&str> {
    let fm = doc.get("front_matter");
    fm.and_then(|f| f.get("title"))
        .or_else(|| fm.and_then(|f| f.get("name")))
        .and_then(Node::as_str)
        .or_else(|| doc.get("title").and_then(Node::as_str))
}
