//! String functions (those that copy text keep its origins), encodings,
//! regular expressions, and the deterministic stand-ins for random, crypto
//! and time functions.
use super::{derived, int_val, strval, Ctx, Func, P};
use crate::render::helm::source::{Builder, Origin, Str};
use crate::render::helm::value::{Host, IntTy, Val};

type R = Result<Val, String>;

fn s(v: &Val) -> Str {
    match v {
        Val::Str(s) => s.clone(),
        _ => Str::plain(""),
    }
}

fn int(v: &Val) -> i64 {
    match v {
        Val::Int(i, _, _) => *i,
        _ => 0,
    }
}

fn check_size(ctx: &Ctx, n: usize) -> Result<(), String> {
    if n > ctx.max_bytes {
        return Err(format!("result of {n} bytes is over the size limit"));
    }
    Ok(())
}

/// `pad` + `text` with `pad` after each newline; the pad has the call site's origin.
pub fn indent_str(text: &Str, pad: usize, newline_first: bool, at: Origin) -> Str {
    let pad_text = " ".repeat(pad);
    let at = at.coarsen();
    let mut b = Builder::with_capacity(text.len() + pad + 1);
    if newline_first {
        b.push_text("\n", at);
    }
    b.push_text(&pad_text, at);
    let t = text.as_str();
    let mut start = 0;
    for (i, _) in t.match_indices('\n') {
        b.push_range(text, start, i + 1);
        b.push_text(&pad_text, at);
        start = i + 1;
    }
    b.push_range(text, start, t.len());
    b.finish()
}

fn indent(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = int(&a[0]);
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let text = s(&a[1]);
    check_size(
        ctx,
        text.len() + (n as usize) * (text.as_str().matches('\n').count() + 1),
    )?;
    Ok(Val::Str(indent_str(&text, n as usize, false, ctx.at)))
}

fn nindent(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = int(&a[0]);
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let text = s(&a[1]);
    check_size(
        ctx,
        text.len() + (n as usize) * (text.as_str().matches('\n').count() + 1),
    )?;
    Ok(Val::Str(indent_str(&text, n as usize, true, ctx.at)))
}

/// Byte cut, as Go's slicing: a cut inside a character keeps valid UTF-8 by
/// moving to the character's start.
fn floor_char(t: &str, mut i: usize) -> usize {
    while i > 0 && i < t.len() && !t.is_char_boundary(i) {
        i -= 1;
    }
    i.min(t.len())
}

fn trunc(_: &mut Ctx, a: Vec<Val>) -> R {
    let c = int(&a[0]);
    let text = s(&a[1]);
    let n = text.len() as i64;
    let t = text.as_str();
    if c < 0 && n + c > 0 {
        let at = floor_char(t, (n + c) as usize);
        return Ok(Val::Str(text.slice(at, t.len())));
    }
    if c >= 0 && n > c {
        let at = floor_char(t, c as usize);
        return Ok(Val::Str(text.slice(0, at)));
    }
    Ok(Val::Str(text))
}

fn substr(_: &mut Ctx, a: Vec<Val>) -> R {
    let (start, end) = (int(&a[0]), int(&a[1]));
    let text = s(&a[2]);
    let t = text.as_str();
    let n = t.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > n {
        (start, n)
    } else {
        (start, end)
    };
    if from > to || to > n || from < 0 {
        return Err(format!("slice bounds out of range [{from}:{to}]"));
    }
    Ok(Val::Str(text.slice(
        floor_char(t, from as usize),
        floor_char(t, to as usize),
    )))
}

fn cut(text: &Str, start: usize, end: usize) -> Val {
    Val::Str(text.slice(start, end))
}

fn trim_suffix(_: &mut Ctx, a: Vec<Val>) -> R {
    let (suffix, text) = (s(&a[0]), s(&a[1]));
    let t = text.as_str();
    Ok(match t.strip_suffix(suffix.as_str()) {
        Some(rest) => cut(&text, 0, rest.len()),
        None => Val::Str(text),
    })
}

