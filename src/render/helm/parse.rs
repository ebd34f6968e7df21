//! The parser of Go's `text/template` (`text/template/parse/parse.go`): tokens
//! to a tree whose every node keeps its byte span in the template's source.
//! It checks what Go's parser checks (functions defined, variables declared,
//! `break`/`continue` inside `range`, pipeline shape), with Go's messages.
use std::rc::Rc;

use super::lex::{lex, Tok, Token};
use crate::document::Span;

#[derive(Debug)]
pub enum Node {
    /// Text to copy: `source[span]`.
    Text(Span),
    Action(Pipe),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(Span),
    Continue(Span),
}

#[derive(Debug)]
pub struct Branch {
    pub span: Span,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub struct TemplateCall {
    pub span: Span,
    pub name: String,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub struct Pipe {
    pub span: Span,
    pub decl: Vec<Rc<str>>,
    pub is_assign: bool,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct Cmd {
    pub span: Span,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub struct Arg {
    pub span: Span,
    pub kind: ArgKind,
}

/// A number literal as Go's parser keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Number {
    /// Its integer value when it has one (`1`, `0x1f`, `2.0`, `'a'`).
    pub int: Option<i64>,
    pub float: f64,
    /// Written as a float (`.`, an exponent): an `interface{}` argument gets a float64.
    pub float_text: bool,
}

#[derive(Debug)]
pub enum ArgKind {
    Dot,
    Nil,
    Bool(bool),
    Number(Number),
    /// The decoded value, and whether it is the literal's text verbatim (no
    /// escapes), so its bytes map one to one onto the source.
    Str(Rc<str>, bool),
    /// `.a.b`
    Field(Vec<Rc<str>>),
    /// `$x.a.b`: the variable and the fields after it.
    Variable(Rc<str>, Vec<Rc<str>>),
    /// A function name.
    Ident(Rc<str>),
    Pipe(Box<Pipe>),
    /// `(pipe).a.b` or `ident.a`
    Chain(Box<Arg>, Vec<Rc<str>>),
}

/// A parsed template source: its main list and the templates it defines.
#[derive(Debug)]
pub struct Tree {
    pub root: Rc<Vec<Node>>,
    pub defines: Vec<Define>,
}

#[derive(Debug)]
pub struct Define {
    pub name: String,
    pub span: Span,
    pub list: Rc<Vec<Node>>,
}

#[derive(Debug, Clone)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

/// Parses `src`; `is_function` says which identifiers are defined functions.
pub fn parse(src: &str, is_function: &dyn Fn(&str) -> bool) -> Result<Tree, ParseError> {
    let tokens = lex(src).map_err(|e| ParseError {
        at: e.at,
        message: e.message,
    })?;
    let mut p = Parser {
        src,
        toks: tokens,
        i: 0,
        vars: vec![Rc::from("$")],
        range_depth: 0,
        defines: Vec::new(),
        is_function,
    };
    let root = p.top()?;
    Ok(Tree {
        root: Rc::new(root),
        defines: p.defines,
    })
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    vars: Vec<Rc<str>>,
    range_depth: usize,
    defines: Vec<Define>,
    is_function: &'a dyn Fn(&str) -> bool,
}

enum Item {
    Node(Node),
    End(Span),
    Else(Span),
}

type R<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn err<T>(&self, at: usize, message: impl Into<String>) -> R<T> {
        Err(ParseError {
            at,
            message: message.into(),
        })
    }
    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)];
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn peek(&self) -> Token {
        self.toks[self.i.min(self.toks.len() - 1)]
    }
    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.tok != Tok::Space {
                return t;
            }
        }
    }
    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.i -= 1;
        t
    }
    fn text(&self, t: Token) -> &str {
        &self.src[t.span.start..t.span.end]
    }
    fn describe(&self, t: Token) -> String {
        match t.tok {
            Tok::Eof => "EOF".to_string(),
            Tok::RightDelim => "\"}}\"".to_string(),
            _ => format!("{:?}", self.text(t)),
        }
    }
    fn unexpected<T>(&self, t: Token, context: &str) -> R<T> {
        self.err(
            t.span.start,
            format!("unexpected {} in {context}", self.describe(t)),
        )
    }
    fn expect(&mut self, tok: Tok, context: &str) -> R<Token> {
        let t = self.next_non_space();
        if t.tok != tok {
            return self.unexpected(t, context);
        }
        Ok(t)
    }

    fn top(&mut self) -> R<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().tok != Tok::Eof {
            if self.peek().tok == Tok::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().tok == Tok::Define {
                    self.definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(s) => return self.err(s.start, "unexpected {{end}}"),
                Item::Else(s) => return self.err(s.start, "unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn string_literal(&self, t: Token) -> R<(Rc<str>, bool)> {
        let raw = self.text(t);
        match t.tok {
            Tok::RawStr => {
                let inner = &raw[1..raw.len() - 1];
                if inner.contains('\r') {
                    Ok((Rc::from(inner.replace('\r', "")), false))
                } else {
                    Ok((Rc::from(inner), true))
                }
            }
            Tok::Str => {
                let inner = &raw[1..raw.len() - 1];
                if !inner.contains('\\') {
                    return Ok((Rc::from(inner), true));
                }
                match unquote(inner, '"') {
                    Some(s) => Ok((Rc::from(s), false)),
                    None => self.err(t.span.start, format!("invalid syntax: {raw}")),
                }
            }
            _ => self.unexpected(t, "string"),
        }
    }

    fn definition(&mut self) -> R<()> {
        let t = self.next_non_space();
        if !matches!(t.tok, Tok::Str | Tok::RawStr) {
            return self.unexpected(t, "define clause");
        }
        let (name, _) = self.string_literal(t)?;
        self.expect(Tok::RightDelim, "define clause")?;
        let saved = std::mem::replace(&mut self.vars, vec![Rc::from("$")]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Item::Else(s) = end {
            return self.err(s.start, "unexpected {{else}} in define clause");
        }
        self.defines.push(Define {
            name: name.to_string(),
            span: t.span,
            list: Rc::new(list),
        });
        Ok(())
    }

    /// Nodes up to an `{{end}}` or `{{else}}` (returned as the second item).
    fn item_list(&mut self) -> R<(Vec<Node>, Item)> {
        let mut list = Vec::new();
        while self.peek_non_space().tok != Tok::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                end => return Ok((list, end)),
            }
        }
        let at = self.src.len();
        self.err(at, "unexpected EOF")
    }

    fn text_or_action(&mut self) -> R<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text => Ok(Item::Node(Node::Text(t.span))),
            Tok::LeftDelim => self.action(t),
            _ => self.unexpected(t, "input"),
        }
    }

    fn action(&mut self, open: Token) -> R<Item> {
        let t = self.next_non_space();
        let item = match t.tok {
            Tok::Block => Item::Node(self.block(open)?),
            Tok::Break | Tok::Continue => {
                let word = if t.tok == Tok::Break {
                    "break"
                } else {
                    "continue"
                };
                let close = self.next_non_space();
                if close.tok != Tok::RightDelim {
                    return self.unexpected(close, &format!("{{{{{word}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.err(
                        t.span.start,
                        format!("{{{{{word}}}}} outside {{{{range}}}}"),
                    );
                }
                let span = open.span.join(close.span);
                Item::Node(if t.tok == Tok::Break {
                    Node::Break(span)
                } else {
                    Node::Continue(span)
                })
            }
            Tok::Else => {
                let p = self.peek_non_space();
                if !matches!(p.tok, Tok::If | Tok::With) {
                    self.expect(Tok::RightDelim, "else")?;
                }
                Item::Else(t.span)
            }
            Tok::End => {
                self.expect(Tok::RightDelim, "end")?;
                Item::End(t.span)
            }
            Tok::If => Item::Node(Node::If(Box::new(self.control(open, "if")?))),
            Tok::Range => Item::Node(Node::Range(Box::new(self.control(open, "range")?))),
            Tok::With => Item::Node(Node::With(Box::new(self.control(open, "with")?))),
            Tok::Template => Item::Node(self.template(open)?),
            _ => {
                self.i -= 1;
                // an action's span starts at its `{{` (what it prints is placed there)
                let mut p = self.pipeline("command", Tok::RightDelim)?;
                p.span = open.span.join(p.span);
                Item::Node(Node::Action(p))
            }
        };
        Ok(item)
    }

    fn control(&mut self, open: Token, context: &str) -> R<Branch> {
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        match next {
            Item::End(_) => {}
            Item::Else(else_span) => {
                let p = self.peek_non_space();
                if (context == "if" && p.tok == Tok::If)
                    || (context == "with" && p.tok == Tok::With)
                {
                    let kw = self.next_non_space();
                    let inner = self.control(open, context)?;
                    let node = if kw.tok == Tok::If {
                        Node::If(Box::new(inner))
                    } else {
                        Node::With(Box::new(inner))
                    };
                    else_list = Some(vec![node]);
                } else {
                    let (l, end) = self.item_list()?;
                    if let Item::Else(s) = end {
                        return self.err(s.start, "expected end; found {{else}}");
                    }
                    else_list = Some(l);
                }
                let _ = else_span;
            }
            Item::Node(_) => unreachable_item(),
        }
        self.vars.truncate(vars);
        Ok(Branch {
            span: open.span.join(pipe.span),
            pipe,
            list,
            else_list,
        })
    }

    fn template(&mut self, open: Token) -> R<Node> {
        let t = self.next_non_space();
        if !matches!(t.tok, Tok::Str | Tok::RawStr) {
            return self.unexpected(t, "template clause");
        }
        let (name, _) = self.string_literal(t)?;
        let pipe = if self.next_non_space().tok != Tok::RightDelim {
            self.i -= 1;
            Some(self.pipeline("template clause", Tok::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template(Box::new(TemplateCall {
            span: open.span.join(t.span),
            name: name.to_string(),
            pipe,
        })))
    }

    fn block(&mut self, open: Token) -> R<Node> {
        let t = self.next_non_space();
        if !matches!(t.tok, Tok::Str | Tok::RawStr) {
            return self.unexpected(t, "block clause");
        }
        let (name, _) = self.string_literal(t)?;
        let pipe = self.pipeline("block clause", Tok::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec![Rc::from("$")]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Item::Else(s) = end {
            return self.err(s.start, "unexpected {{else}} in block clause");
        }
        self.defines.push(Define {
            name: name.to_string(),
            span: t.span,
            list: Rc::new(list),
        });
        Ok(Node::Template(Box::new(TemplateCall {
            span: open.span.join(t.span),
            name: name.to_string(),
            pipe: Some(pipe),
        })))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> R<Pipe> {
        let first = self.peek_non_space();
        let mut pipe = Pipe {
            span: first.span,
            decl: Vec::new(),
            is_assign: false,
            cmds: Vec::new(),
        };
        // declarations: `$x :=`, `$x =`, `$i, $v :=` (range)
        loop {
            let v = self.peek_non_space();
            if v.tok != Tok::Variable {
                break;
            }
            let save = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.next_non_space();
                    let name: Rc<str> = Rc::from(self.text(v));
                    if pipe.is_assign && !self.vars.contains(&name) {
                        return self.err(v.span.start, format!("undefined variable {:?}", &*name));
                    }
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break;
                }
                Tok::Char if self.text(next) == "," => {
                    self.next_non_space();
                    let name: Rc<str> = Rc::from(self.text(v));
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable | Tok::RightDelim | Tok::RightParen => continue,
                            _ => {
                                return self
                                    .err(next.span.start, "range can only initialize variables")
                            }
                        }
                    }
                    return self.err(
                        next.span.start,
                        format!("too many declarations in {context}"),
                    );
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if t.tok == end {
                pipe.span = pipe.span.join(t.span);
                if pipe.cmds.is_empty() {
                    return self.err(t.span.start, format!("missing value for {context}"));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args[0].kind,
                        ArgKind::Bool(_)
                            | ArgKind::Dot
                            | ArgKind::Nil
                            | ArgKind::Number(_)
                            | ArgKind::Str(..)
                    ) {
                        return self.err(
                            c.span.start,
                            format!("non executable command in pipeline stage {}", i + 1),
                        );
                    }
                }
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool
                | Tok::CharConst
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawStr
                | Tok::Str
                | Tok::Variable
                | Tok::LeftParen => {
                    self.i -= 1;
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(t, context),
            }
        }
    }

    fn command(&mut self) -> R<Cmd> {
        let start = self.peek_non_space().span;
        let mut cmd = Cmd {
            span: start,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                cmd.span = cmd.span.join(a.span);
                cmd.args.push(a);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.i -= 1,
                Tok::Pipe => {}
                _ => return self.unexpected(t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err(start.start, "empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> R<Option<Arg>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().tok != Tok::Field {
            return Ok(Some(term));
        }
        let mut fields = Vec::new();
        let mut span = term.span;
        while self.peek().tok == Tok::Field {
            let f = self.next();
            span = span.join(f.span);
            fields.push(Rc::from(&self.text(f)[1..]));
        }
        let kind = match term.kind {
            ArgKind::Field(mut first) => {
                first.extend(fields);
                ArgKind::Field(first)
            }
            ArgKind::Variable(name, mut first) => {
                first.extend(fields);
                ArgKind::Variable(name, first)
            }
            ArgKind::Bool(_)
            | ArgKind::Str(..)
            | ArgKind::Number(_)
            | ArgKind::Nil
            | ArgKind::Dot => {
                return self.err(term.span.start, "unexpected . after term");
            }
            other => ArgKind::Chain(
                Box::new(Arg {
                    span: term.span,
                    kind: other,
                }),
                fields,
            ),
        };
        Ok(Some(Arg { span, kind }))
    }

    fn term(&mut self) -> R<Option<Arg>> {
        let t = self.next_non_space();
        let kind = match t.tok {
            Tok::Identifier => {
                let name = self.text(t);
                if !(self.is_function)(name) {
                    return self.err(t.span.start, format!("function {name:?} not defined"));
                }
                ArgKind::Ident(Rc::from(name))
            }
            Tok::Dot => ArgKind::Dot,
            Tok::Nil => ArgKind::Nil,
            Tok::Variable => {
                let name: Rc<str> = Rc::from(self.text(t));
                if !self.vars.contains(&name) {
                    return self.err(t.span.start, format!("undefined variable {:?}", &*name));
                }
                ArgKind::Variable(name, Vec::new())
            }
            Tok::Field => ArgKind::Field(vec![Rc::from(&self.text(t)[1..])]),
            Tok::Bool => ArgKind::Bool(self.text(t) == "true"),
            Tok::Number | Tok::CharConst => match number(self.text(t)) {
                Some(n) => ArgKind::Number(n),
                None => {
                    return self.err(
                        t.span.start,
                        format!("illegal number syntax: {:?}", self.text(t)),
                    )
                }
            },
            Tok::LeftParen => {
                let p = self.pipeline("parenthesized pipeline", Tok::RightParen)?;
                return Ok(Some(Arg {
                    span: t.span.join(p.span),
                    kind: ArgKind::Pipe(Box::new(p)),
                }));
            }
            Tok::Str | Tok::RawStr => {
                let (s, verbatim) = self.string_literal(t)?;
                ArgKind::Str(s, verbatim)
            }
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        };
        Ok(Some(Arg { span: t.span, kind }))
    }
}

fn unreachable_item() {}

/// Go's number literal (`text/template/parse.NewNumber`), for what templates use.
pub fn number(text: &str) -> Option<Number> {
    if let Some(inner) = text.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        let s = unquote(inner, '\'')?;
        let mut cs = s.chars();
        let c = cs.next()?;
        if cs.next().is_some() {
            return None;
        }
        return Some(Number {
            int: Some(c as i64),
            float: c as u32 as f64,
            float_text: false,
        });
    }
    if text.ends_with('i') {
        return None; // complex numbers: not in any chart
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower = body.to_ascii_lowercase();
    let radix_int = |digits: &str, radix: u32| {
        i64::from_str_radix(digits, radix)
            .ok()
            .map(|v| if neg { -v } else { v })
    };
    let int = if let Some(h) = lower.strip_prefix("0x") {
        if h.contains('.') || h.contains('p') {
            None
        } else {
            radix_int(h, 16)
        }
    } else if let Some(o) = lower.strip_prefix("0o") {
        radix_int(o, 8)
    } else if let Some(b) = lower.strip_prefix("0b") {
        radix_int(b, 2)
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        radix_int(&lower[1..], 8)
    } else if lower.bytes().all(|b| b.is_ascii_digit()) {
        radix_int(&lower, 10)
    } else {
        None
    };
    let float_text = !lower.starts_with("0x") && lower.contains(['.', 'e']);
    let float = match int {
        Some(i) => i as f64,
        None => {
            let f: f64 = lower.parse().ok()?;
            if neg {
                -f
            } else {
                f
            }
        }
    };
    let int =
        int.or_else(|| (float.fract() == 0.0 && float.abs() < 9.2e18).then_some(float as i64));
    Some(Number {
        int,
        float,
        float_text,
    })
}

/// Go's `strconv.Unquote` body (without the quotes) for `"` and `'` literals.
pub fn unquote(s: &str, quote: char) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * 16 + chars.next()?.to_digit(16)?;
            }
            Some(v)
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '\'' | '"' => {
                if e != quote {
                    return None;
                }
                out.push(e)
            }
            'x' => {
                // a byte; templates use it for ASCII
                let v = hex(&mut chars, 2)?;
                out.push(char::from_u32(v)?);
            }
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                out.push(char::from_u32(v)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Tree, ParseError> {
        parse(src, &|f| {
            matches!(f, "include" | "printf" | "default" | "quote")
        })
    }

    fn texts(src: &str, t: &Tree) -> Vec<String> {
        t.root
            .iter()
            .filter_map(|n| match n {
                Node::Text(s) => Some(src[s.start..s.end].to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn trim_markers_and_comments() {
        let src = "a  {{- 1 -}}  b {{/* c */}} d\n{{- /* e */ -}}\n f";
        let t = p(src).unwrap();
        assert_eq!(texts(src, &t), vec!["a", "b ", " d", "f"]);
        // a dash without a space is a number's sign
        let src = "{{-3}}";
        let t = p(src).unwrap();
        assert!(
            matches!(&t.root[0], Node::Action(pp) if matches!(pp.cmds[0].args[0].kind, ArgKind::Number(Number { int: Some(-3), .. })))
        );
    }

    #[test]
    fn go_parse_errors() {
        let msg = |src: &str| p(src).err().map(|e| e.message);
        assert_eq!(
            msg("{{ nope 1 }}").unwrap(),
            "function \"nope\" not defined"
        );
        assert_eq!(msg("{{ $x }}").unwrap(), "undefined variable \"$x\"");
        assert_eq!(
            msg("{{ if 1 }}{{ $y := 1 }}{{ end }}{{ $y }}").unwrap(),
            "undefined variable \"$y\""
        );
        assert_eq!(msg("{{ break }}").unwrap(), "{{break}} outside {{range}}");
        assert_eq!(msg("{{ if 1 }}").unwrap(), "unexpected EOF");
        assert_eq!(
            msg("{{ 1 | 2 }}").unwrap(),
            "non executable command in pipeline stage 2"
        );
        assert_eq!(msg("{{ .a").unwrap(), "unclosed action");
        assert!(p("{{ range $i, $v := . }}{{ continue }}{{ end }}").is_ok());
        // multi-line actions, `=` assignment, else-if chains, define
        let src = "{{ define \"x\" }}{{ $a := 1 }}{{ $a = 2 }}{{ end }}{{ if 1 }}a{{ else if 2 }}b{{ else }}c{{ end }}{{ include \"x\"\n  (default 1\n 2) }}";
        let t = p(src).unwrap();
        assert_eq!(t.defines.len(), 1);
        assert_eq!(t.root.len(), 2);
    }

    #[test]
    fn literals() {
        assert_eq!(number("0x1F").unwrap().int, Some(31));
        assert_eq!(number("017").unwrap().int, Some(15));
        let f = number("1.5").unwrap();
        assert!(f.float_text && f.int.is_none());
        let f = number("2.0").unwrap();
        assert!(f.float_text && f.int == Some(2));
        assert_eq!(number("'a'").unwrap().int, Some(97));
        assert_eq!(unquote(r"a\tb\u00e9\x41", '"').unwrap(), "a\tbéA");
    }
}
