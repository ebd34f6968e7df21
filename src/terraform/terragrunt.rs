//! A `terragrunt.hcl` read statically: the Terraform module its
//! `terraform { source }` names, and the `inputs` that become that module's
//! variables, through `locals`, `include` blocks and `read_terragrunt_config`
//! of files in the scanned tree. What only a run would know (`get_env`,
//! `run_cmd`, `dependency` outputs, `get_aws_account_id`…) stays unknown;
//! no program is run and no file outside the tree is read.
//!
//! Paths: Terragrunt's functions return absolute paths. Here the scanned
//! root is `/`, so `find_in_parent_folders("root.hcl")` is `/root.hcl` and
//! `"${get_terragrunt_dir()}/../x"` resolves inside the tree; a path that
//! climbs above it is not read.
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::eval::{eval_text, Bindings, Env, Evaluator};
use super::value::{to_text, Fail, Outcome};
use crate::document::{Entry, Node, Span, Value};

/// How deep `include` and `read_terragrunt_config` nest before giving up
/// (a file that reads itself).
const MAX_DEPTH: usize = 8;

/// A configuration file read: its path in the scan, text and parsed body.
pub struct ConfigFile {
    pub rel: String,
    pub text: Arc<str>,
    pub doc: Node,
}

/// What the scan gives the evaluator.
pub struct Tree<'t> {
    /// A file of the scan by its path (relative, forward slashes), parsed
    /// as HCL; `None` when there is no such file or it does not parse.
    pub read: &'t dyn Fn(&str) -> Option<ConfigFile>,
    /// Whether the scan has a file at that path.
    pub exists: &'t dyn Fn(&str) -> bool,
    /// The scanned directory is a repository's root (`get_repo_root()`).
    pub repo_root: bool,
}

/// Where `terraform { source }` points.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// No `terraform` block with a source: the `.tf` files beside it.
    Beside,
    /// A directory of the scanned tree (relative path).
    Local(String),
    /// A registry, git or HTTP address: not in the tree.
    Remote(String),
    /// Not known statically (the expression's text).
    Unknown(String),
    /// A local path that climbs above the scanned directory (as written).
    Outside(String),
}

/// A Terragrunt configuration evaluated.
pub struct Config {
    pub source: Source,
    /// Where the source was set: (file, span of its value).
    pub source_at: Option<(usize, Span)>,
    /// The module's variable values, each with the file it was set in
    /// (Terragrunt's merge: an `include`d file's inputs, then this file's).
    pub inputs: Vec<(String, Node, usize)>,
    /// The files read besides the configuration itself, in index order
    /// from `first_file`.
    pub files: Vec<ConfigFile>,
    /// (file, span, message): what could not be read or known.
    pub notices: Vec<(usize, Span, String)>,
}

/// Evaluates the configuration `doc` (file `idx`, at `rel`). Files it reads
/// get indices from `first_file` on.
pub fn evaluate(
    idx: usize,
    rel: &str,
    text: &str,
    doc: &Node,
    first_file: usize,
    tree: &Tree,
) -> Config {
    let dir = parent(rel).to_string();
    let cx = Context {
        tree,
        first_file,
        files: RefCell::new(Vec::new()),
        notices: RefCell::new(Vec::new()),
    };
    let me = Rc::new(Loaded {
        idx,
        dir: dir.clone(),
        text: text.to_string(),
        doc: doc.clone(),
    });
    let parsed = cx.config(&me, &dir, &dir, 0, true);
    let mut inputs: Vec<(String, Node, usize)> = Vec::new();
    let mut source = None;
    for inc in &parsed.includes {
        merge_inputs(&mut inputs, &inc.inputs, inc.file);
        if inc.source.is_some() {
            source.clone_from(&inc.source);
        }
    }
    merge_inputs(&mut inputs, &parsed.inputs, idx);
    if parsed.source.is_some() {
        source = parsed.source;
    }
    let (source, source_at) = match source {
        None => (Source::Beside, None),
        Some((node, file)) => (cx.source(&node, &dir), Some((file, node.span))),
    };
    Config {
        source,
        source_at,
        inputs,
        files: cx
            .files
            .into_inner()
            .into_iter()
            .map(|f| ConfigFile {
                rel: f.0,
                text: Arc::from(f.1.text.as_str()),
                doc: f.1.doc.clone(),
            })
            .collect(),
        notices: cx.notices.into_inner(),
    }
}

