//! YAML (saphyr) → Node. Multi-document; anchors/aliases expanded within
//! `Limits::max_nodes`; CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`…)
//! become `Value::Expr` with `function` = the long name (`Ref`, `Fn::Sub`, …).
//!
//! How it works (and why):
//!
//! * `saphyr` only exposes its loader (`LoadableYamlNode::load_from_str`); the
//!   event parser (`saphyr_parser`) is not re-exported, and its `Span` type cannot
//!   even be named from here. The loader's event dispatch (`Parser::load`) is
//!   *recursive*, so a 100,000-deep `[[[[…` overflows the stack inside saphyr.
//!   We therefore load twice:
//!   1. a depth probe ([`Probe`]), a node type that keeps nothing and counts the
//!      open collections through `with_start_marker` / `with_end_marker`. When
//!      the nesting exceeds `max_depth` it aborts the load by unwinding
//!      (`resume_unwind`, which does not run the panic hook) and the unwind is
//!      caught in [`check_depth`]. Stack use is thus bounded by `max_depth`.
//!   2. the real load into `MarkedYaml`, then a conversion to [`Node`].
//! * saphyr markers count CHARACTERS (a BOM counts as one); [`Positions`] maps
//!   them to byte offsets (a table is built only for non-ASCII text).
//! * Event spans include node properties (`&anchor`, `!Tag`); those are skipped
//!   here so a value's span starts at the value. Tagged scalars carry their span
//!   on the outer (tagged) node only. Collections get the start of their first
//!   token and the START of the token that ended them (for block collections that
//!   is the next token, possibly lines later), so block collections end at their
//!   last child and flow collections just after `]`/`}`. Block scalars start at
//!   their first content line; trailing line breaks are trimmed off the span.
//! * A node reached through an alias is a deep copy of the anchored node whose
//!   top-level span is the alias (`*name`); nodes inside keep the anchor's spans.
//! * saphyr rejects duplicate keys ("duplicated key in mapping") and caps alias
//!   expansion at 100,000 nodes per file on its own.
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use saphyr::{
    AnnotatedMappingOwned, LoadableYamlNode, MarkedYaml, Marker, Scalar, ScanError, Tag, Yaml,
    YamlData,
};

use super::{format_number, Entry, Expr, Limits, Node, ParseError, Span, Value};

/// saphyr's own (fixed) alias-expansion budget, in nodes.
const SAPHYR_ALIAS_BUDGET: usize = 100_000;

/// Parses every document of a YAML stream.
pub fn parse(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    let pos = Positions::new(text);
    if depth_bound(text) >= limits.max_depth {
        check_depth(text, limits.max_depth, &pos)?;
    }
    let docs = match catch_unwind(AssertUnwindSafe(|| MarkedYaml::load_from_str(text))) {
        Ok(Ok(docs)) => docs,
        Ok(Err(e)) => return Err(scan_error(&e, text, &pos, limits)),
        Err(_) => {
            return Err(ParseError::new(
                Span::new(0, 0),
                "the YAML parser failed on this input",
            ))
        }
    };
    let mut conv = Converter {
        text,
        pos: &pos,
        limits,
        nodes: 0,
    };
    let mut out = Vec::with_capacity(docs.len());
    for doc in &docs {
        let node = conv.node(doc, 0)?;
        if matches!(node.value, Value::Null) && node.span.is_empty() {
            continue; // an empty document (`---` alone, comments only)
        }
        out.push(node);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Positions: saphyr character indexes → byte offsets.

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
    let at = pos.of(e.marker());
    let end = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let info = e.info();
    let message = if info == "recursion limit exceeded" {
        // saphyr's scanner caps flow nesting at 255 levels (a `u8` counter)
        format!("nesting deeper than {} levels", limits.max_depth.min(255))
    } else if info.contains("alias expansion") {
        format!(
            "alias expansion exceeds {} nodes (possible billion-laughs)",
            limits.max_nodes.min(SAPHYR_ALIAS_BUDGET)
        )
    } else {
        info.to_string()
    };
    ParseError::new(Span::new(at, end), message)
}

// ---------------------------------------------------------------------------
// Pass 1: the depth probe.

thread_local! {
    /// (currently open collections, maximum allowed) for the running probe.
    static PROBE: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, usize::MAX)) };
}

/// Unwind payload: nesting went past the limit at this character index.
struct TooDeep(usize);

