//! "Did you mean": the nearest known name to one a user typed (a rule id, a
//! config key, an operator, a resource type), so an error can offer the fix.

/// The known name closest to `typed`: one that differs only in case first,
/// else, among names similar enough (Jaro-Winkler at least 0.8, which keeps
/// unrelated names out: `threds` → `threads`, never `fail-on`), the fewest
/// edits away. Ties go to the first in `known`, so the answer does not
/// depend on hashing.
pub fn nearest<'k>(typed: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let lower = typed.to_lowercase();
    // fewest edits first, then the nearest length, then Jaro-Winkler (which
    // favours a shared start): `CKV_AWS_2O` is `CKV_AWS_20`, not `CKV_AWS_2`
    let mut best: Option<(&str, (usize, usize), f64)> = None;
    for k in known {
        let k_lower = k.to_lowercase();
        if k_lower == lower {
            return Some(k);
        }
        let similarity = strsim::jaro_winkler(&lower, &k_lower);
        if similarity < 0.8 {
            continue;
        }
        let rank = (
            strsim::levenshtein(&lower, &k_lower),
            lower.chars().count().abs_diff(k_lower.chars().count()),
        );
        let better = match best {
            None => true,
            Some((_, r, s)) => rank < r || (rank == r && similarity > s),
        };
        if better {
            best = Some((k, rank, similarity));
        }
    }
    best.map(|(k, _, _)| k)
}

/// `; did you mean `x`?` for the nearest known name, or nothing.
pub fn did_you_mean<'k>(typed: &str, known: impl IntoIterator<Item = &'k str>) -> String {
    nearest(typed, known).map_or_else(String::new, |k| format!("; did you mean `{k}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_case_wins_over_a_nearer_spelling() {
        assert_eq!(
            nearest("aws-s3-001", ["AWS-S3-002", "AWS-S3-001"]),
            Some("AWS-S3-001")
        );
    }

    #[test]
    fn a_typo_finds_its_key_and_nonsense_finds_nothing() {
        let keys = ["fail-on", "threads", "policy-paths"];
        assert_eq!(nearest("threds", keys), Some("threads"));
        assert_eq!(nearest("policy-path", keys), Some("policy-paths"));
        assert_eq!(nearest("zzz", keys), None);
        assert_eq!(did_you_mean("threds", keys), "; did you mean `threads`?");
        assert_eq!(did_you_mean("zzz", keys), "");
        assert_eq!(
            nearest("CKV_AWS_2O", ["CKV_AWS_2", "CKV_AWS_20"]),
            Some("CKV_AWS_20")
        );
    }
}
