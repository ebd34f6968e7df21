//! Pretty-printed JSON written piece by piece, byte for byte what
//! `serde_json::to_writer_pretty` gives for the whole document, so that the
//! one large array of a report (findings, SARIF results) can be rendered in
//! parallel batches: at 100,000 findings, serialising them one after the
//! other was the largest serial step left after the scan.
use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Items rendered per task.
const BATCH: usize = 256;
/// Tasks per round: a round's text is held in memory until it is written.
const ROUND: usize = 32;

/// serde_json's pretty layout (two spaces per level) starting `depth` levels
/// deep, for a value written inside an enclosing document.
struct PrettyAt {
    depth: usize,
    has_value: bool,
}

impl PrettyAt {
    fn new(depth: usize) -> Self {
        PrettyAt {
            depth,
            has_value: false,
        }
    }
}

fn indent<W: ?Sized + Write>(w: &mut W, depth: usize) -> io::Result<()> {
    const SPACES: &[u8] = &[b' '; 64];
    let mut n = depth * 2;
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

impl PrettyAt {
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.depth)
    }
}

impl Formatter for PrettyAt {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` as it appears `depth` levels deep in a pretty document.
pub fn value<W: Write>(w: &mut W, depth: usize, value: &impl Serialize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, PrettyAt::new(depth));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// A JSON object written field by field, `depth` levels deep.
pub struct Object<'w, W: Write> {
    w: &'w mut W,
    depth: usize,
    empty: bool,
}

impl<'w, W: Write> Object<'w, W> {
    pub fn begin(w: &'w mut W, depth: usize) -> io::Result<Self> {
        w.write_all(b"{")?;
        Ok(Object {
            w,
            depth,
            empty: true,
        })
    }

    /// Starts a field; its value is written next, `depth + 1` levels deep.
    pub fn key(&mut self, key: &str) -> io::Result<&mut W> {
        self.w.write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        indent(self.w, self.depth + 1)?;
        string(self.w, key)?;
        self.w.write_all(b": ")?;
        Ok(self.w)
    }

    pub fn field(&mut self, key: &str, v: &impl Serialize) -> io::Result<()> {
        let depth = self.depth + 1;
        value(self.key(key)?, depth, v)
    }

    /// A field holding `items` as an array, each rendered by `item`.
    pub fn array<'i, T: Sync, S: Serialize>(
        &mut self,
        key: &str,
        items: &'i [T],
        item: impl Fn(&'i T) -> S + Sync + Send,
    ) -> io::Result<()> {
        let depth = self.depth + 1;
        array(self.key(key)?, depth, items, item)
    }

    /// A field holding `items` as an array, each written by `write` (given
    /// the buffer and the item's depth).
    pub fn array_with<'i, T: Sync>(
        &mut self,
        key: &str,
        items: &'i [T],
        write: impl Fn(&mut Vec<u8>, usize, &'i T) -> io::Result<()> + Sync + Send,
    ) -> io::Result<()> {
        let depth = self.depth + 1;
        array_with(self.key(key)?, depth, items, write)
    }

    /// A string field.
    pub fn str(&mut self, key: &str, v: &str) -> io::Result<()> {
        string(self.key(key)?, v)
    }

    /// An unsigned integer field, formatted as serde_json does it (itoa;
    /// `write!` through `fmt` cost more than the rest of a line and column).
    pub fn uint(&mut self, key: &str, v: usize) -> io::Result<()> {
        let mut digits = itoa::Buffer::new();
        self.key(key)?.write_all(digits.format(v).as_bytes())
    }

    /// A field holding an array of one element, written by `element` at
    /// `depth + 2` (SARIF's single run).
    pub fn one_element_array(
        &mut self,
        key: &str,
        element: impl FnOnce(&mut W) -> io::Result<()>,
    ) -> io::Result<()> {
        let depth = self.depth + 1;
        let w = self.key(key)?;
        w.write_all(b"[\n")?;
        indent(w, depth + 1)?;
        element(w)?;
        w.write_all(b"\n")?;
        indent(w, depth)?;
        w.write_all(b"]")
    }

    pub fn end(self) -> io::Result<()> {
        if !self.empty {
            self.w.write_all(b"\n")?;
            indent(self.w, self.depth)?;
        }
        self.w.write_all(b"}")
    }
}

/// Writes `items` as a pretty array `depth` levels deep. Inside a thread pool
/// the items are rendered in parallel, a round of batches at a time (so the
/// text waiting to be written stays a few megabytes), and written in order.
pub fn array<'i, T: Sync, S: Serialize, W: Write>(
    w: &mut W,
    depth: usize,
    items: &'i [T],
    item: impl Fn(&'i T) -> S + Sync + Send,
) -> io::Result<()> {
    array_with(w, depth, items, |buf, depth, x| value(buf, depth, &item(x)))
}

/// [`array`] with each item written by `write` at the depth it is given.
pub fn array_with<'i, T: Sync, W: Write>(
    w: &mut W,
    depth: usize,
    items: &'i [T],
    write: impl Fn(&mut Vec<u8>, usize, &'i T) -> io::Result<()> + Sync + Send,
) -> io::Result<()> {
    if items.is_empty() {
        return w.write_all(b"[]");
    }
    w.write_all(b"[")?;
    let mut first = true;
    for round in items.chunks(BATCH * ROUND) {
        let batches: Vec<&'i [T]> = round.chunks(BATCH).collect();
        let texts = crate::parallel::map(&batches, |batch| -> io::Result<Vec<u8>> {
            let mut buf = Vec::with_capacity(batch.len() * 512);
            for x in batch.iter() {
                let x: &'i T = x;
                // every item after a comma; the array's first drops it below
                buf.extend_from_slice(b",\n");
                indent(&mut buf, depth + 1)?;
                write(&mut buf, depth + 1, x)?;
            }
            Ok(buf)
        });
        for text in texts {
            let text = text?;
            w.write_all(if first { &text[1..] } else { &text })?;
            first = false;
        }
    }
    w.write_all(b"\n")?;
    indent(w, depth)?;
    w.write_all(b"]")
}

/// `s` as a JSON string, as serde_json writes it. Most report strings need
/// no escape: one pass that the compiler vectorises finds out, and they are
/// copied whole (serde_json looks up every byte in its escape table).
pub fn string<W: ?Sized + Write>(w: &mut W, s: &str) -> io::Result<()> {
    let plain = s
        .bytes()
        .fold(true, |ok, b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    if plain {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        w.write_all(b"\"")
    } else {
        serde_json::to_writer(w, s).map_err(io::Error::from)
    }
}

/// An array of strings `depth` levels deep (serde_json's pretty layout).
pub fn strings<W: ?Sized + Write>(w: &mut W, depth: usize, items: &[&str]) -> io::Result<()> {
    if items.is_empty() {
        return w.write_all(b"[]");
    }
    w.write_all(b"[")?;
    for (i, s) in items.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        indent(w, depth + 1)?;
        string(w, s)?;
    }
    w.write_all(b"\n")?;
    indent(w, depth)?;
    w.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Pieces written here equal serde_json's pretty output of the whole.
    #[test]
    fn pieces_equal_serde_json_pretty() {
        let items: Vec<serde_json::Value> = (0..1000)
            .map(|i| json!({"n": i, "list": [i, {"deep": [[], {}, "a\nb"]}], "empty": {}}))
            .collect();
        let head = json!({"x": [1, 2], "y": {}, "z": []});
        for threads in [1, 2] {
            let mut got = Vec::new();
            crate::parallel::in_pool(threads, None, || {
                let mut top = Object::begin(&mut got, 0)?;
                top.field("head", &head)?;
                top.array("items", &items, |v| v)?;
                let w = top.key("nested")?;
                let mut inner = Object::begin(w, 1)?;
                inner.array("two", &items[..2], |v| v)?;
                inner.end()?;
                top.array("none", &items[..0], |v| v)?;
                top.one_element_array("one", |w| {
                    let mut only = Object::begin(w, 2)?;
                    only.array("three", &items[..3], |v| v)?;
                    only.end()
                })?;
                top.end()
            })
            .unwrap()
            .unwrap();
            let want = serde_json::to_vec_pretty(&json!({
                "head": head,
                "items": items,
                "none": [],
                "nested": {"two": &items[..2]},
                "one": [{"three": &items[..3]}],
            }))
            .unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
        let mut empty = Vec::new();
        Object::begin(&mut empty, 0).unwrap().end().unwrap();
        assert_eq!(empty, b"{}");
    }

    /// Strings, numbers and string arrays written here equal serde_json's.
    #[test]
    fn strings_equal_serde_json() {
        let texts = [
            "",
            "plain text",
            "quote \" and backslash \\ and slash /",
            "tab\tnew\nline\r\u{0}\u{1f}\u{7f}",
            "ünïcødé ✓ 𝄞 \u{2028}",
        ];
        for t in texts {
            let mut got = Vec::new();
            string(&mut got, t).unwrap();
            assert_eq!(got, serde_json::to_vec(t).unwrap(), "{t:?}");
        }
        for n in [0, 7, 10, 99_999, usize::MAX] {
            let mut got = Vec::new();
            let mut o = Object::begin(&mut got, 1).unwrap();
            o.uint("n", n).unwrap();
            o.str("s", texts[2]).unwrap();
            o.end().unwrap();
            let mut want = Vec::new();
            value(&mut want, 1, &serde_json::json!({"n": n, "s": texts[2]})).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
        for (depth, items) in [(0, &texts[..]), (3, &texts[1..2]), (2, &texts[..0])] {
            let mut got = Vec::new();
            strings(&mut got, depth, items).unwrap();
            let mut want = Vec::new();
            value(&mut want, depth, &items).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }
}
