//! Hover on a finding: the rule's explanation where the diagnostic is, so
//! the person editing reads why it matters and how to fix it without leaving
//! the file (what `soclint explain ID` prints).
use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Range};

use crate::escape::markdown;
use crate::finding::Finding;

/// The explanation of every finding whose range holds `at`, most severe
/// first, or `None` when the position is on none.
pub fn hover(findings: &[(&Finding, Range)], at: Position) -> Option<Hover> {
    let holds = |r: &Range| {
        (r.start.line, r.start.character) <= (at.line, at.character)
            && (at.line, at.character) <= (r.end.line, r.end.character)
    };
    let mut here: Vec<&(&Finding, Range)> = findings.iter().filter(|(_, r)| holds(r)).collect();
    if here.is_empty() {
        return None;
    }
    here.sort_by(|a, b| {
        b.0.rule
            .severity
            .cmp(&a.0.rule.severity)
            .then_with(|| a.0.rule.id.cmp(&b.0.rule.id))
    });
    let range = here[0].1;
    let value = here
        .iter()
        .map(|(f, _)| explain(f))
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    })
}

/// One finding's explanation as Markdown. Rule text can come from the
/// repository's own rule files and the message names its resources: every
/// piece is escaped, so nothing in them becomes a link, an image or HTML.
fn explain(f: &Finding) -> String {
    let r = &f.rule;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "**{}** · {} · {}\n",
        markdown(&r.id),
        r.severity.name(),
        markdown(&r.title)
    );
    let _ = writeln!(s, "{}\n", markdown(&f.message()));
    let criteria: Vec<String> = r
        .criteria
        .iter()
        .map(|c| match crate::rules::criteria::find(c) {
            Some(k) => format!("{c} ({})", markdown(k.title)),
            None => (*c).to_string(),
        })
        .collect();
    let _ = writeln!(s, "**Criteria:** {}\n", criteria.join("; "));
    let _ = writeln!(s, "**Why it matters:** {}\n", markdown(&r.rationale));
    let _ = write!(s, "**How to fix:** {}", markdown(&r.remediation));
    if !r.references.is_empty() {
        let refs: Vec<String> = r
            .references
            .iter()
            .map(|u| {
                // a link only to an https address written plainly; anything
                // else a rule file says is shown, not followed
                let plain = u.starts_with("https://")
                    && !u.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '`'));
                if plain {
                    format!("<{u}>")
                } else {
                    format!("`{}`", u.replace('`', "'"))
                }
            })
            .collect();
        let _ = write!(s, "\n\n**References:** {}", refs.join(", "));
    }
    s
}
