//! Collection functions: lists, sets, maps and objects.
use super::{all_known, arity, boolean, integer, list, map, number, present, string, strings_of};
use crate::document::{Entry, Node, Span, Value};
use crate::terraform::types::{self, set_of, type_of, unify};
use crate::terraform::value::{equal, error, Fail, Outcome, MAX_ELEMENTS};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    let list_of = |items: Vec<Node>| Ok(Node::list(items, span));
    Some(match name {
        "length" => (|| {
            arity(args, 1..=1)?;
            let n = match &present(&args[0])?.value {
                Value::List(l) => l.len(),
                Value::Map(m) => m.len(),
                Value::String(s) => s.chars().count(),
                _ => {
                    return error(
                        "argument must be a string, a collection type, or a structural type",
                    )
                }
            };
            super::num(n as f64, span)
        })(),
        "coalesce" => coalesce(args),
        "coalescelist" => (|| {
            for a in args {
                if list(a)?.is_empty() {
                    continue;
                }
                return Ok(a.clone());
            }
            error("no non-null arguments")
        })(),
        "concat" => (|| {
            if args.is_empty() {
                return error("at least one argument is required");
            }
            let mut out = Vec::new();
            for a in args {
                out.extend(list(a)?.iter().cloned());
                if out.len() > MAX_ELEMENTS {
                    return Err(Fail::Limit(format!(
                        "concat(): more than {MAX_ELEMENTS} elements"
                    )));
                }
            }
            list_of(out)
        })(),
        "merge" => (|| {
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
                    Value::Expr(_) => return Err(Fail::Unknown),
                    _ => return error("arguments must be maps or objects"),
                }
            }
            Ok(Node::map(out, span))
        })(),
        "lookup" => (|| {
            arity(args, 2..=3)?;
            let m = map(&args[0])?;
            let key = string(&args[1])?;
            match m.iter().rev().find(|e| e.key == key) {
                Some(e) => Ok(e.value.clone()),
                None => match args.get(2) {
                    Some(d) => Ok(d.clone()),
                    None => error(format!("the given key {key:?} does not exist in the map")),
                },
            }
        })(),
        "contains" => (|| {
            arity(args, 2..=2)?;
            let items = list(&args[0])?;
            let mut unknown = false;
            for i in items {
                match equal(i, &args[1]) {
                    Some(true) => return Ok(Node::new(Value::Bool(true), span)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                return Err(Fail::Unknown);
            }
            Ok(Node::new(Value::Bool(false), span))
        })(),
        "element" => (|| {
            arity(args, 2..=2)?;
            let items = list(&args[0])?;
            let i = integer(&args[1])?;
            if i < 0 {
                return error("cannot use element function with a negative index");
            }
            if items.is_empty() {
                return error("cannot use element function with an empty list");
            }
            Ok(items[i as usize % items.len()].clone())
        })(),
        "keys" | "values" => (|| {
            arity(args, 1..=1)?;
            let mut entries: Vec<&Entry> = map(&args[0])?.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            list_of(
                entries
                    .into_iter()
                    .map(|e| match name {
                        "keys" => Node::string(e.key.clone(), e.key_span),
                        _ => e.value.clone(),
                    })
                    .collect(),
            )
        })(),
        "flatten" => (|| {
            arity(args, 1..=1)?;
            let mut out = Vec::new();
            flatten(list(&args[0])?, &mut out)?;
            list_of(out)
        })(),
        "one" => (|| {
            arity(args, 1..=1)?;
            match list(&args[0])? {
                [] => Ok(Node::null(span)),
                [x] => Ok(x.clone()),
                _ => error("must be a list, set, or tuple value with either zero or one elements"),
            }
        })(),
        "reverse" => (|| {
            arity(args, 1..=1)?;
            list_of(list(&args[0])?.iter().rev().cloned().collect())
        })(),
        "slice" => (|| {
            arity(args, 3..=3)?;
            let items = list(&args[0])?;
            let (start, end) = (integer(&args[1])?, integer(&args[2])?);
            if start < 0 || end > items.len() as i64 || start > end {
                return error("the slice indices are out of range for the list");
            }
            list_of(items[start as usize..end as usize].to_vec())
        })(),
        "chunklist" => (|| {
            arity(args, 2..=2)?;
            let items = list(&args[0])?;
            let size = integer(&args[1])?;
            if size < 0 {
                return error("the size argument must be positive");
            }
            if items.is_empty() {
                return list_of(Vec::new());
            }
            let size = if size == 0 {
                items.len()
            } else {
                size as usize
            };
            list_of(
                items
                    .chunks(size)
                    .map(|c| Node::list(c.to_vec(), span))
                    .collect(),
            )
        })(),
        "range" => range(args, span),
        _ => {
            // the rest need every argument known
            if let Err(e) = all_known(args) {
                return Some(Err(e));
            }
            return known_args(name, args, span);
        }
    })
}

