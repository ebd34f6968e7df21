//! Reading a TOML file a person wrote (soclint.toml, a rule file) so that
//! one run names every unknown key in it, each with the nearest known one,
//! instead of one error per run.
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One problem in the file: what is wrong and where (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub span: Option<Range<usize>>,
}

/// At most this many unknown keys are reported from one file.
const MAX_PROBLEMS: usize = 50;

/// Deserializes `text`. On failure: every unknown key (serde stops at the
/// first, so each is taken out of the parsed table and the rest read
/// again), and the first other error of each `[[table]]` entry (the entry
/// is then left out and the others read); a TOML syntax error alone.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Vec<Problem>> {
    let first = match toml::from_str::<T>(text) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let Ok(mut table) = DeTable::parse(text) else {
        return Err(vec![problem(&first)]);
    };
    let mut problems = vec![problem(&first)];
    let mut error = first;
    while problems.len() < MAX_PROBLEMS {
        let Some(span) = error.span() else {
            break;
        };
        // an unknown key goes; any other error takes its whole `[[table]]`
        // entry with it, so the next entries are still read
        let removed = if is_unknown_key(error.message()) {
            remove_key(table.get_mut(), &span)
        } else {
            remove_entry(table.get_mut(), &span)
        };
        if !removed {
            break;
        }
        match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(_) => break,
            Err(e) => {
                problems.push(problem(&e));
                error = e;
            }
        }
    }
    // in the file's order (serde meets keys in the order of its own map)
    problems.sort_by_key(|p| p.span.as_ref().map_or(0, |s| s.start));
    Err(problems)
}

fn is_unknown_key(message: &str) -> bool {
    message.starts_with("unknown field `")
}

fn problem(e: &toml::de::Error) -> Problem {
    Problem {
        message: with_suggestion(e.message().trim_end()),
        span: e.span(),
    }
}

/// serde's `unknown field `x`, expected one of `a`, `b`` (or `unknown
/// variant`) with the nearest expected name first: `unknown field `equls`;
/// did you mean `equals`?`. The full list stays when nothing is near.
pub fn with_suggestion(message: &str) -> String {
    let Some((head, expected)) = message.split_once(", expected ") else {
        return message.to_string();
    };
    let Some(typed) = head
        .strip_prefix("unknown field `")
        .or_else(|| head.strip_prefix("unknown variant `"))
        .and_then(|rest| rest.strip_suffix('`'))
    else {
        return message.to_string();
    };
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match crate::suggest::nearest(typed, names.iter().copied()) {
        Some(near) => format!("{head}; did you mean `{near}`?"),
        None => message.to_string(),
    }
}

/// Takes the key whose name is at `span` out of `table`, at any depth.
fn remove_key(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let key = table
        .keys()
        .find(|k| k.span() == *span)
        .map(|k| k.get_ref().to_string());
    if let Some(key) = key {
        return table.remove(key.as_str()).is_some();
    }
    table.iter_mut().any(|(_, v)| remove_in_value(v, span))
}

/// Takes out of `table` the `[[array]]` entry that holds `span`: the one
/// whose header is the last before it (an entry's span is its header).
fn remove_entry<'i>(table: &mut DeTable<'i>, span: &Range<usize>) -> bool {
    let mut holder: Option<(String, usize, usize)> = None;
    for (key, value) in table.iter() {
        let DeValue::Array(items) = value.get_ref() else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let start = item.span().start;
            let is_table = matches!(item.get_ref(), DeValue::Table(_));
            if is_table && start <= span.start && holder.as_ref().is_none_or(|h| start > h.2) {
                holder = Some((key.get_ref().to_string(), i, start));
            }
        }
    }
    let Some((key, index, _)) = holder else {
        return false;
    };
    let Some((name, value)) = table.remove_entry(key.as_str()) else {
        return false;
    };
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        return false;
    };
    let kept: toml::de::DeArray<'i> = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, v)| v)
        .collect();
    table.insert(name, Spanned::new(span, DeValue::Array(kept)));
    true
}

fn remove_in_value(value: &mut Spanned<DeValue<'_>>, span: &Range<usize>) -> bool {
    // (an array of tables' span is its first header only: no pruning by span)
    match value.get_mut() {
        DeValue::Table(t) => remove_key(t, span),
        DeValue::Array(items) => items.iter_mut().any(|v| remove_in_value(v, span)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub(super) struct Inner {
        equals: Option<String>,
        path: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub(super) struct Outer {
        threads: Option<u32>,
        #[serde(default)]
        rule: Vec<Inner>,
    }

    #[test]
    fn every_unknown_key_is_named_with_the_nearest() {
        let text = "threds = 2\n[[rule]]\npath = \"a\"\nequls = \"b\"\n[[rule]]\npaht = \"c\"\n";
        let problems = from_str::<Outer>(text).expect_err("invalid");
        let got: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.message.as_str(), &text[p.span.clone().expect("span")]))
            .collect();
        assert_eq!(
            got,
            [
                ("unknown field `threds`; did you mean `threads`?", "threds"),
                ("unknown field `equls`; did you mean `equals`?", "equls"),
                ("unknown field `paht`; did you mean `path`?", "paht"),
            ]
        );
    }

    #[test]
    fn an_entry_with_another_error_is_left_out_and_the_rest_read() {
        let text = "[[rule]]\npath = 1\n[[rule]]\npaht = \"c\"\n[[rule]]\nequals = []\n";
        let problems = from_str::<Outer>(text).expect_err("invalid");
        let got: Vec<(&str, usize)> = problems
            .iter()
            .map(|p| (p.message.as_str(), p.span.clone().expect("span").start))
            .collect();
        assert_eq!(
            got,
            [
                ("invalid type: integer `1`, expected a string", 16),
                ("unknown field `paht`; did you mean `path`?", 27),
                ("invalid type: sequence, expected a string", 56),
            ]
        );
    }

    #[test]
    fn a_syntax_error_is_one_problem_and_a_valid_file_reads() {
        assert_eq!(from_str::<Outer>("threads = \n").expect_err("bad").len(), 1);
        assert_eq!(
            from_str::<Outer>("threads = 2\n").expect("ok").threads,
            Some(2)
        );
    }

    #[test]
    fn nothing_near_keeps_the_list() {
        assert_eq!(
            with_suggestion("unknown field `zzz`, expected `equals` or `path`"),
            "unknown field `zzz`, expected `equals` or `path`"
        );
        assert_eq!(
            with_suggestion("unknown variant `hgh`, expected one of `critical`, `high`, `low`"),
            "unknown variant `hgh`; did you mean `high`?"
        );
    }
}
