//! Markdown policy documents → Node (front matter, headings, sections, body).
//!
//! The result is a map spanning the whole file:
//! * `front_matter`: the YAML between a leading `---` line and the next `---`
//!   (or `...`) line, parsed with [`super::yaml::parse`] and shifted to its place
//!   in the file (present only when the file starts with front matter). Read as
//!   a policy ([`parse_policy`]), a file may also open with YAML lines closed by
//!   a `---` line and no opening one, as strongdm/comply's policies do;
//! * `headings`: a list of `{ text, level }` maps for ATX (`# Title`) and setext
//!   (`Title` over `===`/`---`) headings outside fenced code blocks;
//! * `sections`: the headings (`kind: heading`) and, in document order, the
//!   emphasised lead-ins that templates use as sections inside lists
//!   (`a. *During onboarding:*`, `(b) **Access reviews**`, a line that is only
//!   `**Exceptions**`), each `{ text, level, kind }` (`kind: item`, the level of
//!   the heading above plus one);
//! * `body`: the text after the front matter;
//! * `title`: the text of the first level-1 heading, if any.
use super::{yaml, Entry, Limits, Node, ParseError, Span, Value};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    parse_with(text, limits, false)
}

/// [`parse`] for a policy document: front matter without its opening `---`
/// (comply's layout) is read too.
pub fn parse_policy(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    parse_with(text, limits, true)
}

fn parse_with(text: &str, limits: &Limits, headerless: bool) -> Result<Node, ParseError> {
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
        } else if headerless {
            if let Some((close_index, fm)) = headerless_front_matter(text, &lines, bom, limits) {
                let first_key = Span::new(bom, first.end);
                entries.push(Entry {
                    key: "front_matter".into(),
                    key_span: fm
                        .as_map()
                        .and_then(|m| m.first())
                        .map_or(first_key, |e| e.key_span),
                    value: fm,
                });
                body_from = close_index + 1;
            }
        }
    }

    let body_lines = &lines[body_from.min(lines.len())..];
    let headings = headings(text, body_lines);
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
    let sections = sections(text, body_lines, &headings);
    let list_span = |items: &[Node]| match (items.first(), items.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::new(0, 0),
    };
    let span = list_span(&headings);
    entries.push(Entry {
        key: "headings".into(),
        key_span: span,
        value: Node::list(headings, span),
    });
    let span = list_span(&sections);
    entries.push(Entry {
        key: "sections".into(),
        key_span: span,
        value: Node::list(sections, span),
    });
    let body_start = body_lines.first().map_or(text.len(), |l| l.start);
    // a finding about what the text as a whole does not say points where
    // findings about the document point: its start
    entries.push(Entry {
        key: "body".into(),
        key_span: Span::new(body_start, text.len()),
        value: Node::string(prose(text, body_lines), Span::new(0, 0)),
    });
    Ok(Node::map(entries, Span::new(0, text.len())))
}

/// The body's lines outside fenced code blocks (a heading or a word in an
/// example is not what the document says), joined by line breaks.
fn prose(text: &str, lines: &[Line]) -> String {
    let mut out = String::new();
    let mut fence: Option<(u8, usize)> = None;
    for line in lines {
        let s = line.content(text);
        let rest = s.trim_start();
        if let Some(c) = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~') {
            let n = rest.bytes().take_while(|&b| b == c).count();
            if n >= 3 {
                fence = match fence {
                    None => Some((c, n)),
                    Some((fc, fl)) if fc == c && n >= fl && rest[n..].trim().is_empty() => None,
                    open => open,
                };
                continue;
            }
        }
        if fence.is_none() {
            out.push_str(s);
            out.push('\n');
        }
    }
    out
}

