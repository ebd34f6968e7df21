//! Terraform's type system, as far as a static evaluator needs it: type
//! constraints of variables (with `optional()` defaults), conversion of a
//! value to a type (`tolist`, `tomap`, `toset`, variable values), and
//! unification (`true ? 1 : "a"` is `"1"`), following go-cty's rules.
//!
//! Values carry no type of their own in the document model, so a value's
//! type is inferred from its shape: a list is a tuple of its elements'
//! types, a map an object of its attributes', null is of any type.
use hcl_edit::expr::{Expression, ObjectKey};

use super::value::{error, parse_number, Fail};
use crate::document::{format_number, Entry, Node, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `any`, or the type of null and of unknown values.
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    /// Attributes sorted by name.
    Object(Vec<Attr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub ty: Type,
    /// `optional(T)` or `optional(T, default)`.
    pub optional: bool,
    pub default: Option<Node>,
}

impl Type {
    fn name(&self) -> &'static str {
        match self {
            Type::Any => "dynamic",
            Type::String => "string",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::List(_) => "list",
            Type::Set(_) => "set",
            Type::Map(_) => "map",
            Type::Tuple(_) => "tuple",
            Type::Object(_) => "object",
        }
    }
}

/// The type a value would have in Terraform, from its shape.
pub fn type_of(node: &Node) -> Type {
    match &node.value {
        Value::Null | Value::Expr(_) => Type::Any,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(type_of).collect()),
        Value::Map(entries) => {
            let mut attrs: Vec<Attr> = entries
                .iter()
                .map(|e| Attr {
                    name: e.key.clone(),
                    ty: type_of(&e.value),
                    optional: false,
                    default: None,
                })
                .collect();
            attrs.sort_by(|a, b| a.name.cmp(&b.name));
            attrs.dedup_by(|a, b| a.name == b.name);
            Type::Object(attrs)
        }
    }
}

