//! HCL (hcl-edit) → Node, in the shape of Terraform's JSON syntax.
//!
//! * The file body is a map spanning the whole file.
//! * `name = expr` is an entry `name` whose key span is the identifier.
//! * `type "l1" "l2" { … }` is an entry `type` → `{ l1: { l2: body } }`; labeled
//!   blocks are never merged, so a body may hold several `resource` entries.
//! * Unlabeled blocks appearing once are an entry `ident: body`; repeated
//!   ones become one entry whose value is the list of bodies.
//! * Literals become scalars, arrays lists and objects maps; everything that is
//!   not known statically is an [`Expr`] carrying its exact source text (for a
//!   string that is one interpolation, `"${x.y}"`, the inner text `x.y`).
use super::{Entry, Expr, Limits, Node, ParseError, Span, Value};
use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;
use std::collections::HashMap;
use std::ops::Range;

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    // hcl-edit parses recursively: reject hostile nesting before it sees it.
    check_depth(text, limits.max_depth)?;
    // an object literal may repeat a key (the last one counts): `text` is
    // then a copy with the earlier items blanked, offsets unchanged
    let (body, text) = super::hcl_keys::parse_body(text).map_err(|e| parse_error(text, &e))?;
    let text: &str = &text;
    let cx = Converter { text, limits };
    let entries = cx.body(&body, 0)?;
    let doc = Node::map(entries, Span::new(0, text.len()));
    check_nodes(&doc, limits.max_nodes, &mut 0)?;
    Ok(doc)
}

/// `--max-nodes` as for YAML and JSON: errors at the first node past
/// `max` in document order. Counted on the converted tree (hcl-edit's own
/// tree is already built, within `--max-file-size`); what is not known
/// statically is one node however long its text.
fn check_nodes(node: &Node, max: usize, count: &mut usize) -> Result<(), ParseError> {
    *count += 1;
    if *count > max {
        return Err(ParseError::new(
            node.span,
            format!("document exceeds {max} nodes"),
        ));
    }
    match &node.value {
        Value::List(items) => items.iter().try_for_each(|n| check_nodes(n, max, count)),
        Value::Map(entries) => entries
            .iter()
            .try_for_each(|e| check_nodes(&e.value, max, count)),
        _ => Ok(()),
    }
}

fn parse_error(text: &str, e: &hcl_edit::parser::Error) -> ParseError {
    let mut start = e.location().offset().min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    let message = e.message().lines().next().unwrap_or("invalid HCL").trim();
    let message = if message.is_empty() {
        "invalid HCL"
    } else {
        message
    };
    ParseError::new(Span::new(start, end), message)
}

fn too_deep(span: Span, max: usize) -> ParseError {
    ParseError::new(span, format!("nesting deeper than {max} levels"))
}

// ---------------------------------------------------------------------------
// Depth pre-scan
// ---------------------------------------------------------------------------

enum Frame<'a> {
    /// `[`, `{`, `(` in code, or a `${`/`%{` template sequence. `risky`: opened
    /// where a binary operator was already seen in the same item of the
    /// enclosing code (see [`MAX_OPERAND_DEPTH`]); `op`: a binary operator has
    /// been seen in the current item inside this frame.
    Open { risky: bool, op: bool },
    /// Inside a quoted string.
    Str,
    /// Inside a heredoc body ending at a line holding only the delimiter.
    Heredoc(&'a str),
}

/// Most brackets/template sequences nested inside operator expressions.
///
/// hcl-edit 0.10 parses a term that follows the second (or later) binary
/// operator of a chain twice when that term fails to parse (`binary_ops`
/// backtracks, then the expression loop retries the operator), so input such
/// as `x = ( a > b > ( a > b > ( …` takes time exponential in the nesting
/// (found by the `parse_hcl` fuzz target: 25 levels, 250 bytes, ran for
/// minutes). Each frame opened after an operator may double the work, so we
/// bound how many of them nest: 2^8 keeps the worst case to milliseconds per
/// expression, and real Terraform rarely nests two.
const MAX_OPERAND_DEPTH: usize = 8;

