//! Markdown policy documents → Node (front matter and headings).
//!
//! The result is a map spanning the whole file:
//! * `front_matter`: the YAML between a leading `---` line and the next `---`
//!   (or `...`) line, parsed with [`super::yaml::parse`] and shifted to its place
//!   in the file (present only when the file starts with front matter);
//! * `headings`: a list of `{ text, level }` maps for ATX (`# Title`) and setext
//!   (`Title` over `===`/`---`) headings outside fenced code blocks;
//! * `title`: the text of the first level-1 heading, if any.
use super::{yaml, Entry, Limits, Node, ParseError, Span, Value};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let lines = lines(text);
    let mut entries = Vec::new();
    let mut body_from = 0; // index of the first line after the front matter

    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if let Some(first) = lines.first() {
        if first.content(text)[bom..].trim_end() == "---" {
            let open = Span::new(bom, bom + 3);
            let close = lines
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, l)| matches!(l.content(text).trim_end(), "---" | "..."));
            let Some((close_index, close_line)) = close else {
                return Err(ParseError::new(
                    open,
                    "front matter is not closed (no `---` line after it)",
                ));
            };
            let body = lines[1].start..close_line.start;
            let yaml_text = &text[body.clone()];
            let shift_error = |mut e: ParseError| {
                e.span = Span::new(e.span.start + body.start, e.span.end + body.start);
                e
            };
            let mut docs = yaml::parse(yaml_text, limits).map_err(shift_error)?;
            let mut fm = if docs.is_empty() {
                Node::map(Vec::new(), Span::new(0, 0))
            } else {
                docs.swap_remove(0)
            };
            fm.shift(body.start);
            if !matches!(fm.value, Value::Map(_)) {
                return Err(ParseError::new(fm.span, "front matter is not a mapping"));
            }
            entries.push(Entry {
                key: "front_matter".into(),
                key_span: open,
                value: fm,
            });
            body_from = close_index + 1;
        }
    }

    let headings = headings(text, &lines[body_from.min(lines.len())..]);
    if let Some(h1) = headings
        .iter()
        .find(|h| h.get("level").map(|l| &l.value) == Some(&Value::Number(1.0)))
    {
        if let Some(title) = h1.get("text") {
            entries.push(Entry {
                key: "title".into(),
                key_span: h1.span,
                value: title.clone(),
            });
        }
    }
    let list_span = match (headings.first(), headings.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::new(0, 0),
    };
    entries.push(Entry {
        key: "headings".into(),
        key_span: list_span,
        value: Node::list(headings, list_span),
    });
    Ok(Node::map(entries, Span::new(0, text.len())))
}

/// One line: `start..end` excludes the line break.
struct Line {
    start: usize,
    end: usize,
}

impl Line {
    fn content<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let content = piece.trim_end_matches('\n').trim_end_matches('\r');
        out.push(Line {
            start,
            end: start + content.len(),
        });
        start += piece.len();
    }
    out
}

/// Leading spaces (at most 3 allowed before a block marker); `None` when the
/// line is indented as code (4+ spaces or a tab).
fn block_indent(s: &str) -> Option<usize> {
    let n = s.bytes().take_while(|&b| b == b' ').count();
    (n <= 3 && !s[n..].starts_with('\t')).then_some(n)
}

fn heading_node(
    line_span: Span,
    text: &str,
    text_span: Span,
    level: usize,
    level_span: Span,
) -> Node {
    Node::map(
        vec![
            Entry {
                key: "text".into(),
                key_span: line_span,
                value: Node::string(text, text_span),
            },
            Entry {
                key: "level".into(),
                key_span: line_span,
                value: Node::new(Value::Number(level as f64), level_span),
            },
        ],
        line_span,
    )
}

