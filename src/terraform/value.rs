//! Value helpers every part of the Terraform evaluator shares (the
//! expression evaluator, the functions, modules and policies): unknowns,
//! re-spanning, conversions of primitives and structural equality.
use crate::document::{format_number, Expr, Node, Span, Value};

pub fn unknown(text: impl Into<String>, span: Span) -> Node {
    Node::new(
        Value::Expr(Expr {
            text: text.into(),
            function: None,
            argument: None,
        }),
        span,
    )
}

/// Why an expression or function has no value: not known statically, an
/// error Terraform would report (which `try` skips and `can` turns into
/// false), or a resource limit soclint put on evaluation (unknown, with a
/// notice saying which limit).
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    Unknown,
    Error(String),
    Limit(String),
}

/// A value, or why there is none.
pub type Outcome = Result<Node, Fail>;

/// An [`Outcome`] that is a Terraform error.
pub fn error<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Error(message.into()))
}

/// The longest string one expression or function may produce (1 MiB):
/// beyond it the value is unknown and a notice names the limit, so a chain
/// of `format`/`replace`/templates doubling through locals stays bounded.
pub const MAX_STRING_BYTES: usize = 1 << 20;

/// The most elements a function may build (`range`, `setproduct`, `concat`).
pub const MAX_ELEMENTS: usize = 100_000;

/// How an evaluation error travels as a value: an unknown with this text,
/// so the expression evaluator can tell it from an unknown (`try`, `can`).
/// Errors stay at the top of a value (constructors propagate them).
const ERROR_TEXT: &str = "\u{0}error";

pub fn error_node(span: Span) -> Node {
    unknown(ERROR_TEXT, span)
}

pub fn is_error(n: &Node) -> bool {
    matches!(&n.value, Value::Expr(e) if e.text == ERROR_TEXT)
}

/// The most a value built by one expression or function may weigh, by
/// [`value_size`] (8 MiB); beyond it the value is unknown, with a notice.
pub const MAX_VALUE_BYTES: usize = 8 << 20;

/// What a value weighs for the limits: its strings' bytes plus 16 per node,
/// counted no further than `limit` (so checking a huge value is cheap).
pub fn value_size(node: &Node, limit: usize) -> usize {
    fn walk(n: &Node, total: &mut usize, limit: usize) {
        if *total > limit {
            return;
        }
        *total += 16;
        match &n.value {
            Value::String(s) => *total += s.len(),
            Value::List(items) => items.iter().for_each(|i| walk(i, total, limit)),
            Value::Map(entries) => entries.iter().for_each(|e| {
                *total += e.key.len();
                walk(&e.value, total, limit)
            }),
            _ => {}
        }
    }
    let mut total = 0;
    walk(node, &mut total, limit);
    total
}

/// A value over the limits ([`MAX_STRING_BYTES`], [`MAX_VALUE_BYTES`]), with
/// the limit named; `None` when within them.
pub fn over_limit(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) if s.len() > MAX_STRING_BYTES => Some(string_limit(s.len())),
        Value::List(_) | Value::Map(_) if value_size(node, MAX_VALUE_BYTES) > MAX_VALUE_BYTES => {
            Some(value_limit())
        }
        _ => None,
    }
}

pub fn string_limit(len: usize) -> String {
    format!("a string of {len} bytes is over the evaluation limit of {MAX_STRING_BYTES} bytes")
}

pub fn value_limit() -> String {
    format!("a value is over the evaluation limit of {MAX_VALUE_BYTES} bytes")
}

/// Sizes of values being collected (list elements, object attributes, call
/// arguments), so a collection stops growing at the limit instead of after.
#[derive(Default)]
pub struct Budget {
    used: usize,
}

impl Budget {
    /// Adds a value; `Err` with the limit's description once over it.
    pub fn add(&mut self, node: &Node) -> Result<(), String> {
        self.used += value_size(node, MAX_VALUE_BYTES + 1 - self.used.min(MAX_VALUE_BYTES));
        if self.used > MAX_VALUE_BYTES {
            Err(value_limit())
        } else {
            Ok(())
        }
    }
}

/// Whether any part of the value is unknown.
pub fn has_unknown(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) => true,
        Value::List(items) => items.iter().any(has_unknown),
        Value::Map(entries) => entries.iter().any(|e| has_unknown(&e.value)),
        _ => false,
    }
}

/// Moves a value (and everything inside) to `span`.
pub fn respan(mut node: Node, span: Span) -> Node {
    fn walk(n: &mut Node, span: Span) {
        n.span = span;
        match &mut n.value {
            Value::List(items) => items.iter_mut().for_each(|i| walk(i, span)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key_span = span;
                walk(&mut e.value, span);
            }),
            _ => {}
        }
    }
    walk(&mut node, span);
    node
}

/// A string rendering of a primitive for templates and `tostring`.
pub fn to_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn as_bool(n: &Node) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

pub fn as_number(n: &Node) -> Option<f64> {
    match &n.value {
        Value::Number(x) => Some(*x),
        Value::String(s) => parse_number(s),
        _ => None,
    }
}

/// A number written as Terraform converts a string to one: a decimal with an
/// optional sign, fraction and exponent; no spaces, hex, `inf` or `nan`.
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse().ok()
}

/// Structural equality ignoring spans.
pub fn equal(a: &Node, b: &Node) -> Option<bool> {
    match (&a.value, &b.value) {
        (Value::Expr(_), _) | (_, Value::Expr(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = None,
                    _ => {}
                }
            }
            all
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for e in x {
                match b.get(&e.key) {
                    None => return Some(false),
                    Some(v) => match equal(&e.value, v) {
                        Some(false) => return Some(false),
                        None => all = None,
                        _ => {}
                    },
                }
            }
            all
        }
        _ => Some(false),
    }
}
