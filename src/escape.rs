//! Text from the scanned repository, made harmless for each output format.
//!
//! Paths, resource names and values, messages built from them, the text of a
//! repository's own rule files, suppression reasons and git metadata all reach
//! the reports, and a pull request controls every one of them. Each format
//! has one function here that its renderers pass such text through:
//!
//! * [`terminal`]: characters a terminal or a CI log viewer acts on instead of
//!   showing (C0 and C1 controls, DEL, bidirectional overrides, line
//!   separators, a byte-order mark) become visible escapes (`\x1b`, `\n`,
//!   `\u{202e}`), so no escape sequence runs and no text starts a line of its
//!   own; [`guard_workflow_commands`] then makes sure no line of a whole
//!   human or compact report is a GitHub Actions workflow command.
//! * [`markdown`] and [`markdown_code`]: no link, image, HTML, entity or
//!   mention, and code spans fenced with more backticks than they hold.
//! * [`xml`] and [`xml_attribute`]: well-formed XML 1.0 whatever the input.
//! * [`html`] and [`uri_path`]: escaped text, and links that are relative
//!   paths soclint built (never a scheme taken from a file name).
//! * [`csv_cell`]: a cell a spreadsheet shows as text, never runs as a formula.
//!
//! Every function returns the text borrowed when it needs nothing: the common
//! case costs one pass over the bytes and no copy.
use std::borrow::Cow;
use std::fmt::Write;

/// Whether a terminal or a log viewer would act on `c` rather than show it:
/// C0 controls except tab, DEL and C1 controls (ESC, CSI and OSC start escape
/// sequences; CR and LF move the cursor), bidirectional marks, embeddings,
/// overrides and isolates (they reorder what is shown), line and paragraph
/// separators, and the byte-order mark.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x08'
            | '\n'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Whether `s` may hold a hidden character: only ASCII controls and non-ASCII
/// bytes can start one (a check the compiler vectorises).
fn may_hide(s: &str) -> bool {
    s.bytes().fold(false, |any, b| {
        any | ((b < 0x20) & (b != b'\t')) | (b >= 0x7f)
    })
}

/// How a hidden character is shown: `\n`, `\r`, `\x1b` for ASCII, `\u{202e}` beyond.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every character `replace` claims rewritten by it; borrowed when
/// none is.
fn rewrite<'a>(
    s: &'a str,
    skip: impl Fn(&str) -> bool,
    mut replace: impl FnMut(&mut String, char) -> bool,
) -> Cow<'a, str> {
    if skip(s) {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    for (i, c) in s.char_indices() {
        match &mut out {
            Some(o) => {
                if !replace(o, c) {
                    o.push(c);
                }
            }
            None => {
                let mut o = String::new();
                if replace(&mut o, c) {
                    let mut whole = String::with_capacity(s.len() + o.len() + 8);
                    whole.push_str(&s[..i]);
                    whole.push_str(&o);
                    out = Some(whole);
                }
            }
        }
    }
    out.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// Text for a terminal or a CI log: hidden characters as visible escapes
/// (tab stays a tab).
pub fn terminal(s: &str) -> Cow<'_, str> {
    rewrite(
        s,
        |s| !may_hide(s),
        |out, c| {
            let hidden = is_hidden(c);
            if hidden {
                push_visible(out, c);
            }
            hidden
        },
    )
}

/// A whole terminal report (human or compact) with no line that the GitHub
/// Actions runner would take as a workflow command: it runs a line that
/// starts with `::` after leading white space (`::add-mask::`, `::error …`,
/// `::stop-commands::`) and, in the older syntax, one that holds `##[`
/// anywhere. Untrusted text cannot add a line of its own (see [`terminal`]),
/// but a path starts each compact line and a long message wraps onto a new
/// line at a space; such a line gets a backslash before its `::`, and `##[`
/// becomes `##\[`. A report without either is returned as it is.
pub fn guard_workflow_commands(report: String) -> String {
    let risky = report.lines().any(|line| {
        line.trim_start().starts_with("::")
            || memchr::memmem::find(line.as_bytes(), b"##[").is_some()
    });
    if !risky {
        return report;
    }
    let mut out = String::with_capacity(report.len() + 16);
    for line in report.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        if body.starts_with("::") {
            out.push('\\');
        }
        out.push_str(&body.replace("##[", "##\\["));
    }
    out
}

