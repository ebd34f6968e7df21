//! Terraform expressions (hcl-edit's AST) → [`Node`]s of the one document model.
//!
//! Values keep spans into the file being evaluated: a literal keeps its own
//! span, a value reached through a reference (`var.x`, `local.y`, a module
//! input) is re-spanned to the reference, so a finding points at the place in
//! this file that produced the value. Anything not known statically is an
//! [`Value::Expr`] holding the source text of the smallest expression that
//! made it unknown; operations on unknowns stay unknown.
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;

use super::functions;
use super::value::{as_bool, as_number, equal, has_unknown, respan, to_text, unknown};
use crate::document::{Entry, Node, Span, Value};

/// Deepest expression/function nesting evaluated before giving up (unknown).
const MAX_DEPTH: usize = 64;

/// Where an expression's text is, so AST ranges become file spans.
#[derive(Clone, Copy)]
pub struct Pos<'t> {
    /// The text the AST was parsed from.
    pub src: &'t str,
    /// Its byte offset in the file.
    pub base: usize,
    /// Every value gets this span (a `.tf.json` string: the string node).
    pub fixed: Option<Span>,
}

impl Pos<'_> {
    pub fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        if let Some(s) = self.fixed {
            return s;
        }
        let Some(r) = range else {
            return Span::new(self.base, self.base);
        };
        let end = r.end.min(self.src.len());
        let start = r.start.min(end);
        let slice = self.src.get(start..end).unwrap_or("");
        let lead = slice.len() - slice.trim_start().len();
        let trail = slice.len() - slice.trim_end().len();
        if lead + trail >= slice.len() {
            return Span::new(self.base + start, self.base + end);
        }
        Span::new(self.base + start + lead, self.base + end - trail)
    }
    fn text(&self, range: Option<std::ops::Range<usize>>) -> String {
        match range {
            Some(r) if self.fixed.is_none() => self.src.get(r).unwrap_or("").trim().to_string(),
            _ => self.src.trim().to_string(),
        }
    }
}

/// What names resolve to: the module's variables, locals, other modules,
/// resources. Implemented by the module evaluator.
pub trait Env {
    /// `var.<name>`, `local.<name>`, `module.<name>`, `path.module`…: the root
    /// object and first attribute; `None` when not statically known.
    fn reference(&self, root: &str, attr: &str) -> Option<Node>;
}

/// Names bound by `count`, `for_each`, `for` expressions and `dynamic` blocks.
#[derive(Clone, Default)]
pub struct Bindings {
    vars: Vec<(String, Node)>,
}

impl Bindings {
    pub fn with(&self, name: &str, value: Node) -> Bindings {
        let mut b = self.clone();
        b.vars.push((name.to_string(), value));
        b
    }
    fn get(&self, name: &str) -> Option<&Node> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

pub struct Evaluator<'e> {
    pub env: &'e dyn Env,
}

