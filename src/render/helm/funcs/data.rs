//! Go's comparison and collection built-ins, Sprig's lists, dicts, math and
//! type tests, Helm's YAML/JSON functions, `required` and `fail`. Values pass
//! through unchanged, so their origins ride along.
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{deep_equal, derived, int_val, strval, to_f64, to_i64, Ctx, Func, P};
use crate::render::helm::source::Origin;
use crate::render::helm::value::{Host, IntTy, List, Map, MapEntry, Val};
use crate::render::helm::yaml;

type R = Result<Val, String>;

fn list_items(v: &Val) -> Option<Vec<Val>> {
    match v {
        Val::List(l) => Some(l.items.clone()),
        _ => None,
    }
}

fn new_map(entries: BTreeMap<String, MapEntry>, at: Origin) -> Val {
    Val::Map(Rc::new(RefCell::new(Map {
        entries,
        origin: at.coarsen(),
    })))
}

fn new_list(items: Vec<Val>, at: Origin) -> Val {
    Val::List(Rc::new(List {
        items,
        origin: at.coarsen(),
    }))
}

// ---------------------------------------------------------------------------
// Go built-ins

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Basic {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn basic(v: &Val) -> Basic {
    match v {
        Val::Missing | Val::Nil => Basic::Invalid,
        Val::Bool(..) => Basic::Bool,
        Val::Int(..) => Basic::Int,
        Val::Float(..) => Basic::Float,
        Val::Str(_) => Basic::Str,
        _ => Basic::Other,
    }
}

fn eq_one(a: &Val, b: &Val) -> Result<bool, String> {
    let (ka, kb) = (basic(a), basic(b));
    if ka != kb {
        if ka != Basic::Invalid && kb != Basic::Invalid {
            return Err("incompatible types for comparison".into());
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Val::Bool(x, _), Val::Bool(y, _)) => x == y,
        (Val::Int(x, ..), Val::Int(y, ..)) => x == y,
        (Val::Float(x, _), Val::Float(y, _)) => x == y,
        (Val::Str(x), Val::Str(y)) => x.as_str() == y.as_str(),
        (Val::Missing | Val::Nil, Val::Missing | Val::Nil) => true,
        (Val::List(_), _) | (Val::Map(_), _) => {
            return Err(format!("non-comparable type {}", a.type_name()));
        }
        _ => false,
    })
}

fn eq(_: &mut Ctx, a: Vec<Val>) -> R {
    if a.iter().any(Val::is_unknown) {
        return Ok(Val::Unknown("comparison with an unknown".into()));
    }
    if a.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    for b in &a[1..] {
        if eq_one(&a[0], b)? {
            return Ok(Val::bool(true));
        }
    }
    Ok(Val::bool(false))
}

fn ne(_: &mut Ctx, a: Vec<Val>) -> R {
    if a.iter().any(Val::is_unknown) {
        return Ok(Val::Unknown("comparison with an unknown".into()));
    }
    Ok(Val::bool(!eq_one(&a[0], &a[1])?))
}

fn less(a: &Val, b: &Val) -> Result<bool, String> {
    let (ka, kb) = (basic(a), basic(b));
    if matches!(ka, Basic::Invalid | Basic::Other | Basic::Bool)
        || matches!(kb, Basic::Invalid | Basic::Other | Basic::Bool)
    {
        return Err("invalid type for comparison".into());
    }
    if ka != kb {
        return Err("incompatible types for comparison".into());
    }
    Ok(match (a, b) {
        (Val::Int(x, ..), Val::Int(y, ..)) => x < y,
        (Val::Float(x, _), Val::Float(y, _)) => x < y,
        (Val::Str(x), Val::Str(y)) => x.as_str() < y.as_str(),
        _ => false,
    })
}

fn lt(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(less(&a[0], &a[1])?))
}
fn le(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(less(&a[0], &a[1])? || eq_one(&a[0], &a[1])?))
}
fn gt(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(!(less(&a[0], &a[1])? || eq_one(&a[0], &a[1])?)))
}
fn ge(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(!less(&a[0], &a[1])?))
}

fn not(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(!a[0].truth()))
}

