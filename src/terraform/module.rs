//! One Terraform module instance: variables, locals (lazily, in dependency
//! order, cycles reported), local module calls (evaluated with the caller's
//! inputs), resources and data sources expanded by `count`/`for_each`,
//! `dynamic` blocks, and outputs.
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use super::eval::{eval_node, jsonencode_argument, Bindings, Env, Evaluator};
use super::functions::Files;
use super::policy;
use super::source::{FileSrc, ModuleDir};
use super::value::{respan, to_text, unknown};
use super::variables;
use crate::document::{format_number, origin, Entry, FileSpan, Node, Origin, SetBy, Span, Value};
use crate::rules::Target;

/// A resource after evaluation; owns its body.
#[derive(Debug, Clone)]
pub struct EvalResource {
    pub target: Target,
    pub ty: String,
    pub address: String,
    pub file: usize,
    pub body: Node,
    pub header: Span,
    /// Module instance (distinct per module call instance).
    pub instance: usize,
    /// The `module` blocks that led here, outermost first: (file, span).
    pub related: Vec<(usize, Span)>,
}

#[derive(Default)]
pub struct Output {
    pub resources: Vec<EvalResource>,
    /// (file, span, message): locals cycles and the like.
    pub diagnostics: Vec<(usize, Span, String)>,
    /// Attributes of resources that stayed unknown.
    pub unknown: usize,
    /// Sources of modules not evaluated (registry, git…).
    pub remote: BTreeSet<String>,
    /// The local module directories of which at least one instance was
    /// evaluated (a call with `count = 0`, or one a cycle or a limit stopped,
    /// does not count): the scan evaluates every other directory as a root.
    pub called: BTreeSet<String>,
    /// Per module instance ([`EvalResource::instance`]): where the values its
    /// resources use through variables, locals and bindings were set, sorted
    /// by where they land.
    pub origins: Vec<Vec<Origin>>,
    instances: usize,
    /// Resource and module instances made so far (see [`MAX_INSTANCES`]).
    made: usize,
    files: Option<Files>,
    /// The root module's directory (`path.module` is relative to it).
    root_dir: String,
    /// Modules `terraform init` downloaded: module key (`vpc`, `vpc.sub`) →
    /// directory of the scan.
    downloaded: HashMap<String, String>,
}

const MAX_MODULE_DEPTH: usize = 16;

/// The most instances one `count` or `for_each` makes; a larger count is
/// evaluated once with `count.index` (or `each`) unknown, with a notice.
pub const MAX_INSTANCES_PER_BLOCK: usize = 1024;

/// The most resource and module instances one root module evaluation makes
/// (module fan-out multiplies); beyond it blocks are evaluated once with
/// their index unknown and module calls are not followed, with a notice.
pub const MAX_INSTANCES: usize = 20_000;

/// A root module's variable values, each with where it was set.
pub type RootInputs = HashMap<String, (Node, SetBy)>;

/// Evaluates a root module and every local module it calls.
/// `downloaded`: the registry and git modules `terraform init` put on disk,
/// by module key (`.terraform/modules/modules.json`), evaluated like local
/// ones; any other remote source is noted in [`Output::remote`].
pub fn evaluate_root(
    root: &ModuleDir,
    modules: &HashMap<String, ModuleDir>,
    inputs: RootInputs,
    files: Option<Files>,
    downloaded: HashMap<String, String>,
) -> Output {
    let mut out = Output {
        files,
        root_dir: root.dir.clone(),
        downloaded,
        ..Output::default()
    };
    let mut stack = vec![root.dir.clone()];
    instance(root, modules, inputs, "", "", &[], &mut stack, &mut out);
    out
}

/// The names of a module instance, looked up on every reference (foldhash:
/// seeded per process like SipHash, several times faster on short keys).
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

