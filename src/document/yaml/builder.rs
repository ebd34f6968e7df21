//! The builder: saphyr-parser events → [`Node`]s with an explicit stack.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use saphyr::Scalar;
use saphyr_parser::{BufferedInput, Event, Input, Parser, ScalarStyle, Tag};

use super::super::{Entry, Expr, Limits, Node, ParseError, Span, Value};
use super::keys::{scalar_ident, Ident, IdentNode, KeyId};
use super::{
    cfn_function, custom_tag, directive_with_non_ascii, error_at, is_mergeable, key_name, merge,
    scan_error, Positions,
};

/// What is being done with the events. Errors are reported as the former
/// two-stage load (saphyr's loader, then a conversion of its tree) reported
/// them: a loader error (duplicate key, alias budget) beats any conversion error
/// (`max_nodes`, nesting reached through an alias, an unusable alias), and
/// among conversion errors the first in document order wins. A syntax error,
/// and nesting past `max_depth` in the text itself (the old depth probe's
/// error), end the parse at once.
///
/// A conversion error inside a mapping key is only tentative: saphyr's loader
/// drops a key left without a value (that happens after a `BadValue` key, see
/// [`Builder::push`]) and the conversion never saw it. So building goes on
/// inside a key; the error is undone if the key is dropped and becomes certain
/// when the key gets its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Building nodes.
    Build,
    /// A conversion error is certain: nothing is built any more, but loader
    /// errors are still looked for.
    Check,
    /// A loader error is pending: only nesting and syntax are still checked.
    Stopped,
}

/// A finished node, on its way into its parent.
struct Done {
    /// `None` unless building.
    node: Option<Node>,
    /// For keys, anchors and what they contain.
    ident: Option<Rc<IdentNode>>,
    /// For a string key when not building (otherwise the key node has it).
    name: Option<String>,
    /// Where saphyr's loader marked the node (a collection: at its end).
    mark: usize,
    /// Size by the alias budget's count.
    budget: usize,
    /// Per nesting level below (and including) this node, the first collection
    /// there: (node count at its depth check, position). Kept for anchors.
    first: Vec<(usize, usize)>,
}

/// A key waiting for its value.
struct PendingKey {
    node: Option<Node>,
    id: KeyId,
    name: Option<String>,
    mark: usize,
    budget: usize,
}

/// The state when a key began, to undo what a dropped key did.
#[derive(Clone, Copy)]
struct Snapshot {
    mode: Mode,
    nodes: usize,
    errors: usize,
    no_pending: bool,
    first: usize,
    idents: usize,
}

/// Entries of an open mapping, with what duplicate detection needs.
#[derive(Default)]
struct MapBody {
    entries: Vec<Entry>,
    /// Names of string keys added after building stopped, and where each is.
    names: Vec<(String, usize)>,
    /// Per key, from the first one that is not a string (until then, none).
    ids: Vec<KeyId>,
    /// For mappings past [`INDEX_FROM`] keys: hash → last entry with it, and per
    /// entry the previous one with the same hash.
    index: Option<(HashMap<u64, u32>, Vec<u32>)>,
    key: Option<PendingKey>,
    key_began: Option<Snapshot>,
    merges: Vec<usize>,
}

const INDEX_FROM: usize = 16;
const NO_ENTRY: u32 = u32::MAX;

impl MapBody {
    fn name(&self, i: usize) -> &str {
        match self.entries.get(i) {
            Some(e) => &e.key,
            None => self
                .names
                .get(i - self.entries.len())
                .map_or("", |(name, _)| name.as_str()),
        }
    }

    /// Whether key `i` equals (`id`, `name`).
    fn same(&self, i: usize, id: &KeyId, name: &str) -> bool {
        match self.ids.get(i) {
            Some(k) => k.same(self.name(i), id, name),
            // no ids kept: every key so far is a string
            None => matches!(id, KeyId::Str) && self.name(i) == name,
        }
    }

    fn hash_of(&self, i: usize) -> u64 {
        self.ids.get(i).unwrap_or(&KeyId::Str).hash(self.name(i))
    }

