//! Encoding functions: base64, JSON, YAML, CSV, URL and text encodings.
use base64::Engine as _;

use super::{all_known, arity, known, string};
use crate::document::{format_number, Entry, Limits, Node, Span, Value};
use crate::terraform::value::{error, respan, Fail, Outcome};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let s = |v: String| Ok(Node::string(v, span));
    let text = |i: usize| -> Result<String, Fail> {
        arity(args, i + 1..=i + 1)?;
        string(&args[i])
    };
    Some(match name {
        "jsonencode" => (|| {
            arity(args, 1..=1)?;
            s(json_text(known(&args[0])?))
        })(),
        "yamlencode" => (|| {
            arity(args, 1..=1)?;
            let mut out = String::new();
            yaml(known(&args[0])?, 0, &mut out, Place::Top);
            s(out)
        })(),
        _ => {
            if let Err(e) = all_known(args) {
                return Some(Err(e));
            }
            match name {
                "base64encode" => text(0).and_then(|t| s(b64.encode(t))),
                "base64decode" => text(0).and_then(|t| {
                    let bytes = b64
                        .decode(&t)
                        .map_err(|_| Fail::Error(format!("failed to decode base64 data {t:?}")))?;
                    s(String::from_utf8(bytes).map_err(|_| {
                        Fail::Error(
                            "the result of decoding the provided string is not valid UTF-8".into(),
                        )
                    })?)
                }),
                // Go's compressor decides the exact bytes; no other gives the same
                "base64gzip" => Err(Fail::Unknown),
                "jsondecode" => text(0).and_then(|t| {
                    let v: serde_json::Value = serde_json::from_str(&t)
                        .map_err(|e| Fail::Error(format!("invalid JSON: {e}")))?;
                    Ok(from_json(&v, span))
                }),
                "yamldecode" => text(0).and_then(|t| yaml_decode(&t, span)),
                "csvdecode" => text(0).and_then(|t| csv_decode(&t, span)),
                "urlencode" => text(0).and_then(|t| s(url_encode(&t))),
                "textencodebase64" => (|| {
                    arity(args, 2..=2)?;
                    let (t, enc) = (string(&args[0])?, string(&args[1])?);
                    s(b64.encode(encode_text(&t, &enc)?))
                })(),
                "textdecodebase64" => (|| {
                    arity(args, 2..=2)?;
                    let (t, enc) = (string(&args[0])?, string(&args[1])?);
                    let bytes = b64
                        .decode(&t)
                        .map_err(|_| Fail::Error(format!("failed to decode base64 data {t:?}")))?;
                    s(decode_text(&bytes, &enc)?)
                })(),
                _ => return None,
            }
        }
    })
}

/// JSON as Terraform's `jsonencode` writes it: keys sorted, no spaces,
/// whole numbers in full (`100000000000000000000`, not `1e+20`), and `<`,
/// `>`, `&` escaped as Go's encoder does.
pub fn json_text(n: &Node) -> String {
    fn write(n: &Node, out: &mut String) {
        match &n.value {
            Value::Null | Value::Expr(_) => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(x) => out.push_str(&format_number(*x)),
            Value::String(s) => string(s, out),
            Value::List(l) => {
                out.push('[');
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                let mut sorted: Vec<&Entry> = m.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                sorted.dedup_by(|a, b| a.key == b.key);
                out.push('{');
                for (i, e) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(&e.key, out);
                    out.push(':');
                    write(&e.value, out);
                }
                out.push('}');
            }
        }
    }
    fn string(s: &str, out: &mut String) {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        if quoted.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
            out.push_str(
                &quoted
                    .replace('<', "\\u003c")
                    .replace('>', "\\u003e")
                    .replace('&', "\\u0026")
                    .replace('\u{2028}', "\\u2028")
                    .replace('\u{2029}', "\\u2029"),
            );
        } else {
            out.push_str(&quoted);
        }
    }
    let mut out = String::new();
    write(n, &mut out);
    out
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

/// One YAML document (anchors and aliases resolved, within the YAML
/// parser's limits), as Terraform's `yamldecode` reads it.
fn yaml_decode(t: &str, span: Span) -> Outcome {
    let docs = crate::document::yaml::parse(t, &Limits::default())
        .map_err(|e| Fail::Error(format!("invalid YAML: {e}")))?;
    match docs.as_slice() {
        [] => error("missing start of document"),
        [doc] => Ok(respan(doc.clone(), span)),
        _ => error("unexpected extra content after value"),
    }
}

fn csv_decode(t: &str, span: Span) -> Outcome {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(t.as_bytes());
    let mut rows = r.records();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return error(format!("CSV parse error: {e}")),
        None => return error("missing header line"),
    };
    let mut out = Vec::new();
    for row in rows {
        let row = row.map_err(|e| Fail::Error(format!("CSV parse error: {e}")))?;
        out.push(Node::map(
            header
                .iter()
                .zip(row.iter())
                .map(|(k, v)| Entry {
                    key: k.to_string(),
                    key_span: span,
                    value: Node::string(v, span),
                })
                .collect(),
            span,
        ));
    }
    Ok(Node::list(out, span))
}

