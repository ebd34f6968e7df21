//! Terraform expressions (hcl-edit's AST) → [`Node`]s of the one document model.
//!
//! Values keep spans into the file being evaluated: a literal keeps its own
//! span, a value reached through a reference (`var.x`, `local.y`, a module
//! input) is re-spanned to the reference, so a finding points at the place in
//! this file that produced the value; the [`Env`] is told of each re-span
//! ([`Env::reached`], [`Env::rebound`]) and records where the value was set
//! (a side table of origins, not the nodes). Anything not known statically is an
//! [`Value::Expr`] holding the source text of the smallest expression that
//! made it unknown; operations on unknowns stay unknown.
//!
//! An expression Terraform would reject (a missing attribute, a type error,
//! a function error) is an error value: `try` moves past it, `can` is false,
//! and every construct around it is an error too, up to the attribute, where
//! it becomes unknown. Values over the evaluation limits ([`MAX_STRING_BYTES`],
//! [`MAX_VALUE_BYTES`]) are unknown with a notice naming the limit.
//!
//! [`MAX_STRING_BYTES`]: super::value::MAX_STRING_BYTES
//! [`MAX_VALUE_BYTES`]: super::value::MAX_VALUE_BYTES
mod ops;
mod template;

use std::rc::Rc;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::Span as _;

use super::functions::{self, Files};
use super::value::{
    error_node, has_unknown, is_error, over_limit, respan, to_text, unknown, Budget, Fail,
};
use crate::document::{Entry, FileSpan, Node, Span, Value};

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
    /// Which file of the chunk (for notices).
    pub file: usize,
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
    fn text_span(&self, span: Span) -> String {
        if self.fixed.is_some() {
            return self.src.trim().to_string();
        }
        let s = span.start.saturating_sub(self.base);
        let e = span.end.saturating_sub(self.base);
        self.src.get(s..e).unwrap_or("").to_string()
    }
}

/// What names resolve to: the module's variables, locals, other modules,
/// resources. Implemented by the module evaluator.
pub trait Env {
    /// `var.<name>`, `local.<name>`, `module.<name>`, `path.module`…: the root
    /// object and first attribute; `None` when not statically known.
    fn reference(&self, root: &str, attr: &str) -> Option<Node>;
    /// [`Env::reference`] without a copy: a traversal reads the value where
    /// it is kept and copies only the part it reaches.
    fn shared(&self, root: &str, attr: &str) -> Option<Rc<Node>> {
        self.reference(root, attr).map(Rc::new)
    }
    /// Where the file functions may read; `None`: they stay unknown.
    fn files(&self) -> Option<&Files> {
        None
    }
    /// Something the user should know about an expression of file `file`
    /// (a limit that made a value unknown).
    fn notice(&self, _file: usize, _span: Span, _message: String) {}
    /// The value of `root.attr` was re-spanned to `landing` (where this
    /// expression refers to it): the place to record where it was set.
    fn reached(&self, _root: &str, _attr: &str, _landing: FileSpan) {}
    /// A bound value (`each`, `count`, a `for` or `dynamic` iterator) whose
    /// nodes carry `from` was re-spanned to `to`: its origin, if `from` has
    /// one, is `to`'s too.
    fn rebound(&self, _from: FileSpan, _to: FileSpan) {}
    /// A function this environment defines beyond Terraform's (Terragrunt's
    /// `find_in_parent_folders`…), called with known or unknown arguments;
    /// `None`: Terraform's function of that name.
    fn function(&self, _name: &str, _args: &[Node], _span: Span) -> Option<super::value::Outcome> {
        None
    }
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
    /// A name bound to nothing is an error (inside `templatefile`, whose
    /// variables are all given), not an unknown.
    pub strict: bool,
}

impl<'e> Evaluator<'e> {
    pub fn new(env: &'e dyn Env) -> Self {
        Evaluator { env, strict: false }
    }