fn known_args(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    let list_of = |items: Vec<Node>| Ok(Node::list(items, span));
    let boolean_fold = |all: bool| -> Outcome {
        arity(args, 1..=1)?;
        let mut out = all;
        for i in list(&args[0])? {
            // a null element counts as false
            let b = !matches!(i.value, Value::Null) && boolean(i)?;
            if all {
                out &= b;
            } else {
                out |= b;
            }
        }
        Ok(Node::new(Value::Bool(out), span))
    };
    Some(match name {
        "alltrue" => boolean_fold(true),
        "anytrue" => boolean_fold(false),
        "compact" => (|| {
            arity(args, 1..=1)?;
            let mut out = Vec::new();
            for i in list(&args[0])? {
                if matches!(i.value, Value::Null) {
                    continue;
                }
                let s = string(i)?;
                if !s.is_empty() {
                    out.push(Node::string(s, i.span));
                }
            }
            list_of(out)
        })(),
        "distinct" => (|| {
            arity(args, 1..=1)?;
            let items = unified(list(&args[0])?)?;
            let mut out: Vec<Node> = Vec::new();
            for i in items {
                if !out.iter().any(|o| equal(o, &i) == Some(true)) {
                    out.push(i);
                }
            }
            list_of(out)
        })(),
        "index" => (|| {
            arity(args, 2..=2)?;
            match list(&args[0])?
                .iter()
                .position(|i| equal(i, &args[1]) == Some(true))
            {
                Some(i) => super::num(i as f64, span),
                None => error("item not found"),
            }
        })(),
        "matchkeys" => (|| {
            arity(args, 3..=3)?;
            let (values, keys, search) = (list(&args[0])?, list(&args[1])?, list(&args[2])?);
            if values.len() != keys.len() {
                return error("length of keys and values should be equal");
            }
            list_of(
                values
                    .iter()
                    .zip(keys)
                    .filter(|(_, k)| search.iter().any(|s| equal(s, k) == Some(true)))
                    .map(|(v, _)| v.clone())
                    .collect(),
            )
        })(),
        "setintersection" | "setsubtract" | "setunion" => (|| {
            if args.is_empty() {
                return error("at least one argument is required");
            }
            let all: Vec<Node> = args
                .iter()
                .map(|a| list(a).map(|l| l.to_vec()))
                .collect::<Result<Vec<_>, _>>()?
                .concat();
            let ty = unify(&all.iter().map(type_of).collect::<Vec<_>>()).ok_or_else(|| {
                Fail::Error("given sets must all have compatible element types".into())
            })?;
            let sets: Vec<Vec<Node>> = args
                .iter()
                .map(|a| {
                    let items = list(a)?
                        .iter()
                        .map(|i| types::convert(i, &ty))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(set_of(items))
                })
                .collect::<Result<_, Fail>>()?;
            let member = |set: &Vec<Node>, x: &Node| set.iter().any(|s| equal(s, x) == Some(true));
            let out: Vec<Node> = match name {
                "setunion" => sets.concat(),
                "setintersection" => sets[0]
                    .iter()
                    .filter(|x| sets[1..].iter().all(|s| member(s, x)))
                    .cloned()
                    .collect(),
                _ => {
                    arity(args, 2..=2)?;
                    sets[0]
                        .iter()
                        .filter(|x| !member(&sets[1], x))
                        .cloned()
                        .collect()
                }
            };
            list_of(set_of(out))
        })(),
        "setproduct" => (|| {
            if args.len() < 2 {
                return error("at least two arguments are required");
            }
            let lists: Vec<&[Node]> = args.iter().map(list).collect::<Result<_, _>>()?;
            let total = lists
                .iter()
                .try_fold(1usize, |acc, l| acc.checked_mul(l.len().max(1)))
                .filter(|n| n.saturating_mul(lists.len()) <= MAX_ELEMENTS);
            if total.is_none() {
                return Err(Fail::Limit(format!(
                    "setproduct(): more than {MAX_ELEMENTS} elements"
                )));
            }
            let mut out: Vec<Vec<Node>> = vec![Vec::new()];
            for l in lists {
                let mut next = Vec::with_capacity(out.len() * l.len());
                for prefix in &out {
                    for x in l {
                        let mut p = prefix.clone();
                        p.push(x.clone());
                        next.push(p);
                    }
                }
                out = next;
            }
            list_of(out.into_iter().map(|t| Node::list(t, span)).collect())
        })(),
        "sort" => (|| {
            arity(args, 1..=1)?;
            let mut items = strings_of(&args[0])?;
            items.sort();
            list_of(items.into_iter().map(|s| Node::string(s, span)).collect())
        })(),
        "sum" => (|| {
            arity(args, 1..=1)?;
            let items = list(&args[0])?;
            if items.is_empty() {
                return error("cannot sum an empty list");
            }
            let mut total = 0.0;
            for i in items {
                if matches!(i.value, Value::Bool(_)) {
                    return error("argument must be list, set, or tuple of number values");
                }
                total += number(i)?;
            }
            super::num(total, span)
        })(),
        "transpose" => (|| {
            arity(args, 1..=1)?;
            let mut sorted: Vec<&Entry> = map(&args[0])?.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            let mut out: Vec<(String, Vec<Node>)> = Vec::new();
            for e in sorted {
                for v in strings_of(&e.value)? {
                    let k = Node::string(e.key.clone(), e.key_span);
                    match out.iter_mut().find(|(x, _)| *x == v) {
                        Some((_, l)) => l.push(k),
                        None => out.push((v, vec![k])),
                    }
                }
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Node::map(
                out.into_iter()
                    .map(|(key, l)| Entry {
                        key,
                        key_span: span,
                        value: Node::list(l, span),
                    })
                    .collect(),
                span,
            ))
        })(),
        "zipmap" => (|| {
            arity(args, 2..=2)?;
            let (ks, vs) = (strings_of(&args[0])?, list(&args[1])?);
            if ks.len() != vs.len() {
                return error("number of keys and values must match");
            }
            let mut out: Vec<Entry> = Vec::new();
            for (k, v) in ks.into_iter().zip(vs) {
                out.retain(|e| e.key != k);
                out.push(Entry {
                    key: k,
                    key_span: v.span,
                    value: v.clone(),
                });
            }
            Ok(Node::map(out, span))
        })(),
        _ => return None,
    })
}

