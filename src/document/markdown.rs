//! Markdown policy documents → Node (front matter and headings).
use super::{Limits, Node, ParseError};

pub fn parse(text: &str, limits: &Limits) -> Result<Node, ParseError> {
    let _ = (text, limits);
    unimplemented!("markdown parser")
}