/// A type constraint (`list(object({a = optional(string, "x")}))`); `eval`
/// gives the value of an `optional` default. `None` when it is not one.
pub fn parse(e: &Expression, eval: &dyn Fn(&Expression) -> Node) -> Option<Type> {
    match e {
        Expression::Variable(v) => match v.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "any" => Some(Type::Any),
            _ => None,
        },
        Expression::Parenthesis(p) => parse(p.inner(), eval),
        Expression::FuncCall(f) if f.name.namespace.is_empty() => {
            let args: Vec<&Expression> = f.args.iter().collect();
            let one = || match args.as_slice() {
                [a] => parse(a, eval).map(Box::new),
                _ => None,
            };
            match f.name.name.as_str() {
                "list" => Some(Type::List(one()?)),
                "set" => Some(Type::Set(one()?)),
                "map" => Some(Type::Map(one()?)),
                "tuple" => match args.as_slice() {
                    [Expression::Array(a)] => Some(Type::Tuple(
                        a.iter().map(|t| parse(t, eval)).collect::<Option<_>>()?,
                    )),
                    _ => None,
                },
                "object" => {
                    let [Expression::Object(o)] = args.as_slice() else {
                        return None;
                    };
                    let mut attrs = Vec::new();
                    for (k, v) in o.iter() {
                        let name = match k {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(Expression::Variable(v)) => {
                                v.as_str().to_string()
                            }
                            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                            _ => return None,
                        };
                        attrs.push(attribute(name, v.expr(), eval)?);
                    }
                    attrs.sort_by(|a, b| a.name.cmp(&b.name));
                    Some(Type::Object(attrs))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn attribute(name: String, e: &Expression, eval: &dyn Fn(&Expression) -> Node) -> Option<Attr> {
    if let Expression::FuncCall(f) = e {
        if f.name.namespace.is_empty() && f.name.name.as_str() == "optional" {
            let args: Vec<&Expression> = f.args.iter().collect();
            let (ty, default) = match args.as_slice() {
                [t] => (parse(t, eval)?, None),
                [t, d] => (parse(t, eval)?, Some(eval(d))),
                _ => return None,
            };
            return Some(Attr {
                name,
                ty,
                optional: true,
                default,
            });
        }
    }
    Some(Attr {
        name,
        ty: parse(e, eval)?,
        optional: false,
        default: None,
    })
}

/// `node` converted to `ty` as Terraform converts arguments and variable
/// values (unsafe conversions allowed: `"1"` becomes a number). Unknown parts
/// stay unknown; optional attributes missing or null get their default.
pub fn convert(node: &Node, ty: &Type) -> Result<Node, Fail> {
    let span = node.span;
    match (&node.value, ty) {
        (Value::Expr(_), _) | (_, Type::Any) => Ok(node.clone()),
        (Value::Null, _) => Ok(node.clone()),
        (_, Type::String) => match &node.value {
            Value::String(_) => Ok(node.clone()),
            Value::Number(n) => Ok(Node::string(format_number(*n), span)),
            Value::Bool(b) => Ok(Node::string(b.to_string(), span)),
            _ => error(format!("cannot convert {} to string", type_of(node).name())),
        },
        (_, Type::Number) => match &node.value {
            Value::Number(_) => Ok(node.clone()),
            Value::String(s) => match parse_number(s) {
                Some(n) => Ok(Node::new(Value::Number(n), span)),
                None => error(format!(
                    "cannot convert {s:?} to number; given string must be a decimal representation of a number"
                )),
            },
            _ => error(format!("cannot convert {} to number", type_of(node).name())),
        },
        (_, Type::Bool) => match &node.value {
            Value::Bool(_) => Ok(node.clone()),
            Value::String(s) if s == "true" || s == "1" => Ok(Node::new(Value::Bool(true), span)),
            Value::String(s) if s == "false" || s == "0" => {
                Ok(Node::new(Value::Bool(false), span))
            }
            Value::String(s) => error(format!(
                "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
            )),
            _ => error(format!("cannot convert {} to bool", type_of(node).name())),
        },
        (Value::List(items), Type::List(elem) | Type::Set(elem)) => {
            let elem = element_type(items.iter(), elem, "list")?;
            let mut out = items
                .iter()
                .map(|i| convert(i, &elem))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                out = set_of(out);
            }
            Ok(Node::list(out, span))
        }
        (Value::List(items), Type::Tuple(types)) => {
            if items.len() != types.len() {
                return error(format!("tuple required with {} elements", types.len()));
            }
            let out = items
                .iter()
                .zip(types)
                .map(|(i, t)| convert(i, t))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Node::list(out, span))
        }
        (Value::Map(entries), Type::Map(elem)) => {
            let elem = element_type(entries.iter().map(|e| &e.value), elem, "map")?;
            let out = entries
                .iter()
                .map(|e| {
                    Ok(Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: convert(&e.value, &elem)?,
                    })
                })
                .collect::<Result<Vec<_>, Fail>>()?;
            Ok(Node::map(out, span))
        }
        (Value::Map(_), Type::Object(attrs)) => {
            let mut out = Vec::with_capacity(attrs.len());
            for a in attrs {
                let entry = node.entry(&a.name);
                let value = match entry.map(|e| &e.value) {
                    Some(v) if !(a.optional && matches!(v.value, Value::Null)) => {
                        convert(v, &a.ty)?
                    }
                    _ if a.optional => match &a.default {
                        Some(d) => convert(d, &a.ty)?,
                        None => Node::null(span),
                    },
                    _ => return error(format!("attribute {:?} is required", a.name)),
                };
                out.push(Entry {
                    key: a.name.clone(),
                    key_span: entry.map_or(span, |e| e.key_span),
                    value,
                });
            }
            Ok(Node::map(out, span))
        }
        _ => error(format!(
            "{} required, but have {}",
            ty.name(),
            type_of(node).name()
        )),
    }
}

/// The element type of a collection conversion: `any` becomes the type the
/// elements unify to (`tolist(["a", 1])` is a list of strings).
fn element_type<'n>(
    items: impl Iterator<Item = &'n Node>,
    elem: &Type,
    kind: &str,
) -> Result<Type, Fail> {
    if *elem != Type::Any {
        return Ok(elem.clone());
    }
    let types: Vec<Type> = items.map(type_of).collect();
    match unify(&types) {
        Some(t) => Ok(t),
        None => error(format!("cannot convert to {kind} of any single type")),
    }
}