/// A list's elements converted to the one type they unify to.
fn unified(items: &[Node]) -> Result<Vec<Node>, Fail> {
    let ty = unify(&items.iter().map(type_of).collect::<Vec<_>>())
        .ok_or_else(|| Fail::Error("list elements must all have the same type".into()))?;
    items.iter().map(|i| types::convert(i, &ty)).collect()
}

/// The first argument that is neither null nor an empty string, converted to
/// the type all arguments unify to.
fn coalesce(args: &[Node]) -> Outcome {
    if args.is_empty() {
        return error("no non-null, non-empty-string arguments");
    }
    let ty = unify(&args.iter().map(type_of).collect::<Vec<_>>())
        .ok_or_else(|| Fail::Error("all arguments must have the same type".into()))?;
    for a in args {
        match &a.value {
            Value::Expr(_) => return Err(Fail::Unknown),
            Value::Null => continue,
            _ => {}
        }
        let v = types::convert(a, &ty)?;
        if v.as_str() == Some("") {
            continue;
        }
        return Ok(v);
    }
    error("no non-null, non-empty-string arguments")
}

fn flatten(items: &[Node], out: &mut Vec<Node>) -> Result<(), Fail> {
    for i in items {
        match &i.value {
            Value::List(inner) => flatten(inner, out)?,
            // an unknown could be a list to flatten
            Value::Expr(_) => return Err(Fail::Unknown),
            _ => out.push(i.clone()),
        }
        if out.len() > MAX_ELEMENTS {
            return Err(Fail::Limit(format!(
                "flatten(): more than {MAX_ELEMENTS} elements"
            )));
        }
    }
    Ok(())
}

fn range(args: &[Node], span: Span) -> Outcome {
    arity(args, 1..=3)?;
    let nums: Vec<f64> = args.iter().map(number).collect::<Result<_, _>>()?;
    let (start, end, step) = match nums.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => unreachable!("arity checked"),
    };
    if step == 0.0 {
        return error("step must not be zero");
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        return error("step and the direction of start and end do not agree");
    }
    let count = ((end - start) / step).ceil();
    if count > MAX_ELEMENTS as f64 {
        return Err(Fail::Limit(format!(
            "range(): {count} elements is over the evaluation limit of {MAX_ELEMENTS}"
        )));
    }
    let out = (0..count.max(0.0) as usize)
        .map(|i| Node::new(Value::Number(start + step * i as f64), span))
        .collect();
    Ok(Node::list(out, span))
}
