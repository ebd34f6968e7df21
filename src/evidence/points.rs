//! The points of focus of each criterion, as data in the binary
//! (`data/points_of_focus.tsv`): how many there are, and which of them static
//! checks of a repository can evidence, through which rules.
use std::collections::BTreeMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("data/points_of_focus.tsv");

/// A point of focus static checks can give evidence for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testable {
    /// `CC6.1.e`: the criterion and the point's letter in the cited copy.
    pub id: String,
    /// Rule ids or id prefixes (ending in `-`) that evidence it.
    pub rules: Vec<&'static str>,
    /// What the rules show, in soclint's words.
    pub evidence: &'static str,
}

impl Testable {
    /// Whether rule `id` evidences this point of focus.
    pub fn selects(&self, id: &str) -> bool {
        self.rules.iter().any(|s| {
            if s.ends_with('-') {
                id.starts_with(s)
            } else {
                id == *s
            }
        })
    }
}

/// One criterion's points of focus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Points {
    pub total: usize,
    pub testable: Vec<Testable>,
}

/// Every criterion's points of focus, by criterion id.
pub fn all() -> &'static BTreeMap<&'static str, Points> {
    static MAP: OnceLock<BTreeMap<&'static str, Points>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: BTreeMap<&'static str, Points> = BTreeMap::new();
        for line in DATA
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1)
        {
            let f: Vec<&'static str> = line.split('\t').collect();
            match f[..] {
                [criterion, "*", total] => {
                    map.entry(criterion).or_default().total = total.parse().unwrap_or(0);
                }
                [criterion, point, rules, evidence] => {
                    map.entry(criterion).or_default().testable.push(Testable {
                        id: format!("{criterion}.{point}"),
                        rules: rules.split(',').collect(),
                        evidence,
                    });
                }
                _ => {}
            }
        }
        map
    })
}

/// The points of focus of `criterion` (none for an unknown id).
pub fn of(criterion: &str) -> Points {
    all().get(criterion).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::criteria::CRITERIA;

    #[test]
    fn every_criterion_has_its_count_and_no_more_testable_points_than_that() {
        for c in CRITERIA {
            let p = of(c.id);
            assert!(p.total > 0, "{} has no point-of-focus count", c.id);
            assert!(p.testable.len() <= p.total, "{}", c.id);
            // a criterion out of reach of static analysis has nothing testable
            if c.static_evidence == crate::rules::criteria::Evidence::No {
                assert!(p.testable.is_empty(), "{}", c.id);
            }
        }
        assert_eq!(all().len(), CRITERIA.len());
        assert_eq!(of("CC6.1").total, 13);
        assert_eq!(of("CC1.5").testable[0].id, "CC1.5.a");
    }

    /// Each rule a point names cites the point's criterion in the built-in
    /// pack: a point cannot be "tested" by a rule about something else.
    #[test]
    fn every_point_names_rules_that_cite_its_criterion() {
        let set = crate::rules::builtin_set();
        for (criterion, points) in all() {
            for t in &points.testable {
                for sel in &t.rules {
                    let hit = set.rules.iter().any(|r| {
                        r.meta.criteria.contains(criterion)
                            && Testable {
                                rules: vec![sel],
                                ..t.clone()
                            }
                            .selects(&r.meta.id)
                    });
                    assert!(hit, "{}: `{sel}` selects no rule citing {criterion}", t.id);
                }
            }
        }
    }
}
