//! CloudFormation values known before deployment: parameters (their
//! `Default`, or a value from `--cfn-parameters`), `Conditions`, and the
//! intrinsic functions of known arguments (`Ref` to a parameter, `Fn::If`,
//! `Fn::Equals`/`Not`/`And`/`Or`, `Fn::FindInMap`, `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`, `Fn::Split`), written in short (`!Ref`) or long
//! (`{"Ref": …}`) form. A resource whose `Condition` is false is not
//! created, so it is dropped.
//!
//! Never a guess: what depends on the deployment (pseudo parameters but
//! `AWS::NoValue`, `Fn::GetAtt`, `Fn::ImportValue`, an SSM-typed parameter,
//! a parameter with no default and no value given) stays an intrinsic, which
//! rules treat as unknown. A resolved value's span is where the function is
//! written (the property a user reads in the resource); a `Ref` to a
//! parameter also records where its value was set (the `Default`, or
//! `--cfn-parameters`) as an [`Origin`], so a finding on it points at the
//! line to edit (issue 14 item 2).
use std::cell::RefCell;
use std::collections::HashMap;

use crate::document::{format_number, origin, FileSpan, Node, Origin, SetBy, Span, Value};

/// Parameter values given for every template (`--cfn-parameters`).
pub type Overrides = Vec<(String, String)>;

/// The values of a parameter file in one of the forms the AWS CLI reads:
/// `aws cloudformation deploy`'s `{"Parameters": {"K": "V"}}` and
/// `["K=V", …]`, and `create-stack`'s `[{"ParameterKey": "K",
/// "ParameterValue": "V"}]` (an entry with `UsePreviousValue` gives none).
pub fn parameter_file(doc: &Node) -> Result<Overrides, &'static str> {
    const SHAPE: &str = "expected {\"Parameters\": {\"Key\": \"Value\"}}, [\"Key=Value\"] or [{\"ParameterKey\": …, \"ParameterValue\": …}]";
    let text = |n: &Node| scalar_text(n).ok_or(SHAPE);
    match &doc.value {
        Value::Map(_) => {
            let params = doc.get("Parameters").and_then(Node::as_map).ok_or(SHAPE)?;
            params
                .iter()
                .map(|e| Ok((e.key.clone(), text(&e.value)?)))
                .collect()
        }
        Value::List(items) => {
            let mut out = Vec::new();
            for item in items {
                match &item.value {
                    Value::String(s) => {
                        let (k, v) = s.split_once('=').ok_or(SHAPE)?;
                        out.push((k.to_string(), v.to_string()));
                    }
                    Value::Map(_) => {
                        let key = item
                            .get("ParameterKey")
                            .and_then(Node::as_str)
                            .ok_or(SHAPE)?;
                        if let Some(v) = item.get("ParameterValue") {
                            out.push((key.to_string(), text(v)?));
                        }
                    }
                    _ => return Err(SHAPE),
                }
            }
            Ok(out)
        }
        _ => Err(SHAPE),
    }
}

/// Most nested function applications followed in one value (a condition
/// naming itself, a hostile chain).
const MAX_DEPTH: usize = 64;

/// Rewrites each template's resources with the values known before
/// deployment; gives the origins of the parameter values used (`file` is
/// the template's index in the scan), sorted by where they land.
pub fn resolve(docs: &mut [Node], overrides: &[(String, String)], file: usize) -> Vec<Origin> {
    let mut set = Vec::new();
    for doc in docs {
        let template = Template::new(doc, overrides, file);
        let Some(Value::Map(entries)) = resources_mut(doc).map(|r| &mut r.value) else {
            continue;
        };
        entries.retain(|r| {
            let cond = r.value.get("Condition").and_then(Node::as_str);
            cond.is_none_or(|c| template.condition(c, 0) != Some(false))
        });
        for r in entries.iter_mut() {
            template.rewrite(&mut r.value, 0);
        }
        set.append(&mut template.origins.into_inner());
    }
    origin::table(set)
}

fn resources_mut(doc: &mut Node) -> Option<&mut Node> {
    match &mut doc.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key == "Resources")
            .map(|e| &mut e.value),
        _ => None,
    }
}

/// What a function application gives.
enum Outcome {
    Known(Node),
    /// `Ref: AWS::NoValue`: the property is left out.
    NoValue,
    Unknown,
}

struct Template {
    params: HashMap<String, Node>,
    /// Where each parameter's value was set.
    set_by: HashMap<String, SetBy>,
    conditions: HashMap<String, Node>,
    mappings: Option<Node>,
    /// (where a parameter's value lands, where it was set), one per `Ref`
    /// rewritten in place.
    origins: RefCell<Vec<(FileSpan, SetBy)>>,
    file: usize,
}

