//! The evidence report as JSON: the model itself, pretty-printed, with every
//! rule's population (`population`: one object per evaluation) written after
//! it as it is made, so the populations are never held as text.
use std::io::Write;

use super::model::Evidence;
use super::population::{write_json_items, Populations};

pub fn write(ev: &Evidence, pop: &Populations, w: &mut dyn Write) -> std::io::Result<()> {
    let model = serde_json::to_string_pretty(ev).map_err(std::io::Error::other)?;
    // the model is an object: its closing brace makes room for the population
    let open = model.strip_suffix('}').unwrap_or(&model).trim_end();
    w.write_all(open.as_bytes())?;
    w.write_all(b",\n  \"population\": [")?;
    write_json_items(pop, 4, w)?;
    w.write_all(b"\n  ]\n}\n")
}
