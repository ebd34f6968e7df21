//! Relations whose scope is the whole scan (`scope = "scan"`).
//!
//! A scan reads its files directory by directory and drops each directory's
//! documents when done, so a relation to a resource in another file cannot be
//! answered while its subject is evaluated. Instead:
//! 1. every chunk describes each resource a scan relation looks for as a
//!    [`Fact`]: the names it is known or refers by, its namespace, its label
//!    selector, and whether it satisfies the relation's `where`;
//! 2. a rule that asks such a relation is evaluated once per possible answer
//!    (pass, fail, skip) of each question it asked ([`Atom`]: this relation,
//!    for a subject known by these names, in this namespace, with these
//!    labels), and every run's verdicts and findings are kept;
//! 3. once every chunk is done, [`Facts::answer`] answers each atom and the
//!    run for those answers is the rule's result.
//!
//! Kubernetes names are namespaced: two resources match when their namespaces
//! are equal or either does not say (a kustomization or `kubectl -n` sets it).
use std::cell::RefCell;

use super::eval::Verdict;
use super::RelationDir;
use crate::document::{format_number, Node, Value};

/// One question a rule asked of the whole scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub slot: usize,
    /// `references`: the names the subject refers to; `referenced_by`: the
    /// names the subject is known by (or its `key` values).
    pub names: Vec<String>,
    pub namespace: Option<String>,
    /// `selected_by`: the subject's labels.
    pub labels: Vec<(String, String)>,
}

/// What one resource of the scan says for one scan relation.
#[derive(Debug, Clone)]
pub struct Fact {
    pub slot: usize,
    /// `references`: the names the resource is known by; `referenced_by`: the
    /// names its `via` refers to.
    pub names: Vec<String>,
    /// Its `via` holds a value not known statically: it may name anything.
    pub wildcard: bool,
    pub namespace: Option<String>,
    /// `selected_by`: its label selector (`None` when it has none).
    pub selector: Option<Selector>,
    /// The relation's `where` on this resource.
    pub verdict: Verdict,
}

/// The facts of a whole scan, by slot.
#[derive(Debug, Default)]
pub struct Facts {
    by_slot: Vec<Vec<Fact>>,
}

impl Facts {
    pub fn add(&mut self, fact: Fact) {
        if self.by_slot.len() <= fact.slot {
            self.by_slot.resize_with(fact.slot + 1, Vec::new);
        }
        self.by_slot[fact.slot].push(fact);
    }

    /// The answer to `atom` for a relation of direction `dir`, three-valued
    /// like every relation: pass when a matching resource satisfies `where`;
    /// skip when none does but one might (its `where` or its reference is not
    /// known, or for `references` the resource named is not in the scan);
    /// otherwise fail.
    pub fn answer(&self, atom: &Atom, dir: RelationDir) -> Verdict {
        let facts = self
            .by_slot
            .get(atom.slot)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut matched = false;
        let mut skipped = false;
        for f in facts {
            if !same_namespace(f.namespace.as_deref(), atom.namespace.as_deref()) {
                continue;
            }
            let hit = match dir {
                RelationDir::References => Some(shares_a_name(&f.names, &atom.names)),
                RelationDir::ReferencedBy => {
                    if shares_a_name(&f.names, &atom.names) {
                        Some(true)
                    } else if f.wildcard {
                        None
                    } else {
                        Some(false)
                    }
                }
                RelationDir::SelectedBy => match &f.selector {
                    Some(s) => s.selects(&atom.labels),
                    None => Some(false),
                },
                RelationDir::AnyResource => Some(true),
            };
            match hit {
                Some(true) => {
                    matched = true;
                    match f.verdict {
                        Verdict::Pass => return Verdict::Pass,
                        Verdict::Skip => skipped = true,
                        Verdict::Fail => {}
                    }
                }
                Some(false) => {}
                None => skipped = true,
            }
        }
        if skipped || (dir == RelationDir::References && !matched) {
            // a reference to a resource the scan does not hold is not a failure
            Verdict::Skip
        } else {
            Verdict::Fail
        }
    }
}