fn len(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = match &a[0] {
        Val::Str(s) => s.len(),
        Val::List(l) => l.items.len(),
        Val::Map(m) => m.borrow().entries.len(),
        Val::Host(h) => match &**h {
            Host::Files(f) => f.len(),
            _ => return Err(format!("len of type {}", a[0].type_name())),
        },
        Val::Missing | Val::Nil => return Err("len of nil pointer".into()),
        Val::Unknown(_) => return Ok(a[0].clone()),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(int_val(n as i64, IntTy::Int, ctx.at))
}

fn index_one(item: &Val, key: &Val) -> R {
    match item {
        Val::Unknown(_) => Ok(item.clone()),
        Val::Missing | Val::Nil => Err("index of untyped nil".into()),
        Val::Map(m) => match key {
            Val::Str(k) => Ok(m
                .borrow()
                .entries
                .get(k.as_str())
                .map_or(Val::Nil, |e| e.val.clone())),
            Val::Missing | Val::Nil => Ok(Val::Nil),
            other => Err(format!(
                "value has type {}; should be string",
                other.type_name()
            )),
        },
        Val::List(l) => {
            let i = match key {
                Val::Int(i, ..) => *i,
                Val::Float(..) => return Err("cannot index slice/array with type float64".into()),
                Val::Missing | Val::Nil => return Err("cannot index slice/array with nil".into()),
                other => {
                    return Err(format!(
                        "cannot index slice/array with type {}",
                        other.type_name()
                    ))
                }
            };
            if i < 0 || i as usize >= l.items.len() {
                return Err(format!("index out of range: {i}"));
            }
            Ok(l.items[i as usize].clone())
        }
        Val::Str(s) => {
            let i = match key {
                Val::Int(i, ..) => *i,
                _ => return Err("cannot index string with non-integer".into()),
            };
            if i < 0 || i as usize >= s.len() {
                return Err(format!("index out of range: {i}"));
            }
            Ok(Val::Int(
                i64::from(s.as_str().as_bytes()[i as usize]),
                IntTy::Int,
                Origin::NONE,
            ))
        }
        Val::Host(h) => match &**h {
            Host::Files(f) => Ok(match key {
                Val::Str(k) => f
                    .get(k.as_str())
                    .map_or(Val::Nil, |v| Val::str(v, Origin::NONE)),
                _ => Val::Nil,
            }),
            _ => Err(format!("can't index item of type {}", item.type_name())),
        },
        other => Err(format!("can't index item of type {}", other.type_name())),
    }
}

fn index(_: &mut Ctx, a: Vec<Val>) -> R {
    let mut item = a[0].clone();
    for k in &a[1..] {
        item = index_one(&item, k)?;
    }
    Ok(item)
}

fn slice(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let idx: Vec<i64> = a[1..].iter().map(to_i64).collect();
    match &a[0] {
        Val::List(l) => {
            let n = l.items.len() as i64;
            let from = idx.first().copied().unwrap_or(0);
            let to = idx.get(1).copied().unwrap_or(n);
            if from < 0 || to < from || to > n {
                return Err(format!("index out of range: {from}:{to}"));
            }
            Ok(new_list(
                l.items[from as usize..to as usize].to_vec(),
                ctx.at,
            ))
        }
        // Sprig's `slice` (which replaces Go's) takes lists only
        other => Err(format!(
            "list should be type of slice or array but {}",
            other.kind_name()
        )),
    }
}

// ---------------------------------------------------------------------------
// Sprig: defaults and tests

fn default(_: &mut Ctx, a: Vec<Val>) -> R {
    match a.get(1) {
        Some(v) if v.is_unknown() => Ok(v.clone()),
        Some(v) if !v.is_empty() => Ok(v.clone()),
        _ => Ok(a[0].clone()),
    }
}

fn empty(_: &mut Ctx, a: Vec<Val>) -> R {
    if a[0].is_unknown() {
        return Ok(a[0].clone());
    }
    Ok(Val::bool(a[0].is_empty()))
}

fn coalesce(_: &mut Ctx, a: Vec<Val>) -> R {
    for v in &a {
        if v.is_unknown() {
            return Ok(v.clone());
        }
        if !v.is_empty() {
            return Ok(v.clone());
        }
    }
    Ok(Val::Nil)
}

fn all(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(a.iter().all(|v| !v.is_empty())))
}
fn any(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(a.iter().any(|v| !v.is_empty())))
}

