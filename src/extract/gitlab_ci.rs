//! GitLab CI: the pipeline (each YAML document of a `.gitlab-ci.yml` or of a
//! file it includes), each job, each template jobs inherit from (a hidden
//! `.job` and `default:`), each image reference (`image:`, `services:`) and
//! each `include:` entry.
//!
//! Images, variables and scripts are judged where they are written (a
//! template's `image:` once, not once per job that extends it). What a job
//! inherits through `extends:` and that rules judge on the job as a whole
//! (when and where it runs: [`INHERITED`]) is merged into the job by
//! [`resolve`] before extraction, keeping the spans of the template, so a
//! finding points at the literal where it was written; a template of
//! another file of the pipeline lands at the `extends:` entry naming it
//! (spans point into one file).
use super::Push;
use crate::document::{Entry, Expr, Node, Span, Value};
use crate::target::Target;

/// Top-level keys that are not jobs.
const RESERVED: [&str; 11] = [
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];

/// What a job takes from the templates it `extends:` that rules judge on
/// the job: when it runs, on which refs, and where it deploys.
const INHERITED: [&str; 6] = ["rules", "only", "except", "environment", "stage", "when"];

/// GitLab stops following `extends:` after this many levels.
const MAX_EXTENDS_DEPTH: usize = 11;

/// Templates visited for one job: a hostile file can make `extends:` lists
/// fan out (`.a: {extends: [.b, .b, …]}` down 11 levels), and each visit
/// is work; beyond this what the job inherits is unknown.
const MAX_TEMPLATE_VISITS: usize = 1_000;

/// Nodes copied into the jobs of one document: a long `rules:` list
/// inherited by thousands of jobs would otherwise be copied into each (the
/// YAML alias budget's concern); beyond this what a job inherits is
/// unknown.
const MAX_INHERITED_NODES: usize = 1_000_000;

/// Prepares parsed pipeline documents for extraction: `include:` entries as
/// maps (a string is `local:`, or `remote:` for a URL), values that name
/// CI/CD variables (`$VAR`) as unknown where rules would otherwise judge the
/// name instead of the value, `!reference` entries of `rules:` as unknown,
/// and [`INHERITED`] keys merged into jobs from the templates they extend:
/// of this file, or `elsewhere` (the hidden jobs of the pipeline's other
/// files); a template found nowhere makes them unknown, never guessed.
pub fn resolve<'e>(docs: &mut [Node], elsewhere: &dyn Fn(&str) -> Option<&'e Node>) {
    prepare(docs);
    for doc in docs.iter_mut() {
        merge_extends(doc, elsewhere);
    }
}