struct ModuleEnv<'m, 'a> {
    /// Shared, not copied, by every reference (a default can be large).
    vars: Map<String, Rc<Node>>,
    /// Where each variable's value was set (the caller, a variables file, the
    /// command line, the default).
    var_origins: Map<String, SetBy>,
    locals: Map<&'a str, (&'a Node, &'m FileSrc<'a>)>,
    /// None while being evaluated (a second visit is a cycle).
    local_values: RefCell<Map<String, Option<Rc<Node>>>>,
    /// Where each evaluated local's value was set: the variable it is, or
    /// else its own expression.
    local_origins: RefCell<Map<String, SetBy>>,
    /// The instance's side table: where values re-spanned to a reference
    /// (the key) were set.
    origins: RefCell<Map<FileSpan, SetBy>>,
    modules: RefCell<Map<String, Rc<Node>>>,
    diagnostics: RefCell<Vec<(usize, Span, String)>>,
    files: Option<Files>,
    /// `path.module`: the module's directory relative to the root module's.
    path: String,
}

impl Env for ModuleEnv<'_, '_> {
    fn reference(&self, root: &str, attr: &str) -> Option<Node> {
        self.shared(root, attr).map(|n| (*n).clone())
    }
    fn shared(&self, root: &str, attr: &str) -> Option<Rc<Node>> {
        match root {
            "var" => self.vars.get(attr).cloned(),
            "local" => self.local(attr),
            "module" => self.modules.borrow().get(attr).cloned(),
            "path" => match attr {
                "module" => Some(Rc::new(Node::string(self.path.clone(), Span::default()))),
                "root" => Some(Rc::new(Node::string(".", Span::default()))),
                _ => None,
            },
            "terraform" if attr == "workspace" => {
                Some(Rc::new(Node::string("default", Span::default())))
            }
            _ => None,
        }
    }
    fn files(&self) -> Option<&Files> {
        self.files.as_ref()
    }
    fn notice(&self, file: usize, span: Span, message: String) {
        self.diagnostics.borrow_mut().push((file, span, message));
    }
    fn reached(&self, root: &str, attr: &str, landing: FileSpan) {
        let set_by = match root {
            "var" => self.var_origins.get(attr).cloned(),
            "local" => self.local_origins.borrow().get(attr).cloned(),
            _ => None,
        };
        if let Some(s) = set_by {
            self.origins.borrow_mut().insert(landing, s);
        }
    }
    fn rebound(&self, from: FileSpan, to: FileSpan) {
        let set_by = self.origins.borrow().get(&from).cloned();
        if let Some(s) = set_by {
            self.origins.borrow_mut().insert(to, s);
        }
    }
}

impl ModuleEnv<'_, '_> {
    fn local(&self, name: &str) -> Option<Rc<Node>> {
        if let Some(v) = self.local_values.borrow().get(name) {
            return match v {
                Some(n) => Some(Rc::clone(n)),
                None => {
                    let (node, file) = self.locals.get(name)?;
                    self.diagnostics.borrow_mut().push((
                        file.idx,
                        node.span,
                        format!("local.{name} depends on itself (a cycle among locals); its value is unknown"),
                    ));
                    None
                }
            };
        }
        let (node, file) = *self.locals.get(name)?;
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), None);
        let ev = Evaluator::new(self);
        let v = eval_node(&ev, node, file, &Bindings::default());
        // a local that is a variable was set where the variable was; any
        // other value was made by the local's own expression: at the part of
        // it the value came from (a literal, a conditional's branch) when
        // that lies inside it
        let within = v.span.start >= node.span.start && v.span.end <= node.span.end;
        let own = if within { v.span } else { node.span };
        let set_by = self
            .origins
            .borrow()
            .get(&FileSpan::new(file.idx, v.span))
            .cloned()
            .unwrap_or_else(|| {
                SetBy::new(
                    Some(FileSpan::new(file.idx, own)),
                    format!("local `{name}`"),
                )
            });
        self.local_origins
            .borrow_mut()
            .insert(name.to_string(), set_by);
        let v = Rc::new(v);
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), Some(Rc::clone(&v)));
        Some(v)
    }
}

