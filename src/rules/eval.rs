//! Evaluation: a compiled condition against one subject node, three-valued.
//!
//! `Pass`/`Fail` carry the span that evidences them (the offending attribute for
//! a failure); `Skip` means a value the rule needs is not known statically, and
//! an unknown is never reported as a violation.
use std::cmp::Ordering;
use std::collections::HashMap;

use super::path::{Path, Segment};
use super::scan_scope::Hypothesis;
use super::{Cond, Lit, Test};
use crate::document::{format_number, Node, Span, Value};
use crate::extract::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

/// The value an outcome is about, rendered only when a message needs it.
#[derive(Debug, Clone)]
pub enum Shown<'a> {
    Node(&'a Node),
    Text(String),
}

impl Shown<'_> {
    pub fn render(&self) -> String {
        match self {
            Shown::Node(n) => render(n),
            Shown::Text(t) => t.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub verdict: Verdict,
    /// Where the evidence is, in the subject resource's file.
    pub span: Option<Span>,
    /// The offending value, for messages.
    pub value: Option<Shown<'a>>,
    /// For repository rules: the file the finding is about, when it is not the
    /// resource's own (a file that should exist, or should not).
    pub file: Option<String>,
    /// For a skip: the value that was not known statically and where it is
    /// written (`-v` lists them with how many evaluations each skipped).
    pub unknown: Option<Unknown<'a>>,
}

/// A value a rule needed that is not known statically, where it is written.
#[derive(Debug, Clone, Copy)]
pub struct Unknown<'a> {
    pub node: &'a Node,
    pub span: Span,
}

impl<'a> Outcome<'a> {
    pub(super) fn new(verdict: Verdict, span: Option<Span>) -> Self {
        Outcome {
            verdict,
            span,
            value: None,
            file: None,
            unknown: None,
        }
    }
    pub(super) fn pass(span: Option<Span>) -> Self {
        Outcome::new(Verdict::Pass, span)
    }
    pub(super) fn fail(span: Option<Span>) -> Self {
        Outcome::new(Verdict::Fail, span)
    }
    pub(super) fn skip() -> Self {
        Outcome::new(Verdict::Skip, None)
    }
    /// A skip because of `unknown` (when it is known which value it was).
    pub(super) fn skip_on(unknown: Option<Unknown<'a>>) -> Self {
        let mut o = Outcome::skip();
        o.unknown = unknown;
        o
    }
    fn with_value(mut self, node: &'a Node) -> Self {
        self.value = Some(Shown::Node(node));
        self
    }
}

fn render(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.chars().take(120).collect(),
        _ => node.to_string(),
    }
}

/// Everything evaluation may look at beyond the subject: the other resources of
/// the scan (for relations), the repository's files, Terraform variables.
pub struct Context<'a> {
    pub resources: &'a [Resource<'a>],
    /// (scope, resource type) → indices into `resources`.
    pub by_scope_type: ByScopeType<'a>,
    /// Who may refer to whom (for `referenced_by`).
    pub references: crate::extract::ReferenceIndex,
    /// Per scope: Terraform variables with a statically known default.
    pub vars: HashMap<usize, HashMap<&'a str, &'a Node>>,
    /// The provider versions of the chunk's Terraform root module (empty
    /// elsewhere), for rules with a `provider_default`.
    pub providers: crate::rules::version::ProviderVersions,
    /// Every file under the scanned root, relative, sorted.
    pub repo_files: &'a [String],
    /// Today as days since 1970-01-01 (UTC).
    pub today: i64,
    /// Settings from `soclint.toml` that rules refer to.
    pub settings: super::Settings,
    /// The text of each file of the chunk (by `Resource::file`), when at hand.
    pub file_texts: Vec<Option<&'a str>>,
    /// Keep, for each skipped evaluation, the value that was not known
    /// (`check -v`); off otherwise, as it costs a string per skip.
    pub record_unknowns: bool,
}

