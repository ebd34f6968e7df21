//! YAML → Node. Multi-document; anchors/aliases expanded within
//! `Limits::max_nodes`; CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`…)
//! become `Value::Expr` with `function` = the long name (`Ref`, `Fn::Sub`, …).
//!
//! How it works (and why):
//!
//! * One pass over the events of `saphyr_parser` (saphyr's own event parser),
//!   read from the `&str` directly, building [`Node`]s as the events come. Open
//!   collections live on an explicit stack, so nothing recurses on the input's
//!   nesting: a 100,000-deep `[[[[…`, `- - - …` or `? ? ? …` is rejected when
//!   the stack reaches `max_depth`, at the first token (properties included) of
//!   the collection that went past it. (The parser's `&str` input counts a
//!   `%directive` line's non-ASCII text in bytes; such a stream is read through
//!   its char input instead.)
//! * The result is the one `saphyr`'s loader (`MarkedYaml`) plus a conversion of
//!   its tree gave, which this module did before; the rules below are that
//!   loader's. Scalars resolve with its own function
//!   ([`Scalar::parse_from_cow_and_metadata`], the YAML 1.2 core schema: quoted
//!   text is a string, `0x1F`, `.inf`, `~`…); a tag other than a `!!core` one
//!   keeps the value and, for CloudFormation tags, wraps it; a value a core tag
//!   cannot resolve (`!!int x`) is its text (saphyr's `BadValue`).
//! * Parser markers count CHARACTERS (a BOM counts as one); `Positions` maps
//!   them to byte offsets (a table is built only for non-ASCII text).
//! * Event spans include node properties (`&anchor`, `!Tag`); those are skipped
//!   here so a value's span starts at the value. Collections get the start of their
//!   first token and the START of the token that ended them (for block collections
//!   that is the next token, possibly lines later), so block collections end at
//!   their last child and flow collections just after `]`/`}`. Block scalars start
//!   at their first content line; trailing line breaks are trimmed off the span.
//! * A node reached through an alias is a deep copy of the anchored node whose
//!   top-level span is the alias (`*name`); nodes inside keep the anchor's spans.
//!   Every anchor records its size (nodes as `max_nodes` counts them, and as the
//!   alias budget counts them) and, per nesting level, the first collection at
//!   that level, so an alias is checked against the budget, `max_nodes` and
//!   `max_depth` BEFORE anything is copied: a billion-laughs file is rejected
//!   after one read, without building anything big. An alias of an anchor still
//!   open (or of a `BadValue`) is an error; so is one of an earlier document's.
//! * Alias expansion is capped at 100,000 nodes per file (saphyr's loader's
//!   budget, kept with its message); unlike that loader this count includes the
//!   content of tagged collections and of complex keys, which it copied for free.
//! * Mapping keys: duplicates are rejected ("duplicated key in mapping") by the
//!   loader's equality: resolved values (`1` = `0x1`, `1` ≠ `1.0` ≠ `"1"`), tags
//!   count, complex keys compare structurally (before `<<` merging). A `BadValue`
//!   key is the loader's "no key yet": it vanishes and the next node becomes the
//!   key; a key left without a value at the end of its mapping is dropped.
//! * When a file has several problems the one reported is the one the former
//!   loading reported: a nesting error before any syntax error, else a syntax
//!   error, else the first duplicate key or alias-budget error, else the first
//!   `max_nodes`/alias error in document order (see `Mode`).
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use saphyr_parser::{Marker, ScanError, Tag};

use super::{format_number, Entry, Limits, Node, ParseError, Span, Value};

/// Parses every document of a YAML stream (with the indentation PyYAML and
/// CloudFormation accept, see [`lenient`]).
pub fn parse(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    match parse_strict(text, limits) {
        Err(e) if lenient::repairable(&e) => {
            lenient::parse_leniently(text, limits, e, parse_strict, |docs, original| {
                docs.iter_mut().for_each(|d| d.map_offsets(original))
            })
        }
        parsed => parsed,
    }
}

/// Parses every document of a YAML stream as YAML 1.2 says.
fn parse_strict(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    // Nothing here recurses on the input; this only guards against a panic
    // inside the parser turning one bad file into a failed scan.
    match catch_unwind(AssertUnwindSafe(|| Builder::new(text, limits).run())) {
        Ok(result) => result,
        Err(_) => Err(ParseError::new(
            Span::new(0, 0),
            "the YAML parser failed on this input",
        )),
    }
}