/// The local module directories a module calls: the `source` of each parsed
/// `module` block that is a relative path (`./x`, `../x`), joined to the
/// module's directory; sorted, deduplicated, itself excluded. Only blocks
/// count (a comment or a string that looks like a call is not one).
pub fn local_calls(module: &ModuleDir) -> Vec<String> {
    let mut out: Vec<String> = module
        .files
        .iter()
        .flat_map(|f| blocks(f.doc, "module"))
        .flat_map(|call| bodies(&call.value))
        .filter_map(|body| body.get("source").and_then(Node::as_str))
        .filter(|s| s.starts_with("./") || s.starts_with("../"))
        .filter_map(|s| join_dir(&module.dir, s))
        .filter(|d| *d != module.dir)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn blocks<'a>(doc: &'a Node, kind: &str) -> impl Iterator<Item = &'a Entry> {
    let kind = kind.to_string();
    doc.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(move |e| e.key == kind)
        .flat_map(|e| e.value.as_map().unwrap_or(&[]).iter())
}

/// `.tf.json` allows a list of bodies where HCL has one.
fn bodies(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![node],
    }
}

#[allow(clippy::too_many_arguments)]
fn instance(
    module: &ModuleDir,
    modules: &HashMap<String, ModuleDir>,
    inputs: RootInputs,
    prefix: &str,
    key: &str,
    related: &[(usize, Span)],
    stack: &mut Vec<String>,
    out: &mut Output,
) -> HashMap<String, Node> {
    let id = out.instances;
    out.instances += 1;
    out.origins.push(Vec::new());
    let env = module_env(module, inputs, out.files.clone(), &out.root_dir);
    let ev = Evaluator::new(&env);
    let root_b = Bindings::default();

    // module calls, in source order
    for f in &module.files {
        for call in blocks(f.doc, "module") {
            let header = f
                .doc
                .as_map()
                .and_then(|m| {
                    m.iter()
                        .find(|e| e.key == "module" && e.value.get(&call.key).is_some())
                })
                .map(|e| e.key_span.join(call.key_span))
                .unwrap_or(call.key_span);
            for body in bodies(&call.value) {
                let Some(source) = body.get("source").and_then(Node::as_str) else {
                    // OpenTofu evaluates variables and locals in module
                    // sources early; soclint reads literal sources only
                    if let Some(s) = body.get("source") {
                        out.diagnostics.push((
                            f.idx,
                            s.span,
                            format!(
                                "module.{} is not evaluated: its source is an expression, not a literal string",
                                call.key
                            ),
                        ));
                    }
                    continue;
                };
                let child_key = if key.is_empty() {
                    call.key.clone()
                } else {
                    format!("{key}.{}", call.key)
                };
                let dir = if source.starts_with("./") || source.starts_with("../") {
                    join_dir(&module.dir, source)
                } else {
                    let d = out.downloaded.get(&child_key).cloned();
                    if d.is_none() {
                        // named in the summary: never with a token it may carry
                        out.remote
                            .insert(crate::escape::url_without_credentials(source));
                    }
                    d
                };
                let Some(dir) = dir else {
                    continue;
                };
                let Some(child) = modules.get(&dir) else {
                    continue;
                };
                if stack.contains(&dir) || stack.len() >= MAX_MODULE_DEPTH {
                    continue;
                }
                if out.made >= MAX_INSTANCES {
                    out.diagnostics.push((
                        f.idx,
                        header,
                        format!(
                            "module.{} is not evaluated: the root module reached the limit of {MAX_INSTANCES} instances",
                            call.key
                        ),
                    ));
                    continue;
                }
                let Some(expansion) = expand(&ev, body, f, &root_b, out) else {
                    continue;
                };
                let mut related = related.to_vec();
                related.push((f.idx, header));
                let mut list = Vec::new();
                let mut map = Vec::new();
                let keyed = body.get("for_each").is_some();
                let counted = body.get("count").is_some();
                for (suffix, key, b) in expansion {
                    let mut child_inputs = HashMap::new();
                    for a in body.as_map().unwrap_or(&[]) {
                        if matches!(
                            a.key.as_str(),
                            "source"
                                | "version"
                                | "count"
                                | "for_each"
                                | "providers"
                                | "depends_on"
                        ) {
                            continue;
                        }
                        let value = eval_node(&ev, &a.value, f, &b);
                        // set by the caller's argument, or where the
                        // caller's own variable or local was set
                        let at = FileSpan::new(f.idx, value.span);
                        let set_by = env.origins.borrow().get(&at).cloned();
                        let set_by = set_by.unwrap_or_else(|| {
                            SetBy::new(Some(at), format!("module argument `{}`", a.key))
                        });
                        child_inputs.insert(a.key.clone(), (value, set_by));
                    }
                    out.called.insert(dir.clone());
                    stack.push(dir.clone());
                    let outputs = instance(
                        child,
                        modules,
                        child_inputs,
                        &format!("{prefix}module.{}{suffix}.", call.key),
                        &child_key,
                        &related,
                        stack,
                        out,
                    );
                    stack.pop();
                    let mut entries: Vec<Entry> = outputs
                        .into_iter()
                        .map(|(k, v)| Entry {
                            key: k,
                            key_span: Span::default(),
                            value: v,
                        })
                        .collect();
                    entries.sort_by(|a, b| a.key.cmp(&b.key));
                    let obj = Node::map(entries, Span::default());
                    match key {
                        Some(k) if keyed => map.push(Entry {
                            key: k,
                            key_span: Span::default(),
                            value: obj,
                        }),
                        _ => list.push(obj),
                    }
                }
                let value = if keyed {
                    Some(Node::map(map, Span::default()))
                } else if counted {
                    Some(Node::list(list, Span::default()))
                } else {
                    list.pop()
                };
                if let Some(v) = value {
                    env.modules
                        .borrow_mut()
                        .insert(call.key.clone(), Rc::new(v));
                }
            }
        }
    }

    // resources and data sources
    for f in &module.files {
        let Some(top) = f.doc.as_map() else { continue };
        for (block, ty_prefix) in [("resource", ""), ("data", "data.")] {
            for t in top.iter().filter(|e| e.key == block) {
                for by_type in t.value.as_map().unwrap_or(&[]) {
                    for by_name in by_type.value.as_map().unwrap_or(&[]) {
                        let ty = format!("{ty_prefix}{}", by_type.key);
                        let header = t.key_span.join(by_name.key_span);
                        for body in bodies(&by_name.value) {
                            let Some(expansion) = expand(&ev, body, f, &root_b, out) else {
                                continue;
                            };
                            for (suffix, _, b) in expansion {
                                let address = format!("{prefix}{ty}.{}{suffix}", by_name.key);
                                let made = Cell::new(out.made);
                                let evaluated = eval_body(&ev, body, f, &b, true, &made);
                                out.made = made.get();
                                out.unknown += count_unknown(&evaluated);
                                policy::statements_of_resource(
                                    &ty,
                                    &address,
                                    body,
                                    &evaluated,
                                    f,
                                    |node| jsonencode_argument(&ev, node, f, &b),
                                    &mut |ty, address, body, header| {
                                        out.resources.push(EvalResource {
                                            target: Target::Iam,
                                            ty,
                                            address,
                                            file: f.idx,
                                            body,
                                            header,
                                            instance: id,
                                            related: related.to_vec(),
                                        })
                                    },
                                );
                                out.resources.push(EvalResource {
                                    target: Target::Terraform,
                                    ty: ty.clone(),
                                    address,
                                    file: f.idx,
                                    body: evaluated,
                                    header,
                                    instance: id,
                                    related: related.to_vec(),
                                });
                            }
                        }
                    }
                }
            }
        }
    }

    // outputs
    let mut outputs = HashMap::new();
    for f in &module.files {
        for o in blocks(f.doc, "output") {
            if let Some(v) = bodies(&o.value).into_iter().find_map(|b| b.get("value")) {
                outputs.insert(o.key.clone(), eval_node(&ev, v, f, &root_b));
            }
        }
    }
    let mut diags = env.diagnostics.into_inner();
    diags.sort();
    diags.dedup();
    out.diagnostics.extend(diags);
    out.origins[id] = origin::table(env.origins.into_inner());
    outputs
}

