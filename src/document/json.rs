//! Strict JSON (jsonc-parser with comments and trailing commas off) → Node.
//!
//! Spans are byte offsets: strings and object keys include their quotes,
//! objects and arrays include their brackets.
use super::{Entry, Limits, Node, ParseError, Span, Value};
use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::common::{Range, Ranged};
use jsonc_parser::{CollectOptions, ParseOptions};

/// JSON as Azure Resource Manager reads its templates: JavaScript-style
/// comments (`//` to the end of the line, `/* */`) and trailing commas. The
/// comments are blanked byte for byte (line breaks kept) before the shape
/// check and the parser see the text, so spans stay those of the file and
/// no comment text is counted as structure.
pub fn parse_with_comments(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    parse_with(&blank_comments(text), limits, true)
}

/// `text` with every comment outside strings replaced by spaces (each byte,
/// so offsets and UTF-8 validity hold; line breaks stay).
fn blank_comments(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("//") && !text.contains("/*") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    let mut i = 0;
    let mut in_string = false;
    while i < out.len() {
        let b = out[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, out.get(i + 1)) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                while i < out.len() && out[i] != b'\n' {
                    if out[i] != b'\r' {
                        out[i] = b' ';
                    }
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                let start = i;
                i += 2;
                while i < out.len() && !(out[i] == b'*' && out.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                let end = (i + 2).min(out.len());
                for c in &mut out[start..end] {
                    if *c != b'\n' && *c != b'\r' {
                        *c = b' ';
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // only ASCII bytes were written over whole characters' bytes
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    parse_with(text, limits, false)
}

fn parse_with(text: &str, limits: &Limits, trailing_commas: bool) -> Result<Node, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::new(
            Span::new(0, text.len()),
            "empty JSON document",
        ));
    }
    // The parser recurses per nesting level and builds its own tree: reject
    // hostile depth, and more values than `max_nodes`, before it sees the text.
    check_shape(text, limits)?;

    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: trailing_commas,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            let range = e.range();
            let start = range.start.min(text.len());
            let mut end = range.end.clamp(start, text.len());
            if end == start {
                // Point at one character rather than between two.
                end = text[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8());
            }
            ParseError::new(Span::new(start, end), e.kind().to_string())
        })?;
    match result.value {
        Some(value) => convert(&value, 0, limits, &mut 0),
        None => Err(ParseError::new(
            Span::new(0, text.len()),
            "empty JSON document",
        )),
    }
}

fn span(r: Range) -> Span {
    Span::new(r.start, r.end)
}

fn too_deep(span: Span, max: usize) -> ParseError {
    ParseError::new(span, format!("nesting deeper than {max} levels"))
}

