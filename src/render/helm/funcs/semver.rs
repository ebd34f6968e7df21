//! Masterminds/semver v3 as Sprig uses it: `semverCompare CONSTRAINT VERSION`
//! and `semver VERSION`. Constraints: `=`, `!=`, `>`, `<`, `>=`, `<=`, `~`,
//! `^`, wildcards (`1.2.x`, `*`), hyphen ranges, `,`/space for AND, `||` for
//! OR; a version with a pre-release matches only a constraint that has one.
use std::cmp::Ordering;

use super::{Ctx, Func, P};
use crate::render::helm::value::{Host, IntTy, Val};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
}

fn parse_version(s: &str) -> Option<Version> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    let (s, meta) = match s.split_once('+') {
        Some((a, m)) => (a, m.to_string()),
        None => (s, String::new()),
    };
    let (core, pre) = match s.split_once('-') {
        Some((a, p)) => (a, p.to_string()),
        None => (s, String::new()),
    };
    let mut parts = core.split('.');
    let num = |p: Option<&str>| -> Option<u64> {
        match p {
            None => Some(0),
            Some(x) if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) => x.parse().ok(),
            _ => None,
        }
    };
    let major = num(Some(parts.next()?))?;
    let minor = num(parts.next())?;
    let patch = num(parts.next())?;
    if parts.next().is_some() {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
        pre,
        meta,
    })
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| cmp_pre(&a.pre, &b.pre))
}

/// One constraint term: an operator and a (possibly partial) version.
struct Term {
    op: String,
    v: Version,
    /// How many of major/minor/patch were given (wildcards stop the count).
    given: usize,
}

fn parse_term(t: &str) -> Option<Term> {
    let t = t.trim();
    let op_len = t
        .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
        .unwrap_or(t.len());
    let op = t[..op_len].trim().to_string();
    let rest = t[op_len..].trim();
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (core, tail) = match rest.find(['-', '+']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut given = 0;
    let mut nums = [0u64; 3];
    for (i, p) in core.split('.').enumerate() {
        if i >= 3 {
            return None;
        }
        if matches!(p, "x" | "X" | "*") || p.is_empty() {
            break;
        }
        nums[i] = p.parse().ok()?;
        given = i + 1;
    }
    let pre = tail
        .strip_prefix('-')
        .map(|p| p.split('+').next().unwrap_or("").to_string())
        .unwrap_or_default();
    Some(Term {
        op,
        v: Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre,
            meta: String::new(),
        },
        given,
    })
}

fn bump(v: &Version, at: usize) -> Version {
    let mut n = v.clone();
    n.pre.clear();
    match at {
        0 => {
            n.major += 1;
            n.minor = 0;
            n.patch = 0;
        }
        1 => {
            n.minor += 1;
            n.patch = 0;
        }
        _ => n.patch += 1,
    }
    n
}

fn check_term(t: &Term, v: &Version) -> bool {
    // a pre-release version matches only a constraint with a pre-release
    if !v.pre.is_empty() && t.v.pre.is_empty() {
        return false;
    }
    let c = cmp(v, &t.v);
    let upper_of = |given: usize| bump(&t.v, given.saturating_sub(1));
    match t.op.as_str() {
        "" | "=" | "==" => {
            if t.given == 3 {
                c == Ordering::Equal
            } else if t.given == 0 {
                true
            } else {
                c != Ordering::Less && cmp(v, &upper_of(t.given)) == Ordering::Less
            }
        }
        "!=" => {
            if t.given == 3 {
                c != Ordering::Equal
            } else {
                !(c != Ordering::Less && cmp(v, &upper_of(t.given)) == Ordering::Less)
            }
        }
        ">" => {
            if t.given == 3 {
                c == Ordering::Greater
            } else {
                cmp(v, &upper_of(t.given.max(1))) != Ordering::Less
            }
        }
        ">=" | "=>" => c != Ordering::Less,
        "<" => c == Ordering::Less,
        "<=" | "=<" => {
            if t.given == 3 {
                c != Ordering::Greater
            } else {
                cmp(v, &upper_of(t.given.max(1))) == Ordering::Less
            }
        }
        "~" | "~>" => {
            let upper = if t.given <= 1 {
                bump(&t.v, 0)
            } else {
                bump(&t.v, 1)
            };
            c != Ordering::Less && cmp(v, &upper) == Ordering::Less
        }
        "^" => {
            let upper = if t.v.major > 0 || t.given <= 1 {
                bump(&t.v, 0)
            } else if t.v.minor > 0 || t.given == 2 {
                bump(&t.v, 1)
            } else {
                bump(&t.v, 2)
            };
            c != Ordering::Less && cmp(v, &upper) == Ordering::Less
        }
        _ => false,
    }
}