fn trim_prefix(_: &mut Ctx, a: Vec<Val>) -> R {
    let (prefix, text) = (s(&a[0]), s(&a[1]));
    let t = text.as_str();
    Ok(match t.strip_prefix(prefix.as_str()) {
        Some(rest) => cut(&text, t.len() - rest.len(), t.len()),
        None => Val::Str(text),
    })
}

fn trim(_: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[0]);
    let t = text.as_str();
    let start = t.len() - t.trim_start().len();
    let end = t.trim_end().len().max(start);
    Ok(cut(&text, start, end))
}

fn trim_all(_: &mut Ctx, a: Vec<Val>) -> R {
    let (set, text) = (s(&a[0]), s(&a[1]));
    let chars: Vec<char> = set.as_str().chars().collect();
    let t = text.as_str();
    let start = t.len() - t.trim_start_matches(&chars[..]).len();
    let end = t.trim_end_matches(&chars[..]).len().max(start);
    Ok(cut(&text, start, end))
}

/// Go's `%q` of a string.
pub fn go_quote(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 2);
    out.push('"');
    for c in t.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || c == '\u{feff}' => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A quoted string whose inner text keeps its origins when nothing was escaped.
pub fn quoted(text: &Str, q: char, at: Origin) -> Str {
    let t = text.as_str();
    let escaped = if q == '"' {
        go_quote(t)
    } else {
        format!("'{t}'")
    };
    let at = at.coarsen();
    if escaped.len() == t.len() + 2 {
        let mut b = Builder::with_capacity(escaped.len());
        b.push_text(&escaped[..1], at);
        b.push(text);
        b.push_text(&escaped[escaped.len() - 1..], at);
        return b.finish();
    }
    let o = text.origin();
    Str::new(escaped, if o.is_none() { at } else { o.coarsen() })
}

fn quote_with(ctx: &Ctx, a: &[Val], q: char) -> R {
    let at = ctx.at;
    let mut b = Builder::default();
    let mut first = true;
    for v in a {
        if matches!(v, Val::Nil | Val::Missing) {
            continue;
        }
        if !first {
            b.push_text(" ", at.coarsen());
        }
        first = false;
        b.push(&quoted(&strval(v), q, at));
    }
    Ok(Val::Str(b.finish()))
}

fn quote(ctx: &mut Ctx, a: Vec<Val>) -> R {
    quote_with(ctx, &a, '"')
}

fn squote(ctx: &mut Ctx, a: Vec<Val>) -> R {
    quote_with(ctx, &a, '\'')
}

fn map_str(a: &[Val], ctx: &Ctx, f: impl Fn(&str) -> String) -> R {
    let text = s(&a[0]);
    let out = f(text.as_str());
    if out == text.as_str() {
        return Ok(Val::Str(text));
    }
    Ok(derived(out, &a[0], ctx.at))
}

fn upper(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, str::to_uppercase)
}
fn lower(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, str::to_lowercase)
}
fn title(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        let mut out = String::with_capacity(t.len());
        let mut prev_letter = false;
        for c in t.chars() {
            if !prev_letter {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
        }
        out
    })
}
fn untitle(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        let mut out = String::with_capacity(t.len());
        let mut prev_space = true;
        for c in t.chars() {
            if prev_space {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            prev_space = c.is_whitespace();
        }
        out
    })
}
fn nospace(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        t.chars().filter(|c| !c.is_whitespace()).collect()
    })
}

fn words(t: &str) -> Vec<String> {
    // xstrings' word split: on separators and before an upper case after a lower case
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in t.chars() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if c.is_uppercase()
            && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
            && !cur.is_empty()
        {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn snakecase(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        words(t)
            .iter()
            .map(|w| w.to_lowercase())
            .collect::<Vec<_>>()
            .join("_")
    })
}
fn kebabcase(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        words(t)
            .iter()
            .map(|w| w.to_lowercase())
            .collect::<Vec<_>>()
            .join("-")
    })
}
fn camelcase(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        t.split('_')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect()
    })
}

