//! Dockerfile → Node (instructions and build stages).
//!
//! A hand-written, linear-time parser. The result is a map:
//!
//! - `directives` (only when present): parser directives at the top of the file
//!   (`# syntax=…`, `# escape=…`, `# check=…`), name → value;
//! - `instructions`: one map per instruction with `cmd` (upper-cased keyword),
//!   `flags` (only when present), `value`, `args`, `exec_form`, plus `vars`
//!   (`ENV`/`ARG`/`LABEL`), `image`/`tag`/`digest`/`name` (`FROM`),
//!   `user`/`group` (`USER`), `ports` (`EXPOSE`) and `heredocs` (when present);
//! - `stages`: one map per `FROM` with `index`, `from`, the image fields, the
//!   stage's `instructions`, the `value` of its last `USER` as `user`, the
//!   users its `RUN` instructions create as `users_created` (when any) and
//!   `final`.
//!
//! Continuation lines are joined with a single space; every span still points
//! into the file (a joined value's span runs from its first to its last
//! character in the file).
use super::{Entry, Limits, Node, ParseError, Span, Value};

/// Instructions whose arguments Docker reads as a JSON array when they look like one.
const EXEC_CMDS: &[&str] = &["RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"];
/// Instructions that accept heredocs.
const HEREDOC_CMDS: &[&str] = &["RUN", "COPY", "ADD"];
/// Parser directives Docker knows; anything else at the top is a comment.
const DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let bytes = text.as_bytes();
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let lines = split_lines(bytes, base);

    // Parser directives: only a run of them at the very top.
    let mut escape = b'\\';
    let mut directives = Vec::new();
    for line in &lines {
        let Some((ks, ke, vs, ve)) = parse_directive(bytes, line.start, line.end) else {
            break;
        };
        let key = text[ks..ke].to_ascii_lowercase();
        if !DIRECTIVES.contains(&key.as_str()) {
            break;
        }
        let value = &text[vs..ve];
        if key == "escape" {
            match value {
                "`" => escape = b'`',
                "\\" => escape = b'\\',
                _ => {}
            }
        }
        directives.push(Entry {
            key,
            key_span: Span::new(ks, ke),
            value: Node::string(value, Span::new(vs, ve)),
        });
    }

    let mut instructions = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (fs, te) = bounds(bytes, &lines[i]);
        if fs == te || bytes[fs] == b'#' {
            i += 1;
            continue;
        }
        // One logical line: the instruction line plus its continuations.
        let mut joined = Joined::new(fs);
        let mut last_end = te;
        let mut first = true;
        while i < lines.len() {
            let (fs, te) = bounds(bytes, &lines[i]);
            i += 1;
            if !first && (fs == te || bytes[fs] == b'#') {
                // Blank and comment lines inside a continuation are dropped.
                continue;
            }
            first = false;
            last_end = te;
            let mut ce = te;
            let cont = ce > fs && bytes[ce - 1] == escape;
            if cont {
                ce -= 1;
                while ce > fs && is_ws(bytes[ce - 1]) {
                    ce -= 1;
                }
            }
            if ce > fs {
                let sep = if joined.text.is_empty() { "" } else { " " };
                joined.push(sep, text, fs, ce);
            }
            if !cont {
                break;
            }
        }
        if joined.pieces.is_empty() {
            continue;
        }
        let instruction = build_instruction(text, &lines, &mut i, joined, last_end, escape)?;
        instructions.push(instruction);
    }

    let whole = Span::new(0, text.len());
    let stages = build_stages(&instructions);
    let mut root = Vec::new();
    if !directives.is_empty() {
        let span = directives
            .iter()
            .map(|e| e.key_span.join(e.value.span))
            .reduce(Span::join)
            .unwrap_or_default();
        root.push(entry("directives", span, Node::map(directives, span)));
    }
    root.push(entry(
        "instructions",
        whole,
        Node::list(instructions, whole),
    ));
    root.push(entry("stages", whole, Node::list(stages, whole)));
    let node = Node::map(root, whole);

    let count = count_nodes(&node);
    if count > limits.max_nodes {
        return Err(ParseError::new(
            Span::new(0, 0),
            format!(
                "Dockerfile produces {count} nodes, more than the limit of {}",
                limits.max_nodes
            ),
        ));
    }
    Ok(node)
}

// ---------------------------------------------------------------------------
// Lines

struct Line {
    start: usize,
    /// End of the line's text, without the `\n` and a `\r` before it.
    end: usize,
}

fn split_lines(bytes: &[u8], from: usize) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = from.min(bytes.len());
    loop {
        let nl = bytes[start..].iter().position(|&b| b == b'\n');
        let stop = nl.map(|p| start + p).unwrap_or(bytes.len());
        if nl.is_none() && start >= bytes.len() {
            break;
        }
        let mut end = stop;
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(Line { start, end });
        match nl {
            Some(_) => start = stop + 1,
            None => break,
        }
    }
    lines
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

/// First non-blank byte and end without trailing blanks of a line.
fn bounds(bytes: &[u8], line: &Line) -> (usize, usize) {
    let mut s = line.start;
    let mut e = line.end;
    while s < e && is_ws(bytes[s]) {
        s += 1;
    }
    while e > s && is_ws(bytes[e - 1]) {
        e -= 1;
    }
    (s, e)
}

fn skip_ws(bytes: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end && is_ws(bytes[pos]) {
        pos += 1;
    }
    pos
}

/// `# name = value` → (name start, name end, value start, value end).
fn parse_directive(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize, usize, usize)> {
    let mut p = skip_ws(bytes, start, end);
    if bytes.get(p) != Some(&b'#') {
        return None;
    }
    p = skip_ws(bytes, p + 1, end);
    let ks = p;
    if p >= end || !bytes[p].is_ascii_alphabetic() {
        return None;
    }
    while p < end && bytes[p].is_ascii_alphanumeric() {
        p += 1;
    }
    let ke = p;
    p = skip_ws(bytes, p, end);
    if bytes.get(p) != Some(&b'=') || p >= end {
        return None;
    }
    let vs = skip_ws(bytes, p + 1, end);
    let mut ve = end;
    while ve > vs && is_ws(bytes[ve - 1]) {
        ve -= 1;
    }
    (ve > vs).then_some((ks, ke, vs, ve))
}

