//! Relations between resources: `referenced_by`, `references`,
//! `selected_by` and `any_resource`, among the resources of the subject's
//! scope (a Terraform module directory, otherwise one file) or, with
//! `scope = "scan"`, among every file of the scan (`scan_scope`: the subject
//! asks an [`Atom`], the other end is described by a [`Fact`]).
use super::eval::{is_intrinsic_map, is_unknown, Context, Hit, Outcome, Resolved, Verdict};
use super::scan_scope::{labels_of, same_namespace, scalar_text, Atom, Fact, Hypothesis, Selector};
use super::{Relation, RelationDir, Scope};
use crate::document::{Node, Value};
use crate::extract::Resource;

impl<'a> Context<'a> {
    pub(super) fn eval_relation(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        subject: &'a Node,
        rel: &'a Relation,
    ) -> Outcome<'a> {
        if rel.scope == Scope::Scan {
            return self.ask_scan(hyp, res, subject, rel);
        }
        match rel.dir {
            RelationDir::ReferencedBy => self.referenced_by(res, subject, rel),
            RelationDir::References => self.references(res, subject, rel),
            RelationDir::SelectedBy | RelationDir::AnyResource => self.in_scope(res, rel),
        }
    }

    /// The other end's `where` (evaluated on its own, never waiting for the scan).
    fn other_satisfies(&self, other: &Resource<'a>, rel: &'a Relation) -> Verdict {
        match &rel.where_ {
            Some(c) => {
                self.eval(&Hypothesis::closed(), other, other.body, c)
                    .verdict
            }
            None => Verdict::Pass,
        }
    }

    fn resolve_at(&self, res: &Resource<'a>, node: &'a Node, path: &super::Path) -> Resolved<'a> {
        self.resolve(
            res,
            Hit {
                node,
                span: node.span,
            },
            path,
        )
    }

    fn referenced_by(
        &self,
        res: &Resource<'a>,
        subject: &'a Node,
        rel: &'a Relation,
    ) -> Outcome<'a> {
        // what the referrer must name: the subject (its address or own
        // name), or the values of the subject's `key`
        // (a failure points at the key: what nobody refers to)
        let mut key_span = None;
        let keyed: Option<Vec<String>> = match &rel.key {
            Some(k) => {
                let found = self.resolve_at(res, subject, k);
                key_span = found.hits.first().map(|h| h.span);
                match literal_names(&found) {
                    Ok(names) if names.is_empty() => return Outcome::fail(None),
                    Ok(names) => Some(names),
                    Err(()) => return Outcome::skip(),
                }
            }
            None => None,
        };
        let keys: Vec<&str> = match &keyed {
            Some(names) => names.iter().map(String::as_str).collect(),
            None => {
                let mut keys = vec![local_address(&res.address)];
                keys.extend(own_name(subject));
                keys
            }
        };
        let referrers = self
            .references
            .candidates(res.scope, &keys)
            .into_iter()
            .map(|i| &self.resources[i])
            .filter(|r| rel.types.contains(&r.ty));
        let mut skipped = false;
        for other in referrers {
            let via = self.resolve_at(other, other.body, &rel.via);
            let mut points_here = false;
            for h in &via.hits {
                let answer = match &keyed {
                    Some(names) => names_one_of(h.node, names),
                    None => refers_to(h.node, res, subject),
                };
                match answer {
                    Some(true) => points_here = true,
                    Some(false) => {}
                    None => skipped = true,
                }
            }
            skipped |= via.unknown;
            if !points_here {
                continue;
            }
            match self.other_satisfies(other, rel) {
                // the evidence is in another resource (maybe another file)
                Verdict::Pass => return Outcome::pass(None),
                Verdict::Skip => skipped = true,
                Verdict::Fail => {}
            }
        }
        if skipped {
            Outcome::skip()
        } else {
            Outcome::fail(key_span)
        }
    }

    fn references(&self, res: &Resource<'a>, subject: &'a Node, rel: &'a Relation) -> Outcome<'a> {
        let via = self.resolve_at(res, subject, &rel.via);
        if via.hits.is_empty() {
            return if via.unknown {
                Outcome::skip()
            } else {
                Outcome::fail(None)
            };
        }
        let via_span = via.hits[0].span;
        let mut any_target = false;
        let mut skipped = false;
        let candidates = rel
            .types
            .iter()
            .flat_map(|t| self.by_scope_type.get(res.scope, t))
            .map(|i| &self.resources[i]);
        for other in candidates {
            let hit_here = via
                .hits
                .iter()
                .any(|h| refers_to(h.node, other, other.body) == Some(true));
            if !hit_here {
                continue;
            }
            any_target = true;
            match self.other_satisfies(other, rel) {
                Verdict::Pass => return Outcome::pass(Some(via_span)),
                Verdict::Skip => skipped = true,
                Verdict::Fail => {}
            }
        }
        // a reference to something we cannot see (a data source, another module)
        if !any_target || skipped {
            Outcome::skip()
        } else {
            Outcome::fail(Some(via_span))
        }
    }

    /// `selected_by` and `any_resource` among the resources of the scope.
    fn in_scope(&self, res: &Resource<'a>, rel: &'a Relation) -> Outcome<'a> {
        let labels = match rel.dir {
            RelationDir::SelectedBy => match labels_of(res.labels) {
                Some(l) => l,
                None => return Outcome::skip(),
            },
            _ => Vec::new(),
        };
        let mut skipped = false;
        for t in &rel.types {
            for i in self.by_scope_type.get(res.scope, t) {
                let other = &self.resources[i];
                if rel.dir == RelationDir::SelectedBy {
                    if !same_namespace(other.namespace, res.namespace) {
                        continue;
                    }
                    match self
                        .selector_of(other, rel)
                        .and_then(|s| s.selects(&labels))
                    {
                        Some(true) => {}
                        Some(false) => continue,
                        None => {
                            skipped = true;
                            continue;
                        }
                    }
                }
                match self.other_satisfies(other, rel) {
                    Verdict::Pass => return Outcome::pass(None),
                    Verdict::Skip => skipped = true,
                    Verdict::Fail => {}
                }
            }
        }
        if skipped {
            Outcome::skip()
        } else {
            Outcome::fail(None)
        }
    }

    /// The label selector at the relation's `via` of `other` (`None` when it has none).
    fn selector_of(&self, other: &Resource<'a>, rel: &Relation) -> Option<Selector> {
        let found = self.resolve_at(other, other.body, &rel.via);
        match found.hits.first() {
            Some(h) if is_unknown(h.node) => Some(Selector::Unknown),
            Some(h) => Some(Selector::of(h.node)),
            None if found.unknown => Some(Selector::Unknown),
            None => None,
        }
    }

    /// A scan-scope relation: the question this subject asks, answered by the
    /// hypothesis of this run (and by the whole scan's facts at the end).
    fn ask_scan(
        &self,
        hyp: &Hypothesis,
        res: &Resource<'a>,
        subject: &'a Node,
        rel: &'a Relation,
    ) -> Outcome<'a> {
        let mut span = None;
        let by_path = |path: &super::Path, span: &mut Option<_>| {
            let found = self.resolve_at(res, subject, path);
            *span = found.hits.first().map(|h| h.span);
            literal_names(&found)
        };
        let names = match (rel.dir, &rel.key) {
            (RelationDir::References, _) => match by_path(&rel.via, &mut span) {
                Ok(n) if n.is_empty() => return Outcome::fail(None),
                Ok(n) => n,
                Err(()) => return Outcome::skip(),
            },
            (RelationDir::ReferencedBy, Some(key)) => match by_path(key, &mut span) {
                Ok(n) if n.is_empty() => return Outcome::fail(None),
                Ok(n) => n,
                Err(()) => return Outcome::skip(),
            },
            (RelationDir::ReferencedBy, None) => own_names(res, subject),
            _ => Vec::new(),
        };
        let labels = match rel.dir {
            RelationDir::SelectedBy => match labels_of(res.labels) {
                Some(l) => l,
                None => return Outcome::skip(),
            },
            _ => Vec::new(),
        };
        let atom = Atom {
            slot: rel.slot,
            names,
            namespace: res.namespace.map(str::to_string),
            labels,
        };
        Outcome::new(hyp.ask(atom), span)
    }

    /// What `other` says for the scan-scope relation `rel` whose other end it is.
    pub fn fact(&self, other: &Resource<'a>, rel: &'a Relation) -> Fact {
        let mut fact = Fact {
            slot: rel.slot,
            names: Vec::new(),
            wildcard: false,
            namespace: other.namespace.map(str::to_string),
            selector: None,
            verdict: self.other_satisfies(other, rel),
        };
        match rel.dir {
            RelationDir::References => fact.names = own_names(other, other.body),
            RelationDir::ReferencedBy => {
                let via = self.resolve_at(other, other.body, &rel.via);
                fact.wildcard = via.unknown;
                for h in &via.hits {
                    collect_names(h.node, &mut fact.names, &mut fact.wildcard);
                }
            }
            RelationDir::SelectedBy => fact.selector = self.selector_of(other, rel),
            RelationDir::AnyResource => {}
        }
        fact
    }
}

