//! Work the evaluator would otherwise repeat for every instance of a
//! module: parsing an attribute's expression, and evaluating a variable's
//! default with its type. A module that 60 root modules call is evaluated
//! 60 times (and again on each edit in the language server); both results
//! depend on the text alone, so each is made once per thread and shared.
//!
//! Kept per thread (the evaluator's values are not `Send`), keyed by the
//! text itself, never by where it came from: a changed file cannot hit an
//! old entry. Each memo is emptied when its keys pass [`MAX_KEY_BYTES`], so
//! a large scan keeps a bounded amount.
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

use hcl_edit::expr::Expression;

use crate::document::{Node, Span};

/// Key bytes a memo holds before it starts again (what it keeps is a small
/// multiple of this).
const MAX_KEY_BYTES: usize = 8 << 20;

struct Memo<K, V> {
    map: HashMap<K, V, foldhash::fast::RandomState>,
    bytes: usize,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            map: HashMap::default(),
            bytes: 0,
        }
    }
}

/// `key`'s value from `memo`, else made by `make` and kept. `make` runs
/// with the memo released: it may use memos itself.
fn memoised<K: Hash + Eq, V: Clone>(
    memo: &'static std::thread::LocalKey<RefCell<Memo<K, V>>>,
    key: K,
    bytes: usize,
    make: impl FnOnce() -> V,
) -> V {
    if let Some(v) = memo.with_borrow(|m| m.map.get(&key).cloned()) {
        return v;
    }
    let v = make();
    memo.with_borrow_mut(|m| {
        if m.bytes + bytes > MAX_KEY_BYTES {
            m.map.clear();
            m.bytes = 0;
        }
        m.bytes += bytes;
        m.map.insert(key, v.clone());
    });
    v
}

thread_local! {
    static EXPRESSIONS: RefCell<Memo<Box<str>, Option<Rc<Expression>>>> =
        RefCell::new(Memo::default());
    static DEFAULTS: RefCell<Memo<DefaultKey, Typed>> = RefCell::new(Memo::default());
}

/// `src` parsed as an expression; `None` if it is not one. Its spans are
/// relative to `src`, so the same text anywhere parses to the same tree.
pub fn expression(src: &str) -> Option<Rc<Expression>> {
    let lookup: &str = src;
    if let Some(v) = EXPRESSIONS.with_borrow(|m| m.map.get(lookup).cloned()) {
        return v;
    }
    memoised(&EXPRESSIONS, src.into(), src.len(), || {
        hcl_edit::parser::parse_expr(src).ok().map(Rc::new)
    })
}

/// A value converted to its variable's type: the converted value, or why
/// it does not fit (and the span of the value that does not).
pub type Typed = Result<Rc<Node>, (String, Span)>;

/// What a variable's default and type are made of: their text and where
/// it starts (the values' spans are in the file), and whether the file is
/// `.tf.json` (read as JSON, not HCL).
#[derive(Hash, PartialEq, Eq)]
pub struct DefaultKey {
    pub json: bool,
    pub default: (usize, Box<str>),
    pub ty: Option<(usize, Box<str>)>,
}

/// A variable's default converted to its type, made by `make` once for
/// the same `key`.
pub fn default(key: DefaultKey, make: impl FnOnce() -> Typed) -> Typed {
    let bytes = key.default.1.len() + key.ty.as_ref().map_or(0, |t| t.1.len());
    memoised(&DEFAULTS, key, bytes, make)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_parsed_once_and_shared() {
        let a = expression("var.rules[\"ssh\"][0]").expect("parses");
        let b = expression("var.rules[\"ssh\"][0]").expect("parses");
        assert!(Rc::ptr_eq(&a, &b));
        let c = expression("var.rules[\"ssh\"][1]").expect("parses");
        assert!(!Rc::ptr_eq(&a, &c));
        assert!(expression("var.").is_none());
    }

    #[test]
    fn a_full_memo_starts_again() {
        let long = format!("\"{}\"", "x".repeat(MAX_KEY_BYTES / 2));
        let first = expression(&long).expect("parses");
        assert!(Rc::ptr_eq(&first, &expression(&long).expect("parses")));
        // another half of the bound: the memo is emptied, then keeps that one
        let other = format!("\"{}\"", "y".repeat(MAX_KEY_BYTES / 2));
        expression(&other).expect("parses");
        let again = expression(&long).expect("parses");
        assert!(!Rc::ptr_eq(&first, &again));
        EXPRESSIONS.with_borrow(|m| assert!(m.bytes <= MAX_KEY_BYTES));
    }
}
