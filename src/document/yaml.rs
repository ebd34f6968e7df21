//! YAML → Node. Multi-document; anchors/aliases expanded within
//! `Limits::max_nodes`; CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`…)
//! become `Value::Expr` with `function` = the long name (`Ref`, `Fn::Sub`, …).
//!
//! How it works (and why):
//!
//! * One pass over the events of `saphyr_parser` (saphyr's own event parser),
//!   read from the `&str` directly, building [`Node`]s as the events come. Open
//!   collections live on an explicit stack, so nothing recurses on the input's
//!   nesting: a 100,000-deep `[[[[…`, `- - - …` or `? ? ? …` is rejected when
//!   the stack reaches `max_depth`, at the first token (properties included) of
//!   the collection that went past it. (The parser's `&str` input counts a
//!   `%directive` line's non-ASCII text in bytes; such a stream is read through
//!   its char input instead.)
//! * The result is the one `saphyr`'s loader (`MarkedYaml`) plus a conversion of
//!   its tree gave, which this module did before; the rules below are that
//!   loader's. Scalars resolve with its own function
//!   ([`Scalar::parse_from_cow_and_metadata`], the YAML 1.2 core schema: quoted
//!   text is a string, `0x1F`, `.inf`, `~`…); a tag other than a `!!core` one
//!   keeps the value and, for CloudFormation tags, wraps it; a value a core tag
//!   cannot resolve (`!!int x`) is its text (saphyr's `BadValue`).
//! * Parser markers count CHARACTERS (a BOM counts as one); `Positions` maps
//!   them to byte offsets (a table is built only for non-ASCII text).
//! * Event spans include node properties (`&anchor`, `!Tag`); those are skipped
//!   here so a value's span starts at the value. Collections get the start of their
//!   first token and the START of the token that ended them (for block collections
//!   that is the next token, possibly lines later), so block collections end at
//!   their last child and flow collections just after `]`/`}`. Block scalars start
//!   at their first content line; trailing line breaks are trimmed off the span.
//! * A node reached through an alias is a deep copy of the anchored node whose
//!   top-level span is the alias (`*name`); nodes inside keep the anchor's spans.
//!   Every anchor records its size (nodes as `max_nodes` counts them, and as the
//!   alias budget counts them) and, per nesting level, the first collection at
//!   that level, so an alias is checked against the budget, `max_nodes` and
//!   `max_depth` BEFORE anything is copied: a billion-laughs file is rejected
//!   after one read, without building anything big. An alias of an anchor still
//!   open (or of a `BadValue`) is an error; so is one of an earlier document's.
//! * Alias expansion is capped at 100,000 nodes per file (saphyr's loader's
//!   budget, kept with its message); unlike that loader this count includes the
//!   content of tagged collections and of complex keys, which it copied for free.
//! * Mapping keys: duplicates are rejected ("duplicated key in mapping") by the
//!   loader's equality: resolved values (`1` = `0x1`, `1` ≠ `1.0` ≠ `"1"`), tags
//!   count, complex keys compare structurally (before `<<` merging). A `BadValue`
//!   key is the loader's "no key yet": it vanishes and the next node becomes the
//!   key; a key left without a value at the end of its mapping is dropped.
//! * When a file has several problems the one reported is the one the former
//!   loading reported: a nesting error before any syntax error, else a syntax
//!   error, else the first duplicate key or alias-budget error, else the first
//!   `max_nodes`/alias error in document order (see `Mode`).
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use saphyr::Scalar;
use saphyr_parser::{BufferedInput, Event, Input, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::{format_number, Entry, Expr, Limits, Node, ParseError, Span, Value};

/// Parses every document of a YAML stream.
pub fn parse(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    // Nothing here recurses on the input; this only guards against a panic
    // inside the parser turning one bad file into a failed scan.
    match catch_unwind(AssertUnwindSafe(|| Builder::new(text, limits).run())) {
        Ok(result) => result,
        Err(_) => Err(ParseError::new(
            Span::new(0, 0),
            "the YAML parser failed on this input",
        )),
    }
}

// ---------------------------------------------------------------------------
// Positions: parser character indexes → byte offsets.

struct Positions {
    /// Byte offset of every character index (plus one past the end); `None`
    /// for ASCII text, where both are the same.
    table: Option<Vec<usize>>,
    len: usize,
}

impl Positions {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            t.push(text.len());
            t
        });
        Positions {
            table,
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
            None => char_index.min(self.len),
        }
    }
    fn of(&self, m: &Marker) -> usize {
        self.byte(m.index())
    }
}

fn scan_error(e: &ScanError, text: &str, pos: &Positions, limits: &Limits) -> ParseError {
    error_at(text, pos.of(e.marker()), e.info(), limits)
}

