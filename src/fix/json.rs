//! Adding and removing members of JSON objects written one member a line,
//! in the file's own indentation; an object on one line, or a repeated key,
//! gets no edit.
use super::text::{line_ending, line_start};
use super::Edit;
use crate::document::{Entry, Node, Span, Value};
use crate::rules::FixValue;

/// The edit adding `path` = `value` to `obj` (the missing part of the path
/// as nested objects), before the member `before` when there is one, else
/// after the last.
pub fn add(
    text: &str,
    obj: &Node,
    path: &[String],
    value: &FixValue,
    before: Option<&str>,
) -> Option<Edit> {
    let entries = members(text, obj)?;
    let first = entries.first()?;
    let col = first.key_span.start - line_start(text, first.key_span.start);
    let open_line = line_start(text, obj.span.start);
    let open_indent = text[open_line..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .count();
    let step = col.checked_sub(open_indent).filter(|s| *s > 0).unwrap_or(2);
    let nl = line_ending(text);
    // `"key": v` or `"key" : v`, as the object's first member is written
    let sep = text
        .get(first.key_span.end..first.value.span.start)
        .filter(|s| s.trim() == ":" && !s.contains('\n'))
        .unwrap_or(": ");
    let member =
        render(path, value, col, step, nl).replacen("\": ", &format!("\"{sep}"), usize::MAX);
    if let Some(b) = before.and_then(|b| entries.iter().find(|e| e.key == b)) {
        let at = line_start(text, b.key_span.start);
        return Some(Edit {
            span: Span::new(at, at),
            text: format!("{}{member},{nl}", " ".repeat(col)),
        });
    }
    let last = entries.last()?;
    let at = last.value.span.end;
    Some(Edit {
        span: Span::new(at, at),
        text: format!(",{nl}{}{member}", " ".repeat(col)),
    })
}

/// The edit removing member `key` of `obj` with the comma that separates
/// it; `None` for an object's only member.
pub fn remove(text: &str, obj: &Node, key: &str) -> Option<Edit> {
    let entries = members(text, obj)?;
    let i = entries.iter().position(|e| e.key == key)?;
    if entries.len() < 2 {
        return None;
    }
    let span = match entries.get(i + 1) {
        // up to the next member's line: this line, its comma and comment
        Some(next) => Span::new(
            line_start(text, entries[i].key_span.start),
            line_start(text, next.key_span.start),
        ),
        // the last: from the end of the member before it (its comma goes)
        None => Span::new(entries[i - 1].value.span.end, entries[i].value.span.end),
    };
    Some(Edit {
        span,
        text: String::new(),
    })
}

/// The members of an object that has each on its own line, in one column.
fn members<'a>(text: &str, obj: &'a Node) -> Option<&'a [Entry]> {
    let Value::Map(entries) = &obj.value else {
        return None;
    };
    let col = |e: &Entry| {
        let ls = line_start(text, e.key_span.start);
        text[ls..e.key_span.start]
            .chars()
            .all(|c| c == ' ' || c == '\t')
            .then_some(e.key_span.start - ls)
    };
    let first = col(entries.first()?)?;
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        if col(e)? != first || !seen.insert(e.key.as_str()) {
            return None;
        }
    }
    Some(entries)
}

/// `"key": value` (nested objects for the rest of the path), continuation
/// lines at `col` plus `step` per level.
fn render(path: &[String], value: &FixValue, col: usize, step: usize, nl: &str) -> String {
    let inner = |k: &[String], v: &FixValue| render(k, v, col + step, step, nl);
    match (path, value) {
        ([key], FixValue::Map(m)) => {
            let pad = " ".repeat(col + step);
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}{}", inner(std::slice::from_ref(k), v)))
                .collect();
            format!(
                "\"{key}\": {{{nl}{}{nl}{}}}",
                members.join(&format!(",{nl}")),
                " ".repeat(col)
            )
        }
        ([key], v) => format!("\"{key}\": {}", super::render(v, super::Syntax::Json, "")),
        ([key, rest @ ..], v) => format!(
            "\"{key}\": {{{nl}{}{}{nl}{}}}",
            " ".repeat(col + step),
            inner(rest, v),
            " ".repeat(col)
        ),
        ([], _) => String::new(),
    }
}
