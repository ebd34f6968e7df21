//! Indentation that PyYAML, cfn-lint and CloudFormation accept and a strict
//! YAML 1.2 parser (saphyr) rejects, read as they read it.
//!
//! Two forms, both from aws-cloudformation-templates:
//! * a multi-line quoted scalar whose continuation lines sit at (or left of)
//!   the indentation of the key that holds it
//!   (`Value: 'Log in to the web console…` continued at the key's column);
//! * a flow collection closed or continued left of where the block around
//!   it requires (`'s3:…': [` … `]` with the `]` at the key's column).
//!
//! In both, the indentation of the lines concerned carries no meaning: a
//! quoted scalar's line breaks fold and its leading blanks go, and blanks
//! between the tokens of a flow collection separate them, nothing more.
//! PyYAML does not check it at all. So on one of these errors the lines are
//! indented further (to the right of anything that could hold them), the
//! text parsed again, and every span mapped back to the file as written.
//! Nothing else is repaired: any other error, or one that indenting does not
//! cure within [`MAX_REPAIRS`] tries, is reported as the parser gave it.
use super::{Limits, ParseError};

/// Most re-parses of one file (each is a full parse of the text).
const MAX_REPAIRS: usize = 16;

/// The text being repaired, and the blanks inserted so far.
pub(super) struct Reindented<'t> {
    original: &'t str,
    /// (offset in the original text, blanks inserted there), by offset.
    inserts: Vec<(usize, usize)>,
    text: String,
}

/// Whether the strict parser's error is one of the indentation errors read
/// leniently (and so worth a repair).
pub(super) fn repairable(e: &ParseError) -> bool {
    matches!(
        e.message.as_str(),
        "invalid indentation in quoted scalar"
            | "invalid indentation in flow construct"
            | "invalid indentation"
    )
}

/// Parses `text` with `parse`, repairing the indentation errors above.
/// Returns the first error when the repairs do not lead to a parse.
pub(super) fn parse_leniently<T>(
    text: &str,
    limits: &Limits,
    first: ParseError,
    parse: impl Fn(&str, &Limits) -> Result<T, ParseError>,
    map_back: impl Fn(&mut T, &dyn Fn(usize) -> usize),
) -> Result<T, ParseError> {
    let mut fixed = Reindented {
        original: text,
        inserts: Vec::new(),
        text: text.to_string(),
    };
    let mut error = first.clone();
    for _ in 0..MAX_REPAIRS {
        if !repairable(&error) || !fixed.repair(&error) {
            return Err(first);
        }
        match parse(&fixed.text, limits) {
            Ok(mut parsed) => {
                map_back(&mut parsed, &|at| fixed.original_offset(at));
                return Ok(parsed);
            }
            Err(e) => error = e,
        }
    }
    Err(first)
}

impl Reindented<'_> {
    /// Indents the lines the error is about; false when there is nothing to do.
    fn repair(&mut self, e: &ParseError) -> bool {
        let at = e.span.start.min(self.text.len());
        let lines: Vec<(usize, usize)> = if e.message == "invalid indentation in quoted scalar" {
            // the error points at the opening quote: every line after it up
            // to the closing quote goes right of the quote's column
            let column = column_of(&self.text, at);
            continuation_lines(&self.text, at)
                .into_iter()
                .map(|start| (start, column + 1))
                .collect()
        } else {
            // the token on a line of a flow collection: right of the line
            // above it (and further on each retry of the same line)
            let start = line_start(&self.text, at);
            let column = column_of(&self.text, at);
            let above = previous_indent(&self.text, start).unwrap_or(0);
            vec![(start, above.max(column) + 1)]
        };
        let mut changed = false;
        for (start, want) in lines.into_iter().rev() {
            let have = indent_of(&self.text[start..]);
            if have < want {
                self.insert(start, want - have);
                changed = true;
            }
        }
        changed
    }

    /// Inserts `n` blanks at `at` (an offset of the repaired text that starts
    /// a line, so it maps to the start of the same line in the original).
    fn insert(&mut self, at: usize, n: usize) {
        let original = self.original_offset(at);
        self.text.insert_str(at, &" ".repeat(n));
        match self.inserts.binary_search_by_key(&original, |&(o, _)| o) {
            Ok(i) => self.inserts[i].1 += n,
            Err(i) => self.inserts.insert(i, (original, n)),
        }
    }

    /// The offset in the original text of offset `at` of the repaired one
    /// (an inserted blank maps to where it was inserted).
    fn original_offset(&self, at: usize) -> usize {
        let mut shift = 0;
        for &(o, n) in &self.inserts {
            let start = o + shift;
            if at < start {
                break;
            }
            if at < start + n {
                return o;
            }
            shift += n;
        }
        (at - shift).min(self.original.len())
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Characters between the start of `at`'s line and `at`.
fn column_of(text: &str, at: usize) -> usize {
    text[line_start(text, at)..at].chars().count()
}

/// Leading spaces of a line.
fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

/// The indentation of the nearest line above `start` with content.
fn previous_indent(text: &str, start: usize) -> Option<usize> {
    text[..start.saturating_sub(1)]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(indent_of)
}

/// The starts of the lines with content after the first line of the quoted
/// scalar opening at `at`, up to its closing quote.
fn continuation_lines(text: &str, at: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let quote = bytes.get(at).copied();
    if !matches!(quote, Some(b'\'' | b'"')) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == Some(b'"') => i += 1,
            b'\'' if quote == Some(b'\'') && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if Some(b) == quote => break,
            b'\n' => {
                let next = i + 1;
                let rest = &text[next..];
                let line = rest.split('\n').next().unwrap_or(rest);
                if !line.trim().is_empty() {
                    out.push(next);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str, message: &str, at: usize) -> (String, Vec<(usize, usize)>) {
        let mut r = Reindented {
            original: text,
            inserts: Vec::new(),
            text: text.to_string(),
        };
        assert!(r.repair(&ParseError::new(
            crate::document::Span::new(at, at + 1),
            message
        )));
        (r.text.clone(), r.inserts.clone())
    }

    #[test]
    fn quoted_scalar_lines_go_right_of_the_quote() {
        let text = "  V: 'a\n  b\n\n c'\nW: 1\n";
        let (fixed, inserts) = repaired(text, "invalid indentation in quoted scalar", 5);
        assert_eq!(fixed, "  V: 'a\n      b\n\n      c'\nW: 1\n");
        assert_eq!(inserts, vec![(8, 4), (13, 5)]);
    }

    #[test]
    fn offsets_map_back() {
        let text = "x: [\n1,\n]\n";
        let mut r = Reindented {
            original: text,
            inserts: Vec::new(),
            text: text.to_string(),
        };
        r.insert(5, 2);
        r.insert(10, 3); // the `]` line: original offset 8
        assert_eq!(r.text, "x: [\n  1,\n   ]\n");
        assert_eq!(r.inserts, vec![(5, 2), (8, 3)]);
        assert_eq!(r.original_offset(4), 4);
        assert_eq!(r.original_offset(5), 5); // an inserted blank
        assert_eq!(r.original_offset(7), 5); // `1`
        assert_eq!(r.original_offset(13), 8); // `]`
        assert_eq!(r.original_offset(r.text.len()), text.len());
    }
}