/// A node that keeps nothing: it only counts open collections. It reports itself
/// as neither a sequence nor a mapping, so the loader never attaches children.
#[derive(Clone, Default)]
struct Probe {
    seq: Vec<Probe>,
    map: AnnotatedMappingOwned<Probe>,
}

impl PartialEq for Probe {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Probe {}
impl std::hash::Hash for Probe {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<'input> LoadableYamlNode<'input> for Probe {
    type HashKey = Probe;
    fn from_bare_yaml(_: Yaml<'input>) -> Self {
        Probe::default()
    }
    fn is_sequence(&self) -> bool {
        false
    }
    fn is_mapping(&self) -> bool {
        false
    }
    fn is_badvalue(&self) -> bool {
        false
    }
    fn sequence_mut(&mut self) -> &mut Vec<Self> {
        &mut self.seq
    }
    fn mapping_mut(&mut self) -> &mut AnnotatedMappingOwned<Self> {
        &mut self.map
    }
    fn into_tagged(self, _: std::borrow::Cow<'input, Tag>) -> Self {
        self
    }
    fn take(&mut self) -> Self {
        Probe::default()
    }
    fn with_start_marker(self, mark: Marker) -> Self {
        let (depth, max) = PROBE.with(|p| p.get());
        if depth + 1 > max {
            resume_unwind(Box::new(TooDeep(mark.index())));
        }
        PROBE.with(|p| p.set((depth + 1, max)));
        self
    }
    fn with_end_marker(self, _: Marker) -> Self {
        PROBE.with(|p| {
            let (depth, max) = p.get();
            p.set((depth.saturating_sub(1), max));
        });
        self
    }
}

/// Rejects input nested deeper than `max_depth` before the real (recursive) load.
/// A cheap upper bound on the nesting depth saphyr will build, so the exact
/// (second) pass runs only for files that might be too deep. Per line, block
/// nesting grows at most by its indentation plus its `- ` and `: ` indicators;
/// flow nesting by the brackets open so far; anchors (aliases can copy a
/// nested node under another) make the bound unknown.
fn depth_bound(text: &str) -> usize {
    if text.contains('&') {
        return usize::MAX;
    }
    let mut flow: usize = 0;
    let mut max_flow: usize = 0;
    let mut max_line: usize = 0;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let indicators = line.matches("- ").count()
            + line.matches(": ").count()
            + usize::from(line.ends_with(':'));
        max_line = max_line.max(indent + indicators);
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    max_flow = max_flow.max(flow);
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    max_line + max_flow + 1
}

fn check_depth(text: &str, max_depth: usize, pos: &Positions) -> Result<(), ParseError> {
    PROBE.with(|p| p.set((0, max_depth)));
    let result = catch_unwind(AssertUnwindSafe(|| Probe::load_from_str(text).map(drop)));
    PROBE.with(|p| p.set((0, usize::MAX)));
    match result {
        Err(payload) => match payload.downcast::<TooDeep>() {
            Ok(too_deep) => {
                let at = pos.byte(too_deep.0);
                Err(ParseError::new(
                    Span::new(at, at),
                    format!("nesting deeper than {max_depth} levels"),
                ))
            }
            Err(_) => Err(ParseError::new(
                Span::new(0, 0),
                "the YAML parser failed on this input",
            )),
        },
        // Syntax errors are reported by the real load, with the same position.
        Ok(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Pass 2: MarkedYaml → Node.

struct Converter<'a> {
    text: &'a str,
    pos: &'a Positions,
    limits: &'a Limits,
    nodes: usize,
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

impl Converter<'_> {
    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end.max(start)).unwrap_or("")
    }

    fn count(&mut self) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            let message = if self.text.contains('*') {
                format!(
                    "alias expansion exceeds {} nodes (possible billion-laughs)",
                    self.limits.max_nodes
                )
            } else {
                format!("document exceeds {} nodes", self.limits.max_nodes)
            };
            return Err(ParseError::new(Span::new(0, 0), message));
        }
        Ok(())
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

    fn node(&mut self, m: &MarkedYaml, depth: usize) -> Result<Node, ParseError> {
        let start = self.pos.of(&m.span.start);
        let end = self.pos.of(&m.span.end).max(start);
        self.data(&m.data, start, end, depth)
    }

