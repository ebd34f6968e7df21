//! The one document model every file format converts into.
//!
//! A [`Node`] is a value plus the byte span it came from. Formats keep their own
//! parsers (one file each below) but all of them produce this tree, so rules and
//! reporters never need to know which syntax a value was written in.

pub mod dockerfile;
mod dockerfile_users;
pub mod hcl;
mod hcl_keys;
pub mod json;
pub mod markdown;
pub mod origin;
pub mod yaml;

pub use origin::{FileSpan, Origin, SetBy};

use std::fmt;

/// A half-open byte range `[start, end)` into the file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// One key of a map with the span of the key itself (diagnostics point at keys
/// when the value is a whole block).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Something whose value is not known statically: a Terraform expression, a
/// CloudFormation intrinsic function (`!Ref`, `Fn::GetAtt`), a `${{ }}` template…
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The source text of the expression (for HCL without the `${ }` wrapper
    /// when the whole string was one interpolation).
    pub text: String,
    /// For intrinsic functions, the function name (`Ref`, `Fn::GetAtt`, `Fn::Sub`…).
    pub function: Option<String>,
    /// For intrinsic functions, the argument as written.
    pub argument: Option<Box<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Node>),
    /// Keys in source order. Duplicate keys are kept (the last one wins on lookup,
    /// as in YAML/JSON loaders).
    Map(Vec<Entry>),
    /// Present, but not known statically.
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }
    pub fn null(span: Span) -> Self {
        Node::new(Value::Null, span)
    }
    pub fn string(s: impl Into<String>, span: Span) -> Self {
        Node::new(Value::String(s.into()), span)
    }
    pub fn map(entries: Vec<Entry>, span: Span) -> Self {
        Node::new(Value::Map(entries), span)
    }
    pub fn list(items: Vec<Node>, span: Span) -> Self {
        Node::new(Value::List(items), span)
    }

    /// The entry for `key` in a map (the last one when a key is repeated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn is_expr(&self) -> bool {
        matches!(self.value, Value::Expr(_))
    }
    /// Moves every span by `delta` bytes (a sub-document parsed on its own, such
    /// as Markdown front matter, is shifted to its place in the file).
    pub fn shift(&mut self, delta: usize) {
        self.span = Span::new(self.span.start + delta, self.span.end + delta);
        match &mut self.value {
            Value::List(items) => items.iter_mut().for_each(|n| n.shift(delta)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key_span = Span::new(e.key_span.start + delta, e.key_span.end + delta);
                e.value.shift(delta);
            }),
            Value::Expr(Expr {
                argument: Some(arg),
                ..
            }) => arg.shift(delta),
            _ => {}
        }
    }
    /// Maps every span through `at` (a document parsed from a repaired copy
    /// of its text, back to the text as written).
    pub fn map_offsets(&mut self, at: &dyn Fn(usize) -> usize) {
        self.span = Span::new(at(self.span.start), at(self.span.end));
        match &mut self.value {
            Value::List(items) => items.iter_mut().for_each(|n| n.map_offsets(at)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key_span = Span::new(at(e.key_span.start), at(e.key_span.end));
                e.value.map_offsets(at);
            }),
            Value::Expr(Expr {
                argument: Some(arg),
                ..
            }) => arg.map_offsets(at),
            _ => {}
        }
    }
    /// Where to point for a whole map or list: its first line rather than the
    /// block (a finding about a resource names its header, not 40 lines).
    pub fn header_span(&self) -> Span {
        match &self.value {
            Value::Map(entries) => match entries.first() {
                Some(e) if !matches!(e.value.value, Value::Map(_) | Value::List(_)) => {
                    e.key_span.join(e.value.span)
                }
                Some(e) => e.key_span,
                None => self.span,
            },
            _ => self.span,
        }
    }
    /// Depth of the deepest nesting below this node (1 for a scalar).
    pub fn depth(&self) -> usize {
        match &self.value {
            Value::List(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            Value::Map(entries) => 1 + entries.iter().map(|e| e.value.depth()).max().unwrap_or(0),
            _ => 1,
        }
    }
}