/// A module instance's names: its variables (the caller's inputs, else
/// defaults, converted to their types) and its locals (evaluated when used).
fn module_env<'m, 'a>(
    module: &'m ModuleDir<'a>,
    mut inputs: RootInputs,
    files: Option<Files>,
    root_dir: &str,
) -> ModuleEnv<'m, 'a> {
    let plain = Evaluator::new(&NoEnv);
    let mut vars = Map::default();
    let mut var_origins = Map::default();
    let mut notes = Vec::new();
    for f in &module.files {
        for v in blocks(f.doc, "variable") {
            let (input, given) = match inputs.remove(&v.key) {
                Some((value, set_by)) => (Some(value), Some(set_by)),
                None => (None, None),
            };
            let Some((value, default)) = variables::value(&plain, v, f, input, &mut notes) else {
                continue;
            };
            let set_by = match default {
                Some(span) => Some(SetBy::new(
                    Some(FileSpan::new(f.idx, span)),
                    format!("default of variable `{}`", v.key),
                )),
                None => given,
            };
            if let Some(s) = set_by {
                var_origins.insert(v.key.clone(), s);
            }
            vars.insert(v.key.clone(), value);
        }
    }
    let mut locals = Map::default();
    for f in &module.files {
        for e in f
            .doc
            .as_map()
            .unwrap_or(&[])
            .iter()
            .filter(|e| e.key == "locals")
        {
            for body in bodies(&e.value) {
                for l in body.as_map().unwrap_or(&[]) {
                    locals.insert(l.key.as_str(), (&l.value, f));
                }
            }
        }
    }
    ModuleEnv {
        vars,
        var_origins,
        locals,
        local_values: RefCell::default(),
        local_origins: RefCell::default(),
        origins: RefCell::default(),
        modules: RefCell::default(),
        diagnostics: RefCell::new(notes),
        files,
        path: relative_dir(root_dir, &module.dir),
    }
}