/// ASCII punctuation that can open Markdown markup inside a line: emphasis,
/// code, links and images, raw HTML and autolinks, entities, table cells,
/// strikethrough, headings, and the backslash itself.
fn markdown_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '`'
            | '*'
            | '_'
            | '['
            | ']'
            | '('
            | ')'
            | '<'
            | '>'
            | '!'
            | '|'
            | '~'
            | '&'
            | '#'
            | ':'
    )
}

/// Markdown text outside code spans (table cells, list items): markup
/// characters backslash-escaped (`:` too, which ends the autolinking of a
/// bare `https://…`, as the escaped `.` of `www.` does), `@` in a code span of
/// its own (a backslash does not stop a GitHub mention, code does), a
/// leading `-` or `+` escaped (no list), hidden characters visible.
pub fn markdown(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    rewrite(
        s,
        |s| {
            !may_hide(s)
                && !s
                    .bytes()
                    .any(|b| b == b'@' || (b.is_ascii_punctuation() && markdown_special(b as char)))
                && !s.starts_with(['-', '+'])
                && !s
                    .as_bytes()
                    .windows(4)
                    .any(|w| w[3] == b'.' && w[..3].eq_ignore_ascii_case(b"www"))
        },
        {
            let mut at = 0usize;
            move |out, c| {
                let i = at;
                at += c.len_utf8();
                let www = c == '.' && i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www");
                if is_hidden(c) {
                    push_visible(out, c);
                } else if c == '@' {
                    out.push_str("`@`");
                } else if markdown_special(c) || www || (i == 0 && matches!(c, '-' | '+')) {
                    out.push('\\');
                    out.push(c);
                } else {
                    return false;
                }
                true
            }
        },
    )
}

/// `s` as a Markdown code span: fenced by one backtick more than its longest
/// run, padded when it starts or ends with a backtick or a space (which the
/// fence would otherwise eat), hidden characters visible, and inside a table
/// cell `|` escaped (GitHub splits cells before it reads code spans).
pub fn markdown_code(s: &str, in_table: bool) -> String {
    if s.is_empty() {
        return "` `".to_string();
    }
    let shown = terminal(s);
    let longest = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if shown.starts_with(['`', ' ']) || shown.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    let body = if in_table && shown.contains('|') {
        Cow::Owned(shown.replace('|', "\\|"))
    } else {
        shown
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Whether XML 1.0 can carry `c` at all (its `Char` production: no C0 but
/// tab, LF and CR, no U+FFFE or U+FFFF; Rust strings hold no surrogates).
fn xml_char(c: char) -> bool {
    !matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}')
}

fn xml_markup(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        _ => None,
    }
}

fn xml_escape(s: &str, attribute: bool) -> Cow<'_, str> {
    rewrite(
        s,
        |s| {
            s.bytes().all(|b| {
                b >= 0x20 && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
                    || (!attribute && matches!(b, b'\t' | b'\n' | b'\r'))
            }) && !s.contains(['\u{fffe}', '\u{ffff}'])
        },
        |out, c| {
            if let Some(entity) = xml_markup(c) {
                out.push_str(entity);
            } else if !xml_char(c) {
                push_visible(out, c);
            } else if attribute && matches!(c, '\t' | '\n' | '\r') {
                // an attribute value's white space is normalised to spaces by
                // every parser unless written as a character reference
                let _ = write!(out, "&#{};", c as u32);
            } else {
                return false;
            }
            true
        },
    )
}

/// XML element content: markup characters as entities, characters XML 1.0
/// forbids as visible escapes (a parser rejects the whole document over one).
pub fn xml(s: &str) -> Cow<'_, str> {
    xml_escape(s, false)
}

/// An XML attribute value in double quotes: as [`xml`], and tab, LF and CR
/// as character references (kept through attribute-value normalisation).
pub fn xml_attribute(s: &str) -> Cow<'_, str> {
    xml_escape(s, true)
}

