//! The executor: Go's `text/template/exec.go` over [`Val`]s, writing a
//! [`Str`] whose every byte remembers its origin. It follows Go where charts
//! notice: variables scoped to their control structure, `and`/`or` that
//! short-circuit, map keys in order, `range … else`, `break`/`continue`, a
//! missing key that is nil inside a field chain and "no value" at the end of a
//! pipeline, and Go's argument type checks (`trunc` wants an `int`).
use std::collections::HashMap;
use std::rc::Rc;

use super::funcs::{self, Ctx, P};
use super::parse::{parse, Arg, ArgKind, Branch, Cmd, Node, Pipe, Tree};
use super::source::{Builder, Origin, Str};
use super::value::{Host, IntTy, Val};

/// A parsed template source.
#[derive(Debug)]
pub struct Tmpl {
    /// Its template name (`mychart/templates/deployment.yaml`).
    pub name: Rc<str>,
    pub source: Str,
    pub tree: Rc<Tree>,
}

#[derive(Debug, Clone)]
struct Def {
    tmpl: Rc<Tmpl>,
    list: Rc<Vec<Node>>,
}

/// A rendering error and where it happened.
#[derive(Debug, Clone)]
pub struct ExecError {
    pub message: String,
    pub origin: Origin,
}

enum Flow {
    Break,
    Continue,
    Err(ExecError),
}

impl From<ExecError> for Flow {
    fn from(e: ExecError) -> Self {
        Flow::Err(e)
    }
}

type R<T> = Result<T, ExecError>;

/// Deepest nesting of `template`/`include`/`tpl` (Helm stops at 1,000
/// includes of one name; this bounds the native stack as well).
pub const MAX_DEPTH: usize = 100;

/// The templates of a render and what executing them may spend.
pub struct Engine {
    defs: HashMap<String, Def>,
    /// Evaluation steps left before the render is abandoned.
    pub steps: u64,
    /// Largest string a template may produce.
    pub max_bytes: usize,
    depth: usize,
}

impl Engine {
    pub fn new(steps: u64, max_bytes: usize) -> Self {
        Engine {
            defs: HashMap::new(),
            steps,
            max_bytes,
            depth: 0,
        }
    }

    /// Parses a source; its `define`s join the set (a later one replaces an
    /// earlier of the same name unless it is empty, as Go's `AddParseTree`).
    pub fn add(&mut self, name: &str, source: Str) -> Result<Rc<Tmpl>, (usize, String)> {
        let tree = parse_cached(source.as_str())?;
        let tmpl = Rc::new(Tmpl {
            name: Rc::from(name),
            source,
            tree,
        });
        // a file is a template of its own name too (`include (print
        // $.Template.BasePath "/configmap.yaml") . | sha256sum`)
        self.defs.insert(
            name.to_string(),
            Def {
                tmpl: tmpl.clone(),
                list: tmpl.tree.root.clone(),
            },
        );
        for d in &tmpl.tree.defines {
            let empty = d.list.iter().all(|n| match n {
                Node::Text(s) => tmpl.source.as_str()[s.start..s.end].trim().is_empty(),
                _ => false,
            });
            if empty && self.defs.contains_key(&d.name) {
                continue;
            }
            self.defs.insert(
                d.name.clone(),
                Def {
                    tmpl: tmpl.clone(),
                    list: d.list.clone(),
                },
            );
        }
        Ok(tmpl)
    }

    /// Executes a parsed source's main list with `dot`.
    pub fn execute(&mut self, tmpl: &Rc<Tmpl>, dot: Val) -> R<Str> {
        let mut st = State {
            eng: self,
            tmpl: tmpl.clone(),
            vars: vec![(Rc::from("$"), dot.clone())],
            out: Builder::default(),
        };
        match st.walk_list(&dot, &tmpl.tree.root) {
            Ok(()) => Ok(st.out.finish()),
            Err(Flow::Err(e)) => Err(e),
            Err(_) => Err(ExecError {
                message: "break or continue outside range".into(),
                origin: Origin::NONE,
            }),
        }
    }