fn ternary(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(match &a[2] {
        Val::Bool(true, _) => a[0].clone(),
        Val::Unknown(_) => a[2].clone(),
        _ => a[1].clone(),
    })
}

fn required(_: &mut Ctx, a: Vec<Val>) -> R {
    let bad = match &a[1] {
        Val::Missing | Val::Nil => true,
        Val::Str(s) => s.is_empty(),
        _ => false,
    };
    if bad {
        return Err(a[0].as_str().unwrap_or("").to_string());
    }
    Ok(a[1].clone())
}

fn fail(_: &mut Ctx, a: Vec<Val>) -> R {
    Err(a[0].as_str().unwrap_or("").to_string())
}

fn kind_of(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::str(a[0].kind_name(), ctx.at.coarsen()))
}
fn kind_is(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(a[0].as_str() == Some(a[1].kind_name())))
}
fn type_of(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::str(a[0].type_name(), ctx.at.coarsen()))
}
fn type_is(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(a[0].as_str() == Some(a[1].type_name())))
}
fn type_is_like(_: &mut Ctx, a: Vec<Val>) -> R {
    let t = a[1].type_name();
    let want = a[0].as_str().unwrap_or("");
    Ok(Val::bool(want == t || want == format!("*{t}")))
}
fn deep_equal_fn(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(deep_equal(&a[0], &a[1])))
}

// ---------------------------------------------------------------------------
// conversions and math

fn to_int(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(int_val(to_i64(&a[0]), IntTy::Int, ctx.at).with_origin(a[0].origin()))
}
fn to_int64(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(int_val(to_i64(&a[0]), IntTy::Int64, ctx.at))
}
fn to_float64(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::Float(to_f64(&a[0]), ctx.at.coarsen()))
}
fn to_decimal(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let t = strval(&a[0]);
    Ok(int_val(
        i64::from_str_radix(t.as_str(), 8).unwrap_or(0),
        IntTy::Int64,
        ctx.at,
    ))
}
fn to_strings(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(new_list(
        strslice(&a[0]).into_iter().map(Val::Str).collect(),
        ctx.at,
    ))
}

fn arith(ctx: &Ctx, v: i64) -> R {
    Ok(int_val(v, IntTy::Int64, ctx.at))
}

fn add_fn(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, a.iter().map(to_i64).fold(0i64, i64::wrapping_add))
}
fn add1(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, to_i64(&a[0]).wrapping_add(1))
}
fn sub(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, to_i64(&a[0]).wrapping_sub(to_i64(&a[1])))
}
fn mul(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, a.iter().map(to_i64).fold(1i64, i64::wrapping_mul))
}
fn div(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let d = to_i64(&a[1]);
    if d == 0 {
        return Err("runtime error: integer divide by zero".into());
    }
    arith(ctx, to_i64(&a[0]).wrapping_div(d))
}
fn modulo(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let d = to_i64(&a[1]);
    if d == 0 {
        return Err("runtime error: integer divide by zero".into());
    }
    arith(ctx, to_i64(&a[0]).wrapping_rem(d))
}
fn max(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, a.iter().map(to_i64).max().unwrap_or(0))
}
fn min(ctx: &mut Ctx, a: Vec<Val>) -> R {
    arith(ctx, a.iter().map(to_i64).min().unwrap_or(0))
}
fn float(ctx: &Ctx, v: f64) -> R {
    Ok(Val::Float(v, ctx.at.coarsen()))
}
fn addf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, a.iter().map(to_f64).sum())
}
fn add1f(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, to_f64(&a[0]) + 1.0)
}
fn subf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(
        ctx,
        a[1..].iter().map(to_f64).fold(to_f64(&a[0]), |x, y| x - y),
    )
}
fn mulf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, a.iter().map(to_f64).product())
}
fn divf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(
        ctx,
        a[1..].iter().map(to_f64).fold(to_f64(&a[0]), |x, y| x / y),
    )
}
fn maxf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, a.iter().map(to_f64).fold(f64::MIN, f64::max))
}
fn minf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, a.iter().map(to_f64).fold(f64::MAX, f64::min))
}
fn floor(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, to_f64(&a[0]).floor())
}
fn ceil(ctx: &mut Ctx, a: Vec<Val>) -> R {
    float(ctx, to_f64(&a[0]).ceil())
}
fn round(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let p = to_i64(&a[1]) as i32;
    let half = a.get(2).map_or(0.5, to_f64);
    let pow = 10f64.powi(p);
    let digit = pow * to_f64(&a[0]);
    let r = if digit - digit.floor() >= half {
        digit.ceil()
    } else {
        digit.floor()
    };
    float(ctx, r / pow)
}