impl Template {
    fn new(doc: &Node, overrides: &[(String, String)], file: usize) -> Self {
        let mut set_by = HashMap::new();
        let mut params = HashMap::new();
        for p in doc.get("Parameters").and_then(Node::as_map).unwrap_or(&[]) {
            let ty = p
                .value
                .get("Type")
                .and_then(Node::as_str)
                .unwrap_or("String");
            // resolved from Systems Manager at deployment: the default is a name
            if ty.starts_with("AWS::SSM::") {
                continue;
            }
            let list = ty == "CommaDelimitedList" || ty.starts_with("List<");
            let given = overrides.iter().rev().find(|(k, _)| *k == p.key);
            let (value, by) = match (given, p.value.get("Default")) {
                (Some((_, v)), _) => (
                    Node::string(v.clone(), Span::default()),
                    SetBy::new(None, format!("--cfn-parameters {}", p.key)),
                ),
                (None, Some(d)) if !is_intrinsic(d) => (
                    d.clone(),
                    SetBy::new(
                        Some(FileSpan::new(file, d.span)),
                        format!("default of parameter `{}`", p.key),
                    ),
                ),
                _ => continue,
            };
            let value = match (&value.value, list) {
                (Value::String(s), false) if ty == "Number" => match s.trim().parse::<f64>() {
                    Ok(n) => Node::new(Value::Number(n), value.span),
                    Err(_) => continue,
                },
                (Value::String(s), true) => Node::list(
                    s.split(',')
                        .map(|x| Node::string(x.trim(), value.span))
                        .collect(),
                    value.span,
                ),
                _ => value,
            };
            params.insert(p.key.clone(), value);
            set_by.insert(p.key.clone(), by);
        }
        let conditions = doc
            .get("Conditions")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        Template {
            params,
            set_by,
            conditions,
            mappings: doc.get("Mappings").cloned(),
            origins: RefCell::new(Vec::new()),
            file,
        }
    }

    /// Replaces the known function applications inside `node`.
    fn rewrite(&self, node: &mut Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some((f, arg)) = intrinsic(node) {
            if let Outcome::Known(mut v) = self.apply(f, arg, depth + 1) {
                // a chosen `Fn::If` branch keeps its own place; anything
                // else is shown where the function is written
                if f != "Fn::If" {
                    relocate(&mut v, node.span);
                }
                // a parameter's value: findings on it go where it was set
                if let (true, Some(by)) =
                    (f == "Ref", arg.as_str().and_then(|p| self.set_by.get(p)))
                {
                    let landing = FileSpan::new(self.file, node.span);
                    self.origins.borrow_mut().push((landing, by.clone()));
                }
                *node = v;
            }
            return;
        }
        match &mut node.value {
            Value::Map(entries) => {
                entries.retain_mut(|e| {
                    self.rewrite(&mut e.value, depth + 1);
                    !self.is_no_value(&e.value)
                });
            }
            Value::List(items) => {
                items.retain_mut(|n| {
                    self.rewrite(n, depth + 1);
                    !self.is_no_value(n)
                });
            }
            _ => {}
        }
    }

    /// Whether a node left as it was is an `AWS::NoValue` (an `Fn::If`
    /// that chose it).
    fn is_no_value(&self, node: &Node) -> bool {
        intrinsic(node).is_some_and(|(f, arg)| f == "Ref" && arg.as_str() == Some("AWS::NoValue"))
    }

    /// The value of `node` if known: a literal, or a function of known arguments.
    fn value(&self, node: &Node, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        match intrinsic(node) {
            Some((f, arg)) => match self.apply(f, arg, depth + 1) {
                Outcome::Known(v) => Some(v),
                _ => None,
            },
            None => {
                let mut v = node.clone();
                self.rewrite(&mut v, depth + 1);
                Some(v)
            }
        }
    }

    fn scalar(&self, node: &Node, depth: usize) -> Option<String> {
        scalar_text(&self.value(node, depth)?)
    }

