//! Open documents: their text kept up to date from the client's
//! incremental changes (`TextDocumentSyncKind::INCREMENTAL`), positions
//! counted in the negotiated encoding.
use lsp_types::TextDocumentContentChangeEvent;

use super::convert::{Encoding, Lines};

/// `text` after `changes`, applied in order as LSP requires (each range is
/// in the text the previous change left). A change without a range is the
/// whole new text. A range past the end is clamped to the end, a position
/// past a line's end to that line's end, and one inside a character to
/// its start, so a confused client cannot split a character.
pub fn apply(
    text: &str,
    changes: Vec<TextDocumentContentChangeEvent>,
    encoding: Encoding,
) -> String {
    let mut out = text.to_string();
    for c in changes {
        match c.range {
            None => out = c.text,
            Some(r) => {
                let lines = Lines::with(&out, encoding);
                let start = lines.offset(r.start);
                let end = lines.offset(r.end).max(start);
                out.replace_range(start..end, &c.text);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

    use super::*;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.into(),
        }
    }

    /// `é` is 1 UTF-16 unit and 2 bytes, `😀` 2 units and 4 bytes: the same
    /// edit (replace `x` after them) has different characters per encoding.
    #[test]
    fn ranges_count_the_negotiated_units() {
        let text = "a = \"é😀x\"\nb\n";
        let u16 = apply(text, vec![change(0, 8, 0, 9, "y")], Encoding::Utf16);
        assert_eq!(u16, "a = \"é😀y\"\nb\n");
        let u8 = apply(text, vec![change(0, 11, 0, 12, "y")], Encoding::Utf8);
        assert_eq!(u8, "a = \"é😀y\"\nb\n");
        // inserting before a multi-byte character, and deleting one
        let ins = apply(text, vec![change(0, 5, 0, 5, "ü")], Encoding::Utf16);
        assert_eq!(ins, "a = \"üé😀x\"\nb\n");
        let del = apply(text, vec![change(0, 6, 0, 8, "")], Encoding::Utf16);
        assert_eq!(del, "a = \"éx\"\nb\n");
        // a position inside `😀` (between its two units) is its start
        let inside = apply(text, vec![change(0, 7, 0, 7, "|")], Encoding::Utf16);
        assert_eq!(inside, "a = \"é|😀x\"\nb\n");
        let inside8 = apply(text, vec![change(0, 9, 0, 9, "|")], Encoding::Utf8);
        assert_eq!(inside8, "a = \"é|😀x\"\nb\n");
    }

    /// A range across lines, changes applied in order (the second in the
    /// text the first left), a whole-text change, and clamping.
    #[test]
    fn edits_span_lines_in_order() {
        let text = "one ✓\ntwo ✓\nthree\n";
        let joined = apply(text, vec![change(0, 4, 2, 2, "-")], Encoding::Utf16);
        assert_eq!(joined, "one -ree\n");
        let seq = apply(
            text,
            vec![change(0, 0, 1, 0, ""), change(0, 4, 0, 5, "✗\nnew")],
            Encoding::Utf16,
        );
        assert_eq!(seq, "two ✗\nnew\nthree\n");
        let full = apply(
            text,
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "whole\n".into(),
            }],
            Encoding::Utf16,
        );
        assert_eq!(full, "whole\n");
        // past a line's end: the line's end (before its break); past the
        // text: its end
        let past = apply(text, vec![change(1, 99, 1, 99, "!")], Encoding::Utf16);
        assert_eq!(past, "one ✓\ntwo ✓!\nthree\n");
        let end = apply(text, vec![change(9, 0, 9, 0, "end")], Encoding::Utf16);
        assert_eq!(end, "one ✓\ntwo ✓\nthree\nend");
        let crlf = apply("a\r\nb\r\n", vec![change(0, 5, 0, 5, "!")], Encoding::Utf16);
        assert_eq!(crlf, "a!\r\nb\r\n");
    }
}