fn until_step(ctx: &Ctx, start: i64, stop: i64, step: i64) -> R {
    let mut v = Vec::new();
    if step == 0 {
        return Ok(new_list(v, ctx.at));
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        v.push(int_val(i, IntTy::Int, ctx.at));
        if v.len() > ctx.max_bytes / 8 {
            return Err("list over the size limit".into());
        }
        i += step;
    }
    Ok(new_list(v, ctx.at))
}
fn until(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = to_i64(&a[0]);
    until_step(ctx, 0, n, if n < 0 { -1 } else { 1 })
}
fn until_step_fn(ctx: &mut Ctx, a: Vec<Val>) -> R {
    until_step(ctx, to_i64(&a[0]), to_i64(&a[1]), to_i64(&a[2]))
}
fn seq(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n: Vec<i64> = a.iter().map(to_i64).collect();
    let (start, step, end) = match n.len() {
        0 => return Ok(Val::str("", ctx.at.coarsen())),
        1 => (1, if n[0] < 1 { -1 } else { 1 }, n[0]),
        2 => (n[0], if n[1] < n[0] { -1 } else { 1 }, n[1]),
        _ => (n[0], n[1], n[2]),
    };
    let stop = end + step.signum();
    let list = until_step(ctx, start, stop, step)?;
    let text: Vec<String> = list_items(&list)
        .unwrap_or_default()
        .iter()
        .map(|v| to_i64(v).to_string())
        .collect();
    Ok(Val::string(text.join(" "), ctx.at.coarsen()))
}

// ---------------------------------------------------------------------------
// lists

/// Sprig's `strslice`: a list's items as strings (nil items dropped).
fn strslice(v: &Val) -> Vec<crate::render::helm::source::Str> {
    match v {
        Val::List(l) => l
            .items
            .iter()
            .filter(|i| !matches!(i, Val::Nil | Val::Missing))
            .map(strval)
            .collect(),
        Val::Nil | Val::Missing => Vec::new(),
        other => vec![strval(other)],
    }
}

fn need_list(v: &Val, what: &str) -> Result<Vec<Val>, String> {
    list_items(v).ok_or_else(|| format!("Cannot {what} type {}", v.type_name()))
}