/// The names a resource is known by across files: its address and its own
/// name (a bucket's `bucket`, a `name`, a Kubernetes `metadata.name`).
fn own_names(res: &Resource, body: &Node) -> Vec<String> {
    let mut names = vec![local_address(&res.address).to_string()];
    if let Some(n) = own_name(body) {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    }
    names
}

/// The literal names a path reached (lists flattened); `Err` when one is not
/// known statically (across files a reference is a literal name).
fn literal_names(found: &Resolved) -> Result<Vec<String>, ()> {
    let mut names = Vec::new();
    let mut unknown = found.unknown;
    for h in &found.hits {
        collect_names(h.node, &mut names, &mut unknown);
    }
    if unknown {
        Err(())
    } else {
        Ok(names)
    }
}

fn collect_names(node: &Node, names: &mut Vec<String>, unknown: &mut bool) {
    if is_unknown(node) {
        *unknown = true;
        return;
    }
    match &node.value {
        Value::List(items) => items.iter().for_each(|i| collect_names(i, names, unknown)),
        _ => names.extend(scalar_text(node)),
    }
}

/// Whether `node` names one of `names` (`None` when it is not known).
fn names_one_of(node: &Node, names: &[String]) -> Option<bool> {
    if is_unknown(node) {
        return None;
    }
    match &node.value {
        Value::List(items) => {
            let answers: Vec<Option<bool>> = items.iter().map(|i| names_one_of(i, names)).collect();
            if answers.contains(&Some(true)) {
                Some(true)
            } else if answers.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        _ => Some(scalar_text(node).is_some_and(|t| names.contains(&t))),
    }
}

/// Whether `node` (a reference expression, intrinsic or name) points at `target`.
/// `None` when it is a reference we cannot resolve (it might point there).
fn refers_to(node: &Node, target: &Resource, target_body: &Node) -> Option<bool> {
    match &node.value {
        Value::Expr(e) => {
            if let (Some(f), Some(arg)) = (&e.function, &e.argument) {
                return Some(intrinsic_names(f, arg, &target.address));
            }
            let text = e.text.trim();
            let addr = local_address(&target.address);
            let mut found = false;
            let mut rest = text;
            while let Some(pos) = rest.find(addr) {
                let before_ok = pos == 0 || !is_ident_char(rest.as_bytes()[pos - 1]);
                let after = rest.as_bytes().get(pos + addr.len()).copied();
                let after_ok = matches!(
                    after,
                    None | Some(b'.')
                        | Some(b'[')
                        | Some(b' ')
                        | Some(b'}')
                        | Some(b')')
                        | Some(b',')
                );
                if before_ok && after_ok {
                    found = true;
                    break;
                }
                rest = &rest[pos + addr.len()..];
            }
            if found {
                Some(true)
            } else if text.starts_with("var.")
                || text.starts_with("data.")
                || text.starts_with("module.")
                || text.starts_with("local.")
            {
                None
            } else {
                Some(false)
            }
        }
        Value::Map(_) if is_intrinsic_map(node) => {
            let e = &node.as_map().unwrap_or(&[])[0];
            Some(intrinsic_names(&e.key, &e.value, &target.address))
        }
        Value::String(s) => {
            // a literal name equal to the target's own name attribute
            let own = own_name(target_body);
            Some(own == Some(s.as_str()) || s == &target.address)
        }
        _ => Some(false),
    }
}

/// The name a resource is known by when referred to by a literal: a bucket's
/// `bucket`, a `name`, or a Kubernetes `metadata.name`.
fn own_name(body: &Node) -> Option<&str> {
    ["bucket", "name", "id"]
        .iter()
        .find_map(|k| body.get(k).and_then(Node::as_str))
        .or_else(|| {
            body.get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
        })
}

/// A Terraform address as written inside its module: without the
/// `module.x[…].` prefix and the instance key (`aws_s3_bucket.b[0]` → `aws_s3_bucket.b`).
fn local_address(address: &str) -> &str {
    let mut a = address;
    while let Some(rest) = a.strip_prefix("module.") {
        // skip the module name and its key, up to the next `.`
        let mut depth = 0;
        let mut cut = None;
        for (i, c) in rest.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                '.' if depth == 0 => {
                    cut = Some(i);
                    break;
                }
                _ => {}
            }
        }
        match cut {
            Some(i) => a = &rest[i + 1..],
            None => return address,
        }
    }
    match a.find('[') {
        Some(i) if a.ends_with(']') => &a[..i],
        _ => a,
    }
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn intrinsic_names(function: &str, arg: &Node, address: &str) -> bool {
    match function {
        "Ref" => arg.as_str() == Some(address),
        "Fn::GetAtt" => match &arg.value {
            Value::String(s) => s.split('.').next() == Some(address),
            Value::List(items) => items.first().and_then(Node::as_str) == Some(address),
            _ => false,
        },
        _ => false,
    }
}
