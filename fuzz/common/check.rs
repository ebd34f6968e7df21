//! Invariants the parse fuzz targets check on every result, shared with
//! `tests/fuzz_regressions.rs` through `#[path]`: a document tree stays within
//! the limits, and every span (node, key, error) lies inside the text on char
//! boundaries, since reports slice the text with them.
use soclint::document::{Limits, Node, ParseError, Span, Value};

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

/// Walks a tree checking spans; returns the node count. The tree may be at
/// most a few levels deeper than `max_depth` (formats add wrapper levels)
/// and may hold at most `max_nodes` nodes.
pub fn check_tree(text: &str, root: &Node, limits: &Limits) -> usize {
    let mut count = 0;
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        count += 1;
        assert!(
            count <= limits.max_nodes,
            "more than {} nodes",
            limits.max_nodes
        );
        assert!(
            depth <= limits.max_depth + 8,
            "tree depth {depth} over the limit"
        );
        check_span(text, node.span, "node");
        match &node.value {
            Value::List(items) => stack.extend(items.iter().map(|n| (n, depth + 1))),
            Value::Map(entries) => {
                for e in entries {
                    check_span(text, e.key_span, "key");
                    stack.push((&e.value, depth + 1));
                }
            }
            Value::Expr(expr) => {
                if let Some(arg) = &expr.argument {
                    stack.push((arg, depth + 1));
                }
            }
            _ => {}
        }
    }
    count
}

pub fn check_error(text: &str, err: &ParseError) {
    check_span(text, err.span, "error");
    assert!(!err.message.is_empty(), "empty error message");
}

/// Checks one parser result (one or several documents).
pub fn check_result<'a>(
    text: &str,
    result: Result<impl IntoIterator<Item = &'a Node>, &ParseError>,
    limits: &Limits,
) {
    match result {
        Ok(docs) => {
            for d in docs {
                check_tree(text, d, limits);
            }
        }
        Err(e) => check_error(text, e),
    }
}
