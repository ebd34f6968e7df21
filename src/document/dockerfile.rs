//! Dockerfile → Node (instructions and build stages).
use super::{Limits, Node, ParseError};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let _ = (text, limits);
    unimplemented!("dockerfile parser")
}