    /// `include NAME DATA`: the named template run into a string.
    pub fn include(&mut self, name: &str, data: Val, at: Origin) -> R<Str> {
        let Some(def) = self.defs.get(name).cloned() else {
            return Err(ExecError {
                message: format!("no template {name:?} associated with template"),
                origin: at,
            });
        };
        self.enter(at)?;
        let mut st = State {
            eng: self,
            tmpl: def.tmpl.clone(),
            vars: vec![(Rc::from("$"), data.clone())],
            out: Builder::default(),
        };
        let r = st.walk_list(&data, &def.list);
        let out = st.out.finish();
        self.depth -= 1;
        match r {
            Ok(()) => Ok(out),
            Err(Flow::Err(e)) => Err(e),
            Err(_) => Ok(out),
        }
    }

    /// `tpl TEXT VALUES`: TEXT parsed as a template (its defines seen only
    /// by itself) and run with VALUES; "<no value>" is removed, as Helm does.
    pub fn tpl(&mut self, text: &Str, data: Val, at: Origin, name: &Rc<str>) -> R<Str> {
        // the parse is shared; the text's origins are this call's
        let tree = parse_cached(text.as_str()).map_err(|(at, message)| ExecError {
            message: format!("error in tpl: {message}"),
            origin: text.origin_at(at),
        })?;
        let tmpl = Rc::new(Tmpl {
            name: name.clone(),
            source: text.clone(),
            tree,
        });
        self.enter(at)?;
        // the text's own defines apply inside it, then the set is as before
        let saved: Vec<(String, Option<Def>)> = tmpl
            .tree
            .defines
            .iter()
            .map(|d| {
                let old = self.defs.insert(
                    d.name.clone(),
                    Def {
                        tmpl: tmpl.clone(),
                        list: d.list.clone(),
                    },
                );
                (d.name.clone(), old)
            })
            .collect();
        let mut st = State {
            eng: self,
            tmpl: tmpl.clone(),
            vars: vec![(Rc::from("$"), data.clone())],
            out: Builder::default(),
        };
        let r = st.walk_list(&data, &tmpl.tree.root);
        let out = st.out.finish();
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(d) => self.defs.insert(name, d),
                None => self.defs.remove(&name),
            };
        }
        self.depth -= 1;
        match r {
            Ok(()) | Err(Flow::Break | Flow::Continue) => Ok(strip_no_value(&out)),
            Err(Flow::Err(e)) => Err(e),
        }
    }

    fn enter(&mut self, at: Origin) -> R<()> {
        if self.depth >= MAX_DEPTH {
            return Err(ExecError {
                message: format!(
                    "templates nested deeper than {MAX_DEPTH} (include, template or tpl)"
                ),
                origin: at,
            });
        }
        self.depth += 1;
        Ok(())
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.defs.contains_key(name)
    }
}

/// Parsed templates by the hash of their text (the text kept to check).
type ParseCache = HashMap<u64, (Rc<str>, Rc<Tree>)>;

/// A template text parsed, from a per-thread cache keyed by the text: the
/// charts of a repository share their library charts' helpers (bitnami's
/// `common` is parsed once per thread, not once per chart).
fn parse_cached(text: &str) -> Result<Rc<Tree>, (usize, String)> {
    use std::hash::{Hash, Hasher};
    thread_local! {
        static CACHE: std::cell::RefCell<ParseCache> = Default::default();
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let key = h.finish();
    let hit = CACHE.with(|c| {
        c.borrow()
            .get(&key)
            .filter(|(t, _)| &**t == text)
            .map(|(_, tree)| tree.clone())
    });
    if let Some(tree) = hit {
        return Ok(tree);
    }
    let tree = Rc::new(parse(text, &funcs::is_function).map_err(|e| (e.at, e.message))?);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 2048 {
            c.clear();
        }
        c.insert(key, (Rc::from(text), tree.clone()));
    });
    Ok(tree)
}