/// The inputs of one file, shallow-merged over those before (a later file
/// or this file's own wins, key by key, as Terragrunt's default merge).
fn merge_inputs(into: &mut Vec<(String, Node, usize)>, inputs: &Option<Node>, file: usize) {
    let Some(Node {
        value: Value::Map(entries),
        ..
    }) = inputs
    else {
        return;
    };
    for e in entries {
        into.retain(|(k, _, _)| *k != e.key);
        into.push((e.key.clone(), e.value.clone(), file));
    }
}

/// A file's parsed body and where it is.
struct Loaded {
    idx: usize,
    dir: String,
    text: String,
    doc: Node,
}

struct Context<'t> {
    tree: &'t Tree<'t>,
    first_file: usize,
    /// The files read so far, by path (each read once).
    files: RefCell<Vec<(String, Rc<Loaded>)>>,
    notices: RefCell<Vec<(usize, Span, String)>>,
}

/// One file's configuration, evaluated in a child's context.
struct Parsed {
    locals: Node,
    inputs: Option<Node>,
    source: Option<(Node, usize)>,
    includes: Vec<Included>,
}

struct Included {
    file: usize,
    inputs: Option<Node>,
    source: Option<(Node, usize)>,
}

impl Context<'_> {
    fn notice(&self, file: usize, span: Span, message: String) {
        self.notices.borrow_mut().push((file, span, message));
    }

    /// The file at a path of the tree, read once.
    fn load(&self, rel: &str) -> Option<Rc<Loaded>> {
        if let Some((_, l)) = self.files.borrow().iter().find(|(r, _)| r == rel) {
            return Some(Rc::clone(l));
        }
        let f = (self.tree.read)(rel)?;
        let mut files = self.files.borrow_mut();
        let l = Rc::new(Loaded {
            idx: self.first_file + files.len(),
            dir: parent(rel).to_string(),
            text: f.text.to_string(),
            doc: f.doc,
        });
        files.push((rel.to_string(), Rc::clone(&l)));
        Some(l)
    }

    /// `file` evaluated for the configuration in `child_dir` (where
    /// `find_in_parent_folders` and `get_terragrunt_dir` start); `includes`:
    /// follow its `include` blocks (Terragrunt includes one level).
    fn config(
        &self,
        file: &Rc<Loaded>,
        child_dir: &str,
        parent_dir: &str,
        depth: usize,
        includes: bool,
    ) -> Parsed {
        let bare = TgEnv::new(self, file, child_dir, parent_dir, depth, HashMap::new());
        let mut included = Vec::new();
        let mut exposed = HashMap::new();
        let mut first_dir: Option<String> = None;
        if includes {
            for (name, body) in include_blocks(&file.doc) {
                let Some(path) = body.get("path") else {
                    continue;
                };
                let v = bare.eval(path);
                let Some(p) = to_text(&v) else {
                    self.notice(
                        file.idx,
                        path.span,
                        "include path not known statically; the included configuration is not read"
                            .into(),
                    );
                    continue;
                };
                let Some(inc) = self.read_config(&p, child_dir, file.idx, path.span, depth) else {
                    continue;
                };
                let inc_dir = inc.dir.clone();
                first_dir.get_or_insert_with(|| inc_dir.clone());
                let parsed = self.config(&inc, child_dir, &inc_dir, depth + 1, false);
                exposed.insert(name, object(&parsed));
                included.push(Included {
                    file: inc.idx,
                    inputs: parsed.inputs,
                    source: parsed.source,
                });
            }
        }
        if !includes {
            // Terragrunt refuses an included configuration that includes
            // another; said rather than passed over
            for (_, body) in include_blocks(&file.doc) {
                let span = body.get("path").map_or(body.span, |p| p.span);
                self.notice(
                    file.idx,
                    span,
                    "an included configuration's own `include` is not followed (Terragrunt does not support nested includes)".into(),
                );
            }
        }
        // in the including file, the parent is the (first) included one
        let parent_dir = first_dir.as_deref().unwrap_or(parent_dir);
        let env = TgEnv::new(self, file, child_dir, parent_dir, depth, exposed);
        self.generated_code(&env, file);
        let locals = env.all_locals();
        let inputs = file.doc.get("inputs").map(|n| env.eval(n));
        let source = file
            .doc
            .get("terraform")
            .and_then(|t| match &t.value {
                Value::List(items) => items.iter().find_map(|b| b.get("source")),
                _ => t.get("source"),
            })
            .map(|n| (env.eval(n), file.idx));
        Parsed {
            locals,
            inputs,
            source,
            includes: included,
        }
    }

    /// `generate` blocks write files when Terragrunt runs; one that writes
    /// Terraform resources, modules or data sources (not only a provider or
    /// backend, which no rule reads) is code soclint does not evaluate: said
    /// at its `contents`.
    fn generated_code(&self, env: &TgEnv, file: &Loaded) {
        for (name, body) in labeled_blocks(&file.doc, "generate") {
            let Some(contents) = body.get("contents") else {
                continue;
            };
            let path = body
                .get("path")
                .and_then(|p| to_text(&env.eval(p)))
                .unwrap_or_else(|| "a file".into());
            let message = match to_text(&env.eval(contents)) {
                Some(code) => {
                    let limits = crate::document::Limits::default();
                    let Ok(doc) = crate::document::hcl::parse(&code, &limits) else {
                        continue;
                    };
                    let writes_code = ["resource", "module", "data"]
                        .iter()
                        .any(|kind| !labeled_blocks(&doc, kind).is_empty());
                    if !writes_code {
                        continue;
                    }
                    format!(
                        "generate \"{name}\" writes `{path}` with resource, module or data blocks when Terragrunt runs; generated code is not evaluated"
                    )
                }
                // not known statically: judged by its text as written
                None => {
                    let written = file.text.get(contents.span.start..contents.span.end);
                    if !written.is_some_and(declares_code) {
                        continue;
                    }
                    format!(
                        "generate \"{name}\" writes `{path}` with resource, module or data blocks from contents not known statically; generated code is not evaluated"
                    )
                }
            };
            self.notice(file.idx, contents.span, message);
        }
    }

    /// The configuration file at `path` (absolute in the tree, or relative
    /// to `base`), with a notice when it cannot be read.
    fn read_config(
        &self,
        path: &str,
        base: &str,
        file: usize,
        span: Span,
        depth: usize,
    ) -> Option<Rc<Loaded>> {
        if depth >= MAX_DEPTH {
            self.notice(
                file,
                span,
                format!("configurations nest deeper than {MAX_DEPTH} levels; `{path}` is not read"),
            );
            return None;
        }
        let Some(rel) = resolve(path, base) else {
            self.notice(
                file,
                span,
                format!("`{path}` is outside the scanned directory; not read"),
            );
            return None;
        };
        let loaded = self.load(&rel);
        if loaded.is_none() {
            self.notice(
                file,
                span,
                format!("`{rel}` is not a file of the scan that parses as HCL; not read"),
            );
        }
        loaded
    }

    /// Where a source string points, from the configuration's directory.
    fn source(&self, node: &Node, dir: &str) -> Source {
        let Some(s) = to_text(node) else {
            return Source::Unknown(match &node.value {
                Value::Expr(e) => e.text.clone(),
                _ => "a value that is not a string".into(),
            });
        };
        let local = s.starts_with("./") || s.starts_with("../") || s.starts_with('/');
        if !local || s.contains("::") {
            return Source::Remote(s);
        }
        // `?ref=` means nothing to a directory; `//` separates the package
        // from the module's subdirectory, which for a directory is one path
        let path = s.split('?').next().unwrap_or(&s);
        let absolute = path.starts_with('/');
        let inner = path.trim_start_matches('/').replace("//", "/");
        let joined = if absolute { format!("/{inner}") } else { inner };
        match resolve(&joined, dir) {
            Some(d) => Source::Local(d),
            None => Source::Outside(s),
        }
    }
}