fn replace(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let (old, new, src) = (s(&a[0]), s(&a[1]), s(&a[2]));
    if old.is_empty() || !src.as_str().contains(old.as_str()) {
        return Ok(Val::Str(src));
    }
    // the parts between matches keep their origins
    let t = src.as_str();
    let mut b = Builder::with_capacity(t.len());
    let mut at = 0;
    for (i, m) in t.match_indices(old.as_str()) {
        b.push_range(&src, at, i);
        b.push(&new.with_fallback(ctx.at.coarsen()));
        at = i + m.len();
        check_size(ctx, b.len())?;
    }
    b.push_range(&src, at, t.len());
    Ok(Val::Str(b.finish()))
}

fn repeat(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = int(&a[0]);
    let text = s(&a[1]);
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    check_size(ctx, text.len().saturating_mul(n as usize))?;
    Ok(derived(text.as_str().repeat(n as usize), &a[1], ctx.at))
}

fn contains(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(s(&a[1]).as_str().contains(s(&a[0]).as_str())))
}
fn has_prefix(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(s(&a[1]).as_str().starts_with(s(&a[0]).as_str())))
}
fn has_suffix(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(s(&a[1]).as_str().ends_with(s(&a[0]).as_str())))
}

fn cat(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let mut b = Builder::default();
    let mut first = true;
    for v in &a {
        if matches!(v, Val::Nil | Val::Missing) {
            continue;
        }
        if !first {
            b.push_text(" ", ctx.at.coarsen());
        }
        first = false;
        b.push(&strval(v));
    }
    Ok(Val::Str(b.finish()))
}

fn abbrev(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let w = int(&a[0]);
    let text = s(&a[1]);
    let t = text.as_str();
    if w < 4 || t.len() as i64 <= w {
        return Ok(Val::Str(text));
    }
    let keep = floor_char(t, (w - 3) as usize);
    Ok(derived(format!("{}...", &t[..keep]), &a[1], ctx.at))
}

fn wrap(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let w = int(&a[0]).max(1) as usize;
    let text = s(&a[1]);
    let mut out = String::new();
    let mut line = 0;
    for (i, word) in text.as_str().split(' ').enumerate() {
        if i > 0 {
            if line + 1 + word.len() > w {
                out.push('\n');
                line = 0;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(word);
        line += word.len();
    }
    Ok(derived(out, &a[1], ctx.at))
}

fn initials(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, |t| {
        t.split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect()
    })
}

fn plural(_: &mut Ctx, a: Vec<Val>) -> R {
    let n = int(&a[2]);
    Ok(if n == 1 { a[0].clone() } else { a[1].clone() })
}

fn to_string(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::Str(strval(&a[0]).with_fallback(ctx.at.coarsen())))
}

// -------------------------------------------------------------------------
// encodings and hashes

pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn b64enc(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(derived(
        base64_encode(s(&a[0]).as_str().as_bytes()),
        &a[0],
        ctx.at,
    ))
}

fn b64dec(ctx: &mut Ctx, a: Vec<Val>) -> R {
    use base64::Engine as _;
    let text = s(&a[0]);
    let out = match base64::engine::general_purpose::STANDARD.decode(text.as_str()) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => format!("illegal base64 data: {e}"),
    };
    Ok(derived(out, &a[0], ctx.at))
}

