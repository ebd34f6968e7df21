//! An HTML page of bounded size. Lists (findings, population rows,
//! exceptions, files not scanned, repositories) are appended row by row
//! while the page has room; a row that does not fit ends its list, and the
//! rows left out are counted so the page can say how many and where they
//! are. Whatever a repository holds, the page stays under [`MAX_BYTES`] and
//! a browser opens it.
use std::borrow::Cow;

/// The most a page may hold (3 MB). Chromium took 4.6–5.3 s to open a
/// 9.4 MB page of collapsed rows and ~1.5 s per MB of visible rows on top of
/// its 2.3 s start (bench/README.md): at 10 MB a page whose rows are all
/// visible took 18–22 s, so the limit keeps even that case near 5 s.
pub const MAX_BYTES: usize = 3_000_000;

/// Kept free of rows for what is written outside them: headings, the
/// notes that count the rows left out, closing tags and the notice at the
/// top (all bounded: a fixed number of sections, each note one line).
const RESERVE: usize = 1_000_000;

/// Cells longer than this many characters are cut (the complete text is in
/// the CSV and JSON populations): one long message cannot fill the page.
pub const CELL_CHARS: usize = 2_000;

pub struct Page {
    pub s: String,
    /// Bytes the rows may fill the page up to.
    limit: usize,
    /// Rows left out because the page was full, over all lists.
    pub omitted: usize,
}

impl Default for Page {
    fn default() -> Self {
        Page::with_limit(MAX_BYTES - RESERVE)
    }
}

impl Page {
    /// A page whose rows stop at `limit` bytes (tests use small limits).
    pub fn with_limit(limit: usize) -> Self {
        Page {
            s: String::with_capacity(1 << 16),
            limit,
            omitted: 0,
        }
    }

    /// Appends a row made by `render` for each item while it fits; once one
    /// does not, the rest are only counted. Returns how many were left out.
    pub fn rows<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut render: impl FnMut(&mut String, T),
    ) -> usize {
        let mut left_out = 0;
        let mut row = String::new();
        for item in items {
            if left_out > 0 {
                left_out += 1;
                continue;
            }
            row.clear();
            render(&mut row, item);
            if self.s.len() + row.len() <= self.limit {
                self.s.push_str(&row);
            } else {
                left_out = 1;
            }
        }
        self.omitted += left_out;
        left_out
    }
}

/// `s` cut to [`CELL_CHARS`] characters, saying how many were left out.
pub fn clip(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(CELL_CHARS) {
        None => Cow::Borrowed(s),
        Some((end, _)) => {
            let rest = s[end..].chars().count();
            Cow::Owned(format!(
                "{}… ({} more characters in the complete population)",
                &s[..end],
                rest
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stop_at_the_limit_and_are_counted() {
        let mut page = Page::with_limit(30);
        page.s.push_str("<table>");
        let left = page.rows(0..10, |s, i| s.push_str(&format!("<tr>{i}</tr>")));
        // 7 bytes, then 10 a row: two fit in 30
        assert_eq!(page.s, "<table><tr>0</tr><tr>1</tr>");
        assert_eq!(left, 8);
        // once a row is refused, a shorter one after it is not shown either:
        // what a list shows is always its first rows
        assert_eq!(page.rows(["a long row", "b"], |s, x| s.push_str(x)), 2);
        assert_eq!(page.s.len(), 27);
        assert_eq!(page.rows(["abc"], |s, x| s.push_str(x)), 0);
        assert_eq!(page.omitted, 10);
    }

    #[test]
    fn long_cells_are_cut_with_a_count() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(CELL_CHARS + 5);
        let cut = clip(&long);
        assert!(cut.starts_with(&"é".repeat(CELL_CHARS)));
        assert!(cut.ends_with("… (5 more characters in the complete population)"));
    }
}
