//! Template values with Go's semantics: `.Values` numbers are float64, maps
//! are shared and mutable (`set`, `merge` change them where every holder sees
//! it), a missing value is distinct from nil, and the objects Helm passes in
//! (`.Capabilities`, `.Files`, `.Chart`) answer fields and methods.
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::source::{Builder, Origin, Str};

/// Go's integer types that templates meet: `int` (literals, `len`, `int`) and
/// `int64` (Sprig arithmetic, `int64`). They print alike; `typeOf`, `kindIs`
/// and `eq`'s error messages tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntTy {
    Int,
    Int64,
}

#[derive(Debug, Clone)]
pub enum Val {
    /// Go's invalid reflect.Value: a missing key at the end of a pipeline.
    Missing,
    /// A nil interface (an explicit `null`, a missing key inside a field chain).
    Nil,
    Bool(bool, Origin),
    Int(i64, IntTy, Origin),
    Float(f64, Origin),
    Str(Str),
    List(Rc<List>),
    Map(Rc<RefCell<Map>>),
    Host(Rc<Host>),
    /// A value only a cluster knows (`lookup`): rules reading it skip.
    Unknown(Rc<str>),
}

#[derive(Debug, Default)]
pub struct List {
    pub items: Vec<Val>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct MapEntry {
    pub key_origin: Origin,
    pub val: Val,
}

/// `map[string]interface{}`, keys in Go's sorted order.
#[derive(Debug, Default)]
pub struct Map {
    pub entries: BTreeMap<String, MapEntry>,
    pub origin: Origin,
}

impl Default for Origin {
    fn default() -> Self {
        Origin::NONE
    }
}

/// The objects Helm puts under the top-level names.
#[derive(Debug)]
pub enum Host {
    /// A Go struct: fields by exact name (`.Chart.Name`), and its type name
    /// for error messages.
    Struct(&'static str, BTreeMap<&'static str, Val>),
    /// `.Capabilities.APIVersions`: has `Has`.
    ApiVersions(Vec<String>),
    /// `.Capabilities.KubeVersion`: fields and `String`/`GitVersion`.
    KubeVersion {
        version: String,
        major: String,
        minor: String,
    },
    /// `.Files`: path → content; `Get`, `Glob`, `Lines`, `AsConfig`, `AsSecrets`.
    Files(Rc<BTreeMap<String, Rc<str>>>),
    /// A `time.Time` (from `now`, fixed), as Unix seconds.
    Time(i64),
}

/// A marker printed for an unknown value; the render stage turns scalars
/// holding it into unknowns.
pub const UNKNOWN_MARK: &str = "\u{E000}unknown\u{E001}";

impl Val {
    pub fn str(s: &str, origin: Origin) -> Val {
        Val::Str(Str::new(s, origin))
    }
    pub fn string(s: String, origin: Origin) -> Val {
        Val::Str(Str::new(s, origin))
    }
    pub fn int(i: i64) -> Val {
        Val::Int(i, IntTy::Int, Origin::NONE)
    }
    pub fn int64(i: i64) -> Val {
        Val::Int(i, IntTy::Int64, Origin::NONE)
    }
    pub fn bool(b: bool) -> Val {
        Val::Bool(b, Origin::NONE)
    }
    pub fn list(items: Vec<Val>) -> Val {
        Val::List(Rc::new(List {
            items,
            origin: Origin::NONE,
        }))
    }
    pub fn map(entries: BTreeMap<String, MapEntry>) -> Val {
        Val::Map(Rc::new(RefCell::new(Map {
            entries,
            origin: Origin::NONE,
        })))
    }
    pub fn empty_map() -> Val {
        Val::map(BTreeMap::new())
    }
    pub fn is_missing_or_nil(&self) -> bool {
        matches!(self, Val::Missing | Val::Nil)
    }

