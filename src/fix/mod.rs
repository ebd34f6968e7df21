//! Fixes: a rule's `fix` data turned into minimal text edits on the file a
//! finding is in, and edits applied with everything else copied verbatim
//! (which is what keeps formatting and comments).
//!
//! A fix is built only when it is unambiguous: the offending value is a
//! literal written at the key the fix sets (checked on the text itself), or,
//! for a Terraform attribute that is absent, the resource block is found and
//! has no such attribute. A value set elsewhere (a variable, a module
//! argument), a rendered template or an expression gets no fix.
mod hcl;

use crate::document::Span;
use crate::finding::{Finding, Role};
use crate::rules::{Fix as RuleFix, FixValue};

/// Replace the bytes of `span` with `text` (an insertion when it is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// The edits that fix one finding, in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub rule: String,
    /// The finding's file, as reported.
    pub path: String,
    /// For a person: "set `publicly_accessible = false`".
    pub title: String,
    /// Sorted, not overlapping.
    pub edits: Vec<Edit>,
}

/// The syntax a file is written in, as far as fixes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Hcl,
    Yaml,
    Json,
}

fn syntax_of(path: &str) -> Option<Syntax> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tf.json") || lower.ends_with(".tofu.json") || lower.ends_with(".json") {
        Some(Syntax::Json)
    } else if lower.ends_with(".tf") || lower.ends_with(".tofu") {
        Some(Syntax::Hcl)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Syntax::Yaml)
    } else {
        None
    }
}

/// The fix of finding `f` by its rule's `fix`, on `text` (the text of
/// `f.path`); `None` when it is not unambiguous and safe.
pub fn for_finding(f: &Finding, fix: &RuleFix, text: &str) -> Option<Fix> {
    // a value set elsewhere, or a finding on rendered output, is fixed by
    // a person who knows what else uses it
    if f.related
        .iter()
        .any(|s| matches!(s.role, Role::Landing | Role::SetAt | Role::Rendered))
    {
        return None;
    }
    let syntax = syntax_of(&f.path)?;
    let span = f.span?;
    let key = fix.set.last()?;
    let value = text.get(span.start..span.end)?;
    let title = format!("set `{}` to {}", fix.set.join("."), display(&fix.value));
    let edit = if written_at_key(text, span.start, key, syntax) && is_literal(value, syntax) {
        let new = render(&fix.value, syntax, value);
        if new == value {
            return None;
        }
        Edit { span, text: new }
    } else if syntax == Syntax::Hcl && fix.set.len() == 1 {
        hcl::insert_attribute(text, span.start, key, &render(&fix.value, syntax, ""))?
    } else {
        return None;
    };
    Some(Fix {
        rule: f.rule.id.clone(),
        path: f.path.clone(),
        title,
        edits: vec![edit],
    })
}

fn display(v: &FixValue) -> String {
    match v {
        FixValue::Bool(b) => b.to_string(),
        FixValue::Int(i) => i.to_string(),
        FixValue::Str(s) => format!("\"{s}\""),
    }
}

/// Whether the value at byte `at` is written right after `key` and its
/// separator on the same line (`key = `, `key: `, `"key": `).
fn written_at_key(text: &str, at: usize, key: &str, syntax: Syntax) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at].trim_end();
    let (sep, quoted_only) = match syntax {
        Syntax::Hcl => ('=', false),
        Syntax::Yaml => (':', false),
        Syntax::Json => (':', true),
    };
    let Some(before) = before.strip_suffix(sep) else {
        return false;
    };
    let before = before.trim_end();
    let candidates: &[(&str, &str)] = if quoted_only {
        &[("\"", "\"")]
    } else {
        &[("", ""), ("\"", "\""), ("'", "'")]
    };
    candidates.iter().any(|(open, close)| {
        let written = format!("{open}{key}{close}");
        before.strip_suffix(written.as_str()).is_some_and(|rest| {
            rest.chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '{' | ',' | '-'))
        })
    })
}

/// Whether `value` is one literal scalar: no expression, reference,
/// template, anchor, tag or collection that a fix would silently drop.
fn is_literal(value: &str, syntax: Syntax) -> bool {
    if value.is_empty() || value.contains('\n') {
        return false;
    }
    let quoted = |q: char| {
        value.len() >= 2
            && value.starts_with(q)
            && value.ends_with(q)
            && !value[1..value.len() - 1].contains(q)
            && !value.contains("${")
            && !value.contains("%{")
            && !value.contains("{{")
            && !value.contains('\\')
    };
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c));
    match syntax {
        Syntax::Hcl | Syntax::Json => {
            quoted('"') || value == "true" || value == "false" || value.parse::<i64>().is_ok()
        }
        Syntax::Yaml => quoted('"') || quoted('\'') || (plain && !value.starts_with('-')),
    }
}

/// `v` written in `syntax`, in the quotes `old` uses when it is a string.
fn render(v: &FixValue, syntax: Syntax, old: &str) -> String {
    match v {
        FixValue::Bool(b) => b.to_string(),
        FixValue::Int(i) => i.to_string(),
        FixValue::Str(s) => match syntax {
            Syntax::Hcl | Syntax::Json => format!("\"{s}\""),
            Syntax::Yaml if old.starts_with('\'') => format!("'{s}'"),
            Syntax::Yaml if old.starts_with('"') || yaml_reads_otherwise(s) => format!("\"{s}\""),
            Syntax::Yaml => s.clone(),
        },
    }
}

