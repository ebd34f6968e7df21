//! Provenance: where each byte of a rendered text came from.
//!
//! A [`Str`] is a string plus a rope of origin-tagged segments. An [`Origin`]
//! names a source (a template file, a values file, by index into the render's
//! source table) and a byte offset in it; an *exact* origin maps byte `i` of
//! its segment to `offset + i` (text copied verbatim), a *coarse* one maps
//! every byte of the segment to `offset` (text derived from something written
//! there: a number printed from values.yaml, the spaces `nindent` inserts at a
//! call site). Functions that copy text keep segments; the others give their
//! result the origin of their input or of their call site.
use std::rc::Rc;

/// Where a piece of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Index into the render's source table; [`Origin::NONE`] for none.
    pub src: u32,
    pub offset: u32,
    pub exact: bool,
}

impl Origin {
    pub const NONE: Origin = Origin {
        src: u32::MAX,
        offset: 0,
        exact: false,
    };
    pub fn exact(src: u32, offset: usize) -> Self {
        Origin {
            src,
            offset: offset as u32,
            exact: true,
        }
    }
    pub fn coarse(src: u32, offset: usize) -> Self {
        Origin {
            src,
            offset: offset as u32,
            exact: false,
        }
    }
    pub fn is_none(&self) -> bool {
        self.src == u32::MAX
    }
    /// The same place, no longer claiming byte-for-byte copies.
    pub fn coarsen(self) -> Self {
        Origin {
            exact: false,
            ..self
        }
    }
    /// The origin of the byte `delta` bytes into a segment with this origin.
    pub fn advance(self, delta: usize) -> Self {
        if self.exact {
            Origin {
                offset: self.offset + delta as u32,
                ..self
            }
        } else {
            self
        }
    }
}

/// One run of bytes with one origin; `end` is the run's end offset in the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seg {
    pub end: u32,
    pub origin: Origin,
}

/// A string with the origin of every byte.
#[derive(Debug, Clone)]
pub struct Str {
    text: Rc<str>,
    /// Empty: the whole text has `first`.
    segs: Rc<[Seg]>,
    first: Origin,
}

impl PartialEq for Str {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Str {
    pub fn new(text: impl Into<Rc<str>>, origin: Origin) -> Self {
        Str {
            text: text.into(),
            segs: Rc::from([]),
            first: origin,
        }
    }
    pub fn plain(text: &str) -> Self {
        Str::new(text, Origin::NONE)
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn len(&self) -> usize {
        self.text.len()
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    pub fn rc(&self) -> &Rc<str> {
        &self.text
    }
    /// The origin of the first byte (or of the whole, for an empty string).
    pub fn origin(&self) -> Origin {
        self.segs.first().map_or(self.first, |s| s.origin)
    }
    /// The segments, as (start, end, origin).
    pub fn segments(&self) -> Vec<(usize, usize, Origin)> {
        if self.segs.is_empty() {
            return vec![(0, self.text.len(), self.first)];
        }
        let mut start = 0;
        self.segs
            .iter()
            .map(|s| {
                let r = (start, s.end as usize, s.origin);
                start = s.end as usize;
                r
            })
            .collect()
    }
    /// The origin of byte `at`.
    pub fn origin_at(&self, at: usize) -> Origin {
        if self.segs.is_empty() {
            return self.first.advance(at);
        }
        let i = self.segs.partition_point(|s| (s.end as usize) <= at);
        let i = i.min(self.segs.len() - 1);
        let start = if i == 0 {
            0
        } else {
            self.segs[i - 1].end as usize
        };
        self.segs[i].origin.advance(at.saturating_sub(start))
    }
    /// Bytes `start..end` with their origins (char boundaries assumed).
    pub fn slice(&self, start: usize, end: usize) -> Str {
        if start == 0 && end == self.text.len() {
            return self.clone();
        }
        let mut b = Builder::default();
        b.push_range(self, start, end);
        b.finish()
    }
    /// The same text with every origin made coarse, or with `origin` when the
    /// text has none.
    pub fn with_fallback(&self, origin: Origin) -> Str {
        if self.segs.is_empty() && self.first.is_none() {
            return Str::new(self.text.clone(), origin);
        }
        self.clone()
    }
}

/// Builds a [`Str`] piece by piece, merging runs that continue each other.
#[derive(Debug, Default)]
pub struct Builder {
    text: String,
    segs: Vec<Seg>,
}

impl Builder {
    pub fn with_capacity(n: usize) -> Self {
        Builder {
            text: String::with_capacity(n),
            segs: Vec::new(),
        }
    }
    pub fn len(&self) -> usize {
        self.text.len()
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn push_text(&mut self, text: &str, origin: Origin) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.add_seg(start, origin);
    }
    fn add_seg(&mut self, start: usize, origin: Origin) {
        let end = self.text.len() as u32;
        let last_start = seg_start_of(&self.segs);
        if let Some(last) = self.segs.last_mut() {
            let last_len = last.end as usize - last_start;
            let continues = last.origin.src == origin.src
                && last.origin.exact == origin.exact
                && if origin.exact {
                    last.origin.offset as usize + last_len == origin.offset as usize
                } else {
                    last.origin.offset == origin.offset
                };
            if continues {
                last.end = end;
                return;
            }
            debug_assert_eq!(last.end as usize, start);
        }
        self.segs.push(Seg { end, origin });
    }
    pub fn push(&mut self, s: &Str) {
        self.push_range(s, 0, s.len());
    }
    /// Bytes `start..end` of `s`.
    pub fn push_range(&mut self, s: &Str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        if s.segs.is_empty() {
            self.push_text(&s.text[start..end], s.first.advance(start));
            return;
        }
        let mut seg_start = 0usize;
        for seg in s.segs.iter() {
            let seg_end = seg.end as usize;
            let a = seg_start.max(start);
            let b = seg_end.min(end);
            if a < b {
                self.push_text(&s.text[a..b], seg.origin.advance(a - seg_start));
            }
            seg_start = seg_end;
            if seg_start >= end {
                break;
            }
        }
    }
    pub fn finish(self) -> Str {
        let text: Rc<str> = Rc::from(self.text);
        match self.segs.len() {
            0 => Str::new(text, Origin::NONE),
            1 => Str::new(text, self.segs[0].origin),
            _ => Str {
                text,
                segs: Rc::from(self.segs),
                first: Origin::NONE,
            },
        }
    }
}

/// Start offset of the last segment.
fn seg_start_of(segs: &[Seg]) -> usize {
    match segs.len() {
        0 | 1 => 0,
        n => segs[n - 2].end as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_runs_merge_and_slices_keep_offsets() {
        let mut b = Builder::default();
        b.push_text("ab", Origin::exact(0, 10));
        b.push_text("cd", Origin::exact(0, 12)); // continues the run
        b.push_text("  ", Origin::coarse(1, 5));
        b.push_text("ef", Origin::exact(2, 0));
        let s = b.finish();
        assert_eq!(s.as_str(), "abcd  ef");
        assert_eq!(s.segments().len(), 3);
        assert_eq!(s.origin_at(3), Origin::exact(0, 13));
        assert_eq!(s.origin_at(5), Origin::coarse(1, 5));
        assert_eq!(s.origin_at(7), Origin::exact(2, 1));
        let cut = s.slice(1, 7);
        assert_eq!(cut.as_str(), "bcd  e");
        assert_eq!(cut.origin_at(0), Origin::exact(0, 11));
        assert_eq!(cut.origin_at(5), Origin::exact(2, 0));
    }
}
