//! Object literals that repeat a key: legal HCL, where the last one wins
//! (`terraform console` gives `{"a" = 2}` for `{a = 1, a = 2}` and for
//! `{"a" = 1, a = 2}`), while hcl-edit rejects them ("expected unique object
//! key; found redefined object key"); a terraform-google-modules `main.tf`
//! was dropped as a parse error for one.
//!
//! On that error the earlier item is blanked out of a copy of the text (its
//! bytes become spaces, line breaks stay), so the object holds what
//! Terraform keeps, every offset stays the file's, and the expression text
//! the evaluator reads again parses too. The earlier item is found by
//! parsing once more with the repeated key renamed, which hcl-edit then
//! accepts and gives spans for.
use std::borrow::Cow;

use hcl_edit::expr::{Expression, Object, ObjectKey, ObjectValueTerminator};
use hcl_edit::visit::{visit_object, Visit};
use hcl_edit::Span as _;

/// Most repeated keys repaired in one file (each costs two parses).
const MAX_REPAIRS: usize = 64;

/// The body, with repeated object keys resolved as Terraform does, and the
/// text its spans and expression texts refer to (the file's own text when
/// nothing was repeated).
pub(super) fn parse_body(
    text: &str,
) -> Result<(hcl_edit::structure::Body, Cow<'_, str>), hcl_edit::parser::Error> {
    let first = match hcl_edit::parser::parse_body(text) {
        Ok(body) => return Ok((body, Cow::Borrowed(text))),
        Err(e) => e,
    };
    // offsets are the file's in every copy: the error left is the one to report
    let mut current = text.to_string();
    let mut error = first;
    for _ in 0..MAX_REPAIRS {
        let fixed = is_repeated_key(&error)
            .then(|| without_earlier_item(&current, error.location().offset()))
            .flatten();
        let Some(fixed) = fixed else { break };
        match hcl_edit::parser::parse_body(&fixed) {
            Ok(body) => return Ok((body, Cow::Owned(fixed))),
            Err(e) => {
                error = e;
                current = fixed;
            }
        }
    }
    Err(error)
}

/// Drops the entries whose key comes again later in the object (`a` and
/// `"a"`, which hcl-edit tells apart, are one key to Terraform).
pub(super) fn keep_last(entries: &mut Vec<super::Entry>) {
    let repeated = |i: usize, e: &[super::Entry]| e[i + 1..].iter().any(|l| l.key == e[i].key);
    let n = entries.len();
    let any = if n <= 16 {
        (0..n).any(|i| repeated(i, entries))
    } else {
        let keys: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.key.as_str()).collect();
        keys.len() < n
    };
    if any {
        let last: std::collections::HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.as_str(), i))
            .collect();
        let keep: Vec<bool> = (0..n).map(|i| last[entries[i].key.as_str()] == i).collect();
        let mut flags = keep.into_iter();
        entries.retain(|_| flags.next().unwrap_or(true));
    }
}

fn is_repeated_key(e: &hcl_edit::parser::Error) -> bool {
    e.message().contains("found redefined object key")
}

/// `text` with the earlier item of the key repeated at `at` blanked out.
fn without_earlier_item(text: &str, at: usize) -> Option<String> {
    let (name, len) = key_at(text, at)?;
    // names the file does not use (offsets after `at` move; those before it,
    // where the earlier item is, do not)
    let mut fresh = (0..)
        .map(|n| format!("soclint_repeated_key_{n}"))
        .filter(|p| !text.contains(p.as_str()));
    let placeholder = fresh.next()?;
    let mut renamed = format!("{}{placeholder}{}", &text[..at], &text[at + len..]);
    // later repetitions (of this key or others) are renamed too, until the
    // text parses and the earlier item has its span
    let mut body = None;
    for _ in 0..MAX_REPAIRS {
        match hcl_edit::parser::parse_body(&renamed) {
            Ok(b) => {
                body = Some(b);
                break;
            }
            Err(e) if is_repeated_key(&e) && e.location().offset() > at => {
                let later = e.location().offset();
                let (_, len) = key_at(&renamed, later)?;
                let other = fresh.next()?;
                renamed = format!("{}{other}{}", &renamed[..later], &renamed[later + len..]);
            }
            Err(_) => return None,
        }
    }
    let object = find_object(&body?, &placeholder)?;
    let (start, mut end, comma) = earlier_item(&object, &name, at)?;
    if comma {
        // the comma that ends it, after blanks
        let after = &text[end..at];
        let blanks = after.len() - after.trim_start().len();
        if after[blanks..].starts_with(',') {
            end += blanks + 1;
        }
    }
    let mut out = text.as_bytes().to_vec();
    for b in out.get_mut(start..end)? {
        if *b != b'\n' {
            *b = b' ';
        }
    }
    String::from_utf8(out).ok()
}

