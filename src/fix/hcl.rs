//! Adding an absent attribute to a Terraform block, in the block's own
//! indentation and, when the attribute lines before it align their `=`, in
//! that alignment (as `terraform fmt` writes them).
use hcl_edit::Span as _;

use super::Edit;
use crate::document::Span;

/// The edits adding `key = value` as the last attribute of the top-level
/// block whose span holds byte `at` (and realigning the attributes above
/// it as `terraform fmt` would); `None` when there is no such block,
/// it already has the key (set by an expression the fix cannot judge), or
/// its closing brace does not stand on its own line.
pub fn insert_attribute(text: &str, at: usize, key: &str, value: &str) -> Option<Vec<Edit>> {
    if text.starts_with('\u{feff}') {
        return None;
    }
    let body = hcl_edit::parser::parse_body(text).ok()?;
    let block = body
        .blocks()
        .find(|b| b.span().is_some_and(|s| s.contains(&at)))?;
    if block.body.get_attribute(key).is_some()
        || block.body.blocks().any(|b| b.ident.as_str() == key)
    {
        return None;
    }
    let span = block.span()?;
    let close = span.end.checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let close_line = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let close_indent = &text[close_line..close];
    if !close_indent.chars().all(|c| c == ' ' || c == '\t') || close_line <= span.start {
        return None;
    }
    // the indentation of the block's attributes, else one level more
    let indent = block
        .body
        .attributes()
        .filter_map(|a| a.span())
        .map(|s| {
            let ls = text[..s.start].rfind('\n').map_or(0, |i| i + 1);
            &text[ls..s.start]
        })
        .find(|i| i.chars().all(|c| c == ' ' || c == '\t'))
        .map_or_else(|| format!("{close_indent}  "), str::to_string);
    // after the last attribute (nested blocks such as `lifecycle` stay
    // last, as `terraform fmt` users keep them), else before the `}`
    let at_line = block
        .body
        .attributes()
        .filter_map(|a| a.span())
        .map(|s| s.end)
        .max()
        .and_then(|end| text[end..close].find('\n').map(|i| end + i + 1))
        .unwrap_or(close_line);
    // `terraform fmt` aligns the `=` of consecutive one-line attributes:
    // the new line joins the run right above it, and when its key is the
    // longest the run moves right with it
    let run = aligned_run(text, at_line, &indent);
    let mut edits = Vec::new();
    let pad = match &run {
        Some(lines) => {
            let width = lines
                .iter()
                .map(|l| l.name_len)
                .max()
                .unwrap_or(0)
                .max(key.len());
            for l in lines {
                if l.eq_col != width + 1 {
                    edits.push(Edit {
                        span: Span::new(l.name_end, l.name_end + (l.eq_col - l.name_len)),
                        text: " ".repeat(width + 1 - l.name_len),
                    });
                }
            }
            width + 1 - key.len()
        }
        None => 1,
    };
    edits.push(Edit {
        span: Span::new(at_line, at_line),
        text: format!("{indent}{key}{}= {value}\n", " ".repeat(pad)),
    });
    edits.sort_by_key(|e| e.span.start);
    Some(edits)
}

/// One `name = value` line of a run `terraform fmt` aligns.
struct AttrLine {
    /// Byte where the name ends.
    name_end: usize,
    name_len: usize,
    /// Column of `=` after the indentation.
    eq_col: usize,
}

/// The one-line attributes right above the line at `at_line`, up to a
/// blank line or anything else, when their `=` stand in one column (the
/// file is formatted); `None` when there are none or they are not aligned
/// (the new line then gets one space, as anywhere unformatted).
fn aligned_run(text: &str, at_line: usize, indent: &str) -> Option<Vec<AttrLine>> {
    let mut lines = Vec::new();
    let mut end = at_line;
    while end > 0 {
        let start = super::text::line_start(text, end - 1);
        let line = text[start..end - 1].trim_end_matches('\r');
        let Some(rest) = line.strip_prefix(indent) else {
            break;
        };
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let after = &rest[name_len..];
        let spaces = after.len() - after.trim_start_matches(' ').len();
        let value = after.trim_start_matches(' ');
        let one_line = value.starts_with('=')
            && !value.starts_with("==")
            && !value.trim_end().ends_with(['{', '[', '(']);
        if name_len == 0 || !one_line || rest.starts_with(' ') {
            break;
        }
        lines.push(AttrLine {
            name_end: start + indent.len() + name_len,
            name_len,
            eq_col: name_len + spaces,
        });
        end = start;
    }
    let eq_col = lines.first()?.eq_col;
    let widest = lines.iter().map(|l| l.name_len).max()?;
    let aligned = lines.iter().all(|l| l.eq_col == eq_col) && eq_col == widest + 1;
    aligned.then_some(lines)
}

