//! String templates (`"${…}"`, heredocs, `%{ if }`/`%{ for }` directives
//! with `~` whitespace stripping), and the two functions that render one:
//! `templatefile` (a `.tftpl` file read through [`Files`]) and
//! `templatestring`.
//!
//! [`Files`]: crate::terraform::functions::Files
use hcl_edit::template::{Directive, Element, Template};

use super::{ops, Bindings, Evaluator, Pos};
use crate::document::{Node, Span, Value};
use crate::terraform::value::{
    error, is_error, string_limit, to_text, unknown, Fail, MAX_STRING_BYTES,
};

impl Evaluator<'_> {
    pub(super) fn template(
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
        let r = self
            .template_into(t, pos, b, d, &mut out, (false, false))
            .map(|()| Node::string(out, span));
        self.outcome(r, pos, span, || unknown(pos.text_span(span), span))
    }

    /// Appends the template's text. `strip` says whether the markers around
    /// it (the directive that opens and the one that closes it) strip the
    /// whitespace next to them.
    fn template_into(
        &self,
        t: &Template,
        pos: &Pos,
        b: &Bindings,
        d: usize,
        out: &mut String,
        strip: (bool, bool),
    ) -> Result<(), Fail> {
        let elements: Vec<&Element> = t.iter().collect();
        for (i, el) in elements.iter().enumerate() {
            match el {
                Element::Literal(s) => {
                    let mut text: &str = s.value();
                    let after_marker = match i.checked_sub(1).map(|p| elements[p]) {
                        None => strip.0,
                        Some(prev) => strips_after(prev),
                    };
                    let before_marker = match elements.get(i + 1) {
                        None => strip.1,
                        Some(next) => strips_before(next),
                    };
                    if after_marker {
                        text = text.trim_start();
                    }
                    if before_marker {
                        text = text.trim_end();
                    }
                    out.push_str(text);
                }
                Element::Interpolation(i) => {
                    let v = self.expr(&i.expr, pos, b, d);
                    match (&v.value, to_text(&v)) {
                        (_, Some(s)) => out.push_str(&s),
                        (Value::Expr(_), _) if !is_error(&v) => return Err(Fail::Unknown),
                        _ => return error("invalid template interpolation value"),
                    }
                }
                Element::Directive(dir) => match dir.as_ref() {
                    Directive::If(i) => {
                        let cond = self.expr(&i.if_expr.cond_expr, pos, b, d);
                        let endif = i.endif_expr.strip.strip_start();
                        if ops::truth(&cond)? {
                            let close = i
                                .else_expr
                                .as_ref()
                                .map_or(endif, |e| e.strip.strip_start());
                            let open = i.if_expr.strip.strip_end();
                            self.template_into(&i.if_expr.template, pos, b, d, out, (open, close))?;
                        } else if let Some(e) = &i.else_expr {
                            let open = e.strip.strip_end();
                            self.template_into(&e.template, pos, b, d, out, (open, endif))?;
                        }
                    }
                    Directive::For(f) => {
                        let fe = &f.for_expr;
                        let coll = self.expr(&fe.collection_expr, pos, b, d);
                        let items = match coll.value {
                            Value::Expr(_) if !is_error(&coll) => return Err(Fail::Unknown),
                            _ => ops::iteration(coll).ok_or_else(|| {
                                Fail::Error("a collection is required in a for directive".into())
                            })?,
                        };
                        let strip = (fe.strip.strip_end(), f.endfor_expr.strip.strip_start());
                        for (k, v) in items {
                            let mut inner = b.with(fe.value_var.as_str(), v);
                            if let Some(kv) = &fe.key_var {
                                inner = inner.with(kv.as_str(), k);
                            }
                            self.template_into(&fe.template, pos, &inner, d, out, strip)?;
                        }
                    }
                },
            }
            if out.len() > MAX_STRING_BYTES {
                return Err(Fail::Limit(string_limit(out.len())));
            }
        }
        Ok(())
    }

    /// `templatefile(path, vars)` and `templatestring(template, vars)`: the
    /// template sees only `vars` (and functions); a name it does not give is
    /// an error, as in Terraform.
    pub(super) fn render(
        &self,
        name: &str,
        call: &hcl_edit::expr::FuncCall,
        args: &[Node],
        pos: &Pos,
        span: Span,
    ) -> Result<Node, Fail> {
        let [source, vars] = args else {
            return error(format!("{name}() takes two arguments"));
        };
        let text = match (&source.value, name) {
            (Value::Expr(_), _) => return Err(Fail::Unknown),
            (Value::String(path), "templatefile") => {
                if path.ends_with(".tf") || path.ends_with(".tf.json") {
                    return error("a template file cannot be a Terraform configuration file");
                }
                self.env.files().ok_or(Fail::Unknown)?.read_text(path)?
            }
            (Value::String(s), _) if !literal_first(call) => s.clone(),
            _ => return error(format!("invalid template argument to {name}()")),
        };
        let mut b = Bindings::default();
        match &vars.value {
            Value::Map(entries) => {
                for e in entries {
                    b = b.with(&e.key, e.value.clone());
                }
            }
            Value::Expr(_) => return Err(Fail::Unknown),
            _ => return error("vars must be a map or an object"),
        }
        let t = hcl_edit::parser::parse_template(&text)
            .map_err(|e| Fail::Error(format!("invalid template: {e}")))?;
        // values take the call's span: the template's own text is elsewhere
        let inner = Pos {
            src: &text,
            base: 0,
            fixed: Some(span),
            file: pos.file,
        };
        let strict = Evaluator {
            env: &NoReferences(self.env),
            strict: true,
        };
        let v = strict.template(&t, &inner, &b, 0, span, false);
        if is_error(&v) {
            return error("error in template");
        }
        if v.is_expr() {
            return Err(Fail::Unknown);
        }
        Ok(v)
    }
}

/// Whether the first argument is written as a literal string.
pub(super) fn literal_first(call: &hcl_edit::expr::FuncCall) -> bool {
    matches!(
        call.args.iter().next(),
        Some(hcl_edit::expr::Expression::String(_) | hcl_edit::expr::Expression::StringTemplate(_))
    )
}

/// A template's environment: no `var.`/`local.` references, the caller's
/// files and notices.
struct NoReferences<'e>(&'e dyn super::Env);

impl super::Env for NoReferences<'_> {
    fn reference(&self, _: &str, _: &str) -> Option<Node> {
        None
    }
    fn files(&self) -> Option<&crate::terraform::functions::Files> {
        self.0.files()
    }
    fn notice(&self, file: usize, span: Span, message: String) {
        self.0.notice(file, span, message)
    }
}

/// Whether a template element strips the whitespace before it (`${~`, `%{~`).
fn strips_before(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.if_expr.strip.strip_start(),
            Directive::For(f) => f.for_expr.strip.strip_start(),
        },
    }
}

/// Whether a template element strips the whitespace after it (`~}`).
fn strips_after(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.endif_expr.strip.strip_end(),
            Directive::For(f) => f.endfor_expr.strip.strip_end(),
        },
    }
}
