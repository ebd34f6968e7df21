//! Operators, conditionals, attribute access and indexing, with
//! Terraform's conversions and errors.
use hcl_edit::expr::{BinaryOperator, UnaryOperator};

use crate::document::{Node, Span, Value};
use crate::terraform::types::{self, type_of, unify, Type};
use crate::terraform::value::{as_number, equal, error, has_unknown, is_error, to_text, Fail};

/// A condition's truth: a bool, or a string `"true"`/`"false"`.
pub(super) fn truth(n: &Node) -> Result<bool, Fail> {
    match &n.value {
        Value::Expr(_) if is_error(n) => error("error in condition"),
        Value::Expr(_) => Err(Fail::Unknown),
        Value::Null => error("the condition value is null"),
        _ => match types::convert(n, &Type::Bool)?.value {
            Value::Bool(b) => Ok(b),
            _ => error("a bool is required"),
        },
    }
}

/// `c ? t : f`: the chosen result, converted to the type both results
/// unify to (`true ? 1 : "a"` is `"1"`); results that cannot unify are an
/// error, as in Terraform.
pub(super) fn conditional(cond: &Node, t: Node, f: Node) -> Result<Node, Fail> {
    let pick = truth(cond)?;
    let (chosen, other) = if pick { (t, f) } else { (f, t) };
    if is_error(&chosen) {
        return error("error in the chosen result");
    }
    // nothing to convert: the other result is null or of the same primitive type
    let same_primitive = matches!(
        (&chosen.value, &other.value),
        (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Null, _)
            | (_, Value::Null)
    );
    if same_primitive || has_unknown(&chosen) || has_unknown(&other) {
        return Ok(chosen);
    }
    let ty = unify(&[type_of(&chosen), type_of(&other)])
        .ok_or_else(|| Fail::Error("inconsistent conditional result types".into()))?;
    if ty == Type::Any {
        return Ok(chosen);
    }
    let span = chosen.span;
    let mut out = types::convert(&chosen, &ty).unwrap_or(chosen);
    out.span = span;
    Ok(out)
}

pub(super) fn unary(op: UnaryOperator, v: &Node, span: Span) -> Result<Node, Fail> {
    if is_error(v) {
        return error("error in operand");
    }
    match op {
        UnaryOperator::Neg => match &v.value {
            Value::Expr(_) => Err(Fail::Unknown),
            _ => Ok(Node::new(Value::Number(-number(v)?), span)),
        },
        UnaryOperator::Not => Ok(Node::new(Value::Bool(!truth(v)?), span)),
    }
}

/// `false && x` and `true || x`, whatever x is.
pub(super) fn short_circuit(op: BinaryOperator, l: &Node, span: Span) -> Option<Node> {
    match (op, &l.value) {
        (BinaryOperator::And, Value::Bool(false)) => Some(Node::new(Value::Bool(false), span)),
        (BinaryOperator::Or, Value::Bool(true)) => Some(Node::new(Value::Bool(true), span)),
        _ => None,
    }
}

fn number(n: &Node) -> Result<f64, Fail> {
    match &n.value {
        Value::Expr(_) => Err(Fail::Unknown),
        Value::Null => error("a null value cannot be used in arithmetic"),
        _ => as_number(n).ok_or_else(|| Fail::Error("a number is required".into())),
    }
}

pub(super) fn binary(op: BinaryOperator, l: &Node, r: &Node, span: Span) -> Result<Node, Fail> {
    use BinaryOperator::*;
    if is_error(l) || is_error(r) {
        return error("error in operand");
    }
    let b = |v: bool| Ok(Node::new(Value::Bool(v), span));
    let n = |v: f64| {
        if v.is_finite() {
            Ok(Node::new(Value::Number(v), span))
        } else {
            error("the result is not a finite number")
        }
    };
    match op {
        Eq => b(equal(l, r).ok_or(Fail::Unknown)?),
        NotEq => b(!equal(l, r).ok_or(Fail::Unknown)?),
        And => {
            let (x, y) = (truth(l), truth(r));
            b(x? && y?)
        }
        Or => {
            let (x, y) = (truth(l), truth(r));
            b(x? || y?)
        }
        _ => {
            let (x, y) = (number(l)?, number(r)?);
            match op {
                Plus => n(x + y),
                Minus => n(x - y),
                Mul => n(x * y),
                Div if y == 0.0 => error("divide by zero"),
                Div => n(x / y),
                Mod if y == 0.0 => error("divide by zero"),
                // Go's remainder keeps the dividend's sign, as Rust's does
                Mod => n(x % y),
                Less => b(x < y),
                LessEq => b(x <= y),
                Greater => b(x > y),
                GreaterEq => b(x >= y),
                Eq | NotEq | And | Or => unreachable!("handled above"),
            }
        }
    }
}

pub(super) fn get_attr<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    match &n.value {
        Value::Map(_) => n.get(key),
        _ => None,
    }
}

/// `Some(Err)` on a missing key or out-of-range index; `None` when unknown.
pub(super) fn index<'n>(n: &'n Node, key: &Node) -> Option<Result<&'n Node, ()>> {
    if is_error(key) {
        return Some(Err(()));
    }
    if key.is_expr() {
        return None;
    }
    match &n.value {
        Value::List(items) => {
            let Some(i) = as_number(key) else {
                return Some(Err(()));
            };
            if i < 0.0 || i.fract() != 0.0 {
                return Some(Err(()));
            }
            Some(items.get(i as usize).ok_or(()))
        }
        Value::Map(_) => {
            let Some(k) = to_text(key) else {
                return Some(Err(()));
            };
            Some(n.get(&k).ok_or(()))
        }
        _ => Some(Err(())),
    }
}

/// What a `for` expression or directive iterates: (index or key, value)
/// pairs, an object's attributes by name; `None` when not a collection.
pub(super) fn iteration(coll: Node) -> Option<Vec<(Node, Node)>> {
    match coll.value {
        Value::List(items) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Node::new(Value::Number(i as f64), v.span), v))
                .collect(),
        ),
        Value::Map(mut entries) => {
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            Some(
                entries
                    .into_iter()
                    .map(|e| (Node::string(e.key, e.key_span), e.value))
                    .collect(),
            )
        }
        _ => None,
    }
}