impl Evaluator<'_> {
    /// Evaluates an expression parsed from `pos.src`.
    pub fn expr(&self, e: &Expression, pos: &Pos, b: &Bindings, depth: usize) -> Node {
        let span = pos.span(e.span());
        let unk = || unknown(pos.text(e.span()), span);
        if depth > MAX_DEPTH {
            return unk();
        }
        let d = depth + 1;
        match e {
            Expression::Null(_) => Node::null(span),
            Expression::Bool(v) => Node::new(Value::Bool(*v.value()), span),
            Expression::Number(n) => match n.as_f64() {
                Some(f) => Node::new(Value::Number(f), span),
                None => unk(),
            },
            Expression::String(s) => Node::string(s.as_str(), span),
            Expression::Array(a) => {
                Node::list(a.iter().map(|i| self.expr(i, pos, b, d)).collect(), span)
            }
            Expression::Object(o) => {
                let mut entries: Vec<Entry> = Vec::new();
                for (k, v) in o.iter() {
                    let key_span = pos.span(k.span());
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                        ObjectKey::Expression(ke) => match to_text(&self.expr(ke, pos, b, d)) {
                            Some(s) => s,
                            None => return unk(),
                        },
                    };
                    let value = self.expr(v.expr(), pos, b, d);
                    entries.retain(|e| e.key != key);
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                Node::map(entries, span)
            }
            Expression::StringTemplate(t) => self.template(t, pos, b, d, span, true),
            Expression::HeredocTemplate(h) => self.template(&h.template, pos, b, d, span, false),
            Expression::Parenthesis(p) => self.expr(p.inner(), pos, b, d),
            Expression::Variable(v) => match b.get(v.as_str()) {
                Some(n) => respan(n.clone(), span),
                None => unk(),
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, pos, b, d);
                match as_bool(&cond) {
                    Some(true) => self.expr(&c.true_expr, pos, b, d),
                    Some(false) => self.expr(&c.false_expr, pos, b, d),
                    None => unk(),
                }
            }
            Expression::FuncCall(f) => {
                let name = f.name.name.as_str();
                if !f.name.namespace.is_empty() {
                    return unk();
                }
                // `try` and `can` look at their arguments' evaluation, not values
                match name {
                    "try" => {
                        for a in f.args.iter() {
                            let v = self.expr(a, pos, b, d);
                            if is_error(&v) {
                                continue;
                            }
                            if has_unknown(&v) {
                                return unk();
                            }
                            return v;
                        }
                        return unk();
                    }
                    "can" => {
                        let Some(a) = f.args.iter().next() else {
                            return unk();
                        };
                        let v = self.expr(a, pos, b, d);
                        if is_error(&v) {
                            return Node::new(Value::Bool(false), span);
                        }
                        if has_unknown(&v) {
                            return unk();
                        }
                        return Node::new(Value::Bool(true), span);
                    }
                    _ => {}
                }
                let mut args: Vec<Node> = f.args.iter().map(|a| self.expr(a, pos, b, d)).collect();
                if f.args.expand_final() {
                    if let Some(last) = args.pop() {
                        match last.value {
                            Value::List(items) => args.extend(items),
                            _ => return unk(),
                        }
                    }
                }
                match functions::call(name, &args, span) {
                    Some(v) => v,
                    None => unk(),
                }
            }
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, pos, b, d, span),
            Expression::UnaryOp(op) => {
                let v = self.expr(&op.expr, pos, b, d);
                match (op.operator.value(), &v.value) {
                    (UnaryOperator::Neg, Value::Number(n)) => Node::new(Value::Number(-n), span),
                    (UnaryOperator::Not, Value::Bool(x)) => Node::new(Value::Bool(!x), span),
                    _ => unk(),
                }
            }
            Expression::BinaryOp(op) => {
                let l = self.expr(&op.lhs_expr, pos, b, d);
                // short-circuit what is known regardless of the other side
                match (op.operator.value(), as_bool(&l)) {
                    (BinaryOperator::And, Some(false)) => {
                        return Node::new(Value::Bool(false), span)
                    }
                    (BinaryOperator::Or, Some(true)) => return Node::new(Value::Bool(true), span),
                    _ => {}
                }
                let r = self.expr(&op.rhs_expr, pos, b, d);
                binary(*op.operator.value(), &l, &r, span).unwrap_or_else(unk)
            }
            Expression::ForExpr(f) => {
                let coll = self.expr(&f.intro.collection_expr, pos, b, d);
                let items: Vec<(Node, Node)> = match &coll.value {
                    Value::List(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (Node::new(Value::Number(i as f64), span), v.clone()))
                        .collect(),
                    Value::Map(entries) => entries
                        .iter()
                        .map(|e| (Node::string(e.key.clone(), e.key_span), e.value.clone()))
                        .collect(),
                    _ => return unk(),
                };
                let mut list = Vec::new();
                let mut map: Vec<Entry> = Vec::new();
                for (k, v) in items {
                    let mut inner = b.with(f.intro.value_var.as_str(), v);
                    if let Some(kv) = &f.intro.key_var {
                        inner = inner.with(kv.as_str(), k);
                    }
                    if let Some(c) = &f.cond {
                        match as_bool(&self.expr(&c.expr, pos, &inner, d)) {
                            Some(true) => {}
                            Some(false) => continue,
                            None => return unk(),
                        }
                    }
                    let value = self.expr(&f.value_expr, pos, &inner, d);
                    match &f.key_expr {
                        None => list.push(value),
                        Some(ke) => {
                            let kn = self.expr(ke, pos, &inner, d);
                            let Some(key) = to_text(&kn) else {
                                return unk();
                            };
                            if f.grouping {
                                match map.iter_mut().find(|e| e.key == key) {
                                    Some(e) => {
                                        if let Value::List(l) = &mut e.value.value {
                                            l.push(value)
                                        }
                                    }
                                    None => map.push(Entry {
                                        key,
                                        key_span: kn.span,
                                        value: Node::list(vec![value], span),
                                    }),
                                }
                            } else {
                                if map.iter().any(|e| e.key == key) {
                                    return unk(); // duplicate key: an error in Terraform
                                }
                                map.push(Entry {
                                    key,
                                    key_span: kn.span,
                                    value,
                                });
                            }
                        }
                    }
                }
                if f.key_expr.is_some() {
                    map.sort_by(|a, b| a.key.cmp(&b.key));
                    Node::map(map, span)
                } else {
                    Node::list(list, span)
                }
            }
        }
    }

    fn template(
        &self,
        t: &Template,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        span: Span,
        quoted: bool,
    ) -> Node {
        // `"${x}"` is x itself, whatever its type
        if quoted {
            if let Some(Element::Interpolation(i)) = t.as_single_element() {
                return self.expr(&i.expr, pos, b, d);
            }
        }
        let mut out = String::new();
        match self.template_into(t, pos, b, d, &mut out) {
            true => Node::string(out, span),
            false => unknown(pos.text_span(span), span),
        }
    }

    /// Appends the template's text; false when some part is unknown.
    fn template_into(
        &self,
        t: &Template,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        out: &mut String,
    ) -> bool {
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => match to_text(&self.expr(&i.expr, pos, b, d)) {
                    Some(s) => out.push_str(&s),
                    None => return false,
                },
                Element::Directive(dir) => match dir.as_ref() {
                    Directive::If(i) => {
                        match as_bool(&self.expr(&i.if_expr.cond_expr, pos, b, d)) {
                            Some(true) => {
                                if !self.template_into(&i.if_expr.template, pos, b, d, out) {
                                    return false;
                                }
                            }
                            Some(false) => {
                                if let Some(e) = &i.else_expr {
                                    if !self.template_into(&e.template, pos, b, d, out) {
                                        return false;
                                    }
                                }
                            }
                            None => return false,
                        }
                    }
                    Directive::For(f) => {
                        let fe = &f.for_expr;
                        let coll = self.expr(&fe.collection_expr, pos, b, d);
                        let items: Vec<(Node, Node)> = match coll.value {
                            Value::List(items) => items
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| (Node::new(Value::Number(i as f64), v.span), v))
                                .collect(),
                            Value::Map(entries) => entries
                                .into_iter()
                                .map(|e| (Node::string(e.key, e.key_span), e.value))
                                .collect(),
                            _ => return false,
                        };
                        for (k, v) in items {
                            let mut inner = b.with(fe.value_var.as_str(), v);
                            if let Some(kv) = &fe.key_var {
                                inner = inner.with(kv.as_str(), k);
                            }
                            if !self.template_into(&fe.template, pos, &inner, d, out) {
                                return false;
                            }
                        }
                    }
                },
            }
        }
        true
    }

    fn traversal(
        &self,
        head: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        pos: &Pos,
        b: &Bindings,
        d: usize,
        span: Span,
    ) -> Node {
        let whole = || unknown(pos.text_span(span), span);
        let mut rest = ops;
        let mut current = match head {
            Expression::Variable(v) if b.get(v.as_str()).is_none() => {
                let root = v.as_str();
                let Some(TraversalOperator::GetAttr(attr)) = ops.first().map(|o| o.value()) else {
                    return whole();
                };
                rest = &ops[1..];
                match self.env.reference(root, attr.as_str()) {
                    Some(n) => respan(n, span),
                    // keep the reference text (relations match resource addresses in it)
                    None => return whole(),
                }
            }
            _ => self.expr(head, pos, b, d),
        };
        let mut i = 0;
        while i < rest.len() {
            if current.is_expr() {
                // an unknown reached through a binding keeps its own text
                // (`each.value.id` over `aws_s3_bucket.b` is `aws_s3_bucket.b`)
                return respan(current, span);
            }
            match rest[i].value() {
                TraversalOperator::GetAttr(a) => {
                    current = match get_attr(&current, a.as_str()) {
                        Some(n) => n,
                        None => return error_node(span),
                    }
                }
                TraversalOperator::Index(ie) => {
                    let key = self.expr(ie, pos, b, d);
                    current = match index(&current, &key) {
                        Some(Ok(n)) => n,
                        Some(Err(())) => return error_node(span),
                        None => return whole(),
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    let key = Node::new(Value::Number(*n.value() as f64), span);
                    current = match index(&current, &key) {
                        Some(Ok(n)) => n,
                        _ => return error_node(span),
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match &current.value {
                        Value::List(items) => items.clone(),
                        Value::Null => Vec::new(),
                        _ => vec![current.clone()],
                    };
                    let tail = &rest[i + 1..];
                    let mut out = Vec::new();
                    for it in items {
                        let mut v = it;
                        for op in tail {
                            if v.is_expr() {
                                return whole();
                            }
                            v = match op.value() {
                                TraversalOperator::GetAttr(a) => match get_attr(&v, a.as_str()) {
                                    Some(n) => n,
                                    None => return error_node(span),
                                },
                                TraversalOperator::Index(ie) => {
                                    let key = self.expr(ie, pos, b, d);
                                    match index(&v, &key) {
                                        Some(Ok(n)) => n,
                                        Some(Err(())) => return error_node(span),
                                        None => return whole(),
                                    }
                                }
                                _ => return whole(),
                            };
                        }
                        out.push(v);
                    }
                    return Node::list(out, span);
                }
            }
            i += 1;
        }
        current
    }
}

impl Pos<'_> {
    fn text_span(&self, span: Span) -> String {
        if self.fixed.is_some() {
            return self.src.trim().to_string();
        }
        let s = span.start.saturating_sub(self.base);
        let e = span.end.saturating_sub(self.base);
        self.src.get(s..e).unwrap_or("").to_string()
    }
}