/// Whether `version` satisfies `constraint`; an error for either unreadable.
pub fn satisfies(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse_version(version).ok_or_else(|| "Invalid Semantic Version".to_string())?;
    let mut any = false;
    for alt in constraint.split("||") {
        let alt = alt.trim();
        // hyphen ranges: `1.2 - 1.4.5`
        let terms: Vec<Term> = if let Some((lo, hi)) = alt.split_once(" - ") {
            let mut lo =
                parse_term(lo).ok_or_else(|| format!("improper constraint: {constraint}"))?;
            let mut hi =
                parse_term(hi).ok_or_else(|| format!("improper constraint: {constraint}"))?;
            lo.op = ">=".into();
            hi.op = "<=".into();
            vec![lo, hi]
        } else {
            let mut out = Vec::new();
            let mut pending_op = String::new();
            for word in alt.split([',', ' ']).filter(|w| !w.is_empty()) {
                if word.chars().all(|c| "<>=!~^".contains(c)) {
                    pending_op = word.to_string();
                    continue;
                }
                let w = format!("{pending_op}{word}");
                pending_op.clear();
                out.push(
                    parse_term(&w).ok_or_else(|| format!("improper constraint: {constraint}"))?,
                );
            }
            if out.is_empty() {
                return Err(format!("improper constraint: {constraint}"));
            }
            out
        };
        if terms.iter().all(|t| check_term(t, &v)) {
            any = true;
        }
    }
    Ok(any)
}

fn semver_compare(ctx: &mut Ctx, a: Vec<Val>) -> Result<Val, String> {
    let (c, v) = (a[0].as_str().unwrap_or(""), a[1].as_str().unwrap_or(""));
    Ok(Val::Bool(satisfies(c, v)?, ctx.at.coarsen()))
}

fn semver(ctx: &mut Ctx, a: Vec<Val>) -> Result<Val, String> {
    let s = a[0].as_str().unwrap_or("");
    let v = parse_version(s).ok_or_else(|| "Invalid Semantic Version".to_string())?;
    let at = ctx.at.coarsen();
    let uint = |n: u64| Val::Int(n as i64, IntTy::Int64, at);
    Ok(Val::Host(std::rc::Rc::new(Host::Struct(
        "*semver.Version",
        [
            ("Major", uint(v.major)),
            ("Minor", uint(v.minor)),
            ("Patch", uint(v.patch)),
            ("Prerelease", Val::string(v.pre.clone(), at)),
            ("Metadata", Val::string(v.meta.clone(), at)),
            ("Original", Val::str(s, at)),
        ]
        .into_iter()
        .collect(),
    ))))
}

pub fn register(add: &mut impl FnMut(&'static str, &'static [P], Option<P>, Func)) {
    add("semverCompare", &[P::Str, P::Str], None, semver_compare);
    add("semver", &[P::Str], None, semver);
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints_as_masterminds() {
        let ok = |c: &str, v: &str| satisfies(c, v).unwrap();
        assert!(ok(">=1.19-0", "v1.31.0"));
        assert!(!ok("<1.19-0", "v1.31.0"));
        assert!(ok(">=1.21.0-0", "1.31.0"));
        assert!(ok("^1.2.3", "1.9.0"));
        assert!(!ok("^1.2.3", "2.0.0"));
        assert!(ok("~1.2.3", "1.2.9"));
        assert!(!ok("~1.2.3", "1.3.0"));
        assert!(ok("1.2.x", "1.2.7"));
        assert!(ok(">= 1.2, < 3.0.0 || >= 4.2.3", "4.5.0"));
        assert!(ok("1.1 - 1.3", "1.2.0"));
        // a pre-release version needs a pre-release constraint
        assert!(!ok(">=1.19", "1.20.0-beta.1"));
        assert!(ok(">=1.19-0", "1.20.0-beta.1"));
        assert!(satisfies(">=1.x", "bogus").is_err());
    }
}
