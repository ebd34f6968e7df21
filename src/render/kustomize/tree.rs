//! Editing the node trees of a build: lookups by path, setting a value with
//! the span of whatever set it.
use crate::document::{Entry, Node, Span, Value};

pub fn get_mut<'a>(n: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut n.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key == key)
            .map(|e| &mut e.value),
        _ => None,
    }
}

pub fn str_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut cur = n;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_str()
}

/// The map at `path` under `n`, made (spans: `at`) where missing; `None`
/// when something on the way is not a map.
pub fn map_at<'a>(n: &'a mut Node, path: &[&str], at: Span) -> Option<&'a mut Node> {
    let mut cur = n;
    for k in path {
        if !matches!(cur.value, Value::Map(_)) {
            return None;
        }
        if cur.get(k).is_none() {
            if let Value::Map(entries) = &mut cur.value {
                entries.push(Entry {
                    key: (*k).to_string(),
                    key_span: at,
                    value: Node::map(Vec::new(), at),
                });
            }
        }
        cur = get_mut(cur, k)?;
        if matches!(cur.value, Value::Null) {
            cur.value = Value::Map(Vec::new());
        }
    }
    matches!(cur.value, Value::Map(_)).then_some(cur)
}

/// Sets `key` of a map node to `value` (a new entry's key points at `at`).
pub fn set(map: &mut Node, key: &str, value: Node, at: Span) {
    if let Value::Map(entries) = &mut map.value {
        match entries.iter_mut().rev().find(|e| e.key == key) {
            Some(e) => e.value = value,
            None => entries.push(Entry {
                key: key.to_string(),
                key_span: at,
                value,
            }),
        }
    }
}

pub fn remove(map: &mut Node, key: &str) -> Option<Node> {
    if let Value::Map(entries) = &mut map.value {
        let i = entries.iter().rposition(|e| e.key == key)?;
        return Some(entries.remove(i).value);
    }
    None
}