/// An error at one character, with the parser's message made readable.
fn error_at(text: &str, at: usize, info: &str, limits: &Limits) -> ParseError {
    let end = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let message = if info == "recursion limit exceeded" {
        // the scanner caps flow nesting at 255 levels (a `u8` counter)
        format!("nesting deeper than {} levels", limits.max_depth.min(255))
    } else if info.contains("alias expansion") {
        format!(
            "alias expansion exceeds {} nodes (possible billion-laughs)",
            limits.max_nodes.min(limits.max_alias_nodes)
        )
    } else {
        info.to_string()
    };
    ParseError::new(Span::new(at, end), message)
}

/// Whether a directive line (`%…`) holds non-ASCII text. saphyr-parser's `&str`
/// input advances its positions by the BYTES of a directive's name and
/// parameters, so such a stream is read through its char input instead.
fn directive_with_non_ascii(text: &str) -> bool {
    !text.is_ascii()
        && text
            .split(['\n', '\r'])
            .any(|line| line.trim_start_matches('\u{feff}').starts_with('%') && !line.is_ascii())
}

/// CloudFormation short-form tag → long function name.
fn cfn_function(tag: &Tag) -> Option<String> {
    if tag.handle != "!" {
        return None;
    }
    let name = tag.suffix.as_str();
    match name {
        "Ref" | "Condition" => Some(name.to_string()),
        "Sub" | "GetAtt" | "Join" | "If" | "Equals" | "FindInMap" | "Select" | "Split"
        | "Base64" | "Cidr" | "ImportValue" | "GetAZs" | "And" | "Or" | "Not" | "Transform"
        | "Length" | "ToJsonString" => Some(format!("Fn::{name}")),
        _ => None,
    }
}

/// A tag that wraps its node (anything but the `!!str`, `!!int`… core tags).
fn custom_tag(tag: Option<Cow<'_, Tag>>) -> Option<Tag> {
    tag.filter(|t| !t.is_yaml_core_schema())
        .map(Cow::into_owned)
}

// ---------------------------------------------------------------------------
// Key identity: what saphyr's loader compares mapping keys by.

/// A node's identity for duplicate-key detection: its resolved value, tags
/// included, spans ignored; collections compare element by element (a
/// mapping's entries in order, before `<<` merging). Built only for keys, for
/// anchored nodes (an alias may become a key) and for what they contain;
/// aliases share their anchor's identity.
#[derive(PartialEq, Eq, Hash)]
enum Ident {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Box<str>),
    Bad,
    Tagged(Box<Tag>, Rc<IdentNode>),
    Seq(Vec<Rc<IdentNode>>),
    /// Keys and values alternate.
    Map(Vec<Rc<IdentNode>>),
}

/// An [`Ident`] with its hash computed once (children hash by theirs).
struct IdentNode {
    hash: u64,
    kind: Ident,
}

impl IdentNode {
    fn new(kind: Ident) -> Rc<Self> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        kind.hash(&mut h);
        Rc::new(IdentNode {
            hash: h.finish(),
            kind,
        })
    }
}

impl PartialEq for IdentNode {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.kind == other.kind
    }
}
impl Eq for IdentNode {}
impl Hash for IdentNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A float's identity: NaN equals NaN and -0.0 equals 0.0, as `OrderedFloat`.
fn float_bits(f: f64) -> u64 {
    if f.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        (f + 0.0).to_bits()
    }
}

fn scalar_ident(value: Option<&Scalar<'_>>) -> Ident {
    match value {
        None => Ident::Bad,
        Some(Scalar::Null) => Ident::Null,
        Some(Scalar::Boolean(b)) => Ident::Bool(*b),
        Some(Scalar::Integer(i)) => Ident::Int(*i),
        Some(Scalar::FloatingPoint(f)) => Ident::Float(float_bits(f.0)),
        Some(Scalar::String(s)) => Ident::Str(s.as_ref().into()),
    }
}

/// A key's identity as kept per entry: scalars inline (a string key is its
/// entry's name), anything else by its [`IdentNode`].
#[derive(Clone)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str,
    Bad,
    Other(Rc<IdentNode>),
}