/// The resources of a chunk by (scope, type), for relations and
/// `any_resource`: sorted keys searched by halving, which costs less than
/// hashing every resource's type when most chunks ask for a few types only.
pub struct ByScopeType<'a> {
    /// (scope, type, index into the resources), sorted.
    keys: Vec<(usize, &'a str, usize)>,
}

impl<'a> ByScopeType<'a> {
    pub fn new(resources: &'a [Resource<'a>]) -> Self {
        let mut keys: Vec<(usize, &str, usize)> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.scope, r.ty.as_str(), i))
            .collect();
        keys.sort_unstable();
        ByScopeType { keys }
    }

    /// Indices of the resources of type `ty` in `scope`, in resource order.
    pub fn get<'s>(&'s self, scope: usize, ty: &'s str) -> impl Iterator<Item = usize> + 's {
        let first = self.keys.partition_point(|&(s, t, _)| (s, t) < (scope, ty));
        self.keys[first..]
            .iter()
            .take_while(move |&&(s, t, _)| s == scope && t == ty)
            .map(|&(_, _, i)| i)
    }
}

/// One place a path led to: the value (after variable substitution) and where
/// it was written.
#[derive(Clone, Copy)]
pub(super) struct Hit<'a> {
    pub(super) node: &'a Node,
    pub(super) span: Span,
}

impl<'a> Hit<'a> {
    fn unknown(self) -> Unknown<'a> {
        Unknown {
            node: self.node,
            span: self.span,
        }
    }
}

/// What a path reached: almost always none or one value, kept inline (a path
/// is resolved for every condition of every rule on every resource, and two
/// heap vectors per resolution were 15% of all allocations).
pub(super) type Hits<'a> = smallvec::SmallVec<[Hit<'a>; 4]>;

pub(super) struct Resolved<'a> {
    pub(super) hits: Hits<'a>,
    /// Some branch ran into a value not known statically.
    pub(super) unknown: bool,
    /// The first such value.
    pub(super) cause: Option<Unknown<'a>>,
}

/// A CloudFormation intrinsic written in long form (`{"Ref": "X"}`, `{"Fn::Sub": …}`).
pub(super) fn is_intrinsic_map(node: &Node) -> bool {
    match node.as_map() {
        Some([only]) => {
            only.key == "Ref" || only.key == "Condition" || only.key.starts_with("Fn::")
        }
        _ => false,
    }
}

pub fn is_unknown(node: &Node) -> bool {
    node.is_expr() || is_intrinsic_map(node)
}

impl<'a> Context<'a> {
    /// The patterns with `{policy_paths}` expanded from the settings, and
    /// their globs when those differ from the defaults compiled with the rule
    /// (built, like those, only if a path passes their literal prefixes).
    fn file_patterns(&self, patterns: &[String]) -> (Option<super::LazyGlobs>, Vec<String>) {
        let expanded = self.settings.expand(patterns);
        let templated = patterns.iter().any(|p| p.contains(super::POLICY_PATHS));
        // a directory that makes a pattern invalid leaves the defaults in use
        let custom = (templated
            && self.settings != super::Settings::default()
            && expanded
                .iter()
                .all(|p| super::compile::check_glob(p, 0..0).is_ok()))
        .then(|| super::LazyGlobs::new(expanded.clone()));
        (custom, expanded)
    }

    /// Whether `path` reaches nothing from `subject` (an attribute left unset).
    pub fn is_absent(&self, res: &Resource<'a>, subject: &'a Node, path: &super::Path) -> bool {
        let start = Hit {
            node: subject,
            span: subject.span,
        };
        let resolved = self.resolve(res, start, path);
        resolved.hits.is_empty() && !resolved.unknown
    }

