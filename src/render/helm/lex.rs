//! The lexer of Go's `text/template` (`text/template/parse/lex.go`), to
//! tokens with byte spans: text between actions (already trimmed by `{{-` and
//! `-}}`), delimiters, and the items inside actions. Comments vanish.
use crate::document::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Pipe,
    LeftParen,
    RightParen,
    /// Any other printable ASCII character (`,` in `range $i, $v :=`).
    Char,
    Str,
    RawStr,
    CharConst,
    Number,
    Bool,
    Nil,
    Dot,
    /// `.Name` (one element; chains are consecutive fields).
    Field,
    /// `$` or `$name`.
    Variable,
    Identifier,
    // keywords
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
    Eof,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// A lexing error: where and what.
#[derive(Debug, Clone)]
pub struct LexError {
    pub at: usize,
    pub message: String,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut l = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        out: Vec::new(),
        paren: 0,
    };
    l.run()?;
    Ok(l.out)
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Vec<Token>,
    paren: i32,
}

impl Lexer<'_> {
    fn emit(&mut self, tok: Tok, start: usize, end: usize) {
        self.out.push(Token {
            tok,
            span: Span::new(start, end),
        });
    }
    fn err<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, LexError> {
        Err(LexError {
            at,
            message: msg.into(),
        })
    }
    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    /// Whether a right delimiter (possibly trim-marked) starts here.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = &self.b[self.pos..];
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT.as_bytes()) {
            return Some(true);
        }
        rest.starts_with(RIGHT.as_bytes()).then_some(false)
    }

    fn run(&mut self) -> Result<(), LexError> {
        let mut text_start = 0;
        loop {
            // text up to the next `{{`
            let found = self.src[self.pos..].find(LEFT).map(|x| self.pos + x);
            let Some(open) = found else {
                if text_start < self.b.len() {
                    self.emit(Tok::Text, text_start, self.b.len());
                }
                self.emit(Tok::Eof, self.b.len(), self.b.len());
                return Ok(());
            };
            let after = open + LEFT.len();
            let trim_left = has_left_trim(&self.b[after..]);
            let mut text_end = open;
            if trim_left {
                while text_end > text_start && is_space(self.b[text_end - 1]) {
                    text_end -= 1;
                }
            }
            if text_end > text_start {
                self.emit(Tok::Text, text_start, text_end);
            }
            let inner = if trim_left { after + 2 } else { after };
            if self.b[inner..].starts_with(b"/*") {
                // a comment: `{{/* … */}}`, possibly trim-marked on either side
                let Some(close) = self.src[inner + 2..].find("*/") else {
                    return self.err(open, "unclosed comment");
                };
                self.pos = inner + 2 + close + 2;
                let Some(trim) = self.at_right_delim() else {
                    return self.err(self.pos, "comment ends before closing delimiter");
                };
                self.pos += if trim { 2 } else { 0 } + RIGHT.len();
                if trim {
                    while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                        self.pos += 1;
                    }
                }
                text_start = self.pos;
                continue;
            }
            self.emit(Tok::LeftDelim, open, inner);
            self.pos = inner;
            self.paren = 0;
            self.inside_action()?;
            text_start = self.pos;
        }
    }

    /// Items up to and including the right delimiter; leaves `pos` after it
    /// (and after the whitespace a trim marker removes).
    fn inside_action(&mut self) -> Result<(), LexError> {
        let action_start = self.pos;
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren != 0 {
                    return self.err(self.pos, "unclosed left paren");
                }
                let start = self.pos;
                self.pos += if trim { 2 } else { 0 } + RIGHT.len();
                self.emit(Tok::RightDelim, start, self.pos);
                if trim {
                    while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                        self.pos += 1;
                    }
                }
                return Ok(());
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                return self.err(action_start, "unclosed action");
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    // spaces, stopping before a trim-marked right delimiter
                    while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                        let rest = &self.b[self.pos..];
                        if has_right_trim(rest) && rest[2..].starts_with(RIGHT.as_bytes()) {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos > start {
                        self.emit(Tok::Space, start, self.pos);
                    }
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start, self.pos);
                }
                ':' => {
                    if self.b.get(self.pos + 1) != Some(&b'=') {
                        return self.err(start, "expected :=");
                    }
                    self.pos += 2;
                    self.emit(Tok::Declare, start, self.pos);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start, self.pos);
                }
                '"' => self.quote(start)?,
                '`' => {
                    let Some(close) = self.src[start + 1..].find('`') else {
                        return self.err(start, "unterminated raw quoted string");
                    };
                    self.pos = start + 1 + close + 1;
                    self.emit(Tok::RawStr, start, self.pos);
                }
                '$' => {
                    self.pos += 1;
                    self.field_or_variable(start, Tok::Variable)?;
                }
                '\'' => self.char_const(start)?,
                '.' if !self.b.get(self.pos + 1).is_some_and(|b| b.is_ascii_digit()) => {
                    self.pos += 1;
                    self.field_or_variable(start, Tok::Field)?;
                }
                '.' | '+' | '-' | '0'..='9' => self.number(start)?,
                c if is_alnum(c) => self.identifier(start)?,
                '(' => {
                    self.pos += 1;
                    self.paren += 1;
                    self.emit(Tok::LeftParen, start, self.pos);
                }
                ')' => {
                    self.pos += 1;
                    self.paren -= 1;
                    if self.paren < 0 {
                        return self.err(start, "unexpected right paren");
                    }
                    self.emit(Tok::RightParen, start, self.pos);
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.pos += 1;
                    self.emit(Tok::Char, start, self.pos);
                }
                c => {
                    return self.err(
                        start,
                        format!("unrecognized character in action: U+{:04X}", c as u32),
                    )
                }
            }
        }
    }

    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek_char() else {
            return true;
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) {
            return true;
        }
        self.b[self.pos..].starts_with(RIGHT.as_bytes())
    }

    fn field_or_variable(&mut self, start: usize, tok: Tok) -> Result<(), LexError> {
        if self.at_terminator() {
            let t = if tok == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            };
            self.emit(t, start, self.pos);
            return Ok(());
        }
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            return self.err(self.pos, "bad character in field or variable name");
        }
        self.emit(tok, start, self.pos);
        Ok(())
    }

    fn identifier(&mut self, start: usize) -> Result<(), LexError> {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            return self.err(self.pos, "bad character after identifier");
        }
        let tok = match &self.src[start..self.pos] {
            "block" => Tok::Block,
            "break" => Tok::Break,
            "continue" => Tok::Continue,
            "define" => Tok::Define,
            "else" => Tok::Else,
            "end" => Tok::End,
            "if" => Tok::If,
            "range" => Tok::Range,
            "template" => Tok::Template,
            "with" => Tok::With,
            "nil" => Tok::Nil,
            "true" | "false" => Tok::Bool,
            _ => Tok::Identifier,
        };
        self.emit(tok, start, self.pos);
        Ok(())
    }

    fn quote(&mut self, start: usize) -> Result<(), LexError> {
        let mut i = start + 1;
        loop {
            match self.b.get(i) {
                None | Some(b'\n') => return self.err(start, "unterminated quoted string"),
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Tok::Str, start, self.pos);
        Ok(())
    }

    fn char_const(&mut self, start: usize) -> Result<(), LexError> {
        let mut i = start + 1;
        loop {
            match self.b.get(i) {
                None | Some(b'\n') => return self.err(start, "unterminated character constant"),
                Some(b'\\') => i += 2,
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(Tok::CharConst, start, self.pos);
        Ok(())
    }

    fn number(&mut self, start: usize) -> Result<(), LexError> {
        let b = self.b;
        let mut i = start;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        if b.get(i) == Some(&b'0') {
            match b.get(i + 1) {
                Some(b'x' | b'X') => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                }
                Some(b'o' | b'O') => {
                    i += 2;
                    digits = b"01234567_";
                }
                Some(b'b' | b'B') => {
                    i += 2;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        let take = |i: &mut usize, set: &[u8]| {
            while b.get(*i).is_some_and(|c| set.contains(c)) {
                *i += 1;
            }
        };
        take(&mut i, digits);
        if b.get(i) == Some(&b'.') {
            i += 1;
            take(&mut i, digits);
        }
        let hex = digits.len() > 11;
        let exp: &[u8] = if hex { b"pP" } else { b"eE" };
        if b.get(i).is_some_and(|c| exp.contains(c)) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            take(&mut i, b"0123456789_");
        }
        if b.get(i) == Some(&b'i') {
            i += 1;
        }
        self.pos = i;
        if self.peek_char().is_some_and(is_alnum) {
            return self.err(start, "bad number syntax");
        }
        self.emit(Tok::Number, start, self.pos);
        Ok(())
    }
}