impl KeyId {
    fn of_scalar(value: Option<&Scalar<'_>>) -> KeyId {
        match value {
            None => KeyId::Bad,
            Some(Scalar::Null) => KeyId::Null,
            Some(Scalar::Boolean(b)) => KeyId::Bool(*b),
            Some(Scalar::Integer(i)) => KeyId::Int(*i),
            Some(Scalar::FloatingPoint(f)) => KeyId::Float(float_bits(f.0)),
            Some(Scalar::String(_)) => KeyId::Str,
        }
    }
    fn of_ident(id: &Rc<IdentNode>) -> KeyId {
        match &id.kind {
            Ident::Null => KeyId::Null,
            Ident::Bool(b) => KeyId::Bool(*b),
            Ident::Int(i) => KeyId::Int(*i),
            Ident::Float(f) => KeyId::Float(*f),
            Ident::Str(_) => KeyId::Str,
            Ident::Bad => KeyId::Bad,
            _ => KeyId::Other(id.clone()),
        }
    }
    fn same(&self, name: &str, other: &KeyId, other_name: &str) -> bool {
        match (self, other) {
            (KeyId::Str, KeyId::Str) => name == other_name,
            (KeyId::Null, KeyId::Null) | (KeyId::Bad, KeyId::Bad) => true,
            (KeyId::Bool(a), KeyId::Bool(b)) => a == b,
            (KeyId::Int(a), KeyId::Int(b)) => a == b,
            (KeyId::Float(a), KeyId::Float(b)) => a == b,
            (KeyId::Other(a), KeyId::Other(b)) => a == b,
            _ => false,
        }
    }
    fn hash(&self, name: &str) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match self {
            KeyId::Null => 0u8.hash(&mut h),
            KeyId::Bool(b) => (1u8, b).hash(&mut h),
            KeyId::Int(i) => (2u8, i).hash(&mut h),
            KeyId::Float(f) => (3u8, f).hash(&mut h),
            KeyId::Str => (4u8, name).hash(&mut h),
            KeyId::Bad => 5u8.hash(&mut h),
            KeyId::Other(id) => (6u8, id.hash).hash(&mut h),
        }
        h.finish()
    }
}