    /// A function's or operator's outcome as a value.
    fn outcome(
        &self,
        r: Result<Node, Fail>,
        pos: &Pos,
        span: Span,
        unk: impl Fn() -> Node,
    ) -> Node {
        match r {
            Ok(v) => v,
            Err(Fail::Unknown) => unk(),
            Err(Fail::Error(_)) => error_node(span),
            Err(Fail::Limit(message)) => {
                self.env.notice(pos.file, span, message);
                unk()
            }
        }
    }

    /// Values collected into one (list, object, arguments): an error if any
    /// is one, unknown with a notice once they weigh more than the limit.
    fn collect(
        &self,
        items: &[&Node],
        budget: &mut Budget,
        pos: &Pos,
        span: Span,
    ) -> Result<(), Node> {
        for i in items {
            if is_error(i) {
                return Err(error_node(span));
            }
            if let Err(message) = budget.add(i) {
                self.env.notice(pos.file, span, message);
                return Err(unknown(pos.text_span(span), span));
            }
        }
        Ok(())
    }

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
                let mut items = Vec::with_capacity(a.len());
                let mut budget = Budget::default();
                for i in a.iter() {
                    let v = self.expr(i, pos, b, d);
                    if let Err(stop) = self.collect(&[&v], &mut budget, pos, span) {
                        return stop;
                    }
                    items.push(v);
                }
                Node::list(items, span)
            }
            Expression::Object(o) => {
                let mut entries: Vec<Entry> = Vec::new();
                let mut budget = Budget::default();
                for (k, v) in o.iter() {
                    let key_span = pos.span(k.span());
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                        ObjectKey::Expression(ke) => {
                            let kn = self.expr(ke, pos, b, d);
                            match (&kn.value, to_text(&kn)) {
                                (_, Some(s)) => s,
                                (Value::Expr(_), _) if !is_error(&kn) => return unk(),
                                // null, a collection or an error: not a key
                                _ => return error_node(span),
                            }
                        }
                    };
                    let value = self.expr(v.expr(), pos, b, d);
                    if let Err(stop) = self.collect(&[&value], &mut budget, pos, span) {
                        return stop;
                    }
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
                Some(n) => {
                    self.env.rebound(
                        FileSpan::new(pos.file, n.span),
                        FileSpan::new(pos.file, span),
                    );
                    respan(n.clone(), span)
                }
                None if self.strict => error_node(span),
                None => unk(),
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, pos, b, d);
                let t = self.expr(&c.true_expr, pos, b, d);
                let f = self.expr(&c.false_expr, pos, b, d);
                let r = ops::conditional(&cond, t, f);
                self.outcome(r, pos, span, unk)
            }
            Expression::FuncCall(f) => self.call(f, pos, b, d, span, unk),
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, pos, b, d, span),
            Expression::UnaryOp(op) => {
                let v = self.expr(&op.expr, pos, b, d);
                let r = ops::unary(*op.operator.value(), &v, span);
                self.outcome(r, pos, span, unk)
            }
            Expression::BinaryOp(op) => {
                let l = self.expr(&op.lhs_expr, pos, b, d);
                // short-circuit what is known regardless of the other side
                if let Some(v) = ops::short_circuit(*op.operator.value(), &l, span) {
                    return v;
                }
                let r = self.expr(&op.rhs_expr, pos, b, d);
                let out = ops::binary(*op.operator.value(), &l, &r, span);
                self.outcome(out, pos, span, unk)
            }
            Expression::ForExpr(f) => self.for_expr(f, pos, b, d, span, unk),
        }
    }

    fn call(
        &self,
        f: &hcl_edit::expr::FuncCall,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        span: Span,
        unk: impl Fn() -> Node,
    ) -> Node {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            // provider functions need the provider
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
                return error_node(span);
            }
            "can" => {
                let Some(a) = f.args.iter().next() else {
                    return error_node(span);
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
        if name == "templatestring" && template::literal_first(f) {
            // Terraform takes the template from a reference, never a literal
            return error_node(span);
        }
        let mut args: Vec<Node> = Vec::with_capacity(f.args.len());
        let mut budget = Budget::default();
        for a in f.args.iter() {
            let v = self.expr(a, pos, b, d);
            if let Err(stop) = self.collect(&[&v], &mut budget, pos, span) {
                return stop;
            }
            args.push(v);
        }
        if f.args.expand_final() {
            match args.pop().map(|l| l.value) {
                Some(Value::List(items)) => args.extend(items),
                Some(Value::Expr(_)) => return unk(),
                _ => return error_node(span),
            }
        }
        let r = match name {
            "templatefile" | "templatestring" => self.render(name, f, &args, pos, span),
            _ => match self.env.function(name, &args, span) {
                Some(r) => r,
                None => functions::call(name, &args, span, self.env.files()),
            },
        };
        self.outcome(r, pos, span, unk)
    }

    fn for_expr(
        &self,
        f: &hcl_edit::expr::ForExpr,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        span: Span,
        unk: impl Fn() -> Node,
    ) -> Node {
        let coll = self.expr(&f.intro.collection_expr, pos, b, d);
        let items = match coll.value {
            Value::Expr(_) if !is_error(&coll) => return unk(),
            _ => match ops::iteration(coll) {
                Some(items) => items,
                None => return error_node(span),
            },
        };
        let mut list = Vec::new();
        let mut map: Vec<Entry> = Vec::new();
        let mut budget = Budget::default();
        for (k, v) in items {
            let mut inner = b.with(f.intro.value_var.as_str(), v);
            if let Some(kv) = &f.intro.key_var {
                inner = inner.with(kv.as_str(), k);
            }
            if let Some(c) = &f.cond {
                let cond = self.expr(&c.expr, pos, &inner, d);
                match ops::truth(&cond) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(Fail::Unknown) => return unk(),
                    Err(_) => return error_node(span),
                }
            }
            let value = self.expr(&f.value_expr, pos, &inner, d);
            if let Err(stop) = self.collect(&[&value], &mut budget, pos, span) {
                return stop;
            }
            let Some(ke) = &f.key_expr else {
                list.push(value);
                continue;
            };
            let kn = self.expr(ke, pos, &inner, d);
            let key = match to_text(&kn) {
                Some(k) => k,
                None if kn.is_expr() && !is_error(&kn) => return unk(),
                None => return error_node(span),
            };
            match map.iter_mut().find(|e| e.key == key) {
                Some(e) if f.grouping => {
                    if let Value::List(l) = &mut e.value.value {
                        l.push(value)
                    }
                }
                // two items with one key: an error unless grouping (`...`)
                Some(_) => return error_node(span),
                None => map.push(Entry {
                    key,
                    key_span: kn.span,
                    value: if f.grouping {
                        Node::list(vec![value], span)
                    } else {
                        value
                    },
                }),
            }
        }
        if f.key_expr.is_some() {
            map.sort_by(|a, b| a.key.cmp(&b.key));
            Node::map(map, span)
        } else {
            Node::list(list, span)
        }
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
        // a referenced or bound value is walked where it is kept and only
        // the part reached is copied (`var.rules[k][0]` of a 500-entry
        // default, `each.value.name` of a large object)
        let shared: Rc<Node>;
        let computed: Node;
        // `each`, `count`, a `for` or `dynamic` iterator
        let bound = match head {
            Expression::Variable(v) => b.get(v.as_str()),
            _ => None,
        };
        let (base, referenced): (&Node, bool) = match (head, bound) {
            (_, Some(n)) => {
                self.env.rebound(
                    FileSpan::new(pos.file, n.span),
                    FileSpan::new(pos.file, span),
                );
                (n, true)
            }
            (Expression::Variable(v), None) => {
                let root = v.as_str();
                let Some(TraversalOperator::GetAttr(attr)) = ops.first().map(|o| o.value()) else {
                    return if self.strict {
                        error_node(span)
                    } else {
                        whole()
                    };
                };
                rest = &ops[1..];
                match self.env.shared(root, attr.as_str()) {
                    Some(n) => {
                        self.env
                            .reached(root, attr.as_str(), FileSpan::new(pos.file, span));
                        shared = n;
                        (&*shared, true)
                    }
                    None if self.strict => return error_node(span),
                    // keep the reference text (relations match resource addresses in it)
                    None => return whole(),
                }
            }
            _ => {
                computed = self.expr(head, pos, b, d);
                (&computed, false)
            }
        };
        // a value reached through a reference is re-spanned to it
        let done = |n: &Node| {
            if referenced {
                respan(n.clone(), span)
            } else {
                n.clone()
            }
        };
        let mut current: &Node = base;
        for (i, op) in rest.iter().enumerate() {
            if current.is_expr() {
                // an unknown reached through a binding keeps its own text
                // (`each.value.id` over `aws_s3_bucket.b` is `aws_s3_bucket.b`)
                return respan(current.clone(), span);
            }
            match op.value() {
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items: Vec<&Node> = match &current.value {
                        Value::List(items) => items.iter().collect(),
                        Value::Null => Vec::new(),
                        _ => vec![current],
                    };
                    let tail = &rest[i + 1..];
                    let mut out = Vec::new();
                    for mut v in items {
                        for op in tail {
                            if v.is_expr() {
                                return whole();
                            }
                            v = match op.value() {
                                TraversalOperator::GetAttr(_) | TraversalOperator::Index(_) => {
                                    match self.step(v, op.value(), pos, b, d, span) {
                                        Ok(n) => n,
                                        Err(e) => return e,
                                    }
                                }
                                _ => return whole(),
                            };
                        }
                        out.push(done(v));
                    }
                    return Node::list(out, span);
                }
                op => match self.step(current, op, pos, b, d, span) {
                    Ok(n) => current = n,
                    Err(e) => return e,
                },
            }
        }
        done(current)
    }

    /// One attribute access or index of a traversal: the part of `n` it
    /// reaches, or the value the whole traversal is (an error, an unknown).
    fn step<'n>(
        &self,
        n: &'n Node,
        op: &TraversalOperator,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        span: Span,
    ) -> Result<&'n Node, Node> {
        match op {
            TraversalOperator::GetAttr(a) => {
                ops::get_attr(n, a.as_str()).ok_or_else(|| error_node(span))
            }
            TraversalOperator::Index(ie) => {
                let key = self.expr(ie, pos, b, d);
                match ops::index(n, &key) {
                    Some(Ok(n)) => Ok(n),
                    Some(Err(())) => Err(error_node(span)),
                    None => Err(unknown(pos.text_span(span), span)),
                }
            }
            TraversalOperator::LegacyIndex(i) => {
                let key = Node::new(Value::Number(*i.value() as f64), span);
                match ops::index(n, &key) {
                    Some(Ok(n)) => Ok(n),
                    _ => Err(error_node(span)),
                }
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                Err(unknown(pos.text_span(span), span))
            }
        }
    }
}

