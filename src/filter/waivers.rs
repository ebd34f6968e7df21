//! Central waivers (`[[waiver]]` in soclint.toml): which findings each one
//! accepts, and the same reason/expiry/unused rules as inline comments.
use globset::{Glob, GlobMatcher};

use crate::config::Waiver;
use crate::finding::{Finding, Suppression, SuppressionKind};

pub struct Compiled<'a> {
    pub waiver: &'a Waiver,
    matcher: Option<GlobMatcher>,
}

pub fn compile(waivers: &[Waiver]) -> Vec<Compiled<'_>> {
    waivers
        .iter()
        .map(|w| Compiled {
            waiver: w,
            matcher: Glob::new(&w.path).ok().map(|g| g.compile_matcher()),
        })
        .collect()
}

impl Compiled<'_> {
    pub fn matches(&self, f: &Finding) -> bool {
        let w = self.waiver;
        w.rule == f.rule.id
            && self.matcher.as_ref().is_some_and(|m| m.is_match(&f.path))
            && w.resource.as_ref().is_none_or(|r| r == &f.resource)
    }

    pub fn suppression(&self, config_path: &str) -> Suppression {
        let w = self.waiver;
        Suppression {
            kind: SuppressionKind::External,
            justification: w.reason.clone().unwrap_or_default(),
            location: format!("{config_path}:{}", w.line),
            expires: w.expires.clone(),
            owner: w.owner.clone(),
            ticket: w.ticket.clone(),
        }
    }
}