/// A short human rendering of a value for messages (`"AES256"`, `true`, `[…]`).
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => {
                let short: String = s.chars().take(80).collect();
                if short.len() < s.len() {
                    write!(f, "\"{short}…\"")
                } else {
                    write!(f, "\"{s}\"")
                }
            }
            Value::List(items) => {
                let shown: Vec<String> = items.iter().take(5).map(|i| i.to_string()).collect();
                let more = if items.len() > 5 { ", …" } else { "" };
                write!(f, "[{}{more}]", shown.join(", "))
            }
            Value::Map(entries) => write!(
                f,
                "{{{}}}",
                crate::wording::plural(entries.len(), "key", "keys")
            ),
            Value::Expr(e) => {
                let short: String = e.text.chars().take(80).collect();
                write!(f, "{short}")
            }
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Limits that keep hostile input bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of lists/maps accepted before a file is rejected.
    pub max_depth: usize,
    /// Most nodes an alias-expanding format may produce for one file.
    pub max_nodes: usize,
    /// Most nodes YAML aliases may copy in one file (the billion-laughs
    /// budget; anchors themselves count once).
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_nodes: 2_000_000,
            max_alias_nodes: 100_000,
        }
    }
}

/// A parse failure: where and what.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

impl ParseError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        ParseError {
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Byte offset → 1-based line and column (columns count characters; line 1's
/// start after a byte-order mark, which is not part of the text).
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Length of a leading byte-order mark (0 or 3).
    bom: usize,
    /// Characters before each [`BLOCK`]-byte boundary of the text, counted
    /// the first time a column lies far into a long line: a minified file
    /// of megabytes on one line with a finding every few bytes then costs a
    /// block per column, not the line up to it (quadratic before).
    blocks: std::cell::OnceCell<Vec<usize>>,
}

/// Bytes per counted block of a long line.
const BLOCK: usize = 1024;

/// Characters in `bytes` (from a `str`): the bytes that do not continue a
/// UTF-8 sequence, in a loop the compiler vectorises.
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        // vectorised search: every file with a finding is indexed
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
            blocks: std::cell::OnceCell::new(),
        }
    }

    /// Where 0-based `line`'s columns start.
    fn line_start(&self, line: usize) -> usize {
        if line == 0 {
            self.bom
        } else {
            self.line_starts[line]
        }
    }

    /// Characters of `text` before byte `at`.
    fn chars_before(&self, text: &str, at: usize) -> usize {
        let bytes = text.as_bytes();
        let blocks = self.blocks.get_or_init(|| {
            let mut seen = 0;
            let mut v = Vec::with_capacity(bytes.len() / BLOCK + 1);
            v.push(0);
            for chunk in bytes.chunks(BLOCK) {
                seen += char_count(chunk);
                v.push(seen);
            }
            v
        });
        let block = at / BLOCK;
        blocks[block] + char_count(&bytes[block * BLOCK..at])
    }

    /// 1-based (line, column); offsets past the end clamp to the end.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_start(line).min(offset);
        let column = if offset - start <= BLOCK {
            char_count(&text.as_bytes()[start..offset])
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        };
        (line + 1, column + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset(&self, text: &str, line: usize, char_col: usize) -> usize {
        if line.saturating_sub(1) >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line.saturating_sub(1));
        let rest = &text[start..];
        rest.char_indices()
            .nth(char_col)
            .map(|(i, _)| start + i)
            .unwrap_or_else(|| start + rest.find('\n').unwrap_or(rest.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 5), (2, 2)); // after the two-byte ç
        assert_eq!(idx.offset(text, 2, 1), 5);
    }

    /// A byte-order mark is not a column of line 1.
    #[test]
    fn line_one_starts_after_a_byte_order_mark() {
        let text = "\u{feff}FROM x\nRUN y\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), (1, 1));
        assert_eq!(idx.line_col(text, 8), (1, 6));
        assert_eq!(idx.line_col(text, 10), (2, 1));
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.offset(text, 1, 5), 8);
    }

    /// Columns far into a long line, counted through blocks, equal counting
    /// every character up to them.
    #[test]
    fn columns_of_a_long_line_count_characters() {
        let line: String = (0..5000).map(|i| ["a", "é", "✓", "𝄞"][i % 4]).collect();
        let text = format!("x\n{line}\n");
        let idx = LineIndex::new(&text);
        for (at, _) in text.char_indices().step_by(97) {
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let want = text[start..at].chars().count() + 1;
            assert_eq!(idx.line_col(&text, at).1, want, "at {at}");
        }
    }
}