fn list(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(new_list(a, ctx.at))
}
fn append(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut items = need_list(&a[0], "push on")?;
    items.push(a[1].clone());
    Ok(new_list(items, ctx.at))
}
fn prepend(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut items = need_list(&a[0], "prepend on")?;
    items.insert(0, a[1].clone());
    Ok(new_list(items, ctx.at))
}
fn concat(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut items = Vec::new();
    for l in &a {
        items.extend(need_list(l, "concat")?);
    }
    Ok(new_list(items, ctx.at))
}
fn first(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(need_list(&a[0], "find first on")?
        .first()
        .cloned()
        .unwrap_or(Val::Nil))
}
fn last(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(need_list(&a[0], "find last on")?
        .last()
        .cloned()
        .unwrap_or(Val::Nil))
}
fn rest(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let items = need_list(&a[0], "find rest on")?;
    if items.is_empty() {
        return Ok(Val::Nil);
    }
    Ok(new_list(items[1..].to_vec(), ctx.at))
}
fn initial(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let items = need_list(&a[0], "find initial on")?;
    if items.is_empty() {
        return Ok(Val::Nil);
    }
    Ok(new_list(items[..items.len() - 1].to_vec(), ctx.at))
}
fn reverse(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut items = need_list(&a[0], "find reverse on")?;
    items.reverse();
    Ok(new_list(items, ctx.at))
}
fn uniq(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let items = need_list(&a[0], "find uniq on")?;
    let mut out: Vec<Val> = Vec::new();
    for i in items {
        if !out.iter().any(|o| deep_equal(o, &i)) {
            out.push(i);
        }
    }
    Ok(new_list(out, ctx.at))
}
fn compact(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let items = need_list(&a[0], "compact on")?;
    Ok(new_list(
        items.into_iter().filter(|v| !v.is_empty()).collect(),
        ctx.at,
    ))
}
fn without(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let items = need_list(&a[0], "find without on")?;
    Ok(new_list(
        items
            .into_iter()
            .filter(|v| !a[1..].iter().any(|o| deep_equal(o, v)))
            .collect(),
        ctx.at,
    ))
}
fn has(_: &mut Ctx, a: Vec<Val>) -> R {
    match &a[1] {
        Val::Nil | Val::Missing => Ok(Val::bool(false)),
        Val::List(l) => Ok(Val::bool(l.items.iter().any(|v| deep_equal(v, &a[0])))),
        other => Err(format!("Cannot find has on type {}", other.type_name())),
    }
}
fn sort_alpha(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut items = match &a[0] {
        Val::List(_) => strslice(&a[0]),
        other => vec![strval(other)],
    };
    items.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    Ok(new_list(items.into_iter().map(Val::Str).collect(), ctx.at))
}
fn join(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let sep = a[0].as_str().unwrap_or("").to_string();
    let parts = strslice(&a[1]);
    let mut b = crate::render::helm::source::Builder::default();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            b.push(
                &crate::render::helm::source::Str::new(sep.as_str(), a[0].origin().coarsen())
                    .with_fallback(ctx.at.coarsen()),
            );
        }
        b.push(p);
    }
    Ok(Val::Str(b.finish()))
}
fn split_list(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let (sep, text) = (a[0].as_str().unwrap_or(""), &a[1]);
    let Val::Str(s) = text else {
        return Ok(new_list(Vec::new(), ctx.at));
    };
    let t = s.as_str();
    let mut parts = Vec::new();
    if sep.is_empty() {
        let mut at = 0;
        for c in t.chars() {
            parts.push(Val::Str(s.slice(at, at + c.len_utf8())));
            at += c.len_utf8();
        }
    } else {
        let mut at = 0;
        for (i, _) in t.match_indices(sep) {
            parts.push(Val::Str(s.slice(at, i)));
            at = i + sep.len();
        }
        parts.push(Val::Str(s.slice(at, t.len())));
    }
    Ok(new_list(parts, ctx.at))
}
fn split(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let parts = list_items(&split_list(ctx, a)?).unwrap_or_default();
    let entries = parts
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            (
                format!("_{i}"),
                MapEntry {
                    key_origin: ctx.at,
                    val: v,
                },
            )
        })
        .collect();
    Ok(new_map(entries, ctx.at))
}
fn splitn(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let sep = a[0].as_str().unwrap_or("");
    let n = to_i64(&a[1]);
    let text = a[2].as_str().unwrap_or("");
    let parts: Vec<&str> = if n < 0 {
        text.split(sep).collect()
    } else {
        text.splitn(n as usize, sep).collect()
    };
    let o = a[2].origin().coarsen();
    let entries = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            (
                format!("_{i}"),
                MapEntry {
                    key_origin: ctx.at,
                    val: Val::str(p, o),
                },
            )
        })
        .collect();
    Ok(new_map(entries, ctx.at))
}

// ---------------------------------------------------------------------------
// dicts

fn dict(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut m = BTreeMap::new();
    let mut i = 0;
    while i < a.len() {
        let key = strval(&a[i]);
        let val = a
            .get(i + 1)
            .cloned()
            .unwrap_or_else(|| Val::str("", ctx.at.coarsen()));
        m.insert(
            key.as_str().to_string(),
            MapEntry {
                key_origin: key.origin(),
                val,
            },
        );
        i += 2;
    }
    Ok(new_map(m, ctx.at))
}

fn need_map(v: &Val) -> Result<Rc<RefCell<Map>>, String> {
    match v {
        Val::Map(m) => Ok(m.clone()),
        Val::Nil | Val::Missing => Ok(Rc::new(RefCell::new(Map::default()))),
        other => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            other.type_name()
        )),
    }
}