fn b32enc(ctx: &mut Ctx, a: Vec<Val>) -> R {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bytes = s(&a[0]).as_str().as_bytes().to_vec();
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHA[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    Ok(derived(out, &a[0], ctx.at))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256sum(ctx: &mut Ctx, a: Vec<Val>) -> R {
    use sha2::Digest;
    let d = sha2::Sha256::digest(s(&a[0]).as_str().as_bytes());
    Ok(derived(hex(&d), &a[0], ctx.at))
}

fn sha512sum(ctx: &mut Ctx, a: Vec<Val>) -> R {
    use sha2::Digest;
    let d = sha2::Sha512::digest(s(&a[0]).as_str().as_bytes());
    Ok(derived(hex(&d), &a[0], ctx.at))
}

fn adler32sum(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let (mut x, mut y) = (1u32, 0u32);
    for &b in s(&a[0]).as_str().as_bytes() {
        x = (x + u32::from(b)) % 65521;
        y = (y + x) % 65521;
    }
    Ok(derived(((y << 16) | x).to_string(), &a[0], ctx.at))
}

// -------------------------------------------------------------------------
// regular expressions (Go's RE2 syntax is the `regex` crate's, near enough)

/// Compiled expressions by pattern, per thread: charts call the same few
/// thousands of times (compiling one costs more than a whole template).
fn re(pattern: &str) -> Result<std::rc::Rc<regex::Regex>, String> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<regex::Regex>>> =
            Default::default();
    }
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    // shared, not cloned: a clone of a Regex starts its own match caches
    let r = std::rc::Rc::new(compile(pattern)?);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 512 {
            c.clear();
        }
        c.insert(pattern.to_string(), r.clone());
    });
    Ok(r)
}

fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            format!(
                "error parsing regexp: {}",
                e.to_string().lines().last().unwrap_or("")
            )
        })
}

fn regex_match(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::bool(
        re(s(&a[0]).as_str())?.is_match(s(&a[1]).as_str()),
    ))
}

fn regex_find(_: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[1]);
    Ok(match re(s(&a[0]).as_str())?.find(text.as_str()) {
        Some(m) => cut(&text, m.start(), m.end()),
        None => Val::str("", Origin::NONE),
    })
}

fn regex_find_all(_: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[1]);
    let n = int(&a[2]);
    let r = re(s(&a[0]).as_str())?;
    let limit = if n < 0 { usize::MAX } else { n as usize };
    Ok(Val::list(
        r.find_iter(text.as_str())
            .take(limit)
            .map(|m| cut(&text, m.start(), m.end()))
            .collect(),
    ))
}

fn regex_replace_all(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[1]);
    let out = re(s(&a[0]).as_str())?
        .replace_all(text.as_str(), s(&a[2]).as_str())
        .into_owned();
    check_size(ctx, out.len())?;
    Ok(derived(out, &a[1], ctx.at))
}

fn regex_replace_all_literal(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[1]);
    let repl = s(&a[2]);
    let out = re(s(&a[0]).as_str())?
        .replace_all(text.as_str(), regex::NoExpand(repl.as_str()))
        .into_owned();
    check_size(ctx, out.len())?;
    Ok(derived(out, &a[1], ctx.at))
}

fn regex_split(_: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[1]);
    let n = int(&a[2]);
    let r = re(s(&a[0]).as_str())?;
    let parts: Vec<Val> = if n < 0 {
        r.split(text.as_str())
            .map(|p| Val::str(p, text.origin().coarsen()))
            .collect()
    } else {
        r.splitn(text.as_str(), n as usize)
            .map(|p| Val::str(p, text.origin().coarsen()))
            .collect()
    };
    Ok(Val::list(parts))
}

fn regex_quote_meta(ctx: &mut Ctx, a: Vec<Val>) -> R {
    map_str(&a, ctx, regex::escape)
}

// -------------------------------------------------------------------------
// deterministic stand-ins