/// The key written at `at` (an identifier or a plain quoted string) and its
/// length in bytes; `None` for a key Terraform computes (`(var.k) = …`).
fn key_at(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = text.get(at..)?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find(['"', '\\', '$', '%', '\n'])?;
        return (quoted.as_bytes()[end] == b'"').then(|| (quoted[..end].to_string(), end + 2));
    }
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (len > 0).then(|| (rest[..len].to_string(), len))
}

/// The name an object key stands for (`a` and `"a"` are one key).
fn key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.as_str().to_string()),
        ObjectKey::Expression(_) => None,
    }
}

/// The object literal holding the key `placeholder`.
fn find_object(body: &hcl_edit::structure::Body, placeholder: &str) -> Option<Object> {
    struct Finder<'p> {
        placeholder: &'p str,
        found: Option<Object>,
    }
    impl Visit for Finder<'_> {
        fn visit_object(&mut self, node: &Object) {
            if self.found.is_some() {
                return;
            }
            if node
                .iter()
                .any(|(k, _)| key_name(k).as_deref() == Some(self.placeholder))
            {
                self.found = Some(node.clone());
                return;
            }
            visit_object(self, node);
        }
    }
    let mut finder = Finder {
        placeholder,
        found: None,
    };
    finder.visit_body(body);
    finder.found
}

/// Where the last item named `name` before `before` is: its key's start,
/// its value's end, and whether a comma ends it.
fn earlier_item(object: &Object, name: &str, before: usize) -> Option<(usize, usize, bool)> {
    let (key, value) = object
        .iter()
        .filter(|(k, _)| key_name(k).as_deref() == Some(name))
        .filter(|(k, _)| k.span().is_some_and(|s| s.start < before))
        .last()?;
    let start = key.span()?.start;
    let end = value.expr().span()?.end.max(start);
    Some((
        start,
        end,
        value.terminator() == ObjectValueTerminator::Comma,
    ))
}

#[cfg(test)]
mod tests {
    use crate::document::{hcl, Limits, Node, Value};

    fn parse(text: &str) -> Node {
        hcl::parse(text, &Limits::default()).expect("parses")
    }

    /// `{key = value …}` as `terraform console` (1.11) prints it, keys sorted.
    fn shown(node: &Node) -> String {
        match &node.value {
            Value::Map(entries) => {
                let mut items: Vec<(String, String)> = entries
                    .iter()
                    .map(|e| (e.key.clone(), shown(&e.value)))
                    .collect();
                items.sort();
                let inner: Vec<String> = items.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{{}}}", inner.join(", "))
            }
            _ => node.to_string(),
        }
    }

    /// The answers `terraform console` gave for the same literals.
    #[test]
    fn the_last_repeated_key_wins_as_in_terraform() {
        for (literal, terraform) in [
            ("{a = 1, a = 2}", "{a = 2}"),
            ("{\"a\" = 1, a = 2}", "{a = 2}"),
            ("{a = 1, a = 2, a = 3}", "{a = 3}"),
            (
                "{a = 1, b = {c = 1}, a = {d = 2}}",
                "{a = {d = 2}, b = {c = 1}}",
            ),
            (
                "{a = 1, b = {c = 1, c = 2}, b = {c = 3, d = 4, d = 5}}",
                "{a = 1, b = {c = 3, d = 5}}",
            ),
            ("{\n  a = 1\n  b = 2\n  a = 3\n}", "{a = 3, b = 2}"),
            ("{\n  a = 1 # first\n  a = 2\n}", "{a = 2}"),
        ] {
            let text = format!("x = {literal}\n");
            let doc = parse(&text);
            assert_eq!(shown(doc.get("x").expect("x")), terraform, "{literal}");
        }
    }

    /// Spans stay the file's; an expression's text still parses (the
    /// evaluator reads it again) and holds only the kept item.
    #[test]
    fn spans_and_expression_text_stay_usable() {
        let text = "locals {\n  x = {\n    a = var.one\n    b = 1\n    a = var.two\n  }\n}\n";
        let doc = parse(text);
        let x = doc.get("locals").and_then(|l| l.get("x")).expect("x");
        let entries = x.as_map().expect("a map");
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        let a = &entries[1];
        assert_eq!(&text[a.key_span.start..a.key_span.end], "a");
        assert_eq!(a.key_span.start, text.rfind("a = var.two").expect("there"));
        match &a.value.value {
            Value::Expr(e) => assert_eq!(e.text, "var.two"),
            v => panic!("{v:?}"),
        }
        // computed keys are not compared: still an error, at the second
        let err = hcl::parse("x = {(k) = 1, (k) = 2}\n", &Limits::default()).unwrap_err();
        assert!(err.message.contains("redefined object key"), "{err:?}");
    }
}
