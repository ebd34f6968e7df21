//! Versions for the `version_lt`/`version_ge`/… tests: dotted numbers
//! (`v6`, `6.0.2`, `1.27`), compared numerically with missing parts as 0.
//! An action reference is judged by its ref (`actions/checkout@v6.0.2`), and
//! a commit SHA by the version its trailing comment names
//! (`@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1`), as Dependabot and
//! pinning tools write it.

/// A version: its numeric parts (`v6.0.2` → [6, 0, 2]).
pub type Version = Vec<u64>;

/// Provider type (`aws`, `azurerm`) → the version a Terraform root module
/// runs it with (read by `terraform::providers`).
pub type ProviderVersions = std::collections::HashMap<String, Version>;

/// `v6`, `V1.2`, `6.0.2`, `6.0.0-beta.1` (the pre-release suffix is ignored):
/// at most four numeric parts.
pub fn parse(text: &str) -> Option<Version> {
    let t = text.trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let core = t.split(['-', '+']).next()?;
    let parts: Option<Version> = core.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| {
        !p.is_empty() && p.len() <= 4 && core.chars().all(|c| c.is_ascii_digit() || c == '.')
    })
}

/// The version a value names: the ref after `@` of an action reference (or
/// the value itself), else the version in a `# v…` comment that follows the
/// value on its line (`rest_of_line`).
pub fn of_value(value: &str, rest_of_line: Option<&str>) -> Option<Version> {
    let reference = value.rsplit_once('@').map_or(value, |(_, r)| r);
    parse(reference).or_else(|| {
        let comment = rest_of_line?.trim_start().strip_prefix('#')?;
        parse(comment.split_whitespace().next()?)
    })
}

/// Numeric comparison, missing parts counting as 0 (`v6` = `6.0.0`).
pub fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    let part = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| part(a, i).cmp(&part(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn versions_and_where_they_are_written() {
        assert_eq!(parse("v6"), Some(vec![6]));
        assert_eq!(parse("6.0.2"), Some(vec![6, 0, 2]));
        assert_eq!(parse("v6.0.0-beta.1"), Some(vec![6, 0, 0]));
        assert_eq!(parse("main"), None);
        assert_eq!(parse("8e8c483db84b4bee98b60c0593521ed34d9990e8"), None);
        assert_eq!(parse("v1.2.3.4.5"), None);
        assert_eq!(of_value("actions/checkout@v4", None), Some(vec![4]));
        assert_eq!(
            of_value(
                "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8",
                Some(" # v6.0.1")
            ),
            Some(vec![6, 0, 1])
        );
        assert_eq!(
            of_value(
                "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8",
                Some("")
            ),
            None
        );
        assert_eq!(of_value("actions/checkout@main", Some(" # pinned")), None);
        assert_eq!(cmp(&[6], &[6, 0, 0]), Equal);
        assert_eq!(cmp(&[5, 9], &[6]), Less);
        assert_eq!(cmp(&[7, 0, 1], &[6]), Greater);
    }
}