    /// Where this value was written.
    pub fn origin(&self) -> Origin {
        match self {
            Val::Bool(_, o) | Val::Int(_, _, o) | Val::Float(_, o) => *o,
            Val::Str(s) => s.origin(),
            Val::List(l) => l.origin,
            Val::Map(m) => m.borrow().origin,
            _ => Origin::NONE,
        }
    }

    /// The same value claiming `origin` when it has none.
    pub fn with_origin(self, origin: Origin) -> Val {
        match self {
            Val::Bool(b, o) if o.is_none() => Val::Bool(b, origin),
            Val::Int(i, t, o) if o.is_none() => Val::Int(i, t, origin),
            Val::Float(f, o) if o.is_none() => Val::Float(f, origin),
            Val::Str(s) => Val::Str(s.with_fallback(origin)),
            v => v,
        }
    }

    /// Go's `reflect.Kind` name (Sprig's `kindOf`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Val::Missing | Val::Nil => "invalid",
            Val::Bool(..) => "bool",
            Val::Int(_, IntTy::Int, _) => "int",
            Val::Int(_, IntTy::Int64, _) => "int64",
            Val::Float(..) => "float64",
            Val::Str(_) => "string",
            Val::List(_) => "slice",
            Val::Map(_) => "map",
            Val::Host(h) => match **h {
                Host::Files(_) => "map",
                Host::Time(_) => "struct",
                _ => "ptr",
            },
            Val::Unknown(_) => "invalid",
        }
    }

    /// Go's type name (Sprig's `typeOf`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Missing | Val::Nil => "<nil>",
            Val::List(_) => "[]interface {}",
            Val::Map(_) => "map[string]interface {}",
            Val::Host(h) => match **h {
                Host::Struct(name, _) => name,
                Host::ApiVersions(_) => "chartutil.VersionSet",
                Host::KubeVersion { .. } => "*chartutil.KubeVersion",
                Host::Files(_) => "engine.files",
                Host::Time(_) => "time.Time",
            },
            other => other.kind_name(),
        }
    }

    /// Go's `truth`: false, 0, nil, empty strings, lists and maps are false.
    pub fn truth(&self) -> bool {
        match self {
            Val::Missing | Val::Nil | Val::Unknown(_) => false,
            Val::Bool(b, _) => *b,
            Val::Int(i, _, _) => *i != 0,
            Val::Float(f, _) => *f != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::List(l) => !l.items.is_empty(),
            Val::Map(m) => !m.borrow().entries.is_empty(),
            Val::Host(h) => match &**h {
                Host::Files(f) => !f.is_empty(),
                Host::ApiVersions(v) => !v.is_empty(),
                _ => true,
            },
        }
    }

    /// Sprig's `empty`: Go's zero values (same as not `truth`, but a struct
    /// is never empty).
    pub fn is_empty(&self) -> bool {
        !self.truth()
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    /// What `{{ x }}` prints (Go's `fmt.Fprint` of the value).
    pub fn print(&self) -> Str {
        match self {
            Val::Str(s) => s.clone(),
            Val::Missing => Str::plain("<no value>"),
            other => {
                let mut b = Builder::default();
                format_value(other, &mut b, true);
                b.finish()
            }
        }
    }

    /// A deep copy (Sprig's `deepCopy`): maps and lists are new.
    pub fn deep_copy(&self) -> Val {
        match self {
            Val::List(l) => Val::List(Rc::new(List {
                items: l.items.iter().map(Val::deep_copy).collect(),
                origin: l.origin,
            })),
            Val::Map(m) => {
                let m = m.borrow();
                Val::Map(Rc::new(RefCell::new(Map {
                    entries: m
                        .entries
                        .iter()
                        .map(|(k, e)| {
                            (
                                k.clone(),
                                MapEntry {
                                    key_origin: e.key_origin,
                                    val: e.val.deep_copy(),
                                },
                            )
                        })
                        .collect(),
                    origin: m.origin,
                })))
            }
            v => v.clone(),
        }
    }
}