    fn apply(&self, f: &str, arg: &Node, depth: usize) -> Outcome {
        use Outcome::{Known, NoValue, Unknown};
        let args = arg.as_list().unwrap_or(&[]);
        let known = |v: Option<Node>| v.map_or(Unknown, Known);
        match f {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => NoValue,
                Some(name) => known(self.params.get(name).cloned()),
                None => Unknown,
            },
            "Fn::If" => {
                let [cond, yes, no] = args else {
                    return Unknown;
                };
                let Some(name) = cond.as_str() else {
                    return Unknown;
                };
                let chosen = match self.condition(name, depth) {
                    Some(true) => yes,
                    Some(false) => no,
                    None => return Unknown,
                };
                if self.is_no_value(chosen) {
                    return NoValue;
                }
                let mut v = chosen.clone();
                self.rewrite(&mut v, depth);
                Known(v)
            }
            "Fn::FindInMap" => {
                let [map, top, second] = args else {
                    return Unknown;
                };
                let (Some(map), Some(top), Some(second)) = (
                    self.scalar(map, depth),
                    self.scalar(top, depth),
                    self.scalar(second, depth),
                ) else {
                    return Unknown;
                };
                let found = self
                    .mappings
                    .as_ref()
                    .and_then(|m| m.get(&map)?.get(&top)?.get(&second).cloned());
                known(found.and_then(|v| self.value(&v, depth)))
            }
            "Fn::Join" => {
                let [sep, list] = args else { return Unknown };
                let (Some(sep), Some(list)) = (self.scalar(sep, depth), self.value(list, depth))
                else {
                    return Unknown;
                };
                let parts: Option<Vec<String>> = list
                    .as_list()
                    .map(|items| items.iter().map(|i| self.scalar(i, depth)).collect())
                    .unwrap_or(None);
                known(parts.map(|p| Node::string(p.join(&sep), arg.span)))
            }
            "Fn::Select" => {
                let [index, list] = args else { return Unknown };
                let index = self
                    .scalar(index, depth)
                    .and_then(|i| i.parse::<usize>().ok());
                let list = self.value(list, depth);
                known(index.and_then(|i| list?.as_list()?.get(i).cloned()))
            }
            "Fn::Split" => {
                let [sep, text] = args else { return Unknown };
                let (Some(sep), Some(text)) = (self.scalar(sep, depth), self.scalar(text, depth))
                else {
                    return Unknown;
                };
                if sep.is_empty() {
                    return Unknown;
                }
                let items = text.split(sep.as_str()).map(|s| Node::string(s, arg.span));
                Known(Node::list(items.collect(), arg.span))
            }
            "Fn::Sub" => {
                let (text, vars) = match (&arg.value, args) {
                    (Value::String(s), _) => (s.as_str(), None),
                    (_, [t, vars]) => match t.as_str() {
                        Some(s) => (s, Some(vars)),
                        None => return Unknown,
                    },
                    _ => return Unknown,
                };
                known(
                    self.substitute(text, vars, depth)
                        .map(|s| Node::string(s, arg.span)),
                )
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition" => {
                match self.test(f, arg, depth) {
                    Some(b) => Known(Node::new(Value::Bool(b), arg.span)),
                    None => Unknown,
                }
            }
            _ => Unknown,
        }
    }

    /// `Fn::Sub`'s text with every `${name}` known; `${!x}` is `${x}`.
    fn substitute(&self, text: &str, vars: Option<&Node>, depth: usize) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}')?;
            let name = after[..end].trim();
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.scalar(v, depth)?,
                None => scalar_text(self.params.get(name)?)?,
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// A named condition's truth, when known.
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (f, arg) = intrinsic(self.conditions.get(name)?)?;
        self.test(f, arg, depth + 1)
    }

    /// A condition function's truth, when known.
    fn test(&self, f: &str, arg: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let truth = |n: &Node| match intrinsic(n) {
            Some((g, a)) => self.test(g, a, depth + 1),
            None => match &n.value {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
        };
        let args = arg.as_list().unwrap_or(&[]);
        match f {
            "Condition" => self.condition(arg.as_str()?, depth + 1),
            "Fn::Equals" => {
                let [a, b] = args else { return None };
                Some(self.scalar(a, depth)? == self.scalar(b, depth)?)
            }
            "Fn::Not" => Some(!truth(args.first()?)?),
            // false (true) as soon as one is, whatever the others
            "Fn::And" => {
                let all: Vec<Option<bool>> = args.iter().map(truth).collect();
                if all.contains(&Some(false)) {
                    Some(false)
                } else {
                    all.into_iter().collect::<Option<Vec<bool>>>().map(|_| true)
                }
            }
            "Fn::Or" => {
                let all: Vec<Option<bool>> = args.iter().map(truth).collect();
                if all.contains(&Some(true)) {
                    Some(true)
                } else {
                    all.into_iter()
                        .collect::<Option<Vec<bool>>>()
                        .map(|_| false)
                }
            }
            _ => None,
        }
    }
}

/// A function application in either form: (`Ref` or `Fn::…` or
/// `Condition`, its argument).
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.value {
        Value::Expr(e) => Some((e.function.as_deref()?, e.argument.as_deref()?)),
        Value::Map(entries) => match entries.as_slice() {
            [only]
                if only.key == "Ref" || only.key.starts_with("Fn::") || only.key == "Condition" =>
            {
                Some((only.key.as_str(), &only.value))
            }
            _ => None,
        },
        _ => None,
    }
}

fn is_intrinsic(node: &Node) -> bool {
    intrinsic(node).is_some()
}

/// CloudFormation compares and joins values as text.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
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