/// A fixed pseudo-random sequence (splitmix64), so renders are reproducible.
fn pseudo_random(n: usize, alphabet: &[u8], seed: u64) -> String {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            alphabet[(z % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn rand_of(ctx: &Ctx, a: &[Val], alphabet: &[u8], seed: u64) -> R {
    let n = int(&a[0]).max(0) as usize;
    check_size(ctx, n)?;
    Ok(Val::string(
        pseudo_random(n, alphabet, seed),
        ctx.at.coarsen(),
    ))
}

fn rand_alpha_num(ctx: &mut Ctx, a: Vec<Val>) -> R {
    rand_of(ctx, &a, ALNUM, 1)
}
fn rand_alpha(ctx: &mut Ctx, a: Vec<Val>) -> R {
    rand_of(ctx, &a, &ALNUM[..52], 2)
}
fn rand_numeric(ctx: &mut Ctx, a: Vec<Val>) -> R {
    rand_of(ctx, &a, b"0123456789", 3)
}
fn rand_ascii(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let printable: Vec<u8> = (33u8..127).collect();
    rand_of(ctx, &a, &printable, 4)
}
fn rand_bytes(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let n = int(&a[0]).max(0) as usize;
    check_size(ctx, n)?;
    let raw = pseudo_random(n, &(0u8..=255).collect::<Vec<u8>>(), 5);
    Ok(Val::string(
        base64_encode(&raw.chars().map(|c| c as u8).collect::<Vec<u8>>()),
        ctx.at.coarsen(),
    ))
}
fn rand_int(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let (lo, hi) = (int(&a[0]), int(&a[1]));
    if hi <= lo {
        return Err("invalid argument to Intn".into());
    }
    Ok(int_val(lo + (hi - lo) / 2, IntTy::Int, ctx.at))
}
fn shuffle(_: &mut Ctx, a: Vec<Val>) -> R {
    // a fixed permutation: the reverse
    let text = s(&a[0]);
    let out: String = text.as_str().chars().rev().collect();
    Ok(Val::string(out, text.origin().coarsen()))
}
fn uuidv4(ctx: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::str(
        "00000000-0000-4000-8000-000000000000",
        ctx.at.coarsen(),
    ))
}

const PEM_CERT: &str = "-----BEGIN CERTIFICATE-----\nc29jbGludCBwbGFjZWhvbGRlciBjZXJ0aWZpY2F0ZQ==\n-----END CERTIFICATE-----\n";
const PEM_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nc29jbGludCBwbGFjZWhvbGRlciBrZXk=\n-----END RSA PRIVATE KEY-----\n";

fn certificate(ctx: &Ctx) -> Val {
    let at = ctx.at.coarsen();
    Val::Host(std::rc::Rc::new(Host::Struct(
        "sprig.certificate",
        [
            ("Cert", Val::str(PEM_CERT, at)),
            ("Key", Val::str(PEM_KEY, at)),
        ]
        .into_iter()
        .collect(),
    )))
}

fn gen_cert(ctx: &mut Ctx, _: Vec<Val>) -> R {
    Ok(certificate(ctx))
}
fn gen_private_key(ctx: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::str(PEM_KEY, ctx.at.coarsen()))
}
fn htpasswd(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let user = s(&a[0]);
    if user.as_str().contains(':') {
        return Ok(Val::str("invalid username: contains ':'", ctx.at.coarsen()));
    }
    Ok(Val::string(
        format!(
            "{}:$2a$10$c29jbGludHBsYWNlaG9sZGVyLmJjcnlwdGhhc2g",
            user.as_str()
        ),
        ctx.at.coarsen(),
    ))
}
fn derive_password(ctx: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::string(pseudo_random(16, ALNUM, 6), ctx.at.coarsen()))
}

/// `now`: a fixed instant, 2024-01-01T00:00:00Z.
pub const NOW: i64 = 1_704_067_200;

fn now(_: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::Host(std::rc::Rc::new(Host::Time(NOW))))
}

fn time_of(v: &Val) -> i64 {
    match v {
        Val::Host(h) => match **h {
            Host::Time(t) => t,
            _ => NOW,
        },
        Val::Int(i, _, _) => *i,
        Val::Float(f, _) => *f as i64,
        _ => NOW,
    }
}

/// Civil date of a Unix time (UTC).
fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let weekday = ((days + 4).rem_euclid(7)) as u32;
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        ((secs / 60) % 60) as u32,
        (secs % 60) as u32,
        weekday,
    )
}

