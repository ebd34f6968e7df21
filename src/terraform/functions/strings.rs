//! String functions, `format` with Go's verbs as Terraform implements them,
//! and the regular-expression functions (RE2 syntax; the `regex` crate
//! follows it).
use super::{all_known, arity, integer, known, list, number, string};
use crate::document::{format_number, Entry, Node, Span, Value};
use crate::terraform::value::{error, string_limit, Fail, Outcome, MAX_STRING_BYTES};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    if !matches!(
        name,
        "chomp"
            | "endswith"
            | "startswith"
            | "strcontains"
            | "format"
            | "formatlist"
            | "indent"
            | "join"
            | "lower"
            | "upper"
            | "regex"
            | "regexall"
            | "replace"
            | "split"
            | "strrev"
            | "substr"
            | "title"
            | "trim"
            | "trimprefix"
            | "trimsuffix"
            | "trimspace"
    ) {
        return None;
    }
    Some(known_call(name, args, span))
}

fn known_call(name: &str, args: &[Node], span: Span) -> Outcome {
    let s = |v: String| Ok(Node::string(v, span));
    let b = |v: bool| Ok(Node::new(Value::Bool(v), span));
    if name == "format" {
        // a null argument leaves the result unknown, as in Terraform
        if args.iter().any(|a| matches!(a.value, Value::Null)) {
            return Err(Fail::Unknown);
        }
        all_known(args)?;
        let spec = string(args.first().map_or_else(|| error("missing format"), Ok)?)?;
        return s(format(&spec, &args[1..])?);
    }
    all_known(args)?;
    let one = |i: usize| string(args.get(i).map_or_else(|| error("missing argument"), Ok)?);
    match name {
        "chomp" => {
            arity(args, 1..=1)?;
            s(one(0)?.trim_end_matches(['\n', '\r']).to_string())
        }
        "endswith" | "startswith" | "strcontains" => {
            arity(args, 2..=2)?;
            let (x, y) = (one(0)?, one(1)?);
            b(match name {
                "endswith" => x.ends_with(&y),
                "startswith" => x.starts_with(&y),
                _ => x.contains(&y),
            })
        }
        "formatlist" => formatlist(args, span),
        "indent" => {
            arity(args, 2..=2)?;
            let n = integer(&args[0])?.max(0) as usize;
            let x = one(1)?;
            let lines = x.matches('\n').count();
            if n.saturating_mul(lines).saturating_add(x.len()) > MAX_STRING_BYTES {
                return Err(Fail::Limit(format!(
                    "indent(): {}",
                    string_limit(n * lines)
                )));
            }
            s(x.replace('\n', &format!("\n{}", " ".repeat(n))))
        }
        "join" => {
            if args.len() < 2 {
                return error("at least one list is required");
            }
            let sep = one(0)?;
            let mut parts = Vec::new();
            for l in &args[1..] {
                for i in list(l)? {
                    if matches!(i.value, Value::Null) {
                        return error("element is null: cannot concatenate null values");
                    }
                    parts.push(string(i)?);
                }
            }
            let total: usize = parts.iter().map(String::len).sum::<usize>()
                + sep.len().saturating_mul(parts.len());
            if total > MAX_STRING_BYTES {
                return Err(Fail::Limit(format!("join(): {}", string_limit(total))));
            }
            s(parts.join(&sep))
        }
        "lower" => {
            arity(args, 1..=1)?;
            s(one(0)?.to_lowercase())
        }
        "upper" => {
            arity(args, 1..=1)?;
            s(one(0)?.to_uppercase())
        }
        "regex" | "regexall" => {
            arity(args, 2..=2)?;
            let re = compile(&one(0)?)?;
            let x = one(1)?;
            if name == "regex" {
                match re.captures(&x) {
                    Some(c) => Ok(captures(&re, &c, span)),
                    None => error("pattern did not match any part of the given string"),
                }
            } else {
                let all: Vec<Node> = re
                    .captures_iter(&x)
                    .map(|c| captures(&re, &c, span))
                    .collect();
                Ok(Node::list(all, span))
            }
        }
        "replace" => {
            arity(args, 3..=3)?;
            s(replace(&one(0)?, &one(1)?, &one(2)?)?)
        }
        "split" => {
            arity(args, 2..=2)?;
            let (sep, x) = (one(0)?, one(1)?);
            let parts: Vec<Node> = if sep.is_empty() {
                x.chars().map(|c| Node::string(c, span)).collect()
            } else {
                x.split(sep.as_str())
                    .map(|p| Node::string(p, span))
                    .collect()
            };
            Ok(Node::list(parts, span))
        }
        "strrev" => {
            arity(args, 1..=1)?;
            s(one(0)?.chars().rev().collect())
        }
        "substr" => {
            arity(args, 3..=3)?;
            let chars: Vec<char> = one(0)?.chars().collect();
            let len = chars.len() as i64;
            let (mut offset, length) = (integer(&args[1])?, integer(&args[2])?);
            if offset < 0 {
                offset = (len + offset).max(0);
            }
            if offset >= len {
                return s(String::new());
            }
            let end = if length < 0 {
                len
            } else {
                (offset + length).min(len)
            };
            s(chars[offset as usize..end as usize].iter().collect())
        }
        "title" => {
            arity(args, 1..=1)?;
            let mut out = String::new();
            let mut prev_letter = false;
            for c in one(0)?.chars() {
                if !prev_letter {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
            }
            s(out)
        }
        "trim" => {
            arity(args, 2..=2)?;
            let cut: Vec<char> = one(1)?.chars().collect();
            s(one(0)?.trim_matches(cut.as_slice()).to_string())
        }
        "trimprefix" => {
            arity(args, 2..=2)?;
            let (x, p) = (one(0)?, one(1)?);
            s(x.strip_prefix(p.as_str()).unwrap_or(&x).to_string())
        }
        "trimsuffix" => {
            arity(args, 2..=2)?;
            let (x, p) = (one(0)?, one(1)?);
            s(x.strip_suffix(p.as_str()).unwrap_or(&x).to_string())
        }
        "trimspace" => {
            arity(args, 1..=1)?;
            s(one(0)?.trim().to_string())
        }
        _ => unreachable!("names checked by call"),
    }
}

fn compile(pattern: &str) -> Result<regex::Regex, Fail> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| Fail::Error(format!("invalid regular expression: {e}")))
}

