//! The pure Terraform functions soclint evaluates. `None` means "not known":
//! an unknown argument, an error, or a function not implemented here.
use super::value::{as_bool, as_number, equal, has_unknown, to_text};
use crate::document::{format_number, Entry, Node, Span, Value};

pub fn call(name: &str, args: &[Node], span: Span) -> Option<Node> {
    let s = |v: String| Some(Node::string(v, span));
    let n = |v: f64| Some(Node::new(Value::Number(v), span));
    let b = |v: bool| Some(Node::new(Value::Bool(v), span));
    // functions that tolerate unknowns inside collections
    match name {
        "length" => {
            let a = one(args)?;
            return match &a.value {
                Value::List(l) => n(l.len() as f64),
                Value::Map(m) => n(m.len() as f64),
                Value::String(x) => n(x.chars().count() as f64),
                _ => None,
            };
        }
        "coalesce" => {
            for a in args {
                match &a.value {
                    Value::Expr(_) => return None,
                    Value::Null => continue,
                    Value::String(x) if x.is_empty() => continue,
                    _ => return Some(a.clone()),
                }
            }
            return None;
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                out.extend(a.as_list()?.iter().cloned());
            }
            return Some(Node::list(out, span));
        }
        "merge" => {
            let mut out: Vec<Entry> = Vec::new();
            for a in args {
                match &a.value {
                    Value::Null => {}
                    Value::Map(entries) => {
                        for e in entries {
                            out.retain(|o| o.key != e.key);
                            out.push(e.clone());
                        }
                    }
                    _ => return None,
                }
            }
            return Some(Node::map(out, span));
        }
        "lookup" => {
            let map = args.first()?;
            let key = to_text(args.get(1)?)?;
            map.as_map()?;
            return match map.get(&key) {
                Some(v) => Some(v.clone()),
                None => args.get(2).cloned(),
            };
        }
        "contains" => {
            let list = args.first()?.as_list()?;
            let x = args.get(1)?;
            let mut unknown = false;
            for i in list {
                match equal(i, x) {
                    Some(true) => return b(true),
                    None => unknown = true,
                    _ => {}
                }
            }
            return if unknown { None } else { b(false) };
        }
        "element" => {
            let list = args.first()?.as_list()?;
            let i = as_number(args.get(1)?)? as usize;
            return if list.is_empty() {
                None
            } else {
                list.get(i % list.len()).cloned()
            };
        }
        "keys" => {
            let m = one(args)?.as_map()?;
            let mut ks: Vec<&Entry> = m.iter().collect();
            ks.sort_by(|a, b| a.key.cmp(&b.key));
            return Some(Node::list(
                ks.iter()
                    .map(|e| Node::string(e.key.clone(), e.key_span))
                    .collect(),
                span,
            ));
        }
        "values" => {
            let m = one(args)?.as_map()?;
            let mut ks: Vec<&Entry> = m.iter().collect();
            ks.sort_by(|a, b| a.key.cmp(&b.key));
            return Some(Node::list(
                ks.iter().map(|e| e.value.clone()).collect(),
                span,
            ));
        }
        "flatten" => {
            fn flat(n: &Node, out: &mut Vec<Node>) -> Option<()> {
                match &n.value {
                    Value::List(l) => l.iter().try_for_each(|i| flat(i, out)),
                    Value::Expr(_) => None,
                    _ => {
                        out.push(n.clone());
                        Some(())
                    }
                }
            }
            let mut out = Vec::new();
            flat(one(args)?, &mut out)?;
            return Some(Node::list(out, span));
        }
        "toset" | "tolist" => {
            let l = one(args)?.as_list()?;
            if name == "tolist" {
                return Some(Node::list(l.to_vec(), span));
            }
            let mut out: Vec<Node> = Vec::new();
            for i in l {
                if i.is_expr() {
                    return None;
                }
                if !out.iter().any(|o| equal(o, i) == Some(true)) {
                    out.push(i.clone());
                }
            }
            if out.iter().all(|o| matches!(o.value, Value::String(_))) {
                out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            return Some(Node::list(out, span));
        }
        "tomap" => {
            let m = one(args)?;
            m.as_map()?;
            return Some(m.clone());
        }
        "jsonencode" => {
            let a = one(args)?;
            if has_unknown(a) {
                return None;
            }
            return s(serde_json::to_string(&to_json(a)).ok()?);
        }
        _ => {}
    }
    if args.iter().any(has_unknown) {
        return None;
    }
    match name {
        "lower" => s(text(one(args)?)?.to_lowercase()),
        "upper" => s(text(one(args)?)?.to_uppercase()),
        "trimspace" => s(text(one(args)?)?.trim().to_string()),
        "join" => {
            let sep = text(args.first()?)?;
            let mut parts = Vec::new();
            for l in &args[1..] {
                for i in l.as_list()? {
                    parts.push(to_text(i)?);
                }
            }
            s(parts.join(&sep))
        }
        "split" => {
            let sep = text(args.first()?)?;
            let x = text(args.get(1)?)?;
            if sep.is_empty() {
                return None;
            }
            Some(Node::list(
                x.split(sep.as_str())
                    .map(|p| Node::string(p, span))
                    .collect(),
                span,
            ))
        }
        "replace" => {
            let (x, from, to) = (
                text(args.first()?)?,
                text(args.get(1)?)?,
                text(args.get(2)?)?,
            );
            if from.starts_with('/') && from.ends_with('/') && from.len() > 1 {
                return None;
            }
            s(x.replace(&from, &to))
        }
        "format" => s(format(&text(args.first()?)?, &args[1..])?),
        "tostring" => match &one(args)?.value {
            Value::Null => Some(Node::null(span)),
            _ => s(to_text(one(args)?)?),
        },
        "tonumber" => match &one(args)?.value {
            Value::Null => Some(Node::null(span)),
            _ => n(as_number(one(args)?)?),
        },
        "tobool" => match &one(args)?.value {
            Value::Null => Some(Node::null(span)),
            _ => b(as_bool(one(args)?)?),
        },
        "jsondecode" => {
            let x = text(one(args)?)?;
            let v: serde_json::Value = serde_json::from_str(&x).ok()?;
            Some(from_json(&v, span))
        }
        "min" | "max" => {
            let nums: Option<Vec<f64>> = args.iter().map(as_number).collect();
            let nums = nums?;
            let f = if name == "min" { f64::min } else { f64::max };
            nums.into_iter().reduce(f).and_then(n)
        }
        "abs" => n(as_number(one(args)?)?.abs()),
        "distinct" => {
            let mut out: Vec<Node> = Vec::new();
            for i in one(args)?.as_list()? {
                if !out.iter().any(|o| equal(o, i) == Some(true)) {
                    out.push(i.clone());
                }
            }
            Some(Node::list(out, span))
        }
        "compact" => Some(Node::list(
            one(args)?
                .as_list()?
                .iter()
                .filter(|i| !matches!(&i.value, Value::Null) && i.as_str() != Some(""))
                .cloned()
                .collect(),
            span,
        )),
        "startswith" => b(text(args.first()?)?.starts_with(&text(args.get(1)?)?)),
        "endswith" => b(text(args.first()?)?.ends_with(&text(args.get(1)?)?)),
        "zipmap" => {
            let ks = args.first()?.as_list()?;
            let vs = args.get(1)?.as_list()?;
            let mut out = Vec::new();
            for (k, v) in ks.iter().zip(vs) {
                out.push(Entry {
                    key: to_text(k)?,
                    key_span: k.span,
                    value: v.clone(),
                });
            }
            Some(Node::map(out, span))
        }
        _ => None,
    }
}