/// Evaluates one expression in a root module, as `terraform console` in
/// its directory would (variables from `inputs` and defaults, locals; no
/// module calls or resources). The differential test of variable types
/// against the console uses it. `Err(Fail::Error)` where Terraform reports
/// an error.
pub fn console(
    root: &ModuleDir,
    inputs: HashMap<String, Node>,
    files: Option<Files>,
    expr: &str,
) -> Result<Node, super::value::Fail> {
    use super::value::{has_unknown, is_error, Fail};
    let inputs = inputs
        .into_iter()
        .map(|(k, v)| (k, (v, SetBy::new(None, ""))))
        .collect();
    let env = module_env(root, inputs, files, &root.dir);
    let e = hcl_edit::parser::parse_expr(expr).map_err(|e| Fail::Error(e.to_string()))?;
    let pos = super::eval::Pos {
        src: expr,
        base: 0,
        fixed: None,
        file: usize::MAX,
    };
    let v = Evaluator::new(&env).expr(&e, &pos, &Bindings::default(), 0);
    if is_error(&v) {
        return Err(Fail::Error("error".into()));
    }
    if has_unknown(&v) {
        return Err(Fail::Unknown);
    }
    Ok(v)
}

struct NoEnv;
impl Env for NoEnv {
    fn reference(&self, _: &str, _: &str) -> Option<Node> {
        None
    }
}

