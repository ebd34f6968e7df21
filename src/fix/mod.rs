//! Fixes: a rule's `fix` data turned into minimal text edits on the file a
//! finding is in, and edits applied with everything else copied verbatim
//! (which is what keeps formatting and comments).
//!
//! A fix is built only when it is unambiguous: the offending value is a
//! literal written at the key the fix sets (checked on the text itself), or
//! the key is absent and the subject the rule tested is found again in the
//! file (a Terraform block; a YAML mapping or JSON object found by parsing
//! and extracting the file as the scan did). A value set elsewhere (a
//! variable, a module argument), a rendered template, an expression, a flow
//! mapping or a merge key gets no fix. A suggestion (a placeholder only a
//! person can fill) is built the same way and marked, never applied.
mod dockerfile;
pub mod expected;
mod hcl;
mod json;
mod subject;
mod text;
mod yaml;

use crate::document::Span;
use crate::finding::{Finding, Role};
use crate::rules::{Fix as RuleFix, FixAction, FixValue};

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
    /// For a person: "set `publicly_accessible` to false".
    pub title: String,
    /// Sorted, not overlapping.
    pub edits: Vec<Edit>,
    /// Shown, never applied by `--fix`: it holds a placeholder or needs a
    /// person's words (a suppression's reason).
    pub suggestion: bool,
}

/// The syntax a file is written in, as far as fixes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Hcl,
    Yaml,
    Json,
    Dockerfile,
}

fn syntax_of(path: &str) -> Option<Syntax> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".tf.json") || lower.ends_with(".tofu.json") || lower.ends_with(".json") {
        Some(Syntax::Json)
    } else if lower.ends_with(".tf") || lower.ends_with(".tofu") {
        Some(Syntax::Hcl)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Syntax::Yaml)
    } else if crate::discover::classify_name(path)
        == crate::discover::NameClass::Known(crate::discover::FileKind::Dockerfile)
    {
        Some(Syntax::Dockerfile)
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
    let span = f.span()?;
    if let Some(p) = &fix.unless_file_matches {
        if regex::Regex::new(p).map_or(true, |re| re.is_match(text)) {
            return None;
        }
    }
    if let Some(cond) = &fix.when {
        let holds = matches!(syntax, Syntax::Yaml | Syntax::Json | Syntax::Dockerfile)
            && subject::Parsed::of(f, text).is_some_and(|p| p.holds(f, cond, text));
        if !holds {
            return None;
        }
    }
    let edits = match &fix.action {
        FixAction::Set { path, value } => set(f, fix, text, syntax, span, path, value)?,
        FixAction::Remove { path } => vec![remove(f, text, syntax, span, path)?],
        FixAction::Replace { pattern, with } => vec![replace(text, syntax, span, pattern, with)?],
    };
    Some(Fix {
        rule: f.rule.id.clone(),
        path: f.path.to_string(),
        title: fix.title(),
        edits,
        suggestion: fix.suggestion,
    })
}

/// `set`: the literal replaced where it is written; else the key added to
/// the subject (HCL: a top-level attribute of the block).
fn set(
    f: &Finding,
    fix: &RuleFix,
    text: &str,
    syntax: Syntax,
    span: Span,
    path: &[String],
    value: &FixValue,
) -> Option<Vec<Edit>> {
    let key = path.last()?;
    if let FixValue::From(from) = value {
        // a name the subject itself holds (the user a stage creates)
        let parsed = subject::Parsed::of(f, text)?;
        let node = parsed.subject(f)?;
        let name = from_path(node, from)?;
        if syntax == Syntax::Dockerfile && path.len() == 1 && key == "user" {
            return dockerfile::set_user(text, node, &name).map(|e| vec![e]);
        }
        let value = FixValue::Str(name);
        return set(f, fix, text, syntax, span, path, &value);
    }
    if syntax == Syntax::Dockerfile {
        return None;
    }
    if written_at_key(text, span.start, key, syntax) {
        let old = text.get(span.start..span.end)?;
        if matches!(value, FixValue::Map(_)) || !is_literal(old, syntax) {
            return None;
        }
        let new = in_style_of(old, render(value, syntax, old), f.rule.target, syntax);
        return (new != old).then(|| vec![Edit { span, text: new }]);
    }
    match syntax {
        Syntax::Hcl if path.len() == 1 && !matches!(value, FixValue::Map(_)) => {
            hcl::insert_attribute(text, span.start, key, &render(value, syntax, ""))
        }
        Syntax::Hcl | Syntax::Dockerfile => None,
        Syntax::Yaml | Syntax::Json => {
            let parsed = subject::Parsed::of(f, text)?;
            let mut node = parsed.subject(f)?;
            for (i, k) in path.iter().enumerate() {
                match node.entry(k) {
                    // an alias or merged entry is written elsewhere, shared
                    Some(e)
                        if !within(node.span, e.key_span) || !within(node.span, e.value.span) =>
                    {
                        return None
                    }
                    Some(e) if i + 1 < path.len() => node = &e.value,
                    // there, but not as a literal at the finding
                    Some(_) => return None,
                    None if syntax == Syntax::Yaml => {
                        let step = yaml::step(text, parsed.docs());
                        let before = fix.before.as_deref();
                        return yaml::add(text, node, &path[i..], value, before, step)
                            .map(|e| vec![e]);
                    }
                    None => {
                        return json::add(text, node, &path[i..], value, fix.before.as_deref())
                            .map(|e| vec![e])
                    }
                }
            }
            None
        }
    }
}

