//! ARM template values known before deployment: an expression that is
//! exactly `[parameters('x')]` takes the parameter's `defaultValue` when
//! that is a literal, `[variables('y')]` the variable's literal value (or
//! the parameter or variable it names in turn); `[[` starts a literal
//! string that begins with `[`. Every other expression (`concat`,
//! `resourceId`, `reference`, `copyIndex`, a parameter with no default…)
//! depends on the deployment and stays an expression, which rules treat as
//! unknown: never a guess.
//!
//! A nested deployment's inline template (`Microsoft.Resources/deployments`,
//! `properties.template`) is evaluated in the outer template's scope, as ARM
//! does by default; with `expressionEvaluationOptions.scope: inner` it has
//! its own parameters and variables, and a parameter the deployment passes
//! is unknown (its value is an outer expression not followed here).
//!
//! A resolved value's span is where the expression is written (the
//! property a user reads in the resource); where the value was set (the
//! `defaultValue`, the variable) is recorded as an [`Origin`], so a
//! finding on it points at the line to edit, as for CloudFormation
//! parameters (see [`super::cfn_values`]).
use std::cell::RefCell;
use std::collections::HashMap;

use crate::document::{origin, Expr, FileSpan, Node, Origin, SetBy, Span, Value};

/// Most references followed in one value (a variable naming itself, a
/// hostile chain) and most nesting rewritten.
const MAX_DEPTH: usize = 64;

/// Rewrites each template's resources with the values known before
/// deployment; gives the origins of the values used (`file` is the
/// template's index in the scan), sorted by where they land.
pub fn resolve(docs: &mut [Node], file: usize) -> Vec<Origin> {
    let mut set = Vec::new();
    for doc in docs {
        let template = Template::new(doc, file);
        if let Some(resources) = entry_mut(doc, "resources") {
            template.rewrite(resources, 0);
        }
        set.append(&mut template.origins.into_inner());
    }
    origin::table(set)
}

fn entry_mut<'a>(doc: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut doc.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key == key)
            .map(|e| &mut e.value),
        _ => None,
    }
}

/// What a string is to ARM.
enum Text<'s> {
    Plain,
    /// `[[…`: a literal that starts with `[` (the first one dropped).
    Escaped(&'s str),
    /// `[…]`: an expression (the text between the brackets).
    Expression(&'s str),
}

fn text_kind(s: &str) -> Text<'_> {
    if s.starts_with("[[") {
        Text::Escaped(&s[1..])
    } else if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Text::Expression(inner)
    } else {
        Text::Plain
    }
}

struct Template {
    /// A parameter's literal default, and where it was set.
    params: HashMap<String, (Node, SetBy)>,
    variables: HashMap<String, Node>,
    origins: RefCell<Vec<(FileSpan, SetBy)>>,
    file: usize,
}

impl Template {
    fn new(doc: &Node, file: usize) -> Self {
        Template::with_passed(doc, file, &[])
    }

    /// A template whose parameters named in `passed` (lower case) get their
    /// values from elsewhere: those are not known.
    fn with_passed(doc: &Node, file: usize, passed: &[String]) -> Self {
        // ARM names are case-insensitive
        let mut params = HashMap::new();
        for p in doc.get("parameters").and_then(Node::as_map).unwrap_or(&[]) {
            if passed.contains(&p.key.to_ascii_lowercase()) {
                continue;
            }
            if let Some(d) = p.value.get("defaultValue").filter(|d| is_literal(d, 0)) {
                let by = SetBy::new(
                    Some(FileSpan::new(file, d.span)),
                    format!("default of parameter `{}`", p.key),
                );
                let mut d = d.clone();
                unescape(&mut d, 0);
                params.insert(p.key.to_ascii_lowercase(), (d, by));
            }
        }
        let variables = doc
            .get("variables")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|e| (e.key.to_ascii_lowercase(), e.value.clone()))
            .collect();
        Template {
            params,
            variables,
            origins: RefCell::new(Vec::new()),
            file,
        }
    }

    /// Replaces the expressions inside `node`: known ones by their value,
    /// the others by an unknown [`Value::Expr`].
    fn rewrite(&self, node: &mut Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match &mut node.value {
            Value::String(s) => match text_kind(s) {
                Text::Plain => {}
                Text::Escaped(literal) => *s = literal.to_string(),
                Text::Expression(inner) => {
                    let inner = inner.to_string();
                    match self.evaluate(&inner, 0) {
                        Some((mut v, by)) => {
                            relocate(&mut v, node.span);
                            let landing = FileSpan::new(self.file, node.span);
                            self.origins.borrow_mut().push((landing, by));
                            *node = v;
                        }
                        None => {
                            node.value = Value::Expr(Expr {
                                text: inner,
                                function: None,
                                argument: None,
                            })
                        }
                    }
                }
            },
            Value::Map(_) => {
                // an inner-scope nested template is evaluated on its own
                let inner = take_inner_template(node);
                if let Value::Map(entries) = &mut node.value {
                    entries
                        .iter_mut()
                        .for_each(|e| self.rewrite(&mut e.value, depth + 1));
                }
                if let Some((mut template, passed)) = inner {
                    let own = Template::with_passed(&template, self.file, &passed);
                    if let Some(resources) = entry_mut(&mut template, "resources") {
                        own.rewrite(resources, depth + 1);
                    }
                    self.origins
                        .borrow_mut()
                        .append(&mut own.origins.into_inner());
                    put_back_template(node, template);
                }
            }
            Value::List(items) => items.iter_mut().for_each(|n| self.rewrite(n, depth + 1)),
            _ => {}
        }
    }

    /// The value of an expression (the text between the brackets) and
    /// where it was set, when it is a parameter or variable of known value.
    fn evaluate(&self, inner: &str, depth: usize) -> Option<(Node, SetBy)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (function, name) = single_call(inner)?;
        let name = name.to_ascii_lowercase();
        match function.to_ascii_lowercase().as_str() {
            "parameters" => self.params.get(&name).cloned(),
            "variables" => {
                let v = self.variables.get(&name)?;
                if let Some(Text::Expression(next)) = v.as_str().map(text_kind) {
                    return self.evaluate(next, depth + 1);
                }
                is_literal(v, 0).then(|| {
                    let by = SetBy::new(
                        Some(FileSpan::new(self.file, v.span)),
                        format!("variable `{name}`"),
                    );
                    let mut v = v.clone();
                    unescape(&mut v, 0);
                    (v, by)
                })
            }
            _ => None,
        }
    }
}