/// `count`/`for_each` → instances: (address suffix, each.key, bindings).
/// `None` when the block makes no instance at all (count = 0, empty for_each).
/// Over [`MAX_INSTANCES_PER_BLOCK`], or once the root's [`MAX_INSTANCES`]
/// are made, the block is one instance whose index is unknown (a notice
/// says so).
fn expand(
    ev: &Evaluator,
    body: &Node,
    f: &FileSrc,
    b: &Bindings,
    out: &mut Output,
) -> Option<Vec<(String, Option<String>, Bindings)>> {
    let mut capped = |span: Span, what: String, limit: &str| {
        out.diagnostics.push((
            f.idx,
            span,
            format!("{what} is over {limit}; evaluated once with its index unknown"),
        ));
    };
    let left = MAX_INSTANCES.saturating_sub(out.made);
    let limit = |n: usize| -> Option<String> {
        if n > MAX_INSTANCES_PER_BLOCK {
            Some(format!(
                "the limit of {MAX_INSTANCES_PER_BLOCK} instances per block"
            ))
        } else if n > left {
            Some(format!(
                "the limit of {MAX_INSTANCES} instances per root module"
            ))
        } else {
            None
        }
    };
    if let Some(c) = body.get("count") {
        let n = eval_node(ev, c, f, b);
        let instances = match &n.value {
            Value::Number(x) if *x >= 0.0 && x.fract() == 0.0 => {
                if *x == 0.0 {
                    return None;
                }
                let x = if *x > usize::MAX as f64 {
                    usize::MAX
                } else {
                    *x as usize
                };
                if let Some(l) = limit(x) {
                    capped(
                        c.span,
                        format!("count = {}", format_number(n_value(&n))),
                        &l,
                    );
                    None
                } else {
                    Some(x)
                }
            }
            Value::Bool(false) => return None,
            _ => None,
        };
        // unknown (or capped) count: one instance whose index is unknown
        let Some(x) = instances else {
            out.made += 1;
            return Some(vec![(String::new(), None, b.clone())]);
        };
        out.made += x;
        return Some(
            (0..x)
                .map(|i| {
                    let idx = Node::new(Value::Number(i as f64), c.span);
                    let count = Node::map(
                        vec![Entry {
                            key: "index".into(),
                            key_span: c.span,
                            value: idx,
                        }],
                        c.span,
                    );
                    (format!("[{i}]"), None, b.with("count", count))
                })
                .collect(),
        );
    }
    if let Some(fe) = body.get("for_each") {
        let v = eval_node(ev, fe, f, b);
        let unknown_each = |text: String| {
            let u = || unknown(text.clone(), fe.span);
            let each = Node::map(
                vec![
                    Entry {
                        key: "key".into(),
                        key_span: fe.span,
                        value: u(),
                    },
                    Entry {
                        key: "value".into(),
                        key_span: fe.span,
                        value: u(),
                    },
                ],
                fe.span,
            );
            vec![(String::new(), None, b.with("each", each))]
        };
        let pairs: Vec<(String, Node)> = match &v.value {
            Value::Map(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            Value::List(items) => {
                let mut keys = Vec::new();
                for i in items {
                    match to_text(i) {
                        Some(k) => keys.push((k, i.clone())),
                        None => return Some(vec![(String::new(), None, b.clone())]),
                    }
                }
                keys
            }
            // not known: one instance whose `each` is what for_each refers to
            Value::Expr(e) => return Some(unknown_each(e.text.clone())),
            _ => return Some(unknown_each("each".into())),
        };
        if pairs.is_empty() {
            return None;
        }
        if let Some(l) = limit(pairs.len()) {
            capped(
                fe.span,
                format!("for_each over {} elements", pairs.len()),
                &l,
            );
            out.made += 1;
            let text = f.text.get(fe.span.start..fe.span.end).unwrap_or("each");
            return Some(unknown_each(text.to_string()));
        }
        let mut pairs = pairs;
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        out.made += pairs.len();
        return Some(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let each = Node::map(
                        vec![
                            Entry {
                                key: "key".into(),
                                key_span: fe.span,
                                value: Node::string(k.clone(), fe.span),
                            },
                            Entry {
                                key: "value".into(),
                                key_span: fe.span,
                                value: v,
                            },
                        ],
                        fe.span,
                    );
                    let suffix = format!("[{}]", serde_json::to_string(&k).unwrap_or_default());
                    (suffix, Some(k), b.with("each", each))
                })
                .collect(),
        );
    }
    out.made += 1;
    Some(vec![(String::new(), None, b.clone())])
}

