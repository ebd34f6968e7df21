//! YAML and JSON as Helm reads and writes them.
//!
//! Reading (values files, `fromYaml`, `fromJson`) goes YAML → JSON → Go, as
//! `sigs.k8s.io/yaml` does: every number is a float64, keys are strings, and
//! YAML 1.1's `yes`/`no`/`on`/`off` are booleans. Every value keeps its origin:
//! a string whose text is its source's text maps byte for byte.
//!
//! Writing (`toYaml`) is JSON → go-yaml v2's emitter: keys in its natural
//! order, block sequences not indented under their key, plain scalars where
//! they read back as strings, else single or double quotes, `|` blocks for
//! multi-line strings, long plain lines folded at 80 columns. Keys and scalars
//! carry their origins into the output; indentation and punctuation carry the
//! call site's.
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::source::{Builder, Origin, Str};
use super::value::{format_float, format_float_g, Host, List, Map, MapEntry, Val, UNKNOWN_MARK};
use crate::document::{self, Limits, Node, Value};

// ---------------------------------------------------------------------------
// reading

/// A parsed document's node as a template value; `text` is the document's
/// source (its origins give each node's).
pub fn node_to_val(node: &Node, text: &Str) -> Val {
    let origin = |at: usize| text.origin_at(at).coarsen();
    match &node.value {
        Value::Null => Val::Nil,
        Value::Bool(b) => Val::Bool(*b, origin(node.span.start)),
        Value::Number(n) => {
            // YAML 1.1 (go-yaml v2): a leading zero makes an octal number
            let raw = text
                .as_str()
                .get(node.span.start..node.span.end)
                .unwrap_or("");
            let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
            if digits.len() > 1
                && digits.starts_with('0')
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                if let Some(v) = super::funcs::parse_go_int(raw) {
                    return Val::Float(v as f64, origin(node.span.start));
                }
            }
            Val::Float(*n, origin(node.span.start))
        }
        Value::String(s) => {
            let raw = text
                .as_str()
                .get(node.span.start..node.span.end)
                .unwrap_or("");
            let first = raw.as_bytes().first().copied();
            let plain = !matches!(first, Some(b'"' | b'\'' | b'|' | b'>'));
            if plain {
                if let Some(b) = yaml11_bool(s) {
                    return Val::Bool(b, origin(node.span.start));
                }
                if let Some(v) = yaml11_int(s) {
                    return Val::Float(v as f64, origin(node.span.start));
                }
            }
            if raw == s.as_str() {
                Val::Str(text.slice(node.span.start, node.span.end))
            } else if matches!(first, Some(b'"' | b'\''))
                && raw.len() == s.len() + 2
                && &raw[1..raw.len() - 1] == s.as_str()
            {
                Val::Str(text.slice(node.span.start + 1, node.span.end - 1))
            } else {
                Val::string(s.clone(), origin(node.span.start))
            }
        }
        Value::List(items) => Val::List(Rc::new(List {
            items: items.iter().map(|i| node_to_val(i, text)).collect(),
            origin: origin(node.span.start),
        })),
        Value::Map(entries) => {
            let mut m = BTreeMap::new();
            for e in entries {
                let raw_key = text
                    .as_str()
                    .get(e.key_span.start..e.key_span.end)
                    .unwrap_or("");
                let key = match yaml11_bool(&e.key) {
                    Some(b) if raw_key == e.key => b.to_string(),
                    _ => e.key.clone(),
                };
                m.insert(
                    key,
                    MapEntry {
                        key_origin: text.origin_at(e.key_span.start),
                        val: node_to_val(&e.value, text),
                    },
                );
            }
            Val::Map(Rc::new(RefCell::new(Map {
                entries: m,
                origin: origin(node.span.start),
            })))
        }
        // a CloudFormation-style tag is its text to Helm
        Value::Expr(e) => Val::string(e.text.clone(), origin(node.span.start)),
    }
}

/// YAML 1.1 integers the 1.2 core schema reads as strings (`1_000`, `0b101`).
fn yaml11_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty()
        || !(b[0].is_ascii_digit()
            || ((b[0] == b'-' || b[0] == b'+') && b.len() > 1 && b[1].is_ascii_digit()))
    {
        return None;
    }
    super::funcs::parse_go_int(&s.replace('_', ""))
}