fn set(_: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let key = a[1].as_str().unwrap_or("").to_string();
    m.borrow_mut().entries.insert(
        key,
        MapEntry {
            key_origin: a[1].origin(),
            val: a[2].clone(),
        },
    );
    Ok(Val::Map(m))
}
fn unset(_: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    m.borrow_mut().entries.remove(a[1].as_str().unwrap_or(""));
    Ok(Val::Map(m))
}
fn has_key(_: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let b = m.borrow().entries.contains_key(a[1].as_str().unwrap_or(""));
    Ok(Val::bool(b))
}
fn get(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let v = m
        .borrow()
        .entries
        .get(a[1].as_str().unwrap_or(""))
        .map(|e| e.val.clone());
    Ok(v.unwrap_or_else(|| Val::str("", ctx.at.coarsen())))
}
fn keys(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut out = Vec::new();
    for d in &a {
        let m = need_map(d)?;
        for (k, e) in m.borrow().entries.iter() {
            out.push(Val::str(k, e.key_origin));
        }
    }
    Ok(new_list(out, ctx.at))
}
fn values(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let out = m.borrow().entries.values().map(|e| e.val.clone()).collect();
    Ok(new_list(out, ctx.at))
}
fn pick(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let wanted: Vec<&str> = a[1..].iter().filter_map(Val::as_str).collect();
    let entries = m
        .borrow()
        .entries
        .iter()
        .filter(|(k, _)| wanted.contains(&k.as_str()))
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    Ok(new_map(entries, ctx.at))
}
fn omit(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let m = need_map(&a[0])?;
    let dropped: Vec<&str> = a[1..].iter().filter_map(Val::as_str).collect();
    let entries = m
        .borrow()
        .entries
        .iter()
        .filter(|(k, _)| !dropped.contains(&k.as_str()))
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    Ok(new_map(entries, ctx.at))
}
fn pluck(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let key = a[0].as_str().unwrap_or("");
    let mut out = Vec::new();
    for d in &a[1..] {
        if let Some(v) = need_map(d)?.borrow().entries.get(key) {
            out.push(v.val.clone());
        }
    }
    Ok(new_list(out, ctx.at))
}
fn dig(_: &mut Ctx, a: Vec<Val>) -> R {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let n = a.len();
    let mut cur = match &a[n - 1] {
        Val::Map(m) => m.clone(),
        other => {
            return Err(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                other.type_name()
            ))
        }
    };
    let def = a[n - 2].clone();
    let keys = &a[..n - 2];
    for (i, k) in keys.iter().enumerate() {
        let Some(k) = k.as_str() else {
            return Err(format!(
                "interface conversion: interface {{}} is {}, not string",
                k.type_name()
            ));
        };
        let step = match cur.borrow().entries.get(k) {
            Some(e) => e.val.clone(),
            None => return Ok(def),
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        cur = match step {
            Val::Map(m) => m,
            other => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    other.type_name()
                ))
            }
        };
    }
    Ok(def)
}
fn deep_copy(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(a[0].deep_copy())
}

/// mergo's `Merge` (with `overwrite`, `WithOverride`) of `src` into `dst`,
/// in place: maps merge key by key, a list or value fills a missing or empty
/// destination (or replaces it when overwriting).
fn merge_into(
    dst: &Rc<RefCell<Map>>,
    src: &Rc<RefCell<Map>>,
    overwrite: bool,
    depth: usize,
) -> Result<(), String> {
    if depth > 64 || Rc::ptr_eq(dst, src) {
        return Ok(());
    }
    let src_entries: Vec<(String, MapEntry)> = src
        .borrow()
        .entries
        .iter()
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    for (k, se) in src_entries {
        let de = dst.borrow().entries.get(&k).map(|e| e.val.clone());
        if matches!(se.val, Val::Nil | Val::Missing) {
            if overwrite {
                dst.borrow_mut().entries.insert(k, se);
            }
            continue;
        }
        if let (Some(Val::Map(dm)), Val::Map(sm)) = (&de, &se.val) {
            merge_into(dm, sm, overwrite, depth + 1)?;
            continue;
        }
        let dst_empty = de.as_ref().is_none_or(Val::is_empty);
        if overwrite || dst_empty {
            dst.borrow_mut().entries.insert(k, se);
        }
    }
    Ok(())
}