fn n_value(n: &Node) -> f64 {
    match n.value {
        Value::Number(x) => x,
        _ => 0.0,
    }
}

/// Evaluates a block body: attributes, nested blocks and `dynamic` blocks.
fn eval_body(
    ev: &Evaluator,
    node: &Node,
    f: &FileSrc,
    b: &Bindings,
    top: bool,
    made: &Cell<usize>,
) -> Node {
    match &node.value {
        Value::Map(entries) => {
            let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
            for e in entries {
                if top
                    && matches!(
                        e.key.as_str(),
                        "count" | "for_each" | "depends_on" | "provider"
                    )
                {
                    continue;
                }
                if e.key == "dynamic" {
                    for d in e.value.as_map().unwrap_or(&[]) {
                        for body in bodies(&d.value) {
                            dynamic(ev, d, body, f, b, &mut out, made);
                        }
                    }
                    continue;
                }
                let mut value = match &e.value.value {
                    Value::Map(_) | Value::List(_) => eval_body(ev, &e.value, f, b, false, made),
                    _ => eval_node(ev, &e.value, f, b),
                };
                // an attribute set to null is not set (Terraform's meaning),
                // and so are null attributes of objects inside it
                match &value.value {
                    Value::Null => continue,
                    Value::Map(_) | Value::List(_) => drop_null_attributes(&mut value),
                    _ => {}
                }
                out.push(Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value,
                });
            }
            Node::map(out, node.span)
        }
        Value::List(items) => Node::list(
            items
                .iter()
                .map(|i| eval_body(ev, i, f, b, false, made))
                .collect(),
            node.span,
        ),
        _ => eval_node(ev, node, f, b),
    }
}

/// Removes the null attributes of the objects in a value: for rule paths
/// they are absent, as Terraform treats a null argument as an omitted one.
fn drop_null_attributes(n: &mut Node) {
    match &mut n.value {
        Value::Map(entries) => {
            entries.retain(|e| e.value.value != Value::Null);
            entries
                .iter_mut()
                .for_each(|e| drop_null_attributes(&mut e.value));
        }
        Value::List(items) => items.iter_mut().for_each(drop_null_attributes),
        _ => {}
    }
}

/// Expands `dynamic "label" { for_each = …, content { … } }` into `label` blocks.
fn dynamic(
    ev: &Evaluator,
    d: &Entry,
    body: &Node,
    f: &FileSrc,
    b: &Bindings,
    out: &mut Vec<Entry>,
    made: &Cell<usize>,
) {
    let iterator = body
        .get("iterator")
        .and_then(|n| match &n.value {
            Value::Expr(e) => Some(e.text.trim().to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| d.key.clone());
    let Some(content) = body.get("content") else {
        return;
    };
    let items: Option<Vec<(Node, Node)>> = body.get("for_each").and_then(|fe| {
        let v = eval_node(ev, fe, f, b);
        match v.value {
            Value::List(items) => Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Node::new(Value::Number(i as f64), fe.span), v))
                    .collect(),
            ),
            Value::Map(entries) => Some(
                entries
                    .into_iter()
                    .map(|e| (Node::string(e.key, e.key_span), e.value))
                    .collect(),
            ),
            _ => None,
        }
    });
    // as many blocks as resource instances at most (see expand)
    let over = items.as_ref().and_then(|items| {
        if items.len() > MAX_INSTANCES_PER_BLOCK {
            Some(format!(
                "the limit of {MAX_INSTANCES_PER_BLOCK} instances per block"
            ))
        } else if made.get() + items.len() > MAX_INSTANCES {
            Some(format!(
                "the limit of {MAX_INSTANCES} instances per root module"
            ))
        } else {
            None
        }
    });
    if let (Some(limit), Some(items), Some(fe)) = (&over, &items, body.get("for_each")) {
        ev.env.notice(
            f.idx,
            fe.span,
            format!(
                "dynamic \"{}\" over {} elements is over {limit}; its blocks are unknown",
                d.key,
                items.len()
            ),
        );
    }
    let items = if over.is_some() { None } else { items };
    let Some(items) = items else {
        // not known: the blocks are there but unknown, rules on them skip
        push_block(
            out,
            &d.key,
            d.key_span,
            unknown(format!("dynamic \"{}\"", d.key), body.span),
        );
        return;
    };
    for (k, v) in items {
        let it = Node::map(
            vec![
                Entry {
                    key: "key".into(),
                    key_span: k.span,
                    value: k.clone(),
                },
                Entry {
                    key: "value".into(),
                    key_span: v.span,
                    value: v,
                },
            ],
            body.span,
        );
        let inner = b.with(&iterator, it);
        made.set(made.get() + 1);
        let block = eval_body(ev, content, f, &inner, false, made);
        push_block(out, &d.key, d.key_span, block);
    }
}