/// Go's `url.QueryEscape`: unreserved characters stay, a space is `+`.
fn url_encode(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for b in t.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The encodings soclint knows; other IANA names Terraform knows give an
/// unknown value rather than a guess.
fn encode_text(t: &str, encoding: &str) -> Result<Vec<u8>, Fail> {
    Ok(match encoding.to_ascii_uppercase().as_str() {
        "UTF-8" | "UTF8" => t.as_bytes().to_vec(),
        "UTF-16LE" => t.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "UTF-16BE" => t.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        "ISO-8859-1" | "LATIN1" | "US-ASCII" | "ASCII" => {
            let limit = if encoding.to_ascii_uppercase().contains("ASCII") {
                0x7f
            } else {
                0xff
            };
            t.chars()
                .map(|c| {
                    u8::try_from(c as u32)
                        .ok()
                        .filter(|b| u32::from(*b) <= limit)
                        .ok_or_else(|| {
                            Fail::Error(format!("the given string contains characters that cannot be represented in {encoding}"))
                        })
                })
                .collect::<Result<_, _>>()?
        }
        _ => return Err(Fail::Unknown),
    })
}

fn decode_text(bytes: &[u8], encoding: &str) -> Result<String, Fail> {
    let utf16 = |units: Vec<u16>| {
        String::from_utf16(&units).map_err(|_| Fail::Error("invalid UTF-16 data".into()))
    };
    match encoding.to_ascii_uppercase().as_str() {
        "UTF-8" | "UTF8" => String::from_utf8(bytes.to_vec())
            .map_err(|_| Fail::Error("the given value is not valid UTF-8".into())),
        "UTF-16LE" if bytes.len().is_multiple_of(2) => utf16(
            bytes
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        ),
        "UTF-16BE" if bytes.len().is_multiple_of(2) => utf16(
            bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect(),
        ),
        "ISO-8859-1" | "LATIN1" => Ok(bytes.iter().map(|&b| b as char).collect()),
        _ => Err(Fail::Unknown),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// The document itself.
    Top,
    /// A mapping value or sequence item (after `key:` or `- `).
    Inline,
}

/// YAML as Terraform's `yamlencode` (go-yaml) writes it: keys sorted and
/// double-quoted, strings double-quoted (literal block for several lines),
/// sequences under a key not indented, two-space indentation.
fn yaml(n: &Node, indent: usize, out: &mut String, place: Place) {
    let pad = " ".repeat(indent);
    match &n.value {
        Value::Map(m) if !m.is_empty() => {
            let mut sorted: Vec<&Entry> = m.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            for (i, e) in sorted.into_iter().enumerate() {
                if i > 0 || place == Place::Top {
                    out.push_str(&pad);
                }
                out.push_str(&yaml_quote(&e.key));
                out.push(':');
                match &e.value.value {
                    Value::Map(x) if !x.is_empty() => {
                        out.push('\n');
                        yaml(&e.value, indent + 2, out, Place::Top);
                    }
                    Value::List(x) if !x.is_empty() => {
                        out.push('\n');
                        yaml(&e.value, indent, out, Place::Top);
                    }
                    _ => {
                        out.push(' ');
                        yaml(&e.value, indent + 2, out, Place::Inline);
                    }
                }
            }
        }
        Value::List(l) if !l.is_empty() => {
            for (i, item) in l.iter().enumerate() {
                if i > 0 || place == Place::Top {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                yaml(item, indent + 2, out, Place::Inline);
            }
        }
        Value::Map(_) => out.push_str("{}\n"),
        Value::List(_) => out.push_str("[]\n"),
        Value::String(s) if s.contains('\n') && !s.contains(['\r', '\t']) => {
            let body = s.strip_suffix('\n').unwrap_or(s);
            let chomp = if s.ends_with("\n\n") {
                "+"
            } else if s.ends_with('\n') {
                ""
            } else {
                "-"
            };
            let pad = " ".repeat(if place == Place::Top { 2 } else { indent });
            out.push_str(&format!("|{chomp}\n"));
            for line in body.split('\n') {
                if !line.is_empty() {
                    out.push_str(&pad);
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        Value::String(s) => {
            out.push_str(&yaml_quote(s));
            out.push('\n');
        }
        _ => {
            out.push_str(&match &n.value {
                Value::Bool(b) => b.to_string(),
                Value::Number(x) => format_number(*x),
                _ => "null".to_string(),
            });
            out.push('\n');
            if place == Place::Top {
                // go-yaml ends a document that is a plain scalar
                out.push_str("...\n");
            }
        }
    }
}

fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
