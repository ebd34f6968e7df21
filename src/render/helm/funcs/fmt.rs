//! Go's `fmt` as templates use it: `printf`, `print`, `println`. The format's
//! literal text and `%s`/`%v` of strings keep their origins.
use super::{Ctx, Func, P};
use crate::render::helm::source::{Builder, Origin, Str};
use crate::render::helm::value::{format_float, format_float_g, format_value, Val};

type R = Result<Val, String>;

fn is_string(v: &Val) -> bool {
    matches!(v, Val::Str(_))
}

/// Go's `fmt.Sprint`: a space between operands when neither is a string.
pub fn sprint(args: &[Val], at: Origin) -> Str {
    let mut b = Builder::default();
    for (i, v) in args.iter().enumerate() {
        if i > 0 && !is_string(v) && !is_string(&args[i - 1]) {
            b.push_text(" ", at.coarsen());
        }
        push_v(&mut b, v);
    }
    b.finish()
}

fn push_v(b: &mut Builder, v: &Val) {
    match v {
        Val::Missing | Val::Nil => b.push_text("<nil>", Origin::NONE),
        other => format_value(other, b, true),
    }
}

fn print(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::Str(sprint(&a, ctx.at).with_fallback(ctx.at.coarsen())))
}

fn println(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut b = Builder::default();
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            b.push_text(" ", ctx.at.coarsen());
        }
        push_v(&mut b, v);
    }
    b.push_text("\n", ctx.at.coarsen());
    Ok(Val::Str(b.finish()))
}