/// Counts bracket nesting outside strings, heredoc text and comments (template
/// sequences `${ }`/`%{ }` count as a level); errors on the first opening that
/// goes deeper than `max`, or that nests more than [`MAX_OPERAND_DEPTH`]
/// levels after binary operators. Tolerant of malformed input: it never errors
/// for anything but depth, the parser reports everything else.
fn check_depth(text: &str, max: usize) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    // operator seen in the current item at the top level (outside any frame)
    let mut top_op = false;
    // frames on the stack opened after an operator
    let mut operand_depth = 0usize;
    let open = |stack: &mut Vec<Frame<'_>>,
                depth: &mut usize,
                operand_depth: &mut usize,
                top_op: bool,
                at: usize,
                len: usize| {
        // the nearest enclosing code frame decides (a `${` in a string belongs
        // to the expression around the string)
        let risky = stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Open { op, .. } => Some(*op),
                _ => None,
            })
            .unwrap_or(top_op);
        *depth += 1;
        *operand_depth += usize::from(risky);
        stack.push(Frame::Open { risky, op: false });
        if *depth > max {
            Err(too_deep(Span::new(at, at + len), max))
        } else if *operand_depth > MAX_OPERAND_DEPTH {
            Err(ParseError::new(
                Span::new(at, at + len),
                format!(
                    "expression too complex: brackets nested more than \
                     {MAX_OPERAND_DEPTH} levels deep inside operator expressions"
                ),
            ))
        } else {
            Ok(())
        }
    };
    while i < b.len() {
        // most bytes (names, values, spaces) change nothing: skip them in a
        // tight loop (this scan was a third of the cost of parsing HCL)
        let plain = match stack.last() {
            Some(Frame::Str) => &STRING_PLAIN,
            Some(Frame::Heredoc(_)) => &NOTHING_PLAIN,
            _ => &CODE_PLAIN,
        };
        while i < b.len() && plain[usize::from(b[i])] {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        match stack.last() {
            Some(Frame::Str) => match b[i] {
                b'\\' => i += 2,
                b'"' | b'\n' => {
                    stack.pop();
                    i += 1;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b[i]) => i += 2,
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    open(&mut stack, &mut depth, &mut operand_depth, top_op, i, 2)?;
                    i += 2;
                }
                _ => i += 1,
            },
            Some(Frame::Heredoc(delim)) => {
                if i == 0 || b[i - 1] == b'\n' {
                    let line_end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                    if text[i..line_end].trim() == *delim {
                        stack.pop();
                        i = line_end;
                        continue;
                    }
                }
                match b[i] {
                    b'$' | b'%' if b.get(i + 1) == Some(&b[i]) => i += 2,
                    b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                        open(&mut stack, &mut depth, &mut operand_depth, top_op, i, 2)?;
                        i += 2;
                    }
                    _ => i += 1,
                }
            }
            Some(Frame::Open { .. }) | None => match b[i] {
                b'"' => {
                    stack.push(Frame::Str);
                    i += 1;
                }
                b'#' => i = skip_line(b, i),
                b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                }
                b'<' if b.get(i + 1) == Some(&b'<') => {
                    let mut j = i + 2;
                    if b.get(j) == Some(&b'-') {
                        j += 1;
                    }
                    let id_start = j;
                    while j < b.len()
                        && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-')
                    {
                        j += 1;
                    }
                    let delim = &text[id_start..j];
                    let nl = if b.get(j) == Some(&b'\r') { j + 1 } else { j };
                    if !delim.is_empty() && b.get(nl) == Some(&b'\n') {
                        stack.push(Frame::Heredoc(delim));
                        i = nl + 1;
                    } else {
                        i += 2;
                    }
                }
                b'[' | b'{' | b'(' => {
                    open(&mut stack, &mut depth, &mut operand_depth, top_op, i, 1)?;
                    i += 1;
                }
                b']' | b'}' | b')' => {
                    if let Some(Frame::Open { risky, .. }) = stack.last() {
                        operand_depth -= usize::from(*risky);
                        stack.pop();
                        depth -= 1;
                    }
                    i += 1;
                }
                c => {
                    // Binary (and `!`) operators mark the current item; a
                    // plain `=` (attribute or object item) or `,` starts a
                    // new one. `=>` (for expressions) is not an operator.
                    // Over-approximate: `-` may be part of an identifier.
                    let prev = if i > 0 { b[i - 1] } else { 0 };
                    let next = b.get(i + 1).copied().unwrap_or(0);
                    let mark = match c {
                        b'<' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'!' => Some(true),
                        b'>' => Some(prev != b'='),
                        b'=' if matches!(prev, b'=' | b'!' | b'<' | b'>') || next == b'=' => {
                            Some(true)
                        }
                        b'=' if next == b'>' => None,
                        b'=' | b',' => Some(false),
                        _ => None,
                    };
                    if let Some(mark) = mark {
                        match stack.last_mut() {
                            Some(Frame::Open { op, .. }) => *op = mark,
                            _ => top_op = mark,
                        }
                    }
                    i += 1;
                }
            },
        }
    }
    Ok(())
}

