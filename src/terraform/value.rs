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
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
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
