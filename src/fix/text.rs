//! Line arithmetic the format builders share.

/// The start of the line holding byte `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The start of the line after the one holding the byte before `at` (`at`
/// itself when a line break ends there); `None` on the last line when it
/// has no line break.
pub fn after_line(text: &str, at: usize) -> Option<usize> {
    if at > 0 && text.as_bytes().get(at - 1) == Some(&b'\n') {
        return Some(at);
    }
    text.get(at..)?.find('\n').map(|i| at + i + 1)
}

/// The file's line ending: `\r\n` when its first line ends so.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Lines written with one line ending.
pub struct Lines<'a> {
    out: &'a mut String,
    nl: &'static str,
}

impl<'a> Lines<'a> {
    pub fn new(out: &'a mut String, nl: &'static str) -> Self {
        Lines { out, nl }
    }
    pub fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push_str(self.nl);
    }
}