// ---------------------------------------------------------------------------
// A logical line joined from pieces of the file, with the way back to file offsets

#[derive(Clone, Copy)]
struct Piece {
    /// Offset in the joined text.
    j: usize,
    /// Offset in the file.
    f: usize,
    len: usize,
}

struct Joined {
    text: String,
    pieces: Vec<Piece>,
    /// File offset used when there is no piece at all.
    fallback: usize,
}

impl Joined {
    fn new(fallback: usize) -> Self {
        Joined {
            text: String::new(),
            pieces: Vec::new(),
            fallback,
        }
    }

    fn push(&mut self, sep: &str, src: &str, start: usize, end: usize) {
        self.text.push_str(sep);
        let j = self.text.len();
        self.text.push_str(&src[start..end]);
        self.pieces.push(Piece {
            j,
            f: start,
            len: end - start,
        });
    }

    /// File offset of the character at joined offset `j` (for a span start).
    fn map_start(&self, j: usize) -> usize {
        let idx = self.pieces.partition_point(|p| p.j + p.len <= j);
        match self.pieces.get(idx) {
            Some(p) if j >= p.j => p.f + (j - p.j),
            Some(p) => p.f,
            None => self.pieces.last().map_or(self.fallback, |p| p.f + p.len),
        }
    }

    /// File offset just after the character before joined offset `j` (for a span end).
    fn map_end(&self, j: usize) -> usize {
        let idx = self.pieces.partition_point(|p| p.j < j);
        if idx == 0 {
            return self.pieces.first().map_or(self.fallback, |p| p.f);
        }
        let p = self.pieces[idx - 1];
        if j <= p.j + p.len {
            p.f + (j - p.j)
        } else {
            p.f + p.len
        }
    }

    fn span(&self, a: usize, b: usize) -> Span {
        if a >= b {
            let at = self.map_end(a);
            return Span::new(at, at);
        }
        let s = self.map_start(a);
        Span::new(s, self.map_end(b).max(s))
    }

    fn string(&self, a: usize, b: usize) -> Node {
        Node::string(&self.text[a..b], self.span(a, b))
    }
}

// ---------------------------------------------------------------------------
// Instructions

fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span,
        value,
    }
}

fn build_instruction(
    text: &str,
    lines: &[Line],
    next_line: &mut usize,
    mut joined: Joined,
    mut last_end: usize,
    escape: u8,
) -> Result<Node, ParseError> {
    // Phase 1: everything on the logical line itself.
    let line_end = joined.text.len();
    let jb = joined.text.as_bytes();
    let kend = jb.iter().position(|&b| is_ws(b)).unwrap_or(line_end);
    let cmd = joined.text[..kend].to_ascii_uppercase();
    let kspan = joined.span(0, kend);

    let mut flags = Vec::new();
    let mut flags_span: Option<Span> = None;
    let mut pos = skip_ws(jb, kend, line_end);
    while jb[pos..line_end].starts_with(b"--") {
        let te = token_end(jb, pos, line_end, escape);
        let tok = &joined.text[pos..te];
        if tok == "--" {
            pos = skip_ws(jb, te, line_end);
            break;
        }
        let name_end = tok.find('=').map_or(te, |p| pos + p);
        let value = if name_end < te {
            Node::string(
                unquote(&joined.text[name_end + 1..te], escape),
                joined.span(name_end + 1, te),
            )
        } else {
            Node::string("", joined.span(te, te))
        };
        let tspan = joined.span(pos, te);
        flags_span = Some(flags_span.map_or(tspan, |s| s.join(tspan)));
        flags.push(Entry {
            key: joined.text[pos + 2..name_end].to_string(),
            key_span: joined.span(pos + 2, name_end),
            value,
        });
        pos = skip_ws(jb, te, line_end);
    }
    let vstart = pos;

    let exec = if EXEC_CMDS.contains(&cmd.as_str()) && jb.get(vstart) == Some(&b'[') {
        parse_json_array(&joined.text[vstart..line_end])
    } else {
        None
    };
    let markers = if exec.is_none() && HEREDOC_CMDS.contains(&cmd.as_str()) {
        find_heredocs(&joined.text[vstart..line_end], escape)
    } else {
        Vec::new()
    };

    // Phase 2: heredoc bodies, read from the lines after the instruction.
    let mut heredocs = Vec::new();
    for m in markers {
        let marker_span = joined.span(vstart + m.start, vstart + m.end);
        let body_first = *next_line;
        let mut terminator = None;
        while *next_line < lines.len() {
            let l = &lines[*next_line];
            *next_line += 1;
            let s = &text[l.start..l.end];
            let s = if m.strip_tabs {
                s.trim_start_matches('\t')
            } else {
                s
            };
            if s == m.delimiter {
                terminator = Some(*next_line - 1);
                break;
            }
        }
        let Some(term) = terminator else {
            return Err(ParseError::new(
                marker_span,
                format!("unterminated heredoc: no line `{}` ends it", m.delimiter),
            ));
        };
        let mut body = String::new();
        for l in &lines[body_first..term] {
            let s = &text[l.start..l.end];
            body.push_str(if m.strip_tabs {
                s.trim_start_matches('\t')
            } else {
                s
            });
            body.push('\n');
        }
        let body_span = if body_first < term {
            Span::new(lines[body_first].start, lines[term - 1].end)
        } else {
            Span::new(lines[term].start, lines[term].start)
        };
        for l in &lines[body_first..=term] {
            joined.push("\n", text, l.start, l.end);
        }
        last_end = lines[term].end;
        let span = marker_span.join(Span::new(lines[term].start, lines[term].end));
        heredocs.push(Node::map(
            vec![
                entry("name", marker_span, Node::string(m.delimiter, marker_span)),
                entry("body", body_span, Node::string(body, body_span)),
            ],
            span,
        ));
    }

    // Phase 3: the node.
    let total = joined.text.len();
    let value = joined.string(vstart, total);
    let vspan = value.span;
    let is_exec = exec.is_some();
    let args: Vec<Node> = match exec {
        Some(items) => items
            .into_iter()
            .map(|(s, a, b)| Node::string(s, joined.span(vstart + a, vstart + b)))
            .collect(),
        None => words(joined.text.as_bytes(), vstart, total)
            .into_iter()
            .map(|(a, b)| joined.string(a, b))
            .collect(),
    };

    // cmd, flags, value, args, exec_form and the most any instruction adds
    let mut entries = Vec::with_capacity(9);
    entries.push(entry("cmd", kspan, Node::string(cmd.as_str(), kspan)));
    if let Some(fspan) = flags_span {
        entries.push(entry("flags", fspan, Node::map(flags, fspan)));
    }
    entries.push(entry("value", vspan, value));
    // EXPOSE's arguments are its ports too
    let ports = (cmd == "EXPOSE").then(|| args.clone());
    entries.push(entry("args", vspan, Node::list(args, vspan)));
    entries.push(entry(
        "exec_form",
        vspan,
        Node::new(Value::Bool(is_exec), vspan),
    ));

    match cmd.as_str() {
        "ENV" | "ARG" | "LABEL" => {
            let vars = parse_vars(&joined, vstart, line_end, cmd == "ARG", escape);
            entries.push(entry("vars", vspan, Node::map(vars, vspan)));
        }
        "FROM" => from_fields(&joined, vstart, line_end, &mut entries),
        "USER" => {
            if let Some(&(a, b)) = words(joined.text.as_bytes(), vstart, line_end).first() {
                match joined.text[a..b].find(':') {
                    Some(c) => {
                        let user = joined.string(a, a + c);
                        let group = joined.string(a + c + 1, b);
                        entries.push(entry("user", user.span, user));
                        entries.push(entry("group", group.span, group));
                    }
                    None => {
                        let user = joined.string(a, b);
                        entries.push(entry("user", user.span, user));
                    }
                }
            }
        }
        "EXPOSE" => entries.push(entry(
            "ports",
            vspan,
            Node::list(ports.unwrap_or_default(), vspan),
        )),
        _ => {}
    }
    if !heredocs.is_empty() {
        let span = heredocs
            .iter()
            .map(|h| h.span)
            .reduce(Span::join)
            .unwrap_or(vspan);
        entries.push(entry("heredocs", span, Node::list(heredocs, span)));
    }

    let span = Span::new(kspan.start, last_end.max(kspan.end));
    Ok(Node::map(entries, span))
}