/// Whether a plain YAML scalar `s` would read as something other than a
/// string (a boolean, a number, null).
fn yaml_reads_otherwise(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) || s.parse::<f64>().is_ok()
        || s.contains(": ")
        || s.starts_with(['@', '`', '%', '&', '*', '!', '|', '>', '?', '-', ':'])
}

/// A comment that suppresses finding `f` (in `text`, its file's text),
/// alone on the line above the finding in that line's indentation, with an
/// empty reason for the person to give (until they do, the comment itself
/// is reported) and `until`: a suggestion, never applied by `--fix`. `None`
/// for a file without `#` comments (JSON, Markdown) or a finding on no line.
pub fn suppression(f: &Finding, text: &str, until: &str) -> Option<Fix> {
    let name = f
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&f.path)
        .to_ascii_lowercase();
    let hash_comments = [".tf", ".tofu", ".tfvars", ".hcl", ".yaml", ".yml"]
        .iter()
        .any(|e| name.ends_with(e))
        || name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("containerfile");
    if !hash_comments || f.location.start_line == 0 {
        return None;
    }
    let at = f.span.map_or(0, |s| s.start).min(text.len());
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    // a YAML list item's comment lines up with the item's content
    let rest = &text[line_start + indent.len()..];
    let indent = if rest.starts_with("- ") && !name.ends_with(".tf") {
        format!("{indent}  ")
    } else {
        indent
    };
    Some(Fix {
        rule: f.rule.id.clone(),
        path: f.path.clone(),
        title: format!("suppress {} here (give the reason)", f.rule.id),
        edits: vec![Edit {
            span: Span::new(line_start, line_start),
            text: format!(
                "{indent}# soclint:ignore {} reason=\"\" until={until}\n",
                f.rule.id
            ),
        }],
    })
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01.
pub fn date_of(days: i64) -> String {
    let d = time::Date::from_calendar_date(1970, time::Month::January, 1)
        .ok()
        .and_then(|epoch| epoch.checked_add(time::Duration::days(days)))
        .unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// What applying fixes did.
#[derive(Debug, Default)]
pub struct Applied {
    pub text: String,
    /// Indices (into the fixes given) that were applied.
    pub applied: Vec<usize>,
}

/// Applies `fixes` (all on one text) in order of position; a fix whose
/// edits overlap or touch an edit already taken is left out (the next
/// pass, on the new text, can take it), as ruff and oxc do.
pub fn apply(text: &str, fixes: &[Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| fixes[i].edits.first().map(|e| (e.span.start, e.span.end)));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let clashes = fixes[i].edits.iter().any(|e| {
            e.span.end > text.len()
                || !text.is_char_boundary(e.span.start)
                || !text.is_char_boundary(e.span.end)
                || taken
                    .iter()
                    .any(|t| e.span.start <= t.span.end && t.span.start <= e.span.end)
        });
        if clashes {
            continue;
        }
        taken.extend(fixes[i].edits.iter());
        applied.push(i);
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in taken {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    applied.sort_unstable();
    Applied { text: out, applied }
}

/// A unified diff of `old` and `new` for `path`, as `git diff` prints one.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_literals_are_checked_on_the_text() {
        let t = "  publicly_accessible = true # why\n";
        let at = t.find("true").expect("value");
        assert!(written_at_key(t, at, "publicly_accessible", Syntax::Hcl));
        assert!(!written_at_key(t, at, "accessible", Syntax::Hcl));
        let y = "      - {name: a, securityContext: {privileged: true}}\n";
        let at = y.find("true").expect("value");
        assert!(written_at_key(y, at, "privileged", Syntax::Yaml));
        assert!(is_literal("true", Syntax::Yaml));
        assert!(is_literal("\"public-read\"", Syntax::Hcl));
        assert!(!is_literal("var.acl", Syntax::Hcl));
        assert!(!is_literal("\"${var.acl}\"", Syntax::Hcl));
        assert!(!is_literal("*anchor", Syntax::Yaml));
        assert_eq!(
            render(&FixValue::Str("private".into()), Syntax::Yaml, "'x'"),
            "'private'"
        );
        assert_eq!(
            render(&FixValue::Str("true".into()), Syntax::Yaml, "x"),
            "\"true\""
        );
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(date_of(0), "1970-01-01");
        // 2025-11-25 and 90 days on
        assert_eq!(date_of(20_417), "2025-11-25");
        assert_eq!(date_of(20_417 + 90), "2026-02-23");
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let fix = |s: usize, e: usize, t: &str| Fix {
            rule: "R".into(),
            path: "f".into(),
            title: String::new(),
            edits: vec![Edit {
                span: Span::new(s, e),
                text: t.into(),
            }],
        };
        let a = apply("abcdef", &[fix(4, 5, "E"), fix(0, 2, "AB"), fix(2, 3, "C")]);
        assert_eq!(a.text, "ABcdEf");
        assert_eq!(a.applied, [0, 1]);
    }
}