/// Counts `[`/`{` nesting outside strings; errors at the first bracket that
/// goes deeper than `max_depth`, or at the first comma past `max_nodes`
/// values (one value, plus one for every comma, is never more than a
/// document holds: each comma separates two values of a container).
fn check_shape(text: &str, limits: &Limits) -> Result<(), ParseError> {
    let max = limits.max_depth;
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut values = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(too_deep(Span::new(i, i + 1), max));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => {
                values += 1;
                if values > limits.max_nodes {
                    return Err(too_many_nodes(Span::new(i, i + 1), limits.max_nodes));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn too_many_nodes(span: Span, max: usize) -> ParseError {
    ParseError::new(span, format!("document exceeds {max} nodes"))
}

/// `depth` = number of containers enclosing `value`; `nodes` = nodes made so
/// far (at most `max_nodes`).
fn convert(
    value: &ast::Value<'_>,
    depth: usize,
    limits: &Limits,
    nodes: &mut usize,
) -> Result<Node, ParseError> {
    *nodes += 1;
    if *nodes > limits.max_nodes {
        return Err(too_many_nodes(span(value.range()), limits.max_nodes));
    }
    Ok(match value {
        ast::Value::StringLit(s) => Node::string(s.value.as_ref(), span(s.range)),
        ast::Value::NumberLit(n) => {
            let sp = span(n.range);
            let parsed: f64 = n.value.parse().map_err(|_| {
                ParseError::new(sp, format!("invalid number literal `{}`", n.value))
            })?;
            Node::new(Value::Number(parsed), sp)
        }
        ast::Value::BooleanLit(b) => Node::new(Value::Bool(b.value), span(b.range)),
        ast::Value::NullKeyword(n) => Node::null(span(n.range)),
        ast::Value::Array(a) => {
            let sp = span(a.range);
            if depth >= limits.max_depth {
                return Err(too_deep(sp, limits.max_depth));
            }
            let items = a
                .elements
                .iter()
                .map(|v| convert(v, depth + 1, limits, nodes))
                .collect::<Result<Vec<_>, _>>()?;
            Node::list(items, sp)
        }
        ast::Value::Object(o) => {
            let sp = span(o.range);
            if depth >= limits.max_depth {
                return Err(too_deep(sp, limits.max_depth));
            }
            let mut entries = Vec::with_capacity(o.properties.len());
            for prop in &o.properties {
                let (key, key_span) = match &prop.name {
                    ObjectPropName::String(s) => (s.value.to_string(), span(s.range)),
                    ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
                };
                entries.push(Entry {
                    key,
                    key_span,
                    value: convert(&prop.value, depth + 1, limits, nodes)?,
                });
            }
            Node::map(entries, sp)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Node, ParseError> {
        parse(text, &Limits::default())
    }

    fn slice(text: &str, s: Span) -> &str {
        &text[s.start..s.end]
    }

    #[test]
    fn arm_comments_and_trailing_commas_keep_file_spans() {
        // a comment holding quotes, brackets and a non-ASCII character, a
        // `//` inside a string, an unterminated block comment at the end
        let text = "{\n  // \"é\" [ { ,\n  \"a\": \"http://x\", /* } */ \"b\": [1, 2,],\n} /* open";
        let doc = parse_with_comments(text, &Limits::default()).unwrap();
        let a = doc.get("a").unwrap();
        assert_eq!(slice(text, a.span), "\"http://x\"");
        assert_eq!(
            doc.get("b").and_then(Node::as_list).map(<[_]>::len),
            Some(2)
        );
        // strict JSON still refuses both
        assert!(p(text).is_err());
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = r#"{"a": "x", "b": [1, true, null], "c": {"d": -2.5e1}}"#;
        let doc = p(text).unwrap();
        assert_eq!(doc.span, Span::new(0, text.len()));
        let entries = doc.as_map().unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].key, "a");
        assert_eq!(slice(text, entries[0].key_span), "\"a\"");
        assert_eq!(slice(text, entries[0].value.span), "\"x\"");
        assert_eq!(entries[0].value.as_str(), Some("x"));

        let b = &entries[1].value;
        assert_eq!(slice(text, b.span), "[1, true, null]");
        let items = b.as_list().unwrap();
        assert_eq!(items[0].value, Value::Number(1.0));
        assert_eq!(slice(text, items[0].span), "1");
        assert_eq!(items[1].value, Value::Bool(true));
        assert_eq!(slice(text, items[1].span), "true");
        assert_eq!(items[2].value, Value::Null);
        assert_eq!(slice(text, items[2].span), "null");

        let c = &entries[2].value;
        assert_eq!(slice(text, c.span), r#"{"d": -2.5e1}"#);
        let d = c.entry("d").unwrap();
        assert_eq!(slice(text, d.key_span), "\"d\"");
        assert_eq!(d.value.value, Value::Number(-25.0));
        assert_eq!(slice(text, d.value.span), "-2.5e1");
    }

    #[test]
    fn spans_after_non_ascii_are_bytes() {
        let text = "{\"émoji\": \"ü🎉\", \"k\": \"v\"}";
        let doc = p(text).unwrap();
        let e = doc.entry("émoji").unwrap();
        assert_eq!(slice(text, e.key_span), "\"émoji\"");
        assert_eq!(slice(text, e.value.span), "\"ü🎉\"");
        assert_eq!(e.value.as_str(), Some("ü🎉"));
        let k = doc.entry("k").unwrap();
        assert_eq!(
            k.key_span,
            Span::new(text.find("\"k\"").unwrap(), text.find("\"k\"").unwrap() + 3)
        );
        assert_eq!(slice(text, k.value.span), "\"v\"");
    }

    #[test]
    fn escapes_are_decoded() {
        let doc = p(r#"{"a\"b": "line\nbreak \u00e9"}"#).unwrap();
        assert_eq!(doc.get("a\"b").unwrap().as_str(), Some("line\nbreak é"));
    }

    #[test]
    fn nested_structures_and_duplicates() {
        let text = "[\n  {\"a\": [[], {}]},\n  {\"a\": 1, \"a\": 2}\n]";
        let doc = p(text).unwrap();
        let items = doc.as_list().unwrap();
        assert_eq!(items.len(), 2);
        let inner = items[0].get("a").unwrap().as_list().unwrap();
        assert_eq!(slice(text, inner[0].span), "[]");
        assert_eq!(slice(text, inner[1].span), "{}");
        assert_eq!(items[1].as_map().unwrap().len(), 2);
        assert_eq!(items[1].get("a").unwrap().value, Value::Number(2.0));
    }

    #[test]
    fn scalar_root() {
        let doc = p("  \"s\"  ").unwrap();
        assert_eq!(doc.as_str(), Some("s"));
        assert_eq!(doc.span, Span::new(2, 5));
    }

    #[test]
    fn empty_document() {
        assert_eq!(p("").unwrap_err().message, "empty JSON document");
        assert_eq!(p(" \n\t ").unwrap_err().message, "empty JSON document");
    }

    #[test]
    fn syntax_error_position() {
        let text = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let err = p(text).unwrap_err();
        // Missing comma: reported right after the first value.
        assert_eq!(err.message, "Expected comma");
        assert_eq!(err.span, Span::new(10, 11), "{err:?}");
        assert!(!err.message.is_empty());

        let err = p("{\"a\": ]}").unwrap_err();
        assert_eq!(err.span.start, 6, "{err:?}");
    }

    #[test]
    fn trailing_comma_rejected() {
        let err = p("[1, 2,]").unwrap_err();
        assert!(
            err.message.to_lowercase().contains("trailing comma"),
            "{err:?}"
        );
        assert!(p("{\"a\": 1,}").is_err());
    }

    #[test]
    fn comments_rejected() {
        let err = p("{\"a\": 1 // note\n}").unwrap_err();
        assert!(err.message.to_lowercase().contains("comment"), "{err:?}");
        assert!(p("/* x */ {}").is_err());
    }

    #[test]
    fn non_strict_forms_rejected() {
        for bad in [
            "{a: 1}",
            "['x']",
            "[0x10]",
            "[+1]",
            "[.5]",
            "[NaN]",
            "[1 2]",
            "{} {}",
            "[\"\\x41\"]",
        ] {
            assert!(p(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn deep_nesting_rejected_without_overflow() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let err = p(&text).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 128 levels");
        assert_eq!(err.span, Span::new(128, 129));

        let text = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
        assert!(p(&text).unwrap_err().message.starts_with("nesting deeper"));

        // Brackets inside strings do not count.
        let text = format!("[\"{}\"]", "[".repeat(1000));
        assert!(p(&text).is_ok());
    }

    #[test]
    fn depth_limit_is_exact() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse("[[[1]]]", &limits).is_ok());
        assert!(parse("[[[[1]]]]", &limits).is_err());
    }

    #[test]
    fn never_panics_on_garbage() {
        for bad in [
            "\"",
            "\"\\",
            "[",
            "{",
            "}",
            "]",
            "{\"a\"",
            "{\"a\":",
            "-",
            "1e",
            "tru",
            "\u{feff}{}",
            "\"\\u12\"",
            "\"\\ud800\"",
            "[1,",
            "{,}",
            "\0",
        ] {
            let _ = p(bad);
        }
    }
}
