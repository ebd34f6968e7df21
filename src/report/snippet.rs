//! A file's text as the terminal report shows it in a snippet: secrets
//! already masked by the caller, hidden characters (escape sequences, lone
//! carriage returns, bidirectional overrides) as visible escapes, a leading
//! byte-order mark dropped; and the way from the file's byte offsets to the
//! shown text's, so underlines land where they should.
use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::escape::{is_hidden, push_visible};

/// The text a snippet shows.
pub struct Shown {
    pub text: Arc<str>,
    /// (end of a rewritten character in the file, shown minus file offset
    /// after it), in order; empty when the text is shown as it is.
    moves: Vec<(usize, isize)>,
}

impl Shown {
    /// `text` as shown (borrowing the same `Arc` when nothing changes).
    pub fn new(text: &Arc<str>) -> Shown {
        let needs = text.starts_with('\u{feff}')
            || text.char_indices().any(|(i, c)| {
                is_hidden(c) && !(c == '\n' || (c == '\r' && text[i + 1..].starts_with('\n')))
            });
        if !needs {
            return Shown {
                text: Arc::clone(text),
                moves: Vec::new(),
            };
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut moves = Vec::new();
        let mut delta: isize = 0;
        for (i, c) in text.char_indices() {
            let keep = !is_hidden(c) || c == '\n' || (c == '\r' && text[i + 1..].starts_with('\n'));
            if keep {
                out.push(c);
                continue;
            }
            let before = out.len();
            // the byte-order mark is not part of the first line
            if !(i == 0 && c == '\u{feff}') {
                push_visible(&mut out, c);
            }
            delta += (out.len() - before) as isize - c.len_utf8() as isize;
            moves.push((i + c.len_utf8(), delta));
        }
        Shown {
            text: Arc::from(out),
            moves,
        }
    }

    /// A file offset as an offset into the shown text.
    pub fn offset(&self, at: usize) -> usize {
        let i = self.moves.partition_point(|&(end, _)| end <= at);
        let delta = if i == 0 { 0 } else { self.moves[i - 1].1 };
        (at as isize + delta).max(0) as usize
    }
}

/// What looks like a credential in the text of a file soclint could not
/// parse (so no rule read it) but whose error it shows: the value assigned to
/// a key named like a credential (`password: …`, `API_TOKEN=…`,
/// `"client_secret": "…"`), known token formats, private key blocks, and the
/// password of a URL.
pub fn secret_like(text: &str) -> Vec<crate::document::Span> {
    static PATTERNS: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let Some(re) = PATTERNS
        .get_or_init(|| {
            regex::Regex::new(concat!(
                r#"(?i)(password|passwd|passphrase|secret|token|api_?key|access_?key|private_?key|secret_?key|client_?secret|auth_?key|credentials?)["']?\s*[:=]\s*["']?(?P<secret>[^\s"',;{}$][^\s"',;}]*)"#,
                r"|(?P<pem>(?s)-----BEGIN ([A-Z]+ )?PRIVATE KEY-----.*?(-----END ([A-Z]+ )?PRIVATE KEY-----|\z))",
                r"|[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<url>[^/\s@]+)@",
                r"|(?P<token>\b(AKIA|ASIA)[0-9A-Z]{16}\b|\b(sk|rk)_live_[0-9A-Za-z]{10,}|\bgh[pousr]_[0-9A-Za-z]{30,}|\bglpat-[0-9A-Za-z_-]{20}|\bxox[abposr]-[0-9A-Za-z-]{10,})",
            ))
            .ok()
        })
        .as_ref()
    else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| {
            let m = c
                .name("secret")
                .or_else(|| c.name("pem"))
                .or_else(|| c.name("url"))
                .or_else(|| c.name("token"))?;
            Some(crate::document::Span::new(m.start(), m.end()))
        })
        .collect()
}

/// A snippet's source for miette: the shown text under the file's (escaped)
/// name. miette counts the header's column in bytes of the shown text; the
/// header gives the finding's own column instead (characters of the file),
/// the one every other format reports.
pub struct Snippet {
    pub name: String,
    pub text: Arc<str>,
    /// (shown offset of the primary label, its 0-based column in the file).
    pub primary: Option<(usize, usize)>,
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = match self.primary {
            Some((at, column))
                if context_lines_before == 0 && context_lines_after == 0 && span.offset() == at =>
            {
                column
            }
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_unparsed_text_are_found() {
        let text = "db_password = \"Tr0ub4dor&3\"\nAPI_TOKEN=abc123 x\n\"client_secret\": \"s3cr3t\",\nurl: https://u:pw@h/x\nkey: AKIAIOSFODNN7EXAMPLE\nplain: value\npassword: $VAR\n";
        let found: Vec<&str> = secret_like(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(
            found,
            [
                "Tr0ub4dor&3",
                "abc123",
                "s3cr3t",
                "pw",
                "AKIAIOSFODNN7EXAMPLE"
            ]
        );
    }

    #[test]
    fn hidden_characters_are_shown_and_offsets_follow() {
        let plain: Arc<str> = Arc::from("a = 1\r\nb = 2\n");
        let s = Shown::new(&plain);
        assert!(Arc::ptr_eq(&s.text, &plain));
        assert_eq!(s.offset(7), 7);
        let text: Arc<str> = Arc::from("\u{feff}a\x1b[2Kb\rc\nd");
        let s = Shown::new(&text);
        assert_eq!(&*s.text, "a\\x1b[2Kb\\rc\nd");
        // `a` after the mark, `b` after the escape, `d` on the next line
        assert_eq!(s.offset(3), 0);
        assert_eq!(&s.text[s.offset(8)..s.offset(9)], "b");
        assert_eq!(&s.text[s.offset(12)..], "d");
    }
}
