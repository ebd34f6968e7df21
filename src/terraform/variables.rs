//! A module's input variables: the caller's value or the default, then
//! converted to the variable's `type` as Terraform converts it
//! (`"1"` to a number, a tuple to a list, `optional()` attributes filled
//! with their defaults or null), and `nullable = false` honoured.
use std::rc::Rc;

use super::eval::{eval_node, Bindings, Evaluator, Pos};
use super::memo::{self, DefaultKey, Typed};
use super::source::FileSrc;
use super::types::{self, Type};
use super::value::{unknown, Fail};
use crate::document::{Entry, Node, Span, Value};

/// The value of `variable "<v.key>"` declared in `f`: `input` if the caller
/// gave one, else the default (then with the default's span, where the value
/// was set); `None` when there is neither. Diagnostics (a value that does not
/// fit the type) go to `notes`. A default is evaluated and converted once
/// for every instance of the module ([`memo::default`]).
pub fn value(
    plain: &Evaluator,
    v: &Entry,
    f: &FileSrc,
    input: Option<Node>,
    notes: &mut Vec<(usize, Span, String)>,
) -> Option<(Rc<Node>, Option<Span>)> {
    let bodies: Vec<&Node> = match &v.value.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![&v.value],
    };
    let attr = |k: &str| bodies.iter().find_map(|b| b.get(k));
    let ty = attr("type");
    let non_nullable = attr("nullable").is_some_and(|n| n.value == Value::Bool(false));
    let (typed, set_at) = match input {
        Some(n) if !(non_nullable && n.value == Value::Null) => (typed(plain, n, ty, f), None),
        _ => {
            let d = attr("default")?;
            let key = DefaultKey {
                json: f.json,
                default: (d.span.start, source(d, f).into()),
                ty: ty.map(|t| (t.span.start, source(t, f).into())),
            };
            let made = memo::default(key, || {
                typed(plain, eval_node(plain, d, f, &Bindings::default()), ty, f)
            });
            (made, Some(d.span))
        }
    };
    match typed {
        Ok(value) => Some((value, set_at)),
        Err((why, span)) => {
            notes.push((
                f.idx,
                v.key_span,
                format!(
                    "var.{}: the value does not fit the variable's type ({why}); its value is unknown",
                    v.key
                ),
            ));
            Some((Rc::new(unknown(format!("var.{}", v.key), span)), None))
        }
    }
}

/// The text a node was read from.
fn source<'t>(n: &Node, f: &FileSrc<'t>) -> &'t str {
    f.text.get(n.span.start..n.span.end).unwrap_or("")
}

/// `value` converted to the type `ty` declares, as Terraform converts it;
/// a type soclint does not read, or a value not known well enough to
/// convert, leaves it as it is.
fn typed(plain: &Evaluator, value: Node, ty: Option<&Node>, f: &FileSrc) -> Typed {
    let Some(ty) = ty.and_then(|t| type_constraint(plain, t, f)) else {
        return Ok(Rc::new(value));
    };
    match types::convert(&value, &ty) {
        Ok(mut converted) => {
            converted.span = value.span;
            Ok(Rc::new(converted))
        }
        Err(Fail::Error(why)) => Err((why, value.span)),
        Err(_) => Ok(Rc::new(value)),
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
    let e = memo::expression(src)?;
    let pos = Pos {
        src,
        base,
        fixed,
        file: f.idx,
    };
    types::parse(&e, &|d| plain.expr(d, &pos, &Bindings::default(), 0))
}
