//! Adding and removing keys of YAML block mappings as text edits, in the
//! file's own indentation and line endings, everything else left as it is.
//! A flow mapping (`{a: 1}`), a merge key (`<<`), a repeated key or a key
//! that does not start its line gets no edit: the result could not be
//! checked to mean what the fix says.
use super::text::{after_line, line_ending, line_start, Lines};
use super::Edit;
use crate::document::{Node, Span, Value};
use crate::rules::FixValue;

/// The edit adding `path` = `value` under `map` (the missing part of the
/// path as nested mappings), before the key `before` when `map` has it,
/// else after its last key. `step` is the file's indentation step.
pub fn add(
    text: &str,
    map: &Node,
    path: &[String],
    value: &FixValue,
    before: Option<&str>,
    step: usize,
) -> Option<Edit> {
    let entries = block_entries(text, map)?;
    let col = column(text, entries.first()?.key_span.start)?;
    let nl = line_ending(text);
    let mut body = String::new();
    render(&mut Lines::new(&mut body, nl), path, value, col, step);
    let at_before = before
        .and_then(|b| entries.iter().find(|e| e.key == b))
        .filter(|e| starts_line(text, e.key_span.start));
    let at = match at_before {
        Some(e) => {
            let at = above_comments(text, line_start(text, e.key_span.start));
            // a file that keeps a blank line between its sections keeps it
            // between the new key and the one it goes before
            if at > 0 && text[line_start(text, at - 1)..at].trim().is_empty() {
                body.push_str(nl);
            }
            at
        }
        None => {
            let last = entries.last()?;
            match after_line(text, last.value.span.end.max(last.key_span.end)) {
                Some(at) => at,
                None => {
                    // the last line has no line break: give it one
                    body.insert_str(0, nl);
                    text.len()
                }
            }
        }
    };
    Some(Edit {
        span: Span::new(at, at),
        text: body,
    })
}

/// The edit removing the entry `key` of `map` (its lines, from the key to
/// the end of its value, a comment on them included); `None` when it is the
/// mapping's only key (an empty mapping would mean something else) or does
/// not start its line.
pub fn remove(text: &str, map: &Node, key: &str) -> Option<Edit> {
    let entries = block_entries(text, map)?;
    let e = entries.iter().find(|e| e.key == key)?;
    if entries.len() < 2 || !starts_line(text, e.key_span.start) {
        return None;
    }
    let start = line_start(text, e.key_span.start);
    let end = after_line(text, e.value.span.end.max(e.key_span.end)).unwrap_or(text.len());
    Some(Edit {
        span: Span::new(start, end),
        text: String::new(),
    })
}

/// The entries of a block mapping whose keys all start their lines (after
/// a list item's `- ` for the first) in one column; `None` otherwise.
pub fn block_entries<'a>(text: &str, map: &'a Node) -> Option<&'a [crate::document::Entry]> {
    let Value::Map(entries) = &map.value else {
        return None;
    };
    let first = entries.first()?;
    if text.as_bytes().get(map.span.start) == Some(&b'{') {
        return None;
    }
    let col = column(text, first.key_span.start)?;
    // a merge key or an alias brings entries written elsewhere (under an
    // anchor other mappings share): editing them there would change those
    if text.get(map.span.start..map.span.end)?.contains("<<") {
        return None;
    }
    let within = |s: Span| map.span.start <= s.start && s.end <= map.span.end;
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        if e.key == "<<"
            || !seen.insert(e.key.as_str())
            || !within(e.key_span)
            || !within(e.value.span)
        {
            return None;
        }
        if column(text, e.key_span.start)? != col {
            return None;
        }
    }
    Some(entries)
}

/// The column (bytes from the line start) of a key at `at`, when only
/// spaces, or spaces and one list dash, stand before it on its line.
fn column(text: &str, at: usize) -> Option<usize> {
    let ls = line_start(text, at);
    let prefix = text.get(ls..at)?;
    let rest = prefix.trim_start_matches(' ');
    let ok = rest.is_empty()
        || (rest.starts_with('-') && rest[1..].chars().all(|c| c == ' ') && rest.len() > 1);
    ok.then_some(at - ls)
}

/// Whether only spaces stand before `at` on its line.
fn starts_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at].chars().all(|c| c == ' ')
}

/// `at` (a line start) moved above the comment lines right above it, which
/// belong to the key below them.
fn above_comments(text: &str, mut at: usize) -> usize {
    while at > 0 {
        let prev = line_start(text, at - 1);
        if text[prev..at].trim_start().starts_with('#') {
            at = prev;
        } else {
            break;
        }
    }
    at
}

/// `path: value` as block lines at `col`, nested by `step`.
fn render(out: &mut Lines, path: &[String], value: &FixValue, col: usize, step: usize) {
    let pad = " ".repeat(col);
    match (path, value) {
        ([key], FixValue::Map(m)) => {
            out.line(&format!("{pad}{key}:"));
            for (k, v) in m {
                render(out, std::slice::from_ref(k), v, col + step, step);
            }
        }
        ([key], v) => out.line(&format!("{pad}{key}: {}", scalar(v))),
        ([key, rest @ ..], v) => {
            out.line(&format!("{pad}{key}:"));
            render(out, rest, v, col + step, step);
        }
        ([], _) => {}
    }
}

fn scalar(v: &FixValue) -> String {
    super::render(v, super::Syntax::Yaml, "")
}

/// The indentation step of a document: how far the first nested block
/// mapping found sits right of its parent's key (2 when there is none).
pub fn step(text: &str, docs: &[Node]) -> usize {
    fn walk(text: &str, n: &Node) -> Option<usize> {
        match &n.value {
            Value::Map(entries) => {
                let col = column(text, entries.first()?.key_span.start);
                for e in entries {
                    if let (Some(col), Value::Map(inner)) = (col, &e.value.value) {
                        if let Some(c) = inner
                            .first()
                            .and_then(|i| column(text, i.key_span.start))
                            .filter(|c| *c > col && starts_line(text, inner[0].key_span.start))
                        {
                            return Some(c - col);
                        }
                    }
                    if let Some(s) = walk(text, &e.value) {
                        return Some(s);
                    }
                }
                None
            }
            Value::List(items) => items.iter().find_map(|i| walk(text, i)),
            _ => None,
        }
    }
    docs.iter().find_map(|d| walk(text, d)).unwrap_or(2)
}
