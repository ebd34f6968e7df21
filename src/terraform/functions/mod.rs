//! Terraform's built-in functions, pure ones evaluated as Terraform 1.x
//! does (checked against `terraform console`, see
//! `tests/data/terraform_functions/`). A call gives a value, [`Fail::Unknown`]
//! (an unknown argument, or a function whose result changes each run:
//! `timestamp`, `uuid`, `bcrypt`…), [`Fail::Error`] (what Terraform would
//! report: `try` skips it, `can` is false) or [`Fail::Limit`] (over an
//! evaluation limit: unknown, with a notice).
//!
//! `try`, `can`, `templatefile` and `templatestring` evaluate expressions
//! or templates, so the expression evaluator handles them; it reads the
//! template file through [`files`].
mod collection;
mod crypto;
mod datetime;
mod encoding;
pub mod files;
mod network;
mod strings;

use super::types::{self, Type};
use super::value::{error, has_unknown, over_limit, Fail, Outcome};
use crate::document::{format_number, Entry, Node, Span, Value};

pub use encoding::{from_json, to_json};
pub use files::Files;

/// Calls the function `name` with evaluated arguments (none of them an
/// error: the evaluator stops at errors before calling).
pub fn call(name: &str, args: &[Node], span: Span, files: Option<&Files>) -> Outcome {
    let out = collection::call(name, args, span)
        .or_else(|| strings::call(name, args, span))
        .or_else(|| encoding::call(name, args, span))
        .or_else(|| numeric(name, args, span))
        .or_else(|| conversion(name, args, span))
        .or_else(|| crypto::call(name, args, span))
        .or_else(|| datetime::call(name, args, span))
        .or_else(|| network::call(name, args, span))
        .or_else(|| files::call(name, args, span, files))
        .unwrap_or_else(|| match name {
            // results that change on every run, or need secrets to compute
            "timestamp" | "plantimestamp" | "uuid" | "bcrypt" | "rsadecrypt" => {
                Err(Fail::Unknown)
            }
            "list" | "map" => error(format!(
                "the \"{name}\" function was deprecated in Terraform v0.12 and is no longer available"
            )),
            _ => error(format!("there is no function named \"{name}\"")),
        })?;
    match over_limit(&out) {
        Some(limit) => Err(Fail::Limit(format!("{name}(): {limit}"))),
        None => Ok(out),
    }
}

/// The argument count must be one of `counts`.
fn arity(args: &[Node], counts: std::ops::RangeInclusive<usize>) -> Result<(), Fail> {
    if counts.contains(&args.len()) {
        Ok(())
    } else {
        error(format!(
            "wrong number of arguments: {} given, {counts:?} expected",
            args.len()
        ))
    }
}

/// The `i`th argument, which must be there.
fn arg(args: &[Node], i: usize) -> Result<&Node, Fail> {
    args.get(i).map_or_else(|| error("missing argument"), Ok)
}

/// Null is an error for every parameter that does not say otherwise; an
/// unknown argument makes the result unknown.
fn present(n: &Node) -> Result<&Node, Fail> {
    match &n.value {
        Value::Null => error("argument must not be null"),
        Value::Expr(_) => Err(Fail::Unknown),
        _ => Ok(n),
    }
}

/// A `string` parameter: numbers and bools convert, as Terraform converts them.
fn string(n: &Node) -> Result<String, Fail> {
    match &present(n)?.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(x) => Ok(format_number(*x)),
        Value::Bool(b) => Ok(b.to_string()),
        _ => error("string required"),
    }
}

/// A `number` parameter: numeric strings convert.
fn number(n: &Node) -> Result<f64, Fail> {
    match types::convert(present(n)?, &Type::Number)?.value {
        Value::Number(x) => Ok(x),
        _ => error("a number is required"),
    }
}

/// A whole-number parameter.
fn integer(n: &Node) -> Result<i64, Fail> {
    let x = number(n)?;
    if x.fract() != 0.0 || x.abs() > 9.007_199_254_740_992e15 {
        return error("a whole number is required");
    }
    Ok(x as i64)
}

fn boolean(n: &Node) -> Result<bool, Fail> {
    match types::convert(present(n)?, &Type::Bool)?.value {
        Value::Bool(b) => Ok(b),
        _ => error("a bool is required"),
    }
}

