//! Helpers the renderers share.
use std::borrow::Cow;

use super::model::{CriterionEvidence, Evidence, RuleEvidence};

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
    let target = if path == "." {
        ev.link_base.clone()
    } else {
        format!("{}{}", ev.link_base, path)
    };
    let encoded = crate::escape::uri_path(&target);
    let dot = if encoded.starts_with("../") { "" } else { "./" };
    if path == "." {
        format!("{dot}{encoded}")
    } else {
        format!("{dot}{encoded}#L{line}")
    }
}

/// The rules that evaluated something, and the ids of those that had nothing to evaluate.
pub fn split_rules(c: &CriterionEvidence) -> (Vec<&RuleEvidence>, Vec<&str>) {
    let (active, idle): (Vec<&RuleEvidence>, Vec<&RuleEvidence>) = c
        .rules
        .iter()
        .partition(|r| r.passed + r.failed + r.skipped > 0);
    (active, idle.into_iter().map(|r| r.id.as_str()).collect())
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

pub fn static_label(e: crate::rules::criteria::Evidence) -> &'static str {
    match e {
        crate::rules::criteria::Evidence::Yes => "yes",
        crate::rules::criteria::Evidence::Partly => "partly",
        crate::rules::criteria::Evidence::No => "no",
    }
}