    /// Substitutes `var.x` with the variable's literal default (the span stays at the use).
    fn substitute(&self, res: &Resource<'a>, hit: Hit<'a>) -> Hit<'a> {
        if let Value::Expr(e) = &hit.node.value {
            if let Some(name) = e.text.trim().strip_prefix("var.") {
                if name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    if let Some(default) = self.vars.get(&res.scope).and_then(|v| v.get(name)) {
                        return Hit {
                            node: default,
                            span: hit.span,
                        };
                    }
                }
            }
        }
        hit
    }

    pub(super) fn resolve(&self, res: &Resource<'a>, start: Hit<'a>, path: &Path) -> Resolved<'a> {
        // most paths are keys through maps to one value: followed without
        // the lists of hits until a step reaches a list, a repeated key or
        // anything else the general walk handles
        let mut hit = self.substitute(res, start);
        for (k, seg) in path.segments.iter().enumerate() {
            let (Segment::Key(key), Value::Map(entries)) = (seg, &hit.node.value) else {
                return self.resolve_from(res, hit, &path.segments[k..]);
            };
            // an intrinsic written as a map (`{"Fn::If": …}`) is not known
            if is_intrinsic_map(hit.node) {
                return self.resolve_from(res, hit, &path.segments[k..]);
            }
            let mut found = entries.iter().filter(|e| &e.key == key);
            match (found.next(), found.next()) {
                (Some(e), None) => {
                    let next = Hit {
                        node: &e.value,
                        span: value_span(e),
                    };
                    hit = self.substitute(res, next);
                }
                (None, _) => {
                    return Resolved {
                        hits: Hits::new(),
                        unknown: false,
                        cause: None,
                    }
                }
                (Some(_), Some(_)) => return self.resolve_from(res, hit, &path.segments[k..]),
            }
        }
        let mut hits = Hits::new();
        // null is "not set"
        if !matches!(hit.node.value, Value::Null) {
            hits.push(hit);
        }
        Resolved {
            hits,
            unknown: false,
            cause: None,
        }
    }

    /// The general walk of `segments` from `start` (already substituted).
    fn resolve_from(
        &self,
        res: &Resource<'a>,
        start: Hit<'a>,
        segments: &[Segment],
    ) -> Resolved<'a> {
        let mut current: Hits = smallvec::smallvec![start];
        let mut cause: Option<Unknown<'a>> = None;
        let mut next = Hits::new();
        for seg in segments {
            next.clear();
            for hit in current.drain(..) {
                if is_unknown(hit.node) {
                    cause.get_or_insert(hit.unknown());
                    continue;
                }
                step(hit.node, seg, &mut next, &mut cause);
            }
            for h in next.iter_mut() {
                *h = self.substitute(res, *h);
            }
            std::mem::swap(&mut current, &mut next);
        }
        // null is "not set"
        current.retain(|h| !matches!(h.node.value, Value::Null));
        Resolved {
            hits: current,
            unknown: cause.is_some(),
            cause,
        }
    }

    /// The nodes a rule's `for_each` path leads to: (value, where it is written).
    pub fn subjects(&self, res: &Resource<'a>, path: &Path) -> Vec<(&'a Node, Span)> {
        let resolved = self.resolve(
            res,
            Hit {
                node: res.body,
                span: res.body.span,
            },
            path,
        );
        resolved
            .hits
            .into_iter()
            .map(|h| (h.node, h.span))
            .collect()
    }

    /// What to mask when a secret rule failed on `subject`: each value its
    /// `mask` paths reach (every scalar inside a block), or each match of a
    /// mask's pattern in those values as written (its `secret` group when it
    /// has one). See [`super::Mask`].
    pub fn mask_spans(
        &self,
        res: &Resource<'a>,
        subject: &'a Node,
        masks: &[super::Mask],
        out: &mut Vec<Span>,
    ) {
        let text = res
            .file
            .and_then(|f| self.file_texts.get(f).copied().flatten());
        for m in masks {
            let start = Hit {
                node: subject,
                span: subject.span,
            };
            for hit in self.resolve(res, start, &m.path).hits {
                scalar_spans(hit.node, hit.span, &mut |span| {
                    let Some(re) = &m.within else {
                        out.push(span);
                        return;
                    };
                    // without the text there is nothing to match in; the
                    // finding's own span is masked all the same
                    let Some(source) = text.and_then(|t| t.get(span.start..span.end)) else {
                        return;
                    };
                    let re = re.get();
                    let group = re.capture_names().position(|n| n == Some("secret"));
                    for caps in re.captures_iter(source) {
                        let found = group.and_then(|g| caps.get(g)).or_else(|| caps.get(0));
                        if let Some(found) = found.filter(|f| !f.is_empty()) {
                            out.push(Span::new(
                                span.start + found.start(),
                                span.start + found.end(),
                            ));
                        }
                    }
                });
            }
        }
    }

    /// Evaluates `cond` with `subject` as the node paths start from.
    pub fn eval(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        subject: &'a Node,
        cond: &'a Cond,
    ) -> Outcome<'a> {
        match cond {
            Cond::All(items) => all_of(
                items.iter().map(|c| self.eval(hyp, res, subject, c)),
                None,
                None,
            ),
            Cond::Any(items) => {
                let mut skipped: Option<Outcome> = None;
                let mut first_fail: Option<Outcome> = None;
                for c in items {
                    let o = self.eval(hyp, res, subject, c);
                    match o.verdict {
                        Verdict::Pass => return o,
                        Verdict::Skip => first_skip(&mut skipped, o),
                        Verdict::Fail => {
                            if first_fail.as_ref().is_none_or(|f| {
                                f.span.is_none() && f.file.is_none() && o.span.is_some()
                            }) {
                                first_fail = Some(o);
                            }
                        }
                    }
                }
                match skipped {
                    Some(skip) => skip,
                    None => first_fail.unwrap_or_else(|| Outcome::fail(None)),
                }
            }
            Cond::Not(inner) => {
                let mut o = self.eval(hyp, res, subject, inner);
                o.verdict = match o.verdict {
                    Verdict::Pass => Verdict::Fail,
                    Verdict::Fail => Verdict::Pass,
                    Verdict::Skip => Verdict::Skip,
                };
                o
            }
            Cond::Test {
                path,
                test,
                default,
                newer,
            } => {
                let start = Hit {
                    node: subject,
                    span: subject.span,
                };
                let resolved = self.resolve(res, start, path);
                // from the provider version that changed it, an absent
                // attribute has the newer default
                let default = match newer.as_deref() {
                    Some(pd) if pd.era(&self.providers) == super::ProviderEra::Since => {
                        pd.newer.as_ref().map(|(_, v)| v)
                    }
                    _ => default.as_ref(),
                };
                self.eval_test(hyp, res, &resolved, test, default)
            }
            Cond::Relation(rel) => self.eval_relation(hyp, res, subject, rel),
            Cond::FileExists(globs, patterns) => {
                let (custom, patterns) = self.file_patterns(patterns);
                let globs = custom.as_ref().unwrap_or(globs);
                if globs.first_in_sorted(self.repo_files).is_some() {
                    Outcome::pass(None)
                } else {
                    let mut o = Outcome::fail(None);
                    o.file = patterns
                        .first()
                        .map(|p| p.trim_start_matches("**/").to_string());
                    o.value = Some(Shown::Text(patterns.join(", ")));
                    o
                }
            }
            Cond::FileAbsent(globs, patterns) => {
                let (custom, _) = self.file_patterns(patterns);
                let globs = custom.as_ref().unwrap_or(globs);
                match globs.first_in_sorted(self.repo_files) {
                    Some(found) => {
                        let mut o = Outcome::fail(None);
                        o.file = Some(found.clone());
                        o.value = Some(Shown::Text(found.clone()));
                        o
                    }
                    None => Outcome::pass(None),
                }
            }
        }
    }

    fn eval_test(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        resolved: &Resolved<'a>,
        test: &'a Test,
        default: Option<&'a Node>,
    ) -> Outcome<'a> {
        match test {
            Test::Exists => {
                return match resolved.hits.first() {
                    Some(h) => Outcome::pass(Some(h.span)),
                    None if resolved.unknown => Outcome::skip_on(resolved.cause),
                    None => Outcome::fail(None),
                }
            }
            Test::Absent => {
                return match resolved.hits.first() {
                    Some(h) => Outcome::fail(Some(h.span)).with_value(h.node),
                    None if resolved.unknown => Outcome::skip_on(resolved.cause),
                    None => Outcome::pass(None),
                }
            }
            _ => {}
        }
        if resolved.hits.is_empty() {
            if resolved.unknown {
                return Outcome::skip_on(resolved.cause);
            }
            if let Some(node) = default {
                let mut o = self.apply(
                    hyp,
                    res,
                    Hit {
                        node,
                        span: Span::default(),
                    },
                    test,
                );
                o.span = None;
                return o;
            }
            return if test.holds_when_absent() {
                Outcome::pass(None)
            } else {
                Outcome::fail(None)
            };
        }
        // `some` looks for one element among everything the path reached
        // (`jobs.*.steps`: a step in any job); every other test must hold for
        // each value reached
        if let Test::Some(_) = test {
            let mut skipped = resolved.unknown.then(|| Outcome::skip_on(resolved.cause));
            let mut first_fail = None;
            for hit in &resolved.hits {
                let o = self.apply(hyp, res, *hit, test);
                match o.verdict {
                    Verdict::Pass => return o,
                    Verdict::Skip => first_skip(&mut skipped, o),
                    Verdict::Fail => {
                        first_fail.get_or_insert(o);
                    }
                }
            }
            return match (skipped, first_fail) {
                (Some(skip), _) => skip,
                (None, Some(f)) => f,
                (None, None) => Outcome::fail(None),
            };
        }
        all_of(
            resolved
                .hits
                .iter()
                .map(|hit| self.apply(hyp, res, *hit, test)),
            resolved.unknown.then(|| Outcome::skip_on(resolved.cause)),
            None,
        )
    }

    /// Applies a test to one present value.
    fn apply(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        hit: Hit<'a>,
        test: &'a Test,
    ) -> Outcome<'a> {
        let node = hit.node;
        if is_unknown(node) {
            return Outcome::skip_on(Some(hit.unknown()));
        }
        let verdict = |ok: bool| {
            let o = if ok {
                Outcome::pass(Some(hit.span))
            } else {
                Outcome::fail(Some(hit.span))
            };
            o.with_value(node)
        };
        match test {
            Test::Exists => Outcome::pass(Some(hit.span)),
            Test::Absent => Outcome::fail(Some(hit.span)).with_value(node),
            // a regex match inside a long (multi-line) value points at the match itself
            Test::Matches(re) | Test::NotMatches(re) if matches!(node.value, Value::String(_)) => {
                let found = as_text(node).is_some_and(|t| re.get().is_match(&t));
                let ok = found == matches!(test, Test::Matches(_));
                let mut o = verdict(ok);
                if found {
                    o.span = self.narrow_to_match(res, hit.span, re.get()).or(o.span);
                }
                o
            }
            // a matching list element is the evidence (and what gets underlined)
            Test::Contains(lit) | Test::NotContains(lit) => {
                let positive = matches!(test, Test::Contains(_));
                match (contains(node, lit), matching_element(node, lit)) {
                    (None, _) => Outcome::skip_on(unknown_element(node)),
                    (Some(found), Some(elem)) => {
                        let o = Outcome::new(
                            if found == positive {
                                Verdict::Pass
                            } else {
                                Verdict::Fail
                            },
                            Some(elem.span),
                        );
                        o.with_value(elem)
                    }
                    (Some(found), None) => verdict(found == positive),
                }
            }
            // a version may be written in a comment after the value (a SHA pin's `# v6.0.1`)
            Test::Version(op, want) if !matches!(node.value, Value::List(_)) => {
                let rest = self.rest_of_line(res, hit.span);
                match as_text(node).and_then(|t| super::version::of_value(&t, rest)) {
                    Some(v) => verdict(op.holds(super::version::cmp(&v, want), Ordering::Equal)),
                    None => Outcome::skip_on(Some(hit.unknown())),
                }
            }
            Test::Length(op, n) => match &node.value {
                Value::List(items) => verdict(op.holds(items.len(), *n)),
                Value::Map(entries) => verdict(op.holds(entries.len(), *n)),
                Value::String(s) => verdict(op.holds(s.chars().count(), *n)),
                _ => verdict(false),
            },
            Test::Some(c) | Test::Every(c) | Test::None(c) => self.quantify(hyp, res, hit, test, c),
            // scalar tests on a list test every element
            _ => match &node.value {
                Value::List(items) => all_of(
                    items.iter().map(|item| {
                        self.apply(
                            hyp,
                            res,
                            Hit {
                                node: item,
                                span: item.span,
                            },
                            test,
                        )
                    }),
                    None,
                    Some(hit.span),
                ),
                _ => match scalar_test(node, test, self.today, &self.settings) {
                    Some(b) => verdict(b),
                    None => Outcome::skip_on(Some(hit.unknown())),
                },
            },
        }
    }

    /// The source text after `span` on its line (where a comment about the value sits).
    fn rest_of_line(&self, res: &Resource<'a>, span: Span) -> Option<&'a str> {
        let text = (*self.file_texts.get(res.file?)?)?;
        let rest = text.get(span.end..)?;
        Some(rest.split('\n').next().unwrap_or(rest))
    }

    /// The part of a multi-line value's source text that `re` matches (a line
    /// of a `run: |` script rather than the whole script).
    fn narrow_to_match(&self, res: &Resource<'a>, span: Span, re: &regex::Regex) -> Option<Span> {
        let text = (*self.file_texts.get(res.file?)?)?;
        let source = text.get(span.start..span.end)?;
        // a one-line value is underlined whole; only a block is narrowed
        if !source.contains('\n') {
            return None;
        }
        let m = re.find(source)?;
        if m.start() == m.end() {
            return None;
        }
        Some(Span::new(span.start + m.start(), span.start + m.end()))
    }

    fn quantify(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        hit: Hit<'a>,
        test: &'a Test,
        cond: &'a Cond,
    ) -> Outcome<'a> {
        let items: Vec<&'a Node> = match &hit.node.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![hit.node],
        };
        let mut skipped: Option<Outcome<'a>> = None;
        match test {
            Test::Some(_) => {
                for item in items {
                    let o = self.eval(hyp, res, item, cond);
                    match o.verdict {
                        Verdict::Pass => return o,
                        Verdict::Skip => first_skip(&mut skipped, o),
                        Verdict::Fail => {}
                    }
                }
                skipped.unwrap_or_else(|| Outcome::fail(Some(hit.span)))
            }
            Test::Every(_) => {
                for item in items {
                    let o = self.eval(hyp, res, item, cond);
                    match o.verdict {
                        Verdict::Fail => return fill_span(o, item),
                        Verdict::Skip => first_skip(&mut skipped, o),
                        Verdict::Pass => {}
                    }
                }
                skipped.unwrap_or_else(|| Outcome::pass(Some(hit.span)))
            }
            _ => {
                for item in items {
                    let o = self.eval(hyp, res, item, cond);
                    match o.verdict {
                        Verdict::Pass => {
                            let mut f = fill_span(o, item);
                            f.verdict = Verdict::Fail;
                            return f;
                        }
                        Verdict::Skip => first_skip(&mut skipped, o),
                        Verdict::Fail => {}
                    }
                }
                skipped.unwrap_or_else(|| Outcome::pass(Some(hit.span)))
            }
        }
    }
}

