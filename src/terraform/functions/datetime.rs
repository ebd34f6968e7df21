//! Date and time functions on RFC 3339 timestamps given as arguments
//! (`timestamp()` and `plantimestamp()` change on every run: unknown).
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::{all_known, arity, string};
use crate::document::{Node, Span, Value};
use crate::terraform::value::{error, Fail, Outcome};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    if !matches!(name, "formatdate" | "timeadd" | "timecmp") {
        return None;
    }
    Some((|| {
        all_known(args)?;
        arity(args, 2..=2)?;
        let (a, b) = (string(&args[0])?, string(&args[1])?);
        match name {
            "formatdate" => {
                let t = parse(&b)?;
                Ok(Node::string(format(&a, t)?, span))
            }
            "timeadd" => {
                let t = parse(&a)? + duration(&b)?;
                Ok(Node::string(rfc3339(t), span))
            }
            _ => {
                let (x, y) = (parse(&a)?, parse(&b)?);
                Ok(Node::new(Value::Number(x.cmp(&y) as i8 as f64), span))
            }
        }
    })())
}

fn parse(s: &str) -> Result<OffsetDateTime, Fail> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| Fail::Error(format!("not a valid RFC3339 timestamp: {e}")))
}

/// Go's `time.RFC3339` layout: whole seconds, `Z` for UTC.
fn rfc3339(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset(t, true, true)
    )
}

/// `Z` (when `z` and UTC), `+05:30` (with `colon`) or `+0530`.
fn offset(t: OffsetDateTime, z: bool, colon: bool) -> String {
    let o = t.offset();
    if z && o.is_utc() {
        return "Z".into();
    }
    let secs = o.whole_seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// Go's `time.ParseDuration`: signed decimals with units ns, us, µs, ms, s, m, h.
fn duration(s: &str) -> Result<Duration, Fail> {
    let bad = || Fail::Error(format!("time: invalid duration {s:?}"));
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(Fail::Error(format!("time: missing unit in duration {s:?}"))),
            u => {
                return Err(Fail::Error(format!(
                    "time: unknown unit {u:?} in duration {s:?}"
                )))
            }
        };
        nanos += value * scale;
        rest = &rest[unit_len..];
    }
    let nanos = if neg { -nanos } else { nanos };
    Ok(Duration::nanoseconds(nanos.round() as i64))
}

/// `formatdate`'s specification language: runs of one letter are fields
/// (`YYYY`, `MMM`, `DD`, `EEEE`, `hh`, `mm`, `ss`, `aa`, `ZZZZZ`…), text in
/// single quotes is literal (`''` is a quote), other characters are kept.
fn format(spec: &str, t: OffsetDateTime) -> Result<String, Fail> {
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
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let Some(end) = chars[i + 1..].iter().position(|&x| x == '\'') else {
                return error("unterminated literal '");
            };
            out.extend(&chars[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        i += run;
        let month = MONTHS[usize::from(u8::from(t.month())) - 1];
        let weekday = format!("{}", t.weekday());
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        let field = match (c, run) {
            ('Y', 4) => format!("{:04}", t.year()),
            ('Y', 2) => format!("{:02}", t.year().rem_euclid(100)),
            ('M', 4) => month.to_string(),
            ('M', 3) => month[..3].to_string(),
            ('M', 2) => format!("{:02}", u8::from(t.month())),
            ('M', 1) => u8::from(t.month()).to_string(),
            ('D', 2) => format!("{:02}", t.day()),
            ('D', 1) => t.day().to_string(),
            ('E', 4) => weekday.clone(),
            ('E', 3) => weekday[..3].to_string(),
            ('h', 2) => format!("{:02}", t.hour()),
            ('h', 1) => t.hour().to_string(),
            ('H', 2) => format!("{hour12:02}"),
            ('H', 1) => hour12.to_string(),
            ('A', 2) => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
            ('a', 2) => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
            ('m', 2) => format!("{:02}", t.minute()),
            ('m', 1) => t.minute().to_string(),
            ('s', 2) => format!("{:02}", t.second()),
            ('s', 1) => t.second().to_string(),
            ('Z', 5) => offset(t, false, true),
            ('Z', 4) => offset(t, false, false),
            ('Z', 3) if t.offset().is_utc() => "UTC".to_string(),
            ('Z', 3) => offset(t, false, false),
            ('Z', 1) => offset(t, true, true),
            _ => {
                return error(format!(
                    "invalid date format verb {:?}",
                    chars[i - run..i].iter().collect::<String>()
                ))
            }
        };
        out.push_str(&field);
    }
    Ok(out)
}