/// An evaluation error (a missing attribute or index): `try` moves on, `can`
/// is false; anywhere else it is just unknown.
const ERROR_TEXT: &str = "\u{0}error";

fn error_node(span: Span) -> Node {
    unknown(ERROR_TEXT, span)
}

fn is_error(n: &Node) -> bool {
    matches!(&n.value, Value::Expr(e) if e.text == ERROR_TEXT)
}

fn get_attr(n: &Node, key: &str) -> Option<Node> {
    match &n.value {
        Value::Map(_) => n.get(key).cloned(),
        _ => None,
    }
}

/// `Some(Err)` on a missing key or out-of-range index; `None` when unknown.
fn index(n: &Node, key: &Node) -> Option<Result<Node, ()>> {
    if key.is_expr() {
        return None;
    }
    match &n.value {
        Value::List(items) => {
            let i = as_number(key)?;
            if i < 0.0 || i.fract() != 0.0 {
                return Some(Err(()));
            }
            Some(items.get(i as usize).cloned().ok_or(()))
        }
        Value::Map(_) => {
            let k = to_text(key)?;
            Some(n.get(&k).cloned().ok_or(()))
        }
        _ => Some(Err(())),
    }
}

fn binary(op: BinaryOperator, l: &Node, r: &Node, span: Span) -> Option<Node> {
    use BinaryOperator::*;
    let b = |v: bool| Some(Node::new(Value::Bool(v), span));
    let n = |v: f64| Some(Node::new(Value::Number(v), span));
    match op {
        Eq => b(equal(l, r)?),
        NotEq => b(!equal(l, r)?),
        And => b(as_bool(l)? && as_bool(r)?),
        Or => b(as_bool(l)? || as_bool(r)?),
        _ => {
            let (x, y) = (as_number(l)?, as_number(r)?);
            match op {
                Plus => n(x + y),
                Minus => n(x - y),
                Mul => n(x * y),
                Div if y != 0.0 => n(x / y),
                Mod if y != 0.0 => n(x % y),
                Less => b(x < y),
                LessEq => b(x <= y),
                Greater => b(x > y),
                GreaterEq => b(x >= y),
                _ => None,
            }
        }
    }
}

