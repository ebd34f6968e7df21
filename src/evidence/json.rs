//! The evidence report as JSON: the model itself, pretty-printed, with every
//! rule's population (`population`: one object per evaluation) written after
//! it. Both are serialised straight into the writer as they are made: no
//! text of the whole document, no `serde_json::Value` tree.
use std::io::Write;

use super::model::Evidence;
use super::population::{write_json_items, Populations};

pub fn write(ev: &Evidence, pop: &Populations, w: &mut dyn Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    // the model is an object: its closing `\n}` is held back to make room
    // for the population
    let mut model = HoldBack::new(&mut w);
    serde_json::to_writer_pretty(&mut model, ev).map_err(std::io::Error::other)?;
    if model.held() != b"\n}" {
        return Err(std::io::Error::other("the evidence model is not an object"));
    }
    w.write_all(b",\n  \"population\": [")?;
    write_json_items(pop, 4, &mut w)?;
    w.write_all(b"\n  ]\n}\n")?;
    w.flush()
}

/// A writer that passes everything on except its last two bytes.
struct HoldBack<'a, W: Write> {
    inner: &'a mut W,
    tail: [u8; 2],
    len: usize,
}

impl<'a, W: Write> HoldBack<'a, W> {
    fn new(inner: &'a mut W) -> Self {
        HoldBack {
            inner,
            tail: [0; 2],
            len: 0,
        }
    }

    fn held(&self) -> &[u8] {
        &self.tail[..self.len]
    }
}

impl<W: Write> Write for HoldBack<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        // the held bytes followed by `buf`: all but the last two go on
        let total = self.len + buf.len();
        if total <= 2 {
            self.tail[self.len..total].copy_from_slice(buf);
            self.len = total;
            return Ok(());
        }
        let pass = total - 2;
        let from_tail = pass.min(self.len);
        self.inner.write_all(&self.tail[..from_tail])?;
        let rest_of_tail = self.tail[from_tail..self.len].to_vec();
        let from_buf = pass - from_tail;
        self.inner.write_all(&buf[..from_buf])?;
        let mut next = rest_of_tail;
        next.extend_from_slice(&buf[from_buf..]);
        self.tail[..next.len()].copy_from_slice(&next);
        self.len = next.len();
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::HoldBack;
    use std::io::Write;

    #[test]
    fn holds_back_the_last_two_bytes_whatever_the_writes() {
        for split in [
            vec!["{\n  \"a\": 1\n}"],
            vec!["{", "\n", "  \"a\": 1", "\n", "}"],
        ] {
            let mut out = Vec::new();
            let mut h = HoldBack::new(&mut out);
            for part in &split {
                h.write_all(part.as_bytes()).expect("write");
            }
            assert_eq!(h.held(), b"\n}");
            assert_eq!(out, b"{\n  \"a\": 1");
        }
        let mut out = Vec::new();
        let mut h = HoldBack::new(&mut out);
        h.write_all(b"x").expect("write");
        assert_eq!(h.held(), b"x");
        assert!(out.is_empty());
    }
}