/// Kleene AND over outcomes, evaluated lazily: the first failure decides (and
/// is the evidence); otherwise any skip (or `skipped` already) makes it a skip;
/// otherwise it passes with the last pass's evidence (`empty_span` when none).
fn all_of<'a>(
    outcomes: impl Iterator<Item = Outcome<'a>>,
    mut skipped: Option<Outcome<'a>>,
    empty_span: Option<Span>,
) -> Outcome<'a> {
    let mut last = Outcome::pass(empty_span);
    for o in outcomes {
        match o.verdict {
            Verdict::Fail => return o,
            Verdict::Skip => first_skip(&mut skipped, o),
            Verdict::Pass => last = o,
        }
    }
    skipped.unwrap_or(last)
}

/// Keeps the first skip of a combination (the unknown value `-v` names).
pub(super) fn first_skip<'a>(first: &mut Option<Outcome<'a>>, skip: Outcome<'a>) {
    if first.is_none() {
        *first = Some(skip);
    }
}

/// The first element of a list that is not known statically.
fn unknown_element(node: &Node) -> Option<Unknown<'_>> {
    match &node.value {
        Value::List(items) => items.iter().find(|i| is_unknown(i)).map(|i| Unknown {
            node: i,
            span: i.span,
        }),
        _ => None,
    }
}