// ---------------------------------------------------------------------------
// Positions: parser character indexes → byte offsets.

struct Positions {
    /// Byte offset of every character index (plus one past the end); `None`
    /// for ASCII text, where both are the same.
    table: Option<Vec<usize>>,
    len: usize,
}

impl Positions {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            t.push(text.len());
            t
        });
        Positions {
            table,
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
            None => char_index.min(self.len),
        }
    }
    fn of(&self, m: &Marker) -> usize {
        self.byte(m.index())
    }
}

fn scan_error(e: &ScanError, text: &str, pos: &Positions, limits: &Limits) -> ParseError {
    error_at(text, pos.of(e.marker()), e.info(), limits)
}

/// An error at one character, with the parser's message made readable.
fn error_at(text: &str, at: usize, info: &str, limits: &Limits) -> ParseError {
    let end = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let message = if info == "recursion limit exceeded" {
        // the scanner caps flow nesting at 255 levels (a `u8` counter)
        format!("nesting deeper than {} levels", limits.max_depth.min(255))
    } else if info.contains("alias expansion") {
        format!(
            "alias expansion exceeds {} nodes (possible billion-laughs)",
            limits.max_nodes.min(limits.max_alias_nodes)
        )
    } else {
        info.to_string()
    };
    ParseError::new(Span::new(at, end), message)
}

/// Whether a directive line (`%…`) holds non-ASCII text. saphyr-parser's `&str`
/// input advances its positions by the BYTES of a directive's name and
/// parameters, so such a stream is read through its char input instead.
fn directive_with_non_ascii(text: &str) -> bool {
    !text.is_ascii()
        && text
            .split(['\n', '\r'])
            .any(|line| line.trim_start_matches('\u{feff}').starts_with('%') && !line.is_ascii())
}

/// CloudFormation short-form tag → long function name.
fn cfn_function(tag: &Tag) -> Option<String> {
    if tag.handle != "!" {
        return None;
    }
    let name = tag.suffix.as_str();
    match name {
        "Ref" | "Condition" => Some(name.to_string()),
        "Sub" | "GetAtt" | "Join" | "If" | "Equals" | "FindInMap" | "Select" | "Split"
        | "Base64" | "Cidr" | "ImportValue" | "GetAZs" | "And" | "Or" | "Not" | "Transform"
        | "Length" | "ToJsonString" => Some(format!("Fn::{name}")),
        _ => None,
    }
}

/// A tag that wraps its node (anything but the `!!str`, `!!int`… core tags).
fn custom_tag(tag: Option<Cow<'_, Tag>>) -> Option<Tag> {
    tag.filter(|t| !t.is_yaml_core_schema())
        .map(Cow::into_owned)
}

/// A key's name: a string key's value (moved out: only the key's span is
/// kept), otherwise its source text.
fn key_name(text: &str, key: &mut Node) -> String {
    if let Value::String(s) = &mut key.value {
        return std::mem::take(s);
    }
    key_string(text, key)
}

fn key_string(text: &str, key: &Node) -> String {
    let source = text
        .get(key.span.start..key.span.end.max(key.span.start))
        .unwrap_or("");
    match &key.value {
        Value::String(s) => s.clone(),
        Value::Expr(e) => e.text.clone(),
        _ if !source.starts_with('*') => source.trim().to_string(),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::List(_) | Value::Map(_) => source.trim().to_string(),
    }
}

fn is_mergeable(value: &Node) -> bool {
    match &value.value {
        Value::Map(_) => true,
        Value::List(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
        _ => false,
    }
}

/// Applies `<<` merge keys (at indexes `merges`): the merged maps' entries take
/// the place of the `<<` entry; keys written explicitly win, and among merged
/// maps the first one listed wins.
fn merge(entries: Vec<Entry>, merges: &[usize]) -> Vec<Entry> {
    let explicit: std::collections::HashSet<String> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !merges.contains(i))
        .map(|(_, e)| e.key.clone())
        .collect();
    let mut merged_keys = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        if !merges.contains(&i) {
            out.push(entry);
            continue;
        }
        let sources = match entry.value.value {
            Value::Map(m) => vec![m],
            Value::List(items) => items
                .into_iter()
                .filter_map(|n| match n.value {
                    Value::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for source in sources {
            for e in source {
                if !explicit.contains(&e.key) && merged_keys.insert(e.key.clone()) {
                    out.push(e);
                }
            }
        }
    }
    out
}

mod builder;
mod keys;
mod lenient;

use builder::Builder;
#[cfg(test)]
mod tests;