    /// Records a key (its name goes to `entries` or `names` next); when an
    /// equal one is there already, records nothing and returns its index.
    fn insert_key(&mut self, id: KeyId, name: &str) -> Option<usize> {
        let n = self.entries.len() + self.names.len();
        let all_str = self.ids.is_empty() && matches!(id, KeyId::Str);
        if n < INDEX_FROM {
            let found = if all_str {
                self.entries.iter().position(|e| e.key == name).or_else(|| {
                    let at = self.names.iter().position(|(s, _)| s == name)?;
                    Some(self.entries.len() + at)
                })
            } else {
                (0..n).find(|&i| self.same(i, &id, name))
            };
            if found.is_some() {
                return found;
            }
        } else {
            if self.index.is_none() {
                let mut map = HashMap::with_capacity(n * 2);
                let mut prev = Vec::with_capacity(n * 2);
                for i in 0..n {
                    prev.push(map.insert(self.hash_of(i), i as u32).unwrap_or(NO_ENTRY));
                }
                self.index = Some((map, prev));
            }
            let h = id.hash(name);
            if let Some((map, prev)) = &self.index {
                let mut at = map.get(&h).copied().unwrap_or(NO_ENTRY);
                while at != NO_ENTRY {
                    let i = at as usize;
                    if self.same(i, &id, name) {
                        return Some(i);
                    }
                    at = prev[i];
                }
            }
            if let Some((map, prev)) = &mut self.index {
                prev.push(map.insert(h, n as u32).unwrap_or(NO_ENTRY));
            }
        }
        // ids are kept from the first key that is not a string on
        if !all_str {
            if self.ids.is_empty() {
                self.ids.resize(n, KeyId::Str);
            }
            self.ids.push(id);
        }
        None
    }
}

// Frames live only on the stack of open collections (one per level), so the
// size difference costs nothing; boxing would cost an allocation per mapping.
#[allow(clippy::large_enum_variant)]
enum Body {
    Seq(Vec<Node>),
    Map(MapBody),
}

/// An open collection.
struct Frame {
    /// Byte offset of its first token (properties included).
    start: usize,
    anchor: usize,
    tag: Option<Tag>,
    /// Whether it is a mapping key.
    is_key: bool,
    /// Node count before it, and just after counting it.
    nodes_start: usize,
    nodes_at: usize,
    /// Length of [`Builder::errors`] when it began.
    errors_start: usize,
    /// Alias-budget size so far.
    budget: usize,
    /// End of the furthest child so far (for the span).
    last: Option<usize>,
    body: Body,
    /// Identity and first-collection bookkeeping (keys, anchors, inside them).
    rich: bool,
    idents: Vec<Rc<IdentNode>>,
    first: Vec<(usize, usize)>,
}

impl Frame {
    fn expects_key(&self) -> bool {
        matches!(&self.body, Body::Map(m) if m.key.is_none())
    }
}

/// An anchored node, ready to be copied by its aliases.
struct Anchor {
    /// saphyr's `BadValue` (a scalar a core tag could not resolve): unusable.
    bad: bool,
    /// `None` when not building.
    node: Option<Node>,
    ident: Rc<IdentNode>,
    /// Nodes as `max_nodes` counts them, and the count before the anchor.
    nodes: usize,
    nodes_start: usize,
    budget: usize,
    first: Vec<(usize, usize)>,
    /// The first conversion error inside it (other than `max_nodes`), at this
    /// many nodes from its start: every copy fails there too.
    error: Option<(usize, ParseError)>,
}

pub(super) struct Builder<'t> {
    text: &'t str,
    pos: Positions,
    limits: &'t Limits,
    mode: Mode,
    pending: Option<ParseError>,
    /// The pending conversion error is inside a key not yet given its value.
    tentative: bool,
    stack: Vec<Frame>,
    /// Open collections that are mapping keys.
    open_keys: usize,
    root: Option<Done>,
    docs: Vec<Node>,
    /// Indexed by anchor id (ids start at 1 and grow by one).
    anchors: Vec<Option<Anchor>>,
    /// Highest anchor id seen, and the first id of the current document.
    max_anchor: usize,
    doc_first_anchor: usize,
    /// Nodes so far, as saphyr-then-conversion counted them (a tagged node twice).
    nodes: usize,
    /// What is left of the alias budget.
    budget: usize,
    /// Conversion errors other than `max_nodes`, with the node count they came
    /// at (for anchors: their copies fail on them again).
    errors: Vec<(usize, ParseError)>,
}