fn headings(text: &str, lines: &[Line]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None; // (char, length) of the open fence
    let mut paragraph: Option<&Line> = None; // a plain text line a setext underline may apply to

    for line in lines {
        let s = line.content(text);
        let Some(indent) = block_indent(s) else {
            continue; // indented code (or a paragraph continuation)
        };
        let rest = &s[indent..];

        // fenced code blocks
        let fence_char = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~');
        if let Some(c) = fence_char {
            let n = rest.bytes().take_while(|&b| b == c).count();
            if n >= 3 {
                match fence {
                    None => {
                        fence = Some((c, n));
                        paragraph = None;
                        continue;
                    }
                    Some((fc, fl)) if fc == c && n >= fl && rest[n..].trim().is_empty() => {
                        fence = None;
                        continue;
                    }
                    _ => {}
                }
            }
        }
        if fence.is_some() {
            continue;
        }

        // ATX headings
        let hashes = rest.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes)
            && (rest.len() == hashes || matches!(rest.as_bytes()[hashes], b' ' | b'\t'))
        {
            let after = &rest[hashes..];
            let mut content = after.trim();
            // optional closing sequence: spaces then #s
            let without = content.trim_end_matches('#');
            if without.is_empty() {
                content = "";
            } else if without.len() < content.len() && without.ends_with([' ', '\t']) {
                content = without.trim_end();
            }
            let content_start = if content.is_empty() {
                line.start + indent + hashes
            } else {
                line.start + indent + hashes + (after.len() - after.trim_start().len())
            };
            let line_span = Span::new(line.start, line.end);
            out.push(heading_node(
                line_span,
                content,
                Span::new(content_start, content_start + content.len()),
                hashes,
                Span::new(line.start + indent, line.start + indent + hashes),
            ));
            paragraph = None;
            continue;
        }

        // setext underline under a paragraph line
        let trimmed = rest.trim_end();
        if let Some(prev) = paragraph {
            let level = if !trimmed.is_empty() && trimmed.bytes().all(|b| b == b'=') {
                Some(1)
            } else if !trimmed.is_empty() && trimmed.bytes().all(|b| b == b'-') {
                Some(2)
            } else {
                None
            };
            if let Some(level) = level {
                let p = prev.content(text);
                let lead = p.len() - p.trim_start().len();
                let content = p.trim();
                let start = prev.start + lead;
                out.push(heading_node(
                    Span::new(prev.start, line.end),
                    content,
                    Span::new(start, start + content.len()),
                    level,
                    Span::new(line.start + indent, line.start + indent + trimmed.len()),
                ));
                paragraph = None;
                continue;
            }
        }
        paragraph = (!trimmed.is_empty() && is_paragraph_text(rest)).then_some(line);
    }
    out
}

