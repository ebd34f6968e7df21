//! The files a build reads, laid end to end in one span space: a node parsed
//! from any of them keeps spans that say which file and which bytes, so trees
//! from a base, a patch and the kustomization merge freely and every value of
//! the built resource still knows its line. Writing a built resource gives
//! YAML text whose scalars link back to those bytes.
use std::collections::HashMap;
use std::sync::Arc;

use crate::document::{Entry, Limits, Node, Span, Value};
use crate::render::{Files, Link, Rendered, Source};

/// Every source read, each at a base offset of the shared span space.
#[derive(Debug, Default)]
pub struct Space {
    pub sources: Vec<Source>,
    bases: Vec<usize>,
    next: usize,
    by_path: HashMap<String, usize>,
}

impl Space {
    /// The source index of `rel`, read once.
    pub fn load(&mut self, files: &dyn Files, rel: &str) -> Result<usize, String> {
        if let Some(&i) = self.by_path.get(rel) {
            return Ok(i);
        }
        let text = files.read(rel)?;
        let i = self.sources.len();
        self.bases.push(self.next);
        // one byte between sources: an empty span at a file's end stays in it
        self.next += text.len() + 1;
        self.sources.push(Source {
            path: rel.to_string(),
            text,
        });
        self.by_path.insert(rel.to_string(), i);
        Ok(i)
    }

    pub fn base(&self, src: usize) -> usize {
        self.bases[src]
    }

    pub fn text(&self, src: usize) -> &Arc<str> {
        &self.sources[src].text
    }

    /// The (source, offset) of a position of the space.
    pub fn locate(&self, pos: usize) -> Option<(usize, usize)> {
        let i = self.bases.partition_point(|&b| b <= pos).checked_sub(1)?;
        let off = pos - self.bases[i];
        (off <= self.sources[i].text.len()).then_some((i, off))
    }

    /// The documents of a YAML file, spans in the space.
    pub fn yaml(
        &mut self,
        files: &dyn Files,
        rel: &str,
        limits: &Limits,
    ) -> Result<Vec<Node>, String> {
        let src = self.load(files, rel)?;
        let text = Arc::clone(self.text(src));
        let mut docs = crate::document::yaml::parse(&text, limits).map_err(|e| {
            let (line, col) = crate::document::LineIndex::new(&text).line_col(&text, e.span.start);
            format!("{rel}:{line}:{col}: {}", e.message)
        })?;
        let base = self.base(src);
        docs.iter_mut().for_each(|d| d.shift(base));
        Ok(docs)
    }

    /// The documents of YAML written in a scalar of a read file (an inline
    /// patch): spans point into that file, line by line for a literal block.
    pub fn inline_yaml(&self, scalar: &Node, limits: &Limits) -> Result<Vec<Node>, String> {
        let Some(body) = scalar.as_str() else {
            return Err("an inline patch is not a string".into());
        };
        let mut docs = crate::document::yaml::parse(body, limits).map_err(|e| e.message)?;
        let map = self.inline_map(scalar, body);
        docs.iter_mut().for_each(|d| remap(d, &map));
        Ok(docs)
    }

    /// For each line of a scalar's value, where it starts in the space (a
    /// literal block's lines are its source lines less the indentation; other
    /// styles map every byte to the scalar's start).
    fn inline_map(&self, scalar: &Node, body: &str) -> Vec<(usize, usize)> {
        let start = scalar.span.start;
        let fallback = vec![(0, start)];
        let Some((src, off)) = self.locate(start) else {
            return fallback;
        };
        let text = &self.sources[src].text;
        let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..off].bytes().all(|b| b == b' ') {
            return fallback;
        }
        let indent = off - line_start;
        let mut map = Vec::new();
        let mut at = line_start;
        let mut value_at = 0;
        for line in body.split_inclusive('\n') {
            let src_line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let src_line = &text[at..src_line_end];
            // a literal line is its source line from the indentation on
            let body_line = line.trim_end_matches('\n');
            if !body_line.is_empty() && src_line.get(indent..) != Some(body_line) {
                return fallback;
            }
            map.push((value_at, self.base(src) + at + indent.min(src_line.len())));
            value_at += line.len();
            at = (src_line_end + 1).min(text.len());
        }
        map
    }
}