/// [`resolve`] without `extends:`: includes as maps and the unknowns, as
/// the templates other files extend are kept.
pub fn prepare(docs: &mut [Node]) {
    for doc in docs.iter_mut() {
        let Value::Map(entries) = &mut doc.value else {
            continue;
        };
        for e in entries.iter_mut() {
            match e.key.as_str() {
                "include" => normalise_includes(&mut e.value),
                "image" | "services" => images_unknown(&mut e.value, &e.key),
                _ if !RESERVED.contains(&e.key.as_str()) || e.key == "default" => {
                    if let Value::Map(job) = &mut e.value.value {
                        for j in job.iter_mut() {
                            match j.key.as_str() {
                                "image" | "services" => images_unknown(&mut j.value, &j.key),
                                "rules" => references_unknown(&mut j.value),
                                "environment" => environment_unknown(&mut j.value),
                                "trigger" => {
                                    if let Value::Map(t) = &mut j.value.value {
                                        for te in t.iter_mut().filter(|te| te.key == "include") {
                                            normalise_includes(&mut te.value);
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// `include:` as a list of maps.
fn normalise_includes(node: &mut Node) {
    if !matches!(node.value, Value::List(_)) {
        let one = std::mem::replace(node, Node::null(node.span));
        *node = Node::list(vec![one], node.span);
    }
    let Value::List(items) = &mut node.value else {
        return;
    };
    for item in items.iter_mut() {
        if let Value::String(s) = &item.value {
            let key = if s.starts_with("https://") || s.starts_with("http://") {
                "remote"
            } else {
                "local"
            };
            let span = item.span;
            let value = std::mem::replace(item, Node::null(span));
            *item = Node::map(
                vec![Entry {
                    key: key.into(),
                    key_span: span,
                    value,
                }],
                span,
            );
        }
        if let Value::Map(entries) = &mut item.value {
            for e in entries.iter_mut() {
                match e.key.as_str() {
                    "ref" | "remote" | "project" => variable_unknown(&mut e.value),
                    // `$CI_SERVER_FQDN/group/project/name@1.2`: the version
                    // decides, and only a variable there is unknown
                    "component" => {
                        let version_unknown = e.value.as_str().is_some_and(|c| {
                            c.rsplit_once('@').map_or(c, |(_, v)| v).contains('$')
                        });
                        if version_unknown {
                            variable_unknown(&mut e.value);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// A string that uses a CI/CD variable is not known statically.
fn variable_unknown(node: &mut Node) {
    if let Value::String(s) = &node.value {
        if s.contains('$') {
            let text = s.clone();
            node.value = Value::Expr(Expr {
                text,
                function: None,
                argument: None,
            });
        }
    }
}

fn images_unknown(node: &mut Node, key: &str) {
    let one = |n: &mut Node| match &mut n.value {
        Value::String(_) => variable_unknown(n),
        Value::Map(_) => {
            if let Value::Map(entries) = &mut n.value {
                entries
                    .iter_mut()
                    .filter(|e| e.key == "name")
                    .for_each(|e| variable_unknown(&mut e.value));
            }
        }
        _ => {}
    };
    match (&mut node.value, key) {
        (Value::List(items), "services") => items.iter_mut().for_each(one),
        _ => one(node),
    }
}

/// An environment named by a variable (`$DEPLOY_ENV`) is not known.
fn environment_unknown(node: &mut Node) {
    let starts_with_variable = |n: &Node| n.as_str().is_some_and(|s| s.starts_with('$'));
    if starts_with_variable(node) {
        variable_unknown(node);
    } else if let Value::Map(entries) = &mut node.value {
        for e in entries.iter_mut().filter(|e| e.key == "name") {
            if starts_with_variable(&e.value) {
                variable_unknown(&mut e.value);
            }
        }
    }
}

/// `rules:` entries that are not maps come from `!reference [.x, rules]`
/// (the tag is not kept): what they hold is not known here.
fn references_unknown(node: &mut Node) {
    if let Value::List(items) = &mut node.value {
        for item in items.iter_mut() {
            if !matches!(item.value, Value::Map(_)) {
                item.value = Value::Expr(Expr {
                    text: "!reference".into(),
                    function: None,
                    argument: None,
                });
            }
        }
    } else if !matches!(node.value, Value::Map(_)) {
        node.value = Value::Expr(Expr {
            text: "!reference".into(),
            function: None,
            argument: None,
        });
    }
}

/// The names a job extends, in order (`extends: .a` or `extends: [.a, .b]`).
fn extends_of(job: &Node) -> Vec<(String, Span)> {
    match job.get("extends").map(|n| &n.value) {
        Some(Value::String(s)) => {
            vec![(s.clone(), job.get("extends").map_or(job.span, |n| n.span))]
        }
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| Some((i.as_str()?.to_string(), i.span)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The [`INHERITED`] keys of `name` after its own `extends:` (a template
/// extends others too), nearest last; `None` when a template named is
/// nowhere (or the chain is too deep or loops). A template of another file
/// (`elsewhere`) lands at `at`, the `extends:` entry that reaches it.
fn inherited<'d, 'e: 'd>(
    doc: &'d Node,
    name: &str,
    depth: usize,
    elsewhere: &dyn Fn(&str) -> Option<&'e Node>,
    at: Span,
    budget: &mut Budget,
) -> Option<Vec<Entry>> {
    if depth > MAX_EXTENDS_DEPTH || budget.visits == 0 {
        return None;
    }
    budget.visits -= 1;
    let (job, foreign): (&'d Node, bool) = match doc.get(name) {
        Some(job) => (job, false),
        None => (elsewhere(name)?, true),
    };
    let mut out = Vec::new();
    for (parent, _) in extends_of(job) {
        out.extend(inherited(doc, &parent, depth + 1, elsewhere, at, budget)?);
    }
    for e in job
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| INHERITED.contains(&e.key.as_str()))
    {
        let size = nodes(&e.value);
        if size > budget.nodes {
            return None;
        }
        budget.nodes -= size;
        let mut e = e.clone();
        if foreign {
            e.key_span = at;
            respan(&mut e.value, at);
        }
        out.push(e);
    }
    Some(out)
}

/// What one document may still spend on `extends:`.
struct Budget {
    /// Templates the current job may still visit.
    visits: usize,
    /// Nodes the document's jobs may still copy.
    nodes: usize,
}

/// How many nodes `node` holds (itself included).
fn nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::List(items) => items.iter().map(nodes).sum(),
        Value::Map(entries) => entries.iter().map(|e| nodes(&e.value)).sum(),
        Value::Expr(Expr {
            argument: Some(arg),
            ..
        }) => nodes(arg),
        _ => 0,
    }
}

/// Every span of `node` set to `at` (a value from another file, shown
/// where this file reaches it).
fn respan(node: &mut Node, at: Span) {
    node.span = at;
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| respan(n, at)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = at;
            respan(&mut e.value, at);
        }),
        Value::Expr(Expr {
            argument: Some(arg),
            ..
        }) => respan(arg, at),
        _ => {}
    }
}

/// Merges into each job and template the [`INHERITED`] keys of what it
/// extends that it does not set itself. A later template wins over an
/// earlier one, as in GitLab (maps are not merged key by key for these: a
/// job's `rules:` or `environment:` replaces the template's).
fn merge_extends<'e>(doc: &mut Node, elsewhere: &dyn Fn(&str) -> Option<&'e Node>) {
    let names: Vec<String> = doc
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| !RESERVED.contains(&e.key.as_str()) && e.value.get("extends").is_some())
        .map(|e| e.key.clone())
        .collect();
    let mut additions: Vec<(String, Vec<Entry>)> = Vec::new();
    let mut budget = Budget {
        visits: 0,
        nodes: MAX_INHERITED_NODES,
    };
    for name in names {
        budget.visits = MAX_TEMPLATE_VISITS;
        let Some(job) = doc.get(&name) else { continue };
        let own: Vec<&str> = job
            .as_map()
            .unwrap_or(&[])
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        let mut add: Vec<Entry> = Vec::new();
        for (parent, span) in extends_of(job) {
            match inherited(doc, &parent, 1, elsewhere, span, &mut budget) {
                Some(entries) => {
                    for e in entries {
                        add.retain(|a| a.key != e.key);
                        add.push(e);
                    }
                }
                // a template soclint cannot see (or too much to follow):
                // what it sets is not known
                None => {
                    for key in INHERITED {
                        add.retain(|a| a.key != key);
                        add.push(Entry {
                            key: key.into(),
                            key_span: span,
                            value: Node::new(
                                Value::Expr(Expr {
                                    text: format!("extends: {parent}"),
                                    function: None,
                                    argument: None,
                                }),
                                span,
                            ),
                        });
                    }
                }
            }
        }
        add.retain(|a| !own.contains(&a.key.as_str()));
        if !add.is_empty() {
            additions.push((name, add));
        }
    }
    let Value::Map(entries) = &mut doc.value else {
        return;
    };
    for (name, add) in additions {
        if let Some(e) = entries.iter_mut().rev().find(|e| e.key == name) {
            if let Value::Map(job) = &mut e.value.value {
                job.extend(add);
            }
        }
    }
}

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let Some(entries) = doc.as_map() else {
        return;
    };
    // a component's header document (`spec: inputs:`) is not a pipeline
    if entries.iter().all(|e| e.key == "spec") {
        return;
    }
    push(
        Target::GitlabCi,
        "pipeline",
        "pipeline".into(),
        doc,
        doc.header_span(),
    );
    images(doc, "", push);
    includes(doc, "include", push);
    for e in entries {
        if e.key == "default" {
            push(
                Target::GitlabCi,
                "template",
                "default".into(),
                &e.value,
                e.key_span,
            );
            images(&e.value, "default.", push);
            continue;
        }
        if RESERVED.contains(&e.key.as_str()) || e.value.as_map().is_none() {
            continue;
        }
        let ty = if e.key.starts_with('.') {
            "template"
        } else {
            "job"
        };
        push(Target::GitlabCi, ty, e.key.clone(), &e.value, e.key_span);
        images(&e.value, &format!("{}.", e.key), push);
        if let Some(trigger) = e.value.get("trigger") {
            includes(trigger, &format!("{}.trigger.include", e.key), push);
        }
    }
}

/// The `image:` and `services:` a job, template or the pipeline writes
/// itself (what it inherits is judged where it is written).
fn images<'a>(holder: &'a Node, prefix: &str, push: &mut Push<'_, 'a>) {
    let name_of = |n: &'a Node| -> Option<&'a Node> {
        match &n.value {
            Value::Map(_) => n.get("name"),
            Value::String(_) | Value::Expr(_) => Some(n),
            _ => None,
        }
    };
    if let Some(image) = holder.get("image").and_then(name_of) {
        push(
            Target::GitlabCi,
            "image",
            format!("{prefix}image"),
            image,
            image.span,
        );
    }
    let services = holder
        .get("services")
        .and_then(Node::as_list)
        .unwrap_or(&[]);
    for (i, s) in services.iter().enumerate() {
        if let Some(image) = name_of(s) {
            push(
                Target::GitlabCi,
                "image",
                format!("{prefix}services[{i}]"),
                image,
                image.span,
            );
        }
    }
}

/// Each `include:` entry ([`resolve`] made them maps).
fn includes<'a>(holder: &'a Node, address: &str, push: &mut Push<'_, 'a>) {
    let list = holder.get("include").and_then(Node::as_list).unwrap_or(&[]);
    for (i, item) in list.iter().enumerate() {
        let header = [
            "project",
            "remote",
            "component",
            "template",
            "local",
            "artifact",
        ]
        .iter()
        .find_map(|k| super::entry_header(item, k))
        .unwrap_or_else(|| item.header_span());
        push(
            Target::GitlabCi,
            "include",
            format!("{address}[{i}]"),
            item,
            header,
        );
    }
}

/// One include of a pipeline file, as [`resolve`] left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Include {
    /// A file of this repository (`local:`; a child pipeline's
    /// `trigger: include:`), as written; may hold `*` wildcards.
    Local(String),
    /// Something soclint does not fetch: what it is, for a person
    /// (`remote https://…`, `project group/x (ref main)`).
    Elsewhere(String),
}

/// The includes of a pipeline document (top level and child pipelines).
pub fn includes_of(doc: &Node) -> Vec<Include> {
    let mut lists: Vec<&Node> = doc.get("include").into_iter().collect();
    for e in doc.as_map().unwrap_or(&[]) {
        if let Some(inc) = e.value.get("trigger").and_then(|t| t.get("include")) {
            lists.push(inc);
        }
    }
    let mut out = Vec::new();
    for list in lists {
        for item in list.as_list().unwrap_or(&[]) {
            let text = |k: &str| match item.get(k).map(|n| &n.value) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Expr(e)) => Some(e.text.clone()),
                _ => None,
            };
            if let Some(local) = text("local") {
                out.push(Include::Local(local));
            } else if let Some(url) = text("remote") {
                out.push(Include::Elsewhere(format!("remote `{url}`")));
            } else if let Some(project) = text("project") {
                let files = match item.get("file").map(|n| &n.value) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::List(l)) => l
                        .iter()
                        .filter_map(Node::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                let at = text("ref").map_or(String::new(), |r| format!("@{r}"));
                out.push(Include::Elsewhere(format!(
                    "project `{project}{at}` ({files})"
                )));
            } else if let Some(t) = text("template") {
                out.push(Include::Elsewhere(format!("template `{t}`")));
            } else if let Some(c) = text("component") {
                out.push(Include::Elsewhere(format!("component `{c}`")));
            } else if let Some(a) = text("artifact") {
                out.push(Include::Elsewhere(format!(
                    "artifact `{a}` (made by a job at run time)"
                )));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{yaml, Limits};

    fn resolved(text: &str) -> Vec<Node> {
        let mut docs = yaml::parse(text, &Limits::default()).expect("parses");
        resolve(&mut docs, &|_| None);
        docs
    }

    /// `extends:` lists that fan out down every level are not followed
    /// to the end (10^11 visits): the job's inheritance is unknown, and
    /// quickly.
    #[test]
    fn extends_that_fan_out_stop_at_the_visit_budget() {
        let mut text = String::new();
        for level in 0..12 {
            let next = format!(".t{}", level + 1);
            let list = [next.as_str(); 10].join(", ");
            text.push_str(&format!(".t{level}:\n  extends: [{list}]\n"));
        }
        text.push_str(".t12:\n  environment: production\njob:\n  extends: .t0\n  script: x\n");
        let docs = resolved(&text);
        let job = docs[0].get("job").expect("job");
        assert!(job.get("environment").is_some_and(Node::is_expr));
    }

    /// A template inherited by many jobs is copied into each until the
    /// node budget is spent; the jobs after that inherit an unknown.
    #[test]
    fn inherited_copies_stop_at_the_node_budget() {
        let rules: String = (0..20_000)
            .map(|i| format!("    - if: $X == \"{i}\"\n"))
            .collect();
        let mut text = format!(".big:\n  rules:\n{rules}");
        for j in 0..200 {
            text.push_str(&format!("job{j}:\n  extends: .big\n  script: x\n"));
        }
        let docs = resolved(&text);
        let first = docs[0].get("job0").and_then(|j| j.get("rules"));
        assert_eq!(
            first.and_then(Node::as_list).map(<[Node]>::len),
            Some(20_000)
        );
        let last = docs[0].get("job199").and_then(|j| j.get("rules"));
        assert!(last.is_some_and(Node::is_expr));
    }
}