/// Go's `time.Format` for the layout elements charts use, in UTC.
pub fn go_time_format(layout: &str, t: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let (y, m, d, hh, mm, ss, wd) = civil(t);
    let mut out = String::new();
    let mut rest = layout;
    let tokens: &[(&str, &dyn Fn() -> String)] = &[
        ("2006", &|| format!("{y:04}")),
        ("January", &|| MONTHS[(m - 1) as usize].to_string()),
        ("Jan", &|| MONTHS[(m - 1) as usize][..3].to_string()),
        ("Monday", &|| DAYS[wd as usize].to_string()),
        ("Mon", &|| DAYS[wd as usize][..3].to_string()),
        ("MST", &|| "UTC".to_string()),
        ("Z07:00", &|| "Z".to_string()),
        ("-07:00", &|| "+00:00".to_string()),
        ("-0700", &|| "+0000".to_string()),
        (".000000000", &|| ".000000000".to_string()),
        (".000000", &|| ".000000".to_string()),
        (".000", &|| ".000".to_string()),
        ("01", &|| format!("{m:02}")),
        ("02", &|| format!("{d:02}")),
        ("03", &|| {
            format!("{:02}", if hh % 12 == 0 { 12 } else { hh % 12 })
        }),
        ("04", &|| format!("{mm:02}")),
        ("05", &|| format!("{ss:02}")),
        ("06", &|| format!("{:02}", y % 100)),
        ("15", &|| format!("{hh:02}")),
        ("PM", &|| if hh >= 12 { "PM" } else { "AM" }.to_string()),
        ("_2", &|| format!("{d:>2}")),
        ("1", &|| m.to_string()),
        ("2", &|| d.to_string()),
        ("3", &|| {
            (if hh % 12 == 0 { 12 } else { hh % 12 }).to_string()
        }),
        ("4", &|| mm.to_string()),
        ("5", &|| ss.to_string()),
    ];
    'outer: while !rest.is_empty() {
        for (tok, f) in tokens {
            if let Some(r) = rest.strip_prefix(tok) {
                out.push_str(&f());
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn date(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::string(
        go_time_format(s(&a[0]).as_str(), time_of(&a[1])),
        ctx.at.coarsen(),
    ))
}
fn date_in_zone(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::string(
        go_time_format(s(&a[0]).as_str(), time_of(&a[1])),
        ctx.at.coarsen(),
    ))
}
fn unix_epoch(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(Val::string(time_of(&a[0]).to_string(), ctx.at.coarsen()))
}
fn date_modify(_: &mut Ctx, a: Vec<Val>) -> R {
    Ok(a[1].clone())
}
fn ago(ctx: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::str("0s", ctx.at.coarsen()))
}
fn to_date(_: &mut Ctx, _: Vec<Val>) -> R {
    Ok(Val::Host(std::rc::Rc::new(Host::Time(NOW))))
}

fn unknown(ctx: &mut Ctx, _: Vec<Val>) -> R {
    let _ = ctx;
    Ok(Val::Unknown("a value only the cluster knows".into()))
}

fn atoi(ctx: &mut Ctx, a: Vec<Val>) -> R {
    Ok(int_val(
        s(&a[0]).as_str().parse::<i64>().unwrap_or(0),
        IntTy::Int,
        ctx.at,
    ))
}

fn url_query(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text: String = a.iter().map(|v| strval(v).as_str().to_string()).collect();
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Val::string(out, ctx.at.coarsen()))
}