/// `include "name" { … }` blocks (and the older unlabeled `include { … }`,
/// named ""), in file order.
fn include_blocks(doc: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for e in doc
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key == "include")
    {
        match &e.value.value {
            Value::Map(_) if e.value.get("path").is_some() => out.push((String::new(), &e.value)),
            Value::Map(m) => out.extend(m.iter().map(|b| (b.key.clone(), &b.value))),
            Value::List(items) => out.extend(items.iter().map(|b| (String::new(), b))),
            _ => {}
        }
    }
    out
}

/// Whether template text declares a Terraform `resource`, `module` or
/// `data` block (a line starting with one of them and a label).
fn declares_code(text: &str) -> bool {
    text.lines().any(|l| {
        let mut words = l.split_whitespace();
        matches!(words.next(), Some("resource" | "module" | "data"))
            && words.next().is_some_and(|w| w.starts_with('"'))
    })
}

/// The blocks of `kind` with their first label (`generate "provider" { … }`,
/// `resource "aws_s3_bucket" "x" { … }`: the type), in file order.
fn labeled_blocks<'d>(doc: &'d Node, kind: &str) -> Vec<(String, &'d Node)> {
    let mut out = Vec::new();
    for e in doc.as_map().unwrap_or(&[]).iter().filter(|e| e.key == kind) {
        match &e.value.value {
            Value::Map(m) => out.extend(m.iter().map(|b| (b.key.clone(), &b.value))),
            Value::List(items) => out.extend(items.iter().map(|b| (String::new(), b))),
            _ => {}
        }
    }
    out
}