/// HTML text and attribute values (double or single quoted): markup
/// characters as entities, hidden characters visible (a bidirectional
/// override would reorder what an auditor reads).
pub fn html(s: &str) -> Cow<'_, str> {
    rewrite(
        s,
        |s| {
            !may_hide(s)
                && !s
                    .bytes()
                    .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
        },
        |out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c if is_hidden(c) => push_visible(out, c),
                _ => return false,
            }
            true
        },
    )
}

/// A CSV cell (the csv writer quotes it) that a spreadsheet shows as text: a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be
/// read as a formula (`=HYPERLINK(…)` in a resource name), so it gets a
/// leading `'`, as OWASP advises; hidden characters become visible.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let shown = rewrite(
        s,
        |s| !may_hide(s),
        |out, c| {
            if is_hidden(c) {
                push_visible(out, c);
                true
            } else {
                false
            }
        },
    );
    if formula {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

/// A relative path as a relative URI reference: `/` kept, every byte outside
/// RFC 3986's unreserved set percent-encoded, so no `:` can make it a scheme,
/// no `?` or `#` a query or fragment, no quote or bracket end the link.
pub fn uri_path(path: &str) -> Cow<'_, str> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/');
    if path.bytes().all(plain) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 16);
    for b in path.bytes() {
        if plain(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Cow::Owned(out)
}

/// A remote URL as a report shows it, without anything that can carry a
/// credential, in the forms git remotes and Terraform module sources take:
/// the user part (`https://user:token@host`, `https://token@host/x`,
/// `user@host:path`, `git::https://user:token@host/x`), a fragment, and a
/// query (`?private_token=…`, go-getter's `?sshkey=…` and
/// `?aws_access_key_secret=…`) but for its `ref=`. A report names the
/// repository or module; it must not leak a token into a CI log.
pub fn url_without_credentials(url: &str) -> String {
    // go-getter's forced getter (`git::`, `s3::`) stays in front of what follows
    if let Some((getter, inner)) = url.split_once("::") {
        if !getter.is_empty() && getter.chars().all(|c| c.is_ascii_alphanumeric()) {
            return format!("{getter}::{}", url_without_credentials(inner));
        }
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let tail = tail.split('#').next().unwrap_or_default();
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let mut out = match scheme {
        Some(scheme) => format!("{scheme}://{host}{path}"),
        None => format!("{host}{path}"),
    };
    let refs: Vec<&str> = query.split('&').filter(|p| p.starts_with("ref=")).collect();
    if !refs.is_empty() {
        out.push('?');
        out.push_str(&refs.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn borrowed(c: Cow<str>) -> bool {
        matches!(c, Cow::Borrowed(_))
    }

    #[test]
    fn terminal_shows_what_a_terminal_would_act_on() {
        let plain = "infra/main.tf: bucket `logs` ✓ ünïcode\ttab";
        assert!(borrowed(terminal(plain)));
        assert_eq!(
            terminal("a\x1b]0;PWNED\x07b\nc\rd\x7f\u{9b}e\u{202e}f\u{2028}\u{feff}"),
            "a\\x1b]0;PWNED\\x07b\\nc\\rd\\x7f\\u{9b}e\\u{202e}f\\u{2028}\\u{feff}"
        );
    }

    #[test]
    fn no_line_is_a_workflow_command() {
        let clean = "main.tf:1:1: HIGH X [CC6.1] a::b\n  note: fine\n".to_string();
        assert_eq!(guard_workflow_commands(clean.clone()), clean);
        assert_eq!(
            guard_workflow_commands(
                "::error x::a.tf:1:1: m\n  \u{3000}::add-mask::y\nok ##[error]z\n".into()
            ),
            "\\::error x::a.tf:1:1: m\n  \u{3000}\\::add-mask::y\nok ##\\[error]z\n"
        );
    }

    #[test]
    fn markdown_text_makes_no_markup() {
        assert!(borrowed(markdown("plain text, 3 findings; CC6.1 ok")));
        assert_eq!(
            markdown("![x](https://e.example/p.gif) [a](b) <img> &lt; @team www.e.example -x"),
            "\\!\\[x\\]\\(https\\://e.example/p.gif\\) \\[a\\]\\(b\\) \\<img\\> \\&lt; `@`team www\\.e.example -x"
        );
        assert_eq!(markdown("-x\n## y|`z`"), "\\-x\\n\\#\\# y\\|\\`z\\`");
    }

    #[test]
    fn markdown_code_spans_hold_any_backticks() {
        assert_eq!(markdown_code("a.tf", false), "`a.tf`");
        assert_eq!(markdown_code("a`b``c", false), "```a`b``c```");
        assert_eq!(markdown_code("`x", false), "`` `x ``");
        assert_eq!(markdown_code("a|b\nc", true), "`a\\|b\\nc`");
        assert_eq!(markdown_code("a|b", false), "`a|b`");
        assert_eq!(markdown_code("", false), "` `");
    }

    #[test]
    fn xml_is_always_well_formed() {
        assert!(borrowed(xml("a\tb\nc ✓")));
        assert_eq!(
            xml("<a & 'b'>\u{fffe}\u{ffff}\x01\x1b\n"),
            "&lt;a &amp; &apos;b&apos;&gt;\\u{fffe}\\u{ffff}\\x01\\x1b\n"
        );
        assert_eq!(xml_attribute("a\tb\nc\"d"), "a&#9;b&#10;c&quot;d");
    }

    #[test]
    fn html_and_links() {
        assert!(borrowed(html("infra/main.tf")));
        assert_eq!(
            html("\"><img onerror=x>\u{202e}'"),
            "&quot;&gt;&lt;img onerror=x&gt;\\u{202e}&#39;"
        );
        assert!(borrowed(uri_path("infra/main.tf")));
        assert_eq!(
            uri_path("javascript:alert(1)<!--/a b#?.tf"),
            "javascript%3Aalert%281%29%3C%21--/a%20b%23%3F.tf"
        );
    }

    #[test]
    fn credentials_are_stripped_from_every_remote_form() {
        for (url, shown) in [
            (
                "https://bot:glpat-TOKEN123@gitlab.example.com",
                "https://gitlab.example.com",
            ),
            (
                "https://ghp_TOKEN@github.com/acme/infra.git",
                "https://github.com/acme/infra.git",
            ),
            ("https://u:p@w@host:8443/a/b", "https://host:8443/a/b"),
            (
                "https://gitlab.example.com/a.git?private_token=glpat-X",
                "https://gitlab.example.com/a.git",
            ),
            ("https://host?access_token=X#frag", "https://host"),
            (
                "ssh://git@github.com/acme/infra.git",
                "ssh://github.com/acme/infra.git",
            ),
            (
                "bot:token@github.com:acme/infra.git",
                "github.com:acme/infra.git",
            ),
            ("git@github.com:acme/infra.git", "github.com:acme/infra.git"),
            ("/srv/git/infra.git", "/srv/git/infra.git"),
            (
                "https://example.com/acme/infra.git",
                "https://example.com/acme/infra.git",
            ),
            // Terraform module sources (go-getter)
            (
                "git::https://bot:ghp_TOKEN@github.com/acme/mod.git?ref=v1.2.0",
                "git::https://github.com/acme/mod.git?ref=v1.2.0",
            ),
            (
                "git::ssh://git@example.com/mod.git?sshkey=LS0tLS1CRUdJTg&ref=main",
                "git::ssh://example.com/mod.git?ref=main",
            ),
            (
                "s3::https://s3.amazonaws.com/b/mod.zip?aws_access_key_id=AKIA&aws_access_key_secret=S",
                "s3::https://s3.amazonaws.com/b/mod.zip",
            ),
            ("hashicorp/consul/aws", "hashicorp/consul/aws"),
            // the scp form after a forced getter (terragrunt-infrastructure-live-example)
            (
                "git::git@github.com:gruntwork-io/modules.git//modules/mysql?ref=v0.8.0",
                "git::github.com:gruntwork-io/modules.git//modules/mysql?ref=v0.8.0",
            ),
        ] {
            assert_eq!(url_without_credentials(url), shown, "{url}");
        }
    }
}