impl<'t> Builder<'t> {
    pub(super) fn new(text: &'t str, limits: &'t Limits) -> Self {
        Builder {
            text,
            pos: Positions::new(text),
            limits,
            mode: Mode::Build,
            pending: None,
            tentative: false,
            stack: Vec::new(),
            open_keys: 0,
            root: None,
            docs: Vec::new(),
            anchors: Vec::new(),
            max_anchor: 0,
            doc_first_anchor: 1,
            nodes: 0,
            budget: limits.max_alias_nodes,
            errors: Vec::new(),
        }
    }

    pub(super) fn run(self) -> Result<Vec<Node>, ParseError> {
        let text = self.text;
        if directive_with_non_ascii(text) {
            // the `&str` input counts such a line in bytes: read it char by char
            self.events(Parser::new(BufferedInput::new(text.chars())))
        } else {
            self.events(Parser::new_from_str(text))
        }
    }

    fn events<I: Input>(mut self, mut parser: Parser<'t, I>) -> Result<Vec<Node>, ParseError> {
        while let Some(next) = parser.next_event() {
            let (event, span) =
                next.map_err(|e| scan_error(&e, self.text, &self.pos, self.limits))?;
            let start = self.pos.of(&span.start);
            let end = self.pos.of(&span.end).max(start);
            match event {
                Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
                Event::DocumentStart(_) => {
                    // saphyr loaded documents one by one, forgetting anchors in between
                    self.doc_first_anchor = self.max_anchor + 1;
                    self.root = None;
                }
                Event::DocumentEnd => self.document_end(start, end),
                Event::Scalar(value, style, anchor, tag) => {
                    self.saw_anchor(anchor);
                    self.scalar(value, style, anchor, tag, start, end);
                }
                Event::Alias(id) => self.alias(id, start, end)?,
                Event::SequenceStart(anchor, tag) => {
                    self.saw_anchor(anchor);
                    self.start(false, anchor, tag, start)?;
                }
                Event::MappingStart(anchor, tag) => {
                    self.saw_anchor(anchor);
                    self.start(true, anchor, tag, start)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.end(start),
            }
        }
        match self.pending {
            Some(e) => Err(e),
            None => Ok(self.docs),
        }
    }

    fn saw_anchor(&mut self, id: usize) {
        self.max_anchor = self.max_anchor.max(id);
    }

    // -- errors and counting ------------------------------------------------

    /// A conversion error (`count`: the `max_nodes` one). The first one is kept.
    fn conversion_error(&mut self, e: ParseError, count: bool) {
        if self.mode != Mode::Build {
            return;
        }
        if !count {
            self.errors.push((self.nodes, e.clone()));
        }
        if self.pending.is_none() {
            self.pending = Some(e);
            self.tentative =
                self.open_keys > 0 || self.stack.last().is_some_and(Frame::expects_key);
            if !self.tentative {
                self.mode = Mode::Check;
            }
        }
    }

    /// A loader error: beats any conversion error.
    fn loader_error(&mut self, at: usize, info: &str) {
        if self.mode != Mode::Stopped {
            self.pending = Some(error_at(self.text, at, info, self.limits));
            self.tentative = false;
            self.mode = Mode::Stopped;
        }
    }

    fn too_many_nodes(&self) -> ParseError {
        let message = if self.text.contains('*') {
            format!(
                "alias expansion exceeds {} nodes (possible billion-laughs)",
                self.limits.max_nodes
            )
        } else {
            format!("document exceeds {} nodes", self.limits.max_nodes)
        };
        ParseError::new(Span::new(0, 0), message)
    }

    fn too_deep(&self, at: usize) -> ParseError {
        ParseError::new(
            Span::new(at, at),
            format!("nesting deeper than {} levels", self.limits.max_depth),
        )
    }

    /// Counts `n` nodes towards `max_nodes` (while building).
    fn count(&mut self, n: usize) {
        if self.mode == Mode::Build {
            self.nodes += n;
            if self.nodes > self.limits.max_nodes {
                let e = self.too_many_nodes();
                self.conversion_error(e, true);
            }
        }
    }

    // -- events -------------------------------------------------------------

    fn document_end(&mut self, start: usize, end: usize) {
        let root = match self.root.take() {
            Some(done) => done.node,
            None => {
                // no node at all (saphyr's loader made it a `BadValue`)
                self.count(1);
                (self.mode == Mode::Build).then(|| {
                    let (_, p) = self.skip_props(start, end);
                    let e = self.trim_end(p, end);
                    Node::string(self.slice(p, e), Span::new(p, e))
                })
            }
        };
        if self.mode != Mode::Build {
            return;
        }
        if let Some(node) = root {
            if matches!(node.value, Value::Null) && node.span.is_empty() {
                return; // an empty document (`---` alone, comments only)
            }
            self.docs.push(node);
        }
    }

    /// A node begins. In key position the state is remembered (the key may be
    /// dropped); in value position the key is now certain, and so is an error
    /// inside it unless an enclosing key may still be dropped.
    fn begin_child(&mut self) {
        let snapshot = Snapshot {
            mode: self.mode,
            nodes: self.nodes,
            errors: self.errors.len(),
            no_pending: self.pending.is_none(),
            first: 0,
            idents: 0,
        };
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let (first, idents) = (frame.first.len(), frame.idents.len());
        let Body::Map(body) = &mut frame.body else {
            return;
        };
        if body.key.is_none() {
            body.key_began = Some(Snapshot {
                first,
                idents,
                ..snapshot
            });
        } else if self.tentative && self.open_keys == 0 && self.mode == Mode::Build {
            self.tentative = false;
            self.mode = Mode::Check;
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'t, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'t, Tag>>,
        start: usize,
        end: usize,
    ) {
        if self.mode == Mode::Stopped {
            return;
        }
        self.begin_child();
        let (value, tag) = if tag.as_ref().is_some_and(|t| !t.is_yaml_core_schema()) {
            // a custom tag: the value as if untagged, then wrapped
            let v = Scalar::parse_from_cow_and_metadata(value, style, None);
            (v, custom_tag(tag))
        } else {
            (
                Scalar::parse_from_cow_and_metadata(value, style, tag.as_ref()),
                None,
            )
        };
        let nodes_start = self.nodes;
        let (in_key, parent_rich) = self
            .stack
            .last()
            .map_or((false, false), |f| (f.expects_key(), f.rich));
        if in_key && value.is_none() {
            // saphyr's loader takes a `BadValue` key for "no key yet": it vanishes
            // (the next node becomes the key), after its anchor is recorded
            if anchor > 0 {
                let done = Done {
                    node: None,
                    ident: Some(IdentNode::new(Ident::Bad)),
                    name: None,
                    mark: start,
                    budget: 1,
                    first: Vec::new(),
                };
                self.set_anchor(anchor, &done, nodes_start, true, None);
            }
            return;
        }
        self.count(1 + usize::from(tag.is_some()));
        let ident = (anchor > 0 || parent_rich || (in_key && tag.is_some())).then(|| {
            let inner = IdentNode::new(scalar_ident(value.as_ref()));
            match &tag {
                Some(t) => IdentNode::new(Ident::Tagged(Box::new(t.clone()), inner)),
                None => inner,
            }
        });
        let key = in_key.then(|| match &ident {
            Some(id) => KeyId::of_ident(id),
            None => KeyId::of_scalar(value.as_ref()),
        });
        let name = match (&key, &value) {
            (Some(KeyId::Str), Some(Scalar::String(s))) if self.mode != Mode::Build => {
                Some(s.to_string())
            }
            _ => None,
        };
        let bad = value.is_none();
        let node = (self.mode == Mode::Build).then(|| self.scalar_node(value, tag, start, end));
        let done = Done {
            node,
            ident,
            name,
            mark: start,
            budget: 1,
            first: Vec::new(),
        };
        if anchor > 0 {
            self.set_anchor(anchor, &done, nodes_start, bad, None);
        }
        self.push(done, key);
    }

    /// The node of a scalar (`value` `None`: saphyr's `BadValue`).
    fn scalar_node(
        &self,
        value: Option<Scalar<'_>>,
        tag: Option<Tag>,
        start: usize,
        end: usize,
    ) -> Node {
        let Some(value) = value else {
            let (_, p) = self.skip_props(start, end);
            let e = self.trim_end(p, end);
            return Node::string(self.slice(p, e), Span::new(p, e));
        };
        let node = self.scalar_value(value, start, end);
        match tag {
            Some(tag) => self.tagged(&tag, node, start, end),
            None => node,
        }
    }

    fn scalar_value(&self, scalar: Scalar<'_>, start: usize, end: usize) -> Node {
        let (_, p) = self.skip_props(start, end);
        let e = self
            .quoted_end(p, end)
            .unwrap_or_else(|| self.trim_end(p, end));
        let span = Span::new(p, e);
        let value = match scalar {
            Scalar::Null => {
                let source = self.slice(p, e);
                if matches!(source, "~" | "null" | "Null" | "NULL") || source.starts_with('*') {
                    Value::Null
                } else {
                    // an empty value: the parser's span may cover the next token
                    return Node::null(Span::new(p, p));
                }
            }
            Scalar::Boolean(b) => Value::Bool(b),
            Scalar::Integer(i) => Value::Number(i as f64),
            Scalar::FloatingPoint(f) => Value::Number(f.0),
            Scalar::String(s) => Value::String(s.into_owned()),
        };
        Node::new(value, span)
    }

    /// A tagged node: CloudFormation tags wrap it in an `Expr`, others are dropped.
    fn tagged(&self, tag: &Tag, inner: Node, start: usize, end: usize) -> Node {
        let Some(function) = cfn_function(tag) else {
            return inner; // unknown tag: keep the value
        };
        let (tag_start, _) = self.skip_props(start, end);
        let tag_start = tag_start.unwrap_or(inner.span.start);
        let span = Span::new(tag_start, inner.span.end.max(tag_start));
        let text = self.slice(span.start, span.end).trim().to_string();
        Node::new(
            Value::Expr(Expr {
                text,
                function: Some(function),
                argument: Some(Box::new(inner)),
            }),
            span,
        )
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        if id < self.doc_first_anchor {
            // an anchor of an earlier document: unknown, as when saphyr loaded it
            return Err(error_at(
                self.text,
                start,
                "while parsing node, found unknown anchor",
                self.limits,
            ));
        }
        if self.mode == Mode::Stopped {
            return Ok(());
        }
        self.begin_child();
        // saphyr's loader: an anchor still open is a `BadValue`; a finished one is
        // copied if the budget allows
        let found = self
            .anchors
            .get(id)
            .and_then(Option::as_ref)
            .map(|a| (a.bad, a.budget, a.ident.clone()));
        if let Some((_, size, _)) = &found {
            if *size > self.budget {
                self.loader_error(
                    start,
                    "alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
                );
                return Ok(());
            }
            self.budget -= size;
        }
        let usable = found.as_ref().is_some_and(|f| !f.0);
        let (in_key, parent_rich) = self
            .stack
            .last()
            .map_or((false, false), |f| (f.expects_key(), f.rich));
        if in_key && !usable {
            return Ok(()); // a `BadValue` key vanishes (see `scalar`)
        }
        let (budget, ident) = match found {
            Some((_, size, ident)) => (size, ident),
            None => (1, IdentNode::new(Ident::Bad)),
        };
        let mut first = Vec::new();
        let mut node = None;
        if self.mode == Mode::Build {
            let e = self.trim_end(start, end);
            let span = Span::new(start, e);
            if usable {
                (node, first) = self.copy(id, span, parent_rich);
            } else {
                // the conversion counted a `BadValue` here, then failed on it
                self.count(1);
                let message = format!(
                    "alias {} refers to a node that is not complete yet",
                    self.slice(start, e)
                );
                self.conversion_error(ParseError::new(span, message), false);
                // (built on only inside a key that may be dropped; a copy of
                // an anchor around it fails on it again)
                node = (self.mode == Mode::Build).then(|| Node::null(span));
            }
        }
        let key = in_key.then(|| KeyId::of_ident(&ident));
        let name = match (&key, &ident.kind) {
            (Some(KeyId::Str), Ident::Str(s)) if self.mode != Mode::Build => Some(s.to_string()),
            _ => None,
        };
        let done = Done {
            node,
            ident: Some(ident),
            name,
            mark: start,
            budget,
            first,
        };
        self.push(done, key);
        Ok(())
    }

    /// Copies anchor `id` for an alias at `span`, once the limits allow it: the
    /// first error the conversion of the copy would have met is raised instead,
    /// and nothing too deep is built.
    fn copy(
        &mut self,
        id: usize,
        span: Span,
        parent_rich: bool,
    ) -> (Option<Node>, Vec<(usize, usize)>) {
        let Some(a) = self.anchors.get(id).and_then(Option::as_ref) else {
            return (None, Vec::new());
        };
        let c0 = self.nodes;
        let shift = |idx: usize| idx.saturating_sub(a.nodes_start) + c0;
        let max_nodes = self.limits.max_nodes;
        let depth = self.stack.len();
        let max_depth = self.limits.max_depth;
        // (node count where the conversion meets it, counted before checked, error)
        let mut found: Option<(usize, bool, ParseError)> = None;
        let mut consider = |at: usize, counted: bool, e: ParseError| {
            if found
                .as_ref()
                .is_none_or(|(a, c, _)| (at, !counted) < (*a, !*c))
            {
                found = Some((at, counted, e));
            }
        };
        let too_deep = depth + a.first.len() > max_depth;
        if too_deep {
            let k = max_depth.saturating_sub(depth);
            let (idx, at) = a.first[k];
            consider(
                shift(idx),
                false,
                self.too_deep(if k == 0 { span.start } else { at }),
            );
        }
        if let Some((rel, e)) = &a.error {
            consider(c0 + rel, false, e.clone());
        }
        if c0 + a.nodes > max_nodes {
            consider(c0.max(max_nodes) + 1, true, self.too_many_nodes());
        }
        let first: Vec<(usize, usize)> = if parent_rich {
            let mut f: Vec<_> = a.first.iter().map(|&(i, at)| (shift(i), at)).collect();
            if let Some(top) = f.first_mut() {
                top.1 = span.start;
            }
            f
        } else {
            Vec::new()
        };
        let nodes = a.nodes;
        let mut copy = (!too_deep).then(|| a.node.clone()).flatten();
        self.nodes += nodes;
        if let Some((_, counted, e)) = found {
            self.conversion_error(e, counted);
        }
        if self.mode != Mode::Build {
            return (None, first);
        }
        let Some(node) = &mut copy else {
            // too deep to build: only inside a key that may be dropped
            return (Some(Node::null(span)), first);
        };
        node.span = span;
        if let Value::Expr(x) = &mut node.value {
            x.text = self.slice(span.start, span.end).trim().to_string();
            if let Some(arg) = &mut x.argument {
                arg.span = span;
            }
        }
        (copy, first)
    }

    fn start(
        &mut self,
        map: bool,
        anchor: usize,
        tag: Option<Cow<'t, Tag>>,
        start: usize,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(start));
        }
        let tag = custom_tag(tag);
        if self.mode != Mode::Stopped {
            self.begin_child();
        }
        let (is_key, parent_rich) = self
            .stack
            .last()
            .map_or((false, false), |f| (f.expects_key(), f.rich));
        let nodes_start = self.nodes;
        self.count(1 + usize::from(tag.is_some()));
        if is_key {
            self.open_keys += 1;
        }
        self.stack.push(Frame {
            start,
            anchor,
            tag,
            is_key,
            nodes_start,
            nodes_at: self.nodes,
            errors_start: self.errors.len(),
            budget: 1,
            last: None,
            body: if map {
                Body::Map(MapBody::default())
            } else {
                Body::Seq(Vec::new())
            },
            rich: anchor > 0 || is_key || parent_rich,
            idents: Vec::new(),
            first: Vec::new(),
        });
        Ok(())
    }

