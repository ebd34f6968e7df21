//! A module's input variables: the caller's value or the default, then
//! converted to the variable's `type` as Terraform converts it
//! (`"1"` to a number, a tuple to a list, `optional()` attributes filled
//! with their defaults or null), and `nullable = false` honoured.
use super::eval::{eval_node, Bindings, Evaluator, Pos};
use super::source::FileSrc;
use super::types::{self, Type};
use super::value::{unknown, Fail};
use crate::document::{Entry, Node, Value};

/// The value of `variable "<v.key>"` declared in `f`: `input` if the caller
/// gave one, else the default (then with the default's span, where the value
/// was set); `None` when there is neither. Diagnostics (a value that does not
/// fit the type) go to `notes`.
pub fn value(
    plain: &Evaluator,
    v: &Entry,
    f: &FileSrc,
    input: Option<Node>,
    notes: &mut Vec<(usize, crate::document::Span, String)>,
) -> Option<(Node, Option<crate::document::Span>)> {
    let bodies: Vec<&Node> = match &v.value.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![&v.value],
    };
    let attr = |k: &str| bodies.iter().find_map(|b| b.get(k));
    let default =
        || attr("default").map(|d| (eval_node(plain, d, f, &Bindings::default()), Some(d.span)));
    let non_nullable = attr("nullable").is_some_and(|n| n.value == Value::Bool(false));
    let (value, set_at) = match input {
        Some(n) if non_nullable && n.value == Value::Null => default(),
        Some(n) => Some((n, None)),
        None => default(),
    }?;
    let Some(ty) = attr("type").and_then(|t| type_constraint(plain, t, f)) else {
        return Some((value, set_at));
    };
    match types::convert(&value, &ty) {
        Ok(mut converted) => {
            converted.span = value.span;
            Some((converted, set_at))
        }
        Err(Fail::Error(why)) => {
            notes.push((
                f.idx,
                v.key_span,
                format!(
                    "var.{}: the value does not fit the variable's type ({why}); its value is unknown",
                    v.key
                ),
            ));
            Some((unknown(format!("var.{}", v.key), value.span), None))
        }
        Err(_) => Some((value, set_at)),
    }
}

/// The `type` attribute as a type (`None` when it is not one soclint reads).
fn type_constraint(plain: &Evaluator, t: &Node, f: &FileSrc) -> Option<Type> {
    let (src, base, fixed) = match &t.value {
        // `.tf.json` writes the constraint as a string
        Value::String(s) if f.json => (s.as_str(), t.span.start, Some(t.span)),
        Value::Expr(_) => (f.text.get(t.span.start..t.span.end)?, t.span.start, None),
        _ => return None,
    };
    let e = hcl_edit::parser::parse_expr(src).ok()?;
    let pos = Pos {
        src,
        base,
        fixed,
        file: f.idx,
    };
    types::parse(&e, &|d| plain.expr(d, &pos, &Bindings::default(), 0))
}
