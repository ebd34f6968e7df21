//! The render stage, between discover and parse: a unit directory (a Helm
//! chart) in, rendered documents with the source of every byte out, or the
//! reason it could not be rendered.
pub mod helm;
