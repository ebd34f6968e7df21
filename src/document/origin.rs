//! Where values were set, kept beside the documents rather than in them.
//!
//! An evaluator that resolves a reference (a Terraform `var.x` or `local.y`,
//! a module argument, a CloudFormation `!Ref` to a parameter) gives the
//! value the span of the reference, so rules and findings point at the place
//! in the resource that uses it. Where the value was written is recorded
//! here, in a side table of [`Origin`]s per resource scope, instead of in
//! every [`Node`](super::Node) (which would cost every document of a scan
//! memory). The evaluate stage looks a finding's span up in its resource's
//! table and makes the place the value was set the finding's primary
//! location, with the use as a related "landing" site.
use std::sync::Arc;

use super::Span;

/// A span in one of the files a scan chunk evaluates (an index into the
/// chunk's file list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileSpan {
    pub file: usize,
    pub span: Span,
}

impl FileSpan {
    pub const fn new(file: usize, span: Span) -> Self {
        FileSpan { file, span }
    }
}

/// Where a value was set: a place in a file of the chunk, or none (the
/// command line, a file outside the scan), and what set it, for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetBy {
    pub at: Option<FileSpan>,
    /// "module argument `x`", "`x` in terraform.tfvars", "default of
    /// variable `x`", "local `x`", "--var x", "default of parameter `X`".
    pub what: Arc<str>,
}

impl SetBy {
    pub fn new(at: Option<FileSpan>, what: impl Into<Arc<str>>) -> Self {
        SetBy {
            at,
            what: what.into(),
        }
    }
}

/// A value that lands in a resource at `landing` (the reference its nodes
/// were re-spanned to) and was set elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub landing: FileSpan,
    pub set_by: SetBy,
}

/// The origin of the value at `at`, in a table sorted by landing.
pub fn find(origins: &[Origin], at: FileSpan) -> Option<&SetBy> {
    origins
        .binary_search_by(|o| o.landing.cmp(&at))
        .ok()
        .map(|i| &origins[i].set_by)
}

/// A table of origins sorted by landing, one per landing (the last recorded
/// wins), from (landing, set by) pairs.
pub fn table(pairs: impl IntoIterator<Item = (FileSpan, SetBy)>) -> Vec<Origin> {
    let mut out: Vec<Origin> = pairs
        .into_iter()
        .map(|(landing, set_by)| Origin { landing, set_by })
        .collect();
    out.sort_by_key(|o| o.landing);
    out.dedup_by(|later, earlier| {
        if later.landing == earlier.landing {
            std::mem::swap(later, earlier);
            true
        } else {
            false
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_found_by_landing() {
        let at = |file, start| FileSpan::new(file, Span::new(start, start + 5));
        let origins = table([
            (at(1, 40), SetBy::new(Some(at(0, 3)), "local `a`")),
            (at(0, 10), SetBy::new(None, "--var b")),
            (at(1, 40), SetBy::new(Some(at(2, 7)), "module argument `a`")),
        ]);
        assert_eq!(origins.len(), 2);
        assert_eq!(
            find(&origins, at(1, 40)).map(|s| &*s.what),
            Some("module argument `a`")
        );
        assert_eq!(find(&origins, at(0, 10)).and_then(|s| s.at), None);
        assert!(find(&origins, at(0, 11)).is_none());
        assert!(find(&[], at(0, 10)).is_none());
    }
}