fn path_fn(ctx: &mut Ctx, a: Vec<Val>, f: fn(&str) -> String) -> R {
    let text = s(&a[0]);
    Ok(derived(f(text.as_str()), &a[0], ctx.at))
}
fn base(ctx: &mut Ctx, a: Vec<Val>) -> R {
    path_fn(ctx, a, |p| {
        let t = p.trim_end_matches('/');
        if t.is_empty() {
            return if p.is_empty() { ".".into() } else { "/".into() };
        }
        t.rsplit('/').next().unwrap_or(t).to_string()
    })
}
fn dir(ctx: &mut Ctx, a: Vec<Val>) -> R {
    path_fn(ctx, a, |p| match p.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => p[..i].to_string(),
        None => ".".into(),
    })
}
fn ext(ctx: &mut Ctx, a: Vec<Val>) -> R {
    path_fn(ctx, a, |p| {
        let name = p.rsplit('/').next().unwrap_or(p);
        name.rfind('.')
            .map(|i| name[i..].to_string())
            .unwrap_or_default()
    })
}

/// Go's `url.Parse` as Sprig's `urlParse` returns it.
fn url_parse(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let text = s(&a[0]);
    let t = text.as_str();
    let o = text.origin().coarsen();
    let (scheme, rest) = match t.split_once("://") {
        Some((sc, r))
            if !sc.is_empty()
                && sc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (sc, Some(r))
        }
        _ => ("", None),
    };
    let (authority, path_etc) = match rest {
        Some(r) => match r.find(['/', '?', '#']) {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        },
        None => ("", t),
    };
    let (path_q, fragment) = path_etc.split_once('#').unwrap_or((path_etc, ""));
    let (path, query) = path_q.split_once('?').unwrap_or((path_q, ""));
    let (userinfo, host) = authority.rsplit_once('@').unwrap_or(("", authority));
    let hostname = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let m = [
        ("scheme", scheme),
        ("host", host),
        ("hostname", hostname),
        ("path", path),
        ("query", query),
        ("opaque", ""),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_string(),
            crate::render::helm::value::MapEntry {
                key_origin: ctx.at,
                val: Val::str(v, o),
            },
        )
    })
    .collect();
    Ok(Val::map(m))
}