/// Elements deduplicated and ordered as Terraform orders a set's elements
/// (strings bytewise, numbers ascending, false before true; others as given).
pub fn set_of(items: Vec<Node>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    for i in items {
        if !out.iter().any(|o| super::value::equal(o, &i) == Some(true)) {
            out.push(i);
        }
    }
    let rank = |n: &Node| match &n.value {
        Value::String(_) => 0,
        Value::Number(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    };
    if out.iter().all(|n| rank(n) < 3) {
        out.sort_by(|a, b| match (&a.value, &b.value) {
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => rank(a).cmp(&rank(b)),
        });
    }
    out
}

/// The one type all of `types` convert to, as go-cty's `Unify` chooses it;
/// `None` when there is none.
pub fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    let Some(first) = known.first() else {
        return Some(Type::Any);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    if known.iter().all(|t| matches!(t, Type::Object(_))) {
        return unify_objects(&known);
    }
    if known.iter().all(|t| matches!(t, Type::Tuple(_))) {
        return unify_tuples(&known);
    }
    for (kind, wrap) in [
        ("list", Type::List as fn(Box<Type>) -> Type),
        ("set", Type::Set),
        ("map", Type::Map),
    ] {
        if known.iter().all(|t| t.name() == kind) {
            let inner: Vec<Type> = known
                .iter()
                .map(|t| match t {
                    Type::List(e) | Type::Set(e) | Type::Map(e) => (**e).clone(),
                    _ => Type::Any,
                })
                .collect();
            return Some(wrap(Box::new(unify(&inner)?)));
        }
    }
    // primitives: a string takes numbers and bools; numbers and bools do not mix
    if known
        .iter()
        .all(|t| matches!(t, Type::String | Type::Number | Type::Bool))
        && known.contains(&&Type::String)
    {
        return Some(Type::String);
    }
    None
}

/// Objects with the same attribute names unify attribute by attribute;
/// objects that differ unify to a map when all their attributes do.
fn unify_objects(objects: &[&Type]) -> Option<Type> {
    let attrs_of = |t: &Type| match t {
        Type::Object(a) => a.clone(),
        _ => Vec::new(),
    };
    let first = attrs_of(objects[0]);
    let same = objects.iter().all(|t| {
        let a = attrs_of(t);
        a.len() == first.len() && a.iter().zip(&first).all(|(x, y)| x.name == y.name)
    });
    if !same {
        let all: Vec<Type> = objects
            .iter()
            .flat_map(|t| attrs_of(t).into_iter().map(|a| a.ty))
            .collect();
        return Some(Type::Map(Box::new(unify(&all)?)));
    }
    let mut attrs = Vec::with_capacity(first.len());
    for (i, a) in first.iter().enumerate() {
        let at: Vec<Type> = objects.iter().map(|t| attrs_of(t)[i].ty.clone()).collect();
        attrs.push(Attr {
            name: a.name.clone(),
            ty: unify(&at)?,
            optional: false,
            default: None,
        });
    }
    Some(Type::Object(attrs))
}

/// Tuples of one length unify element by element; of different lengths, to
/// a list when all their elements do.
fn unify_tuples(tuples: &[&Type]) -> Option<Type> {
    let elems_of = |t: &Type| match t {
        Type::Tuple(e) => e.clone(),
        _ => Vec::new(),
    };
    let n = elems_of(tuples[0]).len();
    if tuples.iter().any(|t| elems_of(t).len() != n) {
        let all: Vec<Type> = tuples.iter().flat_map(|t| elems_of(t)).collect();
        return Some(Type::List(Box::new(unify(&all)?)));
    }
    let mut elems = Vec::with_capacity(n);
    for i in 0..n {
        let et: Vec<Type> = tuples.iter().map(|t| elems_of(t)[i].clone()).collect();
        elems.push(unify(&et)?);
    }
    Some(Type::Tuple(elems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn ty(src: &str) -> Type {
        let e = hcl_edit::parser::parse_expr(src).expect("expression");
        parse(&e, &|d| match d {
            Expression::String(s) => Node::string(s.as_str(), Span::default()),
            _ => Node::null(Span::default()),
        })
        .expect("a type")
    }

    fn s(v: &str) -> Node {
        Node::string(v, Span::default())
    }

    #[test]
    fn optional_attributes_get_their_default_or_null() {
        let t = ty(
            r#"object({name = string, acl = optional(string, "private"), tags = optional(map(string))})"#,
        );
        let v = Node::map(
            vec![Entry {
                key: "name".into(),
                key_span: Span::default(),
                value: s("x"),
            }],
            Span::default(),
        );
        let out = convert(&v, &t).expect("converts");
        assert_eq!(out.get("acl").and_then(Node::as_str), Some("private"));
        assert_eq!(out.get("tags").map(|n| &n.value), Some(&Value::Null));
        assert!(convert(&Node::map(Vec::new(), Span::default()), &t).is_err());
    }

    #[test]
    fn primitives_convert_as_terraform_does() {
        let n = convert(&s("1.5"), &Type::Number).expect("number");
        assert_eq!(n.value, Value::Number(1.5));
        assert!(convert(&s(" 1"), &Type::Number).is_err());
        assert!(convert(&Node::new(Value::Number(1.0), Span::default()), &Type::Bool).is_err());
        assert_eq!(
            unify(&[Type::Number, Type::String]),
            Some(Type::String),
            "numbers unify with strings"
        );
        assert_eq!(unify(&[Type::Number, Type::Bool]), None);
    }
}