fn shares_a_name(a: &[String], b: &[String]) -> bool {
    a.iter().any(|x| b.contains(x))
}

/// Kubernetes names are namespaced; a resource that does not say is in
/// whichever namespace it is applied to.
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The answers a run of a rule assumes for the atoms already known, and the
/// atoms it asked that had none (assumed to pass, then explored).
pub struct Hypothesis {
    assumed: Vec<(Atom, Verdict)>,
    asked: RefCell<Vec<Atom>>,
    open: bool,
}

impl Hypothesis {
    /// No question may wait for the scan: a scan relation is skipped (the
    /// other end's `where`, and rules that ask none).
    pub fn closed() -> Hypothesis {
        Hypothesis {
            assumed: Vec::new(),
            asked: RefCell::new(Vec::new()),
            open: false,
        }
    }

    pub fn assuming(assumed: Vec<(Atom, Verdict)>) -> Hypothesis {
        Hypothesis {
            assumed,
            asked: RefCell::new(Vec::new()),
            open: true,
        }
    }

    /// The assumed answer to `atom`; an atom not assumed yet is recorded and
    /// passes for this run.
    pub fn ask(&self, atom: Atom) -> Verdict {
        if !self.open {
            return Verdict::Skip;
        }
        if let Some((_, v)) = self.assumed.iter().find(|(a, _)| *a == atom) {
            return *v;
        }
        let mut asked = self.asked.borrow_mut();
        if !asked.contains(&atom) {
            asked.push(atom);
        }
        Verdict::Pass
    }

    /// The atoms asked that had no assumed answer.
    pub fn new_atoms(self) -> Vec<Atom> {
        self.asked.into_inner()
    }
}

/// A Kubernetes label selector: `{matchLabels, matchExpressions}`, or a plain
/// map of labels (a Service's `selector`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every requirement must hold; none selects every pod.
    Requirements(Vec<Requirement>),
    /// A label or value is not known statically.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    pub fn of(node: &Node) -> Selector {
        let Some(entries) = node.as_map() else {
            return Selector::Unknown;
        };
        let structured = entries
            .iter()
            .any(|e| e.key == "matchLabels" || e.key == "matchExpressions");
        let mut reqs = Vec::new();
        let labels = if structured {
            node.get("matchLabels")
        } else {
            Some(node)
        };
        if let Some(labels) = labels.filter(|l| !matches!(l.value, Value::Null)) {
            let Some(map) = labels.as_map() else {
                return Selector::Unknown;
            };
            for e in map {
                let Some(v) = scalar_text(&e.value) else {
                    return Selector::Unknown;
                };
                reqs.push(Requirement::Equals(e.key.clone(), v));
            }
        }
        let exprs = if structured {
            node.get("matchExpressions")
        } else {
            None
        };
        if let Some(exprs) = exprs.filter(|l| !matches!(l.value, Value::Null)) {
            let Some(list) = exprs.as_list() else {
                return Selector::Unknown;
            };
            for x in list {
                match requirement(x) {
                    Some(r) => reqs.push(r),
                    None => return Selector::Unknown,
                }
            }
        }
        Selector::Requirements(reqs)
    }

    /// Whether the selector selects a resource with these labels; `None`
    /// when the selector is not known.
    pub fn selects(&self, labels: &[(String, String)]) -> Option<bool> {
        let Selector::Requirements(reqs) = self else {
            return None;
        };
        let value = |k: &str| labels.iter().find(|(l, _)| l == k).map(|(_, v)| v);
        Some(reqs.iter().all(|r| match r {
            Requirement::Equals(k, v) => value(k) == Some(v),
            Requirement::In(k, vs) => value(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => !value(k).is_some_and(|v| vs.contains(v)),
            Requirement::Exists(k) => value(k).is_some(),
            Requirement::DoesNotExist(k) => value(k).is_none(),
        }))
    }
}

fn requirement(x: &Node) -> Option<Requirement> {
    let key = scalar_text(x.get("key")?)?;
    let values = || -> Option<Vec<String>> {
        x.get("values")?
            .as_list()?
            .iter()
            .map(scalar_text)
            .collect()
    };
    Some(match x.get("operator").and_then(Node::as_str)? {
        "In" => Requirement::In(key, values()?),
        "NotIn" => Requirement::NotIn(key, values()?),
        "Exists" => Requirement::Exists(key),
        "DoesNotExist" => Requirement::DoesNotExist(key),
        _ => return None,
    })
}