/// A value as an attribute keeps it: an error (which only `try`/`can` could
/// have used) becomes an unknown showing the expression's text, and a value
/// over the limits becomes unknown with a notice.
fn settle(ev: &Evaluator, v: Node, pos: &Pos, span: Span) -> Node {
    if is_error(&v) {
        return unknown(pos.text_span(span), span);
    }
    match over_limit(&v) {
        Some(message) => {
            ev.env.notice(pos.file, span, message);
            unknown(pos.text_span(span), span)
        }
        None => v,
    }
}

/// Parses and evaluates the expression a document node was written as; other
/// nodes are evaluated element by element (a `.tf.json` string holding `${…}`
/// is a template).
pub fn eval_node(ev: &Evaluator, node: &Node, f: &super::FileSrc, b: &Bindings) -> Node {
    eval_text(ev, node, f.text, f.json, f.idx, b)
}

/// [`eval_node`] for a node of a text that is not one of the chunk's files
/// (a tfvars file, a `--var`): `file` is only for notices.
pub fn eval_text(
    ev: &Evaluator,
    node: &Node,
    text: &str,
    json: bool,
    file: usize,
    b: &Bindings,
) -> Node {
    match &node.value {
        Value::Expr(_) if !json => {
            let Some(src) = text.get(node.span.start..node.span.end) else {
                return node.clone();
            };
            // parsed once for every instance of the module
            match super::memo::expression(src) {
                Some(e) => {
                    let pos = Pos {
                        src,
                        base: node.span.start,
                        fixed: None,
                        file,
                    };
                    settle(ev, ev.expr(&e, &pos, b, 0), &pos, node.span)
                }
                None => node.clone(),
            }
        }
        Value::String(s) if json && (s.contains("${") || s.contains("%{")) => {
            match hcl_edit::parser::parse_template(s) {
                Ok(t) => {
                    let pos = Pos {
                        src: s,
                        base: node.span.start,
                        fixed: Some(node.span),
                        file,
                    };
                    let v = ev.template(&t, &pos, b, 0, node.span, true);
                    settle(ev, v, &pos, node.span)
                }
                Err(_) => unknown(s.clone(), node.span),
            }
        }
        Value::List(items) => Node::list(
            items
                .iter()
                .map(|i| eval_text(ev, i, text, json, file, b))
                .collect(),
            node.span,
        ),
        Value::Map(entries) => Node::map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: eval_text(ev, &e.value, text, json, file, b),
                })
                .collect(),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// The argument of a top-level `jsonencode(…)`, evaluated with its own spans.