/// Go's `%v` of a value into `b` (`top`: not inside a container, where
/// strings print bare too; nil prints `<nil>` everywhere).
pub fn format_value(v: &Val, b: &mut Builder, top: bool) {
    let _ = top;
    match v {
        Val::Missing => b.push_text("<no value>", Origin::NONE),
        Val::Nil => b.push_text("<nil>", Origin::NONE),
        Val::Bool(x, o) => b.push_text(if *x { "true" } else { "false" }, o.coarsen()),
        Val::Int(i, _, o) => b.push_text(&i.to_string(), o.coarsen()),
        Val::Float(f, o) => b.push_text(&format_float_g(*f), o.coarsen()),
        Val::Str(s) => b.push(s),
        Val::Unknown(_) => b.push_text(UNKNOWN_MARK, Origin::NONE),
        Val::List(l) => {
            b.push_text("[", l.origin.coarsen());
            for (i, item) in l.items.iter().enumerate() {
                if i > 0 {
                    b.push_text(" ", l.origin.coarsen());
                }
                format_value(item, b, false);
            }
            b.push_text("]", l.origin.coarsen());
        }
        Val::Map(m) => {
            let m = m.borrow();
            b.push_text("map[", m.origin.coarsen());
            for (i, (k, e)) in m.entries.iter().enumerate() {
                if i > 0 {
                    b.push_text(" ", m.origin.coarsen());
                }
                b.push_text(k, e.key_origin.coarsen());
                b.push_text(":", m.origin.coarsen());
                format_value(&e.val, b, false);
            }
            b.push_text("]", m.origin.coarsen());
        }
        Val::Host(h) => match &**h {
            Host::KubeVersion { version, .. } => b.push_text(version, Origin::NONE),
            Host::ApiVersions(v) => b.push_text(&format!("[{}]", v.join(" ")), Origin::NONE),
            Host::Files(f) => {
                let keys: Vec<&str> = f.keys().map(String::as_str).collect();
                b.push_text(&format!("map[{}]", keys.join(" ")), Origin::NONE)
            }
            Host::Time(t) => b.push_text(
                &format!(
                    "{} +0000 UTC",
                    super::funcs::go_time_format("2006-01-02 15:04:05", *t)
                ),
                Origin::NONE,
            ),
            Host::Struct(_, fields) => {
                b.push_text("{", Origin::NONE);
                for (i, v) in fields.values().enumerate() {
                    if i > 0 {
                        b.push_text(" ", Origin::NONE);
                    }
                    format_value(v, b, false);
                }
                b.push_text("}", Origin::NONE);
            }
        },
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, what `%v` prints: the
/// shortest digits that read back, in exponent form when the decimal exponent
/// is below -4 or 6 and more (a values.yaml `1000000` prints `1e+06`).
pub fn format_float_g(f: f64) -> String {
    format_float(f, 6)
}

/// Shortest round-trip digits, exponent form when the decimal exponent is
/// below -4 or at least `eprec` (encoding/json uses 21).
pub fn format_float(f: f64, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    let nd = digits.len() as i32;
    if exp >= nd - 1 {
        // integer: digits then zeros
        format!("{sign}{digits}{}", "0".repeat((exp - nd + 1) as usize))
    } else if exp >= 0 {
        let point = (exp + 1) as usize;
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    } else {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go() {
        assert_eq!(format_float(1e6, 21), "1000000");
        assert_eq!(format_float(1e6, 6), "1e+06");
        assert_eq!(format_float(123456.0, 6), "123456");
        assert_eq!(format_float(0.5, 6), "0.5");
        assert_eq!(format_float(0.00001, 6), "1e-05");
        assert_eq!(format_float(1.25e-3, 6), "0.00125");
        assert_eq!(format_float(-3.0, 6), "-3");
        assert_eq!(format_float(1.5e300, 6), "1.5e+300");
    }
}