fn printf(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let format = match &a[0] {
        Val::Str(s) => s.clone(),
        _ => Str::plain(""),
    };
    let out = sprintf(&format, &a[1..], ctx.at);
    if out.len() > ctx.max_bytes {
        return Err("result over the size limit".into());
    }
    Ok(Val::Str(out))
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(s: String, spec: &Spec) -> String {
    let n = s.chars().count();
    match spec.width {
        Some(w) if w > n => {
            let fill = w - n;
            if spec.minus {
                format!("{s}{}", " ".repeat(fill))
            } else if spec.zero {
                let (sign, digits) = match s.strip_prefix(['-', '+']) {
                    Some(d) => (&s[..1], d),
                    None => ("", s.as_str()),
                };
                format!("{sign}{}{digits}", "0".repeat(fill))
            } else {
                format!("{}{s}", " ".repeat(fill))
            }
        }
        _ => s,
    }
}

fn bad(verb: char, v: &Val) -> String {
    match v {
        Val::Missing | Val::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", v.type_name(), v.print().as_str()),
    }
}

fn int_text(i: i64, verb: char, spec: &Spec) -> String {
    let sign = if i < 0 {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let m = i.unsigned_abs();
    let digits = match verb {
        'x' => format!("{m:x}"),
        'X' => format!("{m:X}"),
        'o' => format!("{m:o}"),
        'b' => format!("{m:b}"),
        _ => m.to_string(),
    };
    let digits = match spec.prec {
        Some(p) if p > digits.len() => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    let prefix = if spec.sharp {
        match verb {
            'x' => "0x",
            'X' => "0X",
            'o' => "0",
            _ => "",
        }
    } else {
        ""
    };
    format!("{sign}{prefix}{digits}")
}

fn float_text(f: f64, verb: char, spec: &Spec) -> String {
    let body = match verb {
        'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f),
        'e' | 'E' => {
            let s = format!("{:.*e}", spec.prec.unwrap_or(6), f);
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
            if verb == 'E' {
                s.to_uppercase()
            } else {
                s
            }
        }
        _ => match spec.prec {
            None => format_float_g(f),
            Some(p) => {
                // %.Ng: N significant digits
                let p = p.max(1);
                let s = format!("{:.*e}", p - 1, f);
                let (_, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                if e < -4 || e >= p as i32 {
                    let v: f64 = s.parse().unwrap_or(f);
                    format_float(v, 0)
                } else {
                    let t = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, f);
                    if t.contains('.') {
                        t.trim_end_matches('0').trim_end_matches('.').to_string()
                    } else {
                        t
                    }
                }
            }
        },
    };
    if f >= 0.0 && spec.plus {
        format!("+{body}")
    } else if f >= 0.0 && spec.space {
        format!(" {body}")
    } else {
        body
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use.
pub fn sprintf(format: &Str, args: &[Val], at: Origin) -> Str {
    let f = format.as_str();
    let bytes = f.as_bytes();
    let mut b = Builder::with_capacity(f.len() + 16);
    let mut argi = 0;
    let mut i = 0;
    let mut lit = 0;
    let arg_origin = |v: &Val| {
        let o = v.origin();
        if o.is_none() {
            at.coarsen()
        } else {
            o.coarsen()
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        b.push_range(format, lit, i);
        let start = i;
        i += 1;
        let mut spec = Spec::default();
        while i < bytes.len() {
            match bytes[i] {
                b'-' => spec.minus = true,
                b'+' => spec.plus = true,
                b'0' => spec.zero = !spec.minus,
                b' ' => spec.space = true,
                b'#' => spec.sharp = true,
                _ => break,
            }
            i += 1;
        }
        let num = |i: &mut usize| {
            let s = *i;
            while *i < bytes.len() && bytes[*i].is_ascii_digit() {
                *i += 1;
            }
            (*i > s).then(|| f[s..*i].parse::<usize>().unwrap_or(0))
        };
        spec.width = num(&mut i);
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            spec.prec = Some(num(&mut i).unwrap_or(0));
        }
        let Some(verb) = f[i.min(f.len())..].chars().next() else {
            b.push_text("%!(NOVERB)", at.coarsen());
            lit = bytes.len();
            break;
        };
        i += verb.len_utf8();
        lit = i;
        if verb == '%' {
            b.push_range(format, start, start + 1);
            continue;
        }
        let Some(v) = args.get(argi) else {
            b.push_text(&format!("%!{verb}(MISSING)"), at.coarsen());
            continue;
        };
        argi += 1;
        let o = arg_origin(v);
        let text = match (verb, v) {
            ('v' | 's', Val::Str(s)) if spec.width.is_none() && spec.prec.is_none() => {
                b.push(s);
                continue;
            }
            ('v' | 's', Val::Str(s)) => {
                let t: String = match spec.prec {
                    Some(p) => s.as_str().chars().take(p).collect(),
                    None => s.as_str().to_string(),
                };
                pad(t, &spec)
            }
            ('v', Val::Missing | Val::Nil) => pad("<nil>".into(), &spec),
            ('v', Val::Float(x, _)) => pad(float_text(*x, 'g', &spec), &spec),
            ('v', _) | ('s', Val::List(_) | Val::Map(_)) => {
                let mut inner = Builder::default();
                format_value(v, &mut inner, true);
                let s = inner.finish();
                if spec.width.is_none() {
                    b.push(&s.with_fallback(o));
                    continue;
                }
                pad(s.as_str().to_string(), &spec)
            }
            ('d' | 'x' | 'X' | 'o' | 'b', Val::Int(x, ..)) => pad(int_text(*x, verb, &spec), &spec),
            ('x' | 'X', Val::Str(s)) => {
                let h: String = s.as_str().bytes().map(|c| format!("{c:02x}")).collect();
                pad(if verb == 'X' { h.to_uppercase() } else { h }, &spec)
            }
            ('c', Val::Int(x, ..)) => pad(
                char::from_u32(*x as u32).unwrap_or('\u{fffd}').to_string(),
                &spec,
            ),
            ('q', Val::Str(s)) => pad(super::text::go_quote(s.as_str()), &spec),
            ('q', Val::Int(x, ..)) => pad(
                format!("{:?}", char::from_u32(*x as u32).unwrap_or('\u{fffd}')),
                &spec,
            ),
            ('t', Val::Bool(x, _)) => pad(x.to_string(), &spec),
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Float(x, _)) => {
                pad(float_text(*x, verb.to_ascii_lowercase(), &spec), &spec)
            }
            ('T', _) => pad(v.type_name().to_string(), &spec),
            _ => bad(verb, v),
        };
        b.push_text(&text, o);
    }
    b.push_range(format, lit.min(f.len()), f.len());
    if argi < args.len() {
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|v| match v {
                Val::Missing | Val::Nil => "<nil>".to_string(),
                _ => format!("{}={}", v.type_name(), v.print().as_str()),
            })
            .collect();
        b.push_text(&format!("%!(EXTRA {})", extra.join(", ")), at.coarsen());
    }
    b.finish()
}

pub fn register(add: &mut impl FnMut(&'static str, &'static [P], Option<P>, Func)) {
    add("printf", &[P::Str], Some(P::Any), printf);
    add("print", &[], Some(P::Any), print);
    add("println", &[], Some(P::Any), println);
}