/// Bytes the depth scan does nothing with in code (every byte it matches on
/// below is left out), inside a quoted string, and (none) in heredoc text.
static CODE_PLAIN: [bool; 256] = plain_bytes(b"\"#/<[{(]})+-*%&|!>=,");
static STRING_PLAIN: [bool; 256] = plain_bytes(b"\\\"\n$%");
static NOTHING_PLAIN: [bool; 256] = [false; 256];

const fn plain_bytes(special: &[u8]) -> [bool; 256] {
    let mut table = [true; 256];
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = false;
        i += 1;
    }
    table
}

fn skip_line(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n)
}

// ---------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------

struct Converter<'a> {
    text: &'a str,
    limits: &'a Limits,
}

impl Converter<'_> {
    /// The span of a parsed item, trimmed of any surrounding whitespace.
    fn span(&self, range: Option<Range<usize>>) -> Span {
        let Some(r) = range else {
            return Span::default();
        };
        let end = r.end.min(self.text.len());
        let start = r.start.min(end);
        let Some(slice) = self.text.get(start..end) else {
            return Span::new(start, end);
        };
        let lead = slice.len() - slice.trim_start().len();
        let trail = slice.len() - slice.trim_end().len();
        if lead + trail >= slice.len() {
            return Span::new(start, end);
        }
        Span::new(start + lead, end - trail)
    }

    fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn check(&self, depth: usize, span: Span) -> Result<(), ParseError> {
        if depth > self.limits.max_depth {
            Err(too_deep(span, self.limits.max_depth))
        } else {
            Ok(())
        }
    }

    /// `depth` counts the bracketed containers enclosing this body.
    fn body(&self, body: &Body, depth: usize) -> Result<Vec<Entry>, ParseError> {
        let mut entries: Vec<Entry> = Vec::with_capacity(body.len());
        // Unlabeled block ident → (entry index, span of the first block).
        let mut unlabeled: HashMap<&str, (usize, Span)> = HashMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => entries.push(Entry {
                    key: attr.key.as_str().to_string(),
                    key_span: self.span(attr.key.span()),
                    value: self.expr(&attr.value, depth)?,
                }),
                Structure::Block(block) if !block.labels.is_empty() => {
                    entries.push(self.labeled_block(block, depth)?)
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    let block_span = self.span(block.span());
                    let value = self.block_body(block, depth)?;
                    match unlabeled.get(ident) {
                        None => {
                            unlabeled.insert(ident, (entries.len(), block_span));
                            entries.push(Entry {
                                key: ident.to_string(),
                                key_span: self.span(block.ident.span()),
                                value,
                            });
                        }
                        Some(&(index, first_span)) => {
                            let entry = &mut entries[index];
                            let list_span = first_span.join(block_span);
                            // Block bodies are maps, so a list here is the
                            // group built by an earlier repetition.
                            match &mut entry.value.value {
                                Value::List(items) => items.push(value),
                                _ => {
                                    let first = std::mem::replace(
                                        &mut entry.value,
                                        Node::null(Span::default()),
                                    );
                                    entry.value = Node::list(vec![first, value], list_span);
                                }
                            }
                            entry.value.span = list_span;
                        }
                    }
                }
            }
        }
        Ok(entries)
    }

    /// The body of a block as a map spanning its braces.
    fn block_body(&self, block: &Block, depth: usize) -> Result<Node, ParseError> {
        let block_span = self.span(block.span());
        let after_head = block
            .labels
            .last()
            .map(|l| self.span(l.span()).end)
            .unwrap_or_else(|| self.span(block.ident.span()).end);
        let open = self.find_open_brace(after_head).unwrap_or(block_span.start);
        let span = Span::new(open, block_span.end.max(open));
        self.check(depth + 1, span)?;
        let entries = self.body(&block.body, depth + 1)?;
        Ok(Node::map(entries, span))
    }

    /// The `{` of a block body: the first one after `from`, skipping blanks
    /// and inline comments.
    fn find_open_brace(&self, from: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut i = from;
        while i < b.len() {
            match b[i] {
                b'{' => return Some(i),
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i = self.text[i + 2..].find("*/").map(|n| i + 2 + n + 2)?;
                }
                _ => return None,
            }
        }
        None
    }

    fn labeled_block(&self, block: &Block, depth: usize) -> Result<Entry, ParseError> {
        let block_span = self.span(block.span());
        // Each label is one map level, and the number of labels is not
        // bounded by any bracket: `a "l" "l" … {}` with enough labels made a
        // tree deeper than the limit (found by the parse_hcl fuzz target),
        // which recursive walks and drops would overflow on. Count them.
        let depth = depth + block.labels.len();
        self.check(depth, block_span)?;
        let mut value = self.block_body(block, depth)?;
        for label in block.labels.iter().rev() {
            let key_span = self.span(label.span());
            let key = match label {
                BlockLabel::String(s) => s.as_str().to_string(),
                BlockLabel::Ident(i) => i.as_str().to_string(),
            };
            let span = Span::new(key_span.start, block_span.end.max(key_span.start));
            value = Node::map(
                vec![Entry {
                    key,
                    key_span,
                    value,
                }],
                span,
            );
        }
        Ok(Entry {
            key: block.ident.as_str().to_string(),
            key_span: self.span(block.ident.span()),
            value,
        })
    }

    fn expr(&self, expr: &Expression, depth: usize) -> Result<Node, ParseError> {
        let span = self.span(expr.span());
        Ok(match expr {
            Expression::Null(_) => Node::null(span),
            Expression::Bool(b) => Node::new(Value::Bool(*b.value()), span),
            Expression::Number(n) => match n.as_f64() {
                Some(f) => Node::new(Value::Number(f), span),
                None => self.opaque(expr, span),
            },
            Expression::String(s) => Node::string(s.as_str(), span),
            Expression::Array(array) => {
                self.check(depth + 1, span)?;
                let items = array
                    .iter()
                    .map(|e| self.expr(e, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Node::list(items, span)
            }
            Expression::Object(object) => {
                self.check(depth + 1, span)?;
                let mut entries = Vec::with_capacity(object.len());
                for (key, value) in object.iter() {
                    let key_span = self.span(key.span());
                    entries.push(Entry {
                        key: self.object_key(key, key_span),
                        key_span,
                        value: self.expr(value.expr(), depth + 1)?,
                    });
                }
                super::hcl_keys::keep_last(&mut entries);
                Node::map(entries, span)
            }
            Expression::StringTemplate(t) => self.template(t, expr, span),
            Expression::HeredocTemplate(h) => self.template(&h.template, expr, span),
            Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => {
                match &op.expr {
                    Expression::Number(n) => match n.as_f64() {
                        Some(f) => Node::new(Value::Number(-f), span),
                        None => self.opaque(expr, span),
                    },
                    _ => self.opaque(expr, span),
                }
            }
            _ => self.opaque(expr, span),
        })
    }

    fn object_key(&self, key: &ObjectKey, key_span: Span) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
            ObjectKey::Expression(Expression::StringTemplate(t)) => {
                literal_text(t).unwrap_or_else(|| self.slice(key_span).to_string())
            }
            ObjectKey::Expression(_) => self.slice(key_span).to_string(),
        }
    }

    /// A template: its text when it has no interpolation, the inner expression
    /// when it is exactly one interpolation, else the whole source text.
    fn template(&self, template: &Template, expr: &Expression, span: Span) -> Node {
        if let Some(s) = literal_text(template) {
            return Node::string(s, span);
        }
        if let Some(Element::Interpolation(interp)) = template.as_single_element() {
            if matches!(expr, Expression::StringTemplate(_)) {
                let inner = self.span(interp.expr.span());
                if !inner.is_empty() {
                    return Node::new(
                        Value::Expr(Expr {
                            text: self.slice(inner).to_string(),
                            function: None,
                            argument: None,
                        }),
                        span,
                    );
                }
            }
        }
        self.opaque(expr, span)
    }

    fn opaque(&self, expr: &Expression, span: Span) -> Node {
        let text = if span.is_empty() {
            expr.to_string()
        } else {
            self.slice(span).to_string()
        };
        Node::new(
            Value::Expr(Expr {
                text,
                function: None,
                argument: None,
            }),
            span,
        )
    }
}