fn fill_span<'a>(mut o: Outcome<'a>, item: &Node) -> Outcome<'a> {
    if o.span.is_none() {
        o.span = Some(item.header_span());
    }
    o
}

/// The span of every scalar in `node` (`span` itself for a scalar).
fn scalar_spans(node: &Node, span: Span, f: &mut impl FnMut(Span)) {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .for_each(|e| scalar_spans(&e.value, e.value.span, f)),
        Value::List(items) => items.iter().for_each(|i| scalar_spans(i, i.span, f)),
        _ => f(span),
    }
}

fn step<'a>(node: &'a Node, seg: &Segment, out: &mut Hits<'a>, unknown: &mut Option<Unknown<'a>>) {
    match (seg, &node.value) {
        (Segment::Key(k), Value::Map(entries)) => {
            // a key may repeat: HCL keeps labelled blocks (`dynamic "x"`) apart
            for e in entries.iter().filter(|e| &e.key == k) {
                out.push(Hit {
                    node: &e.value,
                    span: value_span(e),
                });
            }
        }
        (Segment::Key(_), Value::List(items)) => {
            for item in items {
                if is_unknown(item) {
                    unknown.get_or_insert(Unknown {
                        node: item,
                        span: item.span,
                    });
                } else {
                    step(item, seg, out, unknown);
                }
            }
        }
        (Segment::Index(i), Value::List(items)) => {
            let idx = if *i < 0 { items.len() as i64 + i } else { *i };
            if let Some(item) = usize::try_from(idx).ok().and_then(|i| items.get(i)) {
                out.push(Hit {
                    node: item,
                    span: item.span,
                });
            }
        }
        (Segment::Index(0), Value::Map(_)) => out.push(Hit {
            node,
            span: node.span,
        }),
        (Segment::Each, Value::List(items)) => out.extend(items.iter().map(|n| Hit {
            node: n,
            span: n.span,
        })),
        (Segment::Each, Value::Map(entries)) => out.extend(entries.iter().map(|e| Hit {
            node: &e.value,
            span: value_span(e),
        })),
        (Segment::KeyMatch(p), Value::Map(entries)) => {
            out.extend(entries.iter().filter(|e| p.is_match(&e.key)).map(|e| Hit {
                node: &e.value,
                span: value_span(e),
            }))
        }
        (Segment::KeyMatch(_), Value::List(items)) => {
            for item in items {
                if is_unknown(item) {
                    unknown.get_or_insert(Unknown {
                        node: item,
                        span: item.span,
                    });
                } else {
                    step(item, seg, out, unknown);
                }
            }
        }
        _ => {}
    }
}