/// Whitespace-separated words of `bytes[a..e]`.
fn words(bytes: &[u8], a: usize, e: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut p = a;
    while p < e {
        p = skip_ws(bytes, p, e);
        if p >= e {
            break;
        }
        let s = p;
        while p < e && !is_ws(bytes[p]) {
            p += 1;
        }
        out.push((s, p));
    }
    out
}

/// End of the shell word starting at `pos` (quotes and the escape character
/// keep blanks inside the word).
fn token_end(bytes: &[u8], pos: usize, end: usize, escape: u8) -> usize {
    let mut k = pos;
    let mut quote: Option<u8> = None;
    while k < end {
        let c = bytes[k];
        match quote {
            None => {
                if is_ws(c) {
                    break;
                }
                if c == escape {
                    k += 2;
                    continue;
                }
                if c == b'\'' || c == b'"' {
                    quote = Some(c);
                }
            }
            Some(b'\'') => {
                if c == b'\'' {
                    quote = None;
                }
            }
            Some(_) => {
                if c == escape {
                    k += 2;
                    continue;
                }
                if c == b'"' {
                    quote = None;
                }
            }
        }
        k += 1;
    }
    k.min(end)
}

/// Shell words of `bytes[a..e]`, quotes kept.
fn shell_words(bytes: &[u8], a: usize, e: usize, escape: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut p = skip_ws(bytes, a, e);
    while p < e {
        let end = token_end(bytes, p, e, escape);
        out.push((p, end));
        p = skip_ws(bytes, end, e);
    }
    out
}