// ---------------------------------------------------------------------------
// The builder.

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
    /// Names of string keys added after building stopped.
    names: Vec<String>,
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
                .map_or("", String::as_str),
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

    /// Records a key (its name goes to `entries` or `names` next); `false` when
    /// it is already there.
    fn insert_key(&mut self, id: KeyId, name: &str) -> bool {
        let n = self.entries.len() + self.names.len();
        let all_str = self.ids.is_empty() && matches!(id, KeyId::Str);
        if n < INDEX_FROM {
            let found = if all_str {
                self.entries.iter().any(|e| e.key == name) || self.names.iter().any(|s| s == name)
            } else {
                (0..n).any(|i| self.same(i, &id, name))
            };
            if found {
                return false;
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
                        return false;
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
        true
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

struct Builder<'t> {
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
    fn new(text: &'t str, limits: &'t Limits) -> Self {
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

    fn run(self) -> Result<Vec<Node>, ParseError> {
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
                    if !body.insert_key(k.id, &name) {
                        duplicate = Some(k.mark);
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
                        body.names.push(name);
                    }
                }
            },
        }
        if let Some(at) = duplicate {
            self.loader_error(at, "duplicated key in mapping");
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

/// A key's name: a string key's value (moved out: only the key's span is
/// kept), otherwise its source text.
fn key_name(text: &str, key: &mut Node) -> String {
    if let Value::String(s) = &mut key.value {
        return std::mem::take(s);
    }
    key_string(text, key)
}

fn key_string(text: &str, key: &Node) -> String {
    let source = text
        .get(key.span.start..key.span.end.max(key.span.start))
        .unwrap_or("");
    match &key.value {
        Value::String(s) => s.clone(),
        Value::Expr(e) => e.text.clone(),
        _ if !source.starts_with('*') => source.trim().to_string(),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::List(_) | Value::Map(_) => source.trim().to_string(),
    }
}

fn is_mergeable(value: &Node) -> bool {
    match &value.value {
        Value::Map(_) => true,
        Value::List(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
        _ => false,
    }
}

/// Applies `<<` merge keys (at indexes `merges`): the merged maps' entries take
/// the place of the `<<` entry; keys written explicitly win, and among merged
/// maps the first one listed wins.
fn merge(entries: Vec<Entry>, merges: &[usize]) -> Vec<Entry> {
    let explicit: std::collections::HashSet<String> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !merges.contains(i))
        .map(|(_, e)| e.key.clone())
        .collect();
    let mut merged_keys = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        if !merges.contains(&i) {
            out.push(entry);
            continue;
        }
        let sources = match entry.value.value {
            Value::Map(m) => vec![m],
            Value::List(items) => items
                .into_iter()
                .filter_map(|n| match n.value {
                    Value::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for source in sources {
            for e in source {
                if !explicit.contains(&e.key) && merged_keys.insert(e.key.clone()) {
                    out.push(e);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_scalar_span_stops_at_the_closing_quote() {
        let limits = Limits::default();
        let text = "a: \"x \\\" y\" # note\nb: 'it''s' # c\n";
        let doc = &parse(text, &limits).unwrap()[0];
        let a = doc.get("a").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], "\"x \\\" y\"");
        let b = doc.get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "'it''s'");
        assert_eq!(b.as_str(), Some("it's"));
    }

    fn parse1(text: &str) -> Node {
        let mut docs = parse(text, &Limits::default()).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0)
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn block_scalar_spans() {
        let text = "spec:\n  privileged: true\n";
        let doc = parse1(text);
        let spec = doc.entry("spec").unwrap();
        assert_eq!(spec.key_span, Span::new(0, 4));
        assert_eq!(spec.value.span, Span::new(8, 24));
        let p = spec.value.entry("privileged").unwrap();
        assert_eq!(p.key_span, Span::new(8, 18));
        assert_eq!(p.value.value, Value::Bool(true));
        assert_eq!(p.value.span, Span::new(20, 24));
        assert_eq!(doc.span, Span::new(0, 24));
    }

    #[test]
    fn flow_spans_and_quoting() {
        let text = "a: [1, \"x\", {b: 'c'}, true]\nd: 'true'\ne: on\n1: x\n";
        let doc = parse1(text);
        let a = doc.get("a").unwrap();
        assert_eq!(at(text, a.span), "[1, \"x\", {b: 'c'}, true]");
        let items = a.as_list().unwrap();
        assert_eq!(items[0].value, Value::Number(1.0));
        assert_eq!(at(text, items[1].span), "\"x\"");
        assert_eq!(items[1].value, Value::String("x".into()));
        assert_eq!(at(text, items[2].span), "{b: 'c'}");
        assert_eq!(at(text, items[2].entry("b").unwrap().key_span), "b");
        assert_eq!(at(text, items[2].get("b").unwrap().span), "'c'");
        assert_eq!(items[3].value, Value::Bool(true));
        assert_eq!(doc.get("d").unwrap().value, Value::String("true".into()));
        assert_eq!(doc.get("e").unwrap().value, Value::String("on".into()));
        assert_eq!(doc.get("1").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn core_schema_scalars() {
        let text = "a: True\nb: FALSE\nc: ~\nd:\ne: 0x1F\nf: 0o17\ng: .inf\nh: -.5e1\ni: .nan\nj: 1.2.3\nk: |\n  line1\n  line2\nl: >-\n  folded\n  text\n\nm: !!str 12\n";
        let doc = parse1(text);
        assert_eq!(doc.get("a").unwrap().value, Value::Bool(true));
        assert_eq!(doc.get("b").unwrap().value, Value::Bool(false));
        assert_eq!(doc.get("c").unwrap().value, Value::Null);
        let d = doc.get("d").unwrap();
        assert_eq!(d.value, Value::Null);
        assert!(d.span.is_empty());
        assert_eq!(doc.get("e").unwrap().value, Value::Number(31.0));
        assert_eq!(doc.get("f").unwrap().value, Value::Number(15.0));
        assert_eq!(doc.get("g").unwrap().value, Value::Number(f64::INFINITY));
        assert_eq!(doc.get("h").unwrap().value, Value::Number(-5.0));
        assert!(matches!(doc.get("i").unwrap().value, Value::Number(n) if n.is_nan()));
        assert_eq!(doc.get("j").unwrap().as_str(), Some("1.2.3"));
        let k = doc.get("k").unwrap();
        assert_eq!(k.as_str(), Some("line1\nline2\n"));
        assert_eq!(at(text, k.span), "line1\n  line2");
        assert_eq!(doc.get("l").unwrap().as_str(), Some("folded text"));
        assert_eq!(doc.get("m").unwrap().as_str(), Some("12"));
        assert_eq!(at(text, doc.get("m").unwrap().span), "12");
    }

    #[test]
    fn block_sequences_and_nesting() {
        let text = "items:\n  - name: a\n    port: 80\n  - b\n# trailing comment\n";
        let doc = parse1(text);
        let items = doc.get("items").unwrap();
        assert_eq!(at(text, items.span), "- name: a\n    port: 80\n  - b");
        let first = &items.as_list().unwrap()[0];
        assert_eq!(at(text, first.span), "name: a\n    port: 80");
        assert_eq!(first.get("port").unwrap().span, Span::new(29, 31));
    }

    #[test]
    fn multi_document_stream() {
        let text = "---\na: 1\n---\n---\n- x\n...\n---\n# only a comment\n";
        let docs = parse(text, &Limits::default()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].get("a").unwrap().span, Span::new(7, 8));
        assert_eq!(at(text, docs[1].span), "- x");
        assert!(parse("", &Limits::default()).unwrap().is_empty());
        assert!(parse("# nothing\n", &Limits::default()).unwrap().is_empty());
        assert_eq!(parse("a\n---\nb\n", &Limits::default()).unwrap().len(), 2);
    }

    #[test]
    fn cloudformation_short_tags() {
        let text = "Value: !Ref MyBucket\nArn: !GetAtt Role.Arn\nName: !Join ['-', [a, !Sub '${AWS::StackName}-x']]\nCond: !If\n  - IsProd\n  - 1\n  - 2\nOther: !custom 5\n";
        let doc = parse1(text);
        let v = doc.get("Value").unwrap();
        assert_eq!(at(text, v.span), "!Ref MyBucket");
        let Value::Expr(e) = &v.value else {
            panic!("{v:?}")
        };
        assert_eq!(e.function.as_deref(), Some("Ref"));
        assert_eq!(e.text, "!Ref MyBucket");
        let arg = e.argument.as_ref().unwrap();
        assert_eq!(arg.as_str(), Some("MyBucket"));
        assert_eq!(at(text, arg.span), "MyBucket");

        let Value::Expr(e) = &doc.get("Arn").unwrap().value else {
            panic!()
        };
        assert_eq!(e.function.as_deref(), Some("Fn::GetAtt"));
        assert_eq!(e.argument.as_ref().unwrap().as_str(), Some("Role.Arn"));

        let name = doc.get("Name").unwrap();
        assert_eq!(
            at(text, name.span),
            "!Join ['-', [a, !Sub '${AWS::StackName}-x']]"
        );
        let Value::Expr(e) = &name.value else {
            panic!()
        };
        assert_eq!(e.function.as_deref(), Some("Fn::Join"));
        let args = e.argument.as_ref().unwrap();
        assert_eq!(
            at(text, args.span),
            "['-', [a, !Sub '${AWS::StackName}-x']]"
        );
        let inner = &args.as_list().unwrap()[1].as_list().unwrap()[1];
        assert_eq!(at(text, inner.span), "!Sub '${AWS::StackName}-x'");
        let Value::Expr(sub) = &inner.value else {
            panic!()
        };
        assert_eq!(sub.function.as_deref(), Some("Fn::Sub"));
        let sub_arg = sub.argument.as_ref().unwrap();
        assert_eq!(sub_arg.as_str(), Some("${AWS::StackName}-x"));
        assert_eq!(at(text, sub_arg.span), "'${AWS::StackName}-x'");

        let cond = doc.get("Cond").unwrap();
        assert_eq!(at(text, cond.span), "!If\n  - IsProd\n  - 1\n  - 2");
        let Value::Expr(e) = &cond.value else {
            panic!()
        };
        assert_eq!(e.function.as_deref(), Some("Fn::If"));
        assert_eq!(e.argument.as_ref().unwrap().as_list().unwrap().len(), 3);

        let other = doc.get("Other").unwrap();
        assert_eq!(other.value, Value::Number(5.0));
        assert_eq!(at(text, other.span), "5");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &base\n  image: nginx\n  replicas: 1\nsvc:\n  <<: *base\n  replicas: 3\ncopy: *base\nname: &n web\nref: *n\n";
        let doc = parse1(text);
        let svc = doc.get("svc").unwrap();
        let keys: Vec<&str> = svc
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["image", "replicas"]);
        assert_eq!(svc.get("replicas").unwrap().value, Value::Number(3.0));
        assert_eq!(svc.get("image").unwrap().as_str(), Some("nginx"));
        // merged entries keep the anchor's spans
        assert_eq!(at(text, svc.entry("image").unwrap().key_span), "image");
        assert_eq!(at(text, svc.span), "<<: *base\n  replicas: 3");
        let base = doc.get("base").unwrap();
        assert_eq!(at(text, base.span), "image: nginx\n  replicas: 1");
        let copy = doc.get("copy").unwrap();
        assert_eq!(at(text, copy.span), "*base");
        assert_eq!(copy.get("image").unwrap().as_str(), Some("nginx"));
        let r = doc.get("ref").unwrap();
        assert_eq!(r.as_str(), Some("web"));
        assert_eq!(at(text, r.span), "*n");
        assert_eq!(at(text, doc.get("name").unwrap().span), "web");
    }

    #[test]
    fn billion_laughs_is_rejected_fast() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        let started = std::time::Instant::now();
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert!(err.message.contains("alias expansion exceeds"), "{err:?}");
        assert!(err.message.contains("billion-laughs"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // a smaller budget is enforced by the conversion
        let small = Limits {
            max_depth: 128,
            max_nodes: 50,
            ..Limits::default()
        };
        let err = parse(
            "a: &a [1,2,3,4,5,6,7,8,9]\nb: [*a,*a,*a,*a,*a,*a]\n",
            &small,
        )
        .unwrap_err();
        assert!(
            err.message.contains("alias expansion exceeds 50 nodes"),
            "{err:?}"
        );
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflow() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 128 levels");
        assert!(err.span.start >= 128 && err.span.start <= 256, "{err:?}");
        let text = "a:\n".to_string()
            + &(1..200)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i * 2)))
                .collect::<String>();
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 128 levels");
        assert_eq!(err.span.start, text.find("k128:").unwrap());
        let text = "[".repeat(100_000);
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert!(err.message.contains("nesting deeper"));
        let text = "- ".repeat(5_000) + "x\n";
        assert!(parse(&text, &Limits::default())
            .unwrap_err()
            .message
            .contains("nesting deeper"));
        // exactly at the limit is fine
        let ok = "[".repeat(128) + &"]".repeat(128);
        assert_eq!(parse1(&ok).depth(), 128);
        // aliases cannot be used to build deeper trees than the limit
        let limits = Limits {
            max_depth: 3,
            max_nodes: 1000,
            ..Limits::default()
        };
        let err = parse("a: &a [[1]]\nb: [[*a]]\n", &limits).unwrap_err();
        assert!(err.message.contains("nesting deeper than 3"), "{err:?}");
    }

    #[test]
    fn errors_have_positions() {
        let text = "a: b\nc: ]\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(err.span.start, 8);
        assert!(!err.message.is_empty());
        let err = parse("a: *nope\n", &Limits::default()).unwrap_err();
        assert_eq!(err.span.start, 3);
        assert!(err.message.contains("unknown anchor"), "{err:?}");
        assert!(parse("a: &a [*a]\n", &Limits::default()).is_err());
        // a non-ASCII prefix still gives a byte offset
        let err = parse("é: ü\nc: ]\n", &Limits::default()).unwrap_err();
        assert_eq!(err.span.start, 10);
    }

    #[test]
    fn non_ascii_byte_offsets() {
        let text = "\u{feff}name: \"héllo wörld\"\nnext: ✓ ok\nport: 8080\n";
        let doc = parse1(text);
        let name = doc.get("name").unwrap();
        assert_eq!(at(text, name.span), "\"héllo wörld\"");
        assert_eq!(doc.entry("name").unwrap().key_span, Span::new(3, 7));
        assert_eq!(at(text, doc.get("next").unwrap().span), "✓ ok");
        let port = doc.get("port").unwrap();
        assert_eq!(at(text, port.span), "8080");
        assert_eq!(port.value, Value::Number(8080.0));
    }

    #[test]
    fn complex_keys_and_odd_input_do_not_panic() {
        let doc = parse1("? [a, b]\n: c\n? {x: 1}\n: d\n");
        let keys: Vec<&str> = doc
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["[a, b]", "{x: 1}"]);
        for junk in [
            "\u{0}\u{1}\u{2}",
            "\t- a\n",
            "a:\n\t- b\n",
            "{",
            "]",
            "- [a, {b: }\n",
            "&",
            "!",
            "*",
            "? ? ?",
            "a: !Ref\n",
            "\"unterminated",
            "a: 'x\n",
            "%YAML 1.2\n---\na\n",
            "a: b: c",
            "key: [1, 2\n",
            "\u{feff}",
            "--- |\n  x\n",
        ] {
            let _ = parse(junk, &Limits::default());
        }
    }

    fn limits(max_depth: usize, max_nodes: usize) -> Limits {
        Limits {
            max_depth,
            max_nodes,
            ..Limits::default()
        }
    }

    #[test]
    fn deep_nesting_of_100k_levels_is_rejected_without_overflow() {
        for text in [
            "[".repeat(100_000),
            "[".repeat(100_000) + &"]".repeat(100_000),
            "- ".repeat(100_000) + "x\n",
            "a: ".to_string() + &"{b: ".repeat(100_000),
            "? ".repeat(100_000) + "x\n",
        ] {
            let err = parse(&text, &Limits::default()).unwrap_err();
            assert!(err.message.starts_with("nesting deeper than"), "{err:?}");
            assert!(err.span.start < 1000, "{err:?}");
        }
        // the limit counts collections, wherever they start
        let err = parse(&"- ".repeat(200), &limits(10, 1000)).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 10 levels");
        assert_eq!(err.span, Span::new(20, 20));
        // the position of a too-deep collection includes its properties
        let err = parse("[[&a !t [x]]]", &limits(2, 1000)).unwrap_err();
        assert_eq!(err.span, Span::new(2, 2));
    }

    #[test]
    fn aliases_are_checked_against_the_depth_limit_before_copying() {
        let text = "a: &a [[1]]\nb: [[*a]]\n";
        // the alias itself would sit at level 3
        let err = parse(text, &limits(3, 1000)).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 3 levels");
        assert_eq!(err.span.start, text.find("*a").unwrap());
        // a collection inside the copy: its place in the anchor
        let err = parse(text, &limits(4, 1000)).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 4 levels");
        assert_eq!(err.span, Span::new(7, 7));
        assert_eq!(parse1(text).get("b").unwrap().depth(), 5);
    }

    #[test]
    fn alias_budget_is_a_clear_error_at_the_alias() {
        // 40 aliases of 3,000 nodes: past saphyr's 100,000 at the 34th
        let items = vec!["x"; 2_999].join(", ");
        let mut text = format!("a: &a [{items}]\nb:\n");
        for _ in 0..40 {
            text.push_str("  - *a\n");
        }
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert_eq!(
            err.message,
            "alias expansion exceeds 100000 nodes (possible billion-laughs)"
        );
        let nth = |n: usize| text.match_indices("*a").nth(n).unwrap().0;
        assert_eq!(err.span, Span::new(nth(33), nth(33) + 1));
        // the budget error wins over the node limit, met earlier (as when
        // saphyr's loader ran before the conversion); its message gives the
        // smaller of the two
        let err = parse(&text, &limits(128, 50_000)).unwrap_err();
        assert_eq!(
            err.message,
            "alias expansion exceeds 50000 nodes (possible billion-laughs)"
        );
        assert_eq!(err.span, Span::new(nth(33), nth(33) + 1));
        // within the budget, the node limit
        let short = text[..nth(20)].to_string();
        let err = parse(&short, &limits(128, 50_000)).unwrap_err();
        assert_eq!(
            err.message,
            "alias expansion exceeds 50000 nodes (possible billion-laughs)"
        );
        assert_eq!(err.span, Span::new(0, 0));
        // without aliases the node limit has its own message
        let err = parse("[1, 2, 3]", &limits(128, 3)).unwrap_err();
        assert_eq!(err.message, "document exceeds 3 nodes");
    }

    #[test]
    fn bombs_through_tags_and_keys_are_bounded() {
        // tagged collections and complex keys count towards the alias budget
        // with their content (the former loading copied them freely)
        let mut tagged = String::from("a: &a !t [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut keyed = String::from("a: &a {? [lol, lol, lol, lol, lol, lol, lol, lol] : 1}\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(", ");
            tagged.push_str(&format!("{}: &{} !t [{refs}]\n", w[1], w[1]));
            keyed.push_str(&format!("{}: &{} {{? [{refs}] : 1}}\n", w[1], w[1]));
        }
        for text in [tagged, keyed] {
            let started = std::time::Instant::now();
            let err = parse(&text, &Limits::default()).unwrap_err();
            assert!(err.message.contains("alias expansion exceeds"), "{err:?}");
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
    }

    #[test]
    fn merge_keys() {
        let text = "base: &base {image: nginx, replicas: 1, port: 80}\n\
                    extra: &extra {replicas: 2, debug: true}\n\
                    one: {<<: [*extra, *base], port: 81}\n\
                    quoted: {\"<<\": *base}\n\
                    scalar: {<<: 5}\n";
        let doc = parse1(text);
        let one = doc.get("one").unwrap();
        let keys: Vec<&str> = one
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        // merged entries take the place of `<<`; explicit keys win; the first
        // merged map wins among merged maps
        assert_eq!(keys, ["replicas", "debug", "image", "port"]);
        assert_eq!(one.get("replicas").unwrap().value, Value::Number(2.0));
        assert_eq!(one.get("port").unwrap().value, Value::Number(81.0));
        let image = one.entry("image").unwrap();
        assert_eq!(image.key_span.start, text.find("image").unwrap());
        // only a plain `<<` whose value is a map (or a list of maps) merges
        let quoted = doc.get("quoted").unwrap();
        assert_eq!(quoted.as_map().unwrap()[0].key, "<<");
        assert_eq!(doc.get("scalar").unwrap().as_map().unwrap()[0].key, "<<");
    }

    #[test]
    fn tags_on_aliases_and_collections() {
        let text = "r: &r !Ref Bucket\ncopy: *r\nl: &l !If [c, 1, 2]\nlc: *l\nc: &c !custom {a: 1}\ncc: *c\ns: !!str 12\nbad: !!int twelve\n";
        let doc = parse1(text);
        let copy = doc.get("copy").unwrap();
        let Value::Expr(e) = &copy.value else {
            panic!("{copy:?}")
        };
        // a copy of a tagged node: the alias is its text and span
        assert_eq!(e.text, "*r");
        assert_eq!(e.function.as_deref(), Some("Ref"));
        assert_eq!(at(text, copy.span), "*r");
        let arg = e.argument.as_ref().unwrap();
        assert_eq!((arg.as_str(), at(text, arg.span)), (Some("Bucket"), "*r"));
        let lc = doc.get("lc").unwrap();
        let Value::Expr(e) = &lc.value else {
            panic!("{lc:?}")
        };
        assert_eq!(e.function.as_deref(), Some("Fn::If"));
        let args = e.argument.as_ref().unwrap();
        assert_eq!(at(text, args.span), "*l");
        assert_eq!(at(text, args.as_list().unwrap()[0].span), "c");
        // other tags are dropped, core tags resolve
        let cc = doc.get("cc").unwrap();
        assert_eq!(cc.get("a").unwrap().value, Value::Number(1.0));
        assert_eq!(at(text, cc.span), "*c");
        assert_eq!(at(text, doc.get("c").unwrap().span), "{a: 1}");
        assert_eq!(doc.get("s").unwrap().as_str(), Some("12"));
        // a core tag that does not fit: the text, unresolved
        let bad = doc.get("bad").unwrap();
        assert_eq!(
            (bad.as_str(), at(text, bad.span)),
            (Some("twelve"), "twelve")
        );
        // ...which no alias can use
        let err = parse("a: &a !!int twelve\nb: *a\n", &Limits::default()).unwrap_err();
        assert!(err.message.contains("not complete yet"), "{err:?}");
    }

    #[test]
    fn duplicate_keys_by_resolved_value() {
        let dup = |text: &str| {
            parse(text, &Limits::default())
                .err()
                .filter(|e| e.message == "duplicated key in mapping")
                .map(|e| e.span.start)
        };
        for (text, second) in [
            ("{1: a, 0x1: b}", 7),
            ("{true: a, True: b}", 10),
            ("{~: a, null: b}", 7),
            ("{.nan: a, .NaN: b}", 10),
            ("{a: 1, 'a': 2}", 7),
            ("{!!str 5: a, '5': b}", 13),
            ("{[a, b]: 1, [a, b]: 2}", 17),
            ("{!t x: 1, !t x: 2}", 10),
            ("a: &k [1]\nb: {? [1] : 1, ? *k : 2}\n", 0),
            ("? &k [1]\n: 1\n? *k\n: 2\n", 15),
        ] {
            let at = dup(text);
            assert!(at.is_some(), "{text}");
            if second > 0 {
                assert_eq!(at, Some(second), "{text}");
            }
        }
        for text in [
            "{1: a, 1.0: b, '1': c}",
            "{a: 1, !t a: 2}",
            "{[a, b]: 1, [b, a]: 2}",
            "{0.0: a, -1: b}",
        ] {
            assert!(parse(text, &Limits::default()).is_ok(), "{text}");
        }
        // a collection key is marked where it ends
        let text = "? [a]\n: 1\n? [a]\n: 2\n";
        assert_eq!(dup(text), Some(14));
        // a large mapping is checked through its index
        let mut big: String = (0..300).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(parse(&big, &Limits::default()).is_ok());
        big.push_str("k17: again\n");
        assert_eq!(dup(&big), Some(big.rfind("k17").unwrap()));
    }

    #[test]
    fn keys_follow_saphyr_loading() {
        // a key that a core tag cannot resolve vanishes and the next node
        // becomes the key; a key left without a value is dropped
        let doc = parse1("{!!int x: 1, b: 2}");
        let entries = doc.as_map().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].key.as_str(), entries[0].value.as_str()),
            ("1", Some("b"))
        );
        // nothing in a dropped key counts, even an error
        let doc = parse1("a: &a [1]\nm: {!!int x: 1, b: [*a, *a]}\n");
        assert_eq!(doc.get("m").unwrap().as_map().unwrap().len(), 1);
        assert!(parse("m: {!!int x: 1, b: [*a, *a]}\n", &Limits::default()).is_err());
        assert!(parse("m: &m {!!int x: 1, b: [*m]}\n", &Limits::default()).is_ok());
        // an anchor of an earlier document is unknown
        let text = "a: &a 1\n---\nb: *a\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(err.message, "while parsing node, found unknown anchor");
        assert_eq!(err.span.start, text.find("*a").unwrap());
    }

    #[test]
    fn errors_come_in_the_order_of_the_former_loading() {
        // a loader error (duplicate key) beats an earlier conversion error
        let text = "a: [1, 2, 3, 4, 5, 6]\nb: {x: 1, x: 2}\n";
        let err = parse(text, &limits(128, 5)).unwrap_err();
        assert_eq!(err.message, "duplicated key in mapping");
        // a syntax error beats both
        let err = parse("a: [1, 2, 3]\nb: {x: 1, x: 2}\nc: ]\n", &limits(128, 2)).unwrap_err();
        assert_ne!(err.message, "duplicated key in mapping");
        // nesting found before a syntax error beats it
        let err = parse("a: [[[[1]]]]\nb: {x: 1, x: 2}\nc: ]\n", &limits(3, 100)).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 3 levels");
    }

    #[test]
    fn directive_with_non_ascii_keeps_byte_offsets() {
        let text = "%FOO é ü\n---\nname: wörld\nport: 1\n";
        let doc = parse1(text);
        assert_eq!(at(text, doc.get("name").unwrap().span), "wörld");
        assert_eq!(at(text, doc.get("port").unwrap().span), "1");
    }
}