/// comply's front matter: YAML lines from the first line (a `key:` line) to a
/// `---` line, with no heading before it, that read as a mapping; the index
/// of the closing line and the mapping. Anything else is body text.
fn headerless_front_matter(
    text: &str,
    lines: &[Line],
    bom: usize,
    limits: &Limits,
) -> Option<(usize, Node)> {
    let first = &lines.first()?.content(text)[bom..];
    let (key, rest) = first.split_once(':')?;
    let key_like = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && (rest.is_empty() || rest.starts_with([' ', '\t']));
    if !key_like {
        return None;
    }
    let close = lines.iter().enumerate().skip(1).find_map(|(i, l)| {
        let c = l.content(text).trim_end();
        if c.starts_with('#') {
            Some(None) // a heading first: this is body text
        } else {
            (c == "---").then_some(Some(i))
        }
    })??;
    let start = lines[0].start + bom;
    let yaml_text = &text[start..lines[close].start];
    let mut docs = yaml::parse(yaml_text, limits).ok()?;
    let mut fm = docs.drain(..).next()?;
    if !matches!(fm.value, Value::Map(_)) {
        return None;
    }
    fm.shift(start);
    Some((close, fm))
}

/// The headings and the emphasised lead-ins of list items (or lines that are
/// only emphasis), in document order.
fn sections(text: &str, lines: &[Line], headings: &[Node]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut next_heading = headings.iter().peekable();
    let mut level = 0.0;
    let mut fence: Option<(u8, usize)> = None;
    for line in lines {
        while let Some(h) = next_heading.next_if(|h| h.span.start <= line.start) {
            let mut section = h.clone();
            if let Value::Map(entries) = &mut section.value {
                if let Some(Value::Number(n)) = h.get("level").map(|l| &l.value) {
                    level = *n;
                }
                entries.push(kind_entry("heading", h.span));
            }
            out.push(section);
        }
        let s = line.content(text);
        let rest = s.trim_start();
        if let Some(c) = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~') {
            let n = rest.bytes().take_while(|&b| b == c).count();
            if n >= 3 {
                fence = match fence {
                    None => Some((c, n)),
                    Some((fc, fl)) if fc == c && n >= fl => None,
                    open => open,
                };
                continue;
            }
        }
        if fence.is_some() || rest.starts_with('#') {
            continue;
        }
        let Some((at, inner)) = lead_in(rest) else {
            continue;
        };
        let start = line.start + (s.len() - rest.len()) + at;
        let line_span = Span::new(line.start, line.end);
        let text_span = Span::new(start, start + inner.len());
        out.push(Node::map(
            vec![
                Entry {
                    key: "text".into(),
                    key_span: line_span,
                    value: Node::string(inner, text_span),
                },
                Entry {
                    key: "level".into(),
                    key_span: line_span,
                    value: Node::new(Value::Number((level + 1.0_f64).min(7.0)), text_span),
                },
                kind_entry("item", line_span),
            ],
            line_span,
        ));
    }
    for h in next_heading {
        let mut section = h.clone();
        if let Value::Map(entries) = &mut section.value {
            entries.push(kind_entry("heading", h.span));
        }
        out.push(section);
    }
    out
}

fn kind_entry(kind: &str, span: Span) -> Entry {
    Entry {
        key: "kind".into(),
        key_span: span,
        value: Node::string(kind, span),
    }
}

/// The emphasised words a list item (`a.`, `ii.`, `(b)`, `3)`, `-`) starts
/// with, or that make up a whole line: (offset of the words in `rest`, the
/// words without a trailing colon).
fn lead_in(rest: &str) -> Option<(usize, &str)> {
    let marker = list_marker(rest);
    let item = &rest[marker..];
    let delim = ["**", "__", "*", "_"]
        .into_iter()
        .find(|d| item.starts_with(d))?;
    let inner_start = delim.len();
    let close = item[inner_start..].find(delim)? + inner_start;
    let inner = &item[inner_start..close];
    let after = item[close + delim.len()..].trim();
    // a line of emphasis alone reads as a heading; inside an item, what
    // follows the lead-in is its text
    if marker == 0 && !(after.is_empty() || after == ":") {
        return None;
    }
    let words = inner.trim_end_matches([':', ' ']).trim_end();
    if words.is_empty() || words.starts_with(char::is_whitespace) || words.len() > 120 {
        return None;
    }
    Some((marker + inner_start, words))
}