    fn data<'y>(
        &mut self,
        data: &YamlData<'y, MarkedYaml<'y>>,
        start: usize,
        end: usize,
        depth: usize,
    ) -> Result<Node, ParseError> {
        self.count()?;
        match data {
            YamlData::Tagged(tag, inner) => self.tagged(tag, inner, start, end, depth),
            YamlData::Sequence(items) => {
                let (_, p) = self.skip_props(start, end);
                self.check_depth(depth, p)?;
                let mut nodes = Vec::with_capacity(items.len());
                for item in items {
                    nodes.push(self.node(item, depth + 1)?);
                }
                let last = nodes.iter().map(|n| n.span.end).max();
                let span = self.collection_span(p, end, last);
                Ok(Node::list(nodes, span))
            }
            YamlData::Mapping(map) => {
                let (_, p) = self.skip_props(start, end);
                self.check_depth(depth, p)?;
                let mut entries = Vec::with_capacity(map.len());
                let mut merges = Vec::new();
                for (k, v) in map.iter() {
                    let key = self.node(k, depth + 1)?;
                    let value = self.node(v, depth + 1)?;
                    let name = self.key_string(&key);
                    let plain = self.text.as_bytes().get(key.span.start) == Some(&b'<');
                    if name == "<<" && plain && is_mergeable(&value) {
                        merges.push(entries.len());
                    }
                    entries.push(Entry {
                        key: name,
                        key_span: key.span,
                        value,
                    });
                }
                let last = entries
                    .iter()
                    .map(|e| e.key_span.end.max(e.value.span.end))
                    .max();
                let span = self.collection_span(p, end, last);
                if !merges.is_empty() {
                    entries = merge(entries, &merges);
                }
                Ok(Node::map(entries, span))
            }
            YamlData::Value(scalar) => Ok(self.scalar(scalar, start, end)),
            YamlData::Representation(s, _, _) => {
                let (_, p) = self.skip_props(start, end);
                let e = self.trim_end(p, end);
                Ok(Node::string(s.to_string(), Span::new(p, e)))
            }
            YamlData::BadValue | YamlData::Alias(_) => {
                let (_, p) = self.skip_props(start, end);
                let e = self.trim_end(p, end);
                let source = self.slice(p, e);
                if source.starts_with('*') {
                    return Err(ParseError::new(
                        Span::new(p, e),
                        format!("alias {source} refers to a node that is not complete yet"),
                    ));
                }
                Ok(Node::string(source.to_string(), Span::new(p, e)))
            }
        }
    }

    fn check_depth(&self, depth: usize, at: usize) -> Result<(), ParseError> {
        if depth >= self.limits.max_depth {
            return Err(ParseError::new(
                Span::new(at, at),
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// `first` = start of the collection's first token; `end_mark` = start of the
    /// token that closed it; `last_child` = end of its last child.
    fn collection_span(&self, first: usize, end_mark: usize, last_child: Option<usize>) -> Span {
        let b = self.text.as_bytes();
        match b.get(first) {
            // reached through an alias: the span is the alias itself
            Some(b'*') => Span::new(first, self.trim_end(first, end_mark)),
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
    /// (saphyr's end mark can lie past a trailing comment).
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

    fn scalar(&self, scalar: &Scalar, start: usize, end: usize) -> Node {
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
                    // an empty value: saphyr's span may cover the next token
                    return Node::null(Span::new(p, p));
                }
            }
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Number(*i as f64),
            Scalar::FloatingPoint(f) => Value::Number(f.into_inner()),
            Scalar::String(s) => Value::String(s.to_string()),
        };
        Node::new(value, span)
    }

    fn tagged(
        &mut self,
        tag: &Tag,
        inner: &MarkedYaml,
        start: usize,
        end: usize,
        depth: usize,
    ) -> Result<Node, ParseError> {
        // A tagged scalar's inner node has no span of its own: use the outer one.
        let inner_node = self.data(&inner.data, start, end, depth)?;
        let Some(function) = cfn_function(tag) else {
            return Ok(inner_node); // unknown tag: keep the value
        };
        let (tag_start, _) = self.skip_props(start, end);
        let tag_start = tag_start.unwrap_or(inner_node.span.start);
        let span = Span::new(tag_start, inner_node.span.end.max(tag_start));
        let text = self.slice(span.start, span.end).trim().to_string();
        Ok(Node::new(
            Value::Expr(Expr {
                text,
                function: Some(function),
                argument: Some(Box::new(inner_node)),
            }),
            span,
        ))
    }

    fn key_string(&self, key: &Node) -> String {
        let source = self.slice(key.span.start, key.span.end);
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
}
