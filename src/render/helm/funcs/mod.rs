//! The functions a chart can call: Go's template built-ins, Sprig v3 and
//! Helm's, with Go's parameter types (the executor checks arguments against
//! them as Go's reflection does). `include`, `tpl`, `and` and `or` need the
//! executor and live there. Random, time and crypto functions are
//! deterministic stand-ins, so a render is reproducible; `lookup` and the
//! other cluster-dependent ones give an unknown.
use std::collections::HashMap;
use std::sync::OnceLock;

use super::source::Origin;
use super::value::{IntTy, Val};

mod data;
mod fmt;
mod semver;
mod text;

pub use fmt::sprintf;
pub use text::{base64_encode, go_time_format};

/// A parameter's Go type, as far as argument checking goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P {
    /// `interface{}`
    Any,
    /// `reflect.Value` (the comparison built-ins): the raw value.
    Value,
    Str,
    Int,
    Float,
    Bool,
    /// `map[string]interface{}`
    Map,
    /// `[]interface{}`
    List,
}

impl P {
    pub fn go_name(self) -> &'static str {
        match self {
            P::Any | P::Value => "interface {}",
            P::Str => "string",
            P::Int => "int",
            P::Float => "float64",
            P::Bool => "bool",
            P::Map => "map[string]interface {}",
            P::List => "[]interface {}",
        }
    }
}

/// What a function sees besides its arguments.
pub struct Ctx {
    /// The call site.
    pub at: Origin,
    /// Largest string a function may build.
    pub max_bytes: usize,
}

pub type Func = fn(&mut Ctx, Vec<Val>) -> Result<Val, String>;

pub struct FuncDef {
    pub params: &'static [P],
    pub variadic: Option<P>,
    pub func: Func,
}

/// Names the executor implements itself.
const EXECUTOR: &[&str] = &["and", "or", "include", "tpl"];

fn table() -> &'static HashMap<&'static str, FuncDef> {
    static TABLE: OnceLock<HashMap<&'static str, FuncDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        let mut add =
            |name: &'static str, params: &'static [P], variadic: Option<P>, func: Func| {
                m.insert(
                    name,
                    FuncDef {
                        params,
                        variadic,
                        func,
                    },
                );
            };
        text::register(&mut add);
        data::register(&mut add);
        fmt::register(&mut add);
        semver::register(&mut add);
        m
    })
}

pub fn lookup(name: &str) -> Option<&'static FuncDef> {
    table().get(name)
}

/// Whether templates may call `name` (Go's parser rejects the others).
pub fn is_function(name: &str) -> bool {
    EXECUTOR.contains(&name) || table().contains_key(name)
}

/// Functions that take an unknown value along instead of becoming unknown.
pub fn carries_unknown(name: &str) -> bool {
    matches!(
        name,
        "list"
            | "tuple"
            | "dict"
            | "set"
            | "append"
            | "push"
            | "prepend"
            | "concat"
            | "default"
            | "coalesce"
            | "ternary"
            | "empty"
            | "required"
            | "toYaml"
            | "mustToYaml"
            | "toJson"
            | "toPrettyJson"
            | "toRawJson"
            | "quote"
            | "squote"
            | "print"
            | "printf"
            | "println"
            | "cat"
            | "toString"
            | "first"
            | "last"
            | "index"
            | "eq"
            | "ne"
            | "len"
            | "not"
            | "kindIs"
            | "kindOf"
            | "typeIs"
            | "typeOf"
            | "hasKey"
            | "get"
            | "dig"
    )
}

/// Every function name known (for coverage counts).
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = table()
        .keys()
        .copied()
        .chain(EXECUTOR.iter().copied())
        .collect();
    v.sort_unstable();
    v
}

// ---------------------------------------------------------------------------
// Conversions Sprig applies to its `interface{}` arguments.

/// Sprig's `strval`: strings as they are, anything else as `%v` prints it.
pub fn strval(v: &Val) -> super::source::Str {
    match v {
        Val::Str(s) => s.clone(),
        Val::Nil | Val::Missing => super::source::Str::plain("<nil>"),
        other => other.print(),
    }
}

/// `cast.ToInt64` (errors become 0).
pub fn to_i64(v: &Val) -> i64 {
    match v {
        Val::Int(i, _, _) => *i,
        Val::Float(f, _) => *f as i64,
        Val::Bool(b, _) => i64::from(*b),
        Val::Str(s) => parse_go_int(trim_zero_decimal(s.as_str())).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64` (errors become 0).
pub fn to_f64(v: &Val) -> f64 {
    match v {
        Val::Int(i, _, _) => *i as f64,
        Val::Float(f, _) => *f,
        Val::Bool(b, _) => f64::from(u8::from(*b)),
        Val::Str(s) => s.as_str().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac)) if !int.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)`: a sign, then `0x`, `0o`, `0b`, `0` prefixes.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.replace('_', "");
    let lower = body.to_ascii_lowercase();
    let v = if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8).ok()?
    } else {
        if lower.is_empty() || !lower.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        lower.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

pub fn int_val(i: i64, ty: IntTy, at: Origin) -> Val {
    Val::Int(i, ty, at.coarsen())
}

/// A string result derived from `from` (its origin when it has one, else the call site).
pub fn derived(text: String, from: &Val, at: Origin) -> Val {
    let o = from.origin();
    let o = if o.is_none() { at } else { o };
    Val::string(text, o.coarsen())
}

/// Go's `reflect.DeepEqual` on template values.
pub fn deep_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Missing | Val::Nil, Val::Missing | Val::Nil) => true,
        (Val::Bool(x, _), Val::Bool(y, _)) => x == y,
        (Val::Int(x, tx, _), Val::Int(y, ty, _)) => x == y && tx == ty,
        (Val::Float(x, _), Val::Float(y, _)) => x == y,
        (Val::Str(x), Val::Str(y)) => x.as_str() == y.as_str(),
        (Val::List(x), Val::List(y)) => {
            x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(a, b)| deep_equal(a, b))
        }
        (Val::Map(x), Val::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .zip(y.entries.iter())
                    .all(|((ka, a), (kb, b))| ka == kb && deep_equal(&a.val, &b.val))
        }
        _ => false,
    }
}