/// What `include.NAME` and `read_terragrunt_config` give: `locals` and
/// `inputs` (the rest of a configuration is not evaluated).
fn object(p: &Parsed) -> Node {
    let mut entries = vec![Entry {
        key: "locals".into(),
        key_span: Span::default(),
        value: p.locals.clone(),
    }];
    if let Some(i) = &p.inputs {
        entries.push(Entry {
            key: "inputs".into(),
            key_span: Span::default(),
            value: i.clone(),
        });
    }
    Node::map(entries, Span::default())
}

/// The directory of a path ("" for a top-level file).
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// A path of the tree: `/x` from the scanned root, else from `base`;
/// `None` when it climbs above the root.
pub fn resolve(path: &str, base: &str) -> Option<String> {
    let joined = match path.strip_prefix('/') {
        Some(p) => p.to_string(),
        None if base.is_empty() => path.to_string(),
        None => format!("{base}/{path}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
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

/// `to` relative to `from` (both paths of the tree), `.` when equal.
fn relative(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    let t: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; f.len() - common];
    parts.extend(&t[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Names in one file's expressions: its locals (lazily, cycles unknown),
/// the includes it exposes, and Terragrunt's functions.
struct TgEnv<'c, 't> {
    cx: &'c Context<'t>,
    file: Rc<Loaded>,
    /// The configuration being run (`get_terragrunt_dir`).
    child_dir: String,
    /// The file whose expressions these are (`get_parent_terragrunt_dir`).
    parent_dir: String,
    depth: usize,
    includes: HashMap<String, Node>,
    /// None while being evaluated (a second visit is a cycle).
    locals: RefCell<HashMap<String, Option<Node>>>,
}

impl<'c, 't> TgEnv<'c, 't> {
    fn new(
        cx: &'c Context<'t>,
        file: &Rc<Loaded>,
        child_dir: &str,
        parent_dir: &str,
        depth: usize,
        includes: HashMap<String, Node>,
    ) -> Self {
        TgEnv {
            cx,
            file: Rc::clone(file),
            child_dir: child_dir.to_string(),
            parent_dir: parent_dir.to_string(),
            depth,
            includes,
            locals: RefCell::new(HashMap::new()),
        }
    }

    fn eval(&self, node: &Node) -> Node {
        let ev = Evaluator::new(self);
        eval_text(
            &ev,
            node,
            &self.file.text,
            false,
            self.file.idx,
            &Bindings::default(),
        )
    }

    fn local_expr(&self, name: &str) -> Option<Node> {
        let locals = self.file.doc.get("locals")?;
        let bodies: Vec<&Node> = match &locals.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![locals],
        };
        bodies.into_iter().find_map(|b| b.get(name).cloned())
    }

    fn local(&self, name: &str) -> Option<Node> {
        if let Some(v) = self.locals.borrow().get(name) {
            return v.clone();
        }
        let expr = self.local_expr(name)?;
        self.locals.borrow_mut().insert(name.to_string(), None);
        let v = self.eval(&expr);
        self.locals
            .borrow_mut()
            .insert(name.to_string(), Some(v.clone()));
        Some(v)
    }

    fn all_locals(&self) -> Node {
        let names: Vec<String> = match self.file.doc.get("locals").map(|l| &l.value) {
            Some(Value::Map(m)) => m.iter().map(|e| e.key.clone()).collect(),
            Some(Value::List(items)) => items
                .iter()
                .flat_map(|b| b.as_map().unwrap_or(&[]).iter().map(|e| e.key.clone()))
                .collect(),
            _ => Vec::new(),
        };
        let entries = names
            .into_iter()
            .filter_map(|k| {
                let value = self.local(&k)?;
                Some(Entry {
                    key: k,
                    key_span: Span::default(),
                    value,
                })
            })
            .collect();
        Node::map(entries, Span::default())
    }

    fn string(&self, s: String, span: Span) -> Outcome {
        Ok(Node::string(s, span))
    }

    /// `find_in_parent_folders(name = "terragrunt.hcl", fallback)`: from the
    /// configuration's parent directory up to the scanned root.
    fn find_in_parent_folders(&self, args: &[Node], span: Span) -> Outcome {
        let name = match args.first() {
            Some(a) => to_text(a).ok_or(Fail::Unknown)?,
            None => "terragrunt.hcl".to_string(),
        };
        let mut dir = self.child_dir.as_str();
        while !dir.is_empty() {
            dir = parent(dir);
            let candidate = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            if let Some(c) = resolve(&candidate, "") {
                if (self.cx.tree.exists)(&c) {
                    return self.string(format!("/{c}"), span);
                }
            }
        }
        match args.get(1) {
            Some(fallback) => Ok(fallback.clone()),
            // above the scanned root it may still be found: not an error here
            None => Err(Fail::Unknown),
        }
    }

    fn read_terragrunt_config(&self, args: &[Node], span: Span) -> Outcome {
        let path = args.first().and_then(to_text).ok_or(Fail::Unknown)?;
        let file = self
            .cx
            .read_config(&path, &self.child_dir, self.file.idx, span, self.depth + 1)
            .ok_or(Fail::Unknown)?;
        let dir = file.dir.clone();
        let parsed = self.cx.config(&file, &dir, &dir, self.depth + 1, true);
        Ok(object(&parsed))
    }
}

impl Env for TgEnv<'_, '_> {
    fn reference(&self, root: &str, attr: &str) -> Option<Node> {
        match root {
            "local" => self.local(attr),
            "include" => self.includes.get(attr).cloned(),
            // outputs of another configuration's apply; `mock_outputs` are
            // placeholders for plans, not what is deployed
            _ => None,
        }
    }

    fn function(&self, name: &str, args: &[Node], span: Span) -> Option<Outcome> {
        let dir = |d: &str| format!("/{d}");
        Some(match name {
            "find_in_parent_folders" => self.find_in_parent_folders(args, span),
            "read_terragrunt_config" => self.read_terragrunt_config(args, span),
            "get_terragrunt_dir" | "get_original_terragrunt_dir" => {
                self.string(dir(&self.child_dir), span)
            }
            "get_parent_terragrunt_dir" => self.string(dir(&self.parent_dir), span),
            "path_relative_to_include" => {
                self.string(relative(&self.parent_dir, &self.child_dir), span)
            }
            "path_relative_from_include" => {
                self.string(relative(&self.child_dir, &self.parent_dir), span)
            }
            "get_repo_root" if self.cx.tree.repo_root => self.string("/".into(), span),
            "get_path_from_repo_root" if self.cx.tree.repo_root => {
                self.string(self.child_dir.clone(), span)
            }
            "get_path_to_repo_root" if self.cx.tree.repo_root => {
                self.string(relative(&self.child_dir, ""), span)
            }
            "mark_as_read" => args.first().cloned().ok_or(Fail::Unknown),
            // the environment, a command's output, the cloud account, the
            // working directory: only a run knows them (and no program runs)
            "get_env"
            | "get_repo_root"
            | "get_path_from_repo_root"
            | "get_path_to_repo_root"
            | "get_working_dir"
            | "get_platform"
            | "run_cmd"
            | "sops_decrypt_file"
            | "get_aws_account_id"
            | "get_aws_account_alias"
            | "get_aws_caller_identity_arn"
            | "get_aws_caller_identity_user_id"
            | "get_terraform_command"
            | "get_terraform_cli_args"
            | "get_terraform_commands_that_need_vars"
            | "get_terraform_commands_that_need_input"
            | "get_terraform_commands_that_need_locking"
            | "get_terraform_commands_that_need_parallelism"
            | "get_default_retryable_errors"
            | "read_tfvars_file"
            | "get_original_terragrunt_dir_hcl"
            | "constraint_check" => Err(Fail::Unknown),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_tree_only() {
        assert_eq!(resolve("../m", "live/qa").as_deref(), Some("live/m"));
        assert_eq!(
            resolve("/modules/x", "live/qa").as_deref(),
            Some("modules/x")
        );
        assert_eq!(resolve("../../..", "live/qa"), None);
        assert_eq!(relative("live", "live/qa/app"), "qa/app");
        assert_eq!(relative("live/qa/app", "live"), "../..");
        assert_eq!(relative("a", "a"), ".");
    }
}