/// The last plain name (letters, digits, `_-.`) the path reaches in `node`.
fn from_path(node: &crate::document::Node, path: &[String]) -> Option<String> {
    let mut at = node;
    for k in path {
        at = at.get(k)?;
    }
    let last = match at.as_list() {
        Some(items) => items.last()?,
        None => at,
    };
    let name = last.as_str()?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    plain.then(|| name.to_string())
}

/// Whether `inner` lies in `outer`.
fn within(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// `remove`: the key whose value the finding points at, with its lines.
fn remove(f: &Finding, text: &str, syntax: Syntax, span: Span, path: &[String]) -> Option<Edit> {
    let key = path.last()?;
    if !written_at_key(text, span.start, key, syntax) {
        return None;
    }
    match syntax {
        Syntax::Hcl => hcl::remove_attribute(text, span.start, key),
        Syntax::Dockerfile => None,
        Syntax::Yaml | Syntax::Json => {
            let parsed = subject::Parsed::of(f, text)?;
            // the mappings down the path, each with the key taken from it
            let mut chain = vec![(parsed.subject(f)?, key.as_str())];
            for k in &path[..path.len() - 1] {
                let holder = chain.last()?.0;
                if let Some(last) = chain.last_mut() {
                    last.1 = k.as_str();
                }
                chain.push((holder.get(k)?, key.as_str()));
            }
            let (map, _) = *chain.last()?;
            // the key the fix names must be the value the finding points at
            if map.get(key)?.span != span {
                return None;
            }
            // a mapping left empty goes too (`env:` with nothing under it
            // would be null, which is not what it was)
            let (map, key) = match (map.as_map().map(<[_]>::len), chain.len()) {
                (Some(1), n) if n >= 2 => chain[n - 2],
                _ => (map, key.as_str()),
            };
            if syntax == Syntax::Yaml {
                yaml::remove(text, map, key)
            } else {
                json::remove(text, map, key)
            }
        }
    }
}

/// `replace`: the matches of `pattern` in the offending literal rewritten.
fn replace(text: &str, syntax: Syntax, span: Span, pattern: &str, with: &str) -> Option<Edit> {
    let old = text.get(span.start..span.end)?;
    if !is_literal(old, syntax) {
        return None;
    }
    let re = regex::Regex::new(pattern).ok()?;
    let new = re.replace_all(old, with).into_owned();
    (new != old).then_some(Edit { span, text: new })
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
        Syntax::Dockerfile => return false,
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
        Syntax::Dockerfile => false,
    }
}

/// `new` (a literal in its plain form) written as `old` was: a YAML
/// boolean keeps its capitals (`True` becomes `False`), and in
/// CloudFormation and ARM templates, which read `"true"` as `true`, a quoted
/// boolean or number stays quoted (`"PubliclyAccessible": "false"`), the
/// convention of the file.
fn in_style_of(old: &str, new: String, target: crate::target::Target, syntax: Syntax) -> String {
    use crate::target::Target;
    let scalar = new == "true" || new == "false" || new.parse::<i64>().is_ok();
    if !scalar {
        return new;
    }
    let quote = old.chars().next().filter(|q| *q == '"' || *q == '\'');
    match quote {
        Some(q) if matches!(target, Target::Cloudformation | Target::Arm) => format!("{q}{new}{q}"),
        Some(_) => new,
        None if syntax == Syntax::Yaml && (new == "true" || new == "false") => {
            if old == old.to_ascii_uppercase() && old.len() > 1 {
                new.to_ascii_uppercase()
            } else if old.starts_with(|c: char| c.is_ascii_uppercase()) {
                let mut c = new.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or(new)
            } else {
                new
            }
        }
        None => new,
    }
}

