//! "Did you mean": the nearest known name to one a user typed (a rule id, a
//! config key, an operator, a resource type), so an error can offer the fix.

/// The known name closest to `typed`: one that differs only in case first,
/// else the nearest by Jaro-Winkler similarity above a floor that keeps
/// unrelated names out (`threds` → `threads`, never `fail-on`). Ties go to
/// the first in `known`, so the answer does not depend on hashing.
pub fn nearest<'k>(typed: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let lower = typed.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for k in known {
        if k.to_lowercase() == lower {
            return Some(k);
        }
        let score = strsim::jaro_winkler(&lower, &k.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(_, b)| score > b) {
            best = Some((k, score));
        }
    }
    best.map(|(k, _)| k)
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
    }
}
