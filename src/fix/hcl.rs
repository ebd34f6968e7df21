//! Adding an absent attribute to a Terraform block, in the block's own
//! indentation and, when the attribute lines before it align their `=`, in
//! that alignment (as `terraform fmt` writes them).
use hcl_edit::Span as _;

use super::Edit;
use crate::document::Span;

/// The edit adding `key = value` as the last attribute of the top-level
/// block whose span holds byte `at`; `None` when there is no such block,
/// it already has the key (set by an expression the fix cannot judge), or
/// its closing brace does not stand on its own line.
pub fn insert_attribute(text: &str, at: usize, key: &str, value: &str) -> Option<Edit> {
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
    // the line before: an attribute whose `=` sits further right sets the column
    let prev_end = at_line.saturating_sub(1);
    let prev_start = text[..prev_end].rfind('\n').map_or(0, |i| i + 1);
    let prev = &text[prev_start..prev_end];
    let eq_col = prev.strip_prefix(indent.as_str()).and_then(|rest| {
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .filter(|&n| n > 0)?;
        let after = &rest[name_len..];
        let spaces = after.len() - after.trim_start_matches(' ').len();
        after
            .trim_start_matches(' ')
            .starts_with('=')
            .then_some(name_len + spaces)
    });
    let pad = match eq_col {
        Some(col) if col > key.len() => col - key.len(),
        _ => 1,
    };
    Some(Edit {
        span: Span::new(at_line, at_line),
        text: format!("{indent}{key}{}= {value}\n", " ".repeat(pad)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: &Edit) -> String {
        format!("{}{}{}", &text[..e.span.start], e.text, &text[e.span.end..])
    }

    #[test]
    fn added_in_the_block_indentation_and_alignment() {
        let t = "# db\nresource \"aws_db_instance\" \"a\" {\n  engine         = \"mysql\" # comment\n  instance_class = \"db.t3.micro\"\n}\n\nresource \"x\" \"y\" {}\n";
        let e = insert_attribute(t, 6, "deletion_protection", "true").expect("edit");
        assert_eq!(
            apply(t, &e),
            "# db\nresource \"aws_db_instance\" \"a\" {\n  engine         = \"mysql\" # comment\n  instance_class = \"db.t3.micro\"\n  deletion_protection = true\n}\n\nresource \"x\" \"y\" {}\n"
        );
        let short = insert_attribute(t, 6, "ha", "true").expect("edit");
        assert_eq!(short.text, "  ha             = true\n");
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
