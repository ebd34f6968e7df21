//! Helpers the renderers share.
use super::model::{CriterionEvidence, Evidence, RuleEvidence};

/// Escapes text for HTML (and SVG) content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A link to a scanned file, relative to the report (`#L12` for the line, as
/// code hosts read it). Whole-repository findings (`.`) link to the root.
pub fn file_href(ev: &Evidence, path: &str, line: usize) -> String {
    let target = if path == "." {
        if ev.link_base.is_empty() {
            ".".to_string()
        } else {
            ev.link_base.clone()
        }
    } else {
        format!("{}{}", ev.link_base, path)
    };
    let encoded: String = target
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect();
    if path == "." {
        encoded
    } else {
        format!("{encoded}#L{line}")
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