/// YAML 1.1 booleans that the 1.2 core schema reads as strings.
fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Limits for YAML a template parses (`fromYaml`).
const LIMITS: Limits = Limits {
    max_depth: 128,
    max_nodes: 1_000_000,
    max_alias_nodes: 100_000,
};

/// A YAML text's first document, or the parse error.
pub fn parse_first(text: &Str) -> Result<Option<Val>, String> {
    let docs = document::yaml::parse(text.as_str(), &LIMITS).map_err(|e| e.message)?;
    Ok(docs.first().map(|d| node_to_val(d, text)))
}

fn error_map(message: String, at: Origin) -> Val {
    let mut m = BTreeMap::new();
    m.insert(
        "Error".to_string(),
        MapEntry {
            key_origin: at,
            val: Val::string(message, at.coarsen()),
        },
    );
    Val::map(m)
}

/// Helm's `fromYaml` (`array`: `fromYamlArray`): on error, a map (or list)
/// holding the error text.
pub fn from_yaml(text: &Str, at: Origin, array: bool) -> Val {
    match parse_first(text) {
        Ok(None) | Ok(Some(Val::Nil)) => {
            if array {
                Val::list(Vec::new())
            } else {
                Val::empty_map()
            }
        }
        Ok(Some(v @ Val::Map(_))) if !array => v,
        Ok(Some(v @ Val::List(_))) if array => v,
        Ok(Some(v)) => {
            let want = if array {
                "[]interface {}"
            } else {
                "map[string]interface {}"
            };
            let msg = format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {want}",
                json_kind(&v)
            );
            if array {
                Val::list(vec![Val::string(msg, at.coarsen())])
            } else {
                error_map(msg, at)
            }
        }
        Err(e) => {
            let msg = format!("error converting YAML to JSON: yaml: {e}");
            if array {
                Val::list(vec![Val::string(msg, at.coarsen())])
            } else {
                error_map(msg, at)
            }
        }
    }
}

fn json_kind(v: &Val) -> &'static str {
    match v {
        Val::Str(_) => "string",
        Val::Float(..) | Val::Int(..) => "number",
        Val::Bool(..) => "bool",
        Val::List(_) => "array",
        Val::Map(_) => "object",
        _ => "null",
    }
}