/// Removes shell quoting (`'…'`, `"…"`, the escape character) from a word.
/// Variables are left as written.
fn unquote(raw: &str, escape: u8) -> String {
    let esc = escape as char;
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            None => {
                if c == esc {
                    out.push(chars.next().unwrap_or(c));
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                } else {
                    out.push(c);
                }
            }
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == esc {
                    match chars.peek() {
                        Some(&n) if matches!(n, '"' | '$' | '`' | '\\') || n == esc => {
                            out.push(n);
                            chars.next();
                        }
                        _ => out.push(c),
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// `KEY=VALUE …` pairs, or the legacy `KEY value` form (not for `ARG`, where a
/// bare name declares an argument without a default: its value is null).
fn parse_vars(joined: &Joined, a: usize, e: usize, is_arg: bool, escape: u8) -> Vec<Entry> {
    let jt = &joined.text;
    let toks = shell_words(jt.as_bytes(), a, e, escape);
    let Some(&(fs, fe)) = toks.first() else {
        return Vec::new();
    };
    if !is_arg && !jt[fs..fe].contains('=') {
        let rest = skip_ws(jt.as_bytes(), fe, e);
        let value = if rest < e {
            Node::string(unquote(&jt[rest..e], escape), joined.span(rest, e))
        } else {
            Node::null(joined.span(fe, fe))
        };
        return vec![Entry {
            key: unquote(&jt[fs..fe], escape),
            key_span: joined.span(fs, fe),
            value,
        }];
    }
    let mut out = Vec::new();
    for (ts, te) in toks {
        let (ke, value) = match jt[ts..te].find('=') {
            Some(p) => (
                ts + p,
                Node::string(
                    unquote(&jt[ts + p + 1..te], escape),
                    joined.span(ts + p + 1, te),
                ),
            ),
            None => (te, Node::null(joined.span(te, te))),
        };
        if ke == ts {
            continue;
        }
        out.push(Entry {
            key: unquote(&jt[ts..ke], escape),
            key_span: joined.span(ts, ke),
            value,
        });
    }
    out
}

/// `image`, `tag`, `digest` and `name` of a `FROM`.
fn from_fields(joined: &Joined, a: usize, e: usize, entries: &mut Vec<Entry>) {
    let jt = &joined.text;
    let ws = words(jt.as_bytes(), a, e);
    let Some(&(rs, re)) = ws.first() else {
        return;
    };
    let reference = &jt[rs..re];
    let (rest_end, digest) = match reference.find('@') {
        Some(p) => (rs + p, Some((rs + p + 1, re))),
        None => (re, None),
    };
    let rest = &jt[rs..rest_end];
    let slash = rest.rfind('/');
    let tag = match rest.rfind(':') {
        Some(c) if slash.is_none_or(|s| c > s) => Some((rs + c + 1, rest_end)),
        _ => None,
    };
    let image_end = tag.map_or(rest_end, |(t, _)| t - 1);
    let image = joined.string(rs, image_end);
    entries.push(entry("image", image.span, image));
    for (key, part) in [("tag", tag), ("digest", digest)] {
        if let Some((s, t)) = part.filter(|(s, t)| t > s) {
            let node = joined.string(s, t);
            entries.push(entry(key, node.span, node));
        }
    }
    if ws.len() >= 3 && jt[ws[1].0..ws[1].1].eq_ignore_ascii_case("as") {
        let name = joined.string(ws[2].0, ws[2].1);
        entries.push(entry("name", name.span, name));
    }
}

// ---------------------------------------------------------------------------
// Heredocs

struct Marker {
    start: usize,
    end: usize,
    delimiter: String,
    strip_tabs: bool,
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` words outside quotes.
fn find_heredocs(s: &str, escape: u8) -> Vec<Marker> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        if let Some(q) = quote {
            if q == b'"' && c == escape {
                k += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            k += 1;
            continue;
        }
        if c == escape {
            k += 2;
            continue;
        }
        if c == b'\'' || c == b'"' {
            quote = Some(c);
            k += 1;
            continue;
        }
        let starts_word = k == 0 || is_ws(b[k - 1]);
        if c == b'<' && starts_word && b.get(k + 1) == Some(&b'<') && b.get(k + 2) != Some(&b'<') {
            let mut p = k + 2;
            let strip_tabs = b.get(p) == Some(&b'-');
            if strip_tabs {
                p += 1;
            }
            let (delimiter, end) = match b.get(p) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    match b[p + 1..].iter().position(|&x| x == q) {
                        Some(l) => (&s[p + 1..p + 1 + l], p + 2 + l),
                        None => ("", p),
                    }
                }
                _ => {
                    let l = b[p..]
                        .iter()
                        .position(|&x| is_ws(x) || b"<>;|&()'\"".contains(&x))
                        .unwrap_or(b.len() - p);
                    (&s[p..p + l], p + l)
                }
            };
            if !delimiter.is_empty() {
                out.push(Marker {
                    start: k,
                    end,
                    delimiter: delimiter.to_string(),
                    strip_tabs,
                });
            }
            k = end.max(k + 2);
            continue;
        }
        k += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Exec form: a JSON array of strings

/// The strings and their (start, end) offsets in `s`, or `None` when `s` is
/// not exactly one JSON array of strings.
fn parse_json_array(s: &str) -> Option<Vec<(String, usize, usize)>> {
    let b = s.as_bytes();
    let mut k = skip_ws(b, 0, b.len());
    if b.get(k) != Some(&b'[') {
        return None;
    }
    k = skip_ws(b, k + 1, b.len());
    let mut out = Vec::new();
    if b.get(k) == Some(&b']') {
        k += 1;
    } else {
        loop {
            if b.get(k) != Some(&b'"') {
                return None;
            }
            let (string, end) = parse_json_string(s, k)?;
            out.push((string, k, end));
            k = skip_ws(b, end, b.len());
            match b.get(k) {
                Some(b',') => k = skip_ws(b, k + 1, b.len()),
                Some(b']') => {
                    k += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(b, k, b.len()) == b.len()).then_some(out)
}

/// The JSON string literal starting at `b[k] == '"'`: decoded text and end offset.
fn parse_json_string(s: &str, k: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut p = k + 1;
    let mut run = p;
    loop {
        let c = *b.get(p)?;
        match c {
            b'"' => {
                out.push_str(&s[run..p]);
                return Some((out, p + 1));
            }
            b'\\' => {
                out.push_str(&s[run..p]);
                let e = *b.get(p + 1)?;
                p += 2;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(b, p)?;
                        p += 4;
                        let mut ch = char::from_u32(hi);
                        if (0xD800..0xDC00).contains(&hi)
                            && b.get(p) == Some(&b'\\')
                            && b.get(p + 1) == Some(&b'u')
                        {
                            if let Some(lo) =
                                hex4(b, p + 2).filter(|lo| (0xDC00..0xE000).contains(lo))
                            {
                                p += 6;
                                ch =
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                            }
                        }
                        out.push(ch.unwrap_or('\u{FFFD}'));
                    }
                    _ => return None,
                }
                run = p;
            }
            c if c < 0x20 => return None,
            _ => p += 1,
        }
    }
}

fn hex4(b: &[u8], p: usize) -> Option<u32> {
    let digits = b.get(p..p + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &d| Some(acc * 16 + (d as char).to_digit(16)?))
}

// ---------------------------------------------------------------------------
// Stages

fn build_stages(instructions: &[Node]) -> Vec<Node> {
    struct Stage<'a> {
        from: &'a Node,
        instructions: Vec<Node>,
        user: Option<&'a Node>,
    }
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions {
        match ins.get("cmd").and_then(Node::as_str) {
            Some("FROM") => stages.push(Stage {
                from: ins,
                instructions: vec![ins.clone()],
                user: None,
            }),
            cmd => {
                if let Some(stage) = stages.last_mut() {
                    stage.instructions.push(ins.clone());
                    if cmd == Some("USER") {
                        stage.user = ins.get("value");
                    }
                }
            }
        }
    }
    let last = stages.len().saturating_sub(1);
    // (stage name, its effective USER) of the stages seen so far: a `FROM name`
    // that names one builds on it, and inherits its user
    let mut earlier: Vec<(String, Option<Node>)> = Vec::new();
    stages
        .into_iter()
        .enumerate()
        .map(|(index, stage)| {
            let kspan = stage.from.get("cmd").map_or(stage.from.span, |c| c.span);
            let end = stage
                .instructions
                .last()
                .map_or(stage.from.span.end, |n| n.span.end);
            let span = Span::new(stage.from.span.start, end);
            let mut entries = vec![
                entry(
                    "index",
                    kspan,
                    Node::new(Value::Number(index as f64), kspan),
                ),
                entry("from", stage.from.span, stage.from.clone()),
            ];
            for key in ["image", "tag", "digest", "name"] {
                if let Some(e) = stage.from.entry(key) {
                    entries.push(e.clone());
                }
            }
            entries.push(entry(
                "instructions",
                span,
                Node::list(stage.instructions, span),
            ));
            let image = stage.from.get("image");
            let base = image
                .and_then(Node::as_str)
                .and_then(|i| earlier.iter().find(|(n, _)| n.eq_ignore_ascii_case(i)));
            let mut user = stage.user.cloned();
            if let (Some(img), Some((_, inherited))) = (image, base) {
                entries.push(entry("base_stage", img.span, img.clone()));
                if user.is_none() {
                    user = inherited.clone();
                }
            }
            if let Some(u) = &user {
                entries.push(entry("user", u.span, u.clone()));
            }
            // the users this stage's RUN instructions create, each at its RUN
            let created: Vec<Node> = instructions_of(&entries)
                .iter()
                .filter(|i| i.get("cmd").and_then(Node::as_str) == Some("RUN"))
                .filter_map(|i| i.get("value"))
                .flat_map(|v| {
                    super::dockerfile_users::users_created(v.as_str().unwrap_or(""))
                        .into_iter()
                        .map(|name| Node::string(name, v.span))
                })
                .collect();
            if !created.is_empty() {
                entries.push(entry("users_created", span, Node::list(created, span)));
            }
            if let Some(name) = stage.from.get("name").and_then(Node::as_str) {
                earlier.push((name.to_string(), user));
            }
            entries.push(entry(
                "final",
                kspan,
                Node::new(Value::Bool(index == last), kspan),
            ));
            Node::map(entries, span)
        })
        .collect()
}

/// The `instructions` list among a stage's entries.
fn instructions_of(entries: &[Entry]) -> &[Node] {
    entries
        .iter()
        .find(|e| e.key == "instructions")
        .and_then(|e| e.value.as_list())
        .unwrap_or(&[])
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::List(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        parse(text, &Limits::default()).expect("parses")
    }

    fn instrs(node: &Node) -> &[Node] {
        node.get("instructions").and_then(Node::as_list).unwrap()
    }

    fn stages(node: &Node) -> &[Node] {
        node.get("stages").and_then(Node::as_list).unwrap()
    }

    /// The text a node's span covers.
    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start..node.span.end]
    }

    fn s<'a>(node: &'a Node, key: &str) -> &'a str {
        node.get(key)
            .and_then(Node::as_str)
            .unwrap_or_else(|| panic!("no string {key}"))
    }

    fn strings(node: &Node) -> Vec<&str> {
        node.as_list()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect()
    }

    #[test]
    fn spans_of_keyword_value_and_from_parts() {
        let text = "FROM nginx:1.25 AS web\nUSER app:staff\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 2);
        let from = &ins[0];
        assert_eq!(s(from, "cmd"), "FROM");
        assert_eq!(from.get("cmd").unwrap().span, Span::new(0, 4));
        assert_eq!(s(from, "value"), "nginx:1.25 AS web");
        assert_eq!(from.get("value").unwrap().span, Span::new(5, 22));
        assert_eq!(from.span, Span::new(0, 22));
        assert_eq!(s(from, "image"), "nginx");
        assert_eq!(from.get("image").unwrap().span, Span::new(5, 10));
        assert_eq!(s(from, "tag"), "1.25");
        assert_eq!(from.get("tag").unwrap().span, Span::new(11, 15));
        assert_eq!(s(from, "name"), "web");
        assert_eq!(from.get("name").unwrap().span, Span::new(19, 22));
        assert!(from.get("digest").is_none());
        assert!(from.get("flags").is_none());
        assert_eq!(from.get("exec_form").unwrap().value, Value::Bool(false));

        let user = &ins[1];
        assert_eq!(s(user, "value"), "app:staff");
        assert_eq!(user.get("value").unwrap().span, Span::new(28, 37));
        assert_eq!(s(user, "user"), "app");
        assert_eq!(at(text, user.get("user").unwrap()), "app");
        assert_eq!(s(user, "group"), "staff");
        assert_eq!(user.get("group").unwrap().span, Span::new(32, 37));
        assert_eq!(user.span, Span::new(23, 37));
    }

    #[test]
    fn from_digest_registry_port_and_platform() {
        let text =
            "FROM --platform=linux/amd64 registry.local:5000/team/app@sha256:abc123 as builder\n\
                    FROM host:5000/img\n\
                    FROM docker.io/library/nginx:1.25@sha256:ff\n";
        let d = doc(text);
        let ins = instrs(&d);
        let a = &ins[0];
        assert_eq!(s(a, "image"), "registry.local:5000/team/app");
        assert_eq!(
            at(text, a.get("image").unwrap()),
            "registry.local:5000/team/app"
        );
        assert!(a.get("tag").is_none());
        assert_eq!(s(a, "digest"), "sha256:abc123");
        assert_eq!(at(text, a.get("digest").unwrap()), "sha256:abc123");
        assert_eq!(s(a, "name"), "builder");
        let flags = a.get("flags").unwrap();
        assert_eq!(s(flags, "platform"), "linux/amd64");
        assert_eq!(flags.get("platform").unwrap().span, Span::new(16, 27));
        assert_eq!(flags.entry("platform").unwrap().key_span, Span::new(7, 15));
        assert_eq!(
            s(a, "value"),
            "registry.local:5000/team/app@sha256:abc123 as builder"
        );

        let b = &ins[1];
        assert_eq!(s(b, "image"), "host:5000/img");
        assert!(b.get("tag").is_none());

        let c = &ins[2];
        assert_eq!(s(c, "image"), "docker.io/library/nginx");
        assert_eq!(s(c, "tag"), "1.25");
        assert_eq!(s(c, "digest"), "sha256:ff");
        assert_eq!(at(text, c.get("tag").unwrap()), "1.25");
    }

    #[test]
    fn flags_repeat_and_have_value_spans() {
        let text = "COPY --chown=app:app --from=builder /src /dst\n\
                    RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm --network=none npm ci\n\
                    COPY --link a b\n";
        let d = doc(text);
        let ins = instrs(&d);
        let copy = &ins[0];
        let flags = copy.get("flags").unwrap();
        assert_eq!(s(flags, "chown"), "app:app");
        assert_eq!(flags.get("chown").unwrap().span, Span::new(13, 20));
        assert_eq!(s(flags, "from"), "builder");
        assert_eq!(at(text, flags.get("from").unwrap()), "builder");
        assert_eq!(s(copy, "value"), "/src /dst");
        assert_eq!(at(text, copy.get("value").unwrap()), "/src /dst");
        assert_eq!(strings(copy.get("args").unwrap()), ["/src", "/dst"]);

        let run = &ins[1];
        let mounts: Vec<_> = run
            .get("flags")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .filter(|e| e.key == "mount")
            .map(|e| e.value.as_str().unwrap())
            .collect();
        assert_eq!(
            mounts,
            ["type=cache,target=/root/.cache", "type=secret,id=npm"]
        );
        assert_eq!(s(run.get("flags").unwrap(), "network"), "none");
        assert_eq!(s(run, "value"), "npm ci");

        let link = &ins[2];
        assert_eq!(s(link.get("flags").unwrap(), "link"), "");
        assert_eq!(s(link, "value"), "a b");
    }

    #[test]
    fn continuations_join_with_one_space_and_drop_comments() {
        let text = "RUN apt-get update && \\\n    # a comment\n\n    apt-get install -y curl \\  \n    && rm -rf /var/lib/apt/lists/*\nEXPOSE 80/tcp 443\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 2);
        let run = &ins[0];
        assert_eq!(
            s(run, "value"),
            "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"
        );
        let v = run.get("value").unwrap();
        assert_eq!(v.span.start, 4);
        assert_eq!(&text[v.span.end - 2..v.span.end], "/*");
        assert_eq!(run.span, Span::new(0, v.span.end));
        let args = run.get("args").unwrap().as_list().unwrap();
        assert_eq!(args.len(), 11);
        for a in args {
            assert_eq!(at(text, a), a.as_str().unwrap());
        }
        let expose = &ins[1];
        assert_eq!(strings(expose.get("ports").unwrap()), ["80/tcp", "443"]);
        assert_eq!(
            at(text, &expose.get("ports").unwrap().as_list().unwrap()[0]),
            "80/tcp"
        );
    }

    #[test]
    fn heredocs_are_part_of_the_value() {
        let text = "FROM alpine\nRUN <<EOF\napk add curl\necho hi\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF\nCMD [\"sh\"]\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 4);
        let run = &ins[1];
        assert_eq!(s(run, "value"), "<<EOF\napk add curl\necho hi\nEOF");
        assert_eq!(
            at(text, run.get("value").unwrap()),
            "<<EOF\napk add curl\necho hi\nEOF"
        );
        assert_eq!(at(text, run), "RUN <<EOF\napk add curl\necho hi\nEOF");
        let hd = &run.get("heredocs").unwrap().as_list().unwrap()[0];
        assert_eq!(s(hd, "name"), "EOF");
        assert_eq!(s(hd, "body"), "apk add curl\necho hi\n");
        assert_eq!(at(text, hd.get("name").unwrap()), "<<EOF");
        assert!(strings(run.get("args").unwrap()).contains(&"curl"));

        let copy = &ins[2];
        assert_eq!(
            s(copy, "value"),
            "<<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF"
        );
        let hd = &copy.get("heredocs").unwrap().as_list().unwrap()[0];
        assert_eq!(s(hd, "name"), "CONF");
        assert_eq!(s(hd, "body"), "key=value\n");
        assert_eq!(s(&ins[3], "cmd"), "CMD");
    }

    #[test]
    fn heredoc_inside_quotes_is_not_a_heredoc_and_two_heredocs_read_in_order() {
        let text = "RUN echo \"<<EOF\"\nRUN <<A cat && <<B cat\none\nA\ntwo\nB\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 2);
        assert!(ins[0].get("heredocs").is_none());
        let hds = ins[1].get("heredocs").unwrap().as_list().unwrap();
        assert_eq!(s(&hds[0], "body"), "one\n");
        assert_eq!(s(&hds[1], "body"), "two\n");
    }

    #[test]
    fn unterminated_heredoc_is_an_error_at_the_marker() {
        let text = "FROM alpine\nRUN cat <<EOF > /x\nhello\n";
        let err = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(&text[err.span.start..err.span.end], "<<EOF");
    }

    #[test]
    fn exec_form_and_malformed_exec_form() {
        let text = "CMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT [\"a\\\"b\", \"\\u00e9\\n\"]\nRUN [\"broken\",]\nCMD []\n";
        let d = doc(text);
        let ins = instrs(&d);
        let cmd = &ins[0];
        assert_eq!(cmd.get("exec_form").unwrap().value, Value::Bool(true));
        assert_eq!(
            strings(cmd.get("args").unwrap()),
            ["nginx", "-g", "daemon off;"]
        );
        let third = &cmd.get("args").unwrap().as_list().unwrap()[2];
        assert_eq!(at(text, third), "\"daemon off;\"");
        assert_eq!(
            cmd.get("exec_form").unwrap().span,
            cmd.get("value").unwrap().span
        );

        let ep = &ins[1];
        assert_eq!(strings(ep.get("args").unwrap()), ["a\"b", "é\n"]);

        let broken = &ins[2];
        assert_eq!(broken.get("exec_form").unwrap().value, Value::Bool(false));
        assert_eq!(strings(broken.get("args").unwrap()), ["[\"broken\",]"]);

        let empty = &ins[3];
        assert_eq!(empty.get("exec_form").unwrap().value, Value::Bool(true));
        assert!(empty.get("args").unwrap().as_list().unwrap().is_empty());
    }

    #[test]
    fn env_arg_and_label_vars() {
        let text = "ENV A=1 B=\"two words\" C='x y'\nENV LEGACY some value here\nARG VERSION\nARG TOKEN=abc\nLABEL \"com.example\"=\"ACME Inc\" version=1.0\n";
        let d = doc(text);
        let ins = instrs(&d);
        let env = ins[0].get("vars").unwrap();
        assert_eq!(s(env, "A"), "1");
        assert_eq!(s(env, "B"), "two words");
        assert_eq!(at(text, env.get("B").unwrap()), "\"two words\"");
        assert_eq!(
            &text[env.entry("B").unwrap().key_span.start..env.entry("B").unwrap().key_span.end],
            "B"
        );
        assert_eq!(s(env, "C"), "x y");

        let legacy = ins[1].get("vars").unwrap();
        assert_eq!(legacy.as_map().unwrap().len(), 1);
        assert_eq!(s(legacy, "LEGACY"), "some value here");
        assert_eq!(at(text, legacy.get("LEGACY").unwrap()), "some value here");

        let arg = ins[2].get("vars").unwrap();
        assert_eq!(arg.get("VERSION").unwrap().value, Value::Null);
        let token = ins[3].get("vars").unwrap();
        assert_eq!(s(token, "TOKEN"), "abc");
        assert_eq!(at(text, token.get("TOKEN").unwrap()), "abc");

        let label = ins[4].get("vars").unwrap();
        assert_eq!(s(label, "com.example"), "ACME Inc");
        assert_eq!(s(label, "version"), "1.0");
    }

    #[test]
    fn multi_stage_with_final_and_user() {
        let text = "ARG BASE=alpine\nFROM golang:1.22 AS build\nUSER builder\nRUN go build\nUSER root\n\nFROM ${BASE}\nCOPY --from=build /app /app\nUSER 1000:1000\nCMD [\"/app\"]\n";
        let d = doc(text);
        assert_eq!(instrs(&d).len(), 9);
        let st = stages(&d);
        assert_eq!(st.len(), 2);
        let build = &st[0];
        assert_eq!(build.get("index").unwrap().value, Value::Number(0.0));
        assert_eq!(build.get("final").unwrap().value, Value::Bool(false));
        assert_eq!(s(build, "image"), "golang");
        assert_eq!(s(build, "tag"), "1.22");
        assert_eq!(s(build, "name"), "build");
        assert_eq!(s(build, "user"), "root");
        assert_eq!(at(text, build.get("user").unwrap()), "root");
        assert_eq!(
            at(text, build),
            "FROM golang:1.22 AS build\nUSER builder\nRUN go build\nUSER root"
        );
        let cmds: Vec<_> = build
            .get("instructions")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|i| s(i, "cmd"))
            .collect();
        assert_eq!(cmds, ["FROM", "USER", "RUN", "USER"]);
        assert_eq!(
            s(build.get("from").unwrap(), "value"),
            "golang:1.22 AS build"
        );

        let fin = &st[1];
        assert_eq!(fin.get("index").unwrap().value, Value::Number(1.0));
        assert_eq!(fin.get("final").unwrap().value, Value::Bool(true));
        assert_eq!(at(text, fin.get("final").unwrap()), "FROM");
        assert_eq!(s(fin, "image"), "${BASE}");
        assert!(fin.get("name").is_none());
        assert_eq!(s(fin, "user"), "1000:1000");
        assert_eq!(fin.span.end, text.len() - 1);
    }

    #[test]
    fn stage_without_user_has_no_user() {
        let d = doc("FROM scratch\nCOPY a /\n");
        let st = stages(&d);
        assert!(st[0].get("user").is_none());
        assert_eq!(st[0].get("final").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn escape_directive_backtick() {
        let text = "# escape=`\n# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY testfile.txt c:\\\nRUN dir c:\\ `\n    && echo done\n";
        let d = doc(text);
        let dirs = d.get("directives").unwrap();
        assert_eq!(s(dirs, "escape"), "`");
        assert_eq!(s(dirs, "syntax"), "docker/dockerfile:1");
        let ins = instrs(&d);
        assert_eq!(ins.len(), 3);
        assert_eq!(s(&ins[1], "value"), "testfile.txt c:\\");
        assert_eq!(s(&ins[2], "value"), "dir c:\\ && echo done");
        assert_eq!(s(&ins[0], "tag"), "ltsc2022");
    }

    #[test]
    fn directives_stop_after_first_other_line() {
        let d = doc("FROM a\n# escape=`\nRUN x \\\n  y\n");
        assert!(d.get("directives").is_none());
        assert_eq!(s(&instrs(&d)[1], "value"), "x y");
    }

    #[test]
    fn crlf_line_endings() {
        let text = "FROM alpine:3\r\nRUN echo a \\\r\n  b\r\nUSER nobody\r\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 3);
        assert_eq!(s(&ins[0], "tag"), "3");
        assert_eq!(s(&ins[1], "value"), "echo a b");
        assert_eq!(at(text, &ins[1]), "RUN echo a \\\r\n  b");
        assert_eq!(at(text, ins[2].get("value").unwrap()), "nobody");
        assert_eq!(stages(&d)[0].get("user").unwrap().as_str(), Some("nobody"));
    }

    #[test]
    fn crlf_heredoc() {
        let text = "RUN <<EOF\r\necho hi\r\nEOF\r\n";
        let d = doc(text);
        let run = &instrs(&d)[0];
        assert_eq!(s(run, "value"), "<<EOF\necho hi\nEOF");
        assert_eq!(run.span, Span::new(0, 23));
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let text = "from alpine as base\n  Run echo hi\nuser app\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(s(&ins[0], "cmd"), "FROM");
        assert_eq!(at(text, ins[0].get("cmd").unwrap()), "from");
        assert_eq!(s(&ins[0], "name"), "base");
        assert_eq!(s(&ins[1], "cmd"), "RUN");
        assert_eq!(at(text, ins[1].get("cmd").unwrap()), "Run");
        assert_eq!(s(&stages(&d)[0], "user"), "app");
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in [
            "",
            "\n\n",
            "# just a comment\n",
            "# syntax=docker/dockerfile:1\n",
        ] {
            let d = doc(text);
            assert!(instrs(&d).is_empty());
            assert!(stages(&d).is_empty());
        }
    }

    #[test]
    fn unknown_keywords_and_bare_instructions_are_kept() {
        let text = "FROBNICATE the thing\nHEALTHCHECK NONE\nRUN\n";
        let d = doc(text);
        let ins = instrs(&d);
        assert_eq!(s(&ins[0], "cmd"), "FROBNICATE");
        assert_eq!(s(&ins[0], "value"), "the thing");
        let run = &ins[2];
        assert_eq!(s(run, "value"), "");
        assert_eq!(run.get("value").unwrap().span, Span::new(41, 41));
        assert!(run.get("args").unwrap().as_list().unwrap().is_empty());
    }

    #[test]
    fn huge_single_line_is_linear() {
        let mut text = String::from("RUN echo ");
        text.push_str(&"abcdefgh ".repeat(120_000));
        text.push('\n');
        let start = std::time::Instant::now();
        let d = doc(&text);
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(
            instrs(&d)[0].get("args").unwrap().as_list().unwrap().len(),
            120_001
        );

        let long = format!("LABEL x=\"{}\"\n", "y".repeat(1 << 20));
        assert_eq!(
            doc(&long)
                .get("instructions")
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn many_continuation_lines_and_heredocs_are_linear() {
        let mut text = String::from("RUN a \\\n");
        text.push_str(&"  bb \\\n  # note\n".repeat(50_000));
        text.push_str("  end\n");
        text.push_str(&"RUN <<X\nbody\nX\n".repeat(20_000));
        let start = std::time::Instant::now();
        let d = doc(&text);
        assert!(start.elapsed().as_secs() < 5);
        let ins = instrs(&d);
        assert_eq!(ins.len(), 20_001);
        let args = ins[0].get("args").unwrap().as_list().unwrap();
        assert_eq!(args.len(), 50_002);
        assert_eq!(at(&text, &args[50_001]), "end");
    }

    #[test]
    fn node_limit_is_enforced() {
        let limits = Limits {
            max_depth: 128,
            max_nodes: 10,
            ..Limits::default()
        };
        assert!(parse("RUN a b c d e f g h i j k\n", &limits).is_err());
    }

    #[test]
    fn never_panics_on_junk() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet: &[u8] = b"\\`#<-\"'[]=:@ \t\r\n,{}aZ9\xc3\xa9";
        for round in 0..3000 {
            let len = (round % 97) + 1;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let b = if round % 3 == 0 {
                    (seed >> 24) as u8
                } else {
                    alphabet[(seed >> 24) as usize % alphabet.len()]
                };
                bytes.push(b);
            }
            let prefixes: [&[u8]; 4] = [b"", b"RUN ", b"# escape=`\nCOPY ", b"ENV "];
            let mut input = prefixes[round % 4].to_vec();
            input.extend_from_slice(&bytes);
            let text = String::from_utf8_lossy(&input);
            if let Ok(node) = parse(&text, &Limits::default()) {
                check_spans(&text, &node);
                for ins in instrs(&node) {
                    if ins.get("exec_form").unwrap().value == Value::Bool(false) {
                        for word in ins.get("args").unwrap().as_list().unwrap() {
                            assert_eq!(at(&text, word), word.as_str().unwrap(), "{text:?}");
                        }
                    }
                }
            }
        }
    }

    fn check_spans(text: &str, node: &Node) {
        assert!(node.span.start <= node.span.end && node.span.end <= text.len());
        assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
        match &node.value {
            Value::List(items) => items.iter().for_each(|n| check_spans(text, n)),
            Value::Map(entries) => entries.iter().for_each(|e| {
                assert!(e.key_span.start <= e.key_span.end && e.key_span.end <= text.len());
                check_spans(text, &e.value)
            }),
            _ => {}
        }
    }

    #[test]
    fn a_stage_built_on_an_earlier_stage_says_so_and_inherits_its_user() {
        let text =
            "FROM alpine:3.20 AS base\nUSER app\nFROM base AS build\nRUN make\nFROM scratch\n";
        let d = parse(text, &Limits::default()).unwrap();
        let st = stages(&d);
        assert!(st[0].get("base_stage").is_none());
        let base = st[1].get("base_stage").unwrap();
        assert_eq!(&text[base.span.start..base.span.end], "base");
        assert_eq!(st[1].get("user").unwrap().as_str(), Some("app"));
        assert!(st[2].get("base_stage").is_none());
        assert!(st[2].get("user").is_none());
    }
}