/// A resource's labels as a selector sees them; `None` when a value is not
/// known statically (the answer would be a guess).
pub fn labels_of(node: Option<&Node>) -> Option<Vec<(String, String)>> {
    let Some(node) = node.filter(|n| !matches!(n.value, Value::Null)) else {
        return Some(Vec::new());
    };
    node.as_map()?
        .iter()
        .map(|e| Some((e.key.clone(), scalar_text(&e.value)?)))
        .collect()
}

/// A scalar as the text a name or label compares by.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn fact(slot: usize, names: &[&str], ns: Option<&str>, verdict: Verdict) -> Fact {
        Fact {
            slot,
            names: names.iter().map(|s| s.to_string()).collect(),
            wildcard: false,
            namespace: ns.map(str::to_string),
            selector: None,
            verdict,
        }
    }

    fn atom(names: &[&str], ns: Option<&str>) -> Atom {
        Atom {
            slot: 0,
            names: names.iter().map(|s| s.to_string()).collect(),
            namespace: ns.map(str::to_string),
            labels: Vec::new(),
        }
    }

    #[test]
    fn references_skip_what_the_scan_does_not_hold_and_respect_namespaces() {
        let mut facts = Facts::default();
        facts.add(fact(0, &["database"], Some("db"), Verdict::Fail));
        facts.add(fact(0, &["web"], None, Verdict::Pass));
        let refs = RelationDir::References;
        assert_eq!(
            facts.answer(&atom(&["database"], None), refs),
            Verdict::Fail
        );
        assert_eq!(
            facts.answer(&atom(&["database"], Some("db")), refs),
            Verdict::Fail
        );
        // another namespace's `database` is not this one: not in the scan
        assert_eq!(
            facts.answer(&atom(&["database"], Some("app")), refs),
            Verdict::Skip
        );
        assert_eq!(facts.answer(&atom(&["missing"], None), refs), Verdict::Skip);
        assert_eq!(
            facts.answer(&atom(&["web"], Some("any")), refs),
            Verdict::Pass
        );
        // referenced_by: nobody naming it is a failure; a wildcard might be
        let by = RelationDir::ReferencedBy;
        assert_eq!(facts.answer(&atom(&["missing"], None), by), Verdict::Fail);
        let mut wild = fact(0, &[], None, Verdict::Pass);
        wild.wildcard = true;
        facts.add(wild);
        assert_eq!(facts.answer(&atom(&["missing"], None), by), Verdict::Skip);
    }

    fn yaml(text: &str) -> Node {
        crate::document::yaml::parse(text, &Default::default())
            .expect("yaml")
            .remove(0)
    }

    #[test]
    fn label_selectors_follow_kubernetes() {
        let labels = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let app = labels(&[("app", "web"), ("tier", "front")]);
        let sel = |t: &str| Selector::of(&yaml(t));
        assert_eq!(sel("{}").selects(&app), Some(true));
        assert_eq!(sel("matchLabels: {app: web}").selects(&app), Some(true));
        assert_eq!(sel("matchLabels: {app: db}").selects(&app), Some(false));
        assert_eq!(sel("{app: web, tier: front}").selects(&app), Some(true));
        assert_eq!(
            sel("matchExpressions: [{key: tier, operator: In, values: [front, back]}]")
                .selects(&app),
            Some(true)
        );
        assert_eq!(
            sel("matchExpressions: [{key: app, operator: NotIn, values: [web]}]").selects(&app),
            Some(false)
        );
        assert_eq!(
            sel("matchExpressions: [{key: canary, operator: DoesNotExist}]").selects(&app),
            Some(true)
        );
        assert_eq!(
            sel("matchExpressions: [{key: app, operator: Sometimes}]").selects(&app),
            None
        );
        assert_eq!(
            Selector::of(&Node::string("x", Span::default())).selects(&app),
            None
        );
    }
}
