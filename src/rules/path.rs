//! Key paths into a document: `a.b[0].c`, `a.b[*].c`, `jobs.*.steps`,
//! `metadata.annotations."kubernetes.io/x"`, `env[~"(?i)token$"]`. Empty (or
//! `.`) is the node itself.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key. Applied to a list it applies to every element.
    Key(String),
    /// A list index (negative counts from the end).
    Index(i64),
    /// Every element of a list, or every value of a map.
    Each,
    /// Every value of a map whose key the pattern matches (`[~"regex"]`).
    /// Applied to a list it applies to every element.
    KeyMatch(KeyPattern),
}

/// A regular expression on map keys, compared by its text; checked when
/// the rule loads, built when first used.
#[derive(Debug, Clone)]
pub struct KeyPattern(pub std::sync::Arc<super::LazyRegex>);

impl KeyPattern {
    pub fn is_match(&self, key: &str) -> bool {
        self.0.get().is_match(key)
    }
}

impl PartialEq for KeyPattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Eq for KeyPattern {}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path {
    pub segments: Vec<Segment>,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, String> {
        Path::parse_with(text, super::compile::Checks::All)
    }

    /// As [`Path::parse`]; with [`super::compile::Checks::Builtin`] the
    /// pattern of a `[~"regex"]` is not parsed again (the built-in pack's
    /// passed every check when it was tested).
    pub fn parse_with(text: &str, checks: super::compile::Checks) -> Result<Path, String> {
        let text = text.trim();
        let mut segments = Vec::new();
        if text.is_empty() || text == "." {
            return Ok(Path { segments });
        }
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut expect_key = true;
        while i < chars.len() {
            match chars[i] {
                '.' if !expect_key => {
                    expect_key = true;
                    i += 1;
                    if i >= chars.len() {
                        return Err("path ends with `.`".into());
                    }
                }
                '[' if chars.get(i + 1) == Some(&'~') => {
                    // `[~"regex"]` or `[~'regex']`: the regex may hold `]`
                    let quote = *chars.get(i + 2).ok_or("`[~` without a quoted pattern")?;
                    if quote != '"' && quote != '\'' {
                        return Err("`[~` takes a quoted pattern: `[~\"regex\"]`".into());
                    }
                    let len = chars[i + 3..]
                        .iter()
                        .position(|&c| c == quote)
                        .ok_or("unclosed pattern in `[~…]`")?;
                    let pattern: String = chars[i + 3..i + 3 + len].iter().collect();
                    if chars.get(i + 3 + len + 1) != Some(&']') {
                        return Err("`[~\"regex\"]` must end with `]`".into());
                    }
                    let re = match checks {
                        super::compile::Checks::All => super::LazyRegex::new(&pattern)
                            .map_err(|e| format!("`[~{quote}{pattern}{quote}]`: {e}"))?,
                        super::compile::Checks::Builtin => super::LazyRegex::prechecked(&pattern),
                    };
                    segments.push(Segment::KeyMatch(KeyPattern(std::sync::Arc::new(re))));
                    i += len + 5;
                    expect_key = false;
                }
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|&c| c == ']')
                        .ok_or("unclosed `[` in path")?;
                    let inner: String = chars[i + 1..i + close].iter().collect();
                    let inner = inner.trim();
                    if inner == "*" {
                        segments.push(Segment::Each);
                    } else if let Some(key) = inner
                        .strip_prefix('\'')
                        .and_then(|s| s.strip_suffix('\''))
                        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                    {
                        segments.push(Segment::Key(key.to_string()));
                    } else {
                        let n: i64 = inner.parse().map_err(|_| {
                            format!("`[{inner}]` is not an index, `*` or a quoted key")
                        })?;
                        segments.push(Segment::Index(n));
                    }
                    i += close + 1;
                    expect_key = false;
                }
                '"' if expect_key => {
                    let close = chars[i + 1..]
                        .iter()
                        .position(|&c| c == '"')
                        .ok_or("unclosed `\"` in path")?;
                    segments.push(Segment::Key(chars[i + 1..i + 1 + close].iter().collect()));
                    i += close + 2;
                    expect_key = false;
                }
                _ if expect_key => {
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let key: String = chars[start..i].iter().collect();
                    if key.is_empty() {
                        return Err("empty key in path".into());
                    }
                    segments.push(if key == "*" {
                        Segment::Each
                    } else {
                        Segment::Key(key)
                    });
                    expect_key = false;
                }
                c => return Err(format!("unexpected `{c}` in path")),
            }
        }
        Ok(Path { segments })
    }

    pub fn is_self(&self) -> bool {
        self.segments.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if k.contains(['.', '[', ']', '"']) {
                        write!(f, "\"{k}\"")?;
                    } else {
                        f.write_str(k)?;
                    }
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Each => f.write_str("[*]")?,
                Segment::KeyMatch(p) => {
                    let quote = if p.0.as_str().contains('"') {
                        '\''
                    } else {
                        '"'
                    };
                    write!(f, "[~{quote}{}{quote}]", p.0.as_str())?
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    #[test]
    fn parses_every_form() {
        let p = Path::parse("a.b[0].c[*].\"x.y\"['z'].*").unwrap();
        assert_eq!(
            p.segments,
            vec![
                Key("a".into()),
                Key("b".into()),
                Index(0),
                Key("c".into()),
                Each,
                Key("x.y".into()),
                Key("z".into()),
                Each
            ]
        );
        assert_eq!(p.to_string(), "a.b[0].c[*].\"x.y\".z[*]");
        assert!(Path::parse("").unwrap().is_self());
        assert!(Path::parse("a.").is_err());
        assert!(Path::parse("a[x]").is_err());
        assert!(Path::parse("a[0").is_err());
    }

    #[test]
    fn key_patterns_hold_any_regex() {
        let p = Path::parse(r#"env[~"(?i)(^|_)(KEY|TOKEN)$"].value[~'a"b']"#).unwrap();
        assert_eq!(p.segments.len(), 4);
        assert!(matches!(&p.segments[1], KeyMatch(k) if k.is_match("API_KEY")));
        assert_eq!(p.segments[2], Key("value".into()));
        assert_eq!(
            p.to_string(),
            r#"env[~"(?i)(^|_)(KEY|TOKEN)$"].value[~'a"b']"#
        );
        assert_eq!(Path::parse(&p.to_string()).unwrap(), p);
        assert!(Path::parse("a[~x]").is_err());
        assert!(Path::parse("a[~\"x]").is_err());
        assert!(Path::parse("a[~\"x\"").is_err());
        assert!(Path::parse("a[~\"(\"]").is_err());
    }
}