/// Whether `node` is a deployment whose inline template has its own scope
/// (`expressionEvaluationOptions.scope: inner`).
fn is_inner_deployment(node: &Node) -> bool {
    let is_deployment = node
        .get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
    let scope = node
        .get("properties")
        .and_then(|p| p.get("expressionEvaluationOptions"))
        .and_then(|o| o.get("scope"))
        .and_then(Node::as_str);
    is_deployment && scope.is_some_and(|s| s.eq_ignore_ascii_case("inner"))
}

/// Takes an inner-scope deployment's inline template out of it (a null in
/// its place), with the names (lower case) of the parameters it passes.
fn take_inner_template(node: &mut Node) -> Option<(Node, Vec<String>)> {
    if !is_inner_deployment(node) {
        return None;
    }
    let properties = entry_mut(node, "properties")?;
    let passed = properties
        .get("parameters")
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.to_ascii_lowercase())
        .collect();
    let template = entry_mut(properties, "template")?;
    let span = template.span;
    Some((std::mem::replace(template, Node::null(span)), passed))
}

fn put_back_template(node: &mut Node, template: Node) {
    if let Some(slot) = entry_mut(node, "properties").and_then(|p| entry_mut(p, "template")) {
        *slot = template;
    }
}

/// `f('name')` (blanks allowed, `''` an escaped quote): the function and
/// its one string argument; anything else is not a plain lookup.
fn single_call(inner: &str) -> Option<(&str, String)> {
    let (function, rest) = inner.trim().split_once('(')?;
    let arg = rest.trim_end().strip_suffix(')')?.trim();
    let quoted = arg.strip_prefix('\'')?.strip_suffix('\'')?;
    // a lone quote inside would end the string: more than one argument
    if quoted.replace("''", "").contains('\'') {
        return None;
    }
    let function = function.trim();
    function
        .bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then(|| (function, quoted.replace("''", "'")))
}

/// Whether a value holds no expression (a `[[` literal is no expression).
fn is_literal(node: &Node, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match &node.value {
        Value::String(s) => !matches!(text_kind(s), Text::Expression(_)),
        Value::Map(entries) => entries.iter().all(|e| is_literal(&e.value, depth + 1)),
        Value::List(items) => items.iter().all(|n| is_literal(n, depth + 1)),
        Value::Expr(_) => false,
        _ => true,
    }
}

/// `[[x` literals inside a literal value read as `[x`.
fn unescape(node: &mut Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut node.value {
        Value::String(s) => {
            if let Text::Escaped(literal) = text_kind(s) {
                *s = literal.to_string();
            }
        }
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|e| unescape(&mut e.value, depth + 1)),
        Value::List(items) => items.iter_mut().for_each(|n| unescape(n, depth + 1)),
        _ => {}
    }
}

/// Every span of `node` set to `span`.
fn relocate(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| relocate(n, span)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = span;
            relocate(&mut e.value, span);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::single_call;

    #[test]
    fn only_a_single_quoted_lookup_is_a_call() {
        assert_eq!(
            single_call(" parameters( 'name' ) "),
            Some(("parameters", "name".to_string()))
        );
        assert_eq!(
            single_call("variables('it''s')"),
            Some(("variables", "it's".to_string()))
        );
        assert_eq!(single_call("parameters('a').b"), None);
        assert_eq!(single_call("parameters('a', 'b')"), None);
        assert_eq!(single_call("concat(parameters('a'))"), None);
        assert_eq!(single_call("parameters(variables('a'))"), None);
    }
}
