//! Helpers the renderers share.
use std::borrow::Cow;

use super::model::Evidence;

/// Escapes text for HTML (and SVG) content and attributes
/// ([`crate::escape::html`]).
pub fn esc(s: &str) -> Cow<'_, str> {
    crate::escape::html(s)
}

/// A link to a scanned file, relative to the report (`#L12` for the line, as
/// code hosts read it); whole-repository findings (`.`) link to the root. It
/// starts with `./` or `../` and every byte outside RFC 3986's unreserved set
/// is percent-encoded, so a file name cannot make it a `javascript:` (or any
/// other scheme) link, a query, or a fragment.
pub fn file_href(ev: &Evidence, path: &str, line: usize) -> String {
    let target = if path == "." || path.is_empty() {
        ev.link_base.clone()
    } else {
        format!("{}{}", ev.link_base, path)
    };
    let encoded = crate::escape::uri_path(&target);
    let dot = if encoded.starts_with("../") { "" } else { "./" };
    if path == "." || path.is_empty() || line == 0 {
        format!("{dot}{encoded}")
    } else {
        format!("{dot}{encoded}#L{line}")
    }
}

pub fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

pub fn categories(ev: &Evidence) -> String {
    ev.header
        .categories
        .iter()
        .map(|c| match c {
            crate::rules::criteria::Category::Security => "security",
            crate::rules::criteria::Category::Availability => "availability",
            crate::rules::criteria::Category::ProcessingIntegrity => "processing integrity",
            crate::rules::criteria::Category::Confidentiality => "confidentiality",
            crate::rules::criteria::Category::Privacy => "privacy",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An anchor id from any text: letters and digits kept, the rest `-`.
pub fn anchor(prefix: &str, id: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + id.len() + 1);
    s.push_str(prefix);
    s.push('-');
    for c in id.chars() {
        s.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    s
}