/// The text with every "<no value>" removed (Helm's last step on a template's
/// output and on `tpl`'s), origins kept.
pub fn strip_no_value(s: &Str) -> Str {
    const NV: &str = "<no value>";
    if !s.as_str().contains(NV) {
        return s.clone();
    }
    let mut b = Builder::with_capacity(s.len());
    let mut at = 0;
    for (i, _) in s.as_str().match_indices(NV) {
        b.push_range(s, at, i);
        at = i + NV.len();
    }
    b.push_range(s, at, s.len());
    b.finish()
}

struct State<'e> {
    eng: &'e mut Engine,
    tmpl: Rc<Tmpl>,
    vars: Vec<(Rc<str>, Val)>,
    out: Builder,
}

/// No final argument (Go's `missingVal`).
type Final = Option<Val>;

impl State<'_> {
    fn origin(&self, at: usize) -> Origin {
        self.tmpl.source.origin_at(at)
    }
    fn err(&self, at: usize, message: impl Into<String>) -> ExecError {
        ExecError {
            message: message.into(),
            origin: self.origin(at),
        }
    }
    fn step(&mut self, at: usize) -> R<()> {
        if self.eng.steps == 0 {
            return Err(self.err(at, "rendering took more steps than allowed; abandoned"));
        }
        self.eng.steps -= 1;
        Ok(())
    }

    fn walk_list(&mut self, dot: &Val, list: &[Node]) -> Result<(), Flow> {
        for n in list {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Val, node: &Node) -> Result<(), Flow> {
        match node {
            Node::Text(span) => {
                let src = self.tmpl.source.clone();
                self.out.push_range(&src, span.start, span.end);
                if self.out.len() > self.eng.max_bytes {
                    return Err(self
                        .err(span.start, "rendered output over the size limit")
                        .into());
                }
                Ok(())
            }
            Node::Action(pipe) => {
                self.step(pipe.span.start)?;
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print(&v, pipe.span.start)?;
                }
                Ok(())
            }
            Node::If(b) => self.walk_if_with(dot, b, false),
            Node::With(b) => self.walk_if_with(dot, b, true),
            Node::Range(b) => self.walk_range(dot, b),
            Node::Template(t) => {
                self.step(t.span.start)?;
                let at = self.origin(t.span.start);
                let new_dot = match &t.pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Val::Missing,
                };
                let s = self.eng.include(&t.name, new_dot, at).map_err(|mut e| {
                    if e.message.starts_with("no template") {
                        e.message = format!("template {:?} not defined", t.name);
                    }
                    e
                })?;
                self.out.push(&s);
                Ok(())
            }
            Node::Break(_) => Err(Flow::Break),
            Node::Continue(_) => Err(Flow::Continue),
        }
    }

    fn print(&mut self, v: &Val, at: usize) -> R<()> {
        let s = v.print();
        if s.origin().is_none() && s.segments().len() == 1 {
            // a value with no origin of its own prints at the action
            self.out.push_text(s.as_str(), self.origin(at).coarsen());
        } else {
            self.out.push(&s);
        }
        if self.out.len() > self.eng.max_bytes {
            return Err(self.err(at, "rendered output over the size limit"));
        }
        Ok(())
    }

    fn walk_if_with(&mut self, dot: &Val, b: &Branch, with: bool) -> Result<(), Flow> {
        let mark = self.vars.len();
        self.step(b.span.start)?;
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let r = if val.truth() {
            if with {
                self.walk_list(&val, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(())
        };
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Val, b: &Branch) -> Result<(), Flow> {
        let outer = self.vars.len();
        self.step(b.span.start)?;
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        let items: Vec<(Val, Val)> = match &val {
            Val::List(l) => l
                .items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::int(i as i64), v.clone()))
                .collect(),
            Val::Map(m) => m
                .borrow()
                .entries
                .iter()
                .map(|(k, e)| (Val::str(k, e.key_origin), e.val.clone()))
                .collect(),
            Val::Int(n, _, _) => (0..*n).map(|i| (Val::int(i), Val::int(i))).collect(),
            Val::Missing | Val::Nil | Val::Unknown(_) => Vec::new(),
            Val::Host(h) => match &**h {
                Host::Files(f) => f
                    .iter()
                    .map(|(k, v)| (Val::str(k, Origin::NONE), Val::str(v, Origin::NONE)))
                    .collect(),
                _ => {
                    self.vars.truncate(outer);
                    return Err(self
                        .err(
                            b.span.start,
                            format!("range can't iterate over {}", val.print().as_str()),
                        )
                        .into());
                }
            },
            other => {
                self.vars.truncate(outer);
                return Err(self
                    .err(
                        b.span.start,
                        format!("range can't iterate over {}", other.print().as_str()),
                    )
                    .into());
            }
        };
        let decl = &b.pipe.decl;
        let mut result = Ok(());
        let empty = items.is_empty();
        for (index, elem) in items {
            self.step(b.span.start)?;
            if !decl.is_empty() {
                if b.pipe.is_assign {
                    if decl.len() > 1 {
                        self.set_var(&decl[0], index.clone(), b.span.start)?;
                        self.set_var(&decl[1], elem.clone(), b.span.start)?;
                    } else {
                        self.set_var(&decl[0], elem.clone(), b.span.start)?;
                    }
                } else {
                    let n = self.vars.len();
                    self.vars[n - 1].1 = elem.clone();
                    if decl.len() > 1 {
                        self.vars[n - 2].1 = index.clone();
                    }
                }
            }
            let r = self.walk_list(&elem, &b.list);
            self.vars.truncate(mark);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() && empty {
            if let Some(e) = &b.else_list {
                result = self.walk_list(dot, e);
            }
        }
        self.vars.truncate(outer);
        result
    }

    fn set_var(&mut self, name: &str, v: Val, at: usize) -> R<()> {
        for (n, val) in self.vars.iter_mut().rev() {
            if &**n == name {
                *val = v;
                return Ok(());
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    fn var(&self, name: &str, at: usize) -> R<Val> {
        for (n, val) in self.vars.iter().rev() {
            if &**n == name {
                return Ok(val.clone());
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Val, pipe: &Pipe) -> R<Val> {
        let mut value: Final = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // an interface holding nil is no value (Go's "lovely!")
            value = Some(if matches!(v, Val::Nil) {
                Val::Missing
            } else {
                v
            });
        }
        let value = value.unwrap_or(Val::Missing);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone(), pipe.span.start)?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, fin: &Final) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.err(
                cmd.span.start,
                format!(
                    "can't give argument to non-function {}",
                    describe(&cmd.args[0])
                ),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &Cmd, fin: Final) -> R<Val> {
        let first = &cmd.args[0];
        match &first.kind {
            ArgKind::Field(fields) => {
                self.eval_field_chain(dot, dot.clone(), first.span.start, fields, &cmd.args, fin)
            }
            ArgKind::Chain(inner, fields) => {
                if matches!(inner.kind, ArgKind::Nil) {
                    return Err(self.err(first.span.start, "indirection through explicit nil"));
                }
                let recv = self.eval_arg(dot, P::Value, inner)?;
                self.eval_field_chain(dot, recv, first.span.start, fields, &cmd.args, fin)
            }
            ArgKind::Ident(name) => self.eval_function(dot, name, first.span.start, &cmd.args, fin),
            ArgKind::Pipe(p) => {
                self.not_a_function(cmd, &fin)?;
                self.eval_pipeline(dot, p)
            }
            ArgKind::Variable(name, fields) => {
                let v = self.var(name, first.span.start)?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &fin)?;
                    return Ok(v);
                }
                self.eval_field_chain(dot, v, first.span.start, fields, &cmd.args, fin)
            }
            _ => {
                self.not_a_function(cmd, &fin)?;
                match &first.kind {
                    ArgKind::Bool(b) => Ok(Val::Bool(*b, self.origin(first.span.start).coarsen())),
                    ArgKind::Dot => Ok(dot.clone()),
                    ArgKind::Nil => Err(self.err(first.span.start, "nil is not a command")),
                    ArgKind::Number(n) => Ok(self.ideal(n, first.span.start)),
                    ArgKind::Str(s, verbatim) => {
                        Ok(Val::Str(self.literal(s, *verbatim, first.span.start)))
                    }
                    _ => Err(self.err(first.span.start, "can't evaluate command")),
                }
            }
        }
    }

    fn literal(&self, s: &Rc<str>, verbatim: bool, at: usize) -> Str {
        if verbatim {
            // one run of its source (the usual case): the parsed text shared, no copy
            let o = self.origin(at + 1);
            let n = s.len();
            if n == 0 || (o.exact && self.origin(at + n) == o.advance(n - 1)) {
                return Str::new(s.clone(), o);
            }
            self.tmpl.source.slice(at + 1, at + 1 + n)
        } else {
            Str::new(s.clone(), self.origin(at).coarsen())
        }
    }

    fn ideal(&self, n: &super::parse::Number, at: usize) -> Val {
        let o = self.origin(at).coarsen();
        match n.int {
            Some(i) if !n.float_text => Val::Int(i, IntTy::Int, o),
            _ => Val::Float(n.float, o),
        }
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut recv: Val,
        at: usize,
        fields: &[Rc<str>],
        args: &[Arg],
        fin: Final,
    ) -> R<Val> {
        let n = fields.len();
        for f in &fields[..n - 1] {
            recv = self.eval_field(dot, f, at, &[], None, recv)?;
        }
        self.eval_field(dot, &fields[n - 1], at, args, fin, recv)
    }

    /// `recv.name`, with `args` (after the first) and `fin` for a method.
    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        at: usize,
        args: &[Arg],
        fin: Final,
        recv: Val,
    ) -> R<Val> {
        let has_args = args.len() > 1 || fin.is_some();
        match &recv {
            Val::Missing => Ok(Val::Missing),
            Val::Unknown(_) => Ok(recv.clone()),
            Val::Nil => Err(self.err(at, format!("nil pointer evaluating interface {{}}.{name}"))),
            Val::Map(m) => {
                if has_args {
                    return Err(self.err(at, format!("{name} is not a method but has arguments")));
                }
                Ok(m.borrow()
                    .entries
                    .get(name)
                    .map_or(Val::Nil, |e| e.val.clone()))
            }
            Val::Host(h) => {
                let h = h.clone();
                self.eval_host(dot, &h, name, at, args, fin, &recv)
            }
            other => Err(self.err(
                at,
                format!("can't evaluate field {name} in type {}", other.type_name()),
            )),
        }
    }

    /// Fields and methods of the objects Helm passes in.
    #[allow(clippy::too_many_arguments)]
    fn eval_host(
        &mut self,
        dot: &Val,
        h: &Host,
        name: &str,
        at: usize,
        args: &[Arg],
        fin: Final,
        recv: &Val,
    ) -> R<Val> {
        let method_args = |st: &mut Self, params: &[P]| -> R<Vec<Val>> {
            let rest = if args.len() > 1 { &args[1..] } else { &[] };
            let want = params.len();
            let got = rest.len() + usize::from(fin.is_some());
            if got != want {
                return Err(st.err(
                    at,
                    format!("wrong number of args for {name}: want {want} got {got}"),
                ));
            }
            let mut out = Vec::with_capacity(want);
            for (a, p) in rest.iter().zip(params) {
                out.push(st.eval_arg(dot, *p, a)?);
            }
            if let Some(f) = &fin {
                out.push(st.validate(f.clone(), params[want - 1], at)?);
            }
            Ok(out)
        };
        let origin = self.origin(at).coarsen();
        match h {
            Host::Struct(ty, fields) => match fields.get(name) {
                Some(v) => {
                    if args.len() > 1 || fin.is_some() {
                        return Err(self.err(
                            at,
                            format!("{name} has arguments but cannot be invoked as function"),
                        ));
                    }
                    Ok(v.clone())
                }
                None => Err(self.err(at, format!("can't evaluate field {name} in type {ty}"))),
            },
            Host::ApiVersions(list) => match name {
                "Has" => {
                    let a = method_args(self, &[P::Str])?;
                    let want = a[0].as_str().unwrap_or("");
                    Ok(Val::Bool(list.iter().any(|v| v == want), origin))
                }
                _ => Err(self.err(
                    at,
                    format!("can't evaluate field {name} in type chartutil.VersionSet"),
                )),
            },
            Host::KubeVersion {
                version,
                major,
                minor,
            } => match name {
                "Version" | "String" | "GitVersion" => {
                    method_args(self, &[])?;
                    Ok(Val::str(version, origin))
                }
                "Major" => Ok(Val::str(major, origin)),
                "Minor" => Ok(Val::str(minor, origin)),
                _ => Err(self.err(
                    at,
                    format!("can't evaluate field {name} in type *chartutil.KubeVersion"),
                )),
            },
            Host::Time(_) => {
                Err(self.err(at, format!("can't evaluate field {name} in type time.Time")))
            }
            Host::Files(files) => {
                let files = files.clone();
                match name {
                    "Get" => {
                        let a = method_args(self, &[P::Str])?;
                        let p = a[0].as_str().unwrap_or("");
                        Ok(Val::str(files.get(p).map_or("", |s| s), origin))
                    }
                    "GetBytes" => {
                        let a = method_args(self, &[P::Str])?;
                        let p = a[0].as_str().unwrap_or("");
                        Ok(Val::str(files.get(p).map_or("", |s| s), origin))
                    }
                    "Lines" => {
                        let a = method_args(self, &[P::Str])?;
                        let p = a[0].as_str().unwrap_or("");
                        let text = files.get(p).map_or("", |s| s);
                        if text.is_empty() {
                            return Ok(Val::list(Vec::new()));
                        }
                        Ok(Val::list(
                            text.split('\n').map(|l| Val::str(l, origin)).collect(),
                        ))
                    }
                    "Glob" => {
                        let a = method_args(self, &[P::Str])?;
                        let pattern = a[0].as_str().unwrap_or("");
                        let glob = globset::GlobBuilder::new(pattern)
                            .literal_separator(true)
                            .build()
                            .map_err(|e| self.err(at, format!("bad glob {pattern:?}: {e}")))?
                            .compile_matcher();
                        let picked = files
                            .iter()
                            .filter(|(k, _)| glob.is_match(k.as_str()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        Ok(Val::Host(Rc::new(Host::Files(Rc::new(picked)))))
                    }
                    "AsConfig" | "AsSecrets" => {
                        method_args(self, &[])?;
                        let secrets = name == "AsSecrets";
                        let mut m = std::collections::BTreeMap::new();
                        for (k, v) in files.iter() {
                            let base = k.rsplit('/').next().unwrap_or(k);
                            let val = if secrets {
                                funcs::base64_encode(v.as_bytes())
                            } else {
                                v.to_string()
                            };
                            m.insert(
                                base.to_string(),
                                super::value::MapEntry {
                                    key_origin: origin,
                                    val: Val::string(val, origin),
                                },
                            );
                        }
                        let yaml = super::yaml::to_yaml(&Val::map(m), origin)
                            .map_err(|e| self.err(at, e))?;
                        Ok(Val::Str(yaml))
                    }
                    _ => {
                        if has_args(args, &fin) {
                            return Err(
                                self.err(at, format!("{name} is not a method but has arguments"))
                            );
                        }
                        let _ = recv;
                        Ok(files.get(name).map_or(Val::Nil, |v| Val::str(v, origin)))
                    }
                }
            }
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        name: &str,
        at: usize,
        args: &[Arg],
        fin: Final,
    ) -> R<Val> {
        self.step(at)?;
        let call_args = &args[1..];
        match name {
            "and" | "or" => {
                if call_args.is_empty() && fin.is_none() {
                    return Err(self.err(
                        at,
                        format!("wrong number of args for {name}: want at least 1 got 0"),
                    ));
                }
                let mut v = Val::Missing;
                for a in call_args {
                    v = self.eval_arg(dot, P::Value, a)?;
                    if v.truth() == (name == "or") {
                        return Ok(v);
                    }
                }
                if let Some(f) = fin {
                    v = f;
                }
                return Ok(v);
            }
            "include" | "template" => {
                let a = self.call_args(dot, name, at, &[P::Str, P::Any], None, call_args, fin)?;
                let tname = a[0].as_str().unwrap_or("").to_string();
                let s = self.eng.include(&tname, a[1].clone(), self.origin(at))?;
                return Ok(Val::Str(s));
            }
            "tpl" => {
                let a = self.call_args(dot, name, at, &[P::Str, P::Any], None, call_args, fin)?;
                if !matches!(a[1], Val::Map(_) | Val::Nil) {
                    return Err(self.err(
                        at,
                        format!(
                            "wrong type for value; expected chartutil.Values; got {}",
                            a[1].type_name()
                        ),
                    ));
                }
                let text = match &a[0] {
                    Val::Str(s) => s.clone(),
                    _ => Str::plain(""),
                };
                let name = self.tmpl.name.clone();
                let s = self.eng.tpl(&text, a[1].clone(), self.origin(at), &name)?;
                return Ok(Val::Str(s));
            }
            _ => {}
        }
        let Some(f) = funcs::lookup(name) else {
            return Err(self.err(at, format!("{name:?} is not a defined function")));
        };
        let a = self.call_args(dot, name, at, f.params, f.variadic, call_args, fin)?;
        // a value only a cluster knows makes the result unknown, except
        // where it is only carried along
        if let Some(u) = a.iter().enumerate().find_map(|(i, v)| {
            let into_map = i < f.params.len() && f.params[i] == P::Map;
            (v.is_unknown() && (into_map || !funcs::carries_unknown(name))).then(|| v.clone())
        }) {
            return Ok(u);
        }
        let origin = self.origin(at);
        let mut ctx = Ctx {
            at: origin,
            max_bytes: self.eng.max_bytes,
        };
        match (f.func)(&mut ctx, a) {
            Ok(v) => Ok(v),
            Err(message) => Err(ExecError {
                message: format!("error calling {name}: {message}"),
                origin,
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn call_args(
        &mut self,
        dot: &Val,
        name: &str,
        at: usize,
        params: &[P],
        variadic: Option<P>,
        args: &[Arg],
        fin: Final,
    ) -> R<Vec<Val>> {
        let got = args.len() + usize::from(fin.is_some());
        let fixed = params.len();
        let ok = match variadic {
            Some(_) => got >= fixed,
            None => got == fixed,
        };
        if !ok {
            let want = if variadic.is_some() {
                format!("at least {fixed}")
            } else {
                fixed.to_string()
            };
            return Err(self.err(
                at,
                format!("wrong number of args for {name}: want {want} got {got}"),
            ));
        }
        let param = |i: usize| -> P {
            if i < fixed {
                params[i]
            } else {
                variadic.unwrap_or(P::Any)
            }
        };
        let mut out = Vec::with_capacity(got);
        for (i, a) in args.iter().enumerate() {
            out.push(self.eval_arg(dot, param(i), a)?);
        }
        if let Some(f) = fin {
            let p = param(got - 1);
            out.push(self.validate(f, p, at)?);
        }
        Ok(out)
    }

    /// An argument evaluated for a parameter of type `p` (Go's `evalArg`).
    fn eval_arg(&mut self, dot: &Val, p: P, a: &Arg) -> R<Val> {
        let at = a.span.start;
        let v = match &a.kind {
            ArgKind::Dot => dot.clone(),
            ArgKind::Nil => {
                return match p {
                    P::Any | P::Value | P::Map | P::List => Ok(Val::Nil),
                    _ => Err(self.err(at, format!("cannot assign nil to {}", p.go_name()))),
                }
            }
            ArgKind::Field(fields) => {
                self.eval_field_chain(dot, dot.clone(), at, fields, std::slice::from_ref(a), None)?
            }
            ArgKind::Variable(name, fields) => {
                let v = self.var(name, at)?;
                if fields.is_empty() {
                    v
                } else {
                    self.eval_field_chain(dot, v, at, fields, &[], None)?
                }
            }
            ArgKind::Pipe(pipe) => self.eval_pipeline(dot, pipe)?,
            ArgKind::Ident(name) => {
                self.eval_function(dot, name, at, std::slice::from_ref(a), None)?
            }
            ArgKind::Chain(inner, fields) => {
                if matches!(inner.kind, ArgKind::Nil) {
                    return Err(self.err(at, "indirection through explicit nil"));
                }
                let recv = self.eval_arg(dot, P::Value, inner)?;
                self.eval_field_chain(dot, recv, at, fields, &[], None)?
            }
            ArgKind::Bool(b) => {
                return match p {
                    P::Bool | P::Any | P::Value => Ok(Val::Bool(*b, self.origin(at).coarsen())),
                    _ => Err(self.err(at, format!("expected {}; found {b}", p.go_name()))),
                }
            }
            ArgKind::Number(n) => {
                let o = self.origin(at).coarsen();
                return match p {
                    P::Any | P::Value => Ok(self.ideal(n, at)),
                    P::Int => match n.int {
                        Some(i) => Ok(Val::Int(i, IntTy::Int, o)),
                        None => Err(self.err(at, format!("expected integer; found {}", n.float))),
                    },
                    P::Float => Ok(Val::Float(n.float, o)),
                    _ => Err(self.err(
                        at,
                        format!("expected {}; found {}", p.go_name(), describe(a)),
                    )),
                };
            }
            ArgKind::Str(s, verbatim) => {
                return match p {
                    P::Str | P::Any | P::Value => Ok(Val::Str(self.literal(s, *verbatim, at))),
                    _ => Err(self.err(at, format!("expected {}; found {s:?}", p.go_name()))),
                }
            }
        };
        self.validate(v, p, at)
    }

    /// Go's `validateType` for a computed value.
    fn validate(&self, v: Val, p: P, at: usize) -> R<Val> {
        let wrong = |v: &Val| {
            Err(self.err(
                at,
                format!(
                    "wrong type for value; expected {}; got {}",
                    p.go_name(),
                    if matches!(v, Val::Nil) {
                        "interface {}"
                    } else {
                        v.type_name()
                    }
                ),
            ))
        };
        match (p, &v) {
            (P::Value, _) => Ok(v),
            (P::Any, Val::Missing) => Ok(Val::Nil),
            (P::Any, _) => Ok(v),
            (_, Val::Unknown(_)) => Ok(v),
            (P::Map | P::List, Val::Missing) => Ok(Val::Nil),
            (_, Val::Missing) => {
                Err(self.err(at, format!("invalid value; expected {}", p.go_name())))
            }
            (P::Str, Val::Str(_)) => Ok(v),
            (P::Int, Val::Int(_, IntTy::Int, _)) => Ok(v),
            (P::Float, Val::Float(..)) => Ok(v),
            (P::Bool, Val::Bool(..)) => Ok(v),
            (P::Map, Val::Map(_)) => Ok(v),
            (P::List, Val::List(_)) => Ok(v),
            _ => wrong(&v),
        }
    }
}

fn has_args(args: &[Arg], fin: &Final) -> bool {
    args.len() > 1 || fin.is_some()
}

/// An argument as Go's error messages show it.
fn describe(a: &Arg) -> String {
    match &a.kind {
        ArgKind::Dot => ".".into(),
        ArgKind::Nil => "nil".into(),
        ArgKind::Bool(b) => b.to_string(),
        ArgKind::Number(n) => match n.int {
            Some(i) if !n.float_text => i.to_string(),
            _ => n.float.to_string(),
        },
        ArgKind::Str(s, _) => format!("{s:?}"),
        ArgKind::Field(f) => f.iter().map(|x| format!(".{x}")).collect(),
        ArgKind::Variable(v, f) => format!(
            "{v}{}",
            f.iter().map(|x| format!(".{x}")).collect::<String>()
        ),
        ArgKind::Ident(i) => i.to_string(),
        ArgKind::Pipe(_) => "(pipeline)".into(),
        ArgKind::Chain(inner, f) => format!(
            "{}{}",
            describe(inner),
            f.iter().map(|x| format!(".{x}")).collect::<String>()
        ),
    }
}