fn one(args: &[Node]) -> Option<&Node> {
    match args {
        [a] => Some(a),
        _ => None,
    }
}

fn text(n: &Node) -> Option<String> {
    to_text(n)
}

/// `format` with the verbs Terraform configurations use (`%s %d %v %q %%`, widths ignored).
fn format(spec: &str, args: &[Node]) -> Option<String> {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // flags and width
        let mut verb = None;
        for c in chars.by_ref() {
            if c.is_ascii_digit() || "+-# .".contains(c) {
                continue;
            }
            verb = Some(c);
            break;
        }
        match verb? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&to_text(it.next()?)?),
            'd' => out.push_str(&format_number(as_number(it.next()?)?.trunc())),
            'f' | 'g' => out.push_str(&format!("{}", as_number(it.next()?)?)),
            'q' => out.push_str(&serde_json::to_string(&to_text(it.next()?)?).ok()?),
            't' => out.push_str(&as_bool(it.next()?)?.to_string()),
            _ => return None,
        }
    }
    Some(out)
}

pub fn to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Null | Value::Expr(_) => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(x) => {
            if x.fract() == 0.0 && x.abs() < 1e15 {
                J::from(*x as i64)
            } else {
                serde_json::Number::from_f64(*x).map_or(J::Null, J::Number)
            }
        }
        Value::String(s) => J::String(s.clone()),
        Value::List(l) => J::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut sorted: Vec<&Entry> = m.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            J::Object(
                sorted
                    .into_iter()
                    .map(|e| (e.key.clone(), to_json(&e.value)))
                    .collect(),
            )
        }
    }
}

pub fn from_json(v: &serde_json::Value, span: Span) -> Node {
    use serde_json::Value as J;
    match v {
        J::Null => Node::null(span),
        J::Bool(b) => Node::new(Value::Bool(*b), span),
        J::Number(x) => Node::new(Value::Number(x.as_f64().unwrap_or(0.0)), span),
        J::String(s) => Node::string(s.clone(), span),
        J::Array(a) => Node::list(a.iter().map(|i| from_json(i, span)).collect(), span),
        J::Object(o) => Node::map(
            o.iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    key_span: span,
                    value: from_json(v, span),
                })
                .collect(),
            span,
        ),
    }
}