/// A list, set or tuple parameter (its elements may be unknown).
fn list(n: &Node) -> Result<&[Node], Fail> {
    match &present(n)?.value {
        Value::List(items) => Ok(items),
        _ => error("list of any single type required"),
    }
}

/// A map or object parameter (its values may be unknown).
fn map(n: &Node) -> Result<&[Entry], Fail> {
    match &present(n)?.value {
        Value::Map(entries) => Ok(entries),
        _ => error("map of any single type required"),
    }
}

/// Unknown when any part of the value is.
fn known(n: &Node) -> Result<&Node, Fail> {
    if has_unknown(n) {
        Err(Fail::Unknown)
    } else {
        Ok(n)
    }
}

fn all_known(args: &[Node]) -> Result<(), Fail> {
    args.iter().try_for_each(|a| known(a).map(|_| ()))
}

/// A list of strings parameter (elements converted, null elements refused).
fn strings_of(n: &Node) -> Result<Vec<String>, Fail> {
    known(n)?;
    list(n)?.iter().map(string).collect()
}

fn num(x: f64, span: Span) -> Outcome {
    if x.is_finite() {
        Ok(Node::new(Value::Number(x), span))
    } else {
        error("the result is not a finite number")
    }
}

fn numeric(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    let f1 = |f: fn(f64) -> f64| -> Outcome {
        arity(args, 1..=1)?;
        num(f(number(&args[0])?), span)
    };
    Some(match name {
        "abs" => f1(f64::abs),
        "ceil" => f1(f64::ceil),
        "floor" => f1(f64::floor),
        "signum" => f1(|x| if x == 0.0 { 0.0 } else { x.signum() }),
        "log" => (|| {
            arity(args, 2..=2)?;
            num(number(&args[0])?.log(number(&args[1])?), span)
        })(),
        "pow" => (|| {
            arity(args, 2..=2)?;
            num(number(&args[0])?.powf(number(&args[1])?), span)
        })(),
        "min" | "max" => (|| {
            if args.is_empty() {
                return error("must pass at least one number");
            }
            let nums = args.iter().map(number).collect::<Result<Vec<_>, _>>()?;
            let f = if name == "min" { f64::min } else { f64::max };
            num(nums.into_iter().reduce(f).unwrap_or(0.0), span)
        })(),
        "parseint" => (|| {
            arity(args, 2..=2)?;
            let s = string(&args[0])?;
            let base = integer(&args[1])?;
            if !(2..=62).contains(&base) {
                return error("base must be a whole number between 2 and 62 inclusive");
            }
            let (neg, digits) = match s.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, s.strip_prefix('+').unwrap_or(&s)),
            };
            let mut v: f64 = 0.0;
            for c in digits.chars() {
                // Go's big.Int digits: 0-9, a-z, then A-Z above base 36
                let d = match c {
                    '0'..='9' => c as i64 - '0' as i64,
                    'a'..='z' => c as i64 - 'a' as i64 + 10,
                    'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
                    'A'..='Z' => c as i64 - 'A' as i64 + 36,
                    _ => base,
                };
                if d >= base {
                    return error(format!("cannot parse {s:?} as a base {base} integer"));
                }
                v = v * base as f64 + d as f64;
            }
            if digits.is_empty() {
                return error(format!("cannot parse {s:?} as a base {base} integer"));
            }
            num(if neg { -v } else { v }, span)
        })(),
        _ => return None,
    })
}

fn conversion(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    let ty = match name {
        "tostring" => Type::String,
        "tonumber" => Type::Number,
        "tobool" => Type::Bool,
        "tolist" => Type::List(Box::new(Type::Any)),
        "toset" => Type::Set(Box::new(Type::Any)),
        "tomap" => Type::Map(Box::new(Type::Any)),
        // nothing is sensitive or ephemeral to a static reader
        "sensitive" | "nonsensitive" | "ephemeralasnull" => {
            return Some(arity(args, 1..=1).map(|_| args[0].clone()))
        }
        "issensitive" => {
            return Some(arity(args, 1..=1).map(|_| Node::new(Value::Bool(false), span)))
        }
        _ => return None,
    };
    Some((|| {
        arity(args, 1..=1)?;
        let a = &args[0];
        // a set's order and duplicates depend on every element
        if matches!(ty, Type::Set(_)) {
            known(a)?;
        }
        let mut out = types::convert(a, &ty)?;
        out.span = span;
        Ok(out)
    })())
}