fn merge_fn(a: Vec<Val>, overwrite: bool) -> R {
    let dst = need_map(&a[0])?;
    for s in &a[1..] {
        let src = need_map(s)?;
        merge_into(&dst, &src, overwrite, 0)?;
    }
    Ok(Val::Map(dst))
}
fn merge(_: &mut Ctx, a: Vec<Val>) -> R {
    merge_fn(a, false)
}
fn merge_overwrite(_: &mut Ctx, a: Vec<Val>) -> R {
    merge_fn(a, true)
}

// ---------------------------------------------------------------------------
// YAML and JSON

fn to_yaml(ctx: &mut Ctx, a: Vec<Val>) -> R {
    match yaml::to_yaml(&a[0], ctx.at) {
        Ok(s) => Ok(Val::Str(s)),
        Err(e) => Ok(Val::string(e, ctx.at.coarsen())),
    }
}
fn must_to_yaml(ctx: &mut Ctx, a: Vec<Val>) -> R {
    yaml::to_yaml(&a[0], ctx.at).map(Val::Str)
}
fn from_yaml(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = match &a[0] {
        Val::Str(s) => s.clone(),
        _ => crate::render::helm::source::Str::plain(""),
    };
    Ok(yaml::from_yaml(&text, ctx.at, false))
}
fn from_yaml_array(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = match &a[0] {
        Val::Str(s) => s.clone(),
        _ => crate::render::helm::source::Str::plain(""),
    };
    Ok(yaml::from_yaml(&text, ctx.at, true))
}
fn to_json(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(derived(
        yaml::to_json(&a[0], false, true).unwrap_or_default(),
        &Val::Nil,
        ctx.at,
    ))
}
fn must_to_json(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(derived(
        yaml::to_json(&a[0], false, true)?,
        &Val::Nil,
        ctx.at,
    ))
}
fn to_pretty_json(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(derived(
        yaml::to_json(&a[0], true, true).unwrap_or_default(),
        &Val::Nil,
        ctx.at,
    ))
}
fn to_raw_json(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(derived(
        yaml::to_json(&a[0], false, false).unwrap_or_default(),
        &Val::Nil,
        ctx.at,
    ))
}
fn from_json(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = match &a[0] {
        Val::Str(s) => s.clone(),
        _ => crate::render::helm::source::Str::plain(""),
    };
    Ok(yaml::from_json(&text, ctx.at, false))
}
fn from_json_array(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = match &a[0] {
        Val::Str(s) => s.clone(),
        _ => crate::render::helm::source::Str::plain(""),
    };
    Ok(yaml::from_json(&text, ctx.at, true))
}

