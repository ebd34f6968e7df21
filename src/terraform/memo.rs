//! Work the evaluator would otherwise repeat for every instance of a
//! module: parsing an attribute's expression, and evaluating a variable's
//! default with its type. A module that 60 root modules call is evaluated
//! 60 times (and again on each edit in the language server); both results
//! depend on the text alone, so each is made once per thread and shared.
//!
//! Kept per thread (the evaluator's values are not `Send`), keyed by the
//! text itself, never by where it came from: a changed file cannot hit an
//! old entry. A result is kept only for a text met before (a hash of each
//! text met is noted): a scan of many distinct files keeps next to nothing
//! (a 1M-line corpus peaked 30 MB higher keeping every expression). Each
//! memo is emptied when its keys pass [`MAX_KEY_BYTES`], and the hashes
//! when they pass [`MAX_SEEN`], so a large scan keeps a bounded amount.
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

use hcl_edit::expr::Expression;

use crate::document::{Node, Span};

/// Key bytes a memo holds before it starts again (what it keeps is a small
/// multiple of this).
const MAX_KEY_BYTES: usize = 8 << 20;

/// Hashes of texts met a memo notes before it keeps anything.
const MAX_SEEN: usize = 1 << 18;

struct Memo<K, V> {
    map: HashMap<K, V, foldhash::fast::RandomState>,
    bytes: usize,
    /// Hashes of the keys met once (a key met again is kept).
    seen: std::collections::HashSet<u64, foldhash::fast::RandomState>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            map: HashMap::default(),
            bytes: 0,
            seen: Default::default(),
        }
    }
}

impl<K: Hash + Eq, V> Memo<K, V> {
    /// Whether `key` was met before (and notes that it is now).
    fn met_before<Q: Hash + ?Sized>(&mut self, key: &Q) -> bool {
        use std::hash::BuildHasher;
        if self.seen.len() >= MAX_SEEN {
            self.seen.clear();
        }
        !self.seen.insert(self.map.hasher().hash_one(key))
    }
}

/// `key`'s value from `memo`, else made by `make` (and kept under
/// `owned()`, when the key was met before). `make` runs with the memo
/// released: it may use memos itself.
fn memoised<K: Hash + Eq + Borrow<Q>, Q: Hash + Eq + ?Sized, V: Clone>(
    memo: &'static std::thread::LocalKey<RefCell<Memo<K, V>>>,
    key: &Q,
    owned: impl FnOnce() -> K,
    bytes: usize,
    make: impl FnOnce() -> V,
) -> V {
    let found = memo.with_borrow_mut(|m| match m.map.get(key) {
        Some(v) => Ok(v.clone()),
        None => Err(m.met_before(key)),
    });
    let again = match found {
        Ok(v) => return v,
        Err(again) => again,
    };
    let v = make();
    if again {
        memo.with_borrow_mut(|m| {
            if m.bytes + bytes > MAX_KEY_BYTES {
                m.map.clear();
                m.bytes = 0;
            }
            m.bytes += bytes;
            m.map.insert(owned(), v.clone());
        });
    }
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
    memoised(
        &EXPRESSIONS,
        src,
        || src.into(),
        src.len(),
        || hcl_edit::parser::parse_expr(src).ok().map(Rc::new),
    )
}

/// A value converted to its variable's type: the converted value, or why
/// it does not fit (and the span of the value that does not).
pub type Typed = Result<Rc<Node>, (String, Span)>;

/// What a variable's default and type are made of: their text and where
/// it starts (the values' spans are in the file), and whether the file is
/// `.tf.json` (read as JSON, not HCL).
#[derive(Clone, Hash, PartialEq, Eq)]
pub struct DefaultKey {
    pub json: bool,
    pub default: (usize, Box<str>),
    pub ty: Option<(usize, Box<str>)>,
}

/// A variable's default converted to its type, made by `make` once for
/// the same `key`.
pub fn default(key: DefaultKey, make: impl FnOnce() -> Typed) -> Typed {
    let bytes = key.default.1.len() + key.ty.as_ref().map_or(0, |t| t.1.len());
    memoised(&DEFAULTS, &key, || key.clone(), bytes, make)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_met_again_is_parsed_once_more_then_shared() {
        let text = "var.rules[\"ssh\"][0]";
        let first = expression(text).expect("parses");
        let second = expression(text).expect("parses");
        // met once: not kept; met again: kept and shared from then on
        assert!(!Rc::ptr_eq(&first, &second));
        let third = expression(text).expect("parses");
        assert!(Rc::ptr_eq(&second, &third));
        let other = expression("var.rules[\"ssh\"][1]").expect("parses");
        assert!(!Rc::ptr_eq(&third, &other));
        assert!(expression("var.").is_none());
        EXPRESSIONS.with_borrow(|m| assert_eq!(m.map.len(), 1));
    }

    #[test]
    fn a_full_memo_starts_again() {
        let kept = |text: &str| {
            expression(text).expect("parses");
            expression(text).expect("parses")
        };
        let long = format!("\"{}\"", "x".repeat(MAX_KEY_BYTES / 2));
        let first = kept(&long);
        assert!(Rc::ptr_eq(&first, &expression(&long).expect("parses")));
        // another half of the bound: the memo is emptied, then keeps that one
        let other = format!("\"{}\"", "y".repeat(MAX_KEY_BYTES / 2));
        kept(&other);
        let again = expression(&long).expect("parses");
        assert!(!Rc::ptr_eq(&first, &again));
        EXPRESSIONS.with_borrow(|m| assert!(m.bytes <= MAX_KEY_BYTES));
    }
}
