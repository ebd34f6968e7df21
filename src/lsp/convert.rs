//! From soclint's findings to LSP diagnostics: byte spans become line and
//! character positions in the negotiated encoding (UTF-16 code units, what
//! LSP counts by default, or UTF-8 bytes), severities become LSP
//! severities, other sites become related information.
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use crate::document::Span;
use crate::finding::{Finding, Role, Site};
use crate::rules::Severity;

/// What a position's `character` counts, as agreed at initialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 code units (bytes): when the client offers it.
    Utf8,
    /// UTF-16 code units: LSP's default, which every client supports.
    #[default]
    Utf16,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Line starts of a text, for turning byte offsets into LSP positions.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> Lines<'t> {
    /// Positions in UTF-16 code units.
    pub fn new(text: &'t str) -> Lines<'t> {
        Lines::with(text, Encoding::Utf16)
    }

    pub fn with(text: &'t str, encoding: Encoding) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines {
            text,
            starts,
            encoding,
        }
    }

    /// The position of byte `offset`: 0-based line, code units from the
    /// line's start. An offset past the end, or inside a character, moves
    /// back to the nearest character boundary.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = match self.encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => self.text[start..offset].chars().map(char::len_utf16).sum(),
        };
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of an LSP position (clamped to the line and text; a
    /// position inside a character is that character's start).
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(p.line as usize + 1)
            .map_or(self.text.len(), |&e| e);
        let mut units = 0usize;
        for (i, c) in self.text[start..end].char_indices() {
            let next = units + self.encoding.units(c);
            if next > p.character as usize
                || c == '\n'
                || c == '\r' && self.text[start + i..].starts_with("\r\n")
            {
                return start + i;
            }
            units = next;
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The range of a finding or site: from its span when the text is at hand,
/// else from its 1-based line and character columns (exact for text in the
/// Basic Multilingual Plane), else the file's start.
pub fn range_of(
    span: Option<Span>,
    loc: &crate::finding::Location,
    text: Option<&str>,
    encoding: Encoding,
) -> Range {
    match (span, text) {
        (Some(s), Some(t)) => Lines::with(t, encoding).range(s),
        _ if loc.start_line > 0 => Range::new(
            Position::new(loc.start_line - 1, loc.start_column.saturating_sub(1)),
            Position::new(
                loc.end_line.saturating_sub(1),
                loc.end_column.saturating_sub(1),
            ),
        ),
        _ => Range::default(),
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

/// Where a rule is explained: its first web reference, else its entry in
/// the generated rule reference.
pub fn rule_link(f: &Finding) -> Option<Uri> {
    let href = format!(
        "{}/blob/main/docs/rules/{}.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        f.rule.target.name(),
        f.rule.id.to_ascii_lowercase()
    );
    href.parse().ok()
}

/// The sites a reader is shown (not the ones kept for matching only), in
/// order.
pub fn shown_sites(f: &Finding) -> impl Iterator<Item = &Site> {
    f.related
        .iter()
        .filter(|s| s.role != Role::Hidden && !s.path.is_empty())
}

/// What a site is, when its note does not say.
pub fn site_message(s: &Site) -> String {
    if !s.note.is_empty() {
        return s.note.clone();
    }
    match s.role {
        Role::Landing => "where the value lands".into(),
        Role::SetAt => "where the value is set".into(),
        Role::ModuleCall => "module called here".into(),
        Role::Rendered => "rendered here".into(),
        Role::Hidden => String::new(),
    }
}

/// The message shown for a finding: its message, with the rule's title
/// and its own short label when they add something.
pub fn message(f: &Finding) -> String {
    let mut m = f.message().into_owned();
    if let Some(label) = f.label().filter(|l| **l != *m) {
        m.push_str(" (");
        m.push_str(&label);
        m.push(')');
    }
    m
}

/// A finding as a diagnostic at its primary place; `related` holds the
/// other places, already as LSP locations with their messages.
pub fn diagnostic(
    f: &Finding,
    range: Range,
    related: Vec<DiagnosticRelatedInformation>,
) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(severity(f.severity())),
        code: Some(NumberOrString::String(f.rule.id.clone())),
        code_description: rule_link(f).map(|href| CodeDescription { href }),
        source: Some("soclint".into()),
        message: message(f),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A related location.
pub fn related(uri: Uri, range: Range, message: String) -> DiagnosticRelatedInformation {
    DiagnosticRelatedInformation {
        location: Location { uri, range },
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns count UTF-16 code units: `é` is one, `😀` two, and bytes
    /// inside a character fall back to its start.
    #[test]
    fn positions_count_utf16_units() {
        let text = "a = \"é😀x\"\nb\n";
        let l = Lines::new(text);
        assert_eq!(l.position(0), Position::new(0, 0));
        assert_eq!(l.position(5), Position::new(0, 5)); // before é
        assert_eq!(l.position(7), Position::new(0, 6)); // after é (2 bytes)
        assert_eq!(l.position(11), Position::new(0, 8)); // after 😀 (4 bytes, 2 units)
        assert_eq!(l.position(8), Position::new(0, 6)); // inside 😀
        assert_eq!(l.position(14), Position::new(1, 0));
        assert_eq!(l.position(99), Position::new(2, 0));
        assert_eq!(l.offset(Position::new(0, 8)), 11);
        assert_eq!(l.offset(Position::new(1, 5)), 15);
    }
}