    fn end(&mut self, end: usize) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if frame.is_key {
            self.open_keys -= 1;
        }
        if self.mode == Mode::Stopped {
            return;
        }
        if let Body::Map(body) = &mut frame.body {
            if let (Some(_), Some(began)) = (body.key.take(), body.key_began) {
                // a key without a value (after a vanished one): saphyr's loader
                // dropped it, so the conversion neither counted nor checked it
                if began.mode == Mode::Build && self.mode == Mode::Build {
                    self.nodes = began.nodes;
                    self.errors.truncate(began.errors);
                    if began.no_pending {
                        self.pending = None;
                        self.tentative = false;
                    }
                }
                frame.first.truncate(began.first);
                frame.idents.truncate(began.idents);
            }
        }
        let in_key = self.stack.last().is_some_and(Frame::expects_key);
        let (_, p) = self.skip_props(frame.start, end);
        let mut ident = None;
        let mut first = Vec::new();
        if frame.rich {
            let kind = match &frame.body {
                Body::Seq(_) => Ident::Seq(frame.idents),
                Body::Map(_) => Ident::Map(frame.idents),
            };
            let inner = IdentNode::new(kind);
            ident = Some(match &frame.tag {
                Some(t) => IdentNode::new(Ident::Tagged(Box::new(t.clone()), inner)),
                None => inner,
            });
            first.push((frame.nodes_at, p));
            first.extend(frame.first);
        }
        let node = match (self.mode, frame.body) {
            (Mode::Build, Body::Seq(items)) => {
                let span = self.collection_span(p, end, frame.last);
                Some(Node::list(items, span))
            }
            (Mode::Build, Body::Map(body)) => {
                let span = self.collection_span(p, end, frame.last);
                let mut entries = body.entries;
                if !body.merges.is_empty() {
                    entries = merge(entries, &body.merges);
                }
                Some(Node::map(entries, span))
            }
            _ => None,
        };
        let node = match (node, &frame.tag) {
            (Some(n), Some(tag)) => Some(self.tagged(tag, n, frame.start, end)),
            (n, _) => n,
        };
        let key = in_key.then(|| match &ident {
            Some(id) => KeyId::of_ident(id),
            None => KeyId::Bad,
        });
        let done = Done {
            node,
            ident,
            name: None,
            mark: end,
            budget: frame.budget,
            first,
        };
        if frame.anchor > 0 {
            let error = self
                .errors
                .get(frame.errors_start)
                .map(|(at, e)| (at.saturating_sub(frame.nodes_start), e.clone()));
            self.set_anchor(frame.anchor, &done, frame.nodes_start, false, error);
        }
        self.push(done, key);
    }

    /// Records an anchored node (`bad`: a `BadValue`, which no alias can use).
    fn set_anchor(
        &mut self,
        id: usize,
        done: &Done,
        nodes_start: usize,
        bad: bool,
        error: Option<(usize, ParseError)>,
    ) {
        let Some(ident) = done.ident.clone() else {
            return;
        };
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        self.anchors[id] = Some(Anchor {
            bad,
            node: if bad { None } else { done.node.clone() },
            ident,
            nodes: self.nodes - nodes_start,
            nodes_start,
            budget: done.budget,
            first: done.first.clone(),
            error,
        });
    }

    /// Hands a finished node to its parent (or makes it the document's root).
    ///
    /// Mappings follow saphyr's loader: a `BadValue` key means "no key yet" (so
    /// such a key vanishes and the next node becomes the key, see `scalar` and
    /// `alias`), and a key still waiting when the mapping ends is dropped (see
    /// `end`).
    fn push(&mut self, done: Done, key: Option<KeyId>) {
        let text = self.text;
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(done);
            return;
        };
        if parent.rich {
            if let Some(id) = &done.ident {
                parent.idents.push(id.clone());
            }
            // the first collection per level below the parent
            for (k, f) in done.first.iter().enumerate() {
                if parent.first.len() <= k {
                    parent.first.push(*f);
                }
            }
        }
        let mut duplicate = None;
        match &mut parent.body {
            Body::Seq(items) => {
                parent.budget += done.budget;
                if let Some(node) = done.node {
                    let end = node.span.end;
                    parent.last = Some(parent.last.map_or(end, |l| l.max(end)));
                    items.push(node);
                }
            }
            Body::Map(body) => match body.key.take() {
                None => {
                    body.key = Some(PendingKey {
                        node: done.node,
                        id: key.unwrap_or(KeyId::Bad),
                        name: done.name,
                        mark: done.mark,
                        budget: done.budget,
                    });
                }
                Some(k) => {
                    parent.budget += k.budget + done.budget;
                    let mut key_node = k.node;
                    let name = match (&mut key_node, k.name) {
                        (Some(node), _) => key_name(text, node),
                        (None, Some(name)) => name,
                        (None, None) => String::new(),
                    };
                    if let Some(earlier) = body.insert_key(k.id, &name) {
                        let first = match body.entries.get(earlier) {
                            Some(e) => Some(e.key_span.start),
                            None => body.names.get(earlier - body.entries.len()).map(|n| n.1),
                        };
                        duplicate = Some((k.mark, name, first));
                    } else if let (Some(key), Some(value)) = (key_node, done.node) {
                        let end = key.span.end.max(value.span.end);
                        parent.last = Some(parent.last.map_or(end, |l| l.max(end)));
                        let plain = text.as_bytes().get(key.span.start) == Some(&b'<');
                        if name == "<<" && plain && is_mergeable(&value) {
                            body.merges.push(body.entries.len());
                        }
                        body.entries.push(Entry {
                            key: name,
                            key_span: key.span,
                            value,
                        });
                    } else {
                        body.names.push((name, k.mark));
                    }
                }
            },
        }
        if let Some((at, name, first)) = duplicate {
            let message = duplicate_message(text, &name, first, at);
            self.loader_error(at, &message);
        }
    }

    // -- text helpers -------------------------------------------------------

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end.max(start)).unwrap_or("")
    }

    /// Skips node properties (`!tag`, `&anchor`) and the blanks/comments after
    /// them. Returns the start of the first tag, if any, and of the content.
    fn skip_props(&self, mut i: usize, end: usize) -> (Option<usize>, usize) {
        let b = self.text.as_bytes();
        let end = end.min(b.len());
        let mut tag = None;
        while i < end && (b[i] == b'!' || b[i] == b'&') {
            if b[i] == b'!' {
                tag.get_or_insert(i);
            }
            while i < end
                && !matches!(
                    b[i],
                    b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                )
            {
                i += 1;
            }
            // blanks, line breaks and comments between properties and content
            loop {
                while i < end && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                if i < end && b[i] == b'#' {
                    while i < end && b[i] != b'\n' {
                        i += 1;
                    }
                } else {
                    break;
                }
            }
        }
        (tag, i.min(end))
    }

    /// `first` = start of the collection's first token; `end_mark` = start of the
    /// token that closed it; `last_child` = end of its last child.
    fn collection_span(&self, first: usize, end_mark: usize, last_child: Option<usize>) -> Span {
        let b = self.text.as_bytes();
        match b.get(first) {
            Some(b'[') | Some(b'{') if matches!(b.get(end_mark), Some(b']') | Some(b'}')) => {
                Span::new(first, end_mark + 1)
            }
            _ => Span::new(first, last_child.unwrap_or(first).max(first)),
        }
    }

    fn trim_end(&self, start: usize, end: usize) -> usize {
        let s = self.slice(start, end);
        start + s.trim_end_matches([' ', '\t', '\r', '\n']).len()
    }

    /// The end of a quoted scalar starting at `p`: just past its closing quote
    /// (the parser's end mark can lie past a trailing comment).
    fn quoted_end(&self, p: usize, end: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let quote = *b.get(p)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let mut i = p + 1;
        while i < end.min(b.len()) {
            match b[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == quote => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }
}

/// "duplicated key `name` in mapping (lines 804 and 828)": which key, and
/// where both are, so the one to remove can be found (a long key is cut).
fn duplicate_message(text: &str, name: &str, first: Option<usize>, again: usize) -> String {
    let line =
        |at: usize| memchr::memchr_iter(b'\n', &text.as_bytes()[..at.min(text.len())]).count() + 1;
    let mut shown: String = name.chars().take(60).collect();
    if shown.len() < name.len() {
        shown.push('…');
    }
    match first {
        Some(first) => format!(
            "duplicated key `{shown}` in mapping (lines {} and {})",
            line(first),
            line(again)
        ),
        None => format!(
            "duplicated key `{shown}` in mapping (again on line {})",
            line(again)
        ),
    }
}