fn url_join(ctx: &mut Ctx, a: Vec<Val>) -> R {
    let get = |k: &str| match &a[0] {
        Val::Map(m) => m
            .borrow()
            .entries
            .get(k)
            .and_then(|e| e.val.as_str().map(str::to_string))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut out = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    let host = get("host");
    if !host.is_empty() || !scheme.is_empty() {
        out.push_str("//");
        let ui = get("userinfo");
        if !ui.is_empty() {
            out.push_str(&ui);
            out.push('@');
        }
        out.push_str(&host);
    }
    out.push_str(&get("path"));
    let q = get("query");
    if !q.is_empty() {
        out.push('?');
        out.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        out.push('#');
        out.push_str(&f);
    }
    Ok(Val::string(out, ctx.at.coarsen()))
}

pub fn register(add: &mut impl FnMut(&'static str, &'static [P], Option<P>, Func)) {
    use P::*;
    add("indent", &[Int, Str], None, indent);
    add("nindent", &[Int, Str], None, nindent);
    add("trunc", &[Int, Str], None, trunc);
    add("substr", &[Int, Int, Str], None, substr);
    add("trimSuffix", &[Str, Str], None, trim_suffix);
    add("trimPrefix", &[Str, Str], None, trim_prefix);
    add("trim", &[Str], None, trim);
    add("trimAll", &[Str, Str], None, trim_all);
    add("quote", &[], Some(Any), quote);
    add("squote", &[], Some(Any), squote);
    add("upper", &[Str], None, upper);
    add("lower", &[Str], None, lower);
    add("title", &[Str], None, title);
    add("untitle", &[Str], None, untitle);
    add("nospace", &[Str], None, nospace);
    add("snakecase", &[Str], None, snakecase);
    add("kebabcase", &[Str], None, kebabcase);
    add("camelcase", &[Str], None, camelcase);
    add("replace", &[Str, Str, Str], None, replace);
    add("repeat", &[Int, Str], None, repeat);
    add("contains", &[Str, Str], None, contains);
    add("hasPrefix", &[Str, Str], None, has_prefix);
    add("hasSuffix", &[Str, Str], None, has_suffix);
    add("cat", &[], Some(Any), cat);
    add("abbrev", &[Int, Str], None, abbrev);
    add("wrap", &[Int, Str], None, wrap);
    add("initials", &[Str], None, initials);
    add("plural", &[Str, Str, Int], None, plural);
    add("toString", &[Any], None, to_string);
    add("b64enc", &[Str], None, b64enc);
    add("b64dec", &[Str], None, b64dec);
    add("b32enc", &[Str], None, b32enc);
    add("sha256sum", &[Str], None, sha256sum);
    add("sha512sum", &[Str], None, sha512sum);
    add("adler32sum", &[Str], None, adler32sum);
    add("regexMatch", &[Str, Str], None, regex_match);
    add("mustRegexMatch", &[Str, Str], None, regex_match);
    add("regexFind", &[Str, Str], None, regex_find);
    add("mustRegexFind", &[Str, Str], None, regex_find);
    add("regexFindAll", &[Str, Str, Int], None, regex_find_all);
    add("mustRegexFindAll", &[Str, Str, Int], None, regex_find_all);
    add("regexReplaceAll", &[Str, Str, Str], None, regex_replace_all);
    add(
        "mustRegexReplaceAll",
        &[Str, Str, Str],
        None,
        regex_replace_all,
    );
    add(
        "regexReplaceAllLiteral",
        &[Str, Str, Str],
        None,
        regex_replace_all_literal,
    );
    add(
        "mustRegexReplaceAllLiteral",
        &[Str, Str, Str],
        None,
        regex_replace_all_literal,
    );
    add("regexSplit", &[Str, Str, Int], None, regex_split);
    add("mustRegexSplit", &[Str, Str, Int], None, regex_split);
    add("regexQuoteMeta", &[Str], None, regex_quote_meta);
    add("randAlphaNum", &[Int], None, rand_alpha_num);
    add("randAlpha", &[Int], None, rand_alpha);
    add("randNumeric", &[Int], None, rand_numeric);
    add("randAscii", &[Int], None, rand_ascii);
    add("randBytes", &[Int], None, rand_bytes);
    add("randInt", &[Int, Int], None, rand_int);
    add("shuffle", &[Str], None, shuffle);
    add("uuidv4", &[], None, uuidv4);
    add("genCA", &[Str, Int], None, gen_cert);
    add("genCAWithKey", &[Str, Int, Str], None, gen_cert);
    add("genSelfSignedCert", &[Str, List, List, Int], None, gen_cert);
    add(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        None,
        gen_cert,
    );
    add(
        "genSignedCert",
        &[Str, List, List, Int, Any],
        None,
        gen_cert,
    );
    add(
        "genSignedCertWithKey",
        &[Str, List, List, Int, Any, Str],
        None,
        gen_cert,
    );
    add("buildCustomCert", &[Str, Str], None, gen_cert);
    add("genPrivateKey", &[Str], None, gen_private_key);
    add("htpasswd", &[Str, Str], None, htpasswd);
    add(
        "derivePassword",
        &[Int, Str, Str, Str, Str],
        None,
        derive_password,
    );
    add("now", &[], None, now);
    add("date", &[Str, Any], None, date);
    add("dateInZone", &[Str, Any, Str], None, date_in_zone);
    add("unixEpoch", &[Any], None, unix_epoch);
    add("dateModify", &[Str, Any], None, date_modify);
    add("mustDateModify", &[Str, Any], None, date_modify);
    add("ago", &[Any], None, ago);
    add("toDate", &[Str, Str], None, to_date);
    add("mustToDate", &[Str, Str], None, to_date);
    add("lookup", &[Str, Str, Str, Str], None, unknown);
    add("getHostByName", &[Str], None, unknown);
    add("atoi", &[Str], None, atoi);
    add("urlquery", &[], Some(Any), url_query);
    add("urlParse", &[Str], None, url_parse);
    add("urlJoin", &[Map], None, url_join);
    add("base", &[Str], None, base);
    add("dir", &[Str], None, dir);
    add("ext", &[Str], None, ext);
}