pub fn register(add: &mut impl FnMut(&'static str, &'static [P], Option<P>, Func)) {
    use P::*;
    add("eq", &[Value], Some(Value), eq);
    add("ne", &[Value, Value], None, ne);
    add("lt", &[Value, Value], None, lt);
    add("le", &[Value, Value], None, le);
    add("gt", &[Value, Value], None, gt);
    add("ge", &[Value, Value], None, ge);
    add("not", &[Value], None, not);
    add("len", &[Value], None, len);
    add("index", &[Value], Some(Value), index);
    add("slice", &[Value], Some(Value), slice);
    add("default", &[Any], Some(Any), default);
    add("empty", &[Any], None, empty);
    add("coalesce", &[], Some(Any), coalesce);
    add("all", &[], Some(Any), all);
    add("any", &[], Some(Any), any);
    add("ternary", &[Any, Any, Bool], None, ternary);
    add("required", &[Str, Any], None, required);
    add("fail", &[Str], None, fail);
    add("kindOf", &[Any], None, kind_of);
    add("kindIs", &[Str, Any], None, kind_is);
    add("typeOf", &[Any], None, type_of);
    add("typeIs", &[Str, Any], None, type_is);
    add("typeIsLike", &[Str, Any], None, type_is_like);
    add("deepEqual", &[Any, Any], None, deep_equal_fn);
    add("int", &[Any], None, to_int);
    add("int64", &[Any], None, to_int64);
    add("float64", &[Any], None, to_float64);
    add("toDecimal", &[Any], None, to_decimal);
    add("toStrings", &[Any], None, to_strings);
    add("add", &[], Some(Any), add_fn);
    add("add1", &[Any], None, add1);
    add("sub", &[Any, Any], None, sub);
    add("mul", &[Any], Some(Any), mul);
    add("div", &[Any, Any], None, div);
    add("mod", &[Any, Any], None, modulo);
    add("max", &[Any], Some(Any), max);
    add("min", &[Any], Some(Any), min);
    add("addf", &[], Some(Any), addf);
    add("add1f", &[Any], None, add1f);
    add("subf", &[Any], Some(Any), subf);
    add("mulf", &[Any], Some(Any), mulf);
    add("divf", &[Any], Some(Any), divf);
    add("maxf", &[Any], Some(Any), maxf);
    add("minf", &[Any], Some(Any), minf);
    add("floor", &[Any], None, floor);
    add("ceil", &[Any], None, ceil);
    add("round", &[Any, Int], Some(Any), round);
    add("until", &[Int], None, until);
    add("untilStep", &[Int, Int, Int], None, until_step_fn);
    add("seq", &[], Some(Int), seq);
    add("list", &[], Some(Any), list);
    add("tuple", &[], Some(Any), list);
    add("append", &[Any, Any], None, append);
    add("push", &[Any, Any], None, append);
    add("mustAppend", &[Any, Any], None, append);
    add("mustPush", &[Any, Any], None, append);
    add("prepend", &[Any, Any], None, prepend);
    add("mustPrepend", &[Any, Any], None, prepend);
    add("concat", &[], Some(Any), concat);
    add("first", &[Any], None, first);
    add("mustFirst", &[Any], None, first);
    add("last", &[Any], None, last);
    add("mustLast", &[Any], None, last);
    add("rest", &[Any], None, rest);
    add("mustRest", &[Any], None, rest);
    add("initial", &[Any], None, initial);
    add("mustInitial", &[Any], None, initial);
    add("reverse", &[Any], None, reverse);
    add("mustReverse", &[Any], None, reverse);
    add("uniq", &[Any], None, uniq);
    add("mustUniq", &[Any], None, uniq);
    add("compact", &[Any], None, compact);
    add("mustCompact", &[Any], None, compact);
    add("without", &[Any], Some(Any), without);
    add("mustWithout", &[Any], Some(Any), without);
    add("has", &[Any, Any], None, has);
    add("mustHas", &[Any, Any], None, has);
    add("sortAlpha", &[Any], None, sort_alpha);
    add("join", &[Str, Any], None, join);
    add("splitList", &[Str, Str], None, split_list);
    add("split", &[Str, Str], None, split);
    add("splitn", &[Str, Int, Str], None, splitn);
    add("dict", &[], Some(Any), dict);
    add("set", &[Map, Str, Any], None, set);
    add("unset", &[Map, Str], None, unset);
    add("hasKey", &[Map, Str], None, has_key);
    add("get", &[Map, Str], None, get);
    add("keys", &[], Some(Map), keys);
    add("values", &[Map], None, values);
    add("pick", &[Map], Some(Str), pick);
    add("omit", &[Map], Some(Str), omit);
    add("pluck", &[Str], Some(Map), pluck);
    add("dig", &[], Some(Any), dig);
    add("deepCopy", &[Any], None, deep_copy);
    add("mustDeepCopy", &[Any], None, deep_copy);
    add("merge", &[Map], Some(Map), merge);
    add("mustMerge", &[Map], Some(Map), merge);
    add("mergeOverwrite", &[Map], Some(Map), merge_overwrite);
    add("mustMergeOverwrite", &[Map], Some(Map), merge_overwrite);
    add("toYaml", &[Any], None, to_yaml);
    add("mustToYaml", &[Any], None, must_to_yaml);
    add("toYamlPretty", &[Any], None, to_yaml);
    add("fromYaml", &[Str], None, from_yaml);
    add("fromYamlArray", &[Str], None, from_yaml_array);
    add("toJson", &[Any], None, to_json);
    add("mustToJson", &[Any], None, must_to_json);
    add("toPrettyJson", &[Any], None, to_pretty_json);
    add("mustToPrettyJson", &[Any], None, to_pretty_json);
    add("toRawJson", &[Any], None, to_raw_json);
    add("mustToRawJson", &[Any], None, to_raw_json);
    add("fromJson", &[Str], None, from_json);
    add("fromJsonArray", &[Str], None, from_json_array);
}