/// Parses and evaluates the expression a document node was written as; other
/// nodes are evaluated element by element (a `.tf.json` string holding `${…}`
/// is a template).
pub fn eval_node(ev: &Evaluator, node: &Node, text: &str, json: bool, b: &Bindings) -> Node {
    match &node.value {
        Value::Expr(_) if !json => {
            let Some(src) = text.get(node.span.start..node.span.end) else {
                return node.clone();
            };
            match hcl_edit::parser::parse_expr(src) {
                Ok(e) => {
                    let pos = Pos {
                        src,
                        base: node.span.start,
                        fixed: None,
                    };
                    ev.expr(&e, &pos, b, 0)
                }
                Err(_) => node.clone(),
            }
        }
        Value::String(s) if json && (s.contains("${") || s.contains("%{")) => {
            match hcl_edit::parser::parse_template(s) {
                Ok(t) => {
                    let pos = Pos {
                        src: s,
                        base: node.span.start,
                        fixed: Some(node.span),
                    };
                    ev.template(&t, &pos, b, 0, node.span, true)
                }
                Err(_) => unknown(s.clone(), node.span),
            }
        }
        Value::List(items) => Node::list(
            items
                .iter()
                .map(|i| eval_node(ev, i, text, json, b))
                .collect(),
            node.span,
        ),
        Value::Map(entries) => Node::map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: eval_node(ev, &e.value, text, json, b),
                })
                .collect(),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// The argument of a top-level `jsonencode(…)`, evaluated with its own spans.
pub fn jsonencode_argument(ev: &Evaluator, node: &Node, text: &str, b: &Bindings) -> Option<Node> {
    if !node.is_expr() {
        return None;
    }
    let src = text.get(node.span.start..node.span.end)?;
    if !src.trim_start().starts_with("jsonencode") {
        return None;
    }
    let Ok(Expression::FuncCall(f)) = hcl_edit::parser::parse_expr(src) else {
        return None;
    };
    if f.name.name.as_str() != "jsonencode" || f.args.len() != 1 {
        return None;
    }
    let pos = Pos {
        src,
        base: node.span.start,
        fixed: None,
    };
    let arg = f.args.iter().next()?;
    let v = ev.expr(arg, &pos, b, 0);
    Some(v)
}