/// Adds a nested block, making a list when the name repeats (as the HCL reader does).
fn push_block(out: &mut Vec<Entry>, key: &str, key_span: Span, block: Node) {
    if let Some(e) = out.iter_mut().find(|e| e.key == key) {
        let span = e.value.span.join(block.span);
        match &mut e.value.value {
            Value::List(items) => items.push(block),
            _ => {
                let first = std::mem::replace(&mut e.value, Node::null(Span::default()));
                e.value = Node::list(vec![first, block], span);
            }
        }
        e.value.span = span;
        return;
    }
    out.push(Entry {
        key: key.to_string(),
        key_span,
        value: block,
    });
}

fn count_unknown(n: &Node) -> usize {
    match &n.value {
        Value::Expr(_) => 1,
        Value::List(items) => items.iter().map(count_unknown).sum(),
        Value::Map(entries) => entries.iter().map(|e| count_unknown(&e.value)).sum(),
        _ => 0,
    }
}

/// `to` relative to `from` (directories relative to one root, forward
/// slashes): `path.module` as Terraform gives it (`.`, `modules/x`, `../y`).
fn relative_dir(from: &str, to: &str) -> String {
    let split = |d: &str| -> Vec<String> {
        d.split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect()
    };
    let (from, to) = (split(from), split(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `dir` joined with a relative module source, normalised (`a/b` + `../c` =
/// `a/c`); `None` when it climbs above the scanned root (`a` + `../../c`),
/// where no scanned directory is.
pub fn join_dir(dir: &str, source: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in source.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A variable value given on the command line or in a tfvars file, parsed
/// as an HCL expression when it is one (Terraform does the same).
pub fn cli_value(text: &str) -> Node {
    if let Ok(e) = hcl_edit::parser::parse_expr(text) {
        let pos = super::eval::Pos {
            src: text,
            base: 0,
            fixed: None,
            file: usize::MAX,
        };
        let v = Evaluator::new(&NoEnv).expr(&e, &pos, &Bindings::default(), 0);
        if !super::value::has_unknown(&v) && !matches!(v.value, Value::Null) {
            return respan(v, Span::default());
        }
    }
    Node::string(text, Span::default())
}

/// The attribute values of a tfvars file (HCL or JSON), each with the span
/// of its value in the file (where it was set).
pub fn tfvars(doc: &Node, text: &str, json: bool) -> Vec<(String, Node, Span)> {
    let ev = Evaluator::new(&NoEnv);
    doc.as_map()
        .unwrap_or(&[])
        .iter()
        .map(|e| {
            let v =
                super::eval::eval_text(&ev, &e.value, text, json, usize::MAX, &Bindings::default());
            (e.key.clone(), respan(v, Span::default()), e.value.span)
        })
        .collect()
}
