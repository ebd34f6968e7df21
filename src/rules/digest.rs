//! The built-in pack as build.rs parsed it: each file's TOML values with their
//! byte spans, in tables of plain data (`builtin::NODES` and friends), read
//! back through serde into the same rule specs `toml` gives for the file's
//! text. Loading the pack this way skips the TOML parser, which was the
//! largest part of start-up (11.4M of the 28M instructions of a check of
//! one Terraform file).
use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::builtin::{ENTRIES, NODES, ROOTS, STRINGS};

/// A TOML value; strings are ranges of `STRINGS`, an array's items a run of
/// `NODES`, a table's entries a run of `ENTRIES` (key range, value node).
#[derive(Debug, Clone, Copy)]
pub enum Node {
    Str(u32, u32),
    Int(i64),
    // the pack has no float today; build.rs writes one should it get one
    #[allow(dead_code)]
    Float(f64),
    Bool(bool),
    Array(u32, u32),
    Table(u32, u32),
}

/// A value and the byte range of the file it was read from.
#[derive(Debug, Clone, Copy)]
pub struct Spanned(pub Node, pub u32, pub u32);

fn text(at: u32, len: u32) -> &'static str {
    &STRINGS[at as usize..(at + len) as usize]
}

/// Reads the built-in file at `index` of `builtin_files()` into `T`.
pub fn read<T: serde::de::DeserializeOwned>(index: usize) -> Result<T, Error> {
    T::deserialize(Value(ROOTS[index]))
}

/// The node at this index of `NODES`, as a serde deserializer.
#[derive(Clone, Copy)]
struct Value(u32);

impl Value {
    fn get(self) -> &'static Spanned {
        &NODES[self.0 as usize]
    }
}

impl<'de> IntoDeserializer<'de, Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.get().0 {
            Node::Str(at, len) => visitor.visit_str(text(at, len)),
            Node::Int(n) => visitor.visit_i64(n),
            Node::Float(x) => visitor.visit_f64(x),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Array(first, len) => {
                visitor.visit_seq(SeqDeserializer::new((first..first + len).map(Value)))
            }
            Node::Table(first, len) => {
                let entries = &ENTRIES[first as usize..(first + len) as usize];
                visitor.visit_map(MapDeserializer::new(
                    entries
                        .iter()
                        .map(|&(at, len, node)| (text(at, len), Value(node))),
                ))
            }
        }
    }

    /// A value that is there is `Some` (an absent key is `None`, as serde
    /// decides for a missing field).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    /// `toml::Spanned` asks for itself by name, as from `toml`'s deserializer.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if serde_spanned::de::is_spanned(name) {
            let Spanned(_, start, end) = *self.get();
            let span = start as usize..end as usize;
            return visitor.visit_map(serde_spanned::de::SpannedDeserializer::new(self, span));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::super::{builtin_files, schema::RuleFile};

    /// Every built-in file reads from the digest into the rule specs its TOML
    /// gives, spans included.
    #[test]
    fn the_digest_reads_as_the_toml_does() {
        assert_eq!(super::ROOTS.len(), builtin_files().len());
        for (i, (name, text)) in builtin_files().iter().enumerate() {
            let from_toml: RuleFile = toml::from_str(text).expect("valid TOML");
            let from_digest: RuleFile = super::read(i).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                format!("{from_digest:?}"),
                format!("{from_toml:?}"),
                "{name}"
            );
        }
    }
}