/// The length of a list marker and the spaces after it at the start of
/// `rest` (0 when there is none): `-`, `*`, `+`, `1.`, `1)`, `a.`, `iv.`, `(a)`.
fn list_marker(rest: &str) -> usize {
    let b = rest.as_bytes();
    let spaces_after = |n: usize| -> usize {
        let ws = rest[n..]
            .bytes()
            .take_while(|c| *c == b' ' || *c == b'\t')
            .count();
        if ws > 0 {
            n + ws
        } else {
            0
        }
    };
    match b.first() {
        Some(b'-' | b'*' | b'+') => spaces_after(1),
        Some(b'(') => {
            let n = rest[1..]
                .bytes()
                .take_while(u8::is_ascii_alphanumeric)
                .count();
            if (1..=4).contains(&n) && b.get(n + 1) == Some(&b')') {
                spaces_after(n + 2)
            } else {
                0
            }
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let n = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
            let word = &rest[..n];
            let numbered = word.bytes().all(|c| c.is_ascii_digit()) && n <= 3;
            let lettered = n == 1
                || word
                    .bytes()
                    .all(|c| matches!(c.to_ascii_lowercase(), b'i' | b'v' | b'x'))
                    && n <= 5;
            if (numbered || lettered) && matches!(b.get(n), Some(b'.' | b')')) {
                spaces_after(n + 1)
            } else {
                0
            }
        }
        _ => 0,
    }
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

    /// strongdm/comply's layout: YAML from the first line, closed by `---`
    /// with no opening line; read only for a policy document.
    #[test]
    fn comply_front_matter_has_no_opening_line() {
        let text = "name: Information Security Policy\nacronym: ISP\nsatisfies:\n  TSC:\n    - CC5.3\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n---\n# Purpose and Scope\n\na. Text.\n";
        let doc = parse_policy(text, &Limits::default()).unwrap();
        let fm = doc.get("front_matter").unwrap();
        let name = fm.get("name").unwrap();
        assert_eq!(at(text, name.span), "Information Security Policy");
        let entry = doc.entry("front_matter").unwrap();
        assert_eq!(at(text, entry.key_span), "name");
        // the body starts after the closing line: its first heading is the title
        assert_eq!(
            doc.get("title").unwrap().as_str(),
            Some("Purpose and Scope")
        );
        assert!(doc
            .get("body")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("# Purpose"));
        // as plain Markdown the same text has no front matter
        let plain = parse(text, &Limits::default()).unwrap();
        assert!(plain.get("front_matter").is_none());
        // not front matter: a heading before the `---`, a line that is no
        // YAML key, YAML that is not a mapping
        for text in [
            "title: x\n# Heading\n---\n",
            "Some words: here\nand more\n---\n",
            "# Title\n---\n",
            "a: [\n---\n",
        ] {
            let doc = parse_policy(text, &Limits::default()).unwrap();
            assert!(doc.get("front_matter").is_none(), "{text:?}");
        }
    }

    /// Sections: the headings and the emphasised lead-ins of list items (or
    /// lines of emphasis alone), in order, with the heading level above.
    #[test]
    fn list_lead_ins_are_sections() {
        let text = "# Policy\n\na. *During onboarding:*\n\n    i. *Approval*: the CIO approves.\n\n(b) **Access reviews** every quarter\n\n**Exceptions**\n\n- plain item\n- *emphasis* not leading? yes it leads\n\nA *word* in a sentence.\n**Note**: not alone\n```\na. *In code*\n```\n## Scope\n";
        let doc = parse(text, &Limits::default()).unwrap();
        let sections = doc.get("sections").unwrap().as_list().unwrap();
        let got: Vec<(&str, f64, &str)> = sections
            .iter()
            .map(|s| {
                let Value::Number(level) = s.get("level").unwrap().value else {
                    panic!()
                };
                (
                    s.get("text").unwrap().as_str().unwrap(),
                    level,
                    s.get("kind").unwrap().as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Policy", 1.0, "heading"),
                ("During onboarding", 2.0, "item"),
                ("Approval", 2.0, "item"),
                ("Access reviews", 2.0, "item"),
                ("Exceptions", 2.0, "item"),
                ("emphasis", 2.0, "item"),
                ("Scope", 2.0, "heading"),
            ]
        );
        assert_eq!(
            at(text, sections[1].get("text").unwrap().span),
            "During onboarding"
        );
        assert_eq!(at(text, sections[2].get("text").unwrap().span), "Approval");
        // the body leaves fenced code out
        let body = doc.get("body").unwrap().as_str().unwrap();
        assert!(
            !body.contains("In code") && body.contains("Access reviews"),
            "{body}"
        );
    }
}