/// The edit removing the attribute `key` whose value holds byte `at`, in
/// any block of the file: its whole lines (a comment on them included);
/// `None` when something else shares those lines.
pub fn remove_attribute(text: &str, at: usize, key: &str) -> Option<Edit> {
    if text.starts_with('\u{feff}') {
        return None;
    }
    let body = hcl_edit::parser::parse_body(text).ok()?;
    let span = find_attribute(&body, at, key)?;
    let start = super::text::line_start(text, span.start);
    let end = super::text::after_line(text, span.end).unwrap_or(text.len());
    let rest = text[span.end..end].trim_start();
    let alone = text[start..span.start]
        .chars()
        .all(|c| c == ' ' || c == '\t')
        && (rest.is_empty() || rest.starts_with('#') || rest.starts_with("//"));
    alone.then(|| Edit {
        span: Span::new(start, end),
        text: String::new(),
    })
}

fn find_attribute(
    body: &hcl_edit::structure::Body,
    at: usize,
    key: &str,
) -> Option<std::ops::Range<usize>> {
    for a in body.attributes() {
        if let Some(s) = a.span() {
            if s.contains(&at) && a.key.as_str() == key {
                return Some(s);
            }
        }
    }
    body.blocks()
        .filter(|b| b.span().is_some_and(|s| s.contains(&at)))
        .find_map(|b| find_attribute(&b.body, at, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(e.span.start..e.span.end, &e.text);
        }
        out
    }

    #[test]
    fn added_in_the_block_indentation_and_alignment() {
        let t = "# db\nresource \"aws_db_instance\" \"a\" {\n  engine         = \"mysql\" # comment\n  instance_class = \"db.t3.micro\"\n}\n\nresource \"x\" \"y\" {}\n";
        let e = insert_attribute(t, 6, "deletion_protection", "true").expect("edit");
        assert_eq!(
            apply(t, &e),
            "# db\nresource \"aws_db_instance\" \"a\" {\n  engine              = \"mysql\" # comment\n  instance_class      = \"db.t3.micro\"\n  deletion_protection = true\n}\n\nresource \"x\" \"y\" {}\n"
        );
        // an unaligned run is not aligned by the fix either
        let u = "resource \"a\" \"b\" {\n  engine = \"mysql\"\n  instance_class = \"x\"\n}\n";
        let e = insert_attribute(u, 0, "ha", "true").expect("edit");
        assert_eq!(
            apply(u, &e),
            "resource \"a\" \"b\" {\n  engine = \"mysql\"\n  instance_class = \"x\"\n  ha = true\n}\n"
        );
        let short = insert_attribute(t, 6, "ha", "true").expect("edit");
        assert_eq!(short[0].text, "  ha             = true\n");
        // nested blocks stay after the attributes
        let t2 = "resource \"a\" \"b\" {\n  name = \"n\" # c\n  tags = {\n    a = 1\n  }\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        let e = insert_attribute(t2, 0, "enable_key_rotation", "true").expect("edit");
        assert_eq!(
            apply(t2, &e),
            "resource \"a\" \"b\" {\n  name = \"n\" # c\n  tags = {\n    a = 1\n  }\n  enable_key_rotation = true\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        );
        // a block on one line, or one that has the key, is left alone
        assert_eq!(insert_attribute(t, t.len() - 3, "ha", "true"), None);
        assert_eq!(insert_attribute(t, 6, "engine", "\"pg\""), None);
    }
}