pub fn jsonencode_argument(
    ev: &Evaluator,
    node: &Node,
    f: &super::FileSrc,
    b: &Bindings,
) -> Option<Node> {
    if !node.is_expr() {
        return None;
    }
    let src = f.text.get(node.span.start..node.span.end)?;
    if !src.trim_start().starts_with("jsonencode") {
        return None;
    }
    let Ok(Expression::FuncCall(call)) = hcl_edit::parser::parse_expr(src) else {
        return None;
    };
    if call.name.name.as_str() != "jsonencode" || call.args.len() != 1 {
        return None;
    }
    let pos = Pos {
        src,
        base: node.span.start,
        fixed: None,
        file: f.idx,
    };
    let arg = call.args.iter().next()?;
    Some(settle(ev, ev.expr(arg, &pos, b, 0), &pos, node.span))
}

/// Evaluates one expression on its own, with no variables, locals or
/// files: what `terraform console` in an empty directory gives (the
/// differential test against it uses this). `Err(Fail::Error)` when
/// Terraform would report an error.
pub fn evaluate_standalone(src: &str, files: Option<&Files>) -> Result<Node, Fail> {
    struct Standalone<'f>(Option<&'f Files>);
    impl Env for Standalone<'_> {
        fn reference(&self, _: &str, _: &str) -> Option<Node> {
            None
        }
        fn files(&self) -> Option<&Files> {
            self.0
        }
    }
    let e = hcl_edit::parser::parse_expr(src).map_err(|e| Fail::Error(e.to_string()))?;
    let env = Standalone(files);
    let ev = Evaluator::new(&env);
    let pos = Pos {
        src,
        base: 0,
        fixed: None,
        file: 0,
    };
    let v = ev.expr(&e, &pos, &Bindings::default(), 0);
    if is_error(&v) {
        return Err(Fail::Error("error".into()));
    }
    if has_unknown(&v) {
        return Err(Fail::Unknown);
    }
    match over_limit(&v) {
        Some(m) => Err(Fail::Limit(m)),
        None => Ok(v),
    }
}