/// Helm's `fromJson` (`array`: `fromJsonArray`).
pub fn from_json(text: &Str, at: Origin, array: bool) -> Val {
    match document::json::parse(text.as_str(), &LIMITS) {
        Ok(node) => {
            let v = node_to_val(&node, text);
            match (&v, array) {
                (Val::Map(_), false) | (Val::List(_), true) => v,
                (Val::Nil, false) => Val::empty_map(),
                _ => {
                    let msg = format!("json: cannot unmarshal {} into Go value", json_kind(&v));
                    if array {
                        Val::list(vec![Val::string(msg, at.coarsen())])
                    } else {
                        error_map(msg, at)
                    }
                }
            }
        }
        Err(e) => {
            if array {
                Val::list(vec![Val::string(e.message, at.coarsen())])
            } else {
                error_map(e.message, at)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// writing JSON

/// Go's `encoding/json` text of a float64.
fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!("json: unsupported value: {}", format_float_g(f)));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        return Ok(format_float(f, 0).replace("e-0", "e-").replace("e+0", "e+"));
    }
    Ok(format_float(f, 21))
}

fn json_string(s: &str, html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` (`pretty`: `MarshalIndent` with two spaces; `html`:
/// `<`, `>`, `&` escaped).
pub fn to_json(v: &Val, pretty: bool, html: bool) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, pretty, html, 0, &mut out, 0)?;
    Ok(out)
}

fn write_json(
    v: &Val,
    pretty: bool,
    html: bool,
    indent: usize,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if depth > 256 {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    let nl = |out: &mut String, n: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(n));
        }
    };
    match v {
        Val::Missing | Val::Nil => out.push_str("null"),
        Val::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i, ..) => out.push_str(&i.to_string()),
        Val::Float(f, _) => out.push_str(&json_float(*f)?),
        Val::Str(s) => json_string(s.as_str(), html, out),
        Val::Unknown(_) => json_string(UNKNOWN_MARK, html, out),
        Val::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent + 1);
                write_json(item, pretty, html, indent + 1, out, depth + 1)?;
            }
            nl(out, indent);
            out.push(']');
        }
        Val::Map(m) => {
            let m = m.borrow();
            if m.entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, e)) in m.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, indent + 1);
                json_string(k, html, out);
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(&e.val, pretty, html, indent + 1, out, depth + 1)?;
            }
            nl(out, indent);
            out.push('}');
        }
        Val::Host(h) => match &**h {
            Host::Struct(_, fields) => {
                out.push('{');
                for (i, (k, f)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(k, html, out);
                    out.push(':');
                    write_json(f, pretty, html, indent + 1, out, depth + 1)?;
                }
                out.push('}');
            }
            Host::Time(_) => json_string("2024-01-01T00:00:00Z", html, out),
            _ => out.push_str("{}"),
        },
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// writing YAML

/// go-yaml v2's order of map keys: runs of digits compare as numbers,
/// non-letters sort before letters.
pub fn yaml_key_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        return key_cmp_by(x.len(), y.len(), |i| x[i] as char, |i| y[i] as char);
    }
    let x: Vec<char> = a.chars().collect();
    let y: Vec<char> = b.chars().collect();
    key_cmp_by(x.len(), y.len(), |i| x[i], |i| y[i])
}

fn key_cmp_by(
    la: usize,
    lb: usize,
    ar: impl Fn(usize) -> char,
    br: impl Fn(usize) -> char,
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let mut i = 0;
    while i < la && i < lb {
        let (ca, cb) = (ar(i), br(i));
        if ca == cb {
            i += 1;
            continue;
        }
        let al = ca.is_alphabetic();
        let bl = cb.is_alphabetic();
        if al && bl {
            return ca.cmp(&cb);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ca == '0' || cb == '0' {
            let mut j = i;
            while j > 0 && ar(j - 1).is_ascii_digit() {
                j -= 1;
                if ar(j) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < la && ar(ai).is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar(ai) as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < lb && br(bi).is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br(bi) as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ca.cmp(&cb);
    }
    la.cmp(&lb)
}

/// Whether go-yaml v2 reads `s`, written plain, as something else than a string.
fn resolves_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    if matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "<<"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) || yaml11_bool(s).is_some()
    {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return false;
    }
    let plain = s.replace('_', "");
    if super::funcs::parse_go_int(&plain).is_some() {
        return true;
    }
    if let Some(u) = plain.strip_prefix('+').or(Some(&plain)) {
        if u.strip_prefix("0b")
            .is_some_and(|b| !b.is_empty() && b.bytes().all(|c| c == b'0' || c == b'1'))
        {
            return true;
        }
    }
    // float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let body = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some((a, b)) => {
            (a.is_empty() && !b.is_empty() || !a.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    if mant_ok && exp_ok {
        return true;
    }
    // base 60 floats (`1:20`) are quoted by go-yaml v2
    is_base60_float(s)
}

fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut parts = body.split(':');
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty()
        || !first.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        || !body.contains(':')
    {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    for (i, p) in rest.iter().enumerate() {
        let (int, frac) = match p.split_once('.') {
            Some((a, b)) if i == rest.len() - 1 => (a, Some(b)),
            _ => (*p, None),
        };
        if int.is_empty()
            || int.len() > 2
            || !int.bytes().all(|c| c.is_ascii_digit())
            || int.as_bytes()[0] > b'5' && int.len() == 2
        {
            return false;
        }
        if let Some(f) = frac {
            if !f.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                return false;
            }
        }
    }
    true
}

fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || v == 0x85
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&v)
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's scalar analysis and style choice for a block-context scalar
/// (`key`: a simple key).
fn choose_style(s: &str, key: bool) -> Style {
    let requested = if s.contains('\n') {
        Style::Literal
    } else if resolves_non_string(s) {
        Style::Double
    } else {
        Style::Plain
    };
    if s.is_empty() {
        return Style::Double;
    }
    let chars: Vec<char> = s.chars().collect();
    let blankz = |i: usize| {
        i >= chars.len()
            || matches!(
                chars[i],
                ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
            )
    };
    let (mut block_ind, mut special) = (false, false);
    let (mut lead_space, mut lead_break, mut trail_space, mut trail_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut prev_space, mut prev_break, mut line_breaks) =
        (false, false, false, false, false);
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
    }
    let mut preceded_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_ws = blankz(i + 1);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if followed_ws => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_ws => block_ind = true,
                '#' if preceded_ws => block_ind = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        let last = i == chars.len() - 1;
        if c == ' ' {
            if i == 0 {
                lead_space = true;
            }
            if last {
                trail_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            line_breaks = true;
            if i == 0 {
                lead_break = true;
            }
            if last {
                trail_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_break = true;
            prev_space = false;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = blankz(i);
    }
    let mut plain_ok = true;
    let mut single_ok = true;
    let mut block_ok = true;
    if lead_space || lead_break || trail_space || trail_break {
        plain_ok = false;
    }
    if trail_space {
        block_ok = false;
    }
    if break_space {
        plain_ok = false;
        single_ok = false;
    }
    if space_break || special {
        plain_ok = false;
        single_ok = false;
        block_ok = false;
    }
    if line_breaks {
        plain_ok = false;
    }
    if block_ind {
        plain_ok = false;
    }
    let mut style = requested;
    if key && line_breaks {
        return Style::Double;
    }
    if style == Style::Plain && !plain_ok {
        style = Style::Single;
    }
    if style == Style::Single && !single_ok {
        style = Style::Double;
    }
    if style == Style::Literal && (!block_ok || key) {
        style = Style::Double;
    }
    style
}

struct Emitter<'a> {
    b: Builder,
    at: Origin,
    column: usize,
    _p: std::marker::PhantomData<&'a ()>,
}

const BEST_WIDTH: usize = 80;

impl Emitter<'_> {
    fn punct(&mut self, t: &str) {
        self.b.push_text(t, self.at);
        self.advance(t);
    }
    fn advance(&mut self, t: &str) {
        match t.rfind('\n') {
            Some(i) => self.column = t[i + 1..].chars().count(),
            None => self.column += t.chars().count(),
        }
    }
    fn newline(&mut self, indent: usize) {
        self.b.push_text("\n", self.at);
        self.b.push_text(&" ".repeat(indent), self.at);
        self.column = indent;
    }
    fn text(&mut self, s: &Str, start: usize, end: usize) {
        self.b.push_range(s, start, end);
        self.advance(&s.as_str()[start..end]);
    }

    /// A scalar string in block context at `indent` (continuation lines' indent).
    fn string(&mut self, s: &Str, indent: usize, key: bool) {
        let t = s.as_str();
        match choose_style(t, key) {
            Style::Plain => self.folded(s, indent, !key, None),
            Style::Single => {
                self.punct("'");
                self.folded(s, indent, !key, Some('\''));
                self.punct("'");
            }
            Style::Double => {
                let escaped = double_quote_body(t);
                if escaped == t {
                    self.punct("\"");
                    self.text(s, 0, t.len());
                    self.punct("\"");
                } else {
                    let o = s.origin();
                    let o = if o.is_none() { self.at } else { o.coarsen() };
                    let q = format!("\"{escaped}\"");
                    self.b.push_text(&q, o);
                    self.advance(&q);
                }
            }
            Style::Literal => {
                // header: indentation indicator when it starts with a space, chomping
                let mut header = String::from("|");
                if t.starts_with(' ') || t.starts_with('\n') {
                    header.push('2');
                }
                if !t.ends_with('\n') {
                    header.push('-');
                } else if t.ends_with("\n\n") || t == "\n" {
                    header.push('+');
                }
                self.punct(&header);
                let body_indent = indent;
                let mut start = 0;
                let lines: Vec<(usize, usize)> = {
                    let mut v = Vec::new();
                    for (i, _) in t.match_indices('\n') {
                        v.push((start, i));
                        start = i + 1;
                    }
                    if start < t.len() {
                        v.push((start, t.len()));
                    }
                    v
                };
                for (a, e) in lines {
                    if a == e {
                        self.b.push_text("\n", self.at);
                        self.column = 0;
                    } else {
                        self.newline(body_indent);
                        self.text(s, a, e);
                    }
                }
            }
        }
    }

    /// Plain or single-quoted text, folded at spaces past the best width
    /// (libyaml's `write_plain_scalar`/`write_single_quoted`).
    fn folded(&mut self, s: &Str, indent: usize, allow_breaks: bool, quote: Option<char>) {
        let t = s.as_str();
        let bytes = t.as_bytes();
        let mut run = 0;
        let mut col = self.column;
        let mut spaces = false;
        for i in 0..bytes.len() {
            let c = bytes[i];
            if c == b' ' {
                let inner = quote.is_none() || (i != 0 && i != bytes.len() - 1);
                if allow_breaks
                    && inner
                    && !spaces
                    && col > BEST_WIDTH
                    && i + 1 < bytes.len()
                    && bytes[i + 1] != b' '
                {
                    self.text(s, run, i);
                    self.newline(indent);
                    run = i + 1;
                    col = indent;
                    spaces = true;
                    continue;
                }
                spaces = true;
            } else {
                spaces = false;
            }
            if quote == Some('\'') && c == b'\'' {
                self.text(s, run, i + 1);
                self.punct("'");
                run = i + 1;
                col += 1;
            }
            if c & 0xC0 != 0x80 {
                col += 1;
            }
        }
        self.text(s, run, bytes.len());
    }

    fn scalar(&mut self, v: &Val, indent: usize) -> Result<(), String> {
        let at = self.at;
        let lit = |e: &mut Self, t: &str, o: Origin| {
            let o = if o.is_none() { at } else { o.coarsen() };
            e.b.push_text(t, o);
            e.advance(t);
        };
        match v {
            Val::Missing | Val::Nil => lit(self, "null", Origin::NONE),
            Val::Bool(b, o) => lit(self, if *b { "true" } else { "false" }, *o),
            Val::Int(i, _, o) => lit(self, &i.to_string(), *o),
            Val::Float(f, o) => {
                let _ = json_float(*f)?;
                let t = if f.fract() == 0.0 && f.abs() < 1e21 {
                    format_float(*f, 21)
                } else {
                    format_float_g(*f)
                };
                lit(self, &t, *o)
            }
            Val::Str(s) => self.string(s, indent, false),
            Val::Unknown(_) => lit(self, UNKNOWN_MARK, Origin::NONE),
            Val::Host(h) => match &**h {
                Host::Time(_) => lit(self, "\"2024-01-01T00:00:00Z\"", Origin::NONE),
                _ => lit(self, "{}", Origin::NONE),
            },
            Val::List(_) => lit(self, "[]", v.origin()),
            Val::Map(_) => lit(self, "{}", v.origin()),
        }
        Ok(())
    }

    fn map_entries(
        &mut self,
        entries: &[(String, Origin, Val)],
        indent: usize,
        inline_first: bool,
        depth: usize,
    ) -> Result<(), String> {
        let mut sorted: Vec<&(String, Origin, Val)> = entries.iter().collect();
        sorted.sort_by(|a, b| yaml_key_cmp(&a.0, &b.0));
        for (i, (k, ko, v)) in sorted.into_iter().enumerate() {
            if i > 0 || !inline_first {
                self.newline(indent);
            }
            let key = Str::new(k.as_str(), if ko.is_none() { self.at } else { *ko });
            self.string(&key, indent + 2, true);
            self.punct(":");
            match block_of(v) {
                Block::Map(m) => self.map_entries(&m, indent + 2, false, depth + 1)?,
                Block::List(l) => self.seq_items(&l, indent, false, depth + 1)?,
                Block::Scalar => {
                    self.punct(" ");
                    self.scalar(v, indent + 2)?;
                }
            }
        }
        Ok(())
    }

    fn seq_items(
        &mut self,
        items: &[Val],
        indent: usize,
        inline_first: bool,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 256 {
            return Err("json: unsupported value: encountered a cycle".into());
        }
        for (i, v) in items.iter().enumerate() {
            if i > 0 || !inline_first {
                self.newline(indent);
            }
            self.punct("- ");
            match block_of(v) {
                Block::Map(m) => self.map_entries(&m, indent + 2, true, depth + 1)?,
                Block::List(l) => self.seq_items(&l, indent + 2, true, depth + 1)?,
                Block::Scalar => self.scalar(v, indent + 2)?,
            }
        }
        Ok(())
    }
}

enum Block {
    Map(Vec<(String, Origin, Val)>),
    List(Vec<Val>),
    Scalar,
}

fn block_of(v: &Val) -> Block {
    match v {
        Val::Map(m) => {
            let m = m.borrow();
            if m.entries.is_empty() {
                return Block::Scalar;
            }
            Block::Map(
                m.entries
                    .iter()
                    .map(|(k, e)| (k.clone(), e.key_origin, e.val.clone()))
                    .collect(),
            )
        }
        Val::List(l) if !l.items.is_empty() => Block::List(l.items.clone()),
        Val::Host(h) => match &**h {
            Host::Struct(_, fields) if !fields.is_empty() => Block::Map(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), Origin::NONE, v.clone()))
                    .collect(),
            ),
            _ => Block::Scalar,
        },
        _ => Block::Scalar,
    }
}

/// The body of a double-quoted scalar, escaped as libyaml does.
fn double_quote_body(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !is_printable(c) || c == '\u{feff}' => {
                let v = c as u32;
                if v <= 0xFF {
                    out.push_str(&format!("\\x{v:02X}"));
                } else if v <= 0xFFFF {
                    out.push_str(&format!("\\u{v:04X}"));
                } else {
                    out.push_str(&format!("\\U{v:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Helm's `toYaml`: the value as go-yaml v2 writes it, without the final newline.
pub fn to_yaml(v: &Val, at: Origin) -> Result<Str, String> {
    let mut e = Emitter {
        b: Builder::default(),
        at: at.coarsen(),
        column: 0,
        _p: std::marker::PhantomData,
    };
    match block_of(v) {
        Block::Map(m) => e.map_entries(&m, 0, true, 0)?,
        Block::List(l) => e.seq_items(&l, 0, true, 0)?,
        Block::Scalar => e.scalar(v, 2)?,
    }
    Ok(e.b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_of(src: &str) -> String {
        let text = Str::new(src, Origin::exact(0, 0));
        let v = parse_first(&text).unwrap().unwrap();
        to_yaml(&v, Origin::NONE).unwrap().as_str().to_string()
    }

    #[test]
    fn to_yaml_writes_as_go_yaml_v2() {
        assert_eq!(
            yaml_of("b: 1\na: [x, 'true', '', 1.5, 'a: b']\nc: {d: {}, e: []}\n"),
            "a:\n- x\n- \"true\"\n- \"\"\n- 1.5\n- 'a: b'\nb: 1\nc:\n  d: {}\n  e: []"
        );
        assert_eq!(yaml_of("k: \"l1\\nl2\"\n"), "k: |-\n  l1\n  l2");
        // a YAML 1.1 boolean key (`y`) is the key "true", as Helm reads it
        assert_eq!(
            yaml_of("- [a, b]\n- {x: 1, y: 2}\n"),
            "- - a\n  - b\n- \"true\": 2\n  x: 1"
        );
        // values.yaml numbers are float64: integral ones print as integers
        assert_eq!(yaml_of("num: 1000000\nf: 0.5\n"), "f: 0.5\nnum: 1000000");
        assert_eq!(yaml_key_cmp("a10", "a9"), std::cmp::Ordering::Greater);
        assert_eq!(yaml_key_cmp("_x", "a"), std::cmp::Ordering::Less);
    }

    #[test]
    fn values_keep_their_origins_through_to_yaml() {
        let src = "securityContext:\n  privileged: true\n  runAsUser: 0\n";
        let text = Str::new(src, Origin::exact(7, 0));
        let v = parse_first(&text).unwrap().unwrap();
        let out = to_yaml(&v, Origin::coarse(9, 0)).unwrap();
        let at = out.as_str().find("true").unwrap();
        assert_eq!(
            out.origin_at(at),
            Origin::coarse(7, src.find("true").unwrap())
        );
        let key = out.as_str().find("runAsUser").unwrap();
        assert_eq!(
            out.origin_at(key + 3),
            Origin::exact(7, src.find("runAsUser").unwrap() + 3)
        );
    }
}