/// Whether a line reads as paragraph text (not a list item, quote, table, HTML
/// block or thematic break), so that a `---`/`===` line under it is a heading.
fn is_paragraph_text(rest: &str) -> bool {
    let b = rest.as_bytes();
    let list_marker = matches!(b.first(), Some(b'-' | b'*' | b'+'))
        && matches!(b.get(1), None | Some(b' ' | b'\t'));
    let ordered = {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && matches!(b.get(digits), Some(b'.' | b')'))
    };
    let rule = {
        let t: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        t.len() >= 3
            && (t.bytes().all(|c| c == b'-')
                || t.bytes().all(|c| c == b'*')
                || t.bytes().all(|c| c == b'_'))
    };
    !(list_marker || ordered || rule || matches!(b.first(), Some(b'>' | b'|' | b'<')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn front_matter_is_parsed_and_shifted() {
        let text = "---\ntitle: Access Control Policy\nowner: security\nreview:\n  interval: 90\n---\n# Access Control\n\nText.\n";
        let doc = parse(text, &Limits::default()).unwrap();
        assert_eq!(doc.span, Span::new(0, text.len()));
        let fm = doc.entry("front_matter").unwrap();
        assert_eq!(fm.key_span, Span::new(0, 3));
        let title = fm.value.get("title").unwrap();
        assert_eq!(title.as_str(), Some("Access Control Policy"));
        assert_eq!(at(text, title.span), "Access Control Policy");
        assert_eq!(at(text, fm.value.entry("owner").unwrap().key_span), "owner");
        let interval = fm.value.get("review").unwrap().get("interval").unwrap();
        assert_eq!(at(text, interval.span), "90");
        assert_eq!(interval.value, Value::Number(90.0));
        let t = doc.get("title").unwrap();
        assert_eq!(t.as_str(), Some("Access Control"));
        assert_eq!(at(text, t.span), "Access Control");
    }

    #[test]
    fn front_matter_with_bom_and_dots() {
        let text = "\u{feff}---\r\na: 1\r\n...\r\n# T\r\n";
        let doc = parse(text, &Limits::default()).unwrap();
        let fm = doc.entry("front_matter").unwrap();
        assert_eq!(fm.key_span, Span::new(3, 6));
        assert_eq!(at(text, fm.value.get("a").unwrap().span), "1");
        assert_eq!(at(text, doc.get("title").unwrap().span), "T");
    }

    #[test]
    fn front_matter_errors() {
        let err = parse("---\na: 1\n# no close\n", &Limits::default()).unwrap_err();
        assert_eq!(err.span, Span::new(0, 3));
        let err = parse("---\n- a\n- b\n---\n", &Limits::default()).unwrap_err();
        assert_eq!(err.message, "front matter is not a mapping");
        assert_eq!(err.span, Span::new(4, 11));
        let err = parse("---\na: b\nc: ]\n---\n", &Limits::default()).unwrap_err();
        assert_eq!(err.span.start, 12); // the `]`, as a position in the whole file
                                        // no front matter: `---` not on the first line
        let doc = parse("# T\n---\na: 1\n---\n", &Limits::default()).unwrap();
        assert!(doc.get("front_matter").is_none());
        // empty front matter is an empty map
        let doc = parse("---\n---\nx\n", &Limits::default()).unwrap();
        assert_eq!(
            doc.get("front_matter").unwrap().as_map().map(<[_]>::len),
            Some(0)
        );
    }

    #[test]
    fn headings_with_spans() {
        let text = "Intro\n\n# Policy  #\n\n## Scope\n```md\n# not a heading\n```\n~~~\n## nor this\n~~~\n   ### Roles ###\n    # indented code\n#NoSpace\n####### seven\nSecurity\n========\nSub\n---\n";
        let doc = parse(text, &Limits::default()).unwrap();
        let hs = doc.get("headings").unwrap().as_list().unwrap();
        let got: Vec<(&str, f64)> = hs
            .iter()
            .map(|h| {
                let Value::Number(n) = h.get("level").unwrap().value else {
                    panic!()
                };
                (h.get("text").unwrap().as_str().unwrap(), n)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Policy", 1.0),
                ("Scope", 2.0),
                ("Roles", 3.0),
                ("Security", 1.0),
                ("Sub", 2.0)
            ]
        );
        assert_eq!(at(text, hs[0].span), "# Policy  #");
        assert_eq!(at(text, hs[0].get("text").unwrap().span), "Policy");
        assert_eq!(hs[0].get("text").unwrap().span, Span::new(9, 15));
        assert_eq!(at(text, hs[0].get("level").unwrap().span), "#");
        assert_eq!(at(text, hs[2].span), "   ### Roles ###");
        assert_eq!(at(text, hs[2].get("text").unwrap().span), "Roles");
        assert_eq!(at(text, hs[3].span), "Security\n========");
        assert_eq!(at(text, hs[3].get("text").unwrap().span), "Security");
        let title = doc.get("title").unwrap();
        assert_eq!(title.as_str(), Some("Policy"));
        assert_eq!(title.span, Span::new(9, 15));
    }

    #[test]
    fn no_headings_and_odd_input() {
        let doc = parse("", &Limits::default()).unwrap();
        assert_eq!(
            doc.get("headings").unwrap().as_list().map(<[_]>::len),
            Some(0)
        );
        assert!(doc.get("title").is_none());
        for junk in [
            "#",
            "# ",
            "---",
            "---\n",
            "\u{feff}",
            "```",
            "- a\n---\n",
            "é\n===\n",
            "#\t#",
        ] {
            let _ = parse(junk, &Limits::default());
        }
        let doc = parse("# é ü #\n", &Limits::default()).unwrap();
        assert_eq!(doc.get("title").unwrap().as_str(), Some("é ü"));
        assert_eq!(doc.get("title").unwrap().span, Span::new(2, 7));
    }
}
