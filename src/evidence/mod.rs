//! `soclint report`: the SOC 2 evidence report. `model` turns a scan and the
//! rule set into per-criterion evidence; `html`, `markdown` and `json` render
//! it, `oscal` writes it as OSCAL assessment results; `history` keeps one
//! line per run for Type II periods; `git` reads the commit and branch from
//! `.git` files.
pub mod git;
pub mod hash;
pub mod history;
pub mod html;
pub mod json;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod org;
pub mod org_html;
pub mod oscal;
pub mod page;
pub mod period;
pub mod points;
pub mod population;
pub mod render;
pub mod status;
pub mod svg;
pub mod time;

pub use model::{build, Evidence, Inputs};
