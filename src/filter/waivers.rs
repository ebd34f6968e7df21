//! Central waivers (`[[waiver]]` in soclint.toml): which findings (or, with
//! `unscanned`, which files not scanned) each one accepts, and the same
//! reason/expiry/unused rules as inline comments.
use globset::{Glob, GlobMatcher};

use crate::config::Waiver;
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::unscanned::{Gap, Status};

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
        w.unscanned.is_none()
            && w.rule == f.rule.id
            && self.matcher.as_ref().is_some_and(|m| m.is_match(&*f.path))
            && w.resource.as_ref().is_none_or(|r| **r == *f.resource)
    }

    /// Whether it accepts a coverage gap of this kind at `path`.
    pub fn matches_gap(&self, gap: Gap, path: &str) -> bool {
        self.waiver
            .unscanned
            .as_deref()
            .is_some_and(|kind| kind == "*" || kind == gap.id())
            && self.matcher.as_ref().is_some_and(|m| m.is_match(path))
    }

    /// How a gap it accepts is reported.
    pub fn gap_status(&self, config_path: &str) -> Status {
        Status::Waived {
            location: format!("{config_path}:{}", self.waiver.line),
            reason: self.waiver.reason.clone().unwrap_or_default(),
        }
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
