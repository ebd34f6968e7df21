//! Key identity: what saphyr's loader compares mapping keys by, for
//! duplicate-key detection.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use saphyr::Scalar;
use saphyr_parser::Tag;

/// A node's identity for duplicate-key detection: its resolved value, tags
/// included, spans ignored; collections compare element by element (a
/// mapping's entries in order, before `<<` merging). Built only for keys, for
/// anchored nodes (an alias may become a key) and for what they contain;
/// aliases share their anchor's identity.
#[derive(PartialEq, Eq, Hash)]
pub(super) enum Ident {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Box<str>),
    Bad,
    Tagged(Box<Tag>, Rc<IdentNode>),
    Seq(Vec<Rc<IdentNode>>),
    /// Keys and values alternate.
    Map(Vec<Rc<IdentNode>>),
}

/// An [`Ident`] with its hash computed once (children hash by theirs).
pub(super) struct IdentNode {
    hash: u64,
    pub(super) kind: Ident,
}

impl IdentNode {
    pub(super) fn new(kind: Ident) -> Rc<Self> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        kind.hash(&mut h);
        Rc::new(IdentNode {
            hash: h.finish(),
            kind,
        })
    }
}

impl PartialEq for IdentNode {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.kind == other.kind
    }
}
impl Eq for IdentNode {}
impl Hash for IdentNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A float's identity: NaN equals NaN and -0.0 equals 0.0, as `OrderedFloat`.
fn float_bits(f: f64) -> u64 {
    if f.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        (f + 0.0).to_bits()
    }
}

pub(super) fn scalar_ident(value: Option<&Scalar<'_>>) -> Ident {
    match value {
        None => Ident::Bad,
        Some(Scalar::Null) => Ident::Null,
        Some(Scalar::Boolean(b)) => Ident::Bool(*b),
        Some(Scalar::Integer(i)) => Ident::Int(*i),
        Some(Scalar::FloatingPoint(f)) => Ident::Float(float_bits(f.0)),
        Some(Scalar::String(s)) => Ident::Str(s.as_ref().into()),
    }
}

/// A key's identity as kept per entry: scalars inline (a string key is its
/// entry's name), anything else by its [`IdentNode`].
#[derive(Clone)]
pub(super) enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str,
    Bad,
    Other(Rc<IdentNode>),
}

impl KeyId {
    pub(super) fn of_scalar(value: Option<&Scalar<'_>>) -> KeyId {
        match value {
            None => KeyId::Bad,
            Some(Scalar::Null) => KeyId::Null,
            Some(Scalar::Boolean(b)) => KeyId::Bool(*b),
            Some(Scalar::Integer(i)) => KeyId::Int(*i),
            Some(Scalar::FloatingPoint(f)) => KeyId::Float(float_bits(f.0)),
            Some(Scalar::String(_)) => KeyId::Str,
        }
    }
    pub(super) fn of_ident(id: &Rc<IdentNode>) -> KeyId {
        match &id.kind {
            Ident::Null => KeyId::Null,
            Ident::Bool(b) => KeyId::Bool(*b),
            Ident::Int(i) => KeyId::Int(*i),
            Ident::Float(f) => KeyId::Float(*f),
            Ident::Str(_) => KeyId::Str,
            Ident::Bad => KeyId::Bad,
            _ => KeyId::Other(id.clone()),
        }
    }
    pub(super) fn same(&self, name: &str, other: &KeyId, other_name: &str) -> bool {
        match (self, other) {
            (KeyId::Str, KeyId::Str) => name == other_name,
            (KeyId::Null, KeyId::Null) | (KeyId::Bad, KeyId::Bad) => true,
            (KeyId::Bool(a), KeyId::Bool(b)) => a == b,
            (KeyId::Int(a), KeyId::Int(b)) => a == b,
            (KeyId::Float(a), KeyId::Float(b)) => a == b,
            (KeyId::Other(a), KeyId::Other(b)) => a == b,
            _ => false,
        }
    }
    pub(super) fn hash(&self, name: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match self {
            KeyId::Null => 0u8.hash(&mut h),
            KeyId::Bool(b) => (1u8, b).hash(&mut h),
            KeyId::Int(i) => (2u8, i).hash(&mut h),
            KeyId::Float(f) => (3u8, f).hash(&mut h),
            KeyId::Str => (4u8, name).hash(&mut h),
            KeyId::Bad => 5u8.hash(&mut h),
            KeyId::Other(id) => (6u8, id.hash).hash(&mut h),
        }
        h.finish()
    }
}