/// A match as Terraform returns it: the matched text without groups, a
/// list of groups, or an object of named groups.
fn captures(re: &regex::Regex, c: &regex::Captures, span: Span) -> Node {
    let text = |m: Option<regex::Match>| Node::string(m.map_or("", |m| m.as_str()), span);
    if re.captures_len() == 1 {
        return text(c.get(0));
    }
    let names: Vec<&str> = re.capture_names().flatten().collect();
    if !names.is_empty() {
        let mut entries: Vec<Entry> = names
            .iter()
            .map(|n| Entry {
                key: n.to_string(),
                key_span: span,
                value: text(c.name(n)),
            })
            .collect();
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        return Node::map(entries, span);
    }
    Node::list(
        (1..re.captures_len()).map(|i| text(c.get(i))).collect(),
        span,
    )
}

/// `replace`: a `/regex/` substring replaces every match (with `$1`
/// expansion), anything else every literal occurrence; output is capped.
fn replace(x: &str, from: &str, to: &str) -> Result<String, Fail> {
    let cap = |out: &String| {
        if out.len() > MAX_STRING_BYTES {
            Err(Fail::Limit(format!(
                "replace(): {}",
                string_limit(out.len())
            )))
        } else {
            Ok(())
        }
    };
    let mut out = String::new();
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        let re = compile(&from[1..from.len() - 1])?;
        let mut last = 0;
        for c in re.captures_iter(x) {
            let Some(m) = c.get(0) else { continue };
            out.push_str(&x[last..m.start()]);
            c.expand(to, &mut out);
            last = m.end();
            cap(&out)?;
        }
        out.push_str(&x[last..]);
    } else if from.is_empty() {
        // Go's strings.Replace: the replacement around every character
        for ch in x.chars() {
            out.push_str(to);
            out.push(ch);
            cap(&out)?;
        }
        out.push_str(to);
    } else {
        let mut last = 0;
        for (at, _) in x.match_indices(from) {
            out.push_str(&x[last..at]);
            out.push_str(to);
            last = at + from.len();
            cap(&out)?;
        }
        out.push_str(&x[last..]);
    }
    cap(&out)?;
    Ok(out)
}

fn formatlist(args: &[Node], span: Span) -> Outcome {
    if args.is_empty() {
        return error("missing format");
    }
    let spec = string(&args[0])?;
    let mut len: Option<usize> = None;
    for a in &args[1..] {
        known(a)?;
        if let Value::List(l) = &a.value {
            match len {
                Some(n) if n != l.len() => {
                    return error("all arguments must be lists of the same length")
                }
                _ => len = Some(l.len()),
            }
        }
    }
    let mut out = Vec::new();
    let mut total = 0;
    for i in 0..len.unwrap_or(1) {
        let row: Vec<Node> = args[1..]
            .iter()
            .map(|a| match &a.value {
                Value::List(l) => l[i].clone(),
                _ => a.clone(),
            })
            .collect();
        let line = format(&spec, &row)?;
        total += line.len();
        if total > MAX_STRING_BYTES {
            return Err(Fail::Limit(format!(
                "formatlist(): {}",
                string_limit(total)
            )));
        }
        out.push(Node::string(line, span));
    }
    Ok(Node::list(out, span))
}

/// One `%` verb of a format string.
struct Verb {
    flags: String,
    width: Option<usize>,
    precision: Option<usize>,
    verb: char,
}