fn remap(n: &mut Node, map: &[(usize, usize)]) {
    let f = |p: usize| {
        let i = map.partition_point(|&(v, _)| v <= p).saturating_sub(1);
        match map.get(i) {
            Some(&(v, s)) if map.len() > 1 => s + (p - v),
            Some(&(_, s)) => s,
            None => p,
        }
    };
    n.span = Span::new(f(n.span.start), f(n.span.end));
    match &mut n.value {
        Value::List(items) => items.iter_mut().for_each(|i| remap(i, map)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = Span::new(f(e.key_span.start), f(e.key_span.end));
            remap(&mut e.value, map);
        }),
        _ => {}
    }
}

/// Writes built resources as a YAML stream whose keys and scalars link to
/// their source bytes.
pub fn emit_stream(docs: &[Node], space: &Space, template: usize) -> Rendered {
    let mut e = Emitter {
        out: String::new(),
        links: vec![Link {
            start: 0,
            src: u32::MAX,
            offset: 0,
            exact: false,
        }],
        space,
    };
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            e.out.push_str("---\n");
        }
        e.value(doc, 0, false);
    }
    Rendered {
        template,
        text: Arc::from(e.out),
        links: e.links,
    }
}

struct Emitter<'a> {
    out: String,
    links: Vec<Link>,
    space: &'a Space,
}

/// A double-quoted YAML scalar (JSON's escapes are YAML's).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

impl Emitter<'_> {
    fn link(&mut self, link: Link) {
        match self.links.last_mut() {
            Some(last) if last.start == link.start => *last = link,
            _ => self.links.push(link),
        }
    }

    /// `text` written for the node at `span`: an exact link when the source
    /// holds these very bytes there.
    fn scalar(&mut self, text: &str, span: Span) {
        let start = self.out.len() as u32;
        match self.space.locate(span.start) {
            Some((src, off)) => {
                let exact = self.space.text(src).get(off..off + text.len()) == Some(text);
                self.link(Link {
                    start,
                    src: src as u32,
                    offset: off as u32,
                    exact,
                });
            }
            None => self.link(Link {
                start,
                src: u32::MAX,
                offset: 0,
                exact: false,
            }),
        }
        self.out.push_str(text);
        let end = self.out.len() as u32;
        self.link(Link {
            start: end,
            src: u32::MAX,
            offset: 0,
            exact: false,
        });
    }

    /// A string as its source wrote it when that was a one-line plain
    /// scalar (it reads back the same), else double-quoted.
    fn string(&mut self, s: &str, span: Span) {
        let plain = !s.is_empty()
            && !s.contains(['\n', '\r', '"', '\''])
            && self
                .space
                .locate(span.start)
                .and_then(|(src, off)| self.space.text(src).get(off..off + s.len()))
                == Some(s)
            && span.len() == s.len();
        if plain {
            self.scalar(s, span);
        } else {
            self.scalar(&quoted(s), span);
        }
    }

    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn inline(&mut self, n: &Node) -> bool {
        match &n.value {
            Value::Null => self.scalar("null", n.span),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, n.span),
            Value::Number(x) => self.scalar(&crate::document::format_number(*x), n.span),
            Value::String(s) => self.string(s, n.span),
            Value::Expr(e) => self.string(&e.text, n.span),
            Value::List(l) if l.is_empty() => self.scalar("[]", n.span),
            Value::Map(m) if m.is_empty() => self.scalar("{}", n.span),
            _ => return false,
        }
        true
    }

    /// A value at `indent`; `started`: the first line's indentation (or
    /// `- `) is already written.
    fn value(&mut self, n: &Node, indent: usize, started: bool) {
        if self.inline(n) {
            self.out.push('\n');
            return;
        }
        match &n.value {
            Value::Map(entries) => {
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 || !started {
                        self.indent(indent);
                    }
                    self.entry(e, indent);
                }
            }
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 || !started {
                        self.indent(indent);
                    }
                    self.out.push_str("- ");
                    self.value(item, indent + 2, true);
                }
            }
            _ => {}
        }
    }

    fn entry(&mut self, e: &Entry, indent: usize) {
        self.string(&e.key, e.key_span);
        self.out.push(':');
        self.out.push(' ');
        if self.inline(&e.value) {
            self.out.push('\n');
            return;
        }
        // a block value on the next lines
        self.out.pop();
        self.out.push('\n');
        self.value(&e.value, indent + 2, false);
    }
}