/// The text of a template made only of literal parts.
fn literal_text(template: &Template) -> Option<String> {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(s) => out.push_str(s.value()),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Node {
        match parse(text, &Limits::default()) {
            Ok(n) => n,
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    fn s(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn expr_text(n: &Node) -> &str {
        match &n.value {
            Value::Expr(e) => &e.text,
            other => panic!("not an expr: {other:?}"),
        }
    }

    #[test]
    fn attribute_and_labeled_block_spans() {
        let text = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";
        let doc = p(text);
        assert_eq!(doc.span, Span::new(0, text.len()));
        let res = doc.entry("resource").unwrap();
        assert_eq!(s(text, res.key_span), "resource");
        let ty = res.value.entry("aws_s3_bucket").unwrap();
        assert_eq!(s(text, ty.key_span), "\"aws_s3_bucket\"");
        assert!(s(text, res.value.span).starts_with("\"aws_s3_bucket\""));
        assert!(s(text, res.value.span).ends_with('}'));
        let name = ty.value.entry("b").unwrap();
        assert_eq!(s(text, name.key_span), "\"b\"");
        let body = &name.value;
        assert_eq!(s(text, body.span), "{\n  acl = \"public-read\"\n}");
        let acl = body.entry("acl").unwrap();
        assert_eq!(s(text, acl.key_span), "acl");
        assert_eq!(s(text, acl.value.span), "\"public-read\"");
        assert_eq!(acl.value.as_str(), Some("public-read"));
    }

    #[test]
    fn spans_after_non_ascii_and_comments() {
        let text =
            "# ünïcödé 🎉\nlocals {\n  /* c */ x = \"é\" # trailing\n  y    =   42 // more\n}\n";
        let doc = p(text);
        let locals = doc.get("locals").unwrap();
        let x = locals.entry("x").unwrap();
        assert_eq!(s(text, x.key_span), "x");
        assert_eq!(s(text, x.value.span), "\"é\"");
        let y = locals.entry("y").unwrap();
        assert_eq!(s(text, y.key_span), "y");
        assert_eq!(s(text, y.value.span), "42");
        assert_eq!(y.value.value, Value::Number(42.0));
    }

    #[test]
    fn labeled_blocks_are_kept_separate() {
        let text = "resource \"a\" \"x\" {}\nvariable \"v\" {\n  default = 1\n}\nresource \"a\" \"y\" {}\n";
        let doc = p(text);
        let keys: Vec<&str> = doc
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["resource", "variable", "resource"]);
        let entries = doc.as_map().unwrap();
        assert!(entries[0].value.get("a").unwrap().get("x").is_some());
        assert!(entries[2].value.get("a").unwrap().get("y").is_some());
        let v = entries[1].value.get("v").unwrap();
        assert_eq!(s(text, v.span), "{\n  default = 1\n}");
        assert_eq!(
            s(
                text,
                entries[0].value.get("a").unwrap().get("x").unwrap().span
            ),
            "{}"
        );
    }

    #[test]
    fn nested_blocks_single_and_repeated() {
        let text = r#"resource "aws_security_group" "sg" {
  name = "x"
  ingress {
    from_port = 22
  }
  lifecycle {
    prevent_destroy = true
  }
  ingress {
    from_port = 443
  }
  dynamic "egress" {
    for_each = var.rules
  }
}
"#;
        let doc = p(text);
        let body = doc
            .get("resource")
            .unwrap()
            .get("aws_security_group")
            .unwrap()
            .get("sg")
            .unwrap();
        let keys: Vec<&str> = body
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["name", "ingress", "lifecycle", "dynamic"]);

        let ingress = body.entry("ingress").unwrap();
        assert_eq!(ingress.key_span.start, text.find("ingress").unwrap());
        assert_eq!(s(text, ingress.key_span), "ingress");
        let list = ingress.value.as_list().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(s(text, list[0].span), "{\n    from_port = 22\n  }");
        assert_eq!(s(text, list[1].span), "{\n    from_port = 443\n  }");
        assert_eq!(
            list[1].get("from_port").unwrap().value,
            Value::Number(443.0)
        );
        let ls = s(text, ingress.value.span);
        assert!(
            ls.starts_with("ingress {") && ls.ends_with("443\n  }"),
            "{ls}"
        );

        let lifecycle = body.get("lifecycle").unwrap();
        assert_eq!(
            s(text, lifecycle.span),
            "{\n    prevent_destroy = true\n  }"
        );
        assert_eq!(
            lifecycle.get("prevent_destroy").unwrap().value,
            Value::Bool(true)
        );

        let dynamic = body.get("dynamic").unwrap();
        let egress = dynamic.entry("egress").unwrap();
        assert_eq!(s(text, egress.key_span), "\"egress\"");
        let for_each = egress.value.get("for_each").unwrap();
        assert_eq!(expr_text(for_each), "var.rules");
        assert_eq!(s(text, for_each.span), "var.rules");
    }

    #[test]
    fn three_repeated_blocks_make_one_list() {
        let text = "a {\n}\nb {\n}\na {\n  x = 1\n}\na {\n  x = 2\n}\n";
        let doc = p(text);
        let entries = doc.as_map().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key, "a");
        assert_eq!(entries[0].value.as_list().unwrap().len(), 3);
        assert_eq!(entries[0].value.span, Span::new(0, text.len() - 1));
    }

    #[test]
    fn object_and_array_literals() {
        let text = "x = {\n  a = 1\n  \"b-c\" : [\"s\", -3, null, false]\n  d = { e = \"f\" }\n}\ny = []\n";
        let doc = p(text);
        let x = doc.get("x").unwrap();
        assert!(s(text, x.span).starts_with('{') && s(text, x.span).ends_with('}'));
        let a = x.entry("a").unwrap();
        assert_eq!(s(text, a.key_span), "a");
        assert_eq!(s(text, a.value.span), "1");
        let bc = x.entry("b-c").unwrap();
        assert_eq!(s(text, bc.key_span), "\"b-c\"");
        assert_eq!(s(text, bc.value.span), "[\"s\", -3, null, false]");
        let items = bc.value.as_list().unwrap();
        assert_eq!(items[0].as_str(), Some("s"));
        assert_eq!(s(text, items[0].span), "\"s\"");
        assert_eq!(items[1].value, Value::Number(-3.0));
        assert_eq!(s(text, items[1].span), "-3");
        assert_eq!(items[2].value, Value::Null);
        assert_eq!(s(text, items[2].span), "null");
        assert_eq!(items[3].value, Value::Bool(false));
        let d = x.get("d").unwrap();
        assert_eq!(s(text, d.span), "{ e = \"f\" }");
        assert_eq!(s(text, d.entry("e").unwrap().value.span), "\"f\"");
        let y = doc.get("y").unwrap();
        assert_eq!(y.as_list().unwrap().len(), 0);
        assert_eq!(s(text, y.span), "[]");
    }

    #[test]
    fn single_interpolation_templates() {
        let text = "a = \"${aws_s3_bucket.b.id}\"\nb = \"arn:${var.x}\"\nc = \"${ var.y }\"\n";
        let doc = p(text);
        let a = doc.get("a").unwrap();
        assert_eq!(expr_text(a), "aws_s3_bucket.b.id");
        assert_eq!(s(text, a.span), "\"${aws_s3_bucket.b.id}\"");
        let b = doc.get("b").unwrap();
        assert_eq!(expr_text(b), "\"arn:${var.x}\"");
        assert_eq!(expr_text(doc.get("c").unwrap()), "var.y");
    }

    #[test]
    fn complex_expressions_keep_source_text() {
        let text = r#"a = aws_s3_bucket.b.id
b = var.enabled ? "x" : "y"
c = jsonencode({ Version = "2012-10-17" })
d = [for s in var.list : upper(s)]
e = aws_instance.web[*].id
f = 1 + 2
g = !var.x
h = "%{ if var.x }yes%{ endif }"
i = local.m["k"]
j = (1)
"#;
        let doc = p(text);
        let expected = [
            ("a", "aws_s3_bucket.b.id"),
            ("b", "var.enabled ? \"x\" : \"y\""),
            ("c", "jsonencode({ Version = \"2012-10-17\" })"),
            ("d", "[for s in var.list : upper(s)]"),
            ("e", "aws_instance.web[*].id"),
            ("f", "1 + 2"),
            ("g", "!var.x"),
            ("h", "\"%{ if var.x }yes%{ endif }\""),
            ("i", "local.m[\"k\"]"),
            ("j", "(1)"),
        ];
        for (key, want) in expected {
            let node = doc.get(key).unwrap();
            assert_eq!(expr_text(node), want, "{key}");
            assert_eq!(s(text, node.span), want, "{key}");
        }
    }

    #[test]
    fn heredocs() {
        let text = "a = <<EOT\nhello\n  world\nEOT\nb = <<-EOT\n    {\"x\": [1]}\n    EOT\nc = <<EOT\n${var.x}\nEOT\n";
        let doc = p(text);
        assert_eq!(doc.get("a").unwrap().as_str(), Some("hello\n  world\n"));
        assert_eq!(doc.get("b").unwrap().as_str(), Some("{\"x\": [1]}\n"));
        assert!(doc.get("c").unwrap().is_expr());
    }

    #[test]
    fn one_line_block() {
        let text = "terraform { required_version = \">= 1.0\" }\n";
        let doc = p(text);
        let tf = doc.get("terraform").unwrap();
        assert_eq!(s(text, tf.span), "{ required_version = \">= 1.0\" }");
        let rv = tf.entry("required_version").unwrap();
        assert_eq!(s(text, rv.key_span), "required_version");
        assert_eq!(s(text, rv.value.span), "\">= 1.0\"");
    }

    #[test]
    fn crlf_line_endings() {
        let text = "locals {\r\n  a = \"x\"\r\n  b {\r\n  }\r\n}\r\n";
        let doc = p(text);
        let locals = doc.get("locals").unwrap();
        assert_eq!(s(text, locals.entry("a").unwrap().value.span), "\"x\"");
        assert_eq!(s(text, locals.get("b").unwrap().span), "{\r\n  }");
    }

    #[test]
    fn moderate_nesting_is_an_error_not_a_crash() {
        // Below our limit but above hcl-edit's own nesting limit (64).
        let text = format!("a = {}{}", "[".repeat(100), "]".repeat(100));
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert!(!err.message.is_empty());
        let text = format!("a = {}{}", "[".repeat(30), "]".repeat(30));
        assert_eq!(p(&text).depth(), 31);
    }

    #[test]
    fn empty_file() {
        let doc = p("");
        assert_eq!(doc.as_map().unwrap().len(), 0);
        let doc = p("# only a comment\n");
        assert_eq!(doc.as_map().unwrap().len(), 0);
    }

    #[test]
    fn parse_error_position() {
        let text = "resource \"a\" \"b\" {\n  acl = \n}\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert!(!err.message.contains('\n'), "{err:?}");
        assert!(!err.message.is_empty());
        let line_two = text.find("acl").unwrap();
        assert!(
            err.span.start >= line_two && err.span.start <= text.len(),
            "{err:?}"
        );

        // Offsets are bytes, after a two-byte character.
        let text = "é = 1\nx = = 2\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(err.span, Span::new(11, 12), "{err:?}");
        assert!(err.message.starts_with("invalid expression"), "{err:?}");

        let text = "x = 1\ny = ]\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(err.span, Span::new(10, 11), "{err:?}");
        assert!(text.is_char_boundary(err.span.end));
    }

    #[test]
    fn deep_nesting_rejected_without_overflow() {
        let cases = [
            format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a = {}1{}", "{ a = ".repeat(100_000), " }".repeat(100_000)),
            format!("{}{}", "b {\n".repeat(100_000), "}\n".repeat(100_000)),
            format!("a = \"{}\"", "${\"".repeat(100_000)),
            format!("a = {}", "(".repeat(100_000)),
        ];
        for text in cases {
            // Run in a thread with a normal (2 MiB) stack.
            let handle = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || parse(&text, &Limits::default()))
                .unwrap();
            let err = handle.join().unwrap().unwrap_err();
            assert_eq!(err.message, "nesting deeper than 128 levels");
        }
    }

    #[test]
    fn brackets_in_strings_comments_and_heredocs_do_not_count() {
        let deep = "[".repeat(1000);
        let text =
            format!("a = \"{deep}\"\n# {deep}\n/* {deep} */\nb = <<EOT\n{deep}\nEOT\nc = 1\n");
        let doc = p(&text);
        assert_eq!(doc.get("c").unwrap().value, Value::Number(1.0));
    }

    #[test]
    fn never_panics_on_garbage() {
        for bad in [
            "\"",
            "{",
            "}",
            "a",
            "a =",
            "a = \"${",
            "a = <<EOT\n",
            "a {",
            "a \"b\" {\n",
            "é",
            "a = 1e999",
            "a = -",
            "/*",
            "a = [1,",
            "\u{feff}a = 1",
            "a = \"\\",
            "a = <<\n",
            "a = 0x",
            "a = 1\na = 2\n",
        ] {
            let _ = parse(bad, &Limits::default());
        }
    }

    #[test]
    fn brackets_nested_in_operator_chains_are_bounded() {
        // Exponential in hcl-edit (found by the parse_hcl fuzz target): each
        // level doubles the work. Rejected up front, in microseconds.
        for unit in ["( a > b > ", "{ a > b > ", "( a > b > \"${", "( a > b > !("] {
            let text = format!("x = {}", unit.repeat(30));
            let started = std::time::Instant::now();
            let err = parse(&text, &Limits::default()).unwrap_err();
            assert!(err.message.starts_with("expression too complex"), "{err:?}");
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        // Ordinary nesting, operators in earlier items, `=>` and deep blocks
        // are not affected.
        let ok = [
            "x = (a + (b * (c - (d / (e % f)))))\n",
            "x = { for k, v in var.m : k => { a = { b = { c = { d = [[[[[[1]]]]]] } } } } }\n",
            "locals {\n  a = b > c\n  n = { a = { b = { c = { d = { e = { f = { g = { h = { i = 1 } } } } } } } } }\n}\n",
            "x = a > b ? [[[[[[[[1]]]]]]]] : 2\n",
        ];
        for text in ok {
            p(text);
        }
    }

    #[test]
    fn block_labels_count_towards_the_depth_limit() {
        let text = format!("a {} {{}}\n", "\"l\" ".repeat(200_000));
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || parse(&text, &Limits::default()).map(drop))
            .unwrap();
        let err = handle.join().unwrap().unwrap_err();
        assert_eq!(err.message, "nesting deeper than 128 levels");
        p(r#"resource "aws_s3_bucket" "b" { tags = { a = "b" } }"#);
    }
}