/// The span a finding on this entry should underline: the value for a scalar
/// (`acl = "public-read"` underlines `"public-read"`), the key for a block.
fn value_span(e: &crate::document::Entry) -> Span {
    match &e.value.value {
        Value::Map(_) | Value::List(_) => e.key_span,
        _ => e.value.span,
    }
}

pub fn lit_node(lit: &Lit) -> Node {
    let value = match lit {
        Lit::Str(s) => Value::String(s.clone()),
        Lit::Num(n) => Value::Number(*n),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::List(items) => Value::List(items.iter().map(lit_node).collect()),
    };
    Node::new(value, Span::default())
}

fn as_bool(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn as_number(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Number(n) => Some(*n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The text a string test sees (numbers and booleans as written in JSON);
/// a string is borrowed, as every regex test on every resource asks.
fn as_text(node: &Node) -> Option<std::borrow::Cow<'_, str>> {
    match &node.value {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(format_number(*n))),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// Equality with the lenient coercions IaC needs (`"true"` is true, `"8080"` is 8080).
pub fn equals(node: &Node, lit: &Lit) -> bool {
    match lit {
        Lit::Str(s) => match &node.value {
            Value::String(v) => v == s,
            Value::Bool(b) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            Value::Number(n) => s.trim().parse::<f64>().is_ok_and(|x| x == *n),
            _ => false,
        },
        Lit::Num(n) => as_number(node) == Some(*n),
        Lit::Bool(b) => as_bool(node) == Some(*b),
        Lit::List(items) => match &node.value {
            Value::List(nodes) => {
                nodes.len() == items.len() && nodes.iter().zip(items).all(|(n, l)| equals(n, l))
            }
            _ => false,
        },
    }
}

/// `None` when the answer depends on an unknown element.
fn contains(node: &Node, lit: &Lit) -> Option<bool> {
    match &node.value {
        Value::List(items) => {
            if items.iter().any(|i| !is_unknown(i) && equals(i, lit)) {
                Some(true)
            } else if items.iter().any(is_unknown) {
                None
            } else {
                Some(false)
            }
        }
        Value::Map(_) => Some(match lit {
            Lit::Str(k) => node.entry(k).is_some(),
            _ => false,
        }),
        Value::String(s) => Some(match lit {
            Lit::Str(sub) => s.contains(sub.as_str()),
            other => equals(node, other),
        }),
        _ => Some(equals(node, lit)),
    }
}

fn matching_element<'n>(node: &'n Node, lit: &Lit) -> Option<&'n Node> {
    node.as_list()?
        .iter()
        .find(|i| !is_unknown(i) && equals(i, lit))
}

/// A scalar test on a known scalar; `None` when it cannot be decided.
fn scalar_test(node: &Node, test: &Test, today: i64, settings: &super::Settings) -> Option<bool> {
    Some(match test {
        Test::Equals(l) => equals(node, l),
        Test::NotEquals(l) => !equals(node, l),
        Test::In(ls) => ls.iter().any(|l| equals(node, l)),
        Test::NotIn(ls) => !ls.iter().any(|l| equals(node, l)),
        Test::Matches(re) => as_text(node).is_some_and(|t| re.get().is_match(&t)),
        Test::NotMatches(re) => !as_text(node).is_some_and(|t| re.get().is_match(&t)),
        Test::StartsWith(p) => as_text(node).is_some_and(|t| t.starts_with(p.as_str())),
        Test::EndsWith(p) => as_text(node).is_some_and(|t| t.ends_with(p.as_str())),
        Test::Compare(op, n) => as_number(node).is_some_and(|v| op.holds(v, *n)),
        Test::IsTrue => as_bool(node) == Some(true),
        Test::IsFalse => as_bool(node) == Some(false),
        Test::IsDate => as_text(node).and_then(|t| parse_date(&t)).is_some(),
        Test::YoungerThanDays(days) => match as_text(node).and_then(|t| parse_date(&t)) {
            Some(d) => today - d <= i64::from(settings.days(*days)),
            None => false,
        },
        _ => return None,
    })
}

/// `YYYY-MM-DD` (optionally followed by a time) → days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    let date = t.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || t.len() > 10 && !t[10..].starts_with(['T', ' ', 't'])
    {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Howard Hinnant's days-from-civil algorithm.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(
            parse_date("2026-11-25"),
            Some(days_from_civil(2026, 11, 25))
        );
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(
            parse_date("2026-01-01T10:00:00Z"),
            Some(days_from_civil(2026, 1, 1))
        );
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }

    #[test]
    fn lenient_equality() {
        let s = |v: &str| Node::string(v, Span::default());
        assert!(equals(&s("true"), &Lit::Bool(true)));
        assert!(equals(&s("8080"), &Lit::Num(8080.0)));
        assert!(!equals(&s("8080"), &Lit::Str("80".into())));
        assert!(equals(
            &Node::new(Value::Bool(false), Span::default()),
            &Lit::Str("false".into())
        ));
    }
}