/// `format`: Go's verbs as Terraform supports them (`%v %#v %t %b %d %o %x
/// %X %e %E %f %g %G %s %q %%`), flags `+ - # 0` and space, width,
/// precision and explicit argument indexes (`%[2]s`).
fn format(spec: &str, args: &[Node]) -> Result<String, Fail> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut v = Verb {
            flags: String::new(),
            width: None,
            precision: None,
            verb: ' ',
        };
        while let Some(&f) = chars.peek() {
            if "+-# 0".contains(f) {
                v.flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            let mut n = String::new();
            for d in chars.by_ref() {
                if d == ']' {
                    break;
                }
                n.push(d);
            }
            let i: usize = n
                .parse()
                .map_err(|_| Fail::Error(format!("invalid argument index {n:?}")))?;
            if i == 0 {
                return error("invalid argument index 0");
            }
            next = i - 1;
        }
        let digits = |chars: &mut std::iter::Peekable<std::str::Chars>| {
            let mut n = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() {
                    n.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            n.parse::<usize>().ok()
        };
        v.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            v.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        if v.width.unwrap_or(0) > MAX_STRING_BYTES || v.precision.unwrap_or(0) > MAX_STRING_BYTES {
            return Err(Fail::Limit(format!(
                "format(): {}",
                string_limit(v.width.unwrap_or(0).max(v.precision.unwrap_or(0)))
            )));
        }
        v.verb = chars
            .next()
            .ok_or_else(|| Fail::Error("format string ends with an unfinished verb".into()))?;
        let a = args
            .get(next)
            .ok_or_else(|| Fail::Error(format!("not enough arguments for %{}", v.verb)))?;
        next += 1;
        let text = verb(&v, a)?;
        pad(&mut out, &v, &text);
        if out.len() > MAX_STRING_BYTES {
            return Err(Fail::Limit(format!(
                "format(): {}",
                string_limit(out.len())
            )));
        }
    }
    if next < args.len() && !spec.contains("%[") {
        return error(format!(
            "too many arguments; only {next} used by format string"
        ));
    }
    Ok(out)
}

fn verb(v: &Verb, a: &Node) -> Result<String, Fail> {
    let json = |a: &Node| serde_json::to_string(&super::to_json(a)).unwrap_or_default();
    let sign = |x: f64, s: String| {
        if x >= 0.0 && v.flags.contains('+') {
            format!("+{s}")
        } else if x >= 0.0 && v.flags.contains(' ') {
            format!(" {s}")
        } else {
            s
        }
    };
    let int = |a: &Node| -> Result<i64, Fail> {
        let x = number(a)?;
        if x.fract() != 0.0 {
            return error(format!("%{} requires an integer", v.verb));
        }
        Ok(x as i64)
    };
    let radix = |x: i64, s: String| {
        let s = if x < 0 { format!("-{s}") } else { s };
        sign(x as f64, s)
    };
    Ok(match v.verb {
        'v' if v.flags.contains('#') => json(a),
        'v' => match &a.value {
            Value::List(_) | Value::Map(_) => json(a),
            _ => string(a)?,
        },
        's' => {
            let s = string(a)?;
            match v.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'q' => serde_json::to_string(&string(a)?).unwrap_or_default(),
        't' => match &a.value {
            Value::Bool(b) => b.to_string(),
            _ => super::boolean(a)?.to_string(),
        },
        'd' => {
            let x = int(a)?;
            sign(x as f64, x.to_string())
        }
        'b' => {
            let x = int(a)?;
            radix(x, format!("{:b}", x.unsigned_abs()))
        }
        'o' => {
            let x = int(a)?;
            radix(x, format!("{:o}", x.unsigned_abs()))
        }
        'x' => {
            let x = int(a)?;
            radix(x, format!("{:x}", x.unsigned_abs()))
        }
        'X' => {
            let x = int(a)?;
            radix(x, format!("{:X}", x.unsigned_abs()))
        }
        'f' | 'F' => {
            let x = number(a)?;
            sign(x, format!("{:.*}", v.precision.unwrap_or(6), x))
        }
        'e' | 'E' => {
            let x = number(a)?;
            let s = go_exp(x, v.precision.unwrap_or(6));
            sign(x, if v.verb == 'E' { s.to_uppercase() } else { s })
        }
        'g' | 'G' => {
            let x = number(a)?;
            let s = match v.precision {
                Some(p) => format!("{:.*}", p, x),
                None => format_number(x),
            };
            sign(x, s)
        }
        other => return error(format!("unsupported format verb %{other}")),
    })
}

/// Go's `%e`: a mantissa with `precision` digits and an exponent of at
/// least two digits (`1.234568e+03`).
fn go_exp(x: f64, precision: usize) -> String {
    let s = format!("{:.*e}", precision, x);
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn pad(out: &mut String, v: &Verb, text: &str) {
    let width = v.width.unwrap_or(0);
    let len = text.chars().count();
    if len >= width {
        out.push_str(text);
        return;
    }
    let fill = width - len;
    if v.flags.contains('-') {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if v.flags.contains('0') && v.verb != 's' && v.verb != 'q' {
        // zeros go after the sign
        let (sign, digits) = match text.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (Some(c), &text[1..]),
            _ => (None, text),
        };
        out.extend(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(text);
    }
}