/// `v` written in `syntax`, in the quotes `old` uses when it is a string.
fn render(v: &FixValue, syntax: Syntax, old: &str) -> String {
    match v {
        FixValue::Bool(b) => b.to_string(),
        FixValue::Int(i) => i.to_string(),
        FixValue::Map(_) | FixValue::From(_) => v.display(),
        FixValue::Str(s) => match syntax {
            Syntax::Hcl | Syntax::Json => format!("\"{s}\""),
            Syntax::Dockerfile => s.clone(),
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
/// alone on the line above the finding in that line's indentation, in the
/// file's comment syntax (`#`; `<!-- -->` in a Markdown policy's body, `#` in
/// its front matter; `//` in an ARM template), with an empty reason for the
/// person to give (until they do, the comment itself is reported) and
/// `until`: a suggestion, never applied by `--fix`. `None` where no comment
/// can go: a file without comments (JSON), a finding on no line or on a
/// Markdown file's first line (its front matter opens there); a waiver
/// ([`waiver`]) accepts those.
pub fn suppression(f: &Finding, text: &str, until: &str) -> Option<Fix> {
    let name = f
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&f.path)
        .to_ascii_lowercase();
    if f.location.start_line == 0 {
        return None;
    }
    let at = f.span().map_or(0, |s| s.start).min(text.len());
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let hash = [".tf", ".tofu", ".tfvars", ".hcl", ".yaml", ".yml"]
        .iter()
        .any(|e| name.ends_with(e))
        || name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("containerfile");
    let markdown = name.ends_with(".md") || name.ends_with(".markdown");
    let body = format!("soclint:ignore {} reason=\"\" until={until}", f.rule.id);
    let comment = if hash {
        format!("# {body}")
    } else if markdown {
        // the front matter opens on the first line: nothing goes above it
        if line_start == 0 {
            return None;
        }
        if in_front_matter(text, line_start) {
            format!("# {body}")
        } else {
            format!("<!-- {body} -->")
        }
    } else if f.rule.target == crate::target::Target::Arm {
        // ARM reads JavaScript-style comments in its JSON
        format!("// {body}")
    } else {
        return None;
    };
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    // a YAML list item's comment lines up with the item's content
    let rest = &text[line_start + indent.len()..];
    let indent = if rest.starts_with("- ") && !name.ends_with(".tf") && !markdown {
        format!("{indent}  ")
    } else {
        indent
    };
    Some(Fix {
        rule: f.rule.id.clone(),
        path: f.path.to_string(),
        title: format!("suppress {} here (give the reason)", f.rule.id),
        edits: vec![Edit {
            span: Span::new(line_start, line_start),
            text: format!("{indent}{comment}\n"),
        }],
        suggestion: true,
    })
}

/// Whether a line inserted at `line_start` lies inside the front matter
/// (`---` on the first line, to the next `---` line) of a Markdown `text`.
fn in_front_matter(text: &str, line_start: usize) -> bool {
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    let mut at = text.split_inclusive('\n').next().map_or(0, str::len);
    for line in lines {
        if at >= line_start {
            return true;
        }
        if line.trim_end() == "---" {
            return false;
        }
        at += line.len();
    }
    false
}

/// A `[[waiver]]` for soclint.toml that accepts finding `f`, its path `rel`
/// relative to the config's directory: for files without comments, and
/// findings no comment can reach. The path is escaped as a glob and every
/// value written as a TOML string, so a file's name cannot add keys.
pub fn waiver(f: &Finding, rel: &str, until: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "\n[[waiver]]\nrule = {}\npath = {}\n",
        quote(&f.rule.id),
        quote(&globset::escape(rel))
    );
    if !f.resource.is_empty() {
        out.push_str(&format!("resource = {}\n", quote(&f.resource)));
    }
    out.push_str(&format!("reason = \"\"\nexpires = {}\n", quote(until)));
    out
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
    fn front_matter_is_told_from_the_body() {
        let text = "---\ntitle: x\nowner: y\n---\n# Body\n";
        let starts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        // above title, owner and the closing line: inside; the body: outside
        let inside: Vec<bool> = starts.iter().map(|&s| in_front_matter(text, s)).collect();
        assert_eq!(inside, [true, true, true, false, false]);
        assert!(!in_front_matter("# no front matter\ntext\n", 18));
    }

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
            suggestion: false,
        };
        let a = apply("abcdef", &[fix(4, 5, "E"), fix(0, 2, "AB"), fix(2, 3, "C")]);
        assert_eq!(a.text, "ABcdEf");
        assert_eq!(a.applied, [0, 1]);
    }
}
